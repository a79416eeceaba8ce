package memo

import (
	"crypto/ed25519"
	"unicode/utf8"
)

// Gram is one parsed datagram. Body, Signed and the carried source alias
// the datagram passed to ParseGram: copy what must outlive it.
type Gram struct {
	Code Code
	Form Form
	// Neck is the gram count in a zeroth gram, the gram number otherwise.
	Neck   uint32
	MID    MID
	Body   []byte
	Signed []byte   // the bytes the signature covers; nil when unsigned
	Sig    [64]byte // raw Ed25519 signature of a signed gram

	vid    [33]byte // binary vid, zeroth signed grams only
	source []byte   // raw carried source bytes, source grams only
	srcbuf [MaxSourceSize + 2]byte
}

// HasVID reports whether the gram carries a vid (zeroth signed grams).
func (g *Gram) HasVID() bool { return g.Code.hasVID() }

// VID returns the carried vid in text form, or "".
func (g *Gram) VID() string {
	if !g.HasVID() {
		return ""
	}
	return b64.EncodeToString(g.vid[:])
}

// Source returns the carried source address of a source gram.
func (g *Gram) Source() (string, bool) {
	if !g.Code.CarriesSource() {
		return "", false
	}
	return string(g.source), true
}

// Verify checks the gram's signature with pub. Unsigned grams never verify.
func (g *Gram) Verify(pub ed25519.PublicKey) bool {
	return g.Code.Signed() && len(pub) == ed25519.PublicKeySize && ed25519.Verify(pub, g.Signed, g.Sig[:])
}

// ParseGram parses one datagram into g without allocating. It never panics;
// every malformed input is an error matching one of the parse sentinels
// (ErrShortGram, ErrNotGram, ErrUnknownCode, ErrAckGram, ErrMalformed), on
// which a receiver drops the gram (HIO-DEFECTS R1–R4).
func ParseGram(b []byte, g *Gram) error {
	if len(b) == 0 {
		return ErrShortGram
	}
	form, _, ok := sniff(b[0])
	if !ok {
		return ErrNotGram
	}
	code, err := parseCodeBytes(b, form)
	if err != nil {
		return err
	}
	if code.Ack() {
		return ErrAckGram
	}
	g.Code, g.Form = code, form
	scale := func(n int) int { return formSize(n, form) }
	// Fixed head: code, neck, mid.
	p := scale(codeSize)
	if len(b) < scale(code.textOverhead()) {
		return ErrShortGram
	}
	var neck [3]byte
	if form == Binary {
		copy(neck[:], b[p:p+3])
		copy(g.MID[:], b[p+3:p+3+18])
	} else if !decodeQuads(neck[:], b[p:p+4]) || !decodeQuads(g.MID[:], b[p+4:p+28]) {
		return ErrMalformed
	}
	g.Neck = uint32(neck[0])<<16 | uint32(neck[1])<<8 | uint32(neck[2])
	p += scale(neckSize + midSize)
	end := len(b)
	if code.Signed() {
		end -= scale(sigSize)
	}
	if code.CarriesSource() {
		n, err := parseSource(b[p:end], form, g)
		if err != nil {
			return err
		}
		p += n
	} else {
		g.source = nil
	}
	if code.hasVID() {
		n, err := parseVID(b[p:end], form, &g.vid)
		if err != nil {
			return err
		}
		p += n
	}
	if end < p {
		return ErrShortGram
	}
	g.Body = b[p:end]
	g.Signed = nil
	if code.Signed() {
		g.Signed = b[:end]
		var q [66]byte
		if form == Binary {
			copy(q[:], b[end:])
		} else if !decodeQuads(q[:], b[end:]) {
			return ErrMalformed
		}
		if q[0] != 0xd0 || q[1] != 0x10 {
			return ErrMalformed
		}
		copy(g.Sig[:], q[2:])
	}
	return nil
}

func parseCodeBytes(b []byte, f Form) (Code, error) {
	var c Code
	if f == Binary {
		if len(b) < 3 {
			return 0, ErrShortGram
		}
		switch {
		case b[0] == 27<<2 && b[1] == 0:
		case b[0] == 44<<2 && b[1] == 0:
			c = sourceBit
		default:
			return 0, ErrUnknownCode
		}
		c |= Code(b[2])
	} else {
		if len(b) < 4 {
			return 0, ErrShortGram
		}
		switch {
		case b[0] == hardHio:
		case b[0] == hardSource:
			c = sourceBit
		default:
			return 0, ErrUnknownCode
		}
		t := b64index[b[3]]
		if b[1] != 'A' || b[2] != 'A' || t > byte(typeMask) {
			return 0, ErrUnknownCode
		}
		c |= Code(t)
	}
	if !c.Valid() {
		return 0, ErrUnknownCode
	}
	return c, nil
}

// parseSource reads a carried source field from the start of b and returns
// its length on the wire.
func parseSource(b []byte, f Form, g *Gram) (int, error) {
	lz := formSize(srcLenSz, f)
	if len(b) < lz {
		return 0, ErrShortGram
	}
	var ln [3]byte
	if f == Binary {
		copy(ln[:], b[:3])
	} else if !decodeQuads(ln[:], b[:4]) {
		return 0, ErrMalformed
	}
	n := int(ln[0])<<16 | int(ln[1])<<8 | int(ln[2])
	if n == 0 || n > MaxSourceSize {
		return 0, ErrMalformed
	}
	padded := (n + 2) / 3 * 3
	wire := formSize(padded/3*4, f)
	if len(b)-lz < wire {
		return 0, ErrShortGram
	}
	raw := g.srcbuf[:padded]
	if f == Binary {
		copy(raw, b[lz:lz+wire])
	} else if !decodeQuads(raw, b[lz:lz+wire]) {
		return 0, ErrMalformed
	}
	for _, z := range raw[n:] {
		if z != 0 {
			return 0, ErrMalformed
		}
	}
	if !utf8.Valid(raw[:n]) {
		return 0, ErrMalformed
	}
	g.source = raw[:n]
	return lz + wire, nil
}

// parseVID reads the vid field at the start of b into vid and returns its
// length on the wire (44 base64 characters, or 33 bytes in binary form); its
// lead byte must be a B, D or E code.
func parseVID(b []byte, form Form, vid *[33]byte) (int, error) {
	vz := formSize(vidSize, form)
	if len(b) < vz {
		return 0, ErrShortGram
	}
	if form == Binary {
		copy(vid[:], b[:vz])
	} else if !decodeQuads(vid[:], b[:vz]) {
		return 0, ErrMalformed
	}
	if lead := vid[0]; lead != 0x04 && lead != 0x0c && lead != 0x10 {
		return 0, ErrMalformed
	}
	return vz, nil
}
