package dgram

import (
	"errors"
	"net"

	"github.com/memogram/memogram/transport"
)

// ReadScatter blocks like ReadFrom until a datagram arrives, then puts it
// into parts in order, filling each before the next (recvmsg's iovecs on
// Linux), and returns its length and source. A datagram longer than
// MaxReceiveSize is dropped whole, as ReadFrom drops it; one longer than
// parts hold, but not than that, fills them and is reported with a
// *transport.DatagramTooLargeError. Where the kernel cannot scatter, or
// batching is off, the datagram is read whole and copied into parts.
func (c *Core[D]) ReadScatter(parts [][]byte) (int, net.Addr, error) {
	for {
		s := c.current()
		if s == nil {
			return 0, nil, c.closedError("read", nil)
		}
		var n int
		var src net.Addr
		var err error
		if c.gathering() {
			n, src, err = c.readScatter(s, parts)
		} else {
			n, src, err = c.readScattered(parts)
		}
		if err != nil && errors.Is(err, net.ErrClosed) && c.replaced(s) {
			continue
		}
		return n, src, err
	}
}

// readScattered is ReadScatter's fallback: ReadFrom into a buffer of
// c.bufs, then a copy into parts.
func (c *Core[D]) readScattered(parts [][]byte) (int, net.Addr, error) {
	bp := c.bufs.Get().(*[]byte)
	defer c.bufs.Put(bp)
	n, src, err := c.ReadFrom(*bp)
	if err != nil {
		return 0, src, err
	}
	return c.scatterOut(parts, (*bp)[:n], src)
}

// scatterOut copies data into parts; one longer than parts hold is cut, as
// ReadFrom cuts a datagram longer than its buffer.
func (c *Core[D]) scatterOut(parts [][]byte, data []byte, src net.Addr) (int, net.Addr, error) {
	n := 0
	for _, p := range parts {
		n += copy(p, data[n:])
	}
	if n < len(data) {
		return n, src, c.opError("read", nil, &transport.DatagramTooLargeError{Size: len(data), Max: n})
	}
	return n, src, nil
}
