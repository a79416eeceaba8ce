//go:build unix

package udp

import (
	"errors"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

var errAgain error = unix.EAGAIN

func noDestination(err error) bool { return errors.Is(err, unix.ECONNREFUSED) }

// transient receive errors report an ICMP error for an earlier send, not a
// problem of this socket (HIO-DEFECTS R5).
func transient(err error) bool {
	return errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ECONNRESET)
}

// prepare runs before bind: raise the buffers as hio does and set
// SO_BROADCAST as configured.
func prepare(fd uintptr, set settings) error {
	for _, opt := range []int{unix.SO_SNDBUF, unix.SO_RCVBUF} {
		v, err := unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, opt)
		if err != nil {
			return os.NewSyscallError("getsockopt", err)
		}
		if v < set.bs {
			if err := unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, opt, set.bs); err != nil {
				return os.NewSyscallError("setsockopt", err)
			}
		}
	}
	b := 0
	if set.Broadcast {
		b = 1
	}
	return os.NewSyscallError("setsockopt", unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_BROADCAST, b))
}

// finish has nothing to do: Go's unix sockets are already non-blocking.
func finish(syscall.RawConn) error { return nil }

func sockBufs(rc syscall.RawConn) (snd, rcv int, err error) {
	var serr, rerr error
	cerr := rc.Control(func(fd uintptr) {
		snd, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_SNDBUF)
		rcv, rerr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_RCVBUF)
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
	sa  unix.Sockaddr
	err error
	fn  func(uintptr)
}

func newReceiver(size int) *receiver {
	r := &receiver{buf: make([]byte, size)}
	r.fn = r.recvfrom
	return r
}

func (r *receiver) recvfrom(fd uintptr) {
	for {
		r.n, r.sa, r.err = unix.Recvfrom(int(fd), r.buf, unix.MSG_DONTWAIT)
		if r.err != unix.EINTR {
			return
		}
	}
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
	case *unix.SockaddrInet4:
		return r.buf[:r.n], addr4(sa.Addr, sa.Port), nil
	case *unix.SockaddrInet6:
		return r.buf[:r.n], addr6(sa.Addr, sa.Port, sa.ZoneId), nil
	}
	return r.buf[:r.n], nil, nil
}

// sender sends datagrams without waiting. Like receiver it binds its
// Control callback once, so that retrying a send that would block
// allocates nothing; its mutex serializes concurrent senders.
type sender struct {
	mu   sync.Mutex
	sa4  unix.SockaddrInet4
	sa6  unix.SockaddrInet6
	to   unix.Sockaddr
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
	for {
		s.err = unix.Sendto(int(fd), s.data, unix.MSG_DONTWAIT, s.to)
		if s.err != unix.EINTR {
			return
		}
	}
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
		s.sa4 = unix.SockaddrInet4{Addr: ip, Port: dst.Port}
		s.to = &s.sa4
	} else {
		ip, zone, err := ip6(dst)
		if err != nil {
			return err
		}
		s.sa6 = unix.SockaddrInet6{Addr: ip, Port: dst.Port, ZoneId: zone}
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

// waitWritable waits for the netpoller's next writability edge, at most
// until then.
func waitWritable(s *sock, until time.Time) error {
	if err := s.conn.SetWriteDeadline(until); err != nil {
		return err
	}
	first := true
	return s.rc.Write(func(uintptr) bool {
		if first {
			first = false
			return false
		}
		return true
	})
}
