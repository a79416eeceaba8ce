package memo

import "math/bits"

// A memo that has proven itself is fused in place. The arena (arena.go) keeps
// memory proportional to the bytes received, at the price of one more copy
// of every multi-gram memo: into the chunks, then out of them into the
// delivered buffer. Once half of what a memo's grams say it will be has
// arrived, the memo is real enough to be given its own buffer: its bytes so
// far move into it and every later gram is copied straight to its place, so
// that a large memo is copied about one and a half times instead of twice.
//
// In place needs the layout hio's renderer makes: every later gram but the
// last carries the same body length, the last no more. A memo that breaks it
// (legal, but no known sender does it) goes back to the arena, where any cut
// fuses.
//
// The bound still holds: the buffer, at its full capacity, is counted against
// MaxPendingBytes like chunks are, and held at most twice the bytes received
// (times the buffer pool's rounding up). Such buffers are in the Go heap,
// whose collector lets garbage grow as large as the live heap before it
// runs (and gives freed pages back to the system only slowly), so they count
// twice in resident memory: all of them together stay within an eighth of
// MaxPendingBytes, and within what the arena's mapped slabs leave of it
// (roomInPlace), so that resident memory stays within 1.25 × the hold cap
// however an attacker mixes memos.

// inPlaceShare is the part of MaxPendingBytes that in-place buffers may hold.
const inPlaceShare = 8

// layout is what in place needs to know of a memo's grams.
type layout struct {
	later int  // the largest later body so far
	off   bool // in place was ruled out for this memo
	head  int  // the head length of its last unsigned later gram (scatter.go)
}

// noteLater records a later body's length for the in-place decision.
func (p *pending) noteLater(n int) { p.lay.later = max(p.lay.later, n) }

// fuseInPlace moves p into a buffer of its own once it has proven itself.
// It runs after every gram p takes, so what it checks first is cheap.
func (r *Reassembler) fuseInPlace(grp *group, p *pending) {
	if p.flat != nil || p.lay.off || p.gc < 3 || p.next == 0 || p.lay.later == 0 {
		return
	}
	b0, bl := p.spans[0].n, p.lay.later
	full := b0 + (p.gc-1)*bl
	if 2*p.size < full {
		return
	}
	if full > r.cfg.MaxMemoSize || !exclusive(grp, p) {
		p.lay.off = true
		return
	}
	n := inPlaceSize(p, full)
	if !r.roomInPlace(n) {
		return // others hold the share; later grams ask again
	}
	if !p.conforms(b0, bl) {
		p.lay.off = true
		return
	}
	flat := r.buffer(n)[:n]
	if !r.roomInPlace(cap(flat)) { // the buffer came rounded up
		r.giveBack(flat)
		return
	}
	for gn, s := range p.spans {
		p.spans[gn] = r.moveIn(grp, flat, s, flatOffset(uint32(gn), b0, bl))
	}
	for gn, s := range p.ooo {
		p.ooo[gn] = r.moveIn(grp, flat, s, flatOffset(gn, b0, bl))
	}
	// p was the group's only memo and nothing is held for it: its chunks
	// are free now.
	r.account(grp, cap(flat)-len(grp.chunks)*chunkSize)
	r.release(grp)
	r.inPlace += cap(flat)
	p.flat = flat
	r.stats.InPlace++
}

// roomInPlace reports whether n more bytes in place keep within the bound:
// an eighth of MaxPendingBytes in place, and all that in place together
// with the arena's mapped slabs within MaxPendingBytes. The arena keeps what
// it mapped while memos are in progress, so chunks freed by a move in place
// are still resident; without the second rule in-place buffers would come on
// top of an arena that a flood has filled.
func (r *Reassembler) roomInPlace(n int) bool {
	in := r.inPlace + n
	return in <= r.cfg.MaxPendingBytes/inPlaceShare && in+r.slabs.mapped() <= r.cfg.MaxPendingBytes
}

// exclusive reports whether the arena of grp holds nothing but p's bodies.
func exclusive(grp *group, p *pending) bool {
	if len(grp.held) != 0 {
		return false
	}
	if p == grp.unsigned {
		return len(grp.signed) == 0
	}
	return grp.unsigned == nil && len(grp.signed) == 1
}

// conforms reports whether every body p has fits the in-place layout.
func (p *pending) conforms(b0, bl int) bool {
	fits := func(gn uint32, n int) bool {
		switch {
		case gn == 0:
			return n == b0
		case int(gn) < p.gc-1:
			return n == bl
		default:
			return n <= bl
		}
	}
	for gn, s := range p.spans {
		if !fits(uint32(gn), s.n) {
			return false
		}
	}
	for gn, s := range p.ooo {
		if !fits(gn, s.n) {
			return false
		}
	}
	return true
}

func flatOffset(gn uint32, b0, bl int) int {
	if gn == 0 {
		return 0
	}
	return b0 + int(gn-1)*bl
}

// moveIn copies the arena bytes of s to flat at off.
func (r *Reassembler) moveIn(grp *group, flat []byte, s span, off int) span {
	grp.read(flat[off:off], s)
	return span{off: off, n: s.n}
}

// inPlaceSize is the buffer a memo of at most full bytes starts with. Until
// its last gram is in, the memo ends anywhere in that gram's extent; the
// buffer pool rounds sizes up to a power of two, and a memo of exactly a
// power of two (1 MiB, say) would be handed a buffer twice its size. So the
// buffer stops at the power of two the last gram's extent crosses, and grows
// (one copy, what the arena would cost) if the last gram does not fit.
func inPlaceSize(p *pending, full int) int {
	lastStart := full - p.lay.later
	last := uint32(p.gc - 1)
	if int(last) < len(p.spans) {
		return lastStart + p.spans[last].n
	}
	if s, ok := p.ooo[last]; ok {
		return lastStart + s.n
	}
	if c := 1 << bits.Len(uint(lastStart)); c < full {
		return c
	}
	return full
}

// writeInPlace copies body number gn to its place in p's buffer, or reports
// that it does not fit the layout.
func (r *Reassembler) writeInPlace(grp *group, p *pending, gn uint32, body []byte) (span, bool) {
	bl := p.lay.later
	if len(body) > bl || (int(gn) < p.gc-1 && len(body) != bl) {
		return span{}, false
	}
	off := flatOffset(gn, p.spans[0].n, bl) // gram 0 is in: in place starts after it
	if end := off + len(body); end > len(p.flat) && !r.growInPlace(grp, p, end) {
		return span{}, false
	}
	if len(body) > 0 && &body[0] == &p.flat[off] {
		r.stats.IntoPlace++ // read straight to its place (scatter.go)
	} else {
		copy(p.flat[off:], body)
	}
	return span{off: off, n: len(body)}, true
}

// growInPlace gives p a buffer of n bytes, for a last gram that ends past
// the one inPlaceSize chose.
func (r *Reassembler) growInPlace(grp *group, p *pending, n int) bool {
	bigger := r.buffer(n)[:n]
	more := cap(bigger) - cap(p.flat)
	if !r.roomInPlace(more) {
		r.giveBack(bigger)
		return false
	}
	copy(bigger, p.flat)
	r.account(grp, more)
	r.dropInPlace(p)
	r.inPlace += cap(bigger)
	p.flat = bigger
	return true
}

// backToArena moves p's bodies out of its buffer into grp's arena, for a
// gram that breaks the layout.
func (r *Reassembler) backToArena(grp *group, p *pending) {
	for gn, s := range p.spans {
		p.spans[gn] = r.write(grp, p.flat[s.off:s.off+s.n])
	}
	for gn, s := range p.ooo {
		p.ooo[gn] = r.write(grp, p.flat[s.off:s.off+s.n])
	}
	r.account(grp, -cap(p.flat))
	r.dropInPlace(p)
	p.lay.off = true
}

// dropInPlace gives up p's buffer; its bytes are counted elsewhere already.
func (r *Reassembler) dropInPlace(p *pending) {
	if p.flat == nil {
		return
	}
	r.inPlace -= cap(p.flat)
	if r.lent != nil && &p.flat[0] == r.lent {
		// A read may be writing into it (scatter.go): left to the
		// collector, not to the pool, and the loan is void.
		r.lent = nil
	} else {
		r.giveBack(p.flat)
	}
	p.flat = nil
}

// giveBack hands a buffer no memo uses to the Memoer's pool, if there is one.
func (r *Reassembler) giveBack(b []byte) {
	if r.recycle != nil {
		r.recycle(b)
	}
}

// takeInPlace hands p's buffer over as the delivered memo's.
func (r *Reassembler) takeInPlace(grp *group, p *pending) []byte {
	data := p.flat[:p.size]
	r.account(grp, -cap(p.flat))
	r.inPlace -= cap(p.flat)
	p.flat = nil
	return data
}
