package e2e

import (
	"errors"
	"fmt"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
	"github.com/memogram/memogram/uxd"
)

// reopenSizes mixes one-gram and multi-gram memos, so that reopens fall
// between the grams of a memo as well as between memos.
var reopenSizes = []int{10, 2000, 70000, 1, 140000, 500}

func reopenPayload(seq int) []byte {
	return append([]byte(fmt.Sprintf("%d|", seq)), binaryPayload(uint64(seq), reopenSizes[seq%len(reopenSizes)])...)
}

// stream sends memos 0 … n-1 from a to dst on its own goroutine. A memo that
// meets a closed destination (the receiver between close and bind) is sent
// again, whole, under a new mid; any other error ends the stream. started[i] is the number of completed reopens when
// memo i was last begun.
type stream struct {
	n       int
	started []atomic.Int64
	retries atomic.Int64 // memos that met a closed destination
	ended   chan struct{}
	err     error // read after ended is closed
}

func streamMemos(t *testing.T, a *memo.Memoer, dst *uxd.Peer, n int, reopens *atomic.Int64) *stream {
	s := &stream{n: n, started: make([]atomic.Int64, n), ended: make(chan struct{})}
	ctx := ctxFor(t)
	go func() {
		defer close(s.ended)
		for seq := range n {
			for {
				s.started[seq].Store(reopens.Load())
				err := a.Send(ctx, reopenPayload(seq), dst.LocalAddr())
				switch {
				case errors.Is(err, transport.ErrNoDestination):
					s.retries.Add(1)
					time.Sleep(time.Millisecond) // the receiver is away for a while
					continue
				case err != nil:
					s.err = fmt.Errorf("memo %d: %w", seq, err)
					return
				}
				break
			}
		}
	}()
	return s
}

func (s *stream) finished() bool {
	select {
	case <-s.ended:
		return true
	default:
		return false
	}
}

// next is in.next that also fails as soon as the stream does.
func (s *stream) next(t *testing.T, in *inbox) memo.Memo {
	t.Helper()
	select {
	case m := <-in.memos:
		return m
	case <-s.ended:
		if s.err != nil {
			t.Fatalf("sender: %v", s.err)
		}
	}
	return in.next(t)
}

// closedOnPurpose accepts the error of a Receive on a peer that the test
// closed on purpose, once per such close (closes counts them): it then waits
// for the peer to be open again before the Memoer receives again. A count,
// not a flag: on a loaded machine the receiver may see the close only after
// the test has reopened the peer.
func closedOnPurpose(p *uxd.Peer, closes *atomic.Int64) func(error) bool {
	var accepted int64
	return func(err error) bool {
		if accepted >= closes.Load() || err == net.ErrClosed || !errors.Is(err, net.ErrClosed) {
			return false
		}
		accepted++
		for end := time.Now().Add(patience); !p.Opened() && time.Now().Before(end); {
			time.Sleep(time.Millisecond)
		}
		return true
	}
}

// The receiving peer is reopened under its Memoer, several times, while a
// sender streams to it: at once (Reopen), or closed until the sender has
// met the missing socket (transport.ErrNoDestination) a few times and then
// reopened. Grams queued in the old socket die with it, so memos in flight
// may be lost; every memo begun after the last reopen must arrive, nothing
// may arrive twice or altered, and the Memoer keeps working.
func TestUXDReopenReceiverMidStream(t *testing.T) {
	for _, c := range []struct {
		name    string
		reopens int64
		closed  bool
	}{
		{"reopen", 5, false},
		{"close-then-reopen", 3, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			const n, reopenEvery = 240, 20
			dir := uxdDir(t)
			ap := openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
			bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
			a, b := newMemoer(t, ap, memo.Config{}), newMemoer(t, bp, memo.Config{})
			var closes atomic.Int64
			in := receivingBut(t, b, closedOnPurpose(bp, &closes))
			var done atomic.Int64
			s := streamMemos(t, a, bp, n, &done)

			got := map[int]bool{}
			for len(got) < n && !(done.Load() == c.reopens && s.finished() && allSince(got, s, c.reopens)) {
				m := s.next(t, in)
				var seq int
				if _, err := fmt.Sscanf(string(m.Data), "%d|", &seq); err != nil || seq < 0 || seq >= n {
					t.Fatalf("memo without a tag: %.20q", m.Data)
				}
				if got[seq] {
					t.Fatalf("memo %d arrived twice", seq)
				}
				checkMemo(t, m, reopenPayload(seq), ap.LocalAddr(), "")
				got[seq] = true
				if done.Load() == c.reopens || len(got)%reopenEvery != 0 {
					continue
				}
				if c.closed {
					closes.Add(1)
					met := s.retries.Load()
					if err := bp.Close(); err != nil {
						t.Fatal(err)
					}
					for s.retries.Load() < met+3 && !s.finished() {
						time.Sleep(time.Millisecond)
					}
				}
				if err := bp.Reopen(); err != nil {
					t.Fatalf("reopen: %v", err)
				}
				done.Add(1)
			}
			<-s.ended
			if s.err != nil {
				t.Fatal(s.err)
			}
			if done.Load() != c.reopens {
				t.Fatalf("only %d reopens", done.Load())
			}
			if c.closed && s.retries.Load() < 3*c.reopens {
				t.Fatalf("the sender met the closed socket only %d times", s.retries.Load())
			}
			t.Logf("%d of %d memos arrived; %d sends met a closed socket and were repeated", len(got), n, s.retries.Load())
			in.quiet(t)
			// The Memoers still work, both ways.
			ctx := ctxFor(t)
			if err := b.Send(ctx, []byte("back"), ap.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			if m, err := a.Receive(ctx); err != nil || string(m.Data) != "back" {
				t.Fatalf("reply: %q, %v", m.Data, err)
			}
		})
	}
}

// allSince reports whether every memo begun after the last reopen arrived.
func allSince(got map[int]bool, s *stream, reopens int64) bool {
	for seq := range s.n {
		if s.started[seq].Load() == reopens && !got[seq] {
			return false
		}
	}
	return true
}

// Reopening the sending peer under its Memoer while it streams loses
// nothing: the receiver's queue is untouched, a Send in progress carries on
// with the new socket at the same path, and the receiver sees one source.
func TestUXDReopenSenderMidStream(t *testing.T) {
	const n, reopenEvery, reopens = 120, 15, 5
	dir := uxdDir(t)
	ap := openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
	bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
	a, b := newMemoer(t, ap, memo.Config{}), newMemoer(t, bp, memo.Config{})
	in := receiving(t, b)
	var done atomic.Int64
	s := streamMemos(t, a, bp, n, &done)
	for seq := range n {
		checkMemo(t, s.next(t, in), reopenPayload(seq), ap.LocalAddr(), "")
		if done.Load() < reopens && (seq+1)%reopenEvery == 0 {
			if err := ap.Reopen(); err != nil {
				t.Fatalf("reopen: %v", err)
			}
			done.Add(1)
		}
	}
	<-s.ended
	if s.err != nil {
		t.Fatal(s.err)
	}
	if s.retries.Load() != 0 {
		t.Fatalf("%d memos met a closed destination", s.retries.Load())
	}
	in.quiet(t)
	if got := ap.LocalAddr().String(); got != filepath.Join(dir, "a.uxd") {
		t.Fatalf("sender moved to %s", got)
	}
}

// Blocking calls made while another goroutine reopens the peer must not fail
// with net.ErrClosed: uxd and udp Peers say their methods keep working across
// Reopen, and calls already blocked when Reopen starts do wait for the new
// socket. Deadlines in the past make ReadFrom and WriteTo return at once, so
// that they are called again and again while the peer is reopened. (They
// once failed when begun between Reopen's close and bind.)
func TestReopenKeepsCallsWorking(t *testing.T) {
	t.Run("uxd", func(t *testing.T) {
		dir := uxdDir(t)
		ap := openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
		bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
		reopenWhileCalling(t, ap, bp.LocalAddr())
	})
	t.Run("udp", func(t *testing.T) {
		ap := openUDP(t, udp.Config{Addr: "127.0.0.1:0"})
		bp := openUDP(t, udp.Config{Addr: "127.0.0.1:0"})
		reopenWhileCalling(t, ap, bp.LocalAddr())
	})
}

func reopenWhileCalling(t *testing.T, p interface {
	net.PacketConn
	Reopen() error
}, dst net.Addr) {
	if err := p.SetDeadline(time.Unix(1, 0)); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var reads, writes, closedReads, closedWrites atomic.Int64
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 64)
		for !stop.Load() {
			_, _, err := p.ReadFrom(buf)
			reads.Add(1)
			if errors.Is(err, net.ErrClosed) {
				closedReads.Add(1)
			}
		}
	})
	wg.Go(func() {
		for !stop.Load() {
			_, err := p.WriteTo([]byte("x"), dst)
			writes.Add(1)
			if errors.Is(err, net.ErrClosed) {
				closedWrites.Add(1)
			}
		}
	})
	for range 200 {
		if err := p.Reopen(); err != nil {
			t.Fatal(err)
		}
	}
	stop.Store(true)
	wg.Wait()
	if closedReads.Load()+closedWrites.Load() > 0 {
		t.Fatalf("during 200 reopens, %d of %d ReadFrom and %d of %d WriteTo calls failed with net.ErrClosed",
			closedReads.Load(), reads.Load(), closedWrites.Load(), writes.Load())
	}
}
