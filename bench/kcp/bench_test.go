package main

import (
	"context"
	"fmt"
	"net"
	"sync/atomic"
	"testing"
	"time"
)

// TestRelayDrops sends datagrams both ways through the relay and checks
// that each direction drops about the configured fraction, forwards the
// rest unchanged, and answers A from the address A sent to.
func TestRelayDrops(t *testing.T) {
	a, err := listen(4 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := listen(4 << 20)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	r, err := NewRelay(b.LocalAddr().(*net.UDPAddr), 0.1, 7, 4<<20)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	const n = 4000
	count := func(c *net.UDPConn, from *net.UDPAddr, got *atomic.Int64, done chan struct{}) {
		defer close(done)
		buf := make([]byte, 2048)
		for {
			_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
			k, src, err := c.ReadFromUDP(buf)
			if err != nil {
				return
			}
			if src.String() != from.String() || k != 100 || buf[0] != byte(k) {
				t.Errorf("datagram of %d bytes from %v, want 100 from %v", k, src, from)
			}
			got.Add(1)
		}
	}
	var atB, atA atomic.Int64
	doneB, doneA := make(chan struct{}), make(chan struct{})
	go count(b, r.AddrB(), &atB, doneB)
	go count(a, r.AddrA(), &atA, doneA)
	msg := make([]byte, 100)
	msg[0] = 100
	for i := range n {
		if _, err := a.WriteToUDP(msg, r.AddrA()); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			time.Sleep(10 * time.Millisecond) // the relay learns A from its first datagram
		}
		if _, err := b.WriteToUDP(msg, r.AddrB()); err != nil {
			t.Fatal(err)
		}
		if i%200 == 0 {
			time.Sleep(time.Millisecond) // stay well inside the socket buffers
		}
	}
	<-doneB
	<-doneA
	for dir, got := range []*atomic.Int64{&atB, &atA} {
		fwd, drop := r.Forwarded[dir].Load(), r.Dropped[dir].Load()
		if uint64(got.Load()) != fwd {
			t.Errorf("direction %d: %d arrived, relay forwarded %d", dir, got.Load(), fwd)
		}
		// The first B→A datagrams may come before A is known; they are dropped too.
		if fwd+drop != n || drop < n*7/100 || drop > n*13/100 {
			t.Errorf("direction %d: forwarded %d, dropped %d of %d; want about 10 %% dropped", dir, fwd, drop, n)
		}
	}
}

var smallMix = MixSpec{Small: 48, Large: 4, SmallSize: 16 << 10, LargeSize: 256 << 10}

// TestSystemsDeliver runs every system over a small workload: Sure and kcp
// must deliver every memo intact and once through 10 % loss; plain memogram
// over a lossless relay must deliver nothing corrupt.
func TestSystemsDeliver(t *testing.T) {
	w := NewWorkload(smallMix, 3)
	o := DefaultOptions
	o.Timeout = time.Minute
	o.Linger = 300 * time.Millisecond
	for _, s := range Systems {
		loss := 0.1
		if s.Name == "plain" {
			loss = 0
		}
		r, err := s.Run(context.Background(), w, loss, o)
		if err != nil {
			t.Fatalf("%s: %v", s.Name, err)
		}
		if r.Bad > 0 || (s.Name != "plain" && (r.Delivered != r.Memos || len(r.Errors) > 0)) {
			t.Errorf("%s: delivered %d of %d, %d bad, errors %v", s.Name, r.Delivered, r.Memos, r.Bad, r.Errors)
		}
		if r.Delivered == 0 || r.Goodput() <= 0 || r.Percentile(0.99) < r.Percentile(0.5) {
			t.Errorf("%s: delivered %d, goodput %.1f MB/s, p50 %v, p99 %v", s.Name, r.Delivered, r.Goodput(), r.Percentile(0.5), r.Percentile(0.99))
		}
		if loss > 0 && r.Dropped[0] == 0 {
			t.Errorf("%s: the relay dropped nothing A→B", s.Name)
		}
		t.Logf("%s at %g loss: %.1f MB/s, p50 %v, p99 %v, %d/%d", s.Name, loss, r.Goodput(), r.Percentile(0.5), r.Percentile(0.99), r.Delivered, r.Memos)
	}
}

// BenchmarkCompare runs plain memogram (lossless only), Sure and kcp-go
// over DefaultMix through the relay at each loss rate. Run it once per
// iteration: go test -run XXX -bench Compare -benchtime 1x -timeout 600s
func BenchmarkCompare(b *testing.B) {
	w := NewWorkload(DefaultMix, DefaultOptions.Seed)
	all := map[string]bool{"plain": true, "sure": true, "kcp": true}
	for _, loss := range []float64{0, 0.01, 0.1} {
		b.Run(fmt.Sprintf("loss=%g%%", loss*100), func(b *testing.B) {
			var gp = map[string][]float64{}
			var p99 = map[string][]float64{}
			var sp, sk []float64
			for b.Loop() {
				t, err := RunTable(context.Background(), w, loss, DefaultOptions, all, b.N)
				if err != nil {
					b.Fatal(err)
				}
				for n, r := range t.Results {
					if r.Bad > 0 || (n != "plain" && r.Delivered != r.Memos) {
						b.Fatalf("%s: delivered %d of %d, %d bad, %v", n, r.Delivered, r.Memos, r.Bad, r.Errors)
					}
					gp[n] = append(gp[n], r.Goodput())
					p99[n] = append(p99[n], float64(r.Percentile(0.99))/1e6)
				}
				sk = append(sk, t.Ratio("sure", "kcp"))
				if loss == 0 {
					sp = append(sp, t.Ratio("sure", "plain"))
				}
			}
			for n := range gp {
				b.ReportMetric(median(gp[n]), n+"-MB/s")
				b.ReportMetric(median(p99[n]), n+"-p99-ms")
			}
			b.ReportMetric(median(sk), "sure/kcp")
			if loss == 0 {
				b.ReportMetric(median(sp), "sure/plain")
			}
		})
	}
}
