package wms

import (
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/transport"
)

// Receive returns the next message without waiting, or an error matching
// transport.ErrWouldBlock when the slot is empty (the same *net.OpError
// every time, so that polling allocates nothing). The source is always nil:
// a mailslot message carries none (the memo layer adds it to the gram). The
// slice is valid until the next Receive, as transport.Peer has it: ReadFrom
// reads into a buffer of its own.
//
// A message larger than MaxDatagramSize is read and thrown away, so that it
// does not block the slot, and reported as a *net.OpError wrapping a
// *transport.DatagramTooLargeError; the next call goes on with the next
// message. Under Wine, which truncates reads silently, its Size is only a
// lower bound.
func (p *Peer) Receive() ([]byte, net.Addr, error) {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if p.closed.Load() || p.slot == windows.InvalidHandle {
		return nil, nil, p.opError("read", nil, net.ErrClosed)
	}
	data, err := p.readLocked(p.buf, 0)
	if err == transport.ErrWouldBlock {
		return nil, nil, p.rxBlock
	}
	if err != nil {
		return nil, nil, p.opError("read", nil, err)
	}
	p.wirelog.Rx(nil, data)
	return data, nil, nil
}

// ReadFrom waits for the next message and copies it into b. It returns when
// a message arrives, when the read deadline passes (os.ErrDeadlineExceeded)
// or when the Peer is closed (net.ErrClosed), all errors wrapped in a
// *net.OpError as the net package does. The address is always nil, unlike
// the net package's connections: a mailslot message has no source. A message
// longer than b fills b and is otherwise lost; the error is then
// io.ErrShortBuffer. Oversize messages are reported as by Receive.
func (p *Peer) ReadFrom(b []byte) (int, net.Addr, error) {
	for {
		wait, err := p.nextWait()
		if err != nil {
			return 0, nil, p.opError("read", nil, err)
		}
		n, err := p.readWait(b, wait)
		if err == transport.ErrWouldBlock {
			continue
		}
		if err != nil {
			return n, nil, p.opError("read", nil, err)
		}
		return n, nil, nil
	}
}

// nextWait returns how long the next read may wait, in ms: PollInterval, or
// less when the deadline is nearer.
func (p *Peer) nextWait() (uint32, error) {
	if p.closed.Load() {
		return 0, net.ErrClosed
	}
	wait := p.poll
	if dl := p.rdl.Load(); dl != 0 {
		left := time.Until(time.Unix(0, dl))
		if left <= 0 {
			return 0, os.ErrDeadlineExceeded
		}
		wait = min(wait, left)
	}
	return uint32((wait + time.Millisecond - 1) / time.Millisecond), nil
}

// readWait is one round of ReadFrom. rmu is held for this one wait only, so
// that Close and Reopen get their turn between rounds.
func (p *Peer) readWait(b []byte, wait uint32) (int, error) {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if p.closed.Load() || p.slot == windows.InvalidHandle {
		return 0, net.ErrClosed
	}
	if p.rbuf == nil {
		p.rbuf = make([]byte, p.max+1)
	}
	data, err := p.readLocked(p.rbuf, wait)
	if err == transport.ErrWouldBlock {
		p.waits.Add(1)
	}
	if err != nil {
		return 0, err
	}
	p.wirelog.Rx(nil, data)
	n := copy(b, data)
	if n < len(data) {
		return n, io.ErrShortBuffer
	}
	return n, nil
}

// readLocked reads one message into buf (max+1 bytes), waiting up to wait
// ms for one. The caller holds rmu and has checked that the slot is open.
//
// It reads straight into a buffer one byte larger than the largest accepted
// message, without asking GetMailslotInfo first: that costs a second system
// call per message (a wineserver round trip under Wine), and a buffer of this
// size sees every acceptable message whole on Windows and under Wine alike.
// GetMailslotInfo is asked only when Windows reports the buffer too small.
func (p *Peer) readLocked(buf []byte, wait uint32) ([]byte, error) {
	if p.timeout != wait {
		if err := setMailslotInfo(p.slot, wait); err != nil {
			return nil, err
		}
		p.timeout = wait
	}
	var n uint32
	err := windows.ReadFile(p.slot, buf, &n, nil)
	switch err {
	case nil:
		if int(n) > p.max {
			// Under Wine a longer message is cut to len(buf) without an
			// error (docs/mailslots.md §8 #1); either way it is gone.
			return nil, &transport.DatagramTooLargeError{Size: int(n), Max: p.max}
		}
		return buf[:n:n], nil
	case windows.ERROR_SEM_TIMEOUT:
		return nil, transport.ErrWouldBlock
	case windows.ERROR_BROKEN_PIPE:
		// Wine's answer to a read of a zero-length message, which it
		// consumes (docs/mailslots.md §8 #3). Windows returns the empty
		// message itself. Both are an empty datagram.
		return buf[:0:0], nil
	case windows.ERROR_INSUFFICIENT_BUFFER:
		return p.discardLocked(buf)
	}
	return nil, err
}

// discardLocked takes a message that did not fit the buffer off the slot:
// Windows leaves it queued, and it would block every later read.
func (p *Peer) discardLocked(buf []byte) ([]byte, error) {
	var next uint32
	if err := getMailslotInfo(p.slot, nil, &next, nil, nil); err != nil {
		return nil, err
	}
	if next == mailslotNoMessage {
		return nil, transport.ErrWouldBlock // nobody else reads, so not expected
	}
	scratch := make([]byte, next)
	var n uint32
	if err := windows.ReadFile(p.slot, scratch, &n, nil); err != nil {
		return nil, err
	}
	if int(n) <= p.max { // not expected either: buf holds max+1
		m := copy(buf, scratch[:n])
		return buf[:m:m], nil
	}
	return nil, &transport.DatagramTooLargeError{Size: int(n), Max: p.max}
}

// SetDeadline sets both the read and the write deadline.
func (p *Peer) SetDeadline(t time.Time) error {
	if err := p.SetReadDeadline(t); err != nil {
		return err
	}
	return p.SetWriteDeadline(t)
}

// SetReadDeadline sets when ReadFrom gives up; the zero time means never. A
// ReadFrom already waiting sees the change within one PollInterval.
func (p *Peer) SetReadDeadline(t time.Time) error { return p.setDeadline(&p.rdl, t) }

// SetWriteDeadline sets when WriteTo gives up. Mailslot writes do not wait on
// Windows, so the deadline is only checked before each write; under Wine a
// write to a full slot may still block (docs/mailslots.md §8 #5).
func (p *Peer) SetWriteDeadline(t time.Time) error { return p.setDeadline(&p.wdl, t) }

func (p *Peer) setDeadline(dl *atomic.Int64, t time.Time) error {
	if p.closed.Load() {
		return p.opError("set", nil, net.ErrClosed)
	}
	var ns int64
	if !t.IsZero() {
		ns = t.UnixNano()
	}
	dl.Store(ns)
	return nil
}
