package transport

import "net"

// Peer is hio's Peer contract in Go: a datagram endpoint that a single-threaded
// event loop drives without ever blocking. uxd.Peer, udp.Peer and wms.Peer
// implement it, and they are net.PacketConns as well.
//
// Receive returns one datagram and its source, or ErrWouldBlock when nothing
// is waiting. A zero-length datagram is a non-nil empty slice. The source is
// nil when the sender has no address (an unbound unix socket, a mailslot).
// The returned slice is valid until the next Receive.
//
// Send transmits one datagram whole or not at all. It returns ErrWouldBlock
// when the transport cannot take it now; the caller keeps the datagram and
// tries again.
type Peer interface {
	Receive() (data []byte, src net.Addr, err error)
	Send(data []byte, dst net.Addr) (int, error)
	LocalAddr() net.Addr
	Close() error
}

// SourceCarrier is implemented by transports whose datagrams arrive without
// a sender address (mailslots). Over such a transport the memo layer carries
// the sender's LocalAddr().String() in each zeroth gram (memogram's sAAx
// codes, docs/source-grams.md) and turns a carried name back into an address
// with ResolveSource.
type SourceCarrier interface {
	ResolveSource(name string) (net.Addr, error)
}

// MaxDatagramSizer is implemented by transports that know the largest
// datagram they send: uxd.Peer, udp.Peer and wms.Peer. memo.New probes for
// it and, unless the Render configuration sets MaxTransport, cuts grams no
// longer than MaxDatagramSize.
type MaxDatagramSizer interface {
	// MaxDatagramSize is the largest datagram Send and WriteTo take; a
	// longer one fails with a *DatagramTooLargeError.
	MaxDatagramSize() int
}
