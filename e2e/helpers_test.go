package e2e

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/uxd"
)

// Seeds of the B, D and E keys of memo/testdata/vectors.json, so that a
// failing signed case can be replayed with hiopeer by hand.
const (
	seedB = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	seedD = "202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	seedE = "404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
)

// patience bounds every wait in these tests. It is a hang detector, not a
// performance threshold: nothing passes or fails by being fast.
const patience = 3 * time.Minute

func ctxFor(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), patience)
	t.Cleanup(cancel)
	return ctx
}

func signer(t testing.TB, seed string, code memo.VIDCode) *memo.Signer {
	t.Helper()
	s, err := memo.NewSignerHex(seed, code)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// keepOf trusts the signers' vids, as a receiver of D and E vids must.
func keepOf(t testing.TB, ss ...*memo.Signer) *memo.Keep {
	t.Helper()
	k := memo.NewKeep()
	for _, s := range ss {
		if err := k.Add(s.VID(), s.QVK()); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

// binaryPayload returns n reproducible bytes that are almost never UTF-8,
// so that a receiver that decodes or re-encodes memos would be caught.
func binaryPayload(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, 0x6d656d6f))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// textPayload returns at most n bytes of UTF-8 with one- to four-byte
// runes, so that gram boundaries fall inside runes.
func textPayload(seed uint64, n int) []byte {
	const words = "héllo wörld — ✓ 日本語 🚀 Ωmega memogram "
	var b bytes.Buffer
	b.Grow(n + 64)
	fmt.Fprintf(&b, "%d:", seed)
	for b.Len() < n {
		b.WriteString(words)
	}
	out := b.Bytes()[:n]
	for !utf8.Valid(out) {
		out = out[:len(out)-1]
	}
	return out
}

func sizeName(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}

// openUXD opens a uxd peer that the test closes at its end. On Windows,
// where Go has no unix datagram sockets, it checks that Open says so and
// skips the rest of the test.
func openUXD(t testing.TB, cfg uxd.Config) *uxd.Peer {
	t.Helper()
	p, err := uxd.Open(cfg)
	if runtime.GOOS == "windows" {
		if p != nil || !errors.Is(err, transport.ErrUnsupported) {
			t.Fatalf("uxd.Open on windows: %v, %v; want transport.ErrUnsupported", p, err)
		}
		t.Skipf("uxd is not supported on windows, as uxd.Open reports: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// uxdDir is a short private directory for socket files: a unix socket path
// has at most 107 bytes, and t.TempDir() paths can be longer.
func uxdDir(t testing.TB) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		return `C:\nonexistent` // openUXD skips before anything is bound
	}
	d, err := os.MkdirTemp("", "mg")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

func newMemoer(t testing.TB, conn net.PacketConn, cfg memo.Config) *memo.Memoer {
	t.Helper()
	m, err := memo.New(conn, cfg)
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// inbox receives memos on its own goroutine, as an application does, so
// that the sender never waits on a full kernel queue for long.
type inbox struct {
	memos  chan memo.Memo
	ended  chan struct{}
	err    error // why the goroutine ended; read after ended is closed
	cancel context.CancelFunc
}

func receiving(t testing.TB, m *memo.Memoer) *inbox { return receivingBut(t, m, nil) }

// receivingBut is receiving that carries on after the errors tolerate
// accepts.
func receivingBut(t testing.TB, m *memo.Memoer, tolerate func(error) bool) *inbox {
	ctx, cancel := context.WithCancel(context.Background())
	in := &inbox{memos: make(chan memo.Memo, 64), ended: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(in.ended)
		for {
			got, err := m.Receive(ctx)
			if err != nil && ctx.Err() == nil && tolerate != nil && tolerate(err) {
				continue
			}
			if err != nil {
				in.err = err
				return
			}
			select {
			case in.memos <- got:
			case <-ctx.Done():
				in.err = ctx.Err()
				return
			}
		}
	}()
	t.Cleanup(func() { in.stop() })
	return in
}

// stop ends the receiving goroutine and returns why it had ended, if not
// because of stop.
func (in *inbox) stop() error {
	in.cancel()
	<-in.ended
	if errors.Is(in.err, context.Canceled) {
		return nil
	}
	return in.err
}

func (in *inbox) next(t testing.TB) memo.Memo {
	t.Helper()
	select {
	case m := <-in.memos:
		return m
	case <-in.ended:
		t.Fatalf("receiver ended: %v", in.err)
	case <-time.After(patience):
		// Say where everyone is: the next run may not fail.
		buf := make([]byte, 1<<20)
		t.Fatalf("no memo arrived; goroutines:\n%s", buf[:runtime.Stack(buf, true)])
	}
	return memo.Memo{}
}

// quiet reports a memo that arrives within a short while, which the caller
// did not expect. It cannot prove that nothing will ever arrive; it catches
// duplicates that are already on their way.
func (in *inbox) quiet(t testing.TB) {
	t.Helper()
	select {
	case m := <-in.memos:
		t.Fatalf("unexpected memo of %d bytes from %v: %.40q", len(m.Data), m.Src, m.Data)
	case <-time.After(100 * time.Millisecond):
	}
}

func checkMemo(t testing.TB, got memo.Memo, want []byte, src net.Addr, vid string) {
	t.Helper()
	if !bytes.Equal(got.Data, want) {
		t.Fatalf("memo of %d bytes differs from the %d sent (first bytes %.40q, want %.40q)", len(got.Data), len(want), got.Data, want)
	}
	if got.Data == nil {
		t.Fatal("memo data is nil, want an empty slice")
	}
	if src == nil && got.Src != nil || src != nil && (got.Src == nil || got.Src.String() != src.String()) {
		t.Fatalf("src %v, want %v", got.Src, src)
	}
	if got.VID != vid {
		t.Fatalf("vid %q, want %q", got.VID, vid)
	}
}

// checkNoRejects fails when a receiver dropped or evicted anything: in these
// tests every gram is well-formed and wanted.
func checkNoRejects(t testing.TB, m *memo.Memoer) {
	t.Helper()
	s := m.Stats().Receive
	if s.Rejected != (memo.RejectStats{}) || s.EvictedIdle != 0 || s.EvictedPressure != 0 {
		t.Fatalf("receiver dropped grams: %+v", s)
	}
}

// checkGoroutines waits for the goroutines started since before to end.
func checkGoroutines(t testing.TB, before int) {
	t.Helper()
	for range 200 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf)
}
