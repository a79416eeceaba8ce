package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"sync"
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
	Elapsed  time.Duration // from the first send to the last unit received
}

func (r layerResult) perSecond(n int64) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

func (r layerResult) lost() int64 { return max(0, r.Sent-r.Received) }

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
// the receiver stops on the count; a lossy one (UDP) is given up on after
// drainIdle without progress, and what is missing is reported as lost.
const (
	drainIdle = 500 * time.Millisecond
	pollEvery = 5 * time.Millisecond
)

// measure runs the raw layer and then the memo layer over one pair of
// peers in this process. The raw layer sends the very grams the memo layer
// produces for a memo of spec.size bytes, so both move the same datagram
// sizes; only the memo work differs.
func measure(ctx context.Context, spec benchSpec, prog *progress) (benchPoint, error) {
	pt := benchPoint{spec: spec}
	s, err := newScratch(spec.kind)
	if err != nil {
		return pt, err
	}
	defer s.cleanup()
	aConn, err := s.endpoint("sender", false).open(spec.gram)
	if err != nil {
		return pt, err
	}
	defer aConn.Close()
	bConn, err := s.endpoint("receiver", false).open(spec.gram)
	if err != nil {
		return pt, err
	}
	defer bConn.Close()
	// Interrupting must also free a sender blocked on a full queue.
	defer context.AfterFunc(ctx, func() {
		aConn.SetDeadline(time.Unix(1, 0))
		bConn.SetDeadline(time.Unix(1, 0))
	})()

	cfg := memo.Config{Render: memo.RenderConfig{GramSize: spec.gram}}
	if spec.curt {
		cfg.Render.Form = memo.Binary
	}
	if spec.signed {
		seed := make([]byte, 32)
		rand.Read(seed)
		if cfg.Render.Signer, err = memo.NewSigner(seed, memo.VidB); err != nil {
			return pt, err
		}
	}
	sender, err := memo.New(aConn, cfg)
	if err != nil {
		return pt, err
	}
	receiver, err := memo.New(bConn, memo.Config{Receive: memo.ReceiveConfig{
		Authic:          spec.signed,
		MaxMemoSize:     max(spec.size, memo.DefaultMaxMemoSize),
		MaxPendingBytes: max(2*spec.size, memo.DefaultMaxPendingBytes),
	}})
	if err != nil {
		return pt, err
	}
	payload := make([]byte, spec.size)
	rand.Read(payload)
	grams, err := sender.Renderer().Rend(payload)
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
		window = udpWindow(bConn)
	}
	dst := bConn.LocalAddr()

	prog.phase(fmt.Sprintf("raw  %s", sizeText(spec.size)))
	buf := make([]byte, memo.ReadBufferSize)
	i := 0
	var wake sync.Once
	pt.raw, err = runLayer(ctx, spec.d, window, prog,
		func(context.Context) (int, error) {
			g := grams[i%len(grams)]
			i++
			_, err := aConn.WriteTo(g, dst)
			return len(g), err
		},
		func(rctx context.Context) (int, error) {
			// Once per layer, not per datagram: the raw numbers should
			// cost nothing but the transport.
			wake.Do(func() {
				context.AfterFunc(rctx, func() { bConn.SetReadDeadline(time.Unix(1, 0)) })
			})
			n, _, err := bConn.ReadFrom(buf)
			return n, err
		})
	if err != nil {
		return pt, fmt.Errorf("raw %s: %w", spec.kind, err)
	}
	bConn.SetReadDeadline(time.Time{})

	prog.phase(fmt.Sprintf("memo %s", sizeText(spec.size)))
	pt.memo, err = runLayer(ctx, spec.d, window, prog,
		func(sctx context.Context) (int, error) {
			return len(payload), sender.Send(sctx, payload, dst)
		},
		func(rctx context.Context) (int, error) {
			m, err := receiver.Receive(rctx)
			return len(m.Data), err
		})
	if err != nil {
		return pt, fmt.Errorf("memo layer over %s: %w", spec.kind, err)
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

// runLayer sends for d (at least one unit) while a goroutine receives, then
// waits for the receiver to catch up. Units are datagrams or memos; send and
// recv return the bytes of one. A window > 0 bounds the bytes in flight.
func runLayer(ctx context.Context, d time.Duration, window int64, prog *progress,
	send func(context.Context) (int, error), recv func(context.Context) (int, error)) (layerResult, error) {
	var (
		res       layerResult
		got       atomic.Int64 // units received
		gotBytes  atomic.Int64
		lastNanos atomic.Int64 // when the last unit arrived, since start
		sentBytes int64
		lostBytes int64 // given up on by the window
	)
	rctx, stopRecv := context.WithCancel(ctx)
	defer stopRecv()
	moved := make(chan struct{}, 1)
	recvErr := make(chan error, 1)
	start := time.Now()
	go func() {
		for {
			n, err := recv(rctx)
			if err != nil {
				if rctx.Err() != nil {
					err = nil
				}
				recvErr <- err
				return
			}
			gotBytes.Add(int64(n))
			lastNanos.Store(int64(time.Since(start)))
			got.Add(1)
			select {
			case moved <- struct{}{}:
			default:
			}
		}
	}()
	fail := func(err error) (layerResult, error) {
		stopRecv()
		<-recvErr
		if ctx.Err() != nil {
			return res, errInterrupted
		}
		return res, err
	}

	end := start.Add(d)
	for {
		for window > 0 && sentBytes-lostBytes-gotBytes.Load() > window {
			select {
			case <-moved:
			case <-time.After(drainIdle):
				lostBytes = sentBytes - gotBytes.Load()
			case <-ctx.Done():
				return fail(ctx.Err())
			}
		}
		n, err := send(ctx)
		if err != nil {
			return fail(err)
		}
		res.Sent++
		sentBytes += int64(n)
		now := time.Now()
		prog.update(float64(now.Sub(start)) / float64(d))
		if !now.Before(end) {
			break
		}
	}

	// Drain: stop when everything arrived, or nothing did for drainIdle.
	lastGot, lastMove := got.Load(), time.Now()
	for got.Load() < res.Sent {
		select {
		case err := <-recvErr:
			if err == nil && ctx.Err() != nil {
				err = errInterrupted
			}
			if err != nil {
				return res, err
			}
			return res, errors.New("receiver stopped early")
		case <-time.After(pollEvery):
		}
		if g := got.Load(); g != lastGot {
			lastGot, lastMove = g, time.Now()
		} else if time.Since(lastMove) > drainIdle {
			break
		}
	}
	stopRecv()
	if err := <-recvErr; err != nil {
		return res, err
	}
	if ctx.Err() != nil {
		return res, errInterrupted
	}
	res.Received, res.Bytes = got.Load(), gotBytes.Load()
	res.Elapsed = time.Duration(lastNanos.Load())
	return res, nil
}
