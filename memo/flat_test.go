package memo

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// inPlaceMemo renders n random bytes into grams of size gs.
func inPlaceMemo(t *testing.T, n, gs int, s *Signer, rng *rand.Rand) ([]byte, [][]byte) {
	t.Helper()
	data := make([]byte, n)
	for i := range data {
		data[i] = byte(rng.Uint32())
	}
	r, err := NewRenderer(RenderConfig{Form: Binary, GramSize: gs, Signer: s})
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	return data, grams
}

// checkDrained fails unless rx holds nothing for memos in progress.
func checkDrained(t *testing.T, rx *Reassembler) {
	t.Helper()
	if rx.Pending() != 0 || rx.HeldBytes() != 0 || rx.inPlace != 0 {
		t.Fatalf("after the memo: %d pending, %d bytes held, %d in place", rx.Pending(), rx.HeldBytes(), rx.inPlace)
	}
}

func TestInPlaceFusesProvenMemo(t *testing.T) {
	signer, err := NewSigner(bytes.Repeat([]byte{3}, 32), VIDB)
	if err != nil {
		t.Fatal(err)
	}
	keep := NewKeep()
	if err := keep.AddSigner(signer); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		signer  *Signer
		shuffle bool
	}{
		{"in order", nil, false},
		{"shuffled", nil, true},
		{"signed shuffled", signer, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			data, grams := inPlaceMemo(t, 300<<10+17, 4096, tc.signer, rng)
			if tc.shuffle {
				rng.Shuffle(len(grams), func(i, j int) { grams[i], grams[j] = grams[j], grams[i] })
			}
			rx := NewReassembler(ReceiveConfig{Keep: keep})
			memos, errs := feed(rx, testAddr("src"), grams...)
			if len(errs) != 0 || len(memos) != 1 || !bytes.Equal(memos[0].Data, data) {
				t.Fatalf("%d memos, errors %v", len(memos), errs)
			}
			if st := rx.Stats(); st.InPlace != 1 {
				t.Fatalf("InPlace = %d, want 1 (%+v)", st.InPlace, st)
			}
			checkDrained(t, rx)
		})
	}
}

// A memo whose later grams are cut unevenly is legal: it leaves its buffer
// for the arena at the first gram off the layout and still fuses.
func TestInPlaceGivesWayToUnevenGrams(t *testing.T) {
	mid := NewMID([16]byte{9})
	body := func(n int, b byte) []byte { return bytes.Repeat([]byte{b}, n) }
	bodies := [][]byte{body(100, 'a'), body(100, 'b'), body(100, 'c'), body(100, 'd'), body(40, 'e'), body(100, 'f')}
	grams := [][]byte{bombGram(nil, mid, len(bodies), bodies[0])}
	for gn := 1; gn < len(bodies); gn++ {
		grams = append(grams, laterGram(nil, mid, uint32(gn), bodies[gn]))
	}
	rx := NewReassembler(ReceiveConfig{})
	memos, errs := feed(rx, testAddr("src"), grams[:4]...)
	if len(memos) != 0 || len(errs) != 0 || rx.Stats().InPlace != 1 || rx.inPlace == 0 {
		t.Fatalf("after 400 of at most 600 bytes: %d memos, %v, %+v, %d in place", len(memos), errs, rx.Stats(), rx.inPlace)
	}
	memos, errs = feed(rx, testAddr("src"), grams[4:]...)
	if len(errs) != 0 || len(memos) != 1 || !bytes.Equal(memos[0].Data, bytes.Join(bodies, nil)) {
		t.Fatalf("%d memos, errors %v", len(memos), errs)
	}
	checkDrained(t, rx)
}

// A memo in place that is evicted gives its buffer and its count back.
func TestInPlaceEvictedGivesBack(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	_, grams := inPlaceMemo(t, 64<<10, 2048, nil, rng)
	rx := NewReassembler(ReceiveConfig{MaxPending: 1})
	if _, errs := feed(rx, testAddr("src"), grams[:len(grams)-1]...); len(errs) != 0 {
		t.Fatal(errs)
	}
	if rx.inPlace == 0 {
		t.Fatal("not in place with all but one gram in")
	}
	liveAfter(t, rx, testAddr("other")) // the one pending slot goes to this memo
	if st := rx.Stats(); st.EvictedPressure != 1 {
		t.Fatalf("%+v", st)
	}
	checkDrained(t, rx)
}

// Memos in place together never hold more than their share of
// MaxPendingBytes: the rest fuse in the arena, and all arrive.
func TestInPlaceShareBounded(t *testing.T) {
	const memos, holdCap = 16, 1 << 20
	rng := rand.New(rand.NewPCG(5, 6))
	rx := NewReassembler(ReceiveConfig{MaxPendingBytes: holdCap})
	datas := make([][]byte, memos)
	cut := make([][][]byte, memos)
	for i := range datas {
		datas[i], cut[i] = inPlaceMemo(t, 48<<10, 1024, nil, rng)
	}
	// Every memo gets all but its last gram before any completes.
	for gn := range len(cut[0]) - 1 {
		for i := range cut {
			if _, _, err := rx.Add(cut[i][gn], testAddr("src")); err != nil {
				t.Fatal(err)
			}
			if rx.inPlace > holdCap/inPlaceShare {
				t.Fatalf("%d bytes in place, share %d", rx.inPlace, holdCap/inPlaceShare)
			}
		}
	}
	st := rx.Stats()
	if st.InPlace == 0 || st.InPlace == memos {
		t.Fatalf("InPlace = %d of %d memos: the share should take some and not all", st.InPlace, memos)
	}
	for i := range cut {
		m, ok, err := rx.Add(cut[i][len(cut[i])-1], testAddr("src"))
		if err != nil || !ok || !bytes.Equal(m.Data, datas[i]) {
			t.Fatalf("memo %d: delivered %v, %v", i, ok, err)
		}
	}
	checkDrained(t, rx)
}

// A memo fused in place is handed a buffer of the size the arena path gives
// it: a memo of exactly a power of two does not get twice that, and one
// just past it grows when its last gram comes.
func TestInPlaceBufferSize(t *testing.T) {
	for _, tc := range []struct {
		name      string
		size, cap int
		lastFirst bool
		grows     int
	}{
		{"power of two", 64 << 10, 64 << 10, false, 0},
		{"just past, grows", 64<<10 + 10, 128 << 10, false, 1},
		{"just past, last gram first", 64<<10 + 10, 128 << 10, true, 0},
		{"below", 60 << 10, 64 << 10, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(7, 8))
			data, grams := inPlaceMemo(t, tc.size, 1024, nil, rng)
			if tc.lastFirst {
				last := grams[len(grams)-1]
				copy(grams[1:], grams[:len(grams)-1])
				grams[0] = last
			}
			var pool bufPool
			rx := NewReassembler(ReceiveConfig{})
			// Buffers asked for while the memo is in place: a bigger one
			// when it grows (none if it went back to the arena instead).
			grows := 0
			rx.alloc = func(n int) []byte {
				for _, grp := range rx.groups {
					if grp.unsigned != nil && grp.unsigned.flat != nil {
						grows++
					}
				}
				return pool.get(n)
			}
			rx.recycle = pool.put
			memos, errs := feed(rx, testAddr("src"), grams...)
			if len(errs) != 0 || len(memos) != 1 || !bytes.Equal(memos[0].Data, data) {
				t.Fatalf("%d memos, errors %v", len(memos), errs)
			}
			if got := cap(memos[0].Data); got != tc.cap || rx.Stats().InPlace != 1 {
				t.Fatalf("buffer of %d bytes, want %d; InPlace %d", got, tc.cap, rx.Stats().InPlace)
			}
			if grows != tc.grows {
				t.Fatalf("grew %d times, want %d", grows, tc.grows)
			}
			checkDrained(t, rx)
		})
	}
}
