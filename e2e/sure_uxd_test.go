package e2e

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"sync"
	"testing"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// Sure delivery over unix datagram sockets, through a lossy wrapper on both
// ends (10 % loss, 5 % duplication, 5 % reordering): every memo arrives
// once and intact, signed and unsigned. uxd's own sockets lose nothing, so
// the loss is the wrapper's; what this adds to memo's UDP tests is the
// transport (paths as addresses, uxd's large datagrams and small queues).
func TestSureOverUXD(t *testing.T) {
	sB := signer(t, seedB, memo.VIDB)
	for _, c := range []struct {
		name   string
		signer *memo.Signer
		gram   int
	}{
		{"unsigned/65535", nil, 0},
		{"unsigned/1240", nil, 1240},
		{"signed-B/8000", sB, 8000},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := uxdDir(t)
			lc := lossy.Config{Drop: 0.10, Dup: 0.05, Reorder: 0.05, Seed: 7}
			ap := lossy.New(openUXD(t, uxd.Config{Path: filepath.Join(dir, "a.uxd")}), lc)
			lc.Seed++
			bp := lossy.New(openUXD(t, uxd.Config{Path: filepath.Join(dir, "b.uxd")}), lc)
			render := memo.RenderConfig{GramSize: c.gram, Signer: c.signer}
			a := newMemoer(t, ap, memo.Config{Render: render})
			b := newMemoer(t, bp, memo.Config{Receive: memo.ReceiveConfig{Authic: c.signer != nil}})
			sizes := []int{0, 1, 100, 5000, 70_000, 300_000, 1 << 20}
			var memos [][]byte
			for i := range 3 {
				for _, n := range sizes {
					memos = append(memos, binaryPayload(uint64(i*100+n), n))
				}
			}
			want := make(map[[32]byte]int)
			for _, m := range memos {
				want[sha256.Sum256(m)]++
			}
			ctx := ctxFor(t)
			rctx, stop := context.WithCancel(ctx)
			got := make(map[[32]byte]int)
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					m, err := b.Receive(rctx)
					if err != nil {
						if rctx.Err() == nil {
							t.Errorf("Receive: %v", err)
						}
						return
					}
					got[sha256.Sum256(m.Data)]++
				}
			}()
			var wg sync.WaitGroup
			for i, m := range memos {
				wg.Go(func() {
					if _, err := a.SendSure(ctx, m, bp.LocalAddr(), memo.SendOptions{}); err != nil {
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
			if len(got) != len(want) {
				t.Errorf("%d distinct memos received, %d sent", len(got), len(want))
			}
			st, rs := a.Stats().Sure, b.Stats().Sure
			t.Logf("sender %+v; receiver acks %d, duplicates %d; links %+v / %+v", st, rs.AcksSent, rs.Duplicates, ap.Stats(), bp.Stats())
			if st.MemosAcked != uint64(len(memos)) || st.Retransmits == 0 {
				t.Errorf("sender: %d memos acked of %d, %d retransmits", st.MemosAcked, len(memos), st.Retransmits)
			}
		})
	}
}
