package udp_test

import (
	"context"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/leaktest"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
)

// Opening and closing a Memoer over a udp peer 1,000 times on the same
// port leaves no descriptor (handle on Windows) or goroutine behind; every
// tenth round also sends itself a memo and receives it.
func TestNoLeaks(t *testing.T) {
	addr := "127.0.0.1:0"
	round := func(i int) {
		p, err := udp.Open(udp.Config{Addr: addr})
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		addr = p.LocalAddr().String() // the same port from now on
		m, err := memo.New(p, memo.Config{})
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		if i%10 == 0 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if err := m.Send(ctx, []byte("self"), p.LocalAddr()); err != nil {
				t.Fatalf("round %d: %v", i, err)
			}
			if got, err := m.Receive(ctx); err != nil || string(got.Data) != "self" {
				t.Fatalf("round %d: %q, %v", i, got.Data, err)
			}
			cancel()
		}
		if err := m.Close(); err != nil {
			t.Fatalf("round %d: close: %v", i, err)
		}
	}
	round(0) // the first round sets up what the process keeps: the poller
	before := leaktest.Take(t)
	for i := range 1000 {
		round(i)
	}
	leaktest.Check(t, before)
}
