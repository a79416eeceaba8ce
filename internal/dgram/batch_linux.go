//go:build linux

package dgram

import (
	"net"
	"sync"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/memogram/memogram/transport"
)

// batchState is the part of Core the batched calls use.
type batchState struct {
	broken atomic.Bool // the kernel refused the calls (ENOSYS): fall back for good
	gsoOff atomic.Bool // the kernel or device refused UDP_SEGMENT
	tx     *mmsgTx     // guarded by Core.tx.mu
	rxMu   sync.Mutex
	rx     *mmsgRx // ReadBatch's, guarded by rxMu
	pre    *prefetch
	msg    *msgRx   // ReadScatter's (scatter_linux.go), guarded by Core.rxMu
	last   srcCache // Receive's, guarded by Core.rxMu
}

// srcCache keeps the net.Addr made for the last source seen, so that a run
// of datagrams from one source shares one value instead of allocating one
// each.
type srcCache struct {
	addr net.Addr
}

// source returns the net.Addr of sa, the cached one when it still names sa.
func (c *Core[D]) source(cache *srcCache, sa Sockaddr) net.Addr {
	if cache.addr != nil && c.spec.SameSource != nil && c.spec.SameSource(cache.addr, sa) {
		return cache.addr
	}
	a := c.spec.Source(sa)
	if c.spec.SameSource != nil {
		cache.addr = a
	}
	return a
}

const batchSupported = true

// batchMax bounds the datagrams of one sendmmsg or recvmmsg.
const batchMax = 64

// prefetchCount is how many datagrams Receive takes from the kernel at once.
const prefetchCount = 16

// mmsghdr is the kernel's struct mmsghdr; Go pads it as C does.
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// UDP generic segmentation offload (UDP_SEGMENT, Linux 4.18): a run of
// equal-sized datagrams to one destination goes down the stack as one
// buffer that the kernel (or the NIC) cuts into datagrams of that size at
// the bottom, so the stack runs once per run instead of once per datagram.
// The receiver sees ordinary datagrams. Kernels or devices that refuse it
// turn it off for the socket's Core, and the datagrams go one per message.
const (
	gsoMaxSegments = 64    // the kernel's UDP_MAX_SEGMENTS on older kernels
	gsoMaxBytes    = 65507 // one IPv4 datagram's payload: a GSO buffer's limit
	txMaxBufs      = 256   // datagrams per sendmmsg
)

// mmsgTx is sendmmsg's state, bound once so that sending allocates nothing.
type mmsgTx struct {
	hdrs   [batchMax]mmsghdr
	iovs   [txMaxBufs]unix.Iovec
	ctrl   [batchMax][3]uint64 // one cmsg with a uint16 each, 8-aligned
	bufs   [batchMax]int       // datagrams in each message
	sa     unix.RawSockaddrAny // room for any family
	count  int
	single bool // one message by sendmsg, not sendmmsg
	sent   int
	err    error
	fn     func(fd uintptr)
}

func newMmsgTx() *mmsgTx {
	t := &mmsgTx{}
	t.fn = func(fd uintptr) {
		for {
			var r uintptr
			var e unix.Errno
			if t.single {
				_, _, e = unix.Syscall(unix.SYS_SENDMSG, fd, uintptr(unsafe.Pointer(&t.hdrs[0].hdr)), unix.MSG_DONTWAIT)
				r = 1
			} else {
				r, _, e = unix.Syscall6(unix.SYS_SENDMMSG, fd, uintptr(unsafe.Pointer(&t.hdrs[0])), uintptr(t.count), unix.MSG_DONTWAIT, 0, 0)
			}
			if e == unix.EINTR {
				continue
			}
			t.sent, t.err = int(r), nil
			if e != 0 {
				t.sent, t.err = 0, e
			}
			return
		}
	}
	return t
}

// setSegment puts a UDP_SEGMENT cmsg of size into message i.
func (t *mmsgTx) setSegment(i, size int) {
	c := (*unix.Cmsghdr)(unsafe.Pointer(&t.ctrl[i]))
	c.Level, c.Type = unix.IPPROTO_UDP, unix.UDP_SEGMENT
	c.SetLen(unix.CmsgLen(2))
	*(*uint16)(unsafe.Pointer(uintptr(unsafe.Pointer(c)) + uintptr(unix.CmsgLen(0)))) = uint16(size)
	h := &t.hdrs[i].hdr
	h.Control = (*byte)(unsafe.Pointer(c))
	h.SetControllen(unix.CmsgSpace(2))
}

// rawSockaddr writes sa into dst in the kernel's form; ok is false for a
// family the calls do not handle. inet is true for IPv4 and IPv6, the
// families segmentation offload applies to.
func rawSockaddr(sa Sockaddr, dst *unix.RawSockaddrAny) (n uint32, inet, ok bool) {
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		r := (*unix.RawSockaddrInet4)(unsafe.Pointer(dst))
		*r = unix.RawSockaddrInet4{Family: unix.AF_INET, Addr: sa.Addr}
		p := (*[2]byte)(unsafe.Pointer(&r.Port))
		p[0], p[1] = byte(sa.Port>>8), byte(sa.Port)
		return unix.SizeofSockaddrInet4, true, true
	case *unix.SockaddrInet6:
		r := (*unix.RawSockaddrInet6)(unsafe.Pointer(dst))
		*r = unix.RawSockaddrInet6{Family: unix.AF_INET6, Addr: sa.Addr, Scope_id: sa.ZoneId}
		p := (*[2]byte)(unsafe.Pointer(&r.Port))
		p[0], p[1] = byte(sa.Port>>8), byte(sa.Port)
		return unix.SizeofSockaddrInet6, true, true
	case *unix.SockaddrUnix:
		// As x/sys/unix builds it: the path and its NUL; an abstract name
		// ("@...") with a leading NUL and no trailing one.
		r := (*unix.RawSockaddrUnix)(unsafe.Pointer(dst))
		*r = unix.RawSockaddrUnix{Family: unix.AF_UNIX}
		name := sa.Name
		if len(name) > len(r.Path) || (len(name) == len(r.Path) && name[0] != '@') {
			return 0, false, false
		}
		for i := range len(name) {
			r.Path[i] = int8(name[i])
		}
		n := uint32(2)
		if len(name) > 0 {
			n += uint32(len(name)) + 1
		}
		if r.Path[0] == '@' || (r.Path[0] == 0 && n > 3) {
			r.Path[0] = 0
			n--
		}
		return n, false, true
	}
	return 0, false, false
}

// sendBatch sends a prefix of the datagrams in parts, each gathered from
// per consecutive parts (WriteBatch's are one part each), without waiting,
// and returns how many datagrams the kernel took. An error is the first
// unsent datagram's. A Core that batches sends them with sendmmsg, the
// others (uxd) one datagram per sendmsg, the system call count of sendto.
func (c *Core[D]) sendBatch(s *Sock, parts [][]byte, per int, to D) (int, error) {
	c.tx.mu.Lock()
	defer c.tx.mu.Unlock()
	t := c.batch.tx
	if t == nil {
		t = newMmsgTx()
		c.batch.tx = t
	}
	sa, err := c.tx.to(to)
	if err != nil {
		return 0, err
	}
	salen, inet, ok := rawSockaddr(sa, &t.sa)
	if !ok {
		return 0, errNoBatch
	}
	single := !c.batching()
	gso := inet && !single && !c.batch.gsoOff.Load()
	dgrams := len(parts) / per
	// size is datagram i's length.
	size := func(i int) int { return joinedLen(parts[i*per : (i+1)*per]) }
	nd, msgs := 0, 0 // datagrams and messages filled
	for nd < dgrams && (nd+1)*per <= txMaxBufs && msgs < batchMax && !(single && msgs == 1) {
		b := size(nd)
		if b > s.Max {
			break
		}
		// A message takes a run of datagrams of b's size, and may end
		// with a shorter one, as GSO cuts.
		run := 1
		if gso && b > 0 {
			limit := min(gsoMaxSegments, gsoMaxBytes/b, dgrams-nd, txMaxBufs/per-nd)
			for run < limit && size(nd+run) == b {
				run++
			}
			if run < limit {
				if n := size(nd + run); n > 0 && n < b {
					run++
				}
			}
		}
		iovs := t.iovs[nd*per : (nd+run)*per]
		h := &t.hdrs[msgs].hdr
		*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&t.sa)), Namelen: salen, Iov: &iovs[0]}
		h.SetIovlen(len(iovs))
		for j, d := range parts[nd*per : (nd+run)*per] {
			iov := &iovs[j]
			iov.Base = nil
			if len(d) > 0 {
				iov.Base = &d[0]
			}
			iov.SetLen(len(d))
		}
		if run > 1 {
			t.setSegment(msgs, b)
		}
		t.bufs[msgs] = run
		nd += run
		msgs++
	}
	if nd == 0 {
		if per > txMaxBufs {
			return 0, errNoBatch
		}
		return 0, errTooLarge
	}
	t.count, t.single = msgs, single
	cerr := s.RC.Control(t.fn)
	for i := range nd * per { // drop the references to the caller's buffers
		t.iovs[i].Base = nil
	}
	if cerr != nil {
		return 0, cerr
	}
	sent := 0
	for i := range t.sent {
		sent += t.bufs[i]
	}
	switch {
	case t.err == unix.ENOSYS:
		return 0, errNoBatch
	case gso && sent < nd && t.bufs[t.sent] > 1 && (t.err == unix.EIO || t.err == unix.EINVAL || t.err == unix.EOPNOTSUPP):
		// The device or kernel refuses segmentation: without it from now on.
		c.batch.gsoOff.Store(true)
		return sent, nil
	}
	return sent, t.err
}

// mmsgRx is recvmmsg's state over caller-provided buffers.
type mmsgRx struct {
	hdrs  [batchMax]mmsghdr
	iovs  [batchMax]unix.Iovec
	names [batchMax]unix.RawSockaddrAny
	count int
	got   int
	err   error
	fn    func(fd uintptr) bool // for RawConn.Read: false while nothing waits
	nb    func(fd uintptr)      // for RawConn.Control: never waits
	sas   sockaddrs
}

func newMmsgRx() *mmsgRx {
	r := &mmsgRx{}
	r.nb = func(fd uintptr) {
		for {
			n, _, e := unix.Syscall6(unix.SYS_RECVMMSG, fd, uintptr(unsafe.Pointer(&r.hdrs[0])), uintptr(r.count), unix.MSG_DONTWAIT, 0, 0)
			if e == unix.EINTR {
				continue
			}
			r.got, r.err = int(n), nil
			if e != 0 {
				r.got, r.err = 0, e
			}
			return
		}
	}
	r.fn = func(fd uintptr) bool {
		r.nb(fd)
		return r.err != unix.EAGAIN
	}
	return r
}

// arm points the first count headers at bufs.
func (r *mmsgRx) arm(bufs func(i int) []byte, count int) {
	r.count = count
	for i := range count {
		b := bufs(i)
		iov := &r.iovs[i]
		iov.Base = &b[0]
		iov.SetLen(len(b))
		h := &r.hdrs[i].hdr
		*h = unix.Msghdr{Name: (*byte)(unsafe.Pointer(&r.names[i])), Namelen: unix.SizeofSockaddrAny, Iov: iov}
		h.SetIovlen(1)
		r.hdrs[i].n = 0
	}
}

func (r *mmsgRx) disarm() {
	for i := range r.count {
		r.iovs[i].Base = nil
	}
}

// sockaddr returns message i's source in reused storage, nil for none.
func (r *mmsgRx) sockaddr(i int) Sockaddr {
	return r.sas.read(&r.names[i], r.hdrs[i].hdr.Namelen)
}

// truncated reports whether message i was cut or is over limit.
func (r *mmsgRx) truncated(i, limit int) bool {
	return r.hdrs[i].hdr.Flags&unix.MSG_TRUNC != 0 || int(r.hdrs[i].n) > limit
}

// readBatch waits for datagrams on s and reads what waits into msgs.
func (c *Core[D]) readBatch(s *Sock, msgs []transport.Message) (int, error) {
	c.batch.rxMu.Lock()
	defer c.batch.rxMu.Unlock()
	r := c.batch.rx
	if r == nil {
		r = newMmsgRx()
		c.batch.rx = r
	}
	limit := c.spec.MaxReceiveSize
	for {
		r.arm(func(i int) []byte { return msgs[i].Buf }, min(len(msgs), batchMax))
		err := s.RC.Read(r.fn)
		r.disarm()
		if err == nil {
			err = r.err
		}
		if err != nil {
			if err == unix.ENOSYS {
				return 0, errNoBatch
			}
			if err = Cause(err); c.dropped(err) {
				continue
			}
			return 0, c.opError("read", nil, err)
		}
		n := 0
		for i := range r.got {
			if r.truncated(i, limit) {
				continue
			}
			m := &msgs[n]
			if n != i { // close the gap a dropped datagram left
				msgs[n].Buf, msgs[i].Buf = msgs[i].Buf, msgs[n].Buf
			}
			m.N = int(r.hdrs[i].n)
			m.Addr = c.source(&c.batch.last, r.sockaddr(i))
			c.spec.WireLog.Rx(m.Addr, m.Buf[:m.N])
			n++
		}
		if n > 0 {
			return n, nil
		}
	}
}

// prefetch holds what one recvmmsg took for Receive, handed out one at a
// time.
type prefetch struct {
	r     *mmsgRx
	bufs  [prefetchCount][]byte
	n     []int
	srcs  [prefetchCount]net.Addr
	count int // datagrams held
	next  int // the next one to hand out
}

// receiveBatched is Receive through recvmmsg: ok is false when batching
// is off, and Receive reads one datagram itself. c.rxMu is held.
func (c *Core[D]) receiveBatched(s *Sock) (data []byte, src net.Addr, ok bool, err error) {
	if !c.batching() {
		return nil, nil, false, nil
	}
	p := c.batch.pre
	if p == nil {
		p = &prefetch{r: newMmsgRx(), n: make([]int, prefetchCount)}
		for i := range p.bufs {
			p.bufs[i] = make([]byte, c.spec.MaxReceiveSize+1)
		}
		c.batch.pre = p
	}
	for p.next >= p.count {
		p.count, p.next = 0, 0
		clear(p.srcs[:])
		p.r.arm(func(i int) []byte { return p.bufs[i] }, prefetchCount)
		cerr := s.RC.Control(p.r.nb)
		p.r.disarm()
		if cerr == nil {
			cerr = p.r.err
		}
		switch {
		case cerr == unix.EAGAIN:
			return nil, nil, true, c.rxBlock
		case cerr == unix.ENOSYS:
			c.batch.broken.Store(true)
			return nil, nil, false, nil
		case cerr != nil && c.dropped(Cause(cerr)):
			continue
		case cerr != nil:
			return nil, nil, true, c.opError("read", nil, Cause(cerr))
		}
		for i := range p.r.got {
			if p.r.truncated(i, c.spec.MaxReceiveSize) {
				continue
			}
			j := p.count
			p.bufs[i], p.bufs[j] = p.bufs[j], p.bufs[i]
			p.n[j] = int(p.r.hdrs[i].n)
			p.srcs[j] = c.source(&c.batch.last, p.r.sockaddr(i))
			p.count++
		}
	}
	data, src, _ = c.popPrefetched()
	return data, src, true, nil
}

// popPrefetched hands out the next datagram Receive's recvmmsg took, valid
// until the next refill; ok is false when none is left. c.rxMu is held.
func (c *Core[D]) popPrefetched() (data []byte, src net.Addr, ok bool) {
	p := c.batch.pre
	if p == nil || p.next >= p.count {
		return nil, nil, false
	}
	i := p.next
	p.next++
	data, src = p.bufs[i][:p.n[i]], p.srcs[i]
	c.spec.WireLog.Rx(src, data)
	return data, src, true
}

// takePrefetched hands ReadFrom and ReadBatch a datagram that Receive took
// from the kernel but has not returned yet, so that mixing the calls loses
// nothing and keeps the order.
func (c *Core[D]) takePrefetched(b []byte) (n int, src net.Addr, ok bool, err error) {
	c.rxMu.Lock()
	defer c.rxMu.Unlock()
	data, src, ok := c.popPrefetched()
	if !ok {
		return 0, nil, false, nil
	}
	n, src, err = c.scatterOut([][]byte{b}, data, src)
	return n, src, true, err
}
