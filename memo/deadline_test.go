package memo

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"
)

// A context's registration is kept across calls made with it, follows the
// context when it ends between calls, and goes with the Memoer.
func TestDeadlineFollowsContextAcrossCalls(t *testing.T) {
	a, b := udpPair(t, Config{})
	ctx, cancel := context.WithCancel(context.Background())
	for i := range 20 {
		if err := a.Send(ctx, []byte{byte(i)}, b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		m, err := b.Receive(ctx)
		if err != nil || !bytes.Equal(m.Data, []byte{byte(i)}) {
			t.Fatalf("memo %d: %q, %v", i, m.Data, err)
		}
	}
	if a.wdl.watched == nil || b.rdl.watched == nil {
		t.Fatal("no registration kept for the context of the calls")
	}
	// The context ends while no call runs: the next call with it fails at
	// once, one with another context is not hit by the past deadline.
	cancel()
	if _, err := b.Receive(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Receive with the ended context: %v", err)
	}
	ctx2 := ctxTimeout(t, 5*time.Second)
	if err := a.Send(ctx2, []byte("after"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if m, err := b.Receive(ctx2); err != nil || string(m.Data) != "after" {
		t.Fatalf("after the first context ended: %q, %v", m.Data, err)
	}
	// A call blocked under the kept registration still ends with its
	// context.
	ctx3, cancel3 := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel3)
	if _, err := b.Receive(ctx3); !errors.Is(err, context.Canceled) {
		t.Fatalf("blocked Receive: %v", err)
	}
	// A deadline change between calls with one context's values is seen.
	if _, err := b.Receive(ctxTimeout(t, 30*time.Millisecond)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive with a deadline: %v", err)
	}
	a.Close()
	b.Close()
	if a.wdl.watched != nil || b.rdl.watched != nil {
		t.Error("Close kept the registration: the context would keep the Memoer alive")
	}
}
