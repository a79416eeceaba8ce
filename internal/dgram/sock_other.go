//go:build aix || (!unix && !windows)

package dgram

import (
	"errors"
	"syscall"
	"time"
)

// Here (aix, which lacks MSG_DONTWAIT, js, wasip1, plan9) neither
// transport has sockets: uxd.Open fails before any of this runs, and these
// only keep it building.

type Sockaddr any

var errAgain = errors.ErrUnsupported

const soSndbuf, soRcvbuf = 0, 0

func getsockopt(uintptr, int) (int, error)            { return 0, errors.ErrUnsupported }
func SetSockopt(uintptr, int, int) error              { return errors.ErrUnsupported }
func setNonblock(syscall.RawConn) error               { return errors.ErrUnsupported }
func recvfrom(uintptr, []byte) (int, Sockaddr, error) { return 0, nil, errors.ErrUnsupported }
func sendto(uintptr, []byte, Sockaddr) error          { return errors.ErrUnsupported }
func waitWritable(*Sock, time.Time) error             { return errors.ErrUnsupported }
