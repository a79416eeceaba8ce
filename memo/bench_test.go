package memo

import (
	"fmt"
	"testing"
)

var benchSizes = []int{1240, 8192, 65535}

func benchRenderer(b *testing.B, size int, signed bool, f Form) *Renderer {
	cfg := RenderConfig{GramSize: size, Form: f}
	if signed {
		cfg.Signer = mustSigner(b)
	}
	r, err := NewRenderer(cfg)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

func benchCases(b *testing.B, fn func(b *testing.B, size int, signed bool, f Form)) {
	for _, signed := range []bool{false, true} {
		for _, f := range []Form{Text, Binary} {
			for _, size := range benchSizes {
				name := fmt.Sprintf("%s/%s/gram=%d", map[bool]string{false: "unsigned", true: "signed"}[signed], f, size)
				b.Run(name, func(b *testing.B) { fn(b, size, signed, f) })
			}
		}
	}
}

// BenchmarkRend measures cutting one full gram into a reused buffer.
func BenchmarkRend(b *testing.B) {
	benchCases(b, func(b *testing.B, size int, signed bool, f Form) {
		r := benchRenderer(b, size, signed, f)
		memo := make([]byte, r.zbz) // exactly one full gram
		buf := make([]byte, 0, size)
		b.SetBytes(int64(len(memo)))
		b.ReportAllocs()
		for b.Loop() {
			it, err := r.Start(memo)
			if err != nil {
				b.Fatal(err)
			}
			g, _ := it.Next(buf)
			if len(g) != size {
				b.Fatalf("gram of %d bytes", len(g))
			}
		}
	})
}

// BenchmarkParse measures parsing (and for signed grams verifying) one full
// gram.
func BenchmarkParse(b *testing.B) {
	benchCases(b, func(b *testing.B, size int, signed bool, f Form) {
		r := benchRenderer(b, size, signed, f)
		grams, _ := r.Render(make([]byte, r.zbz))
		gram := grams[0]
		var pub = mustSigner(b).PublicKey()
		var g Gram
		b.SetBytes(int64(len(gram)))
		b.ReportAllocs()
		for b.Loop() {
			if err := ParseGram(gram, &g); err != nil {
				b.Fatal(err)
			}
			if signed && !g.Verify(pub) {
				b.Fatal("bad signature")
			}
		}
	})
}

// BenchmarkFuse measures a whole 1 MiB memo through Reassembler.Add.
func BenchmarkFuse(b *testing.B) {
	for _, signed := range []bool{false, true} {
		b.Run(map[bool]string{false: "unsigned", true: "signed"}[signed], func(b *testing.B) {
			r := benchRenderer(b, MaxGramSize, signed, Text)
			memo := make([]byte, 1<<20)
			grams, _ := r.Render(memo)
			b.SetBytes(int64(len(memo)))
			b.ReportAllocs()
			for b.Loop() {
				// A fresh receiver each round: one remembers delivered mids
				// and would drop the same memo as a replay.
				rx := NewReassembler(ReceiveConfig{})
				var done bool
				for _, g := range grams {
					_, ok, err := rx.Add(g, nil)
					if err != nil {
						b.Fatal(err)
					}
					done = done || ok
				}
				if !done {
					b.Fatal("memo not delivered")
				}
			}
		})
	}
	// One receiver for every round, as a Memoer has: each round's memo
	// comes from a new source, so it is not a replay.
	b.Run("unsigned-one-receiver", func(b *testing.B) {
		r := benchRenderer(b, MaxGramSize, false, Text)
		memo := make([]byte, 1<<20)
		grams, _ := r.Render(memo)
		b.SetBytes(int64(len(memo)))
		b.ReportAllocs()
		rx := NewReassembler(ReceiveConfig{})
		round := 0
		for b.Loop() {
			round++
			src := testAddr(fmt.Sprint(round))
			var done bool
			for _, g := range grams {
				_, ok, err := rx.Add(g, src)
				if err != nil {
					b.Fatal(err)
				}
				done = done || ok
			}
			if !done {
				b.Fatal("memo not delivered")
			}
		}
	})
}
