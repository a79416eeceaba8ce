//go:build linux

package dgram

import (
	"bytes"
	"net"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/memogram/memogram/transport"
)

// scatterMax bounds the parts of one ReadScatter: memo lends up to 20
// arena chunks for a body, between a head and the rest of a read buffer.
const scatterMax = 24

// msgRx is recvmsg's state, bound once so that reading allocates nothing;
// last keeps the source of the previous datagram, so that a run from one
// sender shares one net.Addr.
type msgRx struct {
	hdr  unix.Msghdr
	iovs [scatterMax]unix.Iovec
	name unix.RawSockaddrAny
	n    int
	err  error
	fn   func(fd uintptr) bool // for RawConn.Read: false while nothing waits

	lastName [unix.SizeofSockaddrAny]byte
	lastLen  uint32
	lastAddr net.Addr
	sas      sockaddrs
}

func newMsgRx() *msgRx {
	r := &msgRx{}
	r.fn = func(fd uintptr) bool {
		for {
			// MSG_TRUNC: the datagram's real length, also when it is
			// longer than the parts (unix datagram sockets since 3.4).
			n, _, e := unix.Syscall(unix.SYS_RECVMSG, fd, uintptr(unsafe.Pointer(&r.hdr)), unix.MSG_DONTWAIT|unix.MSG_TRUNC)
			if e == unix.EINTR {
				continue
			}
			r.n, r.err = int(n), nil
			if e != 0 {
				r.n, r.err = 0, e
			}
			return e != unix.EAGAIN
		}
	}
	return r
}

// readScatter is ReadScatter on Linux: one recvmsg into parts.
func (c *Core[D]) readScatter(s *Sock, parts [][]byte) (int, net.Addr, error) {
	if len(parts) > scatterMax {
		return c.readScattered(parts)
	}
	c.rxMu.Lock()
	defer c.rxMu.Unlock()
	if data, src, ok := c.popPrefetched(); ok { // what Receive took first
		return c.scatterOut(parts, data, src)
	}
	r := c.batch.msg
	if r == nil {
		r = newMsgRx()
		c.batch.msg = r
	}
	total := 0
	for i, p := range parts {
		iov := &r.iovs[i]
		iov.Base = nil
		if len(p) > 0 {
			iov.Base = &p[0]
		}
		iov.SetLen(len(p))
		total += len(p)
	}
	limit := c.spec.MaxReceiveSize
	for {
		r.hdr = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&r.name)), Namelen: unix.SizeofSockaddrAny}
		if len(parts) > 0 {
			r.hdr.Iov = &r.iovs[0]
			r.hdr.SetIovlen(len(parts))
		}
		err := s.RC.Read(r.fn)
		if err == nil {
			err = r.err
		}
		if err != nil {
			if err = Cause(err); c.dropped(err) {
				continue
			}
			clearIovs(r.iovs[:len(parts)])
			return 0, nil, c.opError("read", nil, err)
		}
		if r.n > limit { // dropped whole, as ReadFrom drops it
			continue
		}
		clearIovs(r.iovs[:len(parts)])
		src := r.source(c.spec.Source)
		n := min(r.n, total)
		c.logScattered(src, parts, n)
		if r.n > total {
			return n, src, c.opError("read", nil, &transport.DatagramTooLargeError{Size: r.n, Max: total})
		}
		return n, src, nil
	}
}

func clearIovs(iovs []unix.Iovec) {
	for i := range iovs {
		iovs[i].Base = nil
	}
}

// source returns the sender of the datagram just read, the previous
// datagram's net.Addr when the sender is the same.
func (r *msgRx) source(from func(Sockaddr) net.Addr) net.Addr {
	n := min(r.hdr.Namelen, unix.SizeofSockaddrAny)
	raw := unsafe.Slice((*byte)(unsafe.Pointer(&r.name)), n)
	if r.lastAddr != nil && n == r.lastLen && bytes.Equal(raw, r.lastName[:n]) {
		return r.lastAddr
	}
	a := from(r.sas.read(&r.name, n))
	copy(r.lastName[:], raw)
	r.lastLen, r.lastAddr = n, a
	return a
}

// sockaddrs is reused storage for the sockaddrs read from the kernel, so
// that reading a source allocates nothing.
type sockaddrs struct {
	sa4 unix.SockaddrInet4
	sa6 unix.SockaddrInet6
	un  unix.SockaddrUnix
}

// read returns the kernel's address of n bytes in name, in s's storage; nil
// for none.
func (s *sockaddrs) read(name *unix.RawSockaddrAny, n uint32) Sockaddr {
	if n < 2 {
		return nil
	}
	switch name.Addr.Family {
	case unix.AF_INET:
		p := (*unix.RawSockaddrInet4)(unsafe.Pointer(name))
		b := (*[2]byte)(unsafe.Pointer(&p.Port))
		s.sa4 = unix.SockaddrInet4{Port: int(b[0])<<8 | int(b[1]), Addr: p.Addr}
		return &s.sa4
	case unix.AF_INET6:
		p := (*unix.RawSockaddrInet6)(unsafe.Pointer(name))
		b := (*[2]byte)(unsafe.Pointer(&p.Port))
		s.sa6 = unix.SockaddrInet6{Port: int(b[0])<<8 | int(b[1]), Addr: p.Addr, ZoneId: p.Scope_id}
		return &s.sa6
	case unix.AF_UNIX:
		// As the syscall package reads it: the path up to its NUL; an
		// abstract name's leading NUL shown as '@'.
		p := (*unix.RawSockaddrUnix)(unsafe.Pointer(name))
		path := unsafe.Slice((*byte)(unsafe.Pointer(&p.Path[0])), min(int(n)-2, len(p.Path)))
		if len(path) == 0 {
			return nil
		}
		abstract := path[0] == 0
		if abstract {
			path = path[1:]
		}
		if i := bytes.IndexByte(path, 0); i >= 0 {
			path = path[:i]
		}
		name := string(path)
		if abstract {
			name = "@" + name
		}
		s.un = unix.SockaddrUnix{Name: name}
		return &s.un
	}
	return nil
}

// logScattered records a datagram read into parts, n bytes of them.
func (c *Core[D]) logScattered(src net.Addr, parts [][]byte, n int) {
	if c.spec.WireLog == nil {
		return
	}
	var b bytes.Buffer
	for _, p := range parts {
		k := min(len(p), n-b.Len())
		b.Write(p[:k])
	}
	c.spec.WireLog.Rx(src, b.Bytes())
}
