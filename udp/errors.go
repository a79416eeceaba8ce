package udp

import (
	"net"

	"github.com/memogram/memogram/internal/dgram"
)

// opError wraps err as the net package does for an operation on the
// socket: "read", "write" (to dst, nil for none) or "close". The network is
// the socket's, "udp4" or "udp6".
func (p *Peer) opError(op string, dst net.Addr, err error) error {
	return dgram.OpError(op, p.set.network, p.LocalAddr(), dst, err)
}

// listenError wraps a failure to bind as net.ListenPacket does: the
// address being bound is the Addr, there is no Source.
func (p *Peer) listenError(err error) error {
	return dgram.OpError("listen", p.set.network, nil, p.LocalAddr(), err)
}

// dropped receive errors are skipped like a truncated datagram: an ICMP
// report on an earlier datagram (transient), or a datagram too long for
// the receive buffer.
func dropped(err error) bool { return transient(err) || dgram.TooBig(err) }
