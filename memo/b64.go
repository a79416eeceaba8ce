package memo

import (
	"encoding/base64"
)

// Every head field is 24-bit aligned, so text and binary forms convert with
// plain unpadded base64url (docs/protocol.md §3.1).
var b64 = base64.RawURLEncoding

// b64index maps an ASCII byte to its base64url value, or 0xff.
var b64index = func() (t [256]byte) {
	for i := range t {
		t[i] = 0xff
	}
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := 0; i < len(alphabet); i++ {
		t[alphabet[i]] = byte(i)
	}
	return t
}()

// decodeQuads decodes text (a multiple of 4 base64url characters) into dst,
// which must hold len(text)*3/4 bytes. It reports false on any character
// outside the alphabet, which hio would crash on (HIO-DEFECTS R3, R4).
func decodeQuads(dst, text []byte) bool {
	for i, j := 0, 0; i+4 <= len(text); i, j = i+4, j+3 {
		a, b, c, d := b64index[text[i]], b64index[text[i+1]], b64index[text[i+2]], b64index[text[i+3]]
		if a|b|c|d == 0xff || (a|b|c|d)&0xc0 != 0 {
			return false
		}
		v := uint32(a)<<18 | uint32(b)<<12 | uint32(c)<<6 | uint32(d)
		dst[j], dst[j+1], dst[j+2] = byte(v>>16), byte(v>>8), byte(v)
	}
	return true
}

// encodeQuads appends the base64url text of src (a multiple of 3 bytes).
func encodeQuads(dst, src []byte) []byte {
	n := len(dst)
	dst = append(dst, make([]byte, len(src)/3*4)...)
	b64.Encode(dst[n:], src)
	return dst
}

// neck encodes a 24-bit number into its 3 binary bytes.
func neckBytes(n uint32) [3]byte { return [3]byte{byte(n >> 16), byte(n >> 8), byte(n)} }

// qualify encodes raw with a CESR code of len(code) == pad size (§3.3).
func qualify(code string, raw []byte) string {
	ps := (3 - len(raw)%3) % 3
	buf := make([]byte, ps+len(raw))
	copy(buf[ps:], raw)
	s := []byte(b64.EncodeToString(buf))
	copy(s, code)
	return string(s)
}

// unqualify reverses qualify for a code of the given length and a raw value
// of rawLen bytes; it fails unless text has exactly that shape.
func unqualify(text string, code string, rawLen int) ([]byte, bool) {
	ps := (3 - rawLen%3) % 3
	if len(code) != ps || len(text) != (ps+rawLen)/3*4 || text[:ps] != code {
		return nil, false
	}
	b := []byte(text)
	for i := 0; i < ps; i++ {
		b[i] = 'A'
	}
	raw := make([]byte, ps+rawLen)
	if !decodeQuads(raw, b) {
		return nil, false
	}
	for _, z := range raw[:ps] {
		if z != 0 {
			return nil, false
		}
	}
	return raw[ps:], true
}
