package dgram

import (
	"errors"
	"net"

	"github.com/memogram/memogram/transport"
)

// Receive returns one waiting datagram and its source without blocking, or
// an error matching transport.ErrWouldBlock when none waits: the same
// *net.OpError every time, so that polling allocates nothing. The data is valid until the
// next Receive.
func (c *Core[D]) Receive() ([]byte, net.Addr, error) {
	s := c.current()
	if s == nil {
		return nil, nil, c.closedError("read", nil)
	}
	c.rxMu.Lock()
	defer c.rxMu.Unlock()
	if data, src, ok, err := c.receiveBatched(s); ok {
		return data, src, err
	}
	if c.rx == nil {
		c.rx = newReceiver(c.spec.MaxReceiveSize + 1)
	}
	for {
		data, sa, err := c.rx.receive(s.RC)
		switch {
		case err == errAgain:
			return nil, nil, c.rxBlock
		case err != nil && c.dropped(err):
			continue
		case err != nil:
			return nil, nil, c.opError("read", nil, Cause(err))
		case len(data) > c.spec.MaxReceiveSize: // truncated
			continue
		}
		src := c.spec.Source(sa)
		c.spec.WireLog.Rx(src, data)
		return data, src, nil
	}
}

// ReadFrom blocks until a datagram arrives, the read deadline passes or
// the peer closes; a Reopen meanwhile does not end it. A datagram longer
// than b is cut to len(b) and reported with a
// *transport.DatagramTooLargeError.
func (c *Core[D]) ReadFrom(b []byte) (int, net.Addr, error) {
	if n, src, ok, err := c.takePrefetched(b); ok {
		return n, src, err
	}
	for {
		s := c.current()
		if s == nil {
			return 0, nil, c.closedError("read", nil)
		}
		n, src, err := c.readFrom(s, b)
		if err != nil && errors.Is(err, net.ErrClosed) && c.replaced(s) {
			continue
		}
		return n, src, err
	}
}

// readFrom reads into a buffer one byte longer than MaxReceiveSize, b
// itself when that is long enough, so that a longer datagram is seen as
// truncated and dropped whole rather than delivered cut.
func (c *Core[D]) readFrom(s *Sock, b []byte) (int, net.Addr, error) {
	limit := c.spec.MaxReceiveSize
	buf := b
	direct := len(b) > limit
	if !direct {
		bp := c.bufs.Get().(*[]byte)
		defer c.bufs.Put(bp)
		buf = *bp
	}
	for {
		n, src, err := s.Conn.ReadFrom(buf[:limit+1])
		if err != nil {
			if err = Cause(err); c.dropped(err) {
				continue
			}
			return 0, nil, c.opError("read", nil, err)
		}
		if n > limit { // truncated
			continue
		}
		c.spec.WireLog.Rx(src, buf[:n])
		if direct {
			return n, src, nil
		}
		if m := copy(b, buf[:n]); m < n {
			return m, src, c.opError("read", nil, &transport.DatagramTooLargeError{Size: n, Max: len(b)})
		}
		return n, src, nil
	}
}

func (c *Core[D]) dropped(err error) bool { return c.spec.Dropped != nil && c.spec.Dropped(err) }
