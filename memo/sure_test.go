package memo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net"
	"os"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/transport"
)

// sureLink is a sender and a receiver Memoer over loopback UDP, each
// writing through a lossy wrapper, so the link is lossy both ways.
type sureLink struct {
	tx, rx   *Memoer
	txc, rxc *lossy.Conn
}

func newSureLink(t *testing.T, lc lossy.Config, txCfg, rxCfg Config) *sureLink {
	t.Helper()
	mk := func(cfg Config, seed uint64) (*Memoer, *lossy.Conn) {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.UDPConn).SetReadBuffer(4 << 20)
		_ = c.(*net.UDPConn).SetWriteBuffer(4 << 20)
		lc := lc
		lc.Seed = seed
		l := lossy.New(c, lc)
		if cfg.Render.GramSize == 0 {
			cfg.Render.GramSize = 1240
		}
		m, err := New(l, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m, l
	}
	s := &sureLink{}
	s.tx, s.txc = mk(txCfg, lc.Seed)
	s.rx, s.rxc = mk(rxCfg, lc.Seed+1)
	return s
}

// receiveAll receives until ctx ends (a receiver keeps reading, so that
// it acks what senders send again), and fails on any memo delivered twice.
func receiveAll(ctx context.Context, t *testing.T, m *Memoer) map[MID][]byte {
	got := make(map[MID][]byte)
	for {
		memo, err := m.Receive(ctx)
		if err != nil {
			if ctx.Err() == nil {
				t.Errorf("after %d memos: %v", len(got), err)
			}
			return got
		}
		if _, dup := got[memo.MID]; dup {
			t.Errorf("memo %s delivered twice", memo.MID)
		}
		got[memo.MID] = memo.Data
	}
}

// sureSizes draws n memo sizes from min to max bytes, spread evenly on a
// log scale, always including both ends.
func sureSizes(seed uint64, n, lo, hi int) []int {
	r := rand.New(rand.NewPCG(seed, 1))
	sizes := make([]int, n)
	for i := range sizes {
		switch i {
		case 0:
			sizes[i] = lo
		case 1:
			sizes[i] = hi
		default:
			f := math.Exp(math.Log(float64(lo+1))+r.Float64()*(math.Log(float64(hi+1))-math.Log(float64(lo+1)))) - 1
			sizes[i] = int(f)
		}
	}
	return sizes
}

func memoBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.New(rand.NewPCG(seed, uint64(n)))
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// sendAll sends memos concurrently from workers goroutines and returns the
// deliveries.
func sendAll(ctx context.Context, t *testing.T, m *Memoer, memos [][]byte, dst net.Addr, opts SendOptions, workers int) []Delivery {
	var wg sync.WaitGroup
	out := make([]Delivery, len(memos))
	next := make(chan int)
	for range workers {
		wg.Go(func() {
			for i := range next {
				d, err := m.SendSure(ctx, memos[i], dst, opts)
				if err != nil {
					t.Errorf("memo %d (%d bytes): %v", i, len(memos[i]), err)
				}
				out[i] = d
			}
		})
	}
	for i := range memos {
		next <- i
	}
	close(next)
	wg.Wait()
	return out
}

func checkDelivered(t *testing.T, memos [][]byte, ds []Delivery, got map[MID][]byte) {
	t.Helper()
	for i, d := range ds {
		if d.Err != nil {
			continue // reported by sendAll
		}
		data, ok := got[d.MID]
		if !ok {
			t.Errorf("memo %d acked but not received", i)
			continue
		}
		if !bytes.Equal(data, memos[i]) {
			t.Errorf("memo %d: %d bytes received, %d sent, sha %x vs %x", i, len(data), len(memos[i]), sha256.Sum256(data), sha256.Sum256(memos[i]))
		}
	}
	if len(got) != len(memos) {
		t.Errorf("received %d memos, sent %d", len(got), len(memos))
	}
}

// scale reads MEMOGRAM_SURE_SCALE (a factor on the memo counts of the
// lossy tests; default 1).
func scale(n int) int {
	if f, err := strconv.ParseFloat(os.Getenv("MEMOGRAM_SURE_SCALE"), 64); err == nil && f > 0 {
		return max(2, int(float64(n)*f))
	}
	return n
}

func runSure(t *testing.T, lc lossy.Config, n, lo, hi int, signed bool, rounds *SureStats) {
	before := runtime.NumGoroutine()
	txCfg, rxCfg := Config{SureConfig: SureConfig{GiveUp: sureGiveUp()}}, Config{}
	var opts SendOptions
	if signed {
		s := mustSigner(t)
		opts.Signer = s
		rxCfg.Render.Signer = mustSignerSeed(t, 2) // the receiver signs its acks
		txCfg.Receive.Authic = true                // … and the sender accepts only signed acks
	}
	l := newSureLink(t, lc, txCfg, rxCfg)
	sizes := sureSizes(lc.Seed, n, lo, hi)
	memos := make([][]byte, n)
	for i, z := range sizes {
		memos[i] = memoBytes(uint64(i), z)
	}
	ctx := ctxTimeout(t, 4*time.Minute)
	var got map[MID][]byte
	done := make(chan struct{})
	rctx, stop := context.WithCancel(ctx)
	go func() { defer close(done); got = receiveAll(rctx, t, l.rx) }()
	ds := sendAll(ctx, t, l.tx, memos, l.rx.LocalAddr(), opts, 16)
	var failedMIDs []MID
	for _, d := range ds {
		if d.Err != nil {
			failedMIDs = append(failedMIDs, d.MID)
		}
	}
	if len(failedMIDs) > 0 {
		t.Log("what the receiver holds of the memos not delivered:\n" + debugDump(l.rx, failedMIDs))
	}
	stop()
	<-done
	checkDelivered(t, memos, ds, got)
	ts, rs := l.tx.Stats(), l.rx.Stats()
	t.Logf("%d memos %d…%d B, loss %.0f%% dup %.0f%% reorder %.0f%%: sender %+v", n, lo, hi, lc.Drop*100, lc.Dup*100, lc.Reorder*100, ts.Sure)
	t.Logf("receiver %+v; tx link %+v; rx link %+v", rs.Sure, l.txc.Stats(), l.rxc.Stats())
	t.Logf("receiver reassembly %+v; sender %+v", rs.Receive, ts.Receive)
	if ts.Sure.MemosAcked != uint64(n) || ts.Sure.InFlight != 0 {
		t.Errorf("sender: %d memos acked of %d, %d grams still in flight", ts.Sure.MemosAcked, n, ts.Sure.InFlight)
	}
	if signed && rs.Sure.AcksSent > 0 && ts.Sure.AcksReceived == 0 {
		t.Errorf("no signed ack accepted")
	}
	if rounds != nil {
		*rounds = rs.Sure
		rounds.Retransmits = ts.Sure.Retransmits
	}
	l.tx.Close()
	l.rx.Close()
	checkGoroutines(t, before)
}

func TestSureLossless(t *testing.T) {
	var st SureStats
	runSure(t, lossy.Config{Seed: 1}, 40, 0, 300_000, false, &st)
	// The link loses nothing, so a gram sent again is a timer that fired
	// early — on a loaded machine (-race, other jobs) an ack can be late.
	// Acks that did not work would resend every gram at least once: the
	// 40 memos are about 800 grams.
	if st.Retransmits > 200 {
		t.Errorf("lossless link: %d grams sent again, %d duplicates", st.Retransmits, st.Duplicates)
	}
}

// mustSignerSeed is a signer from a seed of n repeated.
func mustSignerSeed(t *testing.T, n byte) *Signer {
	t.Helper()
	s, err := NewSigner(bytes.Repeat([]byte{n}, 32), VIDB)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var _ = errors.Is
var _ = fmt.Sprint

// The proof: 1,000 memos from 1 B to 1 MiB over loopback UDP with
// 10 % loss, 5 % duplication and 5 % reordering in both directions, each
// delivered exactly once and intact. MEMOGRAM_SURE_SCALE scales the count
// (the default runs in a few seconds on two cores).
func TestSureLossy10(t *testing.T) {
	var st SureStats
	runSure(t, lossy.Config{Drop: 0.10, Dup: 0.05, Reorder: 0.05, Seed: 10}, scale(1000), 1, 1<<20, false, &st)
	if st.Retransmits == 0 {
		t.Errorf("10%% loss and no retransmit: the lossy link is not lossy")
	}
}

func TestSureLossy10Signed(t *testing.T) {
	runSure(t, lossy.Config{Drop: 0.10, Dup: 0.05, Reorder: 0.05, Seed: 11}, scale(100), 1, 256<<10, true, nil)
}

func TestSureLossy30(t *testing.T) {
	var st SureStats
	runSure(t, lossy.Config{Drop: 0.30, Dup: 0.05, Reorder: 0.05, Seed: 30}, scale(300), 1, 1<<20, false, &st)
	if st.Duplicates == 0 {
		t.Errorf("30%% loss of acks and no duplicate suppressed: exactly-once is untested")
	}
}

func TestSureLossy30Signed(t *testing.T) {
	runSure(t, lossy.Config{Drop: 0.30, Dup: 0.05, Reorder: 0.05, Seed: 31}, scale(100), 1, 256<<10, true, nil)
}

func sureGiveUp() time.Duration {
	if d, err := time.ParseDuration(os.Getenv("MEMOGRAM_SURE_GIVEUP")); err == nil {
		return d
	}
	return 2 * time.Minute
}

// A receiver that vanishes mid-memo: the sender gives up with
// ErrNotDelivered naming memo and destination within the give-up time, its
// window drains, and Close leaves no goroutine.
func TestSureReceiverVanishes(t *testing.T) {
	before := runtime.NumGoroutine()
	l := newSureLink(t, lossy.Config{}, Config{SureConfig: SureConfig{GiveUp: 300 * time.Millisecond}}, Config{})
	go func() { _, _ = l.rx.Receive(context.Background()) }()
	l.rxc.SetDown(true) // from now on it neither hears nor answers
	memo := make([]byte, 200_000)
	ctx := ctxTimeout(t, time.Minute)
	start := time.Now()
	d, err := l.tx.SendSure(ctx, memo, l.rx.LocalAddr(), SendOptions{})
	elapsed := time.Since(start)
	var nd *NotDeliveredError
	if !errors.Is(err, ErrNotDelivered) || !errors.As(err, &nd) {
		t.Fatalf("err %v, want ErrNotDelivered", err)
	}
	if nd.MID != d.MID || nd.Dst.String() != l.rx.LocalAddr().String() || nd.Grams != d.Grams || d.Err == nil {
		t.Fatalf("error names %s to %s (%d grams), delivery %+v", nd.MID, nd.Dst, nd.Grams, d)
	}
	for _, s := range []string{d.MID.String(), l.rx.LocalAddr().String()} {
		if !bytes.Contains([]byte(err.Error()), []byte(s)) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if elapsed < 300*time.Millisecond {
		t.Errorf("gave up after %v, before the give-up time", elapsed)
	}
	st := l.tx.Stats().Sure
	if st.InFlight != 0 || st.MemosFailed != 1 || st.Timeouts == 0 {
		t.Errorf("after giving up: %+v", st)
	}
	l.tx.Close()
	l.rx.Close()
	checkGoroutines(t, before)
}

// Receivers ack only Sure grams: a plain memo gets no datagram back.
func TestSureNoAckToPlainSender(t *testing.T) {
	l := newSureLink(t, lossy.Config{}, Config{}, Config{})
	ctx := ctxTimeout(t, 10*time.Second)
	if err := l.tx.Send(ctx, make([]byte, 10_000), l.rx.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := l.rx.Receive(ctx); err != nil {
		t.Fatal(err)
	}
	if w := l.rxc.Stats().Written; w != 0 {
		t.Fatalf("the receiver wrote %d datagrams to a plain sender", w)
	}
}

// The service style: Memoit with Sure, Service on both sides, and a
// delivery report for every memo.
func TestSureService(t *testing.T) {
	l := newSureLink(t, lossy.Config{Drop: 0.1, Seed: 5}, Config{Sure: true}, Config{})
	memos := [][]byte{[]byte("a"), make([]byte, 5000), make([]byte, 100_000)}
	for _, m := range memos {
		if err := l.tx.Memoit(m, l.rx.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	var reports []Delivery
	got := 0
	deadline := time.Now().Add(30 * time.Second)
	for len(reports) < len(memos) && time.Now().Before(deadline) {
		if err := l.tx.Service(); err != nil {
			t.Fatal(err)
		}
		if err := l.rx.Service(); err != nil {
			t.Fatal(err)
		}
		for {
			if _, ok := l.rx.PopMemo(); !ok {
				break
			}
			got++
		}
		for {
			d, ok := l.tx.PopDelivery()
			if !ok {
				break
			}
			reports = append(reports, d)
		}
		time.Sleep(200 * time.Microsecond)
	}
	if len(reports) != len(memos) || got != len(memos) {
		t.Fatalf("%d reports, %d memos received, of %d", len(reports), got, len(memos))
	}
	for _, d := range reports {
		if d.Err != nil {
			t.Errorf("%+v", d)
		}
	}
}

// Over a transport without source addresses (a mailslot), acks use the
// source-carrying form sAAI: the receiver names itself, and the sender
// knows where the ack is from.
func TestSureSourceless(t *testing.T) {
	mk := func(cfg Config) *Memoer {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Render.GramSize = 1000
		m, err := New(sourceless{lossy.New(c, lossy.Config{Drop: 0.1, Seed: 3})}, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	tx, rx := mk(Config{}), mk(Config{})
	ctx := ctxTimeout(t, 30*time.Second)
	rctx, stop := context.WithCancel(ctx)
	done := make(chan map[MID][]byte)
	go func() { done <- receiveAll(rctx, t, rx) }()
	memos := [][]byte{[]byte("x"), memoBytes(1, 50_000), memoBytes(2, 3000)}
	ds := sendAll(ctx, t, tx, memos, rx.LocalAddr(), SendOptions{}, 3)
	stop()
	checkDelivered(t, memos, ds, <-done)
	if s := tx.Stats().Sure; s.AcksReceived == 0 {
		t.Fatalf("no sAAI ack accepted: %+v", s)
	}
}

// A gram the transport can never take fails its Sure memo at once, with
// the transport's error inside the ErrNotDelivered, instead of being sent
// again until the give-up time.
func TestSureSendErrorFailsAtOnce(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m, err := New(tooSmallConn{conn}, Config{Render: RenderConfig{GramSize: 1240}, SureConfig: SureConfig{GiveUp: time.Minute}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	_, err = m.SendSure(ctxTimeout(t, 2*time.Minute), make([]byte, 100_000), conn.LocalAddr(), SendOptions{})
	var op *net.OpError
	var nd *NotDeliveredError
	if !errors.Is(err, ErrNotDelivered) || !errors.Is(err, transport.ErrDatagramTooLarge) || !errors.As(err, &op) || !errors.As(err, &nd) {
		t.Fatalf("err %v: want a *NotDeliveredError wrapping the transport's *net.OpError", err)
	}
	if nd.Reason != "send failed" {
		t.Fatalf("reason %q: the memo waited for the give-up time", nd.Reason)
	}
}

// tooSmallConn refuses every datagram as a transport does one longer than
// it carries.
type tooSmallConn struct{ net.PacketConn }

func (c tooSmallConn) WriteTo(b []byte, dst net.Addr) (int, error) {
	return 0, &net.OpError{Op: "write", Net: "udp", Addr: dst, Err: &transport.DatagramTooLargeError{Size: len(b), Max: 100}}
}
