package memo

import (
	"bytes"
	"testing"
	"time"
)

// bigGrams is a scatterConn with n memos of size bytes from "tx", cut
// into 65,535-byte grams (carrying source, if not empty), and the memos.
func bigGrams(t *testing.T, n, size int, source string) (*scatterConn, [][]byte) {
	t.Helper()
	c := &scatterConn{}
	var memos [][]byte
	for i := range n {
		memo := memoBytes(uint64(100+i), size)
		memos = append(memos, memo)
		for _, g := range renderMemo(t, RenderConfig{GramSize: 65535, Source: source}, memo) {
			c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr("tx"))
		}
	}
	return c, memos
}

// checkChunks fails unless every chunk of r is free once no memo is in
// progress, each once: a lent chunk neither lost nor handed out twice.
func checkChunks(t *testing.T, r *Reassembler) {
	t.Helper()
	if r.Pending() != 0 || r.HeldBytes() != 0 {
		t.Fatalf("%d memos, %d bytes still held", r.Pending(), r.HeldBytes())
	}
	seen := map[*chunk]bool{}
	for _, c := range r.free {
		if seen[c] {
			t.Fatal("a chunk is on the free list twice")
		}
		seen[c] = true
	}
	if r.FreeBytes() != r.slabs.mapped() {
		t.Fatalf("%d bytes free of %d mapped", r.FreeBytes(), r.slabs.mapped())
	}
}

// Before a memo is fused in place, the bodies of its large grams are read
// straight into chunks of its arena: every later gram of a 1 MiB memo is
// read into place (the zeroth tells the head's length and the body's), about
// half of them into chunks, where fusing in place alone took the second
// half. A memo of source grams, whose zeroth's head is longer than its later
// grams', has gram 1 miss and the rest read into place.
func TestReceiveIntoChunks(t *testing.T) {
	for _, source := range []string{"", "tx.example:7"} {
		t.Run("source="+source, func(t *testing.T) {
			c, memos := bigGrams(t, 3, 1<<20, source)
			perMemo := len(c.dgrams) / 3
			want := 3 * (perMemo - 1)
			if source != "" {
				want = 3 * (perMemo - 2)
			}
			m := receiveIntact(t, c, memos)
			st := m.Stats().Receive
			if st.InPlace != 3 || st.IntoPlace != uint64(want) {
				t.Fatalf("%d grams a memo; %d memos in place, %d grams read into place, want %d", perMemo, st.InPlace, st.IntoPlace, want)
			}
			checkChunks(t, m.rx)
		})
	}
}

// Grams shorter than lendChunksMin chunks are not worth a chunk each: a
// memo of UDP-sized grams lends no chunks, only its in-place buffer.
func TestReceiveIntoChunksNotForSmallGrams(t *testing.T) {
	c := &scatterConn{}
	for _, g := range renderMemo(t, RenderConfig{GramSize: 1240}, memoBytes(5, 100_000)) {
		c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr("tx"))
	}
	m, err := New(c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	c.during = func([][]byte) {
		if len(m.rx.lentChunks) != 0 {
			t.Fatalf("%d chunks lent for a %d-byte body", len(m.rx.lentChunks), m.rx.lru.tail.unsigned.lay.later)
		}
	}
	receiveN(t, m, 1)
	if m.Stats().Receive.IntoPlace == 0 {
		t.Fatal("nothing read into place: the check above saw no read")
	}
}

// While chunks are lent, another reader adds the very gram expected: the
// read's datagram, a forged copy that the read scattered over the lent
// chunks, is then a duplicate, and those chunks never join the memo.
func TestReceiveIntoChunksLoanVoided(t *testing.T) {
	c, memos := bigGrams(t, 1, 1<<20, "")
	var m *Memoer
	voided := 0
	c.during = func([][]byte) {
		if voided > 0 || len(m.rx.lentChunks) == 0 {
			return
		}
		addAheadForged(t, m, c)
		voided++
	}
	var err error
	if m, err = New(c, Config{}); err != nil {
		t.Fatal(err)
	}
	got := receiveN(t, m, 1)[0]
	if voided != 1 {
		t.Fatalf("the loan was voided %d times", voided)
	}
	if !bytes.Equal(got.Data, memos[0]) {
		t.Fatal("the memo holds the bytes a voided loan's read wrote")
	}
	if st := m.Stats().Receive; st.Rejected.Duplicate != 1 {
		t.Fatalf("rejected %+v, want the forged copy as a duplicate", st.Rejected)
	}
	checkChunks(t, m.rx)
}

// While chunks are lent, the memo expires and the receiver, with nothing in
// progress, would give back its slabs: the lent chunks stay mapped and off
// the free list until the read is over, and come back to it after.
func TestReceiveIntoChunksExpiredWhileLent(t *testing.T) {
	c, _ := bigGrams(t, 1, 1<<20, "")
	now := time.Unix(1e9, 0)
	m, err := New(c, Config{Receive: ReceiveConfig{Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 * keepSlabs { // slabs beyond those trim keeps: lent chunks come from them
		m.rx.free = m.rx.slabs.grow(m.rx.free)
	}
	mapped, expired := m.rx.slabs.mapped(), false
	c.during = func([][]byte) {
		if expired || len(m.rx.lentChunks) == 0 {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		now = now.Add(2 * DefaultIdleTimeout)
		m.rx.Expire()
		expired = true
		if m.rx.Pending() != 0 {
			t.Fatal("the memo did not expire")
		}
		if m.rx.slabs.mapped() != mapped {
			t.Fatalf("slabs given back while chunks were lent: %d bytes mapped of %d", m.rx.slabs.mapped(), mapped)
		}
		for _, f := range m.rx.free {
			for _, l := range m.rx.lentChunks {
				if f == l {
					t.Fatal("a lent chunk is on the free list")
				}
			}
		}
	}
	if _, err := m.Receive(t.Context()); err == nil {
		t.Fatal("a memo that expired half way arrived")
	}
	if !expired {
		t.Fatal("no chunks were lent")
	}
	if st := m.Stats().Receive; st.EvictedIdle != 1 {
		t.Fatalf("%+v", st)
	}
	// The grams after it wait for a zeroth gram that never comes.
	now = now.Add(2 * DefaultIdleTimeout)
	m.rx.Expire()
	if m.rx.slabs.mapped() != keepSlabs*slabSize {
		t.Fatalf("%d bytes mapped after the loan, want %d", m.rx.slabs.mapped(), keepSlabs*slabSize)
	}
	checkChunks(t, m.rx)
}

// Grams of two 1 MiB memos from two senders, interleaved: a read into
// chunks lent for one sender's memo gets the other's gram, which is put
// back together from the chunks and taken as usual; both memos arrive as
// Add fuses them.
func TestReceiveIntoChunksMisses(t *testing.T) {
	a, b := memoBytes(7, 1<<20), memoBytes(8, 1<<20)
	ga, gb := renderMemo(t, RenderConfig{GramSize: 65535}, a), renderMemo(t, RenderConfig{GramSize: 65535}, b)
	c := &scatterConn{}
	for i := range ga {
		c.dgrams, c.srcs = append(c.dgrams, ga[i]), append(c.srcs, testAddr("a"))
		if i%4 == 3 { // runs of a's grams, then one of b's
			c.dgrams, c.srcs = append(c.dgrams, gb[i/4]), append(c.srcs, testAddr("b"))
		}
	}
	for _, g := range gb[len(ga)/4:] {
		c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr("b"))
	}
	misses := 0
	var m *Memoer
	c.during = func([][]byte) {
		if len(m.rx.lentChunks) != 0 && c.srcs[0] != m.rx.lru.tail.unsigned.src {
			misses++
		}
	}
	var err error
	if m, err = New(c, Config{}); err != nil {
		t.Fatal(err)
	}
	want := map[string][]byte{"a": a, "b": b}
	for _, memo := range receiveN(t, m, 2) {
		if !bytes.Equal(memo.Data, want[memo.Src.String()]) {
			t.Fatalf("memo from %v corrupt", memo.Src)
		}
	}
	if misses == 0 {
		t.Fatal("no read into lent chunks got another sender's gram")
	}
	t.Logf("%d misses into chunks, %+v", misses, m.Stats().Receive)
	checkChunks(t, m.rx)
}
