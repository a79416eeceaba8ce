package wms_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// BenchmarkMemoVsRaw measures, in one run, what the memo layer costs over the
// raw mailslot transport under it. Each sub-benchmark moves b.N memos' worth
// of bytes twice, one way between two Peers of one process:
//
//   - raw: the memo's bytes cut into messages of at most MaxDatagramSize,
//     written with Peer.Send and read with Peer.ReadFrom;
//   - memo: Memoer.Send of the memo and Memoer.Receive, with source grams,
//     and for "signed" an Ed25519 signature per gram and an authic receiver.
//
// Both phases have a reader running concurrently (under Wine a writer
// blocks once about 200 KiB sit unread, docs/mailslots.md §8 #5), and readers
// compare every byte and count every message, so nothing is lost or damaged
// unnoticed. The two use the same number of mailslot writes per memo (a
// 64 KiB memo is 2 messages either way, 1 MiB 17), so the difference is the
// memo layer's own work: cutting, copying, signing, verifying, reassembling.
//
// The phases alternate in rounds of about b.N/8 memos each, so that a change
// in machine load (CI boxes are shared) hits both alike. The benchmark timer
// (ns/op, allocs/op) covers the memo rounds only. The metrics are raw-MB/s,
// memo-MB/s and memo/raw, the memo throughput as a fraction of the raw one
// (1 would mean the memo layer costs nothing), as in e2e's benchmarks.
func BenchmarkMemoVsRaw(b *testing.B) {
	const rounds = 8
	for _, signed := range []bool{false, true} {
		for _, size := range []int{1 << 10, 64 << 10, 1 << 20} {
			name := fmt.Sprintf("%s/size=%d", map[bool]string{false: "unsigned", true: "signed"}[signed], size)
			b.Run(name, func(b *testing.B) {
				b.StopTimer()
				data := pattern(size, 0)
				rawRound, memoRound := rawBench(b, data), memoBench(b, data, signed)
				b.ReportAllocs()
				var raw, mem time.Duration
				for done := 0; done < b.N; {
					n := min(b.N-done, max(1, b.N/rounds))
					raw += rawRound(n)
					b.StartTimer()
					mem += memoRound(n)
					b.StopTimer()
					done += n
				}
				mb := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
				b.ReportMetric(mb(raw), "raw-MB/s")
				b.ReportMetric(mb(mem), "memo-MB/s")
				b.ReportMetric(raw.Seconds()/mem.Seconds(), "memo/raw")
			})
		}
	}
}

// rawBench sets up two Peers and returns a round that moves n copies of data
// between them as plain mailslot messages and says how long that took.
func rawBench(b *testing.B, data []byte) func(n int) time.Duration {
	tx, rx := openPeer(b), openPeer(b)
	var chunks [][]byte
	for rest := data; len(rest) > 0; {
		m := min(len(rest), tx.MaxDatagramSize())
		chunks, rest = append(chunks, rest[:m]), rest[m:]
	}
	buf := make([]byte, rx.MaxDatagramSize())
	return func(n int) time.Duration {
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			for range n {
				for _, c := range chunks {
					m, _, err := rx.ReadFrom(buf)
					if err == nil && !bytes.Equal(buf[:m], c) {
						err = fmt.Errorf("message of %d bytes is not the %d sent", m, len(c))
					}
					if err != nil {
						done <- err
						return
					}
				}
			}
			done <- nil
		}()
		for range n {
			for _, c := range chunks {
				if _, err := tx.Send(c, rx.LocalAddr()); err != nil {
					b.Fatal(err)
				}
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		return time.Since(start)
	}
}

// memoBench sets up two Memoers and returns a round that moves n memos of
// data between them and says how long that took.
func memoBench(b *testing.B, data []byte, signed bool) func(n int) time.Duration {
	var cfg memo.Config
	if signed {
		cfg.Render.Signer = signer(b, 1, memo.VIDB)
		cfg.Receive.Authic = true
	}
	txp := openPeer(b)
	tx, rx := newMemoer(b, txp, cfg), newMemoer(b, openPeer(b), cfg)
	ctx, total := b.Context(), uint64(0)
	return func(n int) time.Duration {
		done := make(chan error, 1)
		start := time.Now()
		go func() {
			for range n {
				m, err := rx.Receive(ctx)
				if err == nil {
					err = memoErr(m, txp, cfg.Render.Signer, data)
				}
				if err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
		for range n {
			if err := tx.Send(ctx, data, rx.LocalAddr()); err != nil {
				b.Fatal(err)
			}
		}
		if err := <-done; err != nil {
			b.Fatal(err)
		}
		d := time.Since(start)
		if total += uint64(n); rx.Stats().Receive.Memos != total || rx.Stats().Receive.Rejected != (memo.RejectStats{}) {
			b.Fatalf("receiver stats %+v after %d memos", rx.Stats().Receive, total)
		}
		return d
	}
}

// Helpers shared by BenchmarkMemoVsRaw and the tests in memo_windows_test.go.

var slotSeq atomic.Int64

// slotName holds the process ID: slot names are global to the wineserver
// (or the Windows session) and test binaries of several packages run at once.
func slotName(t testing.TB) string {
	tag := strings.NewReplacer("/", "_", " ", "_").Replace(t.Name())
	return fmt.Sprintf(`memogram_test\wms_memo\%d\%s_%d`, os.Getpid(), tag, slotSeq.Add(1))
}

func openPeer(t testing.TB) *wms.Peer {
	t.Helper()
	p, err := wms.Open(wms.Config{Name: slotName(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// newMemoer runs the memo layer over p; the Memoer owns p from here on.
func newMemoer(t testing.TB, p *wms.Peer, cfg memo.Config) *memo.Memoer {
	t.Helper()
	m, err := memo.New(p, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// srcErr says what is wrong with got's source, if it is not from's slot.
func srcErr(got memo.Memo, from *wms.Peer) error {
	if a, ok := got.Src.(wms.Addr); !ok || a.Name != from.Name() || a.Network() != wms.Network {
		return fmt.Errorf("memo from %#v (%T), want wms.Addr{%q}", got.Src, got.Src, from.Name())
	}
	return nil
}

// memoErr says what is wrong with got, if it is not data from's slot signed
// by s (nil: unsigned).
func memoErr(got memo.Memo, from *wms.Peer, s *memo.Signer, data []byte) error {
	if err := srcErr(got, from); err != nil {
		return err
	}
	if got.VID != vidOf(s) || !bytes.Equal(got.Data, data) {
		return fmt.Errorf("memo of %d bytes under vid %q, want %d bytes under %q", len(got.Data), got.VID, len(data), vidOf(s))
	}
	return nil
}

func signer(t testing.TB, seed byte, code memo.VIDCode) *memo.Signer {
	t.Helper()
	s, err := memo.NewSigner(bytes.Repeat([]byte{seed}, 32), code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// vidOf is the VID of memos signed by s: "" when unsigned.
func vidOf(s *memo.Signer) string {
	if s == nil {
		return ""
	}
	return s.VID()
}

// pattern returns n bytes that differ between sizes and seeds, so that a
// memo cut short or mixed up with another does not compare equal.
func pattern(n, seed int) []byte {
	b := make([]byte, n)
	x := uint32(seed*2654435761 + n)
	for i := range b {
		x = x*1664525 + 1013904223
		b[i] = byte(x >> 24)
	}
	return b
}
