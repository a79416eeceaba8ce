package bench

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/memo"
)

// SureSpec is a Sure measurement: Spec's memos, sent in Sure mode by
// Workers concurrent SendSure calls through links that drop Drop of the
// datagrams each way (acks included), beside the plain memo layer over the
// same links.
type SureSpec struct {
	Spec
	Drop    float64 // fraction of datagrams dropped each way, 0 … 1
	Workers int     // concurrent SendSure calls; 0 means 8
}

// SurePoint is the result of a SureSpec.
type SurePoint struct {
	Spec         SureSpec
	GramsPerMemo int
	// Plain is the plain memo layer over the same links: what it delivers,
	// at the same pace as the ordinary bench (a window on UDP); lost memos
	// are lost. Sure is what Sure delivered: every memo sent, acked.
	Plain, Sure Layer
	Latency     []time.Duration // each Sure memo's time to its final ack, sorted
	Retransmits uint64
	Timeouts    uint64
	Acks        uint64 // ack datagrams the sender took in
	Failed      uint64 // Sure memos not delivered (ErrNotDelivered)
}

// Percentile of the Sure latencies, q in 0 … 1.
func (p SurePoint) Percentile(q float64) time.Duration {
	if len(p.Latency) == 0 {
		return 0
	}
	return p.Latency[min(len(p.Latency)-1, int(q*float64(len(p.Latency))))]
}

// Ratio is Sure's memo goodput against the plain layer's over the same
// links, in the same run.
func (p SurePoint) Ratio() float64 {
	if r := p.Plain.perSecond(p.Plain.Bytes); r > 0 {
		return p.Sure.perSecond(p.Sure.Bytes) / r
	}
	return 0
}

// MeasureSure runs the plain memo layer and Sure by turns over two lossy
// pairs of spec's endpoints.
func MeasureSure(ctx context.Context, spec SureSpec, prog Progress) (pt SurePoint, err error) {
	pt.Spec = spec
	if spec.Workers <= 0 {
		spec.Workers = 8
		pt.Spec.Workers = 8
	}
	var conns [4]net.PacketConn
	for i, role := range []string{"plain-a", "plain-b", "sure-a", "sure-b"} {
		c, err := spec.Open(role)
		if err != nil {
			return pt, err
		}
		conns[i] = c
		if spec.Drop > 0 { // the wrapper hides the transport's batch interface
			conns[i] = lossy.New(c, lossy.Config{Drop: spec.Drop, Seed: uint64(i + 1)})
		}
		defer conns[i].Close()
	}
	render := memo.RenderConfig{GramSize: spec.Gram}
	if spec.Curt {
		render.Form = memo.Binary
	}
	if spec.Signed {
		seed := make([]byte, 32)
		rand.Read(seed)
		if render.Signer, err = memo.NewSigner(seed, memo.VIDB); err != nil {
			return pt, err
		}
	}
	rx := memo.ReceiveConfig{Authic: spec.Signed, MaxMemoSize: max(spec.Size, memo.DefaultMaxMemoSize),
		MaxPendingBytes: max(4*spec.Workers*spec.Size, memo.DefaultMaxPendingBytes)}
	mk := func(c net.PacketConn, cfg memo.Config) (*memo.Memoer, error) { return memo.New(c, cfg) }
	plainA, err := mk(conns[0], memo.Config{Render: render, Pace: memo.Pace{Rate: -1}})
	if err != nil {
		return pt, err
	}
	plainB, err := mk(conns[1], memo.Config{Receive: rx})
	if err != nil {
		return pt, err
	}
	sureA, err := mk(conns[2], memo.Config{Render: render, Sure: true, SureConfig: memo.SureConfig{GiveUp: max(10*time.Second, spec.Duration)}})
	if err != nil {
		return pt, err
	}
	sureB, err := mk(conns[3], memo.Config{Receive: rx})
	if err != nil {
		return pt, err
	}
	payload := make([]byte, spec.Size)
	rand.Read(payload)
	pt.GramsPerMemo = plainA.Renderer().GramCount(len(payload))

	rctx, stop := context.WithCancel(ctx)
	defer stop()
	plainIn := receive(rctx, func() {}, func(c context.Context) (int, int, error) {
		m, err := plainB.Receive(c)
		n := len(m.Data)
		plainB.Recycle(m.Data)
		return 1, n, err
	})
	// Sure's receiver acks as it receives; the sender's acks say what
	// arrived.
	sureIn := receive(rctx, func() {}, func(c context.Context) (int, int, error) {
		m, err := sureB.Receive(c)
		n := len(m.Data)
		sureB.Recycle(m.Data)
		return 1, n, err
	})
	wake := func() {
		for _, c := range conns {
			c.SetDeadline(pastDeadline)
		}
	}
	defer func() {
		stop()
		wake()
		<-plainIn.dead
		<-sureIn.dead
	}()

	var window int64
	if spec.Transport == "udp" {
		window = 256 << 10
	}
	dst := plainB.LocalAddr()
	plainSend := func(c context.Context) (int, int, error) { return 1, len(payload), plainA.Send(c, payload, dst) }

	phase(prog, SizeText(spec.Size)+" Sure memos")
	round := spec.Duration / rounds
	for r := range rounds {
		p, err := runRound(ctx, plainIn, round, window, func(time.Duration) {}, plainSend)
		if err != nil {
			return pt, fmt.Errorf("plain memo layer: %w", err)
		}
		// Goodput over the time spent sending: with memos lost, the last
		// one that arrived says nothing of how long the round took.
		p.Elapsed = max(p.Elapsed, round)
		pt.Plain.add(p)
		s, lat, err := sureRound(ctx, sureA, sureB.LocalAddr(), payload, spec.Workers, round)
		if err != nil {
			return pt, fmt.Errorf("sure: %w", err)
		}
		pt.Sure.add(s)
		pt.Latency = append(pt.Latency, lat...)
		if prog != nil {
			prog.Update(float64(r+1) / rounds)
		}
	}
	slices.Sort(pt.Latency)
	st := sureA.Stats().Sure
	pt.Retransmits, pt.Timeouts, pt.Failed, pt.Acks = st.Retransmits, st.Timeouts, st.MemosFailed, st.AcksReceived
	return pt, nil
}

// sureRound keeps workers SendSure calls going for d, then waits for the
// ones in flight. Elapsed runs from the first send to the last ack.
func sureRound(ctx context.Context, m *memo.Memoer, dst net.Addr, payload []byte, workers int, d time.Duration) (Layer, []time.Duration, error) {
	var res Layer
	var mu sync.Mutex
	var lats []time.Duration
	var sent, acked atomic.Int64
	var failed atomic.Pointer[error]
	start := time.Now()
	end := start.Add(d)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for time.Now().Before(end) && ctx.Err() == nil && failed.Load() == nil {
				sent.Add(1)
				dl, err := m.SendSure(ctx, payload, dst, memo.SendOptions{})
				if err != nil {
					if ctx.Err() == nil {
						failed.Store(&err)
					}
					return
				}
				acked.Add(1)
				mu.Lock()
				lats = append(lats, dl.Elapsed)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if ctx.Err() != nil {
		return res, nil, ctx.Err()
	}
	if e := failed.Load(); e != nil {
		return res, nil, *e
	}
	res.Sent, res.Received = sent.Load(), acked.Load()
	res.Bytes = res.Received * int64(len(payload))
	res.Elapsed = time.Since(start)
	return res, lats, nil
}

// WriteSureTable prints a SurePoint for people.
func WriteSureTable(w io.Writer, p SurePoint) {
	mbps := func(l Layer) float64 { return l.perSecond(l.Bytes) / 1e6 }
	fmt.Fprintf(w, "%s memos over %s, %d grams each, %.0f %% of datagrams dropped each way, %d Sure senders\n",
		SizeText(p.Spec.Size), p.Spec.Transport, p.GramsPerMemo, 100*p.Spec.Drop, p.Spec.Workers)
	fmt.Fprintf(w, "%-6s %12s %12s %10s\n", "layer", "memos/s", "MB/s", "lost")
	fmt.Fprintf(w, "%-6s %12.0f %12.2f %10d\n", "plain", p.Plain.perSecond(p.Plain.Received), mbps(p.Plain), p.Plain.Lost())
	fmt.Fprintf(w, "%-6s %12.0f %12.2f %10d\n", "sure", p.Sure.perSecond(p.Sure.Received), mbps(p.Sure), p.Failed)
	fmt.Fprintf(w, "sure/plain goodput %.2f; sure latency p50 %v, p99 %v; %d grams sent again, %d timeouts, %d acks for %d grams\n",
		p.Ratio(), p.Percentile(0.5).Round(10*time.Microsecond), p.Percentile(0.99).Round(10*time.Microsecond), p.Retransmits, p.Timeouts,
		p.Acks, p.Sure.Received*int64(p.GramsPerMemo))
}

// WriteSureJSON prints a SurePoint as one JSON object.
func WriteSureJSON(w io.Writer, p SurePoint) error {
	mbps := func(l Layer) float64 { return l.perSecond(l.Bytes) / 1e6 }
	return json.NewEncoder(w).Encode(map[string]any{
		"transport": p.Spec.Transport, "size": p.Spec.Size, "grams_per_memo": p.GramsPerMemo,
		"drop": p.Spec.Drop, "workers": p.Spec.Workers, "signed": p.Spec.Signed,
		"plain": map[string]any{"memos_per_s": p.Plain.perSecond(p.Plain.Received), "mb_per_s": mbps(p.Plain), "sent": p.Plain.Sent, "lost": p.Plain.Lost()},
		"sure": map[string]any{"memos_per_s": p.Sure.perSecond(p.Sure.Received), "mb_per_s": mbps(p.Sure), "delivered": p.Sure.Received, "failed": p.Failed,
			"p50_ms": float64(p.Percentile(0.5).Microseconds()) / 1000, "p99_ms": float64(p.Percentile(0.99).Microseconds()) / 1000,
			"retransmits": p.Retransmits, "timeouts": p.Timeouts, "acks": p.Acks},
		"sure_per_plain": p.Ratio(),
	})
}
