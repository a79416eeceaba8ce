package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
)

// Spec is one measurement: both layers at one memo size.
type Spec struct {
	// Transport names the transport in reports ("uxd", "udp", "wms"). On
	// "udp" the senders keep a window, since UDP drops what the receive
	// buffer cannot hold.
	Transport string
	Size      int // memo size in bytes
	Gram      int // requested gram size; 0 is the transport's
	Curt      bool
	Signed    bool
	// Unbatched hides the transport's batch interfaces from both layers, so
	// that they move one datagram per system call (sendto/recvfrom instead
	// of sendmmsg/recvmmsg on Linux UDP): the baseline batching is measured
	// against. uxd and mailslots never batch.
	Unbatched bool
	Duration  time.Duration // per layer
	// Open binds a fresh local endpoint of the transport for role ("raw-a",
	// "raw-b", "mem-a", "mem-b"); Measure closes it.
	Open func(role string) (net.PacketConn, error)
}

// Progress is told how a measurement advances; a nil Progress is fine.
type Progress interface {
	Phase(label string)      // the next phase starts
	Update(fraction float64) // of the current phase, 0 to 1
}

// Layer is what one layer moved in one run.
type Layer struct {
	Sent     int64         // units sent: datagrams (raw) or memos (memo)
	Received int64         // units received
	Bytes    int64         // datagram bytes (raw) or memo bytes (memo) received
	Elapsed  time.Duration // from the first send to the last unit received, summed over rounds
}

func (r Layer) perSecond(n int64) float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(n) / r.Elapsed.Seconds()
}

// Lost is what was sent and never arrived.
func (r Layer) Lost() int64 { return max(0, r.Sent-r.Received) }

func (r *Layer) add(o Layer) {
	r.Sent += o.Sent
	r.Received += o.Received
	r.Bytes += o.Bytes
	r.Elapsed += o.Elapsed
}

// Point is the result of one Spec.
type Point struct {
	Spec         Spec
	GramSize     int     // the renderer's gram size, after clamping
	GramsPerMemo int     // grams one memo is cut into
	DgramBytes   float64 // mean datagram length of those grams
	// Batched is true when both layers went through the transport's batch
	// interface (transport.BatchWriter and BatchReader: sendmmsg and
	// recvmmsg on Linux UDP), false when both moved one datagram per call.
	Batched bool
	// Window is the most bytes either layer's sender keeps in flight (UDP
	// only, a quarter of the receive buffer; 0 elsewhere). A memo larger
	// than it is sent whole, then waited for whole: that layer has one
	// memo in flight at a time where the raw layer streams.
	Window    int64
	Raw, Memo Layer
	// Crypto is the single-core Ed25519 cost of these grams, measured in the
	// same run; zero for unsigned memos.
	Crypto Crypto
}

func (p Point) RawDgramsPerS() float64 { return p.Raw.perSecond(p.Raw.Received) }
func (p Point) RawBytesPerS() float64  { return p.Raw.perSecond(p.Raw.Bytes) }
func (p Point) MemosPerS() float64     { return p.Memo.perSecond(p.Memo.Received) }
func (p Point) MemoBytesPerS() float64 { return p.Memo.perSecond(p.Memo.Bytes) }
func (p Point) MemoGramsPerS() float64 {
	return p.Memo.perSecond(p.Memo.Received * int64(p.GramsPerMemo))
}

// Ratio is the memo layer's payload throughput against the raw transport's
// datagram throughput, at the same datagram sizes.
func (p Point) Ratio() float64 {
	if r := p.RawBytesPerS(); r > 0 {
		return p.MemoBytesPerS() / r
	}
	return 0
}

// DgramRatio is the memo layer's grams/s against the raw transport's
// datagrams/s: the same datagrams, counted instead of weighed. For one-gram
// memos it is memos/s ÷ datagrams/s, the measure of small memos, whose
// bytes ratio the gram head (32 of 132 bytes at 100 B) holds down.
func (p Point) DgramRatio() float64 {
	if r := p.RawDgramsPerS(); r > 0 {
		return p.MemoGramsPerS() / r
	}
	return 0
}

// CeilingRatio is the memo layer's grams/s against what Ed25519 allows on
// this machine (Crypto.Ceiling); 0 for unsigned memos.
func (p Point) CeilingRatio() float64 {
	if c := p.Crypto.Ceiling(); c > 0 {
		return p.MemoGramsPerS() / c
	}
	return 0
}

// Drain bounds. A lossless transport delivers everything that was sent, so
// a round ends on the count; on a lossy one (UDP) it ends after drainIdle
// without progress, and what is missing is reported as lost.
const (
	drainIdle = 500 * time.Millisecond
	pollEvery = 2 * time.Millisecond
	// rounds is how many turns each layer gets.
	rounds = 4
)

// The raw layer's batches match the memo layer's (memo/batch.go): up to
// 64 grams and 1 MiB a send, never more than a memo's grams, and up to 64
// datagrams a receive.
const (
	rawTxBatch    = 64
	rawTxBytes    = 1 << 20
	rawRxBatch    = 64
	cryptoMinTime = 50 * time.Millisecond
)

// pastDeadline wakes a blocked ReadFrom or WriteTo at once.
var pastDeadline = time.Unix(1, 0)

// Measure runs the raw transport and the memo layer by turns, each over its
// own pair of endpoints. The raw layer sends the very grams the memo layer
// produces for a memo of spec.Size bytes, through the same kernel path, so
// both move the same datagram sizes and counts per system call; only the
// memo work differs. When ctx ends, Measure returns ctx's error.
func Measure(ctx context.Context, spec Spec, prog Progress) (pt Point, err error) {
	pt.Spec = spec
	// One pair per layer: the memo layer moves deadlines on its conns, and
	// the raw rounds must not inherit them.
	var conns [4]net.PacketConn
	for i, role := range []string{"raw-a", "raw-b", "mem-a", "mem-b"} {
		if conns[i], err = spec.Open(role); err != nil {
			return pt, err
		}
		defer conns[i].Close()
		if spec.Unbatched {
			if conns[i], err = unbatch(conns[i]); err != nil {
				return pt, err
			}
		}
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
	cfg := memo.Config{Render: memo.RenderConfig{GramSize: spec.Gram}, Pace: memo.Pace{Rate: -1}}
	if spec.Curt {
		cfg.Render.Form = memo.Binary
	}
	seed := make([]byte, 32)
	if spec.Signed {
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
		Authic:          spec.Signed,
		MaxMemoSize:     max(spec.Size, memo.DefaultMaxMemoSize),
		MaxPendingBytes: max(2*spec.Size, memo.DefaultMaxPendingBytes),
	}})
	if err != nil {
		return pt, err
	}
	payload := make([]byte, spec.Size)
	rand.Read(payload)
	grams, err := sender.Renderer().Render(payload)
	if err != nil {
		return pt, err
	}
	pt.GramSize = sender.Renderer().GramSize()
	pt.GramsPerMemo = len(grams)
	total := 0
	for _, g := range grams {
		total += len(g)
	}
	pt.DgramBytes = float64(total) / float64(len(grams))
	var ct *cryptoTimer
	if spec.Signed {
		if ct, err = newCryptoTimer(seed, grams); err != nil {
			return pt, err
		}
	}

	// UDP drops what the receiver's buffer cannot hold; a window keeps the
	// sender from outrunning the receiver, so that the numbers measure
	// what gets through rather than how fast the sender can lose data.
	var window int64
	if spec.Transport == "udp" {
		window = udpWindow(rawB)
	}
	pt.Window = window

	bw, bwOK := rawA.(transport.BatchWriter)
	br, brOK := rawB.(transport.BatchReader)
	_, memBW := memA.(transport.BatchWriter)
	_, memBR := memB.(transport.BatchReader)
	pt.Batched = bwOK && brOK
	if bwOK != memBW || brOK != memBR {
		return pt, errors.New("the raw and the memo endpoints differ in batching")
	}

	// The receivers run for the whole measurement; rounds only start and
	// stop the senders. Stopping them in between would leave the deadline
	// that woke them behind for the next round.
	rctx, stopReceivers := context.WithCancel(ctx)
	var rawRecv func(context.Context) (int, int, error)
	if brOK {
		msgs := make([]transport.Message, rawRxBatch)
		for i := range msgs {
			msgs[i].Buf = make([]byte, br.BatchBufferSize())
		}
		rawRecv = func(context.Context) (int, int, error) {
			n, err := br.ReadBatch(msgs)
			b := 0
			for _, m := range msgs[:n] {
				b += m.N
			}
			return n, b, err
		}
	} else {
		buf := make([]byte, memo.ReadBufferSize+1) // +1: the transport reads into it directly
		rawRecv = func(context.Context) (int, int, error) {
			n, _, err := rawB.ReadFrom(buf)
			return 1, n, err
		}
	}
	rawIn := receive(rctx, wake(rawA), rawRecv)
	memoIn := receive(rctx, wake(memA), func(c context.Context) (int, int, error) {
		m, err := receiver.Receive(c)
		n := len(m.Data)
		receiver.Recycle(m.Data) // the raw side reuses its buffers; the memo side reuses its own too
		return 1, n, err
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
			err = ctx.Err()
		}
	}()
	// Interrupting must also free a sender blocked on a full queue.
	defer context.AfterFunc(ctx, wake(rawA, memA))()

	dst := rawB.LocalAddr()
	i := 0
	var rawSend func(context.Context) (int, int, error)
	if bwOK {
		k := min(rawTxBatch, max(1, rawTxBytes/pt.GramSize), len(grams))
		batch := make([][]byte, k)
		rawSend = func(context.Context) (int, int, error) {
			b := 0
			for j := range batch {
				batch[j] = grams[i%len(grams)]
				b += len(batch[j])
				i++
			}
			n, err := bw.WriteBatch(batch, dst)
			if n < len(batch) {
				b = 0
				for _, g := range batch[:n] {
					b += len(g)
				}
			}
			return n, b, err
		}
	} else {
		rawSend = func(context.Context) (int, int, error) {
			g := grams[i%len(grams)]
			i++
			_, err := rawA.WriteTo(g, dst)
			return 1, len(g), err
		}
	}
	memDst := memB.LocalAddr()
	memoSend := func(sctx context.Context) (int, int, error) {
		return 1, len(payload), sender.Send(sctx, payload, memDst)
	}

	// The layers take turns, so that whatever else loads the machine
	// meanwhile weighs on both alike.
	phase(prog, SizeText(spec.Size)+" memos")
	round := spec.Duration / rounds
	var done time.Duration
	report := func(in time.Duration) {
		if prog != nil {
			prog.Update(float64(done+min(in, round)) / float64(2*spec.Duration))
		}
	}
	for range rounds {
		// The crypto is timed by turns with the layers too, while the
		// receivers wait for the next round.
		if ct != nil {
			if err := ct.run(ctx, cryptoMinTime/rounds); err != nil {
				return pt, err
			}
		}
		r, err := runRound(ctx, rawIn, round, window, report, rawSend)
		if err != nil {
			return pt, fmt.Errorf("raw %s: %w", spec.Transport, err)
		}
		pt.Raw.add(r)
		done += round
		m, err := runRound(ctx, memoIn, round, window, report, memoSend)
		if err != nil {
			return pt, fmt.Errorf("memo layer over %s: %w", spec.Transport, err)
		}
		pt.Memo.add(m)
		done += round
	}
	if ct != nil {
		pt.Crypto = ct.result()
	}
	return pt, nil
}

func phase(p Progress, label string) {
	if p != nil {
		p.Phase(label)
	}
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

// SweepSizes are the memo sizes Sweep measures: about two per decade.
var SweepSizes = []int{100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 4 << 20}

// MinSweepPhase is the shortest time a sweep gives each layer and size.
const MinSweepPhase = 100 * time.Millisecond

// SweepDuration is the time per layer a sweep gives each size for a
// measurement of d per layer.
func SweepDuration(d time.Duration) time.Duration { return max(d/5, MinSweepPhase) }

// Sweep measures spec at every one of SweepSizes, SweepDuration(spec.Duration)
// per layer and size.
func Sweep(ctx context.Context, spec Spec, prog Progress) ([]Point, error) {
	var pts []Point
	for _, sz := range SweepSizes {
		s := spec
		s.Size, s.Duration = sz, SweepDuration(spec.Duration)
		p, err := Measure(ctx, s, prog)
		if err != nil {
			return pts, err
		}
		pts = append(pts, p)
	}
	return pts, nil
}
