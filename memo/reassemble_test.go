package memo

import (
	"bytes"
	"testing"
)

// Two signed memos from one source under different B keys, interleaved: the
// later grams of each verify under its own zeroth gram's key only. (The key
// once aliased the parse buffer, so the second zeroth gram replaced it.)
func TestReassemblerKeepsEachMemosKey(t *testing.T) {
	k1 := mustSigner(t)
	k2, _ := NewSigner(bytes.Repeat([]byte{7}, 32), VIDB)
	rend := func(s *Signer, mid byte, data []byte) [][]byte {
		r, err := NewRenderer(RenderConfig{Signer: s, GramSize: 200, MIDs: func() ([16]byte, error) { return [16]byte{mid}, nil }})
		if err != nil {
			t.Fatal(err)
		}
		g, _ := r.Render(data)
		return g
	}
	x := bytes.Repeat([]byte("x"), 100)
	xg, yg := rend(k1, 1, x), rend(k2, 2, []byte("y"))
	forged := rend(k2, 1, bytes.Repeat([]byte("F"), 100))
	rx := NewReassembler(ReceiveConfig{Authic: true})
	for _, g := range [][]byte{xg[0], yg[0], forged[1]} {
		if _, ok, _ := rx.Add(g, testAddr("s")); ok && !bytes.Equal(g, yg[0]) {
			t.Fatal("a forged later gram completed x")
		}
	}
	m, ok, err := rx.Add(xg[1], testAddr("s"))
	if !ok || err != nil || !bytes.Equal(m.Data, x) || m.VID != k1.VID() {
		t.Fatalf("x: %q %q %v", m.Data, m.VID, err)
	}
}
