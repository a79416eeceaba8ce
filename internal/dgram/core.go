package dgram

import (
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/memogram/memogram/transport"
)

// Conn is what Core uses of a bound socket; *net.UnixConn and *net.UDPConn
// have it.
type Conn interface {
	ReadFrom(b []byte) (int, net.Addr, error)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	SyscallConn() (syscall.RawConn, error)
	Close() error
}

// Sock is one open socket; Reopen replaces it.
type Sock struct {
	Conn Conn
	RC   syscall.RawConn
	Max  int // the largest datagram Send and WriteTo take

	done chan struct{} // closed when the socket closes (Windows' waitWritable)
}

// NewSock readies conn for Core: its raw connection, switched to
// non-blocking mode where Go does not already use it (Windows). The caller
// sets Max.
func NewSock(conn Conn) (*Sock, error) {
	rc, err := conn.SyscallConn()
	if err != nil {
		return nil, err
	}
	if err := setNonblock(rc); err != nil {
		return nil, err
	}
	return &Sock{Conn: conn, RC: rc, done: make(chan struct{})}, nil
}

// Spec is what a transport tells Core: how uxd and udp differ once a
// socket is bound. D is the transport's resolved destination.
type Spec[D any] struct {
	Net            string          // the network errors name: "unixgram", "udp4" or "udp6"
	MaxReceiveSize int             // the longest datagram received; longer ones are dropped whole
	Local          func() net.Addr // the local address, the Source of every error

	// Sockaddr returns a destination's sockaddr. Core calls it with a
	// mutex held and is done with the result before the next call, so it
	// may fill one sockaddr it keeps and return that: building one per
	// datagram would allocate.
	Sockaddr func(D) (Sockaddr, error)
	// Source returns a datagram's source, nil (untyped) for none.
	Source func(Sockaddr) net.Addr
	// Dropped reports receive errors to skip like a truncated datagram;
	// it may be nil.
	Dropped func(error) bool
	// NoDestination reports send errors that mean nobody is at the
	// destination.
	NoDestination func(error) bool
	// SameSource, when set, reports whether a Source result still names
	// a sockaddr, so that datagrams from one source share one net.Addr
	// (batch.go): reading then allocates nothing. Setting it also opts
	// into batched system calls (sendmmsg, recvmmsg on Linux), which
	// handle inet sockaddrs only.
	SameSource func(net.Addr, Sockaddr) bool

	WireLog *transport.WireLog
}

// Core is the part of a Peer that uxd and udp share: the current socket,
// which Reopen replaces while the Peer's methods keep working, the
// deadlines, which outlive the socket, and the Peer's datagram methods on
// top. The transport binds sockets and cleans up after them; Core does the
// rest. Its zero value behaves as a closed peer.
type Core[D any] struct {
	spec Spec[D]

	// Would-block errors of Receive and Send, made once at the first
	// Install so that polling allocates nothing. Send's names no
	// destination.
	rxBlock, txBlock error

	mu  sync.Mutex // serializes open, close and deadline changes
	cur atomic.Pointer[Sock]
	max atomic.Int64 // Max of the latest socket

	// Deadlines in Unix nanoseconds, 0 for none. They outlive the socket
	// so that Reopen keeps them.
	rdl, wdl atomic.Int64

	wmu sync.Mutex // one WriteTo at a time waits for writability

	tx   *sender[D]
	rxMu sync.Mutex // guards rx, whose buffer Receive's result points into
	rx   *receiver
	bufs sync.Pool // *[]byte of MaxReceiveSize+1 for ReadFrom

	batch batchState // batched system calls (batch.go)
}

// Init sets c up for the transport spec describes, before first use.
func (c *Core[D]) Init(spec Spec[D]) {
	c.spec = spec
	c.tx = newSender(spec.Sockaddr)
	c.bufs.New = func() any { b := make([]byte, spec.MaxReceiveSize+1); return &b }
}

// Lock and Unlock serialize opening and closing with Core's own changes;
// Install and Shut need the lock held.
func (c *Core[D]) Lock()   { c.mu.Lock() }
func (c *Core[D]) Unlock() { c.mu.Unlock() }

// Install makes s the current socket and gives it the read deadline that
// outlived the previous one.
func (c *Core[D]) Install(s *Sock) {
	if c.rxBlock == nil {
		c.rxBlock = c.opError("read", nil, transport.ErrWouldBlock)
		c.txBlock = c.opError("write", nil, transport.ErrWouldBlock)
	}
	if dl := c.rdl.Load(); dl != 0 {
		_ = s.Conn.SetReadDeadline(time.Unix(0, dl))
	}
	c.max.Store(int64(s.Max))
	c.cur.Store(s)
}

// Shut closes the current socket and returns it, for the transport to
// clean up after, with the error of closing it; nil and nil when closed.
func (c *Core[D]) Shut() (*Sock, error) {
	s := c.cur.Swap(nil)
	if s == nil {
		return nil, nil
	}
	close(s.done)
	return s, s.Conn.Close()
}

// current returns the socket to use for a call. A Reopen in progress holds
// mu between closing the old socket and installing the new one, so a nil
// socket is read again under mu: a call made in that window waits for the
// Reopen instead of failing with net.ErrClosed.
func (c *Core[D]) current() *Sock {
	if s := c.cur.Load(); s != nil {
		return s
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.cur.Load()
}

// Load returns the current socket, nil when closed.
func (c *Core[D]) Load() *Sock { return c.cur.Load() }

// Opened reports whether a socket is open.
func (c *Core[D]) Opened() bool { return c.cur.Load() != nil }

// MaxDatagramSize is the latest socket's Max, also while closed.
func (c *Core[D]) MaxDatagramSize() int { return int(c.max.Load()) }

// ActualBufSizes returns the kernel's SO_SNDBUF and SO_RCVBUF, or (0, 0)
// when closed.
func (c *Core[D]) ActualBufSizes() (snd, rcv int) {
	s := c.cur.Load()
	if s == nil {
		return 0, 0
	}
	snd, rcv, err := SockBufs(s.RC)
	if err != nil {
		return 0, 0
	}
	return snd, rcv
}

// KernelDrops returns the datagrams the kernel dropped at the current
// socket because its receive buffer was full; ok is false where the
// platform does not count them (all but Linux) or the peer is closed.
func (c *Core[D]) KernelDrops() (n uint64, ok bool) {
	s := c.cur.Load()
	if s == nil {
		return 0, false
	}
	return kernelDrops(s.RC)
}

// replaced reports whether Reopen swapped s for a new socket, after waiting
// for a Reopen in progress: a blocked call that failed because s closed
// then goes on with the new one.
func (c *Core[D]) replaced(s *Sock) bool {
	c.mu.Lock()
	cur := c.cur.Load()
	c.mu.Unlock()
	return cur != nil && cur != s
}

// opError wraps err as the net package does: Op "read" or "write", the
// transport's network, the local address as Source and dst, the caller's
// destination (nil for none), as Addr.
func (c *Core[D]) opError(op string, dst net.Addr, err error) error {
	return OpError(op, c.spec.Net, c.local(), dst, err)
}

func (c *Core[D]) closedError(op string, dst net.Addr) error {
	return c.opError(op, dst, net.ErrClosed)
}

func (c *Core[D]) local() net.Addr {
	if c.spec.Local == nil { // a zero Core
		return nil
	}
	return c.spec.Local()
}
