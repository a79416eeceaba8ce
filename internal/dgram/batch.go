package dgram

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"

	"github.com/memogram/memogram/transport"
)

// Batching: on Linux, WriteBatch and ReadBatch move many datagrams per
// system call (sendmmsg, recvmmsg), and Receive prefetches what waits in
// one recvmmsg. Elsewhere, and when the kernel lacks the calls or batching
// is switched off, the same methods move one datagram per call through
// WriteTo and ReadFrom: slower, never different.

// batchOff switches batching off process-wide, for tests of the fallback.
var batchOff atomic.Bool

// SetBatching turns batched system calls on (the default) or off, and
// returns the previous setting. It exists for tests of the fallback path.
func SetBatching(on bool) (was bool) { return !batchOff.Swap(!on) }

// Batching reports whether batched system calls are in use: on, and
// available on this platform.
func Batching() bool { return !batchOff.Load() && batchSupported }

// batching reports whether c uses batched system calls: a transport opts
// in by setting Spec.SameSource (udp does; the calls handle inet sockaddrs
// only).
func (c *Core[D]) batching() bool {
	return c.spec.SameSource != nil && Batching() && !c.batch.broken.Load()
}

// BatchBufferSize is the length each transport.Message.Buf of ReadBatch
// needs: one byte more than the longest datagram received, so that a longer
// one is seen as cut and dropped.
func (c *Core[D]) BatchBufferSize() int { return c.spec.MaxReceiveSize + 1 }

// WriteBatch sends bufs to addr, resolved as to, in order, waiting while
// the send buffer is full like WriteTo. It returns how many were sent.
func (c *Core[D]) WriteBatch(bufs [][]byte, addr net.Addr, to D) (int, error) {
	return c.WriteGather(bufs, 1, addr, to)
}

// WriteGather sends len(parts)/per datagrams to addr, resolved as to, in
// order, datagram i gathered from parts[i*per:(i+1)*per] by the kernel
// (sendmsg's iovecs), so that the caller need not copy them together
// first; it waits while the send buffer is full like WriteTo and returns
// how many datagrams were sent. A Core that batches sends many a system
// call (sendmmsg); the others one each (sendmsg). Where the calls are
// missing, or batching is off, each datagram is copied together and goes
// through WriteTo.
func (c *Core[D]) WriteGather(parts [][]byte, per int, addr net.Addr, to D) (int, error) {
	if per < 1 || len(parts)%per != 0 {
		return 0, c.opError("write", addr, fmt.Errorf("%d parts do not make datagrams of %d parts", len(parts), per))
	}
	dgrams := len(parts) / per
	sent := 0
	tick := minTick
	for sent < dgrams {
		if !c.gathering() {
			for ; sent < dgrams; sent++ {
				if err := c.writeJoined(parts[sent*per:(sent+1)*per], addr, to); err != nil {
					return sent, err
				}
			}
			return sent, nil
		}
		s := c.current()
		if s == nil {
			return sent, c.closedError("write", addr)
		}
		if c.writeDeadlinePassed() {
			return sent, c.opError("write", addr, os.ErrDeadlineExceeded)
		}
		n, err := c.sendBatch(s, parts[sent*per:], per, to)
		for i := sent; i < sent+n; i++ {
			c.spec.WireLog.TxParts(addr, parts[i*per:(i+1)*per])
		}
		sent += n
		if n > 0 {
			tick = minTick
		}
		switch {
		case err == nil:
			continue
		case errors.Is(err, errNoBatch):
			c.batch.broken.Store(true)
			continue
		case errors.Is(err, errTooLarge):
			return sent, c.tooLarge(addr, joinedLen(parts[sent*per:(sent+1)*per]), s.Max)
		case wouldBlock(err):
			err = c.waitWritable(s, tick)
			tick = min(2*tick, maxTick)
			if err == nil {
				continue
			}
		}
		if errors.Is(err, net.ErrClosed) && c.replaced(s) {
			continue
		}
		return sent, c.sendError(addr, joinedLen(parts[sent*per:(sent+1)*per]), s.Max, err)
	}
	return sent, nil
}

// gathering reports whether WriteGather hands the kernel the caller's
// parts: batched system calls on, on Linux, and not refused. A Core that
// does not batch (uxd) still gathers, one datagram per sendmsg.
func (c *Core[D]) gathering() bool { return Batching() && !c.batch.broken.Load() }

// joinedLen is the length of the datagram parts make.
func joinedLen(parts [][]byte) int {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	return n
}

// writeJoined is WriteTo for a datagram of parts, copied together first
// in a buffer of c.bufs.
func (c *Core[D]) writeJoined(parts [][]byte, addr net.Addr, to D) error {
	if len(parts) == 1 {
		_, err := c.WriteTo(parts[0], addr, to)
		return err
	}
	bp := c.bufs.Get().(*[]byte)
	defer c.bufs.Put(bp)
	b := (*bp)[:0]
	for _, p := range parts {
		b = append(b, p...)
	}
	*bp = b[:cap(b)]
	_, err := c.WriteTo(b, addr, to)
	return err
}

// ReadBatch blocks until a datagram arrives, the read deadline passes or
// the peer closes, then fills msgs with what waits. Datagrams longer than
// MaxReceiveSize are dropped whole.
func (c *Core[D]) ReadBatch(msgs []transport.Message) (int, error) {
	if len(msgs) == 0 {
		return 0, nil
	}
	if n, src, ok, err := c.takePrefetched(msgs[0].Buf); ok {
		msgs[0].N, msgs[0].Addr = n, src
		if err != nil {
			return 0, err
		}
		return 1, nil
	}
	for {
		if !c.batching() {
			n, src, err := c.ReadFrom(msgs[0].Buf)
			msgs[0].N, msgs[0].Addr = n, src
			if err != nil {
				return 0, err
			}
			return 1, nil
		}
		s := c.current()
		if s == nil {
			return 0, c.closedError("read", nil)
		}
		n, err := c.readBatch(s, msgs)
		switch {
		case err == nil:
			return n, nil
		case errors.Is(err, errNoBatch):
			c.batch.broken.Store(true)
			continue
		case errors.Is(err, net.ErrClosed) && c.replaced(s):
			continue
		}
		return 0, err
	}
}

var (
	errNoBatch  = errors.New("batched system calls unavailable")
	errTooLarge = errors.New("datagram too large")
)
