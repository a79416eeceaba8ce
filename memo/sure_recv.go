package memo

import (
	"container/list"
	"errors"
	"net"
	"slices"
	"time"
)

// The receiver side of Sure delivery (docs/sure.md): Sure grams are fused
// like any others, and acked, promptly (every AckEvery grams of a memo, at
// once on a gap or completion, otherwise within AckDelay); completed memos
// are remembered per sender, so that grams a sender sends again after its
// final ack was lost are acked again and dropped: each memo is delivered
// exactly once. Only peers that send Sure grams are ever acked.

type ackKey struct {
	src string
	mid MID
}

// owed is an ack a receiver owes.
type owed struct {
	key     ackKey
	addr    net.Addr
	form    Form
	since   time.Time // the oldest unacked gram
	unacked int
	gsize   int // the size of the grams acked, for the window advertisement
}

// surePeer remembers one sender's completed Sure memos.
type surePeer struct {
	key  string
	done map[MID]net.Addr // where to ack a duplicate (mailslots: the carried source)
	ring []MID
	at   int
	elem *list.Element
}

type ackOut struct {
	addr net.Addr
	gram []byte
}

type sureRecv struct {
	cfg   SureConfig
	peers map[string]*surePeer
	lru   list.List // *surePeer, least recently completed first
	owed  map[ackKey]*owed
	due   []*owed
	out   []ackOut // acks to write once the lock is released
	stats SureStats
	gram  Gram
	ack   Ack
	buf   []int
	armed bool
	timer *time.Timer
	// batching holds back the acks AckEvery would send while more datagrams
	// of the batch being read wait: endBatch sends them, one per memo
	// instead of one per AckEvery grams.
	batching bool
}

func newSureRecv(cfg SureConfig) *sureRecv {
	return &sureRecv{cfg: cfg, peers: make(map[string]*surePeer), owed: make(map[ackKey]*owed)}
}

// completed reports whether src already delivered mid, and where to ack it.
func (r *sureRecv) completed(src string, mid MID) (net.Addr, bool) {
	p := r.peers[src]
	if p == nil {
		return nil, false
	}
	a, ok := p.done[mid]
	return a, ok
}

// remember records a completed Sure memo of src.
func (r *sureRecv) remember(src string, mid MID, addr net.Addr) {
	p := r.peers[src]
	if p == nil {
		for len(r.peers) >= r.cfg.Peers {
			old := r.lru.Front().Value.(*surePeer)
			r.lru.Remove(old.elem)
			delete(r.peers, old.key)
			r.stats.Forgotten += uint64(len(old.done))
			r.stats.Remembered -= len(old.done)
		}
		p = &surePeer{key: src, done: make(map[MID]net.Addr)}
		p.elem = r.lru.PushBack(p)
		r.peers[src] = p
	} else {
		r.lru.MoveToBack(p.elem)
	}
	if _, ok := p.done[mid]; ok {
		return
	}
	if len(p.ring) < r.cfg.Remember {
		p.ring = append(p.ring, mid)
	} else {
		delete(p.done, p.ring[p.at])
		r.stats.Forgotten++
		r.stats.Remembered--
		p.ring[p.at] = mid
		p.at = (p.at + 1) % len(p.ring)
	}
	p.done[mid] = addr
	r.stats.Remembered++
}

// input takes one Sure datagram: it drops the grams of a memo already
// delivered, fuses the rest and decides when to ack. Caller holds m.mu; the
// acks to write are left in r.out.
func (r *sureRecv) input(m *Memoer, data []byte, src net.Addr, now time.Time) (Memo, bool) {
	g := &r.gram
	if ParseGram(data, g) != nil {
		memo, done, _ := m.rx.Add(data, src) // counts the reject
		return memo, done
	}
	key := ackKey{mid: g.MID}
	if src != nil {
		key.src = src.String()
	}
	form := g.Form
	if addr, ok := r.completed(key.src, g.MID); ok {
		r.stats.Duplicates++
		if src != nil {
			addr = src
		}
		r.owe(m, key, addr, form, len(data), now, true)
		return Memo{}, false
	}
	memo, done, err := m.rx.Add(data, src)
	addr := src
	switch {
	case done:
		if addr == nil {
			addr = memo.Src
		}
		r.remember(key.src, g.MID, addr)
		r.owe(m, key, addr, form, len(data), now, true)
		return memo, true
	case err == nil, errors.Is(err, ErrDuplicate), errors.Is(err, ErrLateGram):
		if addr == nil {
			addr = r.carried(m, key)
		}
		if addr != nil {
			r.owe(m, key, addr, form, len(data), now, errors.Is(err, ErrDuplicate))
		}
	case errors.Is(err, ErrMemoTooLarge), errors.Is(err, ErrNotSigned):
		if addr == nil {
			addr = r.carried(m, key)
		}
		if addr != nil {
			r.stats.Refused++
			r.send(m, Ack{MID: g.MID, Refused: true}, addr, form)
		}
	}
	return memo, done
}

// carried returns the address a memo's zeroth gram carried, for transports
// without source addresses.
func (r *sureRecv) carried(m *Memoer, key ackKey) net.Addr {
	grp := m.rx.groups[groupKey(key)]
	if grp == nil {
		return nil
	}
	for _, p := range append([]*pending{grp.unsigned}, grp.signed...) {
		if p != nil && p.carried {
			return m.rx.resolve(p.source)
		}
	}
	return nil
}

// owe notes that a gram of key arrived; the ack goes out at once when now
// is set, the memo has a gap, or AckEvery grams wait, else within AckDelay.
func (r *sureRecv) owe(m *Memoer, key ackKey, addr net.Addr, form Form, size int, t time.Time, now bool) {
	o := r.owed[key]
	if o == nil {
		o = &owed{key: key, addr: addr, form: form, since: t, gsize: size}
		r.owed[key] = o
		r.due = append(r.due, o)
	}
	o.unacked++
	if now || !r.batching && o.unacked >= r.cfg.AckEvery || r.hasGap(m, key) {
		r.flushOne(m, o, t)
	}
}

// endBatch sends the acks held back while a batch was read: those of memos
// with AckEvery grams or more unacked.
func (r *sureRecv) endBatch(m *Memoer, now time.Time) {
	r.batching = false
	for _, o := range r.due {
		if o.unacked >= r.cfg.AckEvery {
			r.flushOne(m, o, now)
		}
	}
}

// hasGap reports whether the memo in progress has grams beyond a missing one.
func (r *sureRecv) hasGap(m *Memoer, key ackKey) bool {
	grp := m.rx.groups[groupKey(key)]
	if grp == nil {
		return false
	}
	p := pick(grp)
	return p != nil && len(p.ooo) > 0
}

// pick chooses the memo of a group that acks describe: the unsigned one, or
// the signed one whose zeroth gram arrived.
func pick(grp *group) *pending {
	if grp.unsigned != nil {
		return grp.unsigned
	}
	for _, p := range grp.signed {
		if p.gc != 0 {
			return p
		}
	}
	return nil
}

// flushOne renders the ack o is owed now.
func (r *sureRecv) flushOne(m *Memoer, o *owed, now time.Time) {
	delete(r.owed, o.key)
	o.unacked = -1 // marks it flushed for the due list
	a := &r.ack
	*a = Ack{MID: o.key.mid, Ranges: a.Ranges[:0], Delay: now.Sub(o.since)}
	if _, ok := r.completed(o.key.src, o.key.mid); ok {
		a.Done = true
	} else if grp := m.rx.groups[groupKey(o.key)]; grp != nil {
		p := pick(grp)
		if p == nil {
			return // only unverified grams so far: nothing to say
		}
		a.Cum = p.next
		r.buf = r.buf[:0]
		for n := range p.ooo {
			r.buf = append(r.buf, int(n))
		}
		slices.Sort(r.buf)
		for _, n := range r.buf {
			u := uint32(n)
			if k := len(a.Ranges); k > 0 && a.Ranges[k-1].End == u {
				a.Ranges[k-1].End++
			} else if k < MaxAckRanges {
				a.Ranges = append(a.Ranges, AckRange{u, u + 1})
			} else {
				break
			}
		}
		free := m.rx.cfg.MaxPendingBytes - m.rx.bytes
		a.Window = uint16(min(0xffff, max(1, free/max(1, o.gsize))))
	} else if _, late := m.rx.recent[groupKey(o.key)]; late {
		a.Done = true
	} else {
		return // evicted or never accepted
	}
	r.send(m, *a, o.addr, o.form)
}

func (r *sureRecv) send(m *Memoer, a Ack, addr net.Addr, form Form) {
	g, err := AppendAck(nil, &a, form, m.render.cfg.Source, m.render.signer)
	if err != nil {
		return
	}
	r.stats.AcksSent++
	r.out = append(r.out, ackOut{addr, g})
}

// flush renders the acks whose delay ran out (all of them when force) and
// returns when the next one is due (zero: none owed).
func (r *sureRecv) flush(m *Memoer, now time.Time, force bool) time.Time {
	kept := r.due[:0]
	var next time.Time
	for _, o := range r.due {
		if o.unacked < 0 {
			continue
		}
		due := o.since.Add(r.cfg.AckDelay)
		if force || !now.Before(due) {
			r.flushOne(m, o, now)
			continue
		}
		if next.IsZero() || due.Before(next) {
			next = due
		}
		kept = append(kept, o)
	}
	clear(r.due[len(kept):])
	r.due = kept
	return next
}

func (r *sureRecv) take() []ackOut {
	out := r.out
	r.out = nil
	return out
}
