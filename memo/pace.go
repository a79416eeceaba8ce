package memo

import (
	"context"
	"net"
	"strings"
	"sync"
	"time"
)

// Plain (not Sure) memos get no feedback from their receiver, so a sender
// that writes as fast as its socket takes them overruns a receiver's socket
// buffer and loses whole memos silently: measured over loopback UDP, 2,000
// memos of 3–9 KB sent back to back reached `memogram recv` as 725. Over a
// transport that drops what its receiver cannot take (UDP), plain sends are
// therefore paced by a token bucket: a burst well under the receive buffer
// memogram's UDP peers ask for (1,269,760 bytes), then a steady rate. uxd
// and mailslot writers block on a full receiver instead, and are not paced
// unless asked.
const (
	// DefaultPaceRate is the rate plain sends over UDP are paced to, in
	// bytes per second of datagrams: 32 MiB/s, a quarter of a gigabit
	// link, which one receiving core keeps up with.
	DefaultPaceRate = 32 << 20
	// DefaultPaceBurst is the bytes sent at once before the rate applies:
	// a fifth of the receive buffer memogram's UDP peers ask for.
	DefaultPaceBurst = 256 << 10
)

// Pace bounds the rate of plain sends (Config.Pace) from one Memoer. Sure
// sends are not paced by it: their windows follow the receiver's acks.
// Nothing tells a plain sender of other senders to the same receiver, so
// many of them together may still overrun it.
type Pace struct {
	// Rate is in bytes per second. 0 picks the default for the transport:
	// DefaultPaceRate over UDP, unpaced elsewhere. Negative turns pacing
	// off (benchmarks, links known to be fast end to end).
	Rate int
	// Burst is the bytes sent at once before Rate applies; 0 means
	// DefaultPaceBurst.
	Burst int
}

// pacer is a token bucket; nil paces nothing.
type pacer struct {
	mu     sync.Mutex
	rate   float64 // bytes per second
	burst  float64
	tokens float64
	last   time.Time
	waits  uint64 // sends held back
}

func (p *pacer) held() uint64 {
	if p == nil {
		return 0
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.waits
}

func newPacer(p Pace, conn net.PacketConn) *pacer {
	rate := p.Rate
	if rate == 0 {
		if a := conn.LocalAddr(); a == nil || !strings.HasPrefix(a.Network(), "udp") {
			return nil
		}
		rate = DefaultPaceRate
	}
	if rate < 0 {
		return nil
	}
	burst := p.Burst
	if burst <= 0 {
		burst = DefaultPaceBurst
	}
	return &pacer{rate: float64(rate), burst: float64(burst), tokens: float64(burst)}
}

// take spends n bytes' tokens if there are any (a datagram larger than the
// burst goes once the bucket is full), or says how long until there are.
func (p *pacer) take(n int, now time.Time) time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.last.IsZero() {
		p.tokens = min(p.burst, p.tokens+now.Sub(p.last).Seconds()*p.rate)
	}
	p.last = now
	need := min(float64(n), p.burst)
	if p.tokens >= need {
		p.tokens -= float64(n)
		return 0
	}
	p.waits++
	return time.Duration((need - p.tokens) / p.rate * float64(time.Second))
}

// wait blocks until n bytes may be sent, ctx ends, or done closes.
func (p *pacer) wait(ctx context.Context, n int, done <-chan struct{}) error {
	if p == nil {
		return nil
	}
	for {
		d := p.take(n, time.Now())
		if d <= 0 {
			return nil
		}
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-done:
			t.Stop()
			return net.ErrClosed
		}
	}
}

// allow is take for the non-blocking Service style: true when n bytes may
// be sent now.
func (p *pacer) allow(n int) bool {
	return p == nil || p.take(n, time.Now()) == 0
}
