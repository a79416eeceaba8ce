package memo

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/memogram/memogram/transport"
)

// How the Memoer runs Sure delivery (docs/sure.md). The engine calls in at
// four places: every datagram goes through input; Send, SendWith and
// MemoitWith hand Sure memos to the sender; Service runs serviceSure; Close
// runs sureStop.
//
// Blocking style: the first Sure send (or Receive on a Memoer configured
// with Config.Sure) starts the pump, two goroutines per Memoer whatever the
// number of memos: one reads the transport (acks for the sender, grams for
// reassembly and the inbox Receive takes from), one runs the sender's
// timers and writes grams. Receivers that are not Sure senders ack from
// their Receive loop, with a timer for delayed acks.
//
// Service style: Service does everything in the caller's loop.

type sureEngine struct {
	tx      *sureSender
	rx      *sureRecv
	once    sync.Once
	on      chan struct{} // closed when the pump runs
	wg      sync.WaitGroup
	notify  chan struct{} // a memo reached the inbox
	popped  chan struct{} // Receive took one (the pump may go on)
	readErr error         // the pump reader's transport error

	renderOnce sync.Once
	render     *Renderer // Config.Render with the Sure code
	renderErr  error
}

// maxInbox bounds the memos the pump holds for Receive; beyond it the pump
// stops reading until Receive takes one.
const maxInbox = 4096

func (m *Memoer) sureInit() {
	cfg := m.cfg.SureConfig.resolved(m.cfg.TxQueue)
	m.sure = &sureEngine{
		tx: newSureSender(cfg), rx: newSureRecv(cfg),
		on: make(chan struct{}), notify: make(chan struct{}, 1), popped: make(chan struct{}, 1),
	}
}

// peekCode reads a datagram's code without parsing the rest.
func peekCode(b []byte) (Code, bool) {
	if len(b) == 0 {
		return 0, false
	}
	f, _, ok := sniff(b[0])
	if !ok {
		return 0, false
	}
	c, err := parseCodeBytes(b, f)
	return c, err == nil
}

// input takes one datagram: acks go to the sender, Sure grams to the
// receiver's ack state and reassembly, the rest to reassembly. Caller holds
// m.mu; acks to write are left for takeAcks.
func (m *Memoer) input(data []byte, src net.Addr, now time.Time) (Memo, bool) {
	c, _ := peekCode(data)
	switch {
	case c.Ack():
		m.onAck(data, src, now)
		return Memo{}, false
	case c.Sure():
		return m.sure.rx.input(m, data, src, now)
	}
	memo, done, _ := m.rx.Add(data, src)
	return memo, done
}

func (m *Memoer) onAck(data []byte, src net.Addr, now time.Time) {
	s := m.sure.tx
	s.mu.Lock()
	s.onAck(data, src, now, m.cfg.Receive.Keep, m.cfg.Receive.Authic)
	s.mu.Unlock()
	s.wake()
}

// takeAcks returns the acks to write and, from the blocking paths, arms the
// delayed-ack timer. Caller holds m.mu.
func (m *Memoer) takeAcks(now time.Time) []ackOut {
	r := m.sure.rx
	if len(r.due) > 0 && !r.armed {
		r.armed = true
		if r.timer == nil {
			r.timer = time.AfterFunc(r.cfg.AckDelay, m.ackTimer)
		} else {
			r.timer.Reset(r.cfg.AckDelay)
		}
	}
	return r.take()
}

func (m *Memoer) ackTimer() {
	select {
	case <-m.closed:
		return
	default:
	}
	m.mu.Lock()
	r := m.sure.rx
	r.armed = false
	if next := r.flush(m, time.Now(), false); !next.IsZero() {
		r.armed = true
		r.timer.Reset(max(time.Until(next), 0))
	}
	out := r.take()
	m.mu.Unlock()
	m.writeAcks(out)
}

func (m *Memoer) writeAcks(out []ackOut) {
	// A lost ack is sent again on the next gram, so errors are dropped.
	bw, ok := m.conn.(transport.BatchWriter)
	if !ok || len(out) < 2 {
		for _, a := range out {
			_, _ = m.conn.WriteTo(a.gram, a.addr)
		}
		return
	}
	var bufs [][]byte
	for i := 0; i < len(out); {
		j := i + 1
		for j < len(out) && out[j].addr == out[i].addr {
			j++
		}
		bufs = bufs[:0]
		for _, a := range out[i:j] {
			bufs = append(bufs, a.gram)
		}
		_, _ = bw.WriteBatch(bufs, out[i].addr)
		i = j
	}
}

// sureOn reports whether the pump runs.
func (m *Memoer) sureOn() bool {
	select {
	case <-m.sure.on:
		return true
	default:
		return false
	}
}

// startPump starts the pump once.
func (m *Memoer) startPump() {
	e := m.sure
	e.once.Do(func() {
		select {
		case <-m.closed:
			return
		default:
		}
		e.wg.Add(2)
		go m.pumpRead()
		go m.pumpSend()
		close(e.on)
	})
}

// pumpRead reads the transport for the pump: in batches where the
// transport offers them (recvmmsg), else a datagram at a time.
func (m *Memoer) pumpRead() {
	e := m.sure
	defer e.wg.Done()
	br, batched := m.conn.(transport.BatchReader)
	var msgs []transport.Message
	if batched {
		msgs = make([]transport.Message, rxBatchMax)
		for i := range msgs {
			msgs[i].Buf = make([]byte, br.BatchBufferSize())
		}
	} else {
		msgs = []transport.Message{{Buf: make([]byte, ReadBufferSize+1)}}
	}
	for {
		n, err := 1, error(nil)
		if batched {
			n, err = br.ReadBatch(msgs)
		} else {
			msgs[0].N, msgs[0].Addr, err = m.conn.ReadFrom(msgs[0].Buf)
		}
		if err != nil {
			if isTransient(err) {
				continue
			}
			if errors.Is(err, os.ErrDeadlineExceeded) && !m.isClosed() {
				// A Receive from before the pump ran bound its context to
				// the read deadline; the pump reads without one.
				_ = m.conn.SetReadDeadline(time.Time{})
				continue
			}
			m.mu.Lock()
			e.readErr = err
			m.mu.Unlock()
			signal(e.notify)
			return
		}
		for i := range msgs[:n] {
			if !m.pumpOne(msgs[i].Buf[:msgs[i].N], msgs[i].Addr, i+1 < n) {
				return
			}
		}
	}
}

// pumpOne takes one datagram the pump read. It reports false once the
// Memoer is closed.
func (m *Memoer) pumpOne(data []byte, src net.Addr, more bool) bool {
	e := m.sure
	now := time.Now()
	if c, _ := peekCode(data); c.Ack() {
		m.onAck(data, src, now)
		return true
	}
	m.mu.Lock()
	for m.inbox.len() >= maxInbox {
		m.mu.Unlock()
		select {
		case <-e.popped:
		case <-m.closed:
			return false
		}
		m.mu.Lock()
	}
	r := m.sure.rx
	r.batching = more // acks wait for the batch's last datagram
	memo, done := m.input(data, src, now)
	if done {
		m.inbox.push(memo)
	}
	if !more {
		r.endBatch(m, now)
	}
	out := m.takeAcks(now)
	m.mu.Unlock()
	if done {
		signal(e.notify)
	}
	m.writeAcks(out)
	return true
}

func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// pumpBatch bounds the grams one pass of the sender writes.
const pumpBatch = 64

func (m *Memoer) pumpSend() {
	e := m.sure
	defer e.wg.Done()
	s := e.tx
	t := time.NewTimer(time.Hour)
	defer t.Stop()
	var out []sureOut
	bw, _ := m.conn.(transport.BatchWriter)
	bufs := make([][]byte, 0, pumpBatch)
	for {
		s.mu.Lock()
		var wake time.Time
		out, wake = s.step(time.Now(), out[:0], pumpBatch)
		s.mu.Unlock()
		if !m.writeOut(out, bw, bufs) {
			return
		}
		full := len(out) == pumpBatch
		clear(out)
		if full {
			continue
		}
		d := time.Hour
		if !wake.IsZero() {
			d = max(time.Until(wake), 0)
		}
		t.Reset(d)
		select {
		case <-s.kick:
		case <-t.C:
		case <-m.closed:
			return
		}
	}
}

// writeOut writes one step's grams: each run to one destination in one
// WriteBatch where the transport batches (sendmmsg, and GSO for runs of
// equal grams), else one WriteTo per gram. A failed write leaves its gram
// in flight: the gram's timer sends it again, so a persistent error costs
// no busy loop. It reports false once the Memoer is closed.
func (m *Memoer) writeOut(out []sureOut, bw transport.BatchWriter, bufs [][]byte) bool {
	for i := 0; i < len(out); {
		j := i + 1
		bad := i // the gram an error concerns
		var err error
		if bw == nil {
			_, err = m.conn.WriteTo(out[i].gram, out[i].addr)
		} else {
			for j < len(out) && out[j].addr == out[i].addr {
				j++
			}
			bufs = bufs[:0]
			for _, o := range out[i:j] {
				bufs = append(bufs, o.gram)
			}
			var n int
			n, err = bw.WriteBatch(bufs, out[i].addr)
			clear(bufs)
			if err != nil {
				bad = i + n
				j = bad + 1 // skip the gram refused; send the rest
			}
		}
		if err != nil {
			select {
			case <-m.closed:
				return false
			default:
			}
			// The gram stays in flight for its timer to send again, unless
			// the error is one no retry cures.
			s := m.sure.tx
			s.mu.Lock()
			s.writeFailed(out[bad].m, err, time.Now())
			s.mu.Unlock()
		}
		i = j
	}
	return true
}

// receivePumped is Receive while the pump reads.
func (m *Memoer) receivePumped(ctx context.Context) (Memo, error) {
	e := m.sure
	for {
		m.mu.Lock()
		err := e.readErr
		m.mu.Unlock()
		if memo, ok := m.popMemo(); ok {
			signal(e.popped)
			return memo, nil
		}
		if err != nil {
			return Memo{}, m.ioError(ctx, "receive", nil, err)
		}
		select {
		case <-e.notify:
		case <-ctx.Done():
			return Memo{}, ctx.Err()
		case <-m.closed:
			return Memo{}, net.ErrClosed
		}
	}
}

// SendSure sends memo to dst in Sure mode and blocks until the receiver has
// acked all of it, ctx ends, or the give-up time passes; the error then
// matches ErrNotDelivered (or ctx's error) and names memo and destination.
// The Delivery reports the time it took and the grams sent again. Many
// SendSure calls may run at once, to one or many destinations: their grams
// share each destination's window.
func (m *Memoer) SendSure(ctx context.Context, memo []byte, dst net.Addr, opts SendOptions) (Delivery, error) {
	it, err := m.startSure(memo, opts)
	if err != nil {
		return Delivery{}, err
	}
	m.startPump()
	s := m.sure.tx
	select {
	case s.space <- struct{}{}:
	case <-ctx.Done():
		return Delivery{}, ctx.Err()
	case <-m.closed:
		return Delivery{}, net.ErrClosed
	}
	defer func() { <-s.space }()
	s.mu.Lock()
	sm := s.add(it, dst, len(memo), time.Now())
	sm.done = make(chan struct{})
	s.mu.Unlock()
	s.wake()
	var cause error
	select {
	case <-sm.done:
	case <-ctx.Done():
		cause = ctx.Err()
	case <-m.closed:
		cause = net.ErrClosed
	}
	s.mu.Lock()
	if cause != nil {
		s.finish(sm, time.Now(), "abandoned: "+cause.Error())
	}
	d := sm.result
	s.mu.Unlock()
	m.mu.Lock()
	m.stats.MemosSent++
	m.stats.GramsSent += uint64(int(sm.count) + d.Retransmits)
	m.stats.BytesSent += uint64(len(memo))
	m.mu.Unlock()
	switch {
	case cause != nil && cause != net.ErrClosed:
		return d, fmt.Errorf("memo: memo %s to %s: %w", sm.mid, dst, cause)
	case cause != nil:
		return d, cause
	}
	return d, d.Err
}

// memoitSure queues a Sure memo for Service. Caller holds m.mu.
func (m *Memoer) memoitSure(it Rendering, dst net.Addr, size int) error {
	s := m.sure.tx
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.mids) >= s.cfg.MaxMemos {
		return ErrQueueFull
	}
	sm := s.add(it, dst, size, time.Now())
	sm.report = true
	return nil
}

// PopDelivery takes the oldest report on a Sure memo queued by Memoit:
// delivered (Err nil) or not (Err matches ErrNotDelivered). Reports not
// taken are kept up to 4096, the oldest dropped first.
func (m *Memoer) PopDelivery() (Delivery, bool) {
	s := m.sure.tx
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.reports) == 0 {
		return Delivery{}, false
	}
	d := s.reports[0]
	s.reports[0] = Delivery{}
	s.reports = s.reports[1:]
	return d, true
}

// serviceSure is Service's Sure part: timers, grams the windows allow, and
// every owed ack. Caller holds m.mu.
func (m *Memoer) serviceSure(p interface {
	Send([]byte, net.Addr) (int, error)
}) {
	now := time.Now()
	s := m.sure.tx
	s.mu.Lock()
	out, _ := s.step(now, nil, 1<<16)
	for i, o := range out {
		if _, err := p.Send(o.gram, o.addr); err != nil {
			if isWouldBlock(err) {
				m.stats.WouldBlocks++
				s.unsent(out[i:])
				break
			}
			s.writeFailed(o.m, err, now)
			continue
		}
		m.stats.GramsSent++
	}
	s.mu.Unlock()
	r := m.sure.rx
	r.flush(m, now, true)
	for _, a := range r.take() {
		_, _ = p.Send(a.gram, a.addr)
	}
}

// sureStop ends the pump and fails the memos in flight. The transport is
// closed already.
func (m *Memoer) sureStop() {
	e := m.sure
	e.wg.Wait()
	m.mu.Lock()
	if e.rx.timer != nil {
		e.rx.timer.Stop()
	}
	m.mu.Unlock()
	s := e.tx
	s.mu.Lock()
	s.closeAll(time.Now())
	s.mu.Unlock()
}

// sureStats adds Sure counters to st. Caller holds m.mu.
func (m *Memoer) sureStats(st *Stats) {
	r := m.sure.rx.stats
	s := m.sure.tx
	s.mu.Lock()
	st.Sure = s.stats
	st.Sure.InFlight = s.inFlight()
	s.mu.Unlock()
	st.Sure.AcksSent, st.Sure.Duplicates, st.Sure.Remembered = r.AcksSent, r.Duplicates, r.Remembered
	st.Sure.Forgotten, st.Sure.Refused = r.Forgotten, r.Refused
}

func isWouldBlock(err error) bool { return errors.Is(err, transport.ErrWouldBlock) }

func (m *Memoer) isClosed() bool {
	select {
	case <-m.closed:
		return true
	default:
		return false
	}
}

// startSure begins cutting memo with the Sure twin of the code opts and
// Config.Render choose (bAAE for bAAA, bAAG for bAAC).
func (m *Memoer) startSure(memo []byte, opts SendOptions) (Rendering, error) {
	e := m.sure
	r := m.render
	if opts.Signer != nil && opts.Signer != r.signer {
		var err error
		if r, err = r.WithSigner(opts.Signer); err != nil {
			return Rendering{}, err
		}
		if r, err = r.sureTwin(); err != nil {
			return Rendering{}, err
		}
		return r.Start(memo)
	}
	e.renderOnce.Do(func() { e.render, e.renderErr = r.sureTwin() })
	if e.renderErr != nil {
		return Rendering{}, e.renderErr
	}
	return e.render.Start(memo)
}

// sureTwin returns r with the Sure variant of its code.
func (r *Renderer) sureTwin() (*Renderer, error) {
	if r.cfg.Code.Sure() {
		return r, nil
	}
	cfg := r.cfg
	cfg.Code |= CodeGramSureZero
	return NewRenderer(cfg)
}
