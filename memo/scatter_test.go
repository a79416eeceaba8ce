package memo

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"testing"
	"time"
)

// scatterConn is a receiving conn with ReadScatter over a list of
// datagrams and their sources, as a kernel would scatter them; before each
// scattered read it runs during, if set, as another reader might run while
// the read waits.
type scatterConn struct {
	net.PacketConn // nil: only a receiver's methods are called
	dgrams         [][]byte
	srcs           []net.Addr
	scattered      int
	during         func(parts [][]byte)
}

func (c *scatterConn) pop() ([]byte, net.Addr, error) {
	if len(c.dgrams) == 0 {
		return nil, nil, net.ErrClosed
	}
	d, a := c.dgrams[0], c.srcs[0]
	c.dgrams, c.srcs = c.dgrams[1:], c.srcs[1:]
	return d, a, nil
}

func (c *scatterConn) ReadFrom(b []byte) (int, net.Addr, error) {
	d, a, err := c.pop()
	return copy(b, d), a, err
}

func (c *scatterConn) ReadScatter(parts [][]byte) (int, net.Addr, error) {
	if c.during != nil {
		c.during(parts)
	}
	d, a, err := c.pop()
	if err != nil {
		return 0, nil, err
	}
	c.scattered++
	n := 0
	for _, p := range parts {
		n += copy(p, d[n:])
	}
	return n, a, nil
}

func (c *scatterConn) WriteTo(b []byte, _ net.Addr) (int, error) { return len(b), nil } // acks
func (c *scatterConn) LocalAddr() net.Addr                       { return testAddr("rx") }
func (c *scatterConn) SetReadDeadline(t time.Time) error         { return nil }
func (c *scatterConn) SetWriteDeadline(t time.Time) error        { return nil }
func (c *scatterConn) Close() error                              { return nil }

// plainConn is a scatterConn that reads whole datagrams only.
type plainConn struct{ c *scatterConn }

func (p plainConn) ReadFrom(b []byte) (int, net.Addr, error)  { return p.c.ReadFrom(b) }
func (p plainConn) WriteTo(b []byte, a net.Addr) (int, error) { return p.c.WriteTo(b, a) }
func (p plainConn) LocalAddr() net.Addr                       { return p.c.LocalAddr() }
func (p plainConn) SetDeadline(t time.Time) error             { return nil }
func (p plainConn) SetReadDeadline(t time.Time) error         { return nil }
func (p plainConn) SetWriteDeadline(t time.Time) error        { return nil }
func (p plainConn) Close() error                              { return nil }

// receiveIntact has a Memoer over c receive len(memos) memos and fails
// unless they are memos, in order.
func receiveIntact(t *testing.T, c *scatterConn, memos [][]byte) *Memoer {
	t.Helper()
	m, err := New(c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for i, got := range receiveN(t, m, len(memos)) {
		if !bytes.Equal(got.Data, memos[i]) {
			t.Fatalf("memo %d corrupt", i)
		}
	}
	return m
}

func receiveN(t *testing.T, m *Memoer, n int) []Memo {
	t.Helper()
	var got []Memo
	for range n {
		memo, err := m.Receive(context.Background())
		if err != nil {
			t.Fatalf("after %d memos: %v", len(got), err)
		}
		got = append(got, memo)
	}
	return got
}

// In order, every later gram of a memo fused in place is read straight
// into it, in text and binary form, and each memo arrives intact.
func TestReceiveIntoPlaceInOrder(t *testing.T) {
	for _, rc := range []RenderConfig{{GramSize: 65535}, {GramSize: 1240, Form: Binary}, {GramSize: 4000, Form: Binary, FillBinary: true}} {
		t.Run(fmt.Sprintf("gram=%d/form=%d/fill=%v", rc.GramSize, rc.Form, rc.FillBinary), func(t *testing.T) {
			c := &scatterConn{}
			var memos [][]byte
			for i := range 3 {
				memo := memoBytes(uint64(i), 300_000+i)
				memos = append(memos, memo)
				for _, g := range renderMemo(t, rc, memo) {
					c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr("tx"))
				}
			}
			grams := len(c.dgrams)
			m := receiveIntact(t, c, memos)
			st := m.Stats().Receive
			t.Logf("%d grams, %d memos in place, %d read into place", st.Grams, st.InPlace, st.IntoPlace)
			// A memo goes in place once half of it is in, and the next
			// gram tells the head's length: about the last half of
			// every memo is read in place.
			// Grams of 8 chunks and more are read into chunks before
			// (TestReceiveIntoChunks).
			small := rc.GramSize < lendChunksMin*chunkSize
			if st.InPlace != 3 || int(st.IntoPlace) < grams/3-3 || (small && st.IntoPlace > st.Grams/2) {
				t.Fatalf("%d grams, %d memos in place, %d read into place", st.Grams, st.InPlace, st.IntoPlace)
			}
			if c.scattered < int(st.IntoPlace) {
				t.Fatalf("%d scattered reads, %d grams read into place", c.scattered, st.IntoPlace)
			}
		})
	}
}

// What is not the gram expected is put back together and taken as usual:
// grams of two memos from two senders interleaved, one memo's grams out of
// order, a duplicate, a gram of the number expected but shorter (the first
// copy wins, as it does without scattered reads) and a stray unparsable
// datagram; each memo is what Add fuses of the same datagrams.
func TestReceiveIntoPlaceMisses(t *testing.T) {
	rc := RenderConfig{GramSize: 1240}
	a, b := memoBytes(1, 200_000), memoBytes(2, 150_000)
	ga, gb := renderMemo(t, rc, a), renderMemo(t, rc, b)
	c := &scatterConn{}
	add := func(g []byte, src string) {
		c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr(src))
	}
	for i := range max(len(ga), len(gb)) {
		if i < len(ga) {
			add(ga[i], "a")
			if i == len(ga)-20 { // a duplicate, and a shorter copy of the next gram
				add(ga[i], "a")
				add(ga[i+1][:len(ga[i+1])-5], "a")
				add([]byte("not a gram"), "a")
			}
		}
		if i < len(gb) {
			if i > 0 && i%7 == 0 && i+1 < len(gb) { // swapped pairs
				add(gb[i+1], "b")
				gb[i], gb[i+1] = gb[i+1], gb[i]
				continue
			}
			add(gb[i], "b")
		}
	}
	// The oracle: the same datagrams through Add, one buffer each.
	want := map[string][]byte{}
	ref := NewReassembler(ReceiveConfig{})
	for i, d := range c.dgrams {
		if memo, done, _ := ref.Add(d, c.srcs[i]); done {
			want[memo.Src.String()] = memo.Data
		}
	}
	if len(want) != 2 || len(want["b"]) != len(b) || len(want["a"]) != len(a)-5 {
		t.Fatalf("the oracle delivered %d memos", len(want))
	}
	m, err := New(c, Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, memo := range receiveN(t, m, 2) {
		if !bytes.Equal(memo.Data, want[memo.Src.String()]) {
			t.Fatalf("memo from %v differs from what Add fuses (%d bytes, want %d)", memo.Src, len(memo.Data), len(want[memo.Src.String()]))
		}
	}
	st := m.Stats().Receive
	t.Logf("%d grams, %d scattered reads, %d into place, rejected %+v", st.Grams, c.scattered, st.IntoPlace, st.Rejected)
	if st.Rejected.Duplicate == 0 || st.Rejected.Malformed != 1 {
		t.Fatalf("rejected %+v: the stray datagrams were not seen", st.Rejected)
	}
}

// While a place is lent, another reader (as the Sure pump may) adds the
// very gram expected: the memo leaves its buffer for the arena before that
// gram is stored, so that the read's bytes, which land in the lent place,
// change nothing; the read's datagram, a forged copy, is then a duplicate,
// and the memo arrives as its first copies made it.
func TestReceiveIntoPlaceLoanVoided(t *testing.T) {
	rc := RenderConfig{GramSize: 1240}
	memo := memoBytes(9, 100_000)
	grams := renderMemo(t, rc, memo)
	c := &scatterConn{}
	var m *Memoer
	voided := 0
	var lent *byte
	c.during = func(parts [][]byte) {
		if voided > 0 || len(c.dgrams) < 3 || m.rx.lent == nil {
			return
		}
		lent = m.rx.lent
		addAheadForged(t, m, c)
		voided++
	}
	for _, g := range grams {
		c.dgrams, c.srcs = append(c.dgrams, g), append(c.srcs, testAddr("tx"))
	}
	var err error
	if m, err = New(c, Config{}); err != nil {
		t.Fatal(err)
	}
	pool := m.rx.recycle
	m.rx.recycle = func(b []byte) {
		if lent != nil && cap(b) > 0 && &b[:1][0] == lent {
			t.Error("the lent buffer went to the pool while the read could still write into it")
		}
		pool(b)
	}
	got := receiveN(t, m, 1)[0]
	if voided != 1 {
		t.Fatalf("the loan was voided %d times", voided)
	}
	if !bytes.Equal(got.Data, memo) {
		t.Fatal("the memo holds the bytes a voided loan's read wrote")
	}
	if st := m.Stats().Receive; st.Rejected.Duplicate != 1 {
		t.Fatalf("rejected %+v, want the forged copy as a duplicate", st.Rejected)
	}
	if m.rx.lent != nil {
		t.Fatal("a loan outlived its read")
	}
}

// addAheadForged is another reader adding the next datagram of c while a
// read waits, and that datagram then arriving once more, forged in its
// last 100 bytes.
func addAheadForged(t *testing.T, m *Memoer, c *scatterConn) {
	t.Helper()
	next := c.dgrams[0]
	m.mu.Lock()
	if _, _, err := m.rx.Add(next, testAddr("tx")); err != nil {
		t.Errorf("the other reader's Add: %v", err)
	}
	m.mu.Unlock()
	forged := bytes.Clone(next)
	for i := len(forged) - 100; i < len(forged); i++ {
		forged[i] ^= 0xff
	}
	c.dgrams[0] = forged
}

// FuzzReceiveIntoPlace is a differential test of receiving into place and
// into lent chunks: a Memoer reading the datagrams through scattered reads
// delivers exactly what Add fuses of the same datagrams, in the same order,
// whatever they are. A datagram's frame is a big-endian uint16 length whose top bit picks
// the source, then its bytes.
func FuzzReceiveIntoPlace(f *testing.F) {
	// Small seeds keep the fuzzer's minimization of what it finds quick.
	r, _ := NewRenderer(RenderConfig{GramSize: 40, Form: Binary})
	var seq []byte
	put := func(g []byte, src int) {
		seq = binary.BigEndian.AppendUint16(seq, uint16(len(g)|src<<15))
		seq = append(seq, g...)
	}
	a, _ := r.Render(memoBytes(1, 300))
	b, _ := r.Render(memoBytes(2, 200))
	for _, g := range a {
		put(g, 0)
	}
	first := bytes.Clone(seq)
	f.Add(first)
	seq = nil
	for i := range max(len(a), len(b)) {
		if i < len(a) {
			put(a[i], 0)
		}
		if i < len(b) {
			put(b[len(b)-1-i], 1)
		}
		if i == 8 {
			put(a[i][:len(a[i])-3], 0)
		}
	}
	f.Add(bytes.Clone(seq))
	// The first seed must take the path under test, or the target would
	// prove nothing.
	if st := receiveBothWays(f, first); st.IntoPlace == 0 {
		f.Fatalf("the first seed read no gram into place: %+v", st)
	}
	f.Fuzz(func(t *testing.T, in []byte) { receiveBothWays(t, in) })
}

// receiveBothWays feeds in's datagrams to a Memoer with scattered reads and
// to one reading whole datagrams, checks that they deliver the same memos
// with the same counts, and returns the first's counts.
func receiveBothWays(t testing.TB, in []byte) ReceiveStats {
	// Room for in-place buffers beside mapped slabs, and for a chunk for
	// every gram: no memo is evicted for memory.
	cfg := ReceiveConfig{MaxMemoSize: 1 << 14, MaxGramCount: 256, MaxPending: 8, MaxPendingBytes: 64 << 20}
	c := &scatterConn{}
	for len(in) >= 2 {
		h := binary.BigEndian.Uint16(in)
		n := min(int(h&0x7fff), len(in)-2)
		c.dgrams = append(c.dgrams, in[2:2+n])
		c.srcs = append(c.srcs, testAddr([]string{"a", "b"}[h>>15]))
		in = in[2+n:]
	}
	// The oracle: the same Memoer code over a conn that only reads
	// whole datagrams.
	ref, err := New(plainConn{&scatterConn{dgrams: c.dgrams, srcs: c.srcs}}, Config{Receive: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.Close()
	var want []Memo
	for {
		got, err := ref.Receive(context.Background())
		if err != nil {
			break
		}
		want = append(want, got)
	}
	m, err := New(c, Config{Receive: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	m.rx.lendMin = 1 // chunks are lent for every body, however short
	for i := 0; ; i++ {
		got, err := m.Receive(context.Background())
		if err != nil {
			if i != len(want) {
				t.Fatalf("%d memos, the whole-datagram reader fused %d", i, len(want))
			}
			break
		}
		if i >= len(want) || !bytes.Equal(got.Data, want[i].Data) || got.Src.String() != want[i].Src.String() {
			t.Fatalf("memo %d differs from what the whole-datagram reader fused", i)
		}
	}
	if a, b := m.Stats().Receive, ref.Stats().Receive; a.Grams != b.Grams || a.Rejected != b.Rejected {
		t.Fatalf("stats differ: scattered %+v, whole %+v", a, b)
	}
	if m.rx.lent != nil {
		t.Fatal("a loan outlived its read")
	}
	return m.Stats().Receive
}
