package memo

import (
	"errors"
	"net"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/memogram/memogram/internal/rtt"
	"github.com/memogram/memogram/transport"
)

// The sender side of Sure delivery (docs/sure.md): every unacked gram is
// kept, acks say what arrived, only what is missing is sent again, after a
// retransmission timeout estimated per destination (RFC 6298) or at once
// when acks of later grams show a gram lost (fast retransmit). A window
// bounds the grams in flight to each destination. One state machine serves
// every memo in flight; no goroutine per memo.

// gram states.
const (
	gsFlight uint8 = 1 << iota // sent, not acked, not declared lost
	gsAcked                    // acked (cumulatively or selectively)
	gsLost                     // waiting in its destination's lost list
)

type gramState struct {
	sentAt time.Time
	seq    uint64 // the destination's transmission number of the last send
	tx     uint16 // times sent
	fast   uint8  // acks of later transmissions seen while in flight
	flags  uint8
}

type sureMemo struct {
	mid      MID
	dst      *sureDst
	it       Rendering
	grams    [][]byte // grams[n] once rendered; nil again once acked
	st       []gramState
	count    uint32
	acked    uint32 // grams acked
	cum      uint32
	size     int
	start    time.Time
	deadline time.Time
	retrans  int
	active   time.Time // last send or ack
	queued   bool      // in dst.queue: grams not yet rendered
	finished bool
	writeErr error         // the last transport error writing a gram
	report   bool          // Memoit: report to PopDelivery
	done     chan struct{} // SendSure: closed when finished
	result   Delivery
}

type gramRef struct {
	m   *sureMemo
	n   uint32
	seq uint64 // for out entries: the transmission this entry stands for
}

type sureDst struct {
	key       string
	addr      net.Addr
	est       *rtt.Estimator
	queue     []*sureMemo // memos with grams never sent, in order
	lost      []gramRef   // grams to send again, oldest first
	urgent    []gramRef   // lost grams at their memo's cumulative ack point: sent before the rest
	out       []gramRef   // transmissions, in send order (stale ones skipped)
	inflight  int
	peerWnd   int
	cwnd      float64 // congestion window, grams; 0 until the first send
	ssthresh  float64
	memos     int
	backedOff time.Time
	seq       uint64
}

type sureSender struct {
	mu      sync.Mutex
	cfg     SureConfig
	dsts    map[string]*sureDst
	order   []*sureDst
	next    int // round robin start
	mids    map[MID]*sureMemo
	reports []Delivery
	stats   SureStats
	kick    chan struct{}
	space   chan struct{} // one token per memo slot (blocking sends)
	ack     Ack           // parse scratch
}

func newSureSender(cfg SureConfig) *sureSender {
	s := &sureSender{
		cfg:   cfg,
		dsts:  make(map[string]*sureDst),
		mids:  make(map[MID]*sureMemo),
		kick:  make(chan struct{}, 1),
		space: make(chan struct{}, cfg.MaxMemos),
	}
	return s
}

func (s *sureSender) wake() {
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

func (s *sureSender) dst(addr net.Addr) *sureDst {
	key := addr.Network() + "|" + addr.String()
	d := s.dsts[key]
	if d == nil {
		d = &sureDst{key: key, addr: addr, est: rtt.New(rtt.Config{Initial: s.cfg.InitialRTO, Floor: s.cfg.MinRTO, Ceiling: s.cfg.MaxRTO})}
		s.dsts[key] = d
		s.order = append(s.order, d)
	}
	return d
}

// add puts a memo in flight. Caller holds s.mu.
func (s *sureSender) add(it Rendering, dst net.Addr, size int, now time.Time) *sureMemo {
	d := s.dst(dst)
	n := it.Count()
	sm := &sureMemo{
		mid: it.MID(), dst: d, it: it, count: uint32(n),
		grams: make([][]byte, n), st: make([]gramState, n),
		size: size, start: now, active: now, deadline: now.Add(s.cfg.GiveUp), queued: true,
	}
	if old := s.mids[sm.mid]; old != nil {
		// A repeated mid (a fixed MIDSource): the older memo cannot be
		// told apart from it on the wire any more.
		s.finish(old, now, "superseded by a memo with the same mid")
	}
	s.mids[sm.mid] = sm
	d.queue = append(d.queue, sm)
	d.memos++
	return sm
}

// finish ends a memo: delivered when reason is "". Caller holds s.mu.
func (s *sureSender) finish(sm *sureMemo, now time.Time, reason string) {
	if sm.finished {
		return
	}
	sm.finished = true
	d := sm.dst
	for n := range sm.st {
		if sm.st[n].flags&gsFlight != 0 {
			d.inflight--
		}
		sm.st[n].flags = gsAcked
	}
	sm.grams = nil
	if sm.queued {
		for i, q := range d.queue {
			if q == sm {
				d.queue = append(d.queue[:i], d.queue[i+1:]...)
				break
			}
		}
		sm.queued = false
	}
	d.memos--
	if s.mids[sm.mid] == sm {
		delete(s.mids, sm.mid)
	}
	sm.result = Delivery{MID: sm.mid, Dst: d.addr, Size: sm.size, Grams: int(sm.count), Elapsed: now.Sub(sm.start), Retransmits: sm.retrans}
	if reason != "" {
		sm.result.Err = &NotDeliveredError{MID: sm.mid, Dst: d.addr, Acked: int(sm.acked), Grams: int(sm.count), After: sm.result.Elapsed, Reason: reason, Err: sm.writeErr}
		s.stats.MemosFailed++
	} else {
		s.stats.MemosAcked++
	}
	if sm.report {
		if len(s.reports) >= maxReports {
			s.reports = s.reports[1:]
		}
		s.reports = append(s.reports, sm.result)
	}
	if sm.done != nil {
		close(sm.done)
	}
	if d.memos == 0 && d.inflight == 0 {
		// Keep the estimator: the next memo to this destination starts
		// from what was learnt. Drop only the lists.
		clear(d.lost[:cap(d.lost)])
		clear(d.out[:cap(d.out)])
		clear(d.urgent[:cap(d.urgent)])
		d.lost, d.out, d.urgent = d.lost[:0], d.out[:0], d.urgent[:0]
	}
}

// maxReports bounds the delivery reports PopDelivery has not taken.
const maxReports = 4096

// setFlight marks gram n of sm sent now. Caller holds s.mu.
func (s *sureSender) transmitted(sm *sureMemo, n uint32, now time.Time) {
	d := sm.dst
	g := &sm.st[n]
	if g.flags&gsFlight == 0 {
		d.inflight++
	}
	if g.tx > 0 {
		sm.retrans++
		s.stats.Retransmits++
	}
	d.seq++
	g.flags = gsFlight
	g.sentAt, g.seq, g.fast = now, d.seq, 0
	if g.tx < 0xffff {
		g.tx++
	}
	d.out = append(d.out, gramRef{sm, n, d.seq})
	sm.active = now
}

// reprobe handles a memo that is not complete yet has nothing in flight:
// its receiver dropped grams it had acked selectively (reassembly evicted
// the memo), so they are sent again. SACK is advisory, as in TCP: only
// the cumulative ack lets go of a gram for good.
func (s *sureSender) reprobe(sm *sureMemo, now time.Time) {
	sm.active = now
	if sm.queued {
		return
	}
	for n := sm.cum; n < sm.count; n++ {
		if sm.st[n].flags&(gsFlight|gsLost) != 0 {
			return
		}
	}
	for n := sm.cum; n < sm.count; n++ {
		if sm.st[n].flags&gsAcked != 0 && sm.grams[n] != nil {
			sm.st[n].flags = 0
			sm.acked--
			s.lose(sm, n)
		}
	}
}

// lose declares gram n of sm lost: it is sent again when the window allows.
func (s *sureSender) lose(sm *sureMemo, n uint32) {
	g := &sm.st[n]
	if g.flags&(gsAcked|gsLost) != 0 {
		return
	}
	if g.flags&gsFlight != 0 {
		sm.dst.inflight--
	}
	g.flags = gsLost
	// The gram at the cumulative ack point goes first: until it arrives
	// the receiver can let go of nothing after it, and a zeroth gram's
	// loss leaves it nothing to ack at all (signed later grams wait
	// unverified). Behind a long lost queue it would wait many timeouts,
	// holding the window full (TCP resends the oldest unacked segment first
	// on a timeout for the same reason).
	if n == sm.cum {
		sm.dst.urgent = append(sm.dst.urgent, gramRef{m: sm, n: n})
		return
	}
	sm.dst.lost = append(sm.dst.lost, gramRef{m: sm, n: n})
}

type sureOut struct {
	addr net.Addr
	gram []byte
	m    *sureMemo
	n    uint32
}

// step runs the timers and collects up to max grams that the windows allow.
// It returns when it next needs to run (zero: only on an ack or a new memo).
// Caller holds s.mu.
func (s *sureSender) step(now time.Time, out []sureOut, maxOut int) ([]sureOut, time.Time) {
	var wake time.Time
	soon := func(t time.Time) {
		if wake.IsZero() || t.Before(wake) {
			wake = t
		}
	}
	for _, sm := range s.mids {
		if !now.Before(sm.deadline) {
			s.finish(sm, now, "no ack within the give-up time")
			continue
		}
		soon(sm.deadline)
		if idle := 2 * sm.dst.est.RTO(); now.Sub(sm.active) >= idle {
			s.reprobe(sm, now)
			soon(now.Add(idle))
		}
	}
	for _, d := range s.order {
		s.expire(d, now, soon)
	}
	// Fill windows, destinations in turn.
	nd := len(s.order)
	for progress := true; progress && len(out) < maxOut; {
		progress = false
		for i := range nd {
			d := s.order[(s.next+i)%nd]
			if len(out) >= maxOut {
				break
			}
			if o, ok := s.one(d, now); ok {
				out = append(out, o)
				progress = true
				soon(now.Add(d.est.RTO())) // the timer of what is sent now
			}
		}
	}
	if nd > 0 {
		s.next = (s.next + 1) % nd
	}
	if len(out) >= maxOut {
		soon(now)
	}
	s.gc()
	return out, wake
}

// expire declares lost the grams of d whose retransmission timer ran out.
func (s *sureSender) expire(d *sureDst, now time.Time, soon func(time.Time)) {
	rto := d.est.RTO()
	kept := d.out[:0]
	fired := false
	for _, r := range d.out {
		g := &r.m.st[r.n]
		if r.m.finished || g.flags&gsFlight == 0 || g.seq != r.seq {
			continue // stale
		}
		if due := g.sentAt.Add(rto); !now.Before(due) {
			s.lose(r.m, r.n)
			fired = true
			continue
		} else {
			soon(due)
		}
		kept = append(kept, r)
	}
	clear(d.out[len(kept):])
	d.out = kept
	if fired {
		s.stats.Timeouts++
		// One backoff per timeout period, however many grams' timers
		// ran out in it (RFC 6298 keeps one timer per connection).
		if now.Sub(d.backedOff) >= rto {
			d.est.Backoff()
			d.backedOff = now
			d.congested(s.cfg.Window)
		}
	}
}

// one takes the next gram d's window allows: a lost one first, then the
// next new one.
func (s *sureSender) one(d *sureDst, now time.Time) (sureOut, bool) {
	wnd := d.window(s.cfg.Window)
	if d.peerWnd > 0 {
		wnd = min(wnd, d.peerWnd)
	}
	if d.inflight >= max(wnd, 1) {
		return sureOut{}, false
	}
	for _, q := range []*[]gramRef{&d.urgent, &d.lost} {
		for len(*q) > 0 {
			r := (*q)[0]
			(*q)[0] = gramRef{}
			*q = (*q)[1:]
			if r.m.finished || r.m.st[r.n].flags != gsLost {
				continue
			}
			s.transmitted(r.m, r.n, now)
			return sureOut{d.addr, r.m.grams[r.n], r.m, r.n}, true
		}
	}
	for len(d.queue) > 0 {
		sm := d.queue[0]
		n := uint32(sm.it.gn)
		g, ok := sm.it.Next(make([]byte, 0, sm.it.r.GramSize()))
		if sm.it.Done() {
			d.queue[0] = nil
			d.queue = d.queue[1:]
			sm.queued = false
		}
		if !ok {
			continue
		}
		sm.grams[n] = g
		s.transmitted(sm, n, now)
		return sureOut{d.addr, g, sm, n}, true
	}
	return sureOut{}, false
}

// gc drops destinations with nothing in flight and no memo.
func (s *sureSender) gc() {
	if len(s.order) < 64 {
		return
	}
	kept := s.order[:0]
	for _, d := range s.order {
		if d.memos == 0 && d.inflight == 0 {
			delete(s.dsts, d.key)
			continue
		}
		kept = append(kept, d)
	}
	clear(s.order[len(kept):])
	s.order = kept
}

// unsent puts back grams that step handed out but the transport did not
// take (would block, or a send error): they count as lost.
func (s *sureSender) unsent(outs []sureOut) {
	for _, o := range outs {
		if !o.m.finished {
			s.lose(o.m, o.n)
		}
	}
}

// onAck applies one ack datagram from src. authic requires signed acks
// verified with keep. Caller holds s.mu.
func (s *sureSender) onAck(b []byte, src net.Addr, now time.Time, keep *Keep, authic bool) {
	a := &s.ack
	if err := ParseAck(b, a); err != nil {
		s.stats.AcksIgnored++
		return
	}
	sm := s.mids[a.MID]
	if sm == nil || !sm.fromDst(src, a.Source) || (authic || a.Code.Signed()) && !a.Verify(keep) {
		s.stats.AcksIgnored++
		return
	}
	s.stats.AcksReceived++
	d := sm.dst
	if a.Window > 0 {
		d.peerWnd = int(a.Window)
	}
	if a.Refused {
		s.finish(sm, now, "refused by the receiver")
		return
	}
	// What this ack newly acknowledges; the newest such transmission
	// measures the round trip if it was the gram's only one (Karn).
	var newest uint64
	var sample *gramState
	mark := func(n uint32) {
		g := &sm.st[n]
		if g.flags&gsAcked != 0 {
			return
		}
		if g.flags&gsFlight != 0 {
			d.inflight--
			if g.seq > newest {
				newest = g.seq
				sample = nil
				if g.tx == 1 {
					sample = g
				}
			}
		}
		g.flags = gsAcked
		sm.acked++
		d.opened(s.cfg.Window)
	}
	top := min(a.Cum, sm.count)
	if a.Done {
		top = sm.count
	}
	for n := sm.cum; n < top; n++ {
		mark(n)
	}
	for n := sm.cum; n < top; n++ {
		sm.grams[n] = nil // cumulatively acked: never needed again
	}
	sm.cum = max(sm.cum, top)
	for _, r := range a.Ranges {
		for n := max(r.Start, sm.cum); n < min(r.End, sm.count); n++ {
			mark(n)
		}
	}
	sm.active = now
	if sample != nil {
		d.est.Sample(now.Sub(sample.sentAt), a.Delay)
	} else if newest > 0 {
		d.est.ResetBackoff()
	}
	if sm.acked >= sm.count {
		s.finish(sm, now, "")
	}
	if newest > 0 && s.cfg.FastResend > 0 {
		// Fast retransmit: a gram sent before one that was acked, and
		// passed over by FastResend such acks, is lost.
		for _, r := range d.out {
			if r.seq >= newest {
				break
			}
			g := &r.m.st[r.n]
			if r.m.finished || g.flags&gsFlight == 0 || g.seq != r.seq {
				continue
			}
			// Acks are per memo, and a receiver holds an ack of a memo
			// in progress for a while; only a gram that would complete
			// its memo is acked at once, so only such a gram is passed
			// over by acks of other memos.
			if r.m != sm && r.m.acked+1 < r.m.count {
				continue
			}
			if g.fast++; int(g.fast) >= s.cfg.FastResend {
				s.lose(r.m, r.n)
				s.stats.FastRetransmits++
			}
		}
	}
}

// fromDst reports whether an ack from src (or, without one, carrying
// source) comes from the memo's destination.
func (sm *sureMemo) fromDst(src net.Addr, source string) bool {
	want := sm.dst.addr.String()
	if src != nil {
		return src.String() == want || strings.EqualFold(src.String(), want) && sm.dst.addr.Network() == "wms" // mailslot names ignore case
	}
	return source != "" && strings.EqualFold(source, want)
}

// writeFailed records a transport error writing one of sm's grams. A
// datagram the transport can never take fails the memo at once; any other
// error (a receiver not bound yet, a full buffer) leaves the gram to its
// timer, and the memo's NotDeliveredError carries the last one if it comes
// to that.
func (s *sureSender) writeFailed(sm *sureMemo, err error, now time.Time) {
	sm.writeErr = err
	if errors.Is(err, transport.ErrDatagramTooLarge) || errors.Is(err, syscall.EMSGSIZE) {
		s.finish(sm, now, "send failed")
	}
}

// closeAll fails every memo in flight.
func (s *sureSender) closeAll(now time.Time) {
	for _, sm := range s.mids {
		s.finish(sm, now, "closed")
	}
}

func (s *sureSender) inFlight() int {
	n := 0
	for _, d := range s.order {
		n += d.inflight
	}
	return n
}
