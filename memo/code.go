package memo

// Code is a gram type: one of hio's ten codes bAAA…bAAJ or one of
// memogram's source-carrying zeroth codes sAAA, sAAC, sAAE, sAAG
// (docs/source-grams.md).
//
// The low four bits are hio's type number (the alphabet index of the fourth
// code character); bit 4 marks the source variant.
type Code uint8

// hio's codes (docs/protocol.md §4.1).
const (
	CodeGramZero         Code = iota // bAAA: unsigned, zeroth
	CodeGram                         // bAAB: unsigned, later
	CodeGramAuthZero                 // bAAC: signed, zeroth
	CodeGramAuth                     // bAAD: signed, later
	CodeGramSureZero                 // bAAE: "sure" unsigned, zeroth
	CodeGramSure                     // bAAF
	CodeGramSureAuthZero             // bAAG
	CodeGramSureAuth                 // bAAH
	CodeAck                          // bAAI: memogram's ack (docs/sure.md)
	CodeAckAuth                      // bAAJ: memogram's signed ack (docs/sure.md)
)

// memogram's source-carrying zeroth codes. Their later grams use hio's
// codes (sAAA → bAAB, sAAC → bAAD, …).
const (
	CodeSourceZero         = sourceBit                        // sAAA; CodeGramZero is 0
	CodeSourceAuthZero     = sourceBit | CodeGramAuthZero     // sAAC
	CodeSourceSureZero     = sourceBit | CodeGramSureZero     // sAAE
	CodeSourceSureAuthZero = sourceBit | CodeGramSureAuthZero // sAAG
)

const (
	sourceBit Code = 0x10
	typeMask  Code = 0x0f

	hardHio    = 'b' // alphabet index 27: text first byte 0x62, binary 0x6c
	hardSource = 's' // alphabet index 44: text first byte 0x73, binary 0xb0
)

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

// Field sizes in text characters (binary bytes are 3/4 of these).
const (
	codeSize = 4
	neckSize = 4
	midSize  = 24
	vidSize  = 44
	sigSize  = 88
	srcLenSz = 4 // the neck-like length prefix of a carried source
)

// Valid reports whether c is a defined code.
func (c Code) Valid() bool {
	t := c & typeMask
	if c&^(typeMask|sourceBit) != 0 || t > CodeAckAuth {
		return false
	}
	return c&sourceBit == 0 || t.Zeroth() || t.Ack() // sAAI, sAAJ: acks with source (docs/sure.md)
}

// String returns the 4-character text code, or "invalid".
func (c Code) String() string {
	if !c.Valid() {
		return "invalid"
	}
	hard := byte(hardHio)
	if c&sourceBit != 0 {
		hard = hardSource
	}
	return string([]byte{hard, 'A', 'A', alphabet[c&typeMask]})
}

// Zeroth reports whether c starts a memo (its neck is the gram count).
func (c Code) Zeroth() bool {
	t := c & typeMask
	return t < CodeAck && t%2 == 0
}

// Signed reports whether grams of this code carry a signature.
func (c Code) Signed() bool {
	switch c & typeMask {
	case CodeGramAuthZero, CodeGramAuth, CodeGramSureAuthZero, CodeGramSureAuth, CodeAckAuth:
		return true
	}
	return false
}

// Sure reports whether c is one of hio's "sure" codes.
func (c Code) Sure() bool { t := c & typeMask; return t >= CodeGramSureZero && t <= CodeGramSureAuth }

// Ack reports whether c is an acknowledgement code.
func (c Code) Ack() bool { t := c & typeMask; return t == CodeAck || t == CodeAckAuth }

// CarriesSource reports whether c is a memogram source-carrying code.
func (c Code) CarriesSource() bool { return c&sourceBit != 0 }

// Pair returns the code of a memo's later grams.
func (c Code) Pair() Code {
	if !c.Zeroth() {
		return c
	}
	return (c & typeMask) + 1
}

// WithSource returns the source-carrying variant of a zeroth code.
func (c Code) WithSource() Code {
	if !c.Zeroth() {
		return c
	}
	return c | sourceBit
}

// WithoutSource returns hio's code for c.
func (c Code) WithoutSource() Code { return c &^ sourceBit }

// hasVID reports whether the head carries a vid (zeroth signed and CodeAckAuth).
func (c Code) hasVID() bool { return c.Signed() && (c.Zeroth() || c&typeMask == CodeAckAuth) }

// textOverhead is the fixed overhead in text characters, excluding a carried
// source (docs/protocol.md §5.5).
func (c Code) textOverhead() int {
	n := codeSize + neckSize + midSize
	if c.hasVID() {
		n += vidSize
	}
	if c.Signed() {
		n += sigSize
	}
	return n
}

// ParseCode parses a 4-character text code.
func ParseCode(s string) (Code, error) {
	if len(s) == codeSize && s[1] == 'A' && s[2] == 'A' {
		var c Code
		switch s[0] {
		case hardHio:
		case hardSource:
			c = sourceBit
		default:
			return 0, errorf(ErrUnknownCode, "%q", s)
		}
		t := b64index[s[3]]
		if t <= byte(CodeAckAuth) {
			c |= Code(t)
			if c.Valid() {
				return c, nil
			}
		}
	}
	return 0, errorf(ErrUnknownCode, "%q", s)
}

// textCode/binCode write the code in each form.
func (c Code) appendText(dst []byte) []byte {
	hard := byte(hardHio)
	if c&sourceBit != 0 {
		hard = hardSource
	}
	return append(dst, hard, 'A', 'A', alphabet[c&typeMask])
}

func (c Code) appendBinary(dst []byte) []byte {
	lead := byte(27 << 2)
	if c&sourceBit != 0 {
		lead = 44 << 2
	}
	return append(dst, lead, 0, byte(c&typeMask))
}

// Form tells text (qb64) grams from binary ("curt", qb2) ones.
type Form uint8

const (
	Text   Form = iota // head and signature as base64url characters
	Binary             // head and signature as raw bytes (hio: curt)
)

func (f Form) String() string {
	if f == Binary {
		return "binary"
	}
	return "text"
}

// sniff classifies a datagram by its first byte (docs/protocol.md §5.6 and the
// source-gram extension): it reports the form and whether the hard code
// character is the source variant. ok is false for anything else, which
// hio receivers drop as well.
func sniff(first byte) (f Form, source bool, ok bool) {
	switch first >> 2 {
	case 0x62 >> 2: // 24: text, 'b' family
		return Text, false, true
	case 27: // binary, 'b'
		return Binary, false, true
	case 0x73 >> 2: // 28: text, 's' family
		return Text, true, true
	case 44: // binary, 's'
		return Binary, true, true
	}
	return 0, false, false
}
