package udp

import (
	"context"
	"errors"
	"net"
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

	// core holds the socket and does the sending and receiving; its lock
	// serializes open and close.
	core dgram.Core[*net.UDPAddr]
}

var (
	_ net.PacketConn             = (*Peer)(nil)
	_ transport.Peer             = (*Peer)(nil)
	_ transport.MaxDatagramSizer = (*Peer)(nil)
)

// Open binds and configures a UDP socket at cfg.Addr. An address taken by
// another socket gives an error matching transport.ErrAddrInUse.
func Open(cfg Config) (*Peer, error) {
	s, err := cfg.settings()
	if err != nil {
		return nil, err
	}
	p := &Peer{set: s}
	p.addr.Store(s.addr)
	p.core.Init(dgram.Spec[*net.UDPAddr]{
		Net:            s.network,
		MaxReceiveSize: MaxReceiveSize,
		Local:          p.LocalAddr,
		Sockaddr:       sockaddrs(s.network),
		Source:         source,
		Dropped:        dropped,
		NoDestination:  noDestination,
		SameSource:     sameSource,
		WireLog:        s.WireLog,
	})
	p.core.Lock()
	defer p.core.Unlock()
	if err := p.open(); err != nil {
		return nil, err
	}
	return p, nil
}

// open binds a new socket at p.addr; the core's lock is held.
func (p *Peer) open() error {
	addr := p.addr.Load()
	lc := net.ListenConfig{Control: dgram.Control(func(fd uintptr) error { return prepare(fd, p.set) })}
	pc, err := lc.ListenPacket(context.Background(), p.set.network, addr.String())
	if err != nil {
		err = dgram.Cause(err)
		if dgram.AddrInUse(err) {
			err = dgram.Kind(transport.ErrAddrInUse, err)
		}
		return p.listenError(err)
	}
	conn := pc.(*net.UDPConn)
	s, err := dgram.NewSock(conn)
	if err != nil {
		conn.Close()
		return p.listenError(dgram.Cause(err))
	}
	s.Max = p.set.max
	p.addr.Store(conn.LocalAddr().(*net.UDPAddr))
	p.core.Install(s)
	return nil
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

// shut closes the current socket; the core's lock is held.
func (p *Peer) shut() error {
	if _, err := p.core.Shut(); err != nil {
		return p.opError("close", nil, dgram.Cause(err))
	}
	return nil
}

// Reopen closes the socket if open and binds a new one at the same address,
// including a port the first open picked.
func (p *Peer) Reopen() error {
	p.core.Lock()
	defer p.core.Unlock()
	if err := p.shut(); err != nil {
		return err
	}
	return p.open()
}

// Close closes the socket. Closing a closed peer does nothing and returns
// nil.
func (p *Peer) Close() error {
	p.core.Lock()
	defer p.core.Unlock()
	return p.shut()
}

// Opened reports whether the socket is open.
func (p *Peer) Opened() bool { return p.core.Opened() }

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
func (p *Peer) ActualBufSizes() (snd, rcv int) { return p.core.ActualBufSizes() }

// KernelDrops returns how many datagrams the kernel dropped at this socket
// because its receive buffer was full, since it was last (re)opened: the
// loss plain memos suffer when a sender overruns this receiver (Linux,
// SO_MEMINFO). ok is false where the platform does not count them, or
// while closed.
func (p *Peer) KernelDrops() (n uint64, ok bool) { return p.core.KernelDrops() }

// MaxDatagramSize is the largest datagram Send and WriteTo take
// (Config.MaxDatagramSize, default 1240). Receiving accepts up to
// MaxReceiveSize regardless.
func (p *Peer) MaxDatagramSize() int { return p.set.max }

// Receive returns one waiting datagram and its source without blocking, or
// transport.ErrWouldBlock when none waits. Errors that only report an
// earlier datagram's fate (an ICMP port unreachable surfacing as a
// connection reset on Windows, HIO-DEFECTS R5) are skipped. The data is
// valid until the next Receive.
func (p *Peer) Receive() ([]byte, net.Addr, error) { return p.core.Receive() }

// Send transmits data to dst (a *net.UDPAddr) whole or not at all, without
// blocking. A full send buffer gives transport.ErrWouldBlock itself.
func (p *Peer) Send(data []byte, dst net.Addr) (int, error) {
	to, err := destination(dst)
	if err != nil {
		return 0, p.opError("write", dst, err)
	}
	return p.core.Send(data, dst, to)
}

// ReadFrom blocks until a datagram arrives, the read deadline passes or the
// peer closes. A datagram longer than b is cut to len(b) and reported with
// a *transport.DatagramTooLargeError.
func (p *Peer) ReadFrom(b []byte) (int, net.Addr, error) { return p.core.ReadFrom(b) }

// WriteTo sends b to addr, waiting while the send buffer is full, until the
// write deadline passes or the peer closes.
func (p *Peer) WriteTo(b []byte, addr net.Addr) (int, error) {
	to, err := destination(addr)
	if err != nil {
		return 0, p.opError("write", addr, err)
	}
	return p.core.WriteTo(b, addr, to)
}

// SetDeadline sets the read and write deadlines.
func (p *Peer) SetDeadline(t time.Time) error { return p.core.SetDeadline(t) }

// SetReadDeadline sets the deadline of ReadFrom; Receive ignores it.
func (p *Peer) SetReadDeadline(t time.Time) error { return p.core.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of WriteTo; Send ignores it.
func (p *Peer) SetWriteDeadline(t time.Time) error { return p.core.SetWriteDeadline(t) }

var errNoAddr = errors.New("not a UDP address")

// destination returns dst as a *net.UDPAddr; other net.Addr types of
// network "udp", "udp4" or "udp6" are parsed from their String.
func destination(dst net.Addr) (*net.UDPAddr, error) {
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
	return nil, errNoAddr
}
