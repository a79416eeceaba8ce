package dgram

import (
	"errors"
	"net"
	"os"
	"time"
)

// Send transmits data to dst, resolved as to, whole or not at all, without
// blocking. A full queue or send buffer gives an error matching
// transport.ErrWouldBlock, the same *net.OpError every time (it names no
// destination): a state, not a failure, so it allocates nothing.
func (c *Core[D]) Send(data []byte, dst net.Addr, to D) (int, error) {
	s := c.current()
	if s == nil {
		return 0, c.closedError("write", dst)
	}
	if len(data) > s.Max {
		return 0, c.tooLarge(dst, len(data), s.Max)
	}
	if err := c.tx.send(s.RC, data, to); err != nil {
		if wouldBlock(err) {
			return 0, c.txBlock
		}
		return 0, c.sendError(dst, len(data), s.Max, err)
	}
	c.spec.WireLog.Tx(dst, data)
	return len(data), nil
}

// WriteTo sends b to addr, resolved as to, waiting while the destination's
// queue or the send buffer is full, until the write deadline passes or the
// peer closes; a Reopen meanwhile does not end it.
func (c *Core[D]) WriteTo(b []byte, addr net.Addr, to D) (int, error) {
	tick := minTick
	for {
		s := c.current()
		if s == nil {
			return 0, c.closedError("write", addr)
		}
		if c.writeDeadlinePassed() {
			return 0, c.opError("write", addr, os.ErrDeadlineExceeded)
		}
		if len(b) > s.Max {
			return 0, c.tooLarge(addr, len(b), s.Max)
		}
		err := c.tx.send(s.RC, b, to)
		if err == nil {
			c.spec.WireLog.Tx(addr, b)
			return len(b), nil
		}
		if wouldBlock(err) {
			err = c.waitWritable(s, tick)
			tick = min(2*tick, maxTick)
		}
		if err == nil {
			continue
		}
		if errors.Is(err, net.ErrClosed) && c.replaced(s) {
			continue
		}
		return 0, c.sendError(addr, len(b), s.Max, err)
	}
}

// Polling bounds for waitWritable.
const (
	minTick = time.Millisecond
	maxTick = 50 * time.Millisecond
)

// waitWritable waits until s may be writable again, at most tick, or until
// the write deadline passes (error). The bound matters: Linux wakes a
// sender whose datagram met a full unix receive queue only when one of its
// own queued datagrams is consumed (unix_dgram_sendmsg registers no peer
// wakeup for unconnected sockets), so a queue filled by other senders
// would never wake it; ENOBUFS comes with no wakeup at all; and Go on
// Windows cannot wait for writability.
func (c *Core[D]) waitWritable(s *Sock, tick time.Duration) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	until := time.Now().Add(tick)
	if dl := c.wdl.Load(); dl != 0 && dl < until.UnixNano() {
		until = time.Unix(0, dl)
	}
	err := waitWritable(s, until)
	if errors.Is(err, os.ErrDeadlineExceeded) && !c.writeDeadlinePassed() {
		return nil // our tick, not the caller's deadline
	}
	return err
}
