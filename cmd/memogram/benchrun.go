package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync/atomic"
	"time"

	"github.com/memogram/memogram/memo"
)

// benchSpec is one measurement: both layers at one memo size.
type benchSpec struct {
	kind   string
	size   int
	gram   int // requested gram size; 0 is the transport's
	curt   bool
	signed bool
	d      time.Duration // per layer
}

// layerResult is what one layer moved in one run.
type layerResult struct {
	Sent     int64         // units sent: datagrams (raw) or memos (memo)
	Received int64         // units received
	Bytes    int64         // datagram bytes (raw) or memo bytes (memo) received
	Elapsed  time.Duration // from the first send to the last unit received, summed over rounds
}

func (r layerResult) perSecond(n int64) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

func (r layerResult) lost() int64 { return max(0, r.Sent-r.Received) }

func (r *layerResult) add(o layerResult) {
	r.Sent += o.Sent
	r.Received += o.Received
	r.Bytes += o.Bytes
	r.Elapsed += o.Elapsed
}

// benchPoint is the result of one benchSpec.
type benchPoint struct {
	spec         benchSpec
	gramSize     int     // the renderer's gram size, after clamping
	gramsPerMemo int     // grams one memo is cut into
	dgramBytes   float64 // mean datagram length of those grams
	raw, memo    layerResult
}

func (p benchPoint) rawDgramsPerS() float64 { return p.raw.perSecond(p.raw.Received) }
func (p benchPoint) rawBytesPerS() float64  { return p.raw.perSecond(p.raw.Bytes) }
func (p benchPoint) memosPerS() float64     { return p.memo.perSecond(p.memo.Received) }
func (p benchPoint) memoBytesPerS() float64 { return p.memo.perSecond(p.memo.Bytes) }
func (p benchPoint) memoGramsPerS() float64 {
	return p.memo.perSecond(p.memo.Received * int64(p.gramsPerMemo))
}

// ratio is the memo layer's payload throughput against the raw transport's
// datagram throughput, at the same datagram sizes.
func (p benchPoint) ratio() float64 {
	if r := p.rawBytesPerS(); r > 0 {
		return p.memoBytesPerS() / r
	}
	return 0
}

// Drain bounds. A lossless transport delivers everything that was sent, so
// a round ends on the count; on a lossy one (UDP) it ends after drainIdle
// without progress, and what is missing is reported as lost.
const (
	drainIdle = 500 * time.Millisecond
	pollEvery = 2 * time.Millisecond
	// benchRounds is how many turns each layer gets.
	benchRounds = 4
)

// pastDeadline wakes a blocked ReadFrom or WriteTo at once.
var pastDeadline = time.Unix(1, 0)

// measure runs the raw transport and the memo layer by turns, each over its
// own pair of peers in this process. The raw layer sends the very grams the
// memo layer produces for a memo of spec.size bytes, so both move the same
// datagram sizes; only the memo work differs.
func measure(ctx context.Context, spec benchSpec, prog *progress) (pt benchPoint, err error) {
	pt.spec = spec
	s, err := newScratch(spec.kind)
	if err != nil {
		return pt, err
	}
	defer s.cleanup()
	// One pair per layer: the memo layer moves deadlines on its conns, and
	// the raw rounds must not inherit them.
	var conns [4]net.PacketConn
	for i, role := range []string{"raw-a", "raw-b", "mem-a", "mem-b"} {
		if conns[i], err = s.endpoint(role, nil).open(spec.gram); err != nil {
			return pt, err
		}
		defer conns[i].Close()
	}
	rawA, rawB, memA, memB := conns[0], conns[1], conns[2], conns[3]
	wake := func(cs ...net.PacketConn) func() {
		return func() {
			for _, c := range cs {
				c.SetDeadline(pastDeadline)
			}
		}
	}

	// Unpaced, as the raw baseline is: the bench measures the memo layer
	// against the transport, and its receiver keeps up or says so.
	cfg := memo.Config{Render: memo.RenderConfig{GramSize: spec.gram}, Pace: memo.Pace{Rate: -1}}
	if spec.curt {
		cfg.Render.Form = memo.Binary
	}
	if spec.signed {
		seed := make([]byte, 32)
		rand.Read(seed)
		if cfg.Render.Signer, err = memo.NewSigner(seed, memo.VIDB); err != nil {
			return pt, err
		}
	}
	sender, err := memo.New(memA, cfg)
	if err != nil {
		return pt, err
	}
	receiver, err := memo.New(memB, memo.Config{Receive: memo.ReceiveConfig{
		Authic:          spec.signed,
		MaxMemoSize:     max(spec.size, memo.DefaultMaxMemoSize),
		MaxPendingBytes: max(2*spec.size, memo.DefaultMaxPendingBytes),
	}})
	if err != nil {
		return pt, err
	}
	payload := make([]byte, spec.size)
	rand.Read(payload)
	grams, err := sender.Renderer().Render(payload)
	if err != nil {
		return pt, err
	}
	pt.gramSize = sender.Renderer().GramSize()
	pt.gramsPerMemo = len(grams)
	total := 0
	for _, g := range grams {
		total += len(g)
	}
	pt.dgramBytes = float64(total) / float64(len(grams))

	// UDP drops what the receiver's buffer cannot hold; a window keeps the
	// sender from outrunning the receiver, so that the numbers measure
	// what gets through rather than how fast the sender can lose data.
	var window int64
	if spec.kind == tUDP {
		window = udpWindow(rawB)
	}

	// The receivers run for the whole measurement; rounds only start and
	// stop the senders. Stopping them in between would leave the deadline
	// that woke them behind for the next round.
	rctx, stopReceivers := context.WithCancel(ctx)
	buf := make([]byte, memo.ReadBufferSize+1) // +1: the transport reads into it directly
	rawIn := receive(rctx, wake(rawA), func(context.Context) (int, error) {
		n, _, err := rawB.ReadFrom(buf)
		return n, err
	})
	memoIn := receive(rctx, wake(memA), func(c context.Context) (int, error) {
		m, err := receiver.Receive(c)
		n := len(m.Data)
		receiver.Recycle(m.Data) // the raw side reuses buf; the memo side reuses its buffers too
		return n, err
	})
	defer func() {
		stopReceivers()
		wake(rawA, rawB, memA, memB)()
		<-rawIn.dead
		<-memoIn.dead
		if err == nil && ctx.Err() == nil {
			err = errors.Join(rawIn.err, memoIn.err)
		}
		if ctx.Err() != nil {
			err = errInterrupted
		}
	}()
	// Interrupting must also free a sender blocked on a full queue.
	defer context.AfterFunc(ctx, wake(rawA, memA))()

	dst := rawB.LocalAddr()
	i := 0
	rawSend := func(context.Context) (int, error) {
		g := grams[i%len(grams)]
		i++
		_, err := rawA.WriteTo(g, dst)
		return len(g), err
	}
	memDst := memB.LocalAddr()
	memoSend := func(sctx context.Context) (int, error) {
		return len(payload), sender.Send(sctx, payload, memDst)
	}

	// The layers take turns, so that whatever else loads the machine
	// meanwhile weighs on both alike.
	prog.phase(sizeText(spec.size) + " memos")
	round := spec.d / benchRounds
	var done time.Duration
	report := func(in time.Duration) { prog.update(float64(done+min(in, round)) / float64(2*spec.d)) }
	for range benchRounds {
		r, err := runRound(ctx, rawIn, round, window, report, rawSend)
		if err != nil {
			return pt, fmt.Errorf("raw %s: %w", spec.kind, err)
		}
		pt.raw.add(r)
		done += round
		m, err := runRound(ctx, memoIn, round, window, report, memoSend)
		if err != nil {
			return pt, fmt.Errorf("memo layer over %s: %w", spec.kind, err)
		}
		pt.memo.add(m)
		done += round
	}
	return pt, nil
}

// udpWindow is how many bytes may be in flight: a quarter of the kernel's
// receive buffer, which Linux reports doubled and which also holds the
// per-datagram overhead.
func udpWindow(c net.PacketConn) int64 {
	if b, ok := c.(interface{ ActualBufSizes() (int, int) }); ok {
		if _, rcv := b.ActualBufSizes(); rcv > 0 {
			return int64(rcv / 4)
		}
	}
	return 64 << 10
}

// inbox counts what a receiver goroutine has taken in.
type inbox struct {
	units, bytes atomic.Int64
	last         atomic.Int64  // Unix nanoseconds of the last unit
	moved        chan struct{} // a unit arrived (capacity 1)
	dead         chan struct{} // closed when the receiver stopped
	err          error         // why, once dead is closed: nil when ctx stopped it
}

// receive runs recv until ctx ends or it fails. A failure wakes the
// sender (unblock), which would otherwise wait for ever on a full queue.
func receive(ctx context.Context, unblock func(), recv func(context.Context) (int, error)) *inbox {
	in := &inbox{moved: make(chan struct{}, 1), dead: make(chan struct{})}
	go func() {
		defer close(in.dead)
		for {
			n, err := recv(ctx)
			if err != nil {
				if ctx.Err() != nil {
					err = nil
				} else {
					unblock()
				}
				in.err = err
				return
			}
			in.bytes.Add(int64(n))
			in.last.Store(time.Now().UnixNano())
			in.units.Add(1)
			select {
			case in.moved <- struct{}{}:
			default:
			}
		}
	}()
	return in
}

// failure is why the receiver stopped, or nil if it has not.
func (in *inbox) failure() error {
	select {
	case <-in.dead:
		if in.err != nil {
			return fmt.Errorf("receiving: %w", in.err)
		}
		return errors.New("the receiver stopped")
	default:
		return nil
	}
}

// runRound sends for d (at least one unit), then waits until the receiver
// has everything or makes no progress for drainIdle. Units are datagrams or
// memos; send returns the bytes of one. A window > 0 bounds the bytes in
// flight.
func runRound(ctx context.Context, in *inbox, d time.Duration, window int64, report func(time.Duration),
	send func(context.Context) (int, error)) (layerResult, error) {
	var res layerResult
	baseUnits, baseBytes := in.units.Load(), in.bytes.Load()
	var sentBytes, lostBytes int64
	start := time.Now()
	end := start.Add(d)
	for {
		for window > 0 && sentBytes-lostBytes-(in.bytes.Load()-baseBytes) > window {
			select {
			case <-in.moved:
			case <-time.After(drainIdle):
				lostBytes = sentBytes - (in.bytes.Load() - baseBytes)
			case <-in.dead:
				return res, in.failure()
			case <-ctx.Done():
				return res, ctx.Err()
			}
		}
		n, err := send(ctx)
		if err != nil {
			if ferr := in.failure(); ferr != nil {
				return res, ferr // the cause; the send failed of it
			}
			return res, err
		}
		res.Sent++
		sentBytes += int64(n)
		now := time.Now()
		report(now.Sub(start))
		if !now.Before(end) {
			break
		}
	}

	got := func() int64 { return in.units.Load() - baseUnits }
	lastGot, lastMove := got(), time.Now()
	for got() < res.Sent {
		select {
		case <-in.dead:
			return res, in.failure()
		case <-ctx.Done():
			return res, ctx.Err()
		case <-in.moved:
		case <-time.After(pollEvery):
		}
		if g := got(); g != lastGot {
			lastGot, lastMove = g, time.Now()
		} else if time.Since(lastMove) > drainIdle {
			break
		}
	}
	res.Received, res.Bytes = got(), in.bytes.Load()-baseBytes
	if res.Received > 0 {
		res.Elapsed = time.Duration(in.last.Load() - start.UnixNano())
	}
	return res, nil
}
