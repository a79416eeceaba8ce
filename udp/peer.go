package udp

import (
	"context"
	"errors"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
)

// Peer is one UDP socket. It is a net.PacketConn (blocking ReadFrom and
// WriteTo with deadlines) and a transport.Peer (non-blocking Receive and
// Send). All methods are safe for concurrent use and keep working across
// Reopen.
type Peer struct {
	set  settings
	addr atomic.Pointer[net.UDPAddr] // bound address; the port is fixed at the first open

	mu  sync.Mutex // serializes open, close and deadline changes
	cur atomic.Pointer[sock]

	// Deadlines in Unix nanoseconds, 0 for none. They outlive the socket
	// so that Reopen keeps them.
	rdl, wdl atomic.Int64

	wmu sync.Mutex // one WriteTo at a time waits for writability

	tx   *dgram.Sender[*net.UDPAddr]
	rxMu sync.Mutex // guards rx, whose buffer Receive's result points into
	rx   *dgram.Receiver
	bufs sync.Pool // *[]byte of MaxReceiveSize+1 for ReadFrom
}

// sock is one open socket; Reopen replaces it.
type sock struct {
	conn *net.UDPConn
	rc   syscall.RawConn
	done chan struct{} // closed when the socket closes
}

var (
	_ net.PacketConn = (*Peer)(nil)
	_ transport.Peer = (*Peer)(nil)
)

// Open binds and configures a UDP socket at cfg.Addr. An address taken by
// another socket gives an error matching transport.ErrAddrInUse.
func Open(cfg Config) (*Peer, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	p := &Peer{set: s, tx: dgram.NewSender(sockaddrs(s.network))}
	p.addr.Store(s.addr)
	p.bufs.New = func() any { b := make([]byte, MaxReceiveSize+1); return &b }
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.open(); err != nil {
		return nil, err
	}
	return p, nil
}

// open binds a new socket at p.addr; p.mu is held.
func (p *Peer) open() error {
	addr := p.addr.Load()
	lc := net.ListenConfig{Control: dgram.Control(func(fd uintptr) error { return prepare(fd, p.set) })}
	pc, err := lc.ListenPacket(context.Background(), p.set.network, addr.String())
	if err != nil {
		err = dgram.Cause(err)
		if dgram.AddrInUse(err) {
			err = dgram.Kind(transport.ErrAddrInUse, err)
		}
		return opError("bind", addr.String(), err)
	}
	conn := pc.(*net.UDPConn)
	rc, err := conn.SyscallConn()
	if err == nil {
		err = dgram.SetNonblock(rc)
	}
	if err != nil {
		conn.Close()
		return opError("open", addr.String(), err)
	}
	p.addr.Store(conn.LocalAddr().(*net.UDPAddr))
	if dl := p.rdl.Load(); dl != 0 {
		_ = conn.SetReadDeadline(time.Unix(0, dl))
	}
	p.cur.Store(&sock{conn: conn, rc: rc, done: make(chan struct{})})
	return nil
}

// shut closes the current socket; p.mu is held.
func (p *Peer) shut() error {
	s := p.cur.Swap(nil)
	if s == nil {
		return nil
	}
	close(s.done)
	if err := s.conn.Close(); err != nil {
		return opError("close", p.addr.Load().String(), dgram.Cause(err))
	}
	return nil
}

// Reopen closes the socket if open and binds a new one at the same address,
// including a port the first open picked.
func (p *Peer) Reopen() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.shut(); err != nil {
		return err
	}
	return p.open()
}

// Close closes the socket. Closing a closed peer does nothing and returns
// nil.
func (p *Peer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.shut()
}

// Opened reports whether the socket is open.
func (p *Peer) Opened() bool { return p.cur.Load() != nil }

// LocalAddr returns the bound address (a *net.UDPAddr), also while closed.
func (p *Peer) LocalAddr() net.Addr {
	a := *p.addr.Load()
	return &a
}

// BufCount is hio's bc: the buffer count, 0 when BufSize was given instead.
func (p *Peer) BufCount() int { return p.set.bc }

// BufSize is hio's bs: the size SO_SNDBUF and SO_RCVBUF are raised to.
func (p *Peer) BufSize() int { return p.set.bs }

// ActualBufSizes returns the kernel's SO_SNDBUF and SO_RCVBUF (Linux caps
// them at net.core.wmem_max and rmem_max and reports twice the value set),
// or (0, 0) when closed.
func (p *Peer) ActualBufSizes() (snd, rcv int) {
	s := p.cur.Load()
	if s == nil {
		return 0, 0
	}
	snd, rcv, err := dgram.SockBufs(s.rc)
	if err != nil {
		return 0, 0
	}
	return snd, rcv
}

// MaxDatagramSize is the largest datagram Send and WriteTo take
// (Config.MaxDatagramSize, default 1240). Receiving accepts up to
// MaxReceiveSize regardless.
func (p *Peer) MaxDatagramSize() int { return p.set.max }

// Receive returns one waiting datagram and its source without blocking, or
// transport.ErrWouldBlock when none waits. Errors that only report an
// earlier datagram's fate (an ICMP port unreachable surfacing as a
// connection reset on Windows, HIO-DEFECTS R5) are skipped. The data is
// valid until the next Receive.
func (p *Peer) Receive() ([]byte, net.Addr, error) {
	s := p.cur.Load()
	if s == nil {
		return nil, nil, p.closedError("receive on")
	}
	p.rxMu.Lock()
	defer p.rxMu.Unlock()
	if p.rx == nil {
		p.rx = dgram.NewReceiver(MaxReceiveSize + 1)
	}
	for {
		data, sa, err := p.rx.Receive(s.rc)
		switch {
		case err == errAgain:
			return nil, nil, transport.ErrWouldBlock
		case err != nil && (transient(err) || dgram.TooBig(err)):
			continue
		case err != nil:
			return nil, nil, opError("receive on", p.addr.Load().String(), dgram.Cause(err))
		case len(data) > MaxReceiveSize:
			continue
		}
		src := source(sa)
		p.set.WireLog.Rx(src, data)
		return data, src, nil
	}
}

// Send transmits data to dst (a *net.UDPAddr) whole or not at all, without
// blocking. A full send buffer gives transport.ErrWouldBlock itself.
func (p *Peer) Send(data []byte, dst net.Addr) (int, error) {
	to, err := destination("send to", dst)
	if err != nil {
		return 0, err
	}
	s := p.cur.Load()
	if s == nil {
		return 0, p.closedError("send to")
	}
	if len(data) > p.set.max {
		return 0, tooLarge("send to", to.String(), len(data), p.set.max)
	}
	if err := p.tx.Send(s.rc, data, to); err != nil {
		if dgram.WouldBlock(err) {
			return 0, transport.ErrWouldBlock // a state, not a failure: no allocation
		}
		return 0, sendError("send to", to.String(), len(data), p.set.max, err)
	}
	p.set.WireLog.Tx(dst, data)
	return len(data), nil
}

// ReadFrom blocks until a datagram arrives, the read deadline passes or the
// peer closes. A datagram longer than b is cut to len(b) and reported with
// a *transport.DatagramTooLargeError.
func (p *Peer) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		s := p.cur.Load()
		if s == nil {
			return 0, nil, p.closedError("read on")
		}
		n, src, err := p.readFrom(s, b)
		if err != nil && errors.Is(err, net.ErrClosed) && p.replaced(s) {
			continue
		}
		return n, src, err
	}
}

func (p *Peer) readFrom(s *sock, b []byte) (int, net.Addr, error) {
	buf := b
	direct := len(b) > MaxReceiveSize
	if !direct {
		bp := p.bufs.Get().(*[]byte)
		defer p.bufs.Put(bp)
		buf = *bp
	}
	for {
		n, from, err := s.conn.ReadFromUDP(buf[:MaxReceiveSize+1])
		if err != nil {
			if err = dgram.Cause(err); transient(err) || dgram.TooBig(err) {
				continue
			}
			return 0, nil, opError("read on", p.addr.Load().String(), err)
		}
		if n > MaxReceiveSize {
			continue
		}
		var src net.Addr
		if from != nil {
			src = from
		}
		p.set.WireLog.Rx(src, buf[:n])
		if direct {
			return n, src, nil
		}
		if m := copy(b, buf[:n]); m < n {
			return m, src, opError("read on", p.addr.Load().String(),
				&transport.DatagramTooLargeError{Size: n, Max: len(b)})
		}
		return n, src, nil
	}
}

// WriteTo sends b to addr, waiting while the send buffer is full, until the
// write deadline passes or the peer closes.
func (p *Peer) WriteTo(b []byte, addr net.Addr) (int, error) {
	to, err := destination("write to", addr)
	if err != nil {
		return 0, err
	}
	tick := minTick
	for {
		s := p.cur.Load()
		if s == nil {
			return 0, p.closedError("write to")
		}
		if dl := p.wdl.Load(); dl != 0 && time.Now().UnixNano() >= dl {
			return 0, opError("write to", to.String(), os.ErrDeadlineExceeded)
		}
		if len(b) > p.set.max {
			return 0, tooLarge("write to", to.String(), len(b), p.set.max)
		}
		err := p.tx.Send(s.rc, b, to)
		if err == nil {
			p.set.WireLog.Tx(addr, b)
			return len(b), nil
		}
		if dgram.WouldBlock(err) {
			p.wmu.Lock()
			err = waitWritable(s, p.waitUntil(tick))
			p.wmu.Unlock()
			tick = min(2*tick, maxTick)
			if errors.Is(err, os.ErrDeadlineExceeded) && !p.writeDeadlinePassed() {
				err = nil // our tick, not the caller's deadline
			}
		}
		if err == nil {
			continue
		}
		if errors.Is(err, net.ErrClosed) && p.replaced(s) {
			continue
		}
		return 0, sendError("write to", to.String(), len(b), p.set.max, err)
	}
}

// Polling bounds for waitWritable: a full send buffer or ENOBUFS does not
// always come with a writability event (and on Windows Go has none).
const (
	minTick = time.Millisecond
	maxTick = 50 * time.Millisecond
)

func (p *Peer) waitUntil(tick time.Duration) time.Time {
	until := time.Now().Add(tick)
	if dl := p.wdl.Load(); dl != 0 && dl < until.UnixNano() {
		until = time.Unix(0, dl)
	}
	return until
}

func (p *Peer) writeDeadlinePassed() bool {
	dl := p.wdl.Load()
	return dl != 0 && time.Now().UnixNano() >= dl
}

// replaced reports whether Reopen swapped s for a new socket, after waiting
// for a Reopen in progress.
func (p *Peer) replaced(s *sock) bool {
	p.mu.Lock()
	c := p.cur.Load()
	p.mu.Unlock()
	return c != nil && c != s
}

// SetDeadline sets the read and write deadlines.
func (p *Peer) SetDeadline(t time.Time) error {
	if err := p.SetReadDeadline(t); err != nil {
		return err
	}
	return p.SetWriteDeadline(t)
}

// SetReadDeadline sets the deadline of ReadFrom; Receive ignores it.
func (p *Peer) SetReadDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.rdl.Store(unixNano(t))
	if s := p.cur.Load(); s != nil {
		return s.conn.SetReadDeadline(t)
	}
	return nil
}

// SetWriteDeadline sets the deadline of WriteTo; Send ignores it.
func (p *Peer) SetWriteDeadline(t time.Time) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.wdl.Store(unixNano(t))
	if s := p.cur.Load(); s != nil {
		// Only waitWritable uses the socket's write deadline; wake it so
		// that it applies the new one.
		return s.conn.SetWriteDeadline(time.Now())
	}
	return nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return max(t.UnixNano(), 1)
}

func (p *Peer) closedError(op string) error {
	return opError(op, p.addr.Load().String(), net.ErrClosed)
}

var errNoAddr = errors.New("not a UDP address")

// destination returns dst as a *net.UDPAddr; other net.Addr types of
// network "udp", "udp4" or "udp6" are parsed from their String.
func destination(op string, dst net.Addr) (*net.UDPAddr, error) {
	switch a := dst.(type) {
	case *net.UDPAddr:
		if a != nil {
			return a, nil
		}
	case nil:
	default:
		switch a.Network() {
		case "udp", "udp4", "udp6":
			if ap, err := net.ResolveUDPAddr(a.Network(), a.String()); err == nil {
				return ap, nil
			}
		}
	}
	return nil, opError(op, transport.Who(dst), errNoAddr)
}

// prepare runs before bind: raise the buffers as hio does and set
// SO_BROADCAST as configured (Go sets it on every UDP socket).
func prepare(fd uintptr, set settings) error {
	if err := dgram.RaiseBuffers(fd, set.bs); err != nil {
		return err
	}
	b := 0
	if set.Broadcast {
		b = 1
	}
	return dgram.SetSockopt(fd, syscall.SO_BROADCAST, b)
}
