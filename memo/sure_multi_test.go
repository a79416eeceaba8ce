package memo

import (
	"context"
	"errors"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/lossy"
)

// One Sure sender, memos in flight to three receivers at once over lossy
// links, one of which goes silent: the other two get every memo once, the
// silent one's memos fail with ErrNotDelivered after the give-up time, and
// its full window holds up nobody else (windows are per destination).
func TestSureManyDestinations(t *testing.T) {
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	lc := lossy.Config{Drop: 0.05, Dup: 0.02, Reorder: 0.02, Seed: 40}
	tx, err := New(lossy.New(conn, lc), Config{Render: RenderConfig{GramSize: 1240}, SureConfig: SureConfig{GiveUp: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	type rxEnd struct {
		m    *Memoer
		link *lossy.Conn
		got  map[MID][]byte
		done chan struct{}
	}
	ctx := ctxTimeout(t, 2*time.Minute)
	rctx, stop := context.WithCancel(ctx)
	var rxs []*rxEnd
	for range 3 {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lc.Seed++
		l := lossy.New(c, lc)
		m, err := New(l, Config{Render: RenderConfig{GramSize: 1240}})
		if err != nil {
			t.Fatal(err)
		}
		defer m.Close()
		r := &rxEnd{m: m, link: l, done: make(chan struct{})}
		go func() { defer close(r.done); r.got = receiveAll(rctx, t, m) }()
		rxs = append(rxs, r)
	}
	rxs[2].link.SetDown(true) // hears nothing, answers nothing
	var memos [][]byte
	for i := range 30 {
		memos = append(memos, memoBytes(uint64(i), 1+i*i*300))
	}
	var wg sync.WaitGroup
	errs := make([][]error, len(rxs))
	for j, r := range rxs {
		errs[j] = make([]error, len(memos))
		for i, data := range memos {
			wg.Go(func() {
				_, errs[j][i] = tx.SendSure(ctx, data, r.m.LocalAddr(), SendOptions{})
			})
		}
	}
	wg.Wait()
	stop()
	for _, r := range rxs {
		<-r.done
	}
	for j, r := range rxs[:2] {
		for i, err := range errs[j] {
			if err != nil {
				t.Errorf("receiver %d, memo %d: %v", j, i, err)
			}
		}
		if len(r.got) != len(memos) {
			t.Errorf("receiver %d got %d memos of %d", j, len(r.got), len(memos))
		}
	}
	for i, err := range errs[2] {
		if !errors.Is(err, ErrNotDelivered) {
			t.Errorf("silent receiver, memo %d: %v, want ErrNotDelivered", i, err)
		}
	}
	if st := tx.Stats().Sure; st.MemosAcked != 2*uint64(len(memos)) || st.MemosFailed != uint64(len(memos)) || st.InFlight != 0 {
		t.Errorf("sender stats %+v", st)
	}
}
