package memo

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// Random memos of 1 B to 4 MiB, every usable gram size class, both forms,
// signed and unsigned: rend, shuffle, fuse gives back the memo. The gram size
// is chosen per case so that a memo needs at most a few thousand grams, which
// keeps the test fast under -race.
func TestPropertyRendShuffleFuse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	signer := mustSigner(t)
	cases := 300
	if testing.Short() {
		cases = 60
	}
	for i := range cases {
		n := 1 + rng.IntN(64)
		switch i % 4 {
		case 1:
			n = 1 + rng.IntN(64<<10)
		case 2:
			n = 1 + rng.IntN(4<<20)
		}
		if i == 0 {
			n = 4 << 20
		}
		memo := make([]byte, n)
		for j := range memo {
			memo[j] = byte(rng.Uint32())
		}
		cfg := RenderConfig{FillBinary: rng.IntN(4) == 0}
		if rng.IntN(2) == 1 {
			cfg.Form = Binary
		}
		if rng.IntN(3) == 0 {
			cfg.Signer = signer
		}
		if rng.IntN(5) == 0 {
			cfg.Source = "slot\\peer" + string(rune('a'+rng.IntN(26)))
		}
		lo := minUsableSize(t, cfg)
		// at most ~2000 grams per memo
		floor := max(lo, n/2000+lo)
		cfg.GramSize = min(MaxGramSize, floor+rng.IntN(MaxGramSize-floor+1))
		if i%7 == 0 {
			cfg.GramSize = min(MaxGramSize, floor)
		}
		r, err := NewRenderer(cfg)
		if err != nil {
			t.Fatalf("case %d %+v: %v", i, cfg, err)
		}
		grams, err := r.Render(memo)
		if err != nil {
			t.Fatal(err)
		}
		if len(grams) != r.GramCount(n) {
			t.Fatalf("case %d: %d grams, GramCount says %d", i, len(grams), r.GramCount(n))
		}
		for _, g := range grams {
			if len(g) > r.GramSize() {
				t.Fatalf("case %d: gram of %d bytes at size %d", i, len(g), r.GramSize())
			}
		}
		rng.Shuffle(len(grams), func(a, b int) { grams[a], grams[b] = grams[b], grams[a] })
		rx := NewReassembler(ReceiveConfig{Authic: cfg.Signer != nil})
		var got []Memo
		for _, g := range grams {
			m, ok, err := rx.Add(g, nil)
			if err != nil {
				t.Fatalf("case %d: gram dropped: %v", i, err)
			}
			if ok {
				got = append(got, m)
			}
		}
		if len(got) != 1 || !bytes.Equal(got[0].Data, memo) {
			t.Fatalf("case %d (%d bytes, %+v): memo not restored", i, n, cfg)
		}
		if cfg.Signer != nil && got[0].VID != signer.VID() {
			t.Fatalf("case %d: vid %q", i, got[0].VID)
		}
		if cfg.Source != "" && (got[0].Src == nil || got[0].Src.String() != cfg.Source) {
			t.Fatalf("case %d: source %v, want %q", i, got[0].Src, cfg.Source)
		}
	}
}

// minUsableSize finds the smallest gram size NewRenderer accepts for cfg, and
// checks that every smaller size is refused with ErrGramSize or clamped.
func minUsableSize(t *testing.T, cfg RenderConfig) int {
	for s := 1; s <= 400; s++ {
		cfg.GramSize = s
		r, err := NewRenderer(cfg)
		if err == nil {
			return max(s, r.GramSize())
		}
	}
	t.Fatalf("no usable gram size for %+v", cfg)
	return 0
}

// Sizes that hio-compatible segmentation cannot use give a configuration
// error; the first usable sizes are hio's minimums (§5.5) or, for later
// unsigned binary grams, 33.
func TestMinimumUsableSizes(t *testing.T) {
	s := mustSigner(t)
	for _, c := range []struct {
		cfg  RenderConfig
		want int
	}{
		{RenderConfig{}, 33},
		{RenderConfig{Form: Binary}, 33},
		{RenderConfig{Form: Binary, FillBinary: true}, 25},
		{RenderConfig{Signer: s}, 165},
		{RenderConfig{Signer: s, Form: Binary}, 124},
		{RenderConfig{Source: "ab"}, 33 + 8},
		{RenderConfig{Source: "ab", Form: Binary}, 33},
	} {
		if got := minUsableSize(t, c.cfg); got != c.want {
			t.Errorf("%+v: smallest usable size %d, want %d", c.cfg, got, c.want)
		}
	}
}
