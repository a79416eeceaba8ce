package dgram

import (
	"net"
	"os"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

// The platform's socket addresses; the transports build and read them
// through these names, so that one piece of code serves every platform.
type (
	Sockaddr      = windows.Sockaddr
	SockaddrInet4 = windows.SockaddrInet4
	SockaddrInet6 = windows.SockaddrInet6
)

// errAgain is what recvfrom on a socket in non-blocking mode (setNonblock)
// returns when nothing waits.
var errAgain error = windows.WSAEWOULDBLOCK

const soSndbuf, soRcvbuf = windows.SO_SNDBUF, windows.SO_RCVBUF

func getsockopt(fd uintptr, opt int) (int, error) {
	return windows.GetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, opt)
}

// SetSockopt sets an integer option at the SOL_SOCKET level.
func SetSockopt(fd uintptr, opt, value int) error {
	return os.NewSyscallError("setsockopt", windows.SetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, opt, value))
}

// fionbio is FIONBIO, _IOW('f', 126, u_long).
const fionbio = 0x8004667e

// setNonblock makes the socket non-blocking for the plain recvfrom and
// sendto of Receive and Send. Go's own ReadFrom and WriteTo use overlapped
// I/O, which ignores that mode (libuv runs its UDP sockets the same way).
func setNonblock(rc syscall.RawConn) error {
	var err error
	cerr := rc.Control(func(fd uintptr) {
		on, n := uint32(1), uint32(0)
		err = windows.WSAIoctl(windows.Handle(fd), fionbio, (*byte)(unsafe.Pointer(&on)), 4, nil, 0, &n, nil, 0)
	})
	if cerr != nil {
		return cerr
	}
	return os.NewSyscallError("wsaioctl", err)
}

// recvfrom reads one datagram; it does not wait because setNonblock put
// the socket in non-blocking mode.
func recvfrom(fd uintptr, p []byte) (int, Sockaddr, error) {
	return windows.Recvfrom(windows.Handle(fd), p, 0)
}

// sendto sends one datagram; it does not wait because setNonblock put the
// socket in non-blocking mode.
func sendto(fd uintptr, p []byte, to Sockaddr) error {
	return windows.Sendto(windows.Handle(fd), p, 0, to)
}

// waitWritable sleeps until then (os.ErrDeadlineExceeded) or until s
// closes: Go on Windows cannot wait for writability (RawConn.Write does not
// poll), and a full UDP send buffer is rare there. A changed write deadline
// therefore takes effect at the next tick.
func waitWritable(s *Sock, until time.Time) error {
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-s.done:
		return net.ErrClosed
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}
