package memo

import (
	"crypto/ed25519"
	"errors"
	"time"
)

// The ack codec of Sure delivery (docs/sure.md).

// memogram's source-carrying ack codes, for transports without sender
// addresses (mailslots): sAAI and sAAJ.
const (
	CodeSourceAck     = sourceBit | CodeAck     // sAAI
	CodeSourceAckAuth = sourceBit | CodeAckAuth // sAAJ
)

// Ack body limits.
const (
	ackFixedBody = 6 // flags, window, delay, range count
	ackRangeSize = 6 // start, end: 3 bytes each
	// MaxAckRanges is the most selective-ack ranges one ack carries.
	MaxAckRanges = 32
)

// Ack flags.
const (
	ackDone    = 0x01
	ackRefused = 0x02
)

// ackDelayUnit is the unit of an ack's delay field.
const ackDelayUnit = 10 * time.Microsecond

// ErrNotAck is returned by ParseAck for a datagram that is not an ack gram.
var ErrNotAck = errors.New("memo: not an ack gram")

// AckRange is a run of received gram numbers, Start ≤ n < End.
type AckRange struct{ Start, End uint32 }

// Ack is an acknowledgement of a Sure memo: what the receiver holds of the
// memo MID (docs/sure.md).
type Ack struct {
	MID MID
	// Cum is cumulative: every gram numbered below Cum was received.
	Cum uint32
	// Done says the memo was delivered, now or earlier (a duplicate).
	Done bool
	// Refused says the receiver will not take the memo (too large, not
	// signed for an authic receiver): the sender gives up at once.
	Refused bool
	// Window is the receiver's advertisement: how many grams from this
	// sender it takes in flight; 0 means no advertisement.
	Window uint16
	// Delay is how long the receiver held the ack before sending it; the
	// sender subtracts it from the round trip it measures.
	Delay time.Duration
	// Ranges are received grams above Cum: ascending, disjoint, not
	// adjacent, at most MaxAckRanges.
	Ranges []AckRange

	// Set by ParseAck.
	Code   Code
	Form   Form
	Source string   // the carried source of an sAAI/sAAJ ack
	vid    [33]byte // of a bAAJ/sAAJ ack
	signed []byte   // the bytes the signature covers (alias of the datagram)
	sig    [64]byte
}

// VID returns the text vid of a signed ack, or "".
func (a *Ack) VID() string {
	if !a.Code.Signed() {
		return ""
	}
	return b64.EncodeToString(a.vid[:])
}

// Verify checks a signed ack's signature under its vid, with keep for D and
// E vids. Unsigned acks never verify. Verify must be called before the
// datagram given to ParseAck is reused.
func (a *Ack) Verify(keep *Keep) bool {
	if !a.Code.Signed() {
		return false
	}
	pub, ok := keep.verifier(&a.vid)
	return ok && ed25519.Verify(pub, a.signed, a.sig[:])
}

// Has reports whether the ack says gram n arrived.
func (a *Ack) Has(n uint32) bool {
	if a.Done || n < a.Cum {
		return true
	}
	for _, r := range a.Ranges {
		if n < r.Start {
			return false
		}
		if n < r.End {
			return true
		}
	}
	return false
}

// AppendAck appends the ack gram for a in form f to dst. With source set it
// uses the source-carrying code (sAAI, sAAJ); with a signer it is signed
// (bAAJ). Ranges beyond MaxAckRanges are left out (the ack then reports
// less than the receiver holds, never more).
func AppendAck(dst []byte, a *Ack, f Form, source string, s *Signer) ([]byte, error) {
	if a.Cum > MaxGramCount {
		return nil, errorf(ErrMalformed, "ack cum %d", a.Cum)
	}
	if len(source) > MaxSourceSize {
		return nil, errorf(ErrSourceTooLong, "source %q", source)
	}
	c := CodeAck
	if s != nil {
		c = CodeAckAuth
	}
	if source != "" {
		c |= sourceBit
	}
	g := dst
	nb := neckBytes(a.Cum)
	if f == Binary {
		g = c.appendBinary(g)
		g = append(g, nb[:]...)
		g = append(g, a.MID[:]...)
	} else {
		g = c.appendText(g)
		g = encodeQuads(g, nb[:])
		g = encodeQuads(g, a.MID[:])
	}
	if source != "" {
		g = appendSource(g, []byte(source), f)
	}
	if s != nil {
		if f == Binary {
			g = append(g, s.bvid[:]...)
		} else {
			g = append(g, s.vid...)
		}
	}
	var flags byte
	if a.Done {
		flags |= ackDone
	}
	if a.Refused {
		flags |= ackRefused
	}
	d := a.Delay / ackDelayUnit
	d = max(0, min(d, 0xffff))
	rs := a.Ranges[:min(len(a.Ranges), MaxAckRanges)]
	g = append(g, flags, byte(a.Window>>8), byte(a.Window), byte(d>>8), byte(d), byte(len(rs)))
	prev := a.Cum
	for i, r := range rs {
		if r.Start <= prev || r.End <= r.Start || r.End > MaxGramCount {
			return nil, errorf(ErrMalformed, "ack range %d [%d,%d) after %d", i, r.Start, r.End, prev)
		}
		s, e := neckBytes(r.Start), neckBytes(r.End)
		g = append(g, s[0], s[1], s[2], e[0], e[1], e[2])
		prev = r.End
	}
	if s != nil {
		g = appendSig(g, ed25519.Sign(s.priv, g), f)
	}
	return g, nil
}

// IsAck reports whether a datagram's code is an ack code, without parsing
// the rest.
func IsAck(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	f, _, ok := sniff(b[0])
	if !ok {
		return false
	}
	c, err := parseCodeBytes(b, f)
	return err == nil && c.Ack()
}

// ParseAck parses an ack gram into a. It never panics; a malformed ack is an
// error matching ErrNotAck, ErrShortGram or ErrMalformed. a.Ranges reuses
// its backing array. The signature is not checked here: see Verify.
func ParseAck(b []byte, a *Ack) error {
	if len(b) == 0 {
		return ErrShortGram
	}
	form, _, ok := sniff(b[0])
	if !ok {
		return ErrNotAck
	}
	code, err := parseCodeBytes(b, form)
	if err != nil {
		return err
	}
	if !code.Ack() {
		return ErrNotAck
	}
	a.Code, a.Form, a.Source, a.signed = code, form, "", nil
	scale := func(n int) int { return formSize(n, form) }
	if len(b) < scale(code.textOverhead()) {
		return ErrShortGram
	}
	p := scale(codeSize)
	var neck [3]byte
	if form == Binary {
		copy(neck[:], b[p:p+3])
		copy(a.MID[:], b[p+3:p+3+18])
	} else if !decodeQuads(neck[:], b[p:p+4]) || !decodeQuads(a.MID[:], b[p+4:p+28]) {
		return ErrMalformed
	}
	a.Cum = uint32(neck[0])<<16 | uint32(neck[1])<<8 | uint32(neck[2])
	p += scale(neckSize + midSize)
	end := len(b)
	if code.Signed() {
		end -= scale(sigSize)
	}
	if code.CarriesSource() {
		var g Gram
		n, err := parseSource(b[p:end], form, &g)
		if err != nil {
			return err
		}
		a.Source = string(g.source)
		p += n
	}
	if code.Signed() {
		n, err := parseVID(b[p:end], form, &a.vid)
		if err != nil {
			return err
		}
		p += n
	}
	if end < p {
		return ErrShortGram
	}
	body := b[p:end]
	if code.Signed() {
		a.signed = b[:end]
		var q [66]byte
		if form == Binary {
			copy(q[:], b[end:])
		} else if !decodeQuads(q[:], b[end:]) {
			return ErrMalformed
		}
		if q[0] != 0xd0 || q[1] != 0x10 {
			return ErrMalformed
		}
		copy(a.sig[:], q[2:])
	}
	if len(body) < ackFixedBody {
		return ErrShortGram
	}
	flags := body[0]
	a.Done, a.Refused = flags&ackDone != 0, flags&ackRefused != 0
	a.Window = uint16(body[1])<<8 | uint16(body[2])
	a.Delay = time.Duration(uint16(body[3])<<8|uint16(body[4])) * ackDelayUnit
	n := int(body[5])
	if n > MaxAckRanges {
		return errorf(ErrMalformed, "%d ack ranges", n)
	}
	if len(body) < ackFixedBody+n*ackRangeSize {
		return ErrShortGram
	}
	// Bytes after the ranges are reserved for extensions and ignored.
	a.Ranges = a.Ranges[:0]
	prev := a.Cum
	for i := range n {
		q := body[ackFixedBody+i*ackRangeSize:]
		s := uint32(q[0])<<16 | uint32(q[1])<<8 | uint32(q[2])
		e := uint32(q[3])<<16 | uint32(q[4])<<8 | uint32(q[5])
		if s <= prev || e <= s {
			return errorf(ErrMalformed, "ack range %d [%d,%d) after %d", i, s, e, prev)
		}
		a.Ranges = append(a.Ranges, AckRange{s, e})
		prev = e
	}
	return nil
}
