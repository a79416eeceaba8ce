package memo

import (
	"net"
	"time"

	"github.com/memogram/memogram/transport"
)

// Receiving into place. Once a memo is fused in place (flat.go), each of its
// later grams is still copied twice: by the kernel into the read buffer, and
// from there to its place in the memo's buffer. Over a
// transport.ScatterReader the second copy goes: before a read, the memo most
// recently added to lends the place of the gram it expects next, and the
// read puts the datagram's head in a buffer of its own and the body straight
// there (recvmsg's iovecs), anything longer after them in the read buffer.
// If what arrives is that gram (its head parses as the memo's next unsigned
// gram, from the same source, with a body of the expected length), it is
// added where it lies; if not, it is put together in the read buffer with a
// short copy and added as any datagram is. A run of misses (senders
// interleaving) makes Receive stop lending for a while, so that they cost
// little.
//
// A lent place is never handed to anyone else while the read may write into
// it: if another reader (the Sure pump) adds to that memo meanwhile, the memo
// goes back to the arena first, and a buffer that is let go while lent is
// left to the collector instead of being given to the buffer pool.

// loan is the place lent to a scattered read.
type loan struct {
	grp    *group
	p      *pending
	gn     uint32 // the gram expected
	head   int    // the length of its head
	region []byte // where its body goes, in p.flat
	base   *byte  // p.flat's first byte
}

// maxLentHead bounds the head a loan expects: room for a later gram's
// head (code, number and mid) in either form, with some to spare.
const maxLentHead = 64

// lend returns the place of the gram that the most recently active memo
// expects next, if that memo is unsigned, fused in place and has had a
// later gram to take the head's length from. The caller reads, then hands
// the loan to takePlaced, and ends it with endLoan, holding m.mu for each.
func (r *Reassembler) lend() (loan, bool) {
	grp := r.lru.tail
	if grp == nil || r.cfg.Authic || r.lent != nil || len(grp.signed) != 0 || len(grp.held) != 0 {
		return loan{}, false
	}
	p := grp.unsigned
	if p == nil || p.flat == nil || p.lay.head == 0 || p.lay.head > maxLentHead || int(p.next) >= p.gc {
		return loan{}, false
	}
	if _, early := p.ooo[p.next]; early {
		return loan{}, false
	}
	off := flatOffset(p.next, p.spans[0].n, p.lay.later)
	end := min(off+p.lay.later, len(p.flat))
	if end <= off {
		return loan{}, false
	}
	l := loan{grp: grp, p: p, gn: p.next, head: p.lay.head, region: p.flat[off:end:end], base: &p.flat[0]}
	r.lent = l.base
	return l, true
}

// lentAway reports whether p's buffer is lent to a read in progress; while
// it is, nothing but that read's own gram may be written to it.
func (r *Reassembler) lentAway(p *pending) bool {
	return r.lent != nil && !r.placing && p.flat != nil && &p.flat[0] == r.lent
}

// laterHead is the head length of g, an unsigned later gram: no vid, no
// source and no signature, so its fixed overhead in g's form.
func laterHead(g *Gram) int { return formSize(g.Code.textOverhead(), g.Form) }

// endLoan takes back what lend lent.
func (r *Reassembler) endLoan() { r.lent = nil }

// takePlaced adds the datagram a scattered read made of l, n bytes from src
// with its head in head and the rest at l.region, if it is the gram l
// expected and its body is all there; placed is false otherwise, and the
// caller puts the datagram together and adds it as usual.
func (r *Reassembler) takePlaced(l *loan, head []byte, n int, src net.Addr) (memo Memo, done, placed bool) {
	if r.lent != l.base || n <= l.head || n-l.head > len(l.region) {
		return Memo{}, false, false
	}
	now := r.begin()
	p := l.p
	if r.lent != l.base || r.groups[l.grp.key] != l.grp || l.grp.unsigned != p || p.flat == nil || &p.flat[0] != l.base || p.next != l.gn {
		return Memo{}, false, false // expired meanwhile
	}
	body := l.region[:n-l.head]
	if int(l.gn) < p.gc-1 && len(body) != p.lay.later {
		return Memo{}, false, false
	}
	g := &r.gram
	if ParseGram(head, g) != nil || len(g.Body) != 0 || g.Code.Zeroth() || g.Code.Signed() || g.Code.Sure() || g.Code.Ack() ||
		g.MID != l.grp.key.mid || g.Neck != l.gn {
		return Memo{}, false, false
	}
	var from string
	if src != nil {
		from = r.src.key(src)
	}
	if from != l.grp.key.src {
		return Memo{}, false, false
	}
	g.Body = body
	r.placing = true
	memo, done, _ = r.addLater(l.grp, l.grp.key, g, src, now)
	r.placing = false
	return memo, done, true
}

// intoPlace decides when Receive lends: after two misses in a row it
// stops for a number of reads that doubles with each further miss.
type intoPlace struct{ miss, skip int }

func (x *intoPlace) want() bool {
	if x.skip > 0 {
		x.skip--
		return false
	}
	return true
}

func (x *intoPlace) result(hit bool) {
	if hit {
		x.miss = 0
		return
	}
	x.miss++
	if x.miss >= 2 {
		x.skip = 1 << min(x.miss, 10)
	}
}

// readIntoPlace is readBatch's read through sr: into the place a memo
// lends when there is one, else into buf. placed reports a datagram added
// where it lies, with its result in m.rxq; otherwise the datagram is in
// buf[:n], to add as usual.
func (m *Memoer) readIntoPlace(sr transport.ScatterReader, buf []byte) (n int, src net.Addr, placed bool, err error) {
	m.mu.Lock()
	l, ok := m.rx.lend()
	m.mu.Unlock()
	if !ok {
		n, src, err = m.conn.ReadFrom(buf)
		return n, src, false, err
	}
	h := l.head
	parts := [3][]byte{m.rxHead[:h], l.region, buf[h+len(l.region):]}
	n, src, err = sr.ReadScatter(parts[:])
	now := time.Now()
	m.mu.Lock()
	if err == nil {
		q := &m.rxq
		r := m.sure.rx
		r.batching = false
		q.placedMemo, q.placedDone, placed = m.rx.takePlaced(&l, m.rxHead[:h], n, src)
		if placed {
			r.endBatch(m, now)
		}
	}
	m.rx.endLoan()
	var acks []ackOut
	if placed {
		acks = m.takeAcks(now)
	}
	m.mu.Unlock()
	m.into.result(placed)
	if placed {
		m.writeAcks(acks)
		return 0, nil, true, nil
	}
	if err != nil {
		return 0, src, false, err
	}
	// Not the gram expected: put it together in buf, where the rest of it
	// already is.
	copy(buf, m.rxHead[:min(n, h)])
	if n > h {
		copy(buf[h:], l.region[:min(n-h, len(l.region))])
	}
	return n, src, false, nil
}
