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
//
// Before a memo is fused in place its grams go to the arena (arena.go),
// and there the read buffer's copy goes too, for grams of at least
// lendChunksMin chunks (uxd's 65,535-byte grams, not UDP's 1,240): the
// memo lends fresh chunks, taken from the free list, for the body of the
// gram it expects next, and a read scatters that body over them. If the
// gram is the one expected, the chunks join the memo's arena from its next
// chunk boundary on, so that such a gram leaves unused at most the part of
// one chunk it starts after, less than an eighth of what it brings; if not,
// they go back to the free list. Lent chunks belong to nobody while the
// read runs (the free list no longer has them and the memo not yet), so
// other readers adding to the memo meanwhile write elsewhere, and the
// arena keeps its slabs mapped until the loan ends (trim).

// loan is the place lent to a scattered read: a region of the memo's
// buffer, or chunks for its arena.
type loan struct {
	grp     *group
	p       *pending
	gn      uint32   // the gram expected
	head    int      // the length of its head
	body    int      // and of its body, unless it is the last
	region  []byte   // where its body goes, in p.flat
	chunks  []*chunk // or where it goes, before p is fused in place
	adopted int      // chunks the gram took; the rest go back to the free list
	base    *byte    // p.flat's or the first chunk's first byte
}

const (
	// maxLentHead bounds the head a loan expects: room for a later gram's
	// head (code, number and mid) in either form, with some to spare.
	maxLentHead = 64
	// lendChunksMin is the default fewest chunks a body needs for its
	// memo to lend chunks; maxLentChunks the most: with the head and the
	// rest of the read buffer, within the 24 iovecs internal/dgram's
	// recvmsg takes at once (a 65,535-byte gram's body takes 16).
	lendChunksMin = 8
	maxLentChunks = 20
	maxLoanParts  = maxLentChunks + 2
)

// lend returns the place of the gram that the most recently active memo
// expects next, if that memo is unsigned and the head's length is known (a
// later gram told it, or a plain zeroth gram's own): in its buffer once it
// is fused in place, else chunks for its arena (lendChunks). The caller
// reads, then hands the loan to takePlaced, and ends it with endLoan,
// holding m.mu for each.
func (r *Reassembler) lend() (loan, bool) {
	grp := r.lru.tail
	if grp == nil || r.cfg.Authic || r.lent != nil || len(grp.signed) != 0 || len(grp.held) != 0 {
		return loan{}, false
	}
	p := grp.unsigned
	if p == nil || p.lay.head == 0 || p.lay.head > maxLentHead || int(p.next) >= p.gc {
		return loan{}, false
	}
	if _, early := p.ooo[p.next]; early {
		return loan{}, false
	}
	if p.flat == nil {
		return r.lendChunks(grp, p)
	}
	off := flatOffset(p.next, p.spans[0].n, p.lay.later)
	end := min(off+p.lay.later, len(p.flat))
	if end <= off {
		return loan{}, false
	}
	l := loan{grp: grp, p: p, gn: p.next, head: p.lay.head, body: p.lay.later, region: p.flat[off:end:end], base: &p.flat[0]}
	r.lent = l.base
	return l, true
}

// lendChunks lends fresh chunks for the body p expects next, if that body
// is long enough to be worth its chunk of its own and the hold cap has
// room for it.
func (r *Reassembler) lendChunks(grp *group, p *pending) (loan, bool) {
	body := p.lay.later
	if body == 0 {
		// Only the zeroth gram is in: hio cuts every gram but the last as
		// long as it, and a later gram's head is as long as a plain
		// zeroth's, so the body is the zeroth's length. A memo cut
		// otherwise misses once.
		body = p.spans[0].n
	}
	k := (body + chunkSize - 1) / chunkSize
	if body < r.lendMin*chunkSize || k > maxLentChunks || r.bytes+k*chunkSize > r.cfg.MaxPendingBytes {
		return loan{}, false
	}
	cs := r.lentChunks[:0]
	for range k {
		cs = append(cs, r.chunk())
	}
	r.lentChunks = cs
	l := loan{grp: grp, p: p, gn: p.next, head: p.lay.head, body: body, chunks: cs, base: &cs[0][0]}
	r.lent = l.base
	return l, true
}

// room is how many body bytes l can take.
func (l *loan) room() int {
	if l.chunks != nil {
		return len(l.chunks) * chunkSize
	}
	return len(l.region)
}

// still reports whether p is where it was when l was lent: in the same
// buffer, or not yet in one of its own.
func (l *loan) still(p *pending) bool {
	if l.chunks != nil {
		return p.flat == nil && len(l.grp.signed) == 0
	}
	return p.flat != nil && &p.flat[0] == l.base
}

// lentAway reports whether p's buffer is lent to a read in progress; while
// it is, nothing but that read's own gram may be written to it.
func (r *Reassembler) lentAway(p *pending) bool {
	return r.lent != nil && !r.placing && p.flat != nil && &p.flat[0] == r.lent
}

// laterHead is the head length of g, an unsigned later gram: no vid, no
// source and no signature, so its fixed overhead in g's form.
func laterHead(g *Gram) int { return formSize(g.Code.textOverhead(), g.Form) }

// endLoan takes back what lend lent: lent chunks the gram did not take go
// back to the free list.
func (r *Reassembler) endLoan(l *loan) {
	if l.chunks != nil {
		r.free = append(r.free, l.chunks[l.adopted:]...)
		clear(r.lentChunks)
		r.lentChunks = r.lentChunks[:0]
	}
	r.lent = nil
}

// takePlaced adds the datagram a scattered read made of l, n bytes from src
// with its head in head and the rest at l's place, if it is the gram l
// expected and its body is all there; placed is false otherwise, and the
// caller puts the datagram together and adds it as usual.
func (r *Reassembler) takePlaced(l *loan, head []byte, n int, src net.Addr) (memo Memo, done, placed bool) {
	if r.lent != l.base || n <= l.head || n-l.head > l.room() {
		return Memo{}, false, false
	}
	now := r.begin()
	p := l.p
	if r.lent != l.base || r.groups[l.grp.key] != l.grp || l.grp.unsigned != p || p.next != l.gn || !l.still(p) {
		return Memo{}, false, false // expired meanwhile
	}
	bodyLen := n - l.head
	if int(l.gn) < p.gc-1 && bodyLen != l.body {
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
	if l.chunks != nil {
		memo, done = r.addLent(l, g, bodyLen)
		return memo, done, true
	}
	g.Body = l.region[:bodyLen]
	r.placing = true
	memo, done, _ = r.addLater(l.grp, l.grp.key, g, src, now)
	r.placing = false
	return memo, done, true
}

// addLent adds the gram whose n body bytes a read put in l's chunks, which
// join the memo's arena from its next chunk boundary on; it is addLater's
// path for an unsigned gram of a memo in the arena, with the body stored
// already. What admit refuses is counted, as Add counts it.
func (r *Reassembler) addLent(l *loan, g *Gram, n int) (Memo, bool) {
	grp, p := l.grp, l.p
	if r.admit(grp, p, l.gn, n) != nil {
		return Memo{}, false
	}
	k := (n + chunkSize - 1) / chunkSize
	grp.used = len(grp.chunks) * chunkSize
	s := span{off: grp.used, n: n}
	grp.chunks = append(grp.chunks, l.chunks[:k]...)
	l.adopted = k
	r.account(grp, k*chunkSize)
	grp.used += n
	r.stats.IntoPlace++
	r.place(grp, p, l.gn, s)
	p.lay.head = laterHead(g)
	memo, done, _ := r.complete(grp, p)
	return memo, done
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
	parts := append(m.rxParts[:0], m.rxHead[:h])
	if l.chunks != nil {
		for _, c := range l.chunks {
			parts = append(parts, c[:])
		}
	} else {
		parts = append(parts, l.region)
	}
	parts = append(parts, buf[min(h+l.room(), len(buf)):])
	n, src, err = sr.ReadScatter(parts)
	now := time.Now()
	m.mu.Lock()
	if err == nil {
		q := &m.rxq
		r := m.sure.rx
		r.batching = false
		m.rx.useTime(now)
		q.placedMemo, q.placedDone, placed = m.rx.takePlaced(&l, m.rxHead[:h], n, src)
		m.rx.useTime(time.Time{})
		if placed {
			r.endBatch(m, now)
		}
	}
	if !placed && err == nil {
		// Not the gram expected: put it together in buf, where its
		// rest already is, before the lent chunks go back.
		n = min(n, len(buf))
		off := 0
		for _, p := range parts[:len(parts)-1] {
			if off >= n {
				break
			}
			off += copy(buf[off:n], p)
		}
	}
	m.rx.endLoan(&l)
	var acks []ackOut
	if placed {
		acks = m.takeAcks(now)
	}
	m.mu.Unlock()
	clear(parts)
	m.into.result(placed)
	if placed {
		m.writeAcks(acks)
		return 0, nil, true, nil
	}
	if err != nil {
		return 0, src, false, err
	}
	return n, src, false, nil
}
