//go:build unix

package udp

import (
	"errors"

	"golang.org/x/sys/unix"
)

func noDestination(err error) bool { return errors.Is(err, unix.ECONNREFUSED) }

// transient receive errors report an ICMP error for an earlier send, not a
// problem of this socket (HIO-DEFECTS R5).
func transient(err error) bool {
	return errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ECONNRESET)
}
