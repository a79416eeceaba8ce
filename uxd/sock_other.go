//go:build !linux && !darwin

package uxd

import (
	"fmt"
	"io/fs"
	"net"
	"runtime"
	"syscall"

	"github.com/memogram/memogram/transport"
)

// PathMax is 0 where unix datagram sockets are not supported.
const PathMax = 0

// supported fails: Go has no unixgram on Windows, and other systems are
// untested.
func supported() error {
	return fmt.Errorf("uxd: unix datagram sockets on %s: %w", runtime.GOOS, transport.ErrUnsupported)
}

type fileID struct{}

type receiver struct{}

func newReceiver(int) *receiver { return &receiver{} }

func (*receiver) receive(syscall.RawConn) ([]byte, net.Addr, error) { return nil, nil, supported() }

func removeStale(string) error                   { return supported() }
func removeSocket(string, fileID) error          { return nil }
func listen(string, settings) (*sock, error)     { return nil, supported() }
func sockBufs(syscall.RawConn) (int, int, error) { return 0, 0, supported() }
func processUmask() (fs.FileMode, bool)          { return 0, false }

type sender struct{}

func newSender() *sender { return &sender{} }

func (*sender) send(syscall.RawConn, []byte, string) error { return supported() }
