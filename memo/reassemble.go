package memo

import (
	"container/list"
	"crypto/ed25519"
	"net"
	"time"
)

type groupKey struct {
	src string
	mid MID
}

// group is the state of one (source, mid): at most one unsigned memo, signed
// candidate memos by vid, and signed later grams not yet matched to one.
type group struct {
	key      groupKey
	unsigned *pending
	signed   []*pending
	held     []heldGram
	bytes    int
	last     time.Time
	elem     *list.Element
}

type heldGram struct {
	gn        uint32
	signed    []byte // a copy of the signed bytes
	bodyStart int
	sig       [64]byte
}

type pending struct {
	gc       int // 0 until the zeroth gram arrives
	vid      [33]byte
	pub      ed25519.PublicKey // nil for the unsigned memo
	src      net.Addr
	source   string
	carried  bool
	data     []byte            // bodies 0 … next-1, in order
	next     uint32            // the first gram number not in data
	ooo      map[uint32][]byte // bodies that came early
	oooBytes int
}

// mem is what p holds in memory.
func (p *pending) mem() int { return cap(p.data) + p.oooBytes }

// Reassembler parses grams, verifies them and fuses memos, with the robust
// rules of HIO-DEFECTS: memos are keyed by (transport source, mid) and, for
// signed memos, by vid; the first copy of a gram wins; a signed memo takes
// only grams verified under its vid; signed later grams that come before the
// zeroth are held; limits bound memory. It is not safe for concurrent use.
type Reassembler struct {
	cfg    ReceiveConfig
	groups map[groupKey]*group
	lru    list.List // *group, least recently active first
	bytes  int
	recent map[groupKey]struct{}
	ring   []groupKey
	ringAt int
	stats  ReceiveStats
	gram   Gram
	now    time.Time          // of the Add in progress
	alloc  func(n int) []byte // a memo's buffer; nil means make
	pre    *verdict           // a signature check made ahead for the Add in progress (batch.go)
	src    srcKeyCache        // the key of the last source (srckey.go)
}

// NewReassembler returns a receiver with cfg's limits.
func NewReassembler(cfg ReceiveConfig) *Reassembler {
	if cfg.MaxMemoSize <= 0 {
		cfg.MaxMemoSize = DefaultMaxMemoSize
	}
	if cfg.MaxGramCount <= 0 {
		cfg.MaxGramCount = DefaultMaxGramCount
	}
	cfg.MaxGramCount = min(cfg.MaxGramCount, MaxGramCount)
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.MaxPendingBytes <= 0 {
		cfg.MaxPendingBytes = DefaultMaxPendingBytes
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Reassembler{
		cfg:    cfg,
		groups: make(map[groupKey]*group),
		recent: make(map[groupKey]struct{}),
	}
}

// Stats returns the counters so far.
func (r *Reassembler) Stats() ReceiveStats { return r.stats }

// Pending returns the number of memos in progress.
func (r *Reassembler) Pending() int { return len(r.groups) }

// Add takes one datagram from src (nil when the transport reports none) and
// returns the memo it completed, if any. A non-nil error says why the gram
// was dropped; the receiver's state stays consistent either way. Add copies
// what it keeps, so the caller may reuse datagram.
func (r *Reassembler) Add(datagram []byte, src net.Addr) (Memo, bool, error) {
	now := r.cfg.Now()
	r.now = now
	r.expire(now)
	g := &r.gram
	if err := ParseGram(datagram, g); err != nil {
		if err == ErrAckGram {
			r.stats.Rejected.Ack++
		} else {
			r.stats.Rejected.Malformed++
		}
		return Memo{}, false, err
	}
	signed := g.Code.Signed()
	if r.cfg.Authic && !signed {
		r.stats.Rejected.NotSigned++
		return Memo{}, false, ErrNotSigned
	}
	key := groupKey{mid: g.MID}
	if src != nil {
		key.src = r.src.key(src)
	}
	grp := r.groups[key]
	if grp == nil {
		if _, late := r.recent[key]; late {
			r.stats.Rejected.Late++
			return Memo{}, false, ErrLateGram
		}
	}
	if g.Code.Zeroth() {
		return r.addZeroth(grp, key, g, src, now)
	}
	return r.addLater(grp, key, g, src, now)
}

func (r *Reassembler) addZeroth(grp *group, key groupKey, g *Gram, src net.Addr, now time.Time) (Memo, bool, error) {
	gc := int(g.Neck)
	if gc == 0 {
		gc = 1 // a gram count of 0 is hio's S1 defect: the whole memo is in this body
		r.stats.ZeroCount++
	}
	if gc > r.cfg.MaxGramCount {
		r.stats.Rejected.TooLarge++
		return Memo{}, false, errorf(ErrMemoTooLarge, "gram count %d exceeds %d", gc, r.cfg.MaxGramCount)
	}
	if gc == 1 && grp == nil {
		return r.single(key, g, src)
	}
	var p *pending
	if g.Code.Signed() {
		pub, err := r.verify(g, &g.vid)
		if err != nil {
			return Memo{}, false, err
		}
		if grp != nil {
			for _, c := range grp.signed {
				if c.vid == g.vid {
					p = c
				}
			}
		}
		if p == nil {
			if grp != nil && len(grp.signed) >= maxCandidates {
				r.stats.Rejected.Candidates++
				return Memo{}, false, ErrTooManyHeld
			}
			grp = r.ensureGroup(grp, key, now)
			p = &pending{vid: g.vid, src: src}
			// pub may alias the parse buffer, which the next gram
			// overwrites; key the memo from its own copy of the vid.
			p.pub = pub
			if p.vid[0] == 0x04 { // a B vid is its own key
				p.pub = ed25519.PublicKey(p.vid[1:])
			}
			grp.signed = append(grp.signed, p)
		}
	} else {
		if grp != nil && len(grp.signed) > 0 {
			r.stats.Rejected.NotSigned++ // an unsigned gram never joins a signed memo (X1)
			return Memo{}, false, ErrNotSigned
		}
		grp = r.ensureGroup(grp, key, now)
		if grp.unsigned == nil {
			grp.unsigned = &pending{src: src}
		}
		p = grp.unsigned
	}
	if p.gc != 0 {
		r.stats.Rejected.Duplicate++ // first zeroth wins, with its count
		return Memo{}, false, ErrDuplicate
	}
	p.gc = gc
	if s, ok := g.Source(); ok {
		p.source, p.carried = s, true
	}
	for gn, b := range p.ooo { // bodies numbered beyond the count were never part of the memo
		if int(gn) >= gc {
			delete(p.ooo, gn)
			p.oooBytes -= len(b)
			r.account(grp, -len(b))
			r.stats.Rejected.GramNumber++
		}
	}
	if err := r.store(grp, p, 0, g.Body); err != nil {
		return Memo{}, false, err
	}
	if g.Code.Signed() {
		r.adoptHeld(grp, p)
	}
	return r.complete(grp, p)
}

// single delivers a memo of one gram that no other gram of its (source,
// mid) came before: what the general path would do, without building the
// state it would drop again at once. Most memos are like that.
func (r *Reassembler) single(key groupKey, g *Gram, src net.Addr) (Memo, bool, error) {
	m := Memo{Src: src, MID: g.MID}
	if g.Code.Signed() {
		if _, err := r.verify(g, &g.vid); err != nil {
			return Memo{}, false, err
		}
		m.VID = g.VID()
	}
	if len(g.Body) > r.cfg.MaxMemoSize {
		r.stats.Rejected.TooLarge++
		return Memo{}, false, errorf(ErrMemoTooLarge, "more than %d bytes", r.cfg.MaxMemoSize)
	}
	m.Data = append(r.buffer(len(g.Body)), g.Body...)
	if s, ok := g.Source(); ok && m.Src == nil {
		m.Src = r.resolve(s)
	}
	r.remember(key)
	r.stats.Grams++
	r.stats.Memos++
	r.stats.Bytes += uint64(len(m.Data))
	return m, true, nil
}

func (r *Reassembler) addLater(grp *group, key groupKey, g *Gram, src net.Addr, now time.Time) (Memo, bool, error) {
	gn := g.Neck
	if gn == 0 || int(gn) >= r.cfg.MaxGramCount {
		r.stats.Rejected.GramNumber++ // a later code numbered 0 would pre-empt the zeroth body (A8)
		return Memo{}, false, ErrGramNumber
	}
	if !g.Code.Signed() {
		if grp != nil && len(grp.signed) > 0 {
			r.stats.Rejected.NotSigned++
			return Memo{}, false, ErrNotSigned
		}
		grp = r.ensureGroup(grp, key, now)
		if grp.unsigned == nil {
			grp.unsigned = &pending{src: src}
		}
		if err := r.store(grp, grp.unsigned, gn, g.Body); err != nil {
			return Memo{}, false, err
		}
		return r.complete(grp, grp.unsigned)
	}
	if grp != nil {
		for _, p := range grp.signed {
			if r.check(g, p.pub) {
				if err := r.store(grp, p, gn, g.Body); err != nil {
					return Memo{}, false, err
				}
				return r.complete(grp, p)
			}
		}
	}
	// No zeroth gram yet whose key verifies it: hold it (HIO-DEFECTS X2).
	grp = r.ensureGroup(grp, key, now)
	signedCopy := append([]byte(nil), g.Signed...)
	grp.held = append(grp.held, heldGram{gn: gn, signed: signedCopy, bodyStart: len(g.Signed) - len(g.Body), sig: g.Sig})
	r.account(grp, len(signedCopy))
	r.stats.Held++
	r.touch(grp, now)
	r.squeeze(grp)
	return Memo{}, false, nil
}

// verify checks a zeroth signed gram under its own vid.
func (r *Reassembler) verify(g *Gram, vid *[33]byte) (ed25519.PublicKey, error) {
	pub, ok := r.cfg.Keep.verifier(vid)
	if !ok {
		r.stats.Rejected.UnknownSigner++
		return nil, errorf(ErrUnknownSigner, "%s", g.VID())
	}
	if !r.check(g, pub) {
		r.stats.Rejected.BadSignature++
		return nil, ErrBadSignature
	}
	return pub, nil
}

// adoptHeld moves the held grams that verify under p's key into p.
func (r *Reassembler) adoptHeld(grp *group, p *pending) {
	kept := grp.held[:0]
	for _, h := range grp.held {
		if ed25519.Verify(p.pub, h.signed, h.sig[:]) {
			r.account(grp, -len(h.signed))
			_ = r.store(grp, p, h.gn, h.signed[h.bodyStart:])
			continue
		}
		kept = append(kept, h)
	}
	clear(grp.held[len(kept):])
	grp.held = kept
}

// store adds body number gn to p, keeping the first copy.
func (r *Reassembler) store(grp *group, p *pending, gn uint32, body []byte) error {
	switch {
	case p.gc != 0 && int(gn) >= p.gc:
		r.stats.Rejected.GramNumber++
		return ErrGramNumber
	case gn < p.next || p.ooo[gn] != nil:
		r.stats.Rejected.Duplicate++
		return ErrDuplicate
	case len(p.data)+p.oooBytes+len(body) > r.cfg.MaxMemoSize:
		r.stats.Rejected.TooLarge++
		r.remove(grp)
		return errorf(ErrMemoTooLarge, "more than %d bytes", r.cfg.MaxMemoSize)
	}
	r.stats.Grams++
	before := p.mem()
	if gn == p.next {
		if p.data == nil && gn == 0 {
			p.data = r.buffer(r.estimate(p.gc, len(body)))
		}
		p.data = append(p.data, body...)
		p.next++
		for b, ok := p.ooo[p.next]; ok; b, ok = p.ooo[p.next] {
			p.data = append(p.data, b...)
			p.oooBytes -= len(b)
			delete(p.ooo, p.next)
			p.next++
		}
	} else {
		if p.ooo == nil {
			p.ooo = make(map[uint32][]byte)
		}
		p.ooo[gn] = append(make([]byte, 0, max(len(body), 1)), body...) // non-nil marks gn present
		p.oooBytes += len(body)
	}
	r.account(grp, p.mem()-before)
	r.touch(grp, r.now)
	r.squeeze(grp)
	return nil
}

// buffer returns an empty buffer for a memo of about n bytes.
func (r *Reassembler) buffer(n int) []byte {
	if r.alloc != nil {
		return r.alloc(n)
	}
	return make([]byte, 0, n)
}

// estimate sizes a memo's buffer from its zeroth gram, so that a large memo
// is copied once instead of through repeated growth. It trusts the announced
// count only up to MaxMemoSize, and the reservation counts against
// MaxPendingBytes like received bytes do.
func (r *Reassembler) estimate(gc, zeroth int) int {
	if gc <= 1 {
		return zeroth
	}
	// Later grams may carry up to 64 more body bytes than the zeroth gram
	// (no vid, no source).
	return min(r.cfg.MaxMemoSize, gc*(zeroth+64))
}

// complete delivers p if every gram is in.
func (r *Reassembler) complete(grp *group, p *pending) (Memo, bool, error) {
	if p.gc == 0 || int(p.next) < p.gc || r.groups[grp.key] != grp {
		return Memo{}, false, nil
	}
	m := Memo{Data: p.data, Src: p.src, MID: grp.key.mid}
	if m.Data == nil {
		m.Data = []byte{}
	}
	if p.pub != nil {
		m.VID = b64.EncodeToString(p.vid[:])
	}
	if m.Src == nil && p.carried {
		m.Src = r.resolve(p.source)
	}
	r.account(grp, -p.mem())
	if p == grp.unsigned {
		grp.unsigned = nil
	} else {
		for i, c := range grp.signed {
			if c == p {
				grp.signed = append(grp.signed[:i], grp.signed[i+1:]...)
				break
			}
		}
	}
	if grp.unsigned == nil && len(grp.signed) == 0 {
		r.remove(grp)
		r.remember(grp.key)
	}
	r.stats.Memos++
	r.stats.Bytes += uint64(len(m.Data))
	return m, true, nil
}

func (r *Reassembler) resolve(name string) net.Addr {
	if r.cfg.ResolveSource != nil {
		if a, err := r.cfg.ResolveSource(name); err == nil {
			return a
		}
	}
	return SourceAddr(name)
}
