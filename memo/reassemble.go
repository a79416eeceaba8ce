package memo

import (
	"crypto/ed25519"
	"net"
	"runtime"
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
	chunks   []*chunk // the arena of every gram kept for the group (arena.go)
	used     int      // bytes written to chunks
	bytes    int      // what the group counts against MaxPendingBytes
	last     time.Time
	// prev and next link the groups least recently active first
	// (recycle.go); listed says the group is in that list.
	prev, next *group
	listed     bool
}

type heldGram struct {
	gn        uint32
	signed    span // the signed bytes, in the group's arena
	bodyStart int
	sig       [64]byte
}

type pending struct {
	gc      int // 0 until the zeroth gram arrives
	vid     [33]byte
	pub     ed25519.PublicKey // nil for the unsigned memo
	src     net.Addr
	source  string
	carried bool
	spans   []span          // bodies 0 … next-1, in order, in the group's arena
	next    uint32          // the first gram number not in spans
	ooo     map[uint32]span // bodies that came early
	size    int             // body bytes in spans and ooo
	flat    []byte          // the memo's own buffer once it is fused in place (flat.go); spans then point into it
	lay     layout
}

// Reassembler parses grams, verifies them and fuses memos, with the robust
// rules of HIO-DEFECTS: memos are keyed by (transport source, mid) and, for
// signed memos, by vid; the first copy of a gram wins; a signed memo takes
// only grams verified under its vid; signed later grams that come before the
// zeroth are held; limits bound memory. It is not safe for concurrent use.
type Reassembler struct {
	cfg    ReceiveConfig
	groups map[groupKey]*group
	lru    groupList // least recently active first
	bytes  int
	recent map[groupKey]struct{}
	ring   []groupKey
	ringAt int
	stats  ReceiveStats
	gram   Gram
	now    time.Time // of the Add in progress
	// at, when set (useTime), is the time of the next Adds, read once for
	// a batch of datagrams by a Memoer (batch.go, scatter.go) where the
	// clock is the wall clock (wall): a clock reading per gram cost a
	// tenth of a UDP receiver's time.
	at     time.Time
	wall   bool
	alloc  func(n int) []byte // a memo's buffer; nil means make
	pre    *verdict           // a signature check made ahead for the Add in progress (batch.go)
	src    srcKeyCache        // the key of the last source (srckey.go)
	free   []*chunk           // chunks for reuse (arena.go)
	slabs  *slabSet           // where chunks come from
	replay replayMemory       // delivered signed memos by (vid, mid) (replay.go)
	verbuf []byte             // a held gram's signed bytes, made contiguous to verify
	// inPlace is the capacity of the buffers memos are fused in (flat.go);
	// recycle takes back one whose memo went; nil drops it.
	inPlace int
	recycle func([]byte)
	// lent is the first byte of the buffer whose next gram's place a
	// scattered read holds (scatter.go), placing true while that gram is
	// added.
	lent    *byte
	placing bool
	// lentChunks are the chunks lent, lendMin the fewest a body needs for
	// them to be lent (lendChunksMin; tests lower it).
	lentChunks []*chunk
	lendMin    int
	// retired groups go spare at the next Add (recycle.go).
	retired, spareGroups         []*group
	retiredPending, sparePending []*pending
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
	wall := cfg.Now == nil
	if wall {
		cfg.Now = time.Now
	}
	if cfg.ReplayWindow == 0 {
		cfg.ReplayWindow = DefaultReplayWindow
	}
	if cfg.ReplayPerVID <= 0 {
		cfg.ReplayPerVID = DefaultReplayPerVID
	}
	if cfg.ReplayMax <= 0 {
		cfg.ReplayMax = DefaultReplayMax
	}
	r := &Reassembler{
		cfg:        cfg,
		groups:     make(map[groupKey]*group),
		recent:     make(map[groupKey]struct{}),
		slabs:      new(slabSet),
		replay:     newReplayMemory(&cfg),
		lentChunks: make([]*chunk, 0, maxLentChunks),
		lendMin:    lendChunksMin,
		wall:       wall,
	}
	// Slabs outside the Go heap are given back when r is collected.
	runtime.AddCleanup(r, func(s *slabSet) { s.unmap(0) }, r.slabs)
	return r
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
	now := r.begin()
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

// useTime has the Adds that follow take now, a reading of the wall clock
// the caller made for a batch of datagrams, if r's clock is the wall clock;
// the zero time has them read the clock again.
func (r *Reassembler) useTime(now time.Time) {
	if r.wall {
		r.at = now
	}
}

// begin starts an Add: its time, what the last one retired made spare,
// idle memos expired.
func (r *Reassembler) begin() time.Time {
	now := r.at
	if now.IsZero() {
		now = r.cfg.Now()
	}
	r.now = now
	r.reuseRetired()
	r.expire(now)
	return now
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
		if err := r.fresh(g); err != nil {
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
			p = r.newPending(src)
			p.vid = g.vid
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
			grp.unsigned = r.newPending(src)
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
	for gn, s := range p.ooo { // bodies numbered beyond the count were never part of the memo
		if int(gn) >= gc {
			delete(p.ooo, gn)
			p.size -= s.n // its bytes stay in the arena until the group goes
			r.stats.Rejected.GramNumber++
		}
	}
	if err := r.store(grp, p, 0, g.Body); err != nil {
		return Memo{}, false, err
	}
	if g.Code == CodeGramZero && p.lay.head == 0 {
		// Its later grams are bAAB, heads as long as its own (scatter.go).
		p.lay.head = formSize(CodeGram.textOverhead(), g.Form)
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
		if err := r.fresh(g); err != nil {
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
	if g.Code.Signed() {
		r.replay.add(&g.vid, g.MID, r.now)
	}
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
			grp.unsigned = r.newPending(src)
		}
		p := grp.unsigned
		if err := r.store(grp, p, gn, g.Body); err != nil {
			return Memo{}, false, err
		}
		p.lay.head = laterHead(g) // a loan expects the next gram's head to be as long (scatter.go)
		return r.complete(grp, p)
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
	grp.held = append(grp.held, heldGram{gn: gn, signed: r.write(grp, g.Signed), bodyStart: len(g.Signed) - len(g.Body), sig: g.Sig})
	r.account(grp, spanOverhead)
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
		if r.groups[grp.key] != grp {
			return // evicted by what was adopted before
		}
		r.verbuf = grp.read(r.verbuf[:0], h.signed)
		if ed25519.Verify(p.pub, r.verbuf, h.sig[:]) {
			body := span{off: h.signed.off + h.bodyStart, n: h.signed.n - h.bodyStart}
			if r.admit(grp, p, h.gn, body.n) == nil {
				r.place(grp, p, h.gn, body)
			}
			continue
		}
		kept = append(kept, h)
	}
	clear(grp.held[len(kept):])
	grp.held = kept
}

// store adds body number gn to p, keeping the first copy.
func (r *Reassembler) store(grp *group, p *pending, gn uint32, body []byte) error {
	if err := r.admit(grp, p, gn, len(body)); err != nil {
		return err
	}
	if p.flat != nil {
		if !r.lentAway(p) {
			if s, ok := r.writeInPlace(grp, p, gn, body); ok {
				r.place(grp, p, gn, s)
				return nil
			}
		}
		r.backToArena(grp, p)
	}
	r.place(grp, p, gn, r.write(grp, body))
	return nil
}

// admit says whether body number gn of n bytes may join p.
func (r *Reassembler) admit(grp *group, p *pending, gn uint32, n int) error {
	switch {
	case p.gc != 0 && int(gn) >= p.gc:
		r.stats.Rejected.GramNumber++
		return ErrGramNumber
	case gn < p.next:
		r.stats.Rejected.Duplicate++
		return ErrDuplicate
	case p.size+n > r.cfg.MaxMemoSize:
		r.stats.Rejected.TooLarge++
		r.remove(grp)
		return errorf(ErrMemoTooLarge, "more than %d bytes", r.cfg.MaxMemoSize)
	}
	if _, dup := p.ooo[gn]; dup {
		r.stats.Rejected.Duplicate++
		return ErrDuplicate
	}
	return nil
}

// place records body number gn of p, which admit let in and write stored.
func (r *Reassembler) place(grp *group, p *pending, gn uint32, s span) {
	r.stats.Grams++
	p.size += s.n
	if gn != 0 {
		p.noteLater(s.n)
	}
	if gn == p.next {
		p.spans = append(p.spans, s)
		p.next++
		for s, ok := p.ooo[p.next]; ok; s, ok = p.ooo[p.next] {
			p.spans = append(p.spans, s)
			delete(p.ooo, p.next)
			p.next++
		}
	} else {
		if p.ooo == nil {
			p.ooo = make(map[uint32]span)
		}
		p.ooo[gn] = s
	}
	r.account(grp, spanOverhead)
	r.fuseInPlace(grp, p)
	r.touch(grp, r.now)
	r.squeeze(grp)
}

// buffer returns an empty buffer for a memo of n bytes.
func (r *Reassembler) buffer(n int) []byte {
	if r.alloc != nil {
		return r.alloc(n)
	}
	return make([]byte, 0, n)
}

// complete delivers p if every gram is in.
func (r *Reassembler) complete(grp *group, p *pending) (Memo, bool, error) {
	if p.gc == 0 || int(p.next) < p.gc || r.groups[grp.key] != grp {
		return Memo{}, false, nil
	}
	m := Memo{Src: p.src, MID: grp.key.mid}
	if r.lentAway(p) {
		r.backToArena(grp, p) // a read may still write into the buffer
	}
	if p.flat != nil {
		m.Data = r.takeInPlace(grp, p)
	} else {
		m.Data = r.buffer(p.size)
		for _, s := range p.spans {
			m.Data = grp.read(m.Data, s)
		}
	}
	if p.pub != nil {
		m.VID = b64.EncodeToString(p.vid[:])
		r.replay.add(&p.vid, grp.key.mid, r.now)
	}
	if m.Src == nil && p.carried {
		m.Src = r.resolve(p.source)
	}
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
	r.retirePending(p)
	if grp.unsigned == nil && len(grp.signed) == 0 {
		// Held grams left now verified under no signer of this mid: forged,
		// or another vid's (X3). They go with the group; count them.
		r.stats.Rejected.BadSignature += uint64(len(grp.held))
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
