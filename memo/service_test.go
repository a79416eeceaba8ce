package memo

import (
	"bytes"
	"fmt"
	"testing"
)

// The service style keeps an emptied destination queue for the next memo
// to it, but not without bound: past maxIdleQueues idle ones are dropped,
// and every memo still goes out whole, in order per destination.
func TestServiceIdleQueuesBounded(t *testing.T) {
	const dsts, rounds = 3 * maxIdleQueues, 2
	ca, cb := memPair(dsts * rounds)
	tx, _ := New(memPeer{ca}, Config{})
	rx, _ := New(memPeer{cb}, Config{})
	defer tx.Close()
	defer rx.Close()
	var want [][]byte
	for r := range rounds {
		for d := range dsts {
			memo := fmt.Appendf(nil, "memo %d to %d", r, d)
			want = append(want, memo)
			if err := tx.Memoit(memo, memAddr(fmt.Sprint("dst", d))); err != nil {
				t.Fatal(err)
			}
			memo[0] = 'X' // Memoit copied it
		}
		if err := tx.Service(); err != nil {
			t.Fatal(err)
		}
		tx.mu.Lock()
		queues, idle, queued := len(tx.tx.byDst), tx.tx.idle, tx.tx.memos
		tx.mu.Unlock()
		if queued != 0 || queues > maxIdleQueues || idle != queues {
			t.Fatalf("round %d: %d queues kept (%d idle), %d memos queued", r, queues, idle, queued)
		}
	}
	if err := rx.Service(); err != nil {
		t.Fatal(err)
	}
	for i, w := range want {
		w[0] = 'm'
		m, ok := rx.PopMemo()
		if !ok || !bytes.Equal(m.Data, w) {
			t.Fatalf("memo %d: %q, %v; want %q", i, m.Data, ok, w)
		}
	}
}
