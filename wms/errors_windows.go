package wms

import "net"

// opError wraps err as the net package wraps the errors of a PacketConn:
// a *net.OpError of Net "wms" (Network), with the slot's Addr as Source
// and to, the destination, as Addr (nil for none). op is "read", "write",
// "close", "set" (a deadline) or "security".
func (p *Peer) opError(op string, to net.Addr, err error) error {
	if a, ok := to.(*Addr); ok && a == nil {
		to = nil // OpError.Error would call String on it
	}
	return &net.OpError{Op: op, Net: Network, Source: p.addr, Addr: to, Err: err}
}

// listenError wraps a failure to create the slot as net.ListenPacket
// does: the slot is the Addr, there is no Source.
func (p *Peer) listenError(err error) error {
	return &net.OpError{Op: "listen", Net: Network, Addr: p.addr, Err: err}
}
