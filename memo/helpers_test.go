package memo

import (
	"crypto/ed25519"
	"testing"
)

func mustSign(s *Signer, msg []byte) []byte { return ed25519.Sign(s.priv, msg) }

// bombGram is an unsigned binary zeroth gram that claims gc grams.
func bombGram(dst []byte, mid MID, gc int, body []byte) []byte {
	dst = CodeGramZero.appendBinary(dst[:0])
	nb := neckBytes(uint32(gc))
	dst = append(dst, nb[:]...)
	dst = append(dst, mid[:]...)
	return append(dst, body...)
}

// laterGram is an unsigned binary later gram numbered gn.
func laterGram(dst []byte, mid MID, gn uint32, body []byte) []byte {
	dst = CodeGram.appendBinary(dst[:0])
	nb := neckBytes(gn)
	dst = append(dst, nb[:]...)
	dst = append(dst, mid[:]...)
	return append(dst, body...)
}

// renderMemo cuts memo into grams as rc says.
func renderMemo(t testing.TB, rc RenderConfig, memo []byte) [][]byte {
	t.Helper()
	r, err := NewRenderer(rc)
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render(memo)
	if err != nil {
		t.Fatal(err)
	}
	return grams
}
