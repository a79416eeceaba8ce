package udp

import "github.com/memogram/memogram/internal/dgram"

// opError names the operation and the address; it is a net.Error.
func opError(op, addr string, err error) error {
	return &dgram.OpError{Pkg: "udp", Op: op, Addr: addr, Err: err}
}

// dropped receive errors are skipped like a truncated datagram: an ICMP
// report on an earlier datagram (transient), or a datagram too long for
// the receive buffer.
func dropped(err error) bool { return transient(err) || dgram.TooBig(err) }
