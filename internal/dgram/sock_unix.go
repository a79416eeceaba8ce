//go:build unix && !aix

package dgram

import (
	"os"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// The platform's socket addresses; the transports build and read them
// through these names, so that one piece of code serves every platform.
type (
	Sockaddr      = unix.Sockaddr
	SockaddrInet4 = unix.SockaddrInet4
	SockaddrInet6 = unix.SockaddrInet6
)

// errAgain is what a non-blocking recvfrom returns when nothing waits.
var errAgain error = unix.EAGAIN

const soSndbuf, soRcvbuf = unix.SO_SNDBUF, unix.SO_RCVBUF

func getsockopt(fd uintptr, opt int) (int, error) {
	return unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt)
}

// SetSockopt sets an integer option at the SOL_SOCKET level.
func SetSockopt(fd uintptr, opt, value int) error {
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, value))
}

// setNonblock has nothing to do: Go's unix sockets are non-blocking
// already.
func setNonblock(syscall.RawConn) error { return nil }

// recvfrom reads one datagram without waiting; a signal does not end it.
func recvfrom(fd uintptr, p []byte) (n int, from Sockaddr, err error) {
	for {
		n, from, err = unix.Recvfrom(int(fd), p, unix.MSG_DONTWAIT)
		if err != unix.EINTR {
			return n, from, err
		}
	}
}

// sendto sends one datagram without waiting; a signal does not end it.
func sendto(fd uintptr, p []byte, to Sockaddr) error {
	for {
		err := unix.Sendto(int(fd), p, unix.MSG_DONTWAIT, to)
		if err != unix.EINTR {
			return err
		}
	}
}

// waitWritable waits for the netpoller's next writability edge on s, at
// most until then (os.ErrDeadlineExceeded).
func waitWritable(s *Sock, until time.Time) error {
	if err := s.Conn.SetWriteDeadline(until); err != nil {
		return err
	}
	first := true
	return s.RC.Write(func(uintptr) bool {
		if first { // wait once for the poller's writability edge
			first = false
			return false
		}
		return true
	})
}
