package uxd

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
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
	id       fileID // identity of the socket file, so Close removes only ours

	// core holds the socket and does the sending and receiving; its lock
	// also guards root, rootMade and id.
	core dgram.Core[dest]
}

// dest is a destination socket path.
type dest string

func (d dest) String() string { return string(d) }

var (
	_ net.PacketConn             = (*Peer)(nil)
	_ transport.Peer             = (*Peer)(nil)
	_ transport.MaxDatagramSizer = (*Peer)(nil)
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
	p := &Peer{set: s}
	p.core.Init(dgram.Spec[dest]{
		Net:            network,
		MaxReceiveSize: MaxReceiveSize,
		Local:          p.LocalAddr,
		Sockaddr:       sockaddrs(),
		Source:         source,
		NoDestination:  noDestination,
		WireLog:        s.WireLog,
	})
	if err := p.place(); err != nil {
		p.removeRoot()
		return nil, err
	}
	p.core.Lock()
	defer p.core.Unlock()
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
			return p.listenError(err)
		}
		p.rootMade = true
		p.path, err = filer.UXD.TempPath(p.root, c.Base, c.Name, c.Clean)
	default:
		p.path, err = filer.UXD.MakePersistent(c.HeadDir, c.Base, c.Name, c.Clean, c.dirPerm)
	}
	if err != nil {
		return p.listenError(err)
	}
	// The kernel needs a terminating zero inside sun_path (U5).
	if len(p.path) > PathMax {
		return p.listenError(fmt.Errorf("%w: %d bytes, the limit is %d",
			ErrPathTooLong, len(p.path), PathMax))
	}
	return nil
}

// open binds a new socket at p.path; the core's lock is held.
func (p *Peer) open() error {
	if p.root != "" && !p.rootMade {
		if err := filer.RemakeTempRoot(p.root); err != nil {
			return p.listenError(err)
		}
		p.rootMade = true
	}
	if err := filer.MakeDirs(filepath.Dir(p.path), p.set.dirPerm); err != nil {
		return p.listenError(err)
	}
	if err := removeStale(p.path); err != nil {
		return p.listenError(err)
	}
	s, id, err := listen(p.path, p.set)
	if err != nil {
		if dgram.AddrInUse(err) {
			err = dgram.Kind(transport.ErrAddrInUse, dgram.Cause(err))
		}
		return p.listenError(dgram.Cause(err))
	}
	if m := p.set.MaxDatagramSize; m > 0 && m < s.Max {
		s.Max = m
	}
	p.id = id
	p.core.Install(s)
	return nil
}

// shut closes the current socket and removes its file; the core's lock is
// held.
func (p *Peer) shut() error {
	s, err := p.core.Shut()
	if s == nil {
		return nil
	}
	if rerr := removeSocket(p.path, p.id); err == nil {
		err = rerr
	}
	if err != nil {
		return p.opError("close", nil, dgram.Cause(err))
	}
	return nil
}

func (p *Peer) removeRoot() error {
	if !p.rootMade {
		return nil
	}
	p.rootMade = false
	if err := os.RemoveAll(p.root); err != nil {
		return p.opError("close", nil, err)
	}
	return nil
}

// Reopen closes the socket if open and binds a new one at the same path.
// A temporary peer keeps its directory, so its address does not change
// (HIO-DEFECTS U7); after Close the directory is made again.
func (p *Peer) Reopen() error {
	p.core.Lock()
	defer p.core.Unlock()
	if err := p.shut(); err != nil {
		return err
	}
	return p.open()
}

// Close closes the socket, removes its file and, for a temporary peer, the
// whole temporary directory it created (U3). Persistent directories stay.
// Closing a closed peer does nothing and returns nil.
func (p *Peer) Close() error {
	p.core.Lock()
	defer p.core.Unlock()
	err := p.shut()
	if rerr := p.removeRoot(); err == nil {
		err = rerr
	}
	return err
}

// Opened reports whether the socket is open.
func (p *Peer) Opened() bool { return p.core.Opened() }

// LocalAddr returns the socket path, also while closed.
func (p *Peer) LocalAddr() net.Addr { return &net.UnixAddr{Name: p.path, Net: network} }

// BufCount is hio's bc: the buffer count, 0 when BufSize was given instead.
func (p *Peer) BufCount() int { return p.set.bc }

// BufSize is hio's bs: the size SO_SNDBUF and SO_RCVBUF are raised to.
func (p *Peer) BufSize() int { return p.set.bs }

// ActualBufSizes returns the kernel's SO_SNDBUF and SO_RCVBUF (Linux
// reports twice the requested value), or (0, 0) when closed.
func (p *Peer) ActualBufSizes() (snd, rcv int) { return p.core.ActualBufSizes() }

// MaxDatagramSize is the largest datagram Send and WriteTo take: the
// platform's limit for one unix datagram, at most 65535 (hio's gram size),
// lowered to Config.MaxDatagramSize if that is smaller. Receiving accepts up
// to MaxReceiveSize regardless.
func (p *Peer) MaxDatagramSize() int { return p.core.MaxDatagramSize() }

// Receive returns one waiting datagram and its source without blocking, or
// transport.ErrWouldBlock when none waits. The source is nil when the sender
// is not bound to a path. Datagrams longer than MaxReceiveSize are dropped.
// The data is valid until the next Receive.
func (p *Peer) Receive() ([]byte, net.Addr, error) { return p.core.Receive() }

// Send transmits data to dst (a *net.UnixAddr) whole or not at all, without
// blocking. A full receive queue or send buffer (EAGAIN, ENOBUFS, ENOMEM)
// gives transport.ErrWouldBlock itself; a path with no socket or nobody bound gives one
// matching transport.ErrNoDestination and the errno.
func (p *Peer) Send(data []byte, dst net.Addr) (int, error) {
	name, err := destination(dst)
	if err != nil {
		return 0, p.opError("write", dst, err)
	}
	return p.core.Send(data, dst, name)
}

// ReadFrom blocks until a datagram arrives, the read deadline passes or the
// peer closes. A datagram longer than b is cut to len(b) and reported with
// a *transport.DatagramTooLargeError. The source is nil for an unbound
// sender.
func (p *Peer) ReadFrom(b []byte) (int, net.Addr, error) { return p.core.ReadFrom(b) }

// WriteTo sends b to addr, waiting while the destination's queue or the
// send buffer is full, until the write deadline passes or the peer closes.
func (p *Peer) WriteTo(b []byte, addr net.Addr) (int, error) {
	name, err := destination(addr)
	if err != nil {
		return 0, p.opError("write", addr, err)
	}
	return p.core.WriteTo(b, addr, name)
}

// WriteGather sends len(parts)/per datagrams to addr in order, each
// gathered from per consecutive parts by one sendmsg, so that the parts
// need not be copied together first; otherwise it is WriteTo. It returns
// how many datagrams were sent. The memo layer sends a gram's head and its
// piece of the memo this way (transport.GatherWriter).
func (p *Peer) WriteGather(parts [][]byte, per int, addr net.Addr) (int, error) {
	name, err := destination(addr)
	if err != nil {
		return 0, p.opError("write", addr, err)
	}
	return p.core.WriteGather(parts, per, addr, name)
}

// ReadScatter blocks like ReadFrom until a datagram arrives, then puts it
// into parts in order, by one recvmsg, and returns its length and source,
// which consecutive datagrams from one sender share. A datagram longer than
// the parts hold fills them and is reported with a
// *transport.DatagramTooLargeError. The memo layer receives a gram's body
// straight into its memo this way (transport.ScatterReader).
func (p *Peer) ReadScatter(parts [][]byte) (int, net.Addr, error) { return p.core.ReadScatter(parts) }

var (
	_ transport.GatherWriter  = (*Peer)(nil)
	_ transport.ScatterReader = (*Peer)(nil)
)

// SetDeadline sets the read and write deadlines.
func (p *Peer) SetDeadline(t time.Time) error { return p.core.SetDeadline(t) }

// SetReadDeadline sets the deadline of ReadFrom; Receive ignores it.
func (p *Peer) SetReadDeadline(t time.Time) error { return p.core.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of WriteTo; Send ignores it.
func (p *Peer) SetWriteDeadline(t time.Time) error { return p.core.SetWriteDeadline(t) }

var errNoAddr = errors.New("not a unix socket address")

// destination returns the socket path of a *net.UnixAddr, or of another
// net.Addr of network "unixgram" or "unix".
func destination(a net.Addr) (dest, error) {
	switch a := a.(type) {
	case *net.UnixAddr:
		if a != nil && a.Name != "" {
			return dest(a.Name), nil
		}
	case nil:
	default:
		if n := a.Network(); (n == "unixgram" || n == "unix") && a.String() != "" {
			return dest(a.String()), nil
		}
	}
	return "", errNoAddr
}
