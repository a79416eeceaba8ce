package dgram

import (
	"errors"
	"os"
	"syscall"
)

// Control returns a net.ListenConfig.Control that runs prepare on the
// socket before bind: buffer sizes, and for uxd the socket's mode, must be
// set before the address is taken.
func Control(prepare func(fd uintptr) error) func(network, address string, rc syscall.RawConn) error {
	return func(_, _ string, rc syscall.RawConn) error {
		var err error
		if cerr := rc.Control(func(fd uintptr) { err = prepare(fd) }); cerr != nil {
			return cerr
		}
		return err
	}
}

// RaiseBuffers raises SO_SNDBUF and SO_RCVBUF to size, as hio does, but
// never lowers them below the system's default.
func RaiseBuffers(fd uintptr, size int) error {
	for _, opt := range []int{soSndbuf, soRcvbuf} {
		v, err := getsockopt(fd, opt)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v < size {
			if err := SetSockopt(fd, opt, size); err != nil {
				return err
			}
		}
	}
	return nil
}

// SockBufs returns the kernel's SO_SNDBUF and SO_RCVBUF (Linux reports
// twice the value set).
func SockBufs(rc syscall.RawConn) (snd, rcv int, err error) {
	var serr, rerr error
	cerr := rc.Control(func(fd uintptr) {
		snd, serr = getsockopt(fd, soSndbuf)
		rcv, rerr = getsockopt(fd, soRcvbuf)
	})
	if err := errors.Join(cerr, serr, rerr); err != nil {
		return 0, 0, err
	}
	return snd, rcv, nil
}
