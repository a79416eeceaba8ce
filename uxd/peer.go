package uxd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/internal/filer"
	"github.com/memogram/memogram/transport"
)

// Peer is one unix datagram socket bound to a filesystem path. It is a
// net.PacketConn (blocking ReadFrom and WriteTo with deadlines) and a
// transport.Peer (non-blocking Receive and Send). All methods are safe for
// concurrent use and keep working across Reopen.
type Peer struct {
	set      settings
	path     string // where the socket is bound
	root     string // temporary root directory, "" when not temporary
	rootMade bool   // root exists and is ours to remove

	mu  sync.Mutex // serializes open, close and deadline changes
	cur atomic.Pointer[sock]
	max atomic.Int64 // MaxDatagramSize of the latest socket

	// Deadlines in Unix nanoseconds, 0 for none. They outlive the socket
	// so that Reopen keeps them.
	rdl, wdl atomic.Int64

	wmu sync.Mutex // one WriteTo at a time waits for writability

	tx   *dgram.Sender[string]
	rxMu sync.Mutex // guards rx, whose buffer Receive's result points into
	rx   *dgram.Receiver
	bufs sync.Pool // *[]byte of MaxReceiveSize+1 for ReadFrom
}

// sock is one open socket; Reopen replaces it.
type sock struct {
	conn *net.UnixConn
	rc   syscall.RawConn
	max  int
	id   fileID // identity of the socket file, so Close removes only ours
}

var (
	_ net.PacketConn = (*Peer)(nil)
	_ transport.Peer = (*Peer)(nil)
)

// Open creates the socket's directories if needed, removes a stale socket
// file at the path, binds and configures the socket. A live socket at the
// path gives an error matching transport.ErrAddrInUse. On Windows it
// returns an error matching transport.ErrUnsupported.
func Open(cfg Config) (*Peer, error) {
	if err := supported(); err != nil {
		return nil, err
	}
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	p := &Peer{set: s, tx: dgram.NewSender(sockaddrs())}
	p.bufs.New = func() any { b := make([]byte, MaxReceiveSize+1); return &b }
	if err := p.place(); err != nil {
		p.removeRoot()
		return nil, err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.open(); err != nil {
		p.removeRoot()
		return nil, err
	}
	return p, nil
}

// place decides the socket path once, so that Reopen binds the same one.
func (p *Peer) place() error {
	c := p.set
	var err error
	switch {
	case c.Path != "":
		p.path = c.Path
	case c.Temporary:
		if p.root, err = filer.UXD.MakeTempRoot(); err != nil {
			return fmt.Errorf("uxd: %w", err)
		}
		p.rootMade = true
		p.path, err = filer.UXD.TempPath(p.root, c.Base, c.Name, c.Clean)
	default:
		p.path, err = filer.UXD.MakePersistent(c.HeadDir, c.Base, c.Name, c.Clean, c.dirPerm)
	}
	if err != nil {
		return fmt.Errorf("uxd: %w", err)
	}
	// The kernel needs a terminating zero inside sun_path (U5).
	if len(p.path) > PathMax {
		return opError("open", p.path, fmt.Errorf("%w: %d bytes, the limit is %d",
			ErrPathTooLong, len(p.path), PathMax))
	}
	return nil
}

// open binds a new socket at p.path; p.mu is held.
func (p *Peer) open() error {
	if p.root != "" && !p.rootMade {
		if err := filer.RemakeTempRoot(p.root); err != nil {
			return opError("open", p.path, err)
		}
		p.rootMade = true
	}
	if err := filer.MakeDirs(filepath.Dir(p.path), p.set.dirPerm); err != nil {
		return opError("open", p.path, err)
	}
	if err := removeStale(p.path); err != nil {
		return opError("open", p.path, err)
	}
	s, err := listen(p.path, p.set)
	if err != nil {
		if errors.Is(err, syscall.EADDRINUSE) {
			err = dgram.Kind(transport.ErrAddrInUse, dgram.Cause(err))
		}
		return opError("bind", p.path, dgram.Cause(err))
	}
	if m := p.set.MaxDatagramSize; m > 0 && m < s.max {
		s.max = m
	}
	if dl := p.rdl.Load(); dl != 0 {
		_ = s.conn.SetReadDeadline(time.Unix(0, dl))
	}
	p.max.Store(int64(s.max))
	p.cur.Store(s)
	return nil
}

// shut closes the current socket and removes its file; p.mu is held.
func (p *Peer) shut() error {
	s := p.cur.Swap(nil)
	if s == nil {
		return nil
	}
	err := s.conn.Close()
	if rerr := removeSocket(p.path, s.id); err == nil {
		err = rerr
	}
	if err != nil {
		return opError("close", p.path, dgram.Cause(err))
	}
	return nil
}

func (p *Peer) removeRoot() error {
	if !p.rootMade {
		return nil
	}
	p.rootMade = false
	if err := os.RemoveAll(p.root); err != nil {
		return opError("close", p.path, err)
	}
	return nil
}

// Reopen closes the socket if open and binds a new one at the same path.
// A temporary peer keeps its directory, so its address does not change
// (HIO-DEFECTS U7); after Close the directory is made again.
func (p *Peer) Reopen() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.shut(); err != nil {
		return err
	}
	return p.open()
}

// Close closes the socket, removes its file and, for a temporary peer, the
// whole temporary directory it created (U3). Persistent directories stay.
// Closing a closed peer does nothing and returns nil.
func (p *Peer) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	err := p.shut()
	if rerr := p.removeRoot(); err == nil {
		err = rerr
	}
	return err
}

// Opened reports whether the socket is open.
func (p *Peer) Opened() bool { return p.cur.Load() != nil }

// LocalAddr returns the socket path, also while closed.
func (p *Peer) LocalAddr() net.Addr { return &net.UnixAddr{Name: p.path, Net: "unixgram"} }

// BufCount is hio's bc: the buffer count, 0 when BufSize was given instead.
func (p *Peer) BufCount() int { return p.set.bc }

// BufSize is hio's bs: the size SO_SNDBUF and SO_RCVBUF are raised to.
func (p *Peer) BufSize() int { return p.set.bs }

// ActualBufSizes returns the kernel's SO_SNDBUF and SO_RCVBUF (Linux
// reports twice the requested value), or (0, 0) when closed.
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

// MaxDatagramSize is the largest datagram Send and WriteTo take: the
// platform's limit for one unix datagram, at most 65535 (hio's gram size),
// lowered to Config.MaxDatagramSize if that is smaller. Receiving accepts up
// to MaxReceiveSize regardless.
func (p *Peer) MaxDatagramSize() int { return int(p.max.Load()) }

// Receive returns one waiting datagram and its source without blocking, or
// transport.ErrWouldBlock when none waits. The source is nil when the sender
// is not bound to a path. Datagrams longer than MaxReceiveSize are dropped.
// The data is valid until the next Receive.
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
		case errors.Is(err, syscall.EAGAIN):
			return nil, nil, transport.ErrWouldBlock
		case err != nil:
			return nil, nil, opError("receive on", p.path, dgram.Cause(err))
		case len(data) > MaxReceiveSize: // truncated (U8)
			continue
		}
		src := source(sa)
		p.set.WireLog.Rx(src, data)
		return data, src, nil
	}
}

// Send transmits data to dst (a *net.UnixAddr) whole or not at all, without
// blocking. A full receive queue or send buffer (EAGAIN, ENOBUFS, ENOMEM)
// gives transport.ErrWouldBlock itself; a path with no socket or nobody bound gives one
// matching transport.ErrNoDestination and the errno.
func (p *Peer) Send(data []byte, dst net.Addr) (int, error) {
	name, err := destination("send to", dst)
	if err != nil {
		return 0, err
	}
	s := p.cur.Load()
	if s == nil {
		return 0, p.closedError("send to")
	}
	if len(data) > s.max {
		return 0, tooLarge("send to", name, len(data), s.max)
	}
	if err := p.tx.Send(s.rc, data, name); err != nil {
		if dgram.WouldBlock(err) {
			return 0, transport.ErrWouldBlock // a state, not a failure: no allocation
		}
		return 0, sendError("send to", name, len(data), s.max, err)
	}
	p.set.WireLog.Tx(dst, data)
	return len(data), nil
}

// ReadFrom blocks until a datagram arrives, the read deadline passes or the
// peer closes. A datagram longer than b is cut to len(b) and reported with
// a *transport.DatagramTooLargeError. The source is nil for an unbound
// sender.
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
		n, from, err := s.conn.ReadFromUnix(buf[:MaxReceiveSize+1])
		if err != nil {
			return 0, nil, opError("read on", p.path, dgram.Cause(err))
		}
		if n > MaxReceiveSize { // truncated (U8)
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
			return m, src, opError("read on", p.path,
				&transport.DatagramTooLargeError{Size: n, Max: len(b)})
		}
		return n, src, nil
	}
}

// WriteTo sends b to addr, waiting while the destination's queue or the
// send buffer is full, until the write deadline passes or the peer closes.
func (p *Peer) WriteTo(b []byte, addr net.Addr) (int, error) {
	name, err := destination("write to", addr)
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
			return 0, opError("write to", name, os.ErrDeadlineExceeded)
		}
		if len(b) > s.max {
			return 0, tooLarge("write to", name, len(b), s.max)
		}
		err := p.tx.Send(s.rc, b, name)
		if err == nil {
			p.set.WireLog.Tx(addr, b)
			return len(b), nil
		}
		if dgram.WouldBlock(err) {
			err = p.waitWritable(s, tick)
			tick = min(2*tick, maxTick)
		}
		if err == nil {
			continue
		}
		if errors.Is(err, net.ErrClosed) && p.replaced(s) {
			continue
		}
		return 0, sendError("write to", name, len(b), s.max, err)
	}
}

// Polling bounds for waitWritable.
const (
	minTick = time.Millisecond
	maxTick = 50 * time.Millisecond
)

// waitWritable waits until s signals writability, at most tick, or until
// the write deadline passes (error). The bound matters: Linux wakes a
// sender whose datagram met a full unix receive queue only when one of its
// own queued datagrams is consumed (unix_dgram_sendmsg registers no peer
// wakeup for unconnected sockets), so a queue filled by other senders would
// never wake it, and ENOBUFS has no wakeup at all.
func (p *Peer) waitWritable(s *sock, tick time.Duration) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	until := time.Now().Add(tick)
	if dl := p.wdl.Load(); dl != 0 && dl < until.UnixNano() {
		until = time.Unix(0, dl)
	}
	// Only this method uses the socket's write deadline: Send and the
	// first attempt of WriteTo bypass it.
	if err := s.conn.SetWriteDeadline(until); err != nil {
		return err
	}
	first := true
	err := s.rc.Write(func(uintptr) bool {
		if first { // wait once for the poller's writability edge
			first = false
			return false
		}
		return true
	})
	if errors.Is(err, os.ErrDeadlineExceeded) {
		if dl := p.wdl.Load(); dl == 0 || time.Now().UnixNano() < dl {
			return nil // our tick, not the caller's deadline
		}
	}
	return err
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
		// Wake a waiting WriteTo so that it applies the new deadline.
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
	return opError(op, p.path, net.ErrClosed)
}

var errNoAddr = errors.New("not a unix socket address")

// destination returns the socket path of a *net.UnixAddr, or of another
// net.Addr of network "unixgram" or "unix".
func destination(op string, a net.Addr) (string, error) {
	switch a := a.(type) {
	case *net.UnixAddr:
		if a != nil && a.Name != "" {
			return a.Name, nil
		}
	case nil:
	default:
		if n := a.Network(); (n == "unixgram" || n == "unix") && a.String() != "" {
			return a.String(), nil
		}
	}
	return "", opError(op, transport.Who(a), errNoAddr)
}
