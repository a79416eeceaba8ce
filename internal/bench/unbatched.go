package bench

import (
	"fmt"
	"net"

	"github.com/memogram/memogram/transport"
)

// unbatched is a transport endpoint with its batch interfaces
// (transport.BatchWriter and BatchReader) hidden, so that both layers move
// one datagram per system call through it: the path memogram took before
// it batched, measured in the same run as the batched one (Spec.Unbatched).
// The gather and scatter interfaces are hidden too, since that path had
// neither.
// It keeps what the memo layer and the bench otherwise probe for.
type unbatched struct {
	net.PacketConn
	peer transport.Peer
	max  transport.MaxDatagramSizer
}

// unbatch wraps c; it must be a transport.Peer that knows its datagram
// size, as every memogram transport is.
func unbatch(c net.PacketConn) (net.PacketConn, error) {
	p, ok := c.(transport.Peer)
	m, ok2 := c.(transport.MaxDatagramSizer)
	if !ok || !ok2 {
		return nil, fmt.Errorf("bench: %T is not a transport Peer with a datagram size", c)
	}
	return &unbatched{PacketConn: c, peer: p, max: m}, nil
}

func (u *unbatched) Receive() ([]byte, net.Addr, error)          { return u.peer.Receive() }
func (u *unbatched) Send(data []byte, dst net.Addr) (int, error) { return u.peer.Send(data, dst) }
func (u *unbatched) MaxDatagramSize() int                        { return u.max.MaxDatagramSize() }

// ActualBufSizes forwards the socket buffer sizes the bench's UDP window
// is made from (udp.Peer has them).
func (u *unbatched) ActualBufSizes() (int, int) {
	if b, ok := u.PacketConn.(interface{ ActualBufSizes() (int, int) }); ok {
		return b.ActualBufSizes()
	}
	return 0, 0
}
