package wms_test

import (
	"context"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/leaktest"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// Opening and closing a Memoer over a mailslot 1,000 times under the same
// name leaves no handle or goroutine behind, and the name is free again
// after every Close (a slot left open would make the next Open fail with
// ErrAddrInUse); every tenth round also sends itself a memo and receives
// it, so that the polling receive path runs too.
func TestNoLeaks(t *testing.T) {
	name := slotName(t)
	round := func(i int) {
		p, err := wms.Open(wms.Config{Name: name})
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
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
	round(0) // the first round sets up what the process keeps
	before := leaktest.Take(t)
	for i := range 1000 {
		round(i)
	}
	leaktest.Check(t, before)
}
