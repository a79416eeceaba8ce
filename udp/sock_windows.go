package udp

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
)

var errAgain error = windows.WSAEWOULDBLOCK

// noDestination: Windows reports an ICMP port unreachable for an earlier
// datagram as a connection reset on a later call.
func noDestination(err error) bool {
	return errors.Is(err, windows.WSAECONNREFUSED) || errors.Is(err, windows.WSAECONNRESET)
}

// transient receive errors report an ICMP error for an earlier send, not a
// problem of this socket (HIO-DEFECTS R5). Go turns their reporting off on
// its sockets, but not every Windows (or Wine) honours that.
func transient(err error) bool {
	return errors.Is(err, windows.WSAECONNRESET) || errors.Is(err, windows.WSAENETRESET)
}

// prepare runs before bind: raise the buffers as hio does and set
// SO_BROADCAST as configured.
func prepare(fd uintptr, set settings) error {
	h := windows.Handle(fd)
	for _, opt := range []int{windows.SO_SNDBUF, windows.SO_RCVBUF} {
		v, err := windows.GetsockoptInt(h, windows.SOL_SOCKET, opt)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v < set.bs {
			if err := windows.SetsockoptInt(h, windows.SOL_SOCKET, opt, set.bs); err != nil {
				return os.NewSyscallError("setsockopt", err)
			}
		}
	}
	b := 0
	if set.Broadcast {
		b = 1
	}
	return os.NewSyscallError("setsockopt", windows.SetsockoptInt(h, windows.SOL_SOCKET, windows.SO_BROADCAST, b))
}

// fionbio is FIONBIO, _IOW('f', 126, u_long).
const fionbio = 0x8004667e

// finish makes the socket non-blocking for the plain recvfrom and sendto of
// Receive and Send. Go's own ReadFrom and WriteTo use overlapped I/O, which
// ignores that mode (libuv runs its UDP sockets the same way).
func finish(rc syscall.RawConn) error {
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

func sockBufs(rc syscall.RawConn) (snd, rcv int, err error) {
	var serr, rerr error
	cerr := rc.Control(func(fd uintptr) {
		snd, serr = windows.GetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, windows.SO_SNDBUF)
		rcv, rerr = windows.GetsockoptInt(windows.Handle(fd), windows.SOL_SOCKET, windows.SO_RCVBUF)
	})
	if err := errors.Join(cerr, serr, rerr); err != nil {
		return 0, 0, err
	}
	return snd, rcv, nil
}

// receiver reads datagrams without waiting into its own buffer. Its
// Control callback is bound once, so that polling an empty socket, which
// an event loop does on every pass, allocates nothing.
type receiver struct {
	buf []byte
	n   int
	sa  windows.Sockaddr
	err error
	fn  func(uintptr)
}

func newReceiver(size int) *receiver {
	r := &receiver{buf: make([]byte, size)}
	r.fn = r.recvfrom
	return r
}

func (r *receiver) recvfrom(fd uintptr) {
	r.n, r.sa, r.err = windows.Recvfrom(windows.Handle(fd), r.buf, 0)
}

// receive returns one datagram, or errAgain when none waits.
func (r *receiver) receive(rc syscall.RawConn) ([]byte, net.Addr, error) {
	if err := rc.Control(r.fn); err != nil {
		return nil, nil, err
	}
	sa := r.sa
	r.sa = nil
	if r.err != nil {
		return nil, nil, r.err
	}
	switch sa := sa.(type) {
	case *windows.SockaddrInet4:
		return r.buf[:r.n], addr4(sa.Addr, sa.Port), nil
	case *windows.SockaddrInet6:
		return r.buf[:r.n], addr6(sa.Addr, sa.Port, sa.ZoneId), nil
	}
	return r.buf[:r.n], nil, nil
}

// sender sends datagrams without waiting. Like receiver it binds its
// Control callback once, so that retrying a send that would block
// allocates nothing; its mutex serializes concurrent senders.
type sender struct {
	mu   sync.Mutex
	sa4  windows.SockaddrInet4
	sa6  windows.SockaddrInet6
	to   windows.Sockaddr
	data []byte
	err  error
	fn   func(uintptr)
}

func newSender() *sender {
	s := &sender{}
	s.fn = s.sendto
	return s
}

func (s *sender) sendto(fd uintptr) {
	s.err = windows.Sendto(windows.Handle(fd), s.data, 0, s.to)
}

// send sends one datagram to dst over a socket of network "udp4" or "udp6".
func (s *sender) send(rc syscall.RawConn, data []byte, dst *net.UDPAddr, network string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if network == "udp4" {
		ip, err := ip4(dst)
		if err != nil {
			return err
		}
		s.sa4 = windows.SockaddrInet4{Addr: ip, Port: dst.Port}
		s.to = &s.sa4
	} else {
		ip, zone, err := ip6(dst)
		if err != nil {
			return err
		}
		s.sa6 = windows.SockaddrInet6{Addr: ip, Port: dst.Port, ZoneId: zone}
		s.to = &s.sa6
	}
	s.data = data
	err := rc.Control(s.fn)
	s.data = nil
	if err != nil {
		return err
	}
	return s.err
}

// waitWritable sleeps until then: Go on Windows cannot wait for
// writability (RawConn.Write does not poll), and a full UDP send buffer is
// rare there.
func waitWritable(s *sock, until time.Time) error {
	t := time.NewTimer(time.Until(until))
	defer t.Stop()
	select {
	case <-s.done:
		return net.ErrClosed
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}
