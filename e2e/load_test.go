package e2e

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
	"github.com/memogram/memogram/uxd"
)

// Load: loadSenders Memoers each send many memos of mixed sizes into one
// receiver; the receiver's memos are compared with what was sent by
// content hash (sha256), as a multiset per sender, so that a lost, an
// altered and a duplicated memo each show.

const (
	loadSenders = 8
	loadMaxSize = 256 << 10
	// loadMemosRace is the memos per sender under the race detector: the
	// full load takes several minutes there on two cores.
	loadMemosRace = 1000
	loadEnv       = "MEMOGRAM_LOAD_MEMOS"
)

// loadMemosDefault is the memos each load sender sends by default; over
// UDP it is loadMemosUDP, which is smaller under Wine.
const loadMemosDefault = 10000

// loadMemos is the memos each sender sends: $MEMOGRAM_LOAD_MEMOS, else
// dflt, at most loadMemosRace under -race.
func loadMemos(t *testing.T, dflt int) int {
	t.Helper()
	if s := os.Getenv(loadEnv); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("%s=%q: want a positive count", loadEnv, s)
		}
		return n
	}
	if raceEnabled {
		return min(dflt, loadMemosRace)
	}
	return dflt
}

// loadSize draws a memo size log-uniformly from 1 B to loadMaxSize, so that
// one-gram and many-gram memos are equally common per decade.
func loadSize(r *rand.Rand) int {
	return int(math.Exp(r.Float64() * math.Log(loadMaxSize+1)))
}

type loadKey struct {
	src string
	sum [sha256.Size]byte
}

// tally is a multiset of memos by sender and content.
type tally struct {
	mu    sync.Mutex
	memos map[loadKey]int
	n     int
	bytes int64
}

func newTally() *tally { return &tally{memos: map[loadKey]int{}} }

func (t *tally) add(src string, data []byte) {
	k := loadKey{src, sha256.Sum256(data)}
	t.mu.Lock()
	t.memos[k]++
	t.n++
	t.bytes += int64(len(data))
	t.mu.Unlock()
}

func (t *tally) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.n
}

// compare returns how many sent memos did not arrive, how many arrived
// more often than sent, and how many arrived that nobody sent (altered, or
// credited to the wrong sender).
func compare(sent, got *tally) (lost, duplicated, corrupted int) {
	for k, n := range sent.memos {
		if g := got.memos[k]; g < n {
			lost += n - g
		}
	}
	for k, g := range got.memos {
		n, ok := sent.memos[k]
		switch {
		case !ok:
			corrupted += g
		case g > n:
			duplicated += g - n
		}
	}
	return lost, duplicated, corrupted
}

// loadSender is one sending Memoer and how it sends.
type loadSender struct {
	m    *memo.Memoer
	send func(ctx context.Context, m *memo.Memoer, data []byte, dst net.Addr) error
}

func plainSend(ctx context.Context, m *memo.Memoer, data []byte, dst net.Addr) error {
	return m.Send(ctx, data, dst)
}

func sureSend(ctx context.Context, m *memo.Memoer, data []byte, dst net.Addr) error {
	_, err := m.SendSure(ctx, data, dst, memo.SendOptions{})
	return err
}

type loadResult struct {
	sent, got                   *tally
	lost, duplicated, corrupted int
	elapsed                     time.Duration
}

// runLoad sends n memos from every sender to rx at dst at once and
// collects what arrives. With lossy false it waits for every memo; with
// lossy true it waits until the senders are done and nothing has arrived
// for a second.
func runLoad(t *testing.T, senders []loadSender, rx *memo.Memoer, dst net.Addr, n int, lossy bool) loadResult {
	t.Helper()
	ctx := ctxFor(t)
	sent, got := newTally(), newTally()
	rctx, stop := context.WithCancel(ctx)
	defer stop()
	rxDone := make(chan error, 1)
	lastRx := make(chan time.Time, 1)
	lastRx <- time.Now()
	go func() {
		for {
			m, err := rx.Receive(rctx)
			if err != nil {
				rxDone <- err
				return
			}
			src := ""
			if m.Src != nil {
				src = m.Src.String()
			}
			got.add(src, m.Data)
			rx.Recycle(m.Data)
			<-lastRx
			lastRx <- time.Now()
		}
	}()

	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(senders))
	for i, s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			src := s.m.LocalAddr().String()
			r := rand.New(rand.NewPCG(uint64(i), 0x6c6f6164))
			cc := rand.NewChaCha8([32]byte{byte(i)})
			buf := make([]byte, loadMaxSize)
			for seq := range n {
				data := buf[:loadSize(r)]
				cc.Read(data)
				sent.add(src, data)
				if err := s.send(ctx, s.m, data, dst); err != nil {
					errs <- fmt.Errorf("sender %d, memo %d of %d bytes: %w", i, seq, len(data), err)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := n * len(senders)
	for {
		select {
		case err := <-rxDone:
			t.Fatalf("receiver ended with %d of %d memos: %v", got.count(), total, err)
		case <-time.After(5 * time.Millisecond):
		}
		if got.count() >= total {
			break
		}
		last := <-lastRx
		lastRx <- last
		if lossy && time.Since(last) > time.Second {
			break
		}
		if time.Since(start) > patience {
			t.Fatalf("only %d of %d memos arrived", got.count(), total)
		}
	}
	elapsed := time.Since(start)
	if lossy { // up to the last memo, not the quiet second after it
		last := <-lastRx
		lastRx <- last
		elapsed = last.Sub(start)
	}
	if !lossy {
		time.Sleep(100 * time.Millisecond) // for a duplicate on its way
	}
	stop()
	if err := <-rxDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("receiver: %v", err)
	}
	lost, dup, bad := compare(sent, got)
	return loadResult{sent, got, lost, dup, bad, elapsed}
}

// report logs what ran and how long it took.
func (r loadResult) report(t *testing.T, what string, n int) {
	t.Helper()
	mib := float64(r.sent.bytes) / (1 << 20)
	t.Logf("%s: %d senders × %d memos (1 B–256 KiB, log-uniform; %.0f MiB), race %v: %d arrived, "+
		"%d lost, %d duplicated, %d corrupted in %v (%.0f MiB/s, %.0f memos/s)",
		what, loadSenders, n, mib, raceEnabled, r.got.n, r.lost, r.duplicated, r.corrupted,
		r.elapsed.Round(time.Millisecond), mib/r.elapsed.Seconds(), float64(r.got.n)/r.elapsed.Seconds())
}

// checkLossless fails unless every memo arrived once, unaltered, and the
// receiver dropped nothing.
// The rejections named in tolerate (RejectStats field names) are allowed.
func (r loadResult) checkLossless(t *testing.T, rx *memo.Memoer, tolerate ...string) {
	t.Helper()
	if r.lost != 0 || r.duplicated != 0 || r.corrupted != 0 || r.got.n != r.sent.n {
		t.Fatalf("%d of %d memos arrived: %d lost, %d duplicated, %d corrupted", r.got.n, r.sent.n, r.lost, r.duplicated, r.corrupted)
	}
	s := rx.Stats().Receive
	rej := s.Rejected
	for _, f := range tolerate {
		switch f {
		case "Duplicate":
			rej.Duplicate = 0
		case "Late":
			rej.Late = 0
		default:
			t.Fatalf("checkLossless: no tolerance for %q", f)
		}
	}
	if rej != (memo.RejectStats{}) || s.EvictedIdle != 0 || s.EvictedPressure != 0 {
		t.Fatalf("receiver dropped grams: %+v", s)
	}
}

func sumRetransmits(senders []loadSender) uint64 {
	var n uint64
	for _, s := range senders {
		n += s.m.Stats().Sure.Retransmits
	}
	return n
}

// Eight uxd senders into one receiver: nothing lost, altered or repeated.
// A unix datagram sender waits while the receiver's queue is full, so there
// is no loss to excuse.
func TestLoadUXD(t *testing.T) {
	n := loadMemos(t, loadMemosDefault)
	dir := uxdDir(t)
	bp := openUXD(t, uxd.Config{Path: filepath.Join(dir, "rx.uxd")})
	rx := newMemoer(t, bp, memo.Config{})
	senders := make([]loadSender, loadSenders)
	for i := range senders {
		p := openUXD(t, uxd.Config{Path: filepath.Join(dir, fmt.Sprintf("tx%d.uxd", i))})
		senders[i] = loadSender{newMemoer(t, p, memo.Config{}), plainSend}
	}
	r := runLoad(t, senders, rx, bp.LocalAddr(), n, false)
	r.report(t, "uxd", n)
	r.checkLossless(t, rx)
}

// Eight UDP senders into one receiver over loopback. Plain memos are paced
// (memo.Config.Pace's default) but nothing acks them: some may be lost, and
// the loss rate is reported; none may arrive altered or twice. Sure memos
// (SendSure) must all arrive, once.
func TestLoadUDP(t *testing.T) {
	n := loadMemos(t, loadMemosUDP)
	for _, c := range []struct {
		name string
		sure bool
	}{{"plain", false}, {"sure", true}} {
		t.Run(c.name, func(t *testing.T) {
			cfg := udp.Config{Addr: "127.0.0.1:0", BufSize: udpBufSize}
			bp := openUDP(t, cfg)
			rx := newMemoer(t, bp, memo.Config{})
			senders := make([]loadSender, loadSenders)
			for i := range senders {
				send := plainSend
				if c.sure {
					send = sureSend
				}
				senders[i] = loadSender{newMemoer(t, openUDP(t, cfg), memo.Config{}), send}
			}
			r := runLoad(t, senders, rx, bp.LocalAddr(), n, !c.sure)
			r.report(t, "udp/"+c.name, n)
			if c.sure {
				// Grams sent again after the first copy arrived are
				// counted as duplicates or late and dropped: that is
				// retransmission working, not loss.
				s := rx.Stats()
				t.Logf("udp/sure: %d grams sent again, %d duplicate and %d late grams dropped by the receiver",
					sumRetransmits(senders), s.Receive.Rejected.Duplicate, s.Receive.Rejected.Late)
				r.checkLossless(t, rx, "Duplicate", "Late")
				return
			}
			if r.duplicated != 0 || r.corrupted != 0 {
				t.Fatalf("%d memos duplicated, %d corrupted", r.duplicated, r.corrupted)
			}
			s := rx.Stats().Receive
			t.Logf("udp/plain loss rate: %.3f%% of memos (%d of %d); receiver evicted %d idle, %d for pressure",
				100*float64(r.lost)/float64(r.sent.n), r.lost, r.sent.n, s.EvictedIdle, s.EvictedPressure)
		})
	}
}
