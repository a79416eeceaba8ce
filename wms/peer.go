package wms

import (
	"net"

	"github.com/memogram/memogram/transport"
)

// A Peer is both hio's non-blocking peer and a blocking net.PacketConn.
var (
	_ transport.Peer             = (*Peer)(nil)
	_ transport.SourceCarrier    = (*Peer)(nil)
	_ transport.MaxDatagramSizer = (*Peer)(nil)
	_ net.PacketConn             = (*Peer)(nil)
)

// Name returns the slot name.
func (p *Peer) Name() string { return p.addr.Name }

// LocalAddr returns the slot's Addr, the address other peers send to.
func (p *Peer) LocalAddr() net.Addr { return p.addr }

// BufSize returns hio's buffer size (see Config.BufSize).
func (p *Peer) BufSize() int { return p.bs }

// BufCount returns hio's buffer count, 0 when none was given.
func (p *Peer) BufCount() int { return p.bc }

// MaxDatagramSize returns the largest datagram the peer sends or accepts.
func (p *Peer) MaxDatagramSize() int { return p.max }

// ResolveSource turns a slot name carried in a gram back into the Addr to
// answer to (transport.SourceCarrier): the memo layer supplies the source
// that mailslots do not.
func (p *Peer) ResolveSource(name string) (net.Addr, error) {
	a, err := ParseAddr(name)
	if err != nil {
		return nil, err
	}
	return a, nil
}
