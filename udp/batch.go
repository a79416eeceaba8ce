package udp

import (
	"bytes"
	"net"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
)

// A Peer sends and receives in batches: on Linux with sendmmsg and
// recvmmsg, elsewhere one datagram per system call through the same
// methods. The memo layer finds these through transport.BatchWriter and
// transport.BatchReader.
var (
	_ transport.BatchWriter   = (*Peer)(nil)
	_ transport.BatchReader   = (*Peer)(nil)
	_ transport.GatherWriter  = (*Peer)(nil)
	_ transport.ScatterReader = (*Peer)(nil)
)

// WriteBatch sends each of bufs, in order, as one datagram to addr (a
// *net.UDPAddr), waiting while the send buffer is full, until the write
// deadline passes or the peer closes. It returns how many were sent.
func (p *Peer) WriteBatch(bufs [][]byte, addr net.Addr) (int, error) {
	to, err := destination(addr)
	if err != nil {
		return 0, p.opError("write", addr, err)
	}
	return p.core.WriteBatch(bufs, addr, to)
}

// WriteGather sends len(parts)/per datagrams to addr (a *net.UDPAddr), each
// gathered from per consecutive parts, in batches like WriteBatch. It
// returns how many datagrams were sent.
func (p *Peer) WriteGather(parts [][]byte, per int, addr net.Addr) (int, error) {
	to, err := destination(addr)
	if err != nil {
		return 0, p.opError("write", addr, err)
	}
	return p.core.WriteGather(parts, per, addr, to)
}

// ReadScatter blocks like ReadFrom until a datagram arrives, then puts it
// into parts in order (one recvmsg on Linux) and returns its length and
// source, which consecutive datagrams from one sender share. A datagram
// longer than the parts hold fills them and is reported with a
// *transport.DatagramTooLargeError.
func (p *Peer) ReadScatter(parts [][]byte) (int, net.Addr, error) { return p.core.ReadScatter(parts) }

// ReadBatch blocks until a datagram arrives, the read deadline passes or
// the peer closes, then fills msgs with the datagrams waiting, up to
// len(msgs). Each msgs[i].Buf should be BatchBufferSize bytes long. The
// sources are shared between consecutive datagrams from one address: do
// not modify them.
func (p *Peer) ReadBatch(msgs []transport.Message) (int, error) { return p.core.ReadBatch(msgs) }

// BatchBufferSize is MaxReceiveSize + 1: ReadBatch drops longer datagrams.
func (p *Peer) BatchBufferSize() int { return p.core.BatchBufferSize() }

// sameSource reports whether a, made by source, still names sa, so that
// the datagrams of one sender share one address value.
func sameSource(a net.Addr, sa dgram.Sockaddr) bool {
	u, ok := a.(*net.UDPAddr)
	if !ok {
		return false
	}
	switch sa := sa.(type) {
	case *dgram.SockaddrInet4:
		return u.Port == sa.Port && u.Zone == "" && bytes.Equal(u.IP, sa.Addr[:])
	case *dgram.SockaddrInet6:
		return u.Port == sa.Port && bytes.Equal(u.IP, sa.Addr[:]) && u.Zone == zoneName(sa.ZoneId)
	}
	return false
}
