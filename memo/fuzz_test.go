package memo

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// seedGrams adds every gram of the conformance vectors, when present, to a
// fuzz corpus.
func seedGrams(f *testing.F, add func(g []byte)) {
	v := loadVectors(f)
	for _, sec := range sections(v) {
		for _, vm := range sec.memos {
			for _, g := range vm.Grams {
				add(unhex(f, g.Hex))
			}
		}
	}
	for _, b := range v.Behaviors {
		for _, g := range b.Input.GramsHex {
			add(unhex(f, g))
		}
	}
}

// FuzzParseGram checks that ParseGram never panics on any datagram and that
// what it accepts is consistent: the fields lie inside the datagram, the
// accessors do not panic, and parsing a copy gives the same gram. The
// render direction (parse ∘ render) is FuzzRenderFuse's.
func FuzzParseGram(f *testing.F) {
	seedGrams(f, func(g []byte) { f.Add(g) })
	src, _ := NewRenderer(RenderConfig{Source: "a\\slot", Signer: mustSigner(f)})
	grams, _ := src.Render([]byte("hello"))
	f.Add(grams[0])
	keep := NewKeep()
	f.Fuzz(func(t *testing.T, b []byte) {
		var g Gram
		if err := ParseGram(b, &g); err != nil {
			return
		}
		// A parsed gram's fields lie inside the datagram.
		if len(g.Body) > len(b) || (g.Code.Signed() && !bytes.HasPrefix(b, g.Signed)) {
			t.Fatalf("fields outside the datagram")
		}
		var g2 Gram
		if err := ParseGram(bytes.Clone(b), &g2); err != nil || g2.Code != g.Code || g2.Form != g.Form ||
			g2.Neck != g.Neck || g2.MID != g.MID || !bytes.Equal(g2.Body, g.Body) || g2.Sig != g.Sig || g2.VID() != g.VID() {
			t.Fatalf("a copy parses differently: %v", err)
		}
		_ = g.VID()
		_, _ = g.Source()
		if g.HasVID() {
			if pub, ok := keep.verifier(&g.vid); ok {
				_ = g.Verify(pub)
			}
		}
	})
}

// FuzzFuse feeds an arbitrary sequence of grams (length-prefixed in the
// input) from two sources into a receiver with tight limits, and again into
// one with room enough for memos to go in place (flat.go): it must never
// panic, never exceed its limits, and deliver only memos within them.
func FuzzFuse(f *testing.F) {
	var all [][]byte
	seedGrams(f, func(g []byte) { all = append(all, g) })
	for i := 0; i+3 <= len(all); i += 3 {
		f.Add(frame(all[i:i+3]...), false)
	}
	f.Add(frame(all...), true)
	f.Fuzz(func(t *testing.T, in []byte, authic bool) {
		for _, holdCap := range []int{8192, 4 << 20} {
			cfg := ReceiveConfig{Authic: authic, MaxMemoSize: 4096, MaxGramCount: 64, MaxPending: 8, MaxPendingBytes: holdCap}
			fuseAll(t, NewReassembler(cfg), cfg, in)
		}
	})
}

func fuseAll(t *testing.T, r *Reassembler, cfg ReceiveConfig, in []byte) {
	srcs := []testAddr{"a", "b"}
	for i := 0; len(in) >= 2; i++ {
		n := int(binary.BigEndian.Uint16(in))
		in = in[2:]
		n = min(n, len(in))
		m, ok, _ := r.Add(in[:n], srcs[i%2])
		in = in[n:]
		if ok && len(m.Data) > cfg.MaxMemoSize {
			t.Fatalf("delivered %d bytes over the limit", len(m.Data))
		}
		if r.Pending() > cfg.MaxPending || r.bytes > cfg.MaxPendingBytes || r.bytes < 0 {
			t.Fatalf("limits exceeded: %d pending, %d bytes", r.Pending(), r.bytes)
		}
		if r.inPlace < 0 || r.inPlace > cfg.MaxPendingBytes/inPlaceShare || r.inPlace > r.bytes {
			t.Fatalf("%d bytes in place of %d held", r.inPlace, r.bytes)
		}
	}
	for r.Pending() > 0 { // what is left goes, and gives back all it held
		r.remove(r.lru.front())
	}
	if r.bytes != 0 || r.inPlace != 0 {
		t.Fatalf("nothing pending, yet %d bytes held, %d in place", r.bytes, r.inPlace)
	}
}

func frame(grams ...[]byte) []byte {
	var b []byte
	for _, g := range grams {
		b = binary.BigEndian.AppendUint16(b, uint16(len(g)))
		b = append(b, g...)
	}
	return b
}
