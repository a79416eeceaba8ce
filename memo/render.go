package memo

import (
	"crypto/ed25519"
	"unicode/utf8"
)

// Limits from hio (docs/protocol.md §14).
const (
	// MaxGramSize is the largest gram hio's memo layer and unix-socket and
	// mailslot transports use, and the default gram size.
	MaxGramSize = 65535
	// MaxGramCount is the largest neck value.
	MaxGramCount = 1<<24 - 1
	// MaxMemoSize is hio's absolute memo limit, (2^30 − 1) × 4 + 8.
	MaxMemoSize = (1<<30-1)*4 + 8
	// MaxSourceSize bounds the carried source address of a source gram, in
	// UTF-8 bytes (docs/source-grams.md).
	MaxSourceSize = 255
)

// RenderConfig configures how memos are cut into grams.
type RenderConfig struct {
	// Code is the zeroth code: CodeGramZero (default), CodeGramAuthZero,
	// CodeGramSureZero or CodeGramSureAuthZero. With a Signer and no Code,
	// CodeGramAuthZero.
	Code Code
	// Form selects text (default) or binary ("curt") heads.
	Form Form
	// GramSize is the largest gram to produce; 0 means MaxGramSize. Like
	// hio, a size below the code's minimum is raised to it; unlike hio, a
	// size above MaxTransport is refused (HIO-DEFECTS S4).
	GramSize int
	// MaxTransport is the largest datagram the transport carries; 0 means
	// MaxGramSize.
	MaxTransport int
	// Signer signs every gram; required for signed codes.
	Signer *Signer
	// Source, when not empty, is carried in each zeroth gram with the
	// source-carrying variant of Code (sAAA…), for transports that deliver
	// no sender address. Never send these to hio peers.
	Source string
	// FillBinary fills later binary grams up to GramSize. hio under-fills
	// them (HIO-DEFECTS S2); receivers accept either, but only the default
	// reproduces hio's bytes.
	FillBinary bool
	// MIDs yields the raw bytes of each memo's mid; nil means RandomMID.
	MIDs MIDSource
}

// Renderer cuts memos into grams. It is immutable after NewRenderer and safe
// for concurrent use.
type Renderer struct {
	zc, nc   Code
	form     Form
	size     int
	zbz, nbz int // body capacity of the zeroth and of later grams
	signer   *Signer
	source   []byte // the carried source field, encoded in form
	mids     MIDSource
	cfg      RenderConfig // as given, with Code resolved: for WithSigner
}

// MinGramSize returns hio's minimum gram size for a zeroth code and form:
// the zeroth overhead plus one body byte (33, 25, 165, 124).
func MinGramSize(zc Code, f Form) int {
	return formSize(zc.WithoutSource().textOverhead(), f) + 1
}

func formSize(text int, f Form) int {
	if f == Binary {
		return text * 3 / 4
	}
	return text
}

// NewRenderer validates cfg. Every size problem is reported here, not when a
// memo is cut.
func NewRenderer(cfg RenderConfig) (*Renderer, error) {
	zc := cfg.Code
	if zc == 0 && cfg.Signer != nil {
		zc = CodeGramAuthZero
	}
	if !zc.Valid() || !zc.Zeroth() || zc.CarriesSource() {
		return nil, errorf(ErrBadCode, "%s is not a zeroth code", zc)
	}
	if zc.Signed() && cfg.Signer == nil {
		return nil, errorf(ErrNoSigner, "code %s", zc)
	}
	if !zc.Signed() && cfg.Signer != nil {
		return nil, errorf(ErrBadCode, "code %s is unsigned but a signer is set", zc)
	}
	if cfg.Form > Binary {
		return nil, errorf(ErrBadCode, "unknown form %d", cfg.Form)
	}
	r := &Renderer{zc: zc, nc: zc.Pair(), form: cfg.Form, signer: cfg.Signer, mids: cfg.MIDs}
	r.cfg = cfg
	r.cfg.Code = zc
	if r.mids == nil {
		r.mids = RandomMID
	}
	maxT := cfg.MaxTransport
	if maxT <= 0 {
		maxT = MaxGramSize
	}
	r.size = cfg.GramSize
	if r.size == 0 {
		r.size = min(MaxGramSize, maxT)
	}
	if r.size > maxT || r.size > MaxGramSize {
		return nil, errorf(ErrGramSize, "gram size %d exceeds the maximum of %d", r.size, min(maxT, MaxGramSize))
	}
	zo := formSize(zc.textOverhead(), cfg.Form)
	if cfg.Source != "" {
		if len(cfg.Source) > MaxSourceSize || !utf8.ValidString(cfg.Source) {
			return nil, errorf(ErrSourceTooLong, "source %q: at most %d bytes of UTF-8", cfg.Source, MaxSourceSize)
		}
		r.zc = zc.WithSource()
		r.source = appendSource(nil, []byte(cfg.Source), cfg.Form)
		zo += len(r.source)
	}
	// hio raises a small size to the minimum (docs/protocol.md §6.1).
	r.size = max(r.size, zo+1)
	if r.size > maxT || r.size > MaxGramSize {
		return nil, errorf(ErrGramSize, "the zeroth overhead of %d bytes leaves no room for a body in %d-byte grams", zo, min(maxT, MaxGramSize))
	}
	no := r.nc.textOverhead()
	if cfg.Form == Binary && cfg.FillBinary {
		no = formSize(no, Binary)
	}
	r.zbz, r.nbz = r.size-zo, r.size-no
	if r.nbz < 1 {
		return nil, errorf(ErrGramSize, "gram size %d leaves no body room in later %s grams of code %s (hio-compatible cut; FillBinary allows down to %d)",
			r.size, cfg.Form, r.nc, formSize(r.nc.textOverhead(), Binary)+1)
	}
	return r, nil
}

// appendSource encodes a carried source: its byte length as a neck, then the
// bytes padded with zeros to a multiple of 3, in the given form.
func appendSource(dst, src []byte, f Form) []byte {
	n := neckBytes(uint32(len(src)))
	padded := make([]byte, 3+(len(src)+2)/3*3)
	copy(padded, n[:])
	copy(padded[3:], src)
	if f == Binary {
		return append(dst, padded...)
	}
	return encodeQuads(dst, padded)
}

// WithSigner returns a renderer like r whose memos are signed by s, or
// unsigned when s is nil: the signed or unsigned twin of r's code, with the
// same form, gram size and source. It returns r itself when s is r's signer.
func (r *Renderer) WithSigner(s *Signer) (*Renderer, error) {
	if s == r.signer {
		return r, nil
	}
	cfg := r.cfg
	cfg.Signer = s
	if s != nil {
		cfg.Code |= CodeGramAuthZero
	} else {
		cfg.Code &^= CodeGramAuthZero
	}
	return NewRenderer(cfg)
}

// GramSize is the effective gram size after clamping.
func (r *Renderer) GramSize() int { return r.size }

// Code returns the zeroth code the renderer writes.
func (r *Renderer) Code() Code { return r.zc }

// Form returns the head form.
func (r *Renderer) Form() Form { return r.form }

// MaxMemoSize is the longest memo this renderer can cut (docs/protocol.md §6.4).
func (r *Renderer) MaxMemoSize() int {
	return min(MaxMemoSize, r.nbz*(MaxGramCount-1)+r.zbz)
}

// GramCount returns how many grams a memo of n bytes needs. It is hio's
// count whenever hio's count is positive, and 1 where hio writes 0 or a
// negative count (HIO-DEFECTS S1) or the memo is empty (S3).
func (r *Renderer) GramCount(n int) int {
	if n <= r.zbz {
		return 1
	}
	return 1 + (n-r.zbz+r.nbz-1)/r.nbz
}

// Rendering is the cutting of one memo into grams, produced one at a time into
// caller-provided buffers.
type Rendering struct {
	r    *Renderer
	memo []byte
	mid  MID
	gc   int
	gn   int
	off  int
}

// Start begins cutting memo with a fresh mid. memo must not change until the
// last gram has been produced. An empty memo is sent as one zeroth gram with
// gram count 1 and no body, which hio delivers as "" (HIO-DEFECTS S3).
func (r *Renderer) Start(memo []byte) (Rendering, error) {
	if len(memo) > r.MaxMemoSize() {
		return Rendering{}, errorf(ErrMemoTooLarge, "%d bytes; the maximum at gram size %d is %d", len(memo), r.size, r.MaxMemoSize())
	}
	raw, err := r.mids()
	if err != nil {
		return Rendering{}, err
	}
	return Rendering{r: r, memo: memo, mid: NewMID(raw), gc: r.GramCount(len(memo))}, nil
}

// MID returns the memo's mid.
func (it *Rendering) MID() MID { return it.mid }

// Count returns the memo's gram count.
func (it *Rendering) Count() int { return it.gc }

// Done reports whether every gram has been produced.
func (it *Rendering) Done() bool { return it.r == nil || it.gn >= it.gc }

// Next appends the next gram to dst[:0] and returns it; ok is false when all
// grams have been produced. With a buffer of GramSize bytes the unsigned path
// does not allocate.
func (it *Rendering) Next(dst []byte) (gram []byte, ok bool) { return it.next(dst, true) }

// next is Next; with sign false a signed gram is left without its
// signature, for signGram to append (sign_parallel.go).
func (it *Rendering) next(dst []byte, sign bool) (gram []byte, ok bool) {
	g, body, ok := it.nextParts(dst)
	if !ok {
		return nil, false
	}
	g = append(g, body...)
	if it.r.signer != nil && sign {
		g = appendSig(g, ed25519.Sign(it.r.signer.priv, g), it.r.form)
	}
	return g, true
}

// nextParts is next for a gram taken apart: its head appended to dst[:0],
// and its body, the memo's piece, which follows the head on the wire. An
// unsigned gram is head and body, sent as they lie (gather.go); a signed
// one also needs the signature over both.
func (it *Rendering) nextParts(dst []byte) (head, body []byte, ok bool) {
	if it.Done() {
		return nil, nil, false
	}
	r := it.r
	code, neck, bz := r.nc, uint32(it.gn), r.nbz
	if it.gn == 0 {
		code, neck, bz = r.zc, uint32(it.gc), r.zbz
	}
	body = it.memo[it.off:min(len(it.memo), it.off+bz)]
	g := dst[:0]
	nb := neckBytes(neck)
	if r.form == Binary {
		g = code.appendBinary(g)
		g = append(g, nb[:]...)
		g = append(g, it.mid[:]...)
	} else {
		g = code.appendText(g)
		g = encodeQuads(g, nb[:])
		g = encodeQuads(g, it.mid[:])
	}
	if it.gn == 0 {
		g = append(g, r.source...)
		if code.Signed() {
			if r.form == Binary {
				g = append(g, r.signer.bvid[:]...)
			} else {
				g = append(g, r.signer.vid...)
			}
		}
	}
	it.gn++
	it.off += len(body)
	return g, body, true
}

// headSize bounds the head of every gram r makes: what a gram of r's size
// holds besides the smaller of the two body capacities.
func (r *Renderer) headSize() int { return r.size - min(r.zbz, r.nbz) }

// appendSig appends a signature as "0B" + 64 bytes in the given form.
func appendSig(dst, sig []byte, f Form) []byte {
	var q [66]byte
	q[0], q[1] = 0xd0, 0x10
	copy(q[2:], sig)
	if f == Binary {
		return append(dst, q[:]...)
	}
	return encodeQuads(dst, q[:])
}

// Render cuts memo into freshly allocated grams.
func (r *Renderer) Render(memo []byte) ([][]byte, error) {
	it, err := r.Start(memo)
	if err != nil {
		return nil, err
	}
	grams := make([][]byte, 0, it.gc)
	for {
		g, ok := it.Next(nil)
		if !ok {
			return grams, nil
		}
		grams = append(grams, g)
	}
}
