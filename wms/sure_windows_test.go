package wms_test

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/wms"
)

// lossyPeer is a mailslot Peer behind a lossy wrapper that still carries
// sources: without transport.SourceCarrier the memo layer would not put
// the sender's slot in its zeroth grams, and no ack could find its way.
type lossyPeer struct {
	*lossy.Conn
	transport.SourceCarrier
}

func newLossyPeer(p *wms.Peer, lc lossy.Config) lossyPeer {
	return lossyPeer{lossy.New(p, lc), p}
}

// Sure delivery over mailslots, through a lossy wrapper on both ends:
// acks go back as source-form ack grams (sAAI/sAAJ) to the slot each
// memo's zeroth gram names, since a mailslot message has no sender. Every
// memo arrives once and intact, signed and unsigned.
func TestSureOverMailslots(t *testing.T) {
	for _, c := range []struct {
		name   string
		signer *memo.Signer
	}{
		{"unsigned", nil},
		{"signed-B", signer(t, 3, memo.VIDB)},
	} {
		t.Run(c.name, func(t *testing.T) {
			lc := lossy.Config{Drop: 0.10, Dup: 0.05, Reorder: 0.05, Seed: 5}
			ap := newLossyPeer(openPeer(t), lc)
			lc.Seed++
			bpeer := openPeer(t)
			bp := newLossyPeer(bpeer, lc)
			a, err := memo.New(ap, memo.Config{Render: memo.RenderConfig{Signer: c.signer, GramSize: 4000}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { a.Close() })
			b, err := memo.New(bp, memo.Config{Receive: memo.ReceiveConfig{Authic: c.signer != nil}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			var memos [][]byte
			for i, n := range []int{0, 1, 100, 3999, 20_000, 150_000, 1, 64 << 10, 300_000} {
				memos = append(memos, pattern(n, i))
			}
			want := make(map[[32]byte]int)
			for _, m := range memos {
				want[sha256.Sum256(m)]++
			}
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			rctx, stop := context.WithCancel(ctx)
			got := make(map[[32]byte]int)
			done := make(chan struct{})
			go func() { // drains b at once: a Wine writer blocks on a full slot
				defer close(done)
				for {
					m, err := b.Receive(rctx)
					if err != nil {
						if rctx.Err() == nil {
							t.Errorf("Receive: %v", err)
						}
						return
					}
					if m.Src == nil || m.Src.String() != a.LocalAddr().String() {
						t.Errorf("memo from %v, want %v", m.Src, a.LocalAddr())
					}
					got[sha256.Sum256(m.Data)]++
				}
			}()
			var wg sync.WaitGroup
			for i, m := range memos {
				wg.Go(func() {
					if _, err := a.SendSure(ctx, m, bpeer.LocalAddr(), memo.SendOptions{}); err != nil {
						t.Errorf("memo %d (%d bytes): %v", i, len(m), err)
					}
				})
			}
			wg.Wait()
			stop()
			<-done
			for h, n := range want {
				if got[h] != n {
					t.Errorf("memo %x: received %d times, sent %d", h[:4], got[h], n)
				}
			}
			st, rs := a.Stats().Sure, b.Stats().Sure
			t.Logf("sender %+v; receiver acks %d, duplicates %d; links %+v / %+v", st, rs.AcksSent, rs.Duplicates, ap.Stats(), bp.Stats())
			if st.MemosAcked != uint64(len(memos)) || st.Retransmits == 0 || rs.AcksSent == 0 {
				t.Errorf("sender: %d memos acked of %d, %d retransmits; receiver sent %d acks", st.MemosAcked, len(memos), st.Retransmits, rs.AcksSent)
			}
		})
	}
}
