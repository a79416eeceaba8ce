//go:build linux

package uxd_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"path/filepath"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// memoPair opens two Memoers over uxd peers in one directory.
func memoPair(t *testing.T, cfg memo.Config) (a, b *memo.Memoer) {
	t.Helper()
	dir := shortDir(t)
	open := func(name string) *memo.Memoer {
		p, err := uxd.Open(uxd.Config{Path: filepath.Join(dir, name)})
		if err != nil {
			t.Fatal(err)
		}
		m, err := memo.New(p, cfg)
		if err != nil {
			p.Close()
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	return open("a.uxd"), open("b.uxd")
}

func numbered(i, n int) []byte {
	b := make([]byte, n)
	for j := range b {
		b[j] = byte(i*131 + j*7 + j>>9)
	}
	if n >= 8 {
		binary.BigEndian.PutUint64(b, uint64(i))
	}
	return b
}

// Over uxd, a Memoer receives the later grams of a large memo straight
// where they belong (ReadScatter): into chunks of its arena until it is
// fused in place, into its buffer after. Of a 1 MiB memo's 17 grams, all
// but the zeroth (which tells the later grams' head and body lengths) are
// read so from one sender; every memo arrives intact, also when a
// second sender interleaves its memos and the lent places miss.
func TestReceiveIntoPlace(t *testing.T) {
	for _, senders := range []int{1, 2} {
		t.Run(map[int]string{1: "one sender", 2: "two senders"}[senders], func(t *testing.T) {
			tx, rx := memoPair(t, memo.Config{})
			tx2, _ := memoPair(t, memo.Config{}) // a second sender, elsewhere
			const count, size = 24, 1 << 20
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			errs := make(chan error, senders)
			for s := range senders {
				from := []*memo.Memoer{tx, tx2}[s]
				go func() {
					for i := s; i < count; i += senders {
						if err := from.Send(ctx, numbered(i, size-i), rx.LocalAddr()); err != nil {
							errs <- err
							return
						}
					}
					errs <- nil
				}()
			}
			seen := make(map[uint64]bool)
			for range count {
				m, err := rx.Receive(ctx)
				if err != nil {
					t.Fatal(err)
				}
				i := binary.BigEndian.Uint64(m.Data)
				if seen[i] || !bytes.Equal(m.Data, numbered(int(i), size-int(i))) {
					t.Fatalf("memo %d: duplicate %v or corrupt (%d bytes)", i, seen[i], len(m.Data))
				}
				seen[i] = true
				rx.Recycle(m.Data)
			}
			for range senders {
				if err := <-errs; err != nil {
					t.Fatal(err)
				}
			}
			st := rx.Stats().Receive
			grams := int(st.Grams)
			t.Logf("%d grams, %d memos in place, %d grams read into place", grams, st.InPlace, st.IntoPlace)
			if st.InPlace == 0 || st.IntoPlace == 0 {
				t.Fatalf("%d memos in place, %d grams read into place: the scattered read is unused", st.InPlace, st.IntoPlace)
			}
			if senders == 1 && int(st.IntoPlace) < count*12 {
				t.Fatalf("%d grams read into place, want at least 12 a memo from one sender", st.IntoPlace)
			}
		})
	}
}

// ReadScatter and WriteGather allocate nothing once warm: the source of a
// run of datagrams from one sender is one value.
func TestScatterGatherAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers: allocation counts mean nothing")
	}
	dir := shortDir(t)
	tx, err := uxd.Open(uxd.Config{Path: filepath.Join(dir, "tx.uxd")})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	rx, err := uxd.Open(uxd.Config{Path: filepath.Join(dir, "rx.uxd")})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	dst := rx.LocalAddr()
	out := [][]byte{make([]byte, 30), make([]byte, 60000)}
	in := [][]byte{make([]byte, 30), make([]byte, 60000), make([]byte, 6000)}
	round := func() {
		if _, err := tx.WriteGather(out, 2, dst); err != nil {
			t.Fatal(err)
		}
		if n, src, err := rx.ReadScatter(in); err != nil || n != 60030 || src == nil {
			t.Fatalf("ReadScatter = %d, %v, %v", n, src, err)
		}
	}
	round()
	if a := testing.AllocsPerRun(50, round); a > 0 {
		t.Fatalf("%.1f allocations per gathered write and scattered read", a)
	}
}
