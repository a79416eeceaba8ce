package memo

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// FuzzRenderFuse renders any memo with any gram size, form and signing,
// then checks parse ∘ render (every gram parses back to the code, neck,
// mid and body the renderer meant, and signed grams verify) and that
// reassembly gives back exactly the memo whatever the order the grams
// arrive in, with one gram repeated: delivered once, equal to the input.
func FuzzRenderFuse(f *testing.F) {
	f.Add([]byte("hello"), uint16(0), false, false, uint64(1))
	f.Add(bytes.Repeat([]byte("grüße "), 100), uint16(7), true, false, uint64(2))
	f.Add(bytes.Repeat([]byte{0xff, 0}, 300), uint16(3), false, true, uint64(3))
	f.Add([]byte{}, uint16(0), true, true, uint64(4))
	f.Add([]byte{1, 2, 3}, uint16(0), true, false, uint64(5)) // a short binary memo (S1)
	signer := mustSigner(f)
	f.Fuzz(func(t *testing.T, data []byte, extra uint16, binary, signed bool, seed uint64) {
		// Long memos add grams, not cases: they only slow the fuzzer down
		// (a signed gram costs a signature and two verifications).
		data = data[:min(len(data), 4096)]
		cfg := RenderConfig{}
		if binary {
			cfg.Form = Binary
		}
		code := CodeGramZero
		if signed {
			cfg.Signer, code = signer, CodeGramAuthZero
		}
		// Small grams cut the memo in many places; extra moves the cuts.
		// hio's cut of later binary grams needs more room than
		// MinGramSize: the smallest usable size is found by trying.
		cfg.GramSize = MinGramSize(code, cfg.Form) + int(extra%512)
		r, err := NewRenderer(cfg)
		for ; err != nil && cfg.GramSize < MinGramSize(code, cfg.Form)+64; r, err = NewRenderer(cfg) {
			cfg.GramSize++
		}
		if err != nil {
			t.Fatal(err)
		}
		grams, err := r.Render(data)
		if err != nil {
			t.Fatalf("Render of %d bytes: %v", len(data), err)
		}
		if len(grams) != r.GramCount(len(data)) {
			t.Fatalf("%d grams, GramCount says %d", len(grams), r.GramCount(len(data)))
		}

		var body []byte
		var mid MID
		for i, b := range grams {
			if len(b) > cfg.GramSize {
				t.Fatalf("gram %d has %d bytes, over the gram size %d", i, len(b), cfg.GramSize)
			}
			var g Gram
			if err := ParseGram(b, &g); err != nil {
				t.Fatalf("gram %d of %d does not parse: %v", i, len(grams), err)
			}
			if g.Code.Zeroth() != (i == 0) || g.Code.Signed() != signed || g.Form != cfg.Form {
				t.Fatalf("gram %d: code %v form %v", i, g.Code, g.Form)
			}
			want := uint32(i)
			if i == 0 {
				want = uint32(len(grams))
				mid = g.MID
			}
			if g.Neck != want || g.MID != mid {
				t.Fatalf("gram %d: neck %d mid %v, want %d %v", i, g.Neck, g.MID, want, mid)
			}
			if signed && (!g.Verify(signer.PublicKey()) || (i == 0 && g.VID() != signer.VID())) {
				t.Fatalf("gram %d: signature or vid wrong", i)
			}
			body = append(body, g.Body...)
		}
		if !bytes.Equal(body, data) {
			t.Fatalf("bodies joined give %d bytes, want the %d of the memo", len(body), len(data))
		}

		order := rand.New(rand.NewPCG(seed, 0)).Perm(len(grams))
		order = append(order, order[int(seed%uint64(len(order)))]) // a retransmission
		rx := NewReassembler(ReceiveConfig{})
		var got []Memo
		for _, i := range order {
			if m, ok, _ := rx.Add(grams[i], testAddr("src")); ok {
				got = append(got, m)
			}
		}
		if len(got) != 1 {
			t.Fatalf("order %v: %d memos delivered, want 1", order, len(got))
		}
		if !bytes.Equal(got[0].Data, data) || got[0].MID != mid || (signed && got[0].VID != signer.VID()) {
			t.Fatalf("order %v: delivered %d bytes (vid %q), want the %d bytes sent", order, len(got[0].Data), got[0].VID, len(data))
		}
		if rx.Pending() != 0 {
			t.Fatalf("%d memos still pending after delivery", rx.Pending())
		}
	})
}
