package memo

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"
)

// A captured signed memo, replayed whole from another source, is delivered
// once only inside the replay window, even after more than 4,096 other
// memos (which flushed hio's and memogram's former (source, mid) memory);
// after the window it is delivered again, as docs/hio-defects.md A6 says.
func TestSignedMemoReplayedFromAnotherSourceDeliveredOnce(t *testing.T) {
	for _, multi := range []bool{false, true} {
		t.Run(map[bool]string{false: "one gram", true: "several grams"}[multi], func(t *testing.T) {
			now := time.Unix(1e9, 0)
			rx := NewReassembler(ReceiveConfig{Now: func() time.Time { return now }, ReplayWindow: time.Minute})
			signer := mustSignerSeed(t, 7)
			size := 0
			if multi {
				size = 200
			}
			r, err := NewRenderer(RenderConfig{Signer: signer, GramSize: size})
			if err != nil {
				t.Fatal(err)
			}
			captured, err := r.Render(bytes.Repeat([]byte("pay 10 "), 100))
			if err != nil {
				t.Fatal(err)
			}
			deliver := func(src string) (int, error) {
				n := 0
				var last error
				for _, g := range captured {
					_, ok, err := rx.Add(g, testAddr(src))
					if ok {
						n++
					}
					if err != nil {
						last = err
					}
				}
				return n, last
			}
			if n, err := deliver("alice"); n != 1 || err != nil {
				t.Fatalf("first delivery: %d memos, %v", n, err)
			}
			if n, err := deliver("mallory"); n != 0 || !errors.Is(err, ErrLateGram) {
				t.Fatalf("replay from another source: %d memos, %v", n, err)
			}
			// 5,000 other memos, signed and unsigned, from many sources.
			plain, _ := NewRenderer(RenderConfig{})
			other, _ := NewRenderer(RenderConfig{Signer: mustSignerSeed(t, 8)})
			for i := range 5000 {
				rr := plain
				if i%2 == 0 {
					rr = other
				}
				gs, _ := rr.Render([]byte(fmt.Sprint("filler ", i)))
				for _, g := range gs {
					if _, _, err := rx.Add(g, testAddr(fmt.Sprint("flood", i))); err != nil {
						t.Fatal(err)
					}
				}
			}
			now = now.Add(59 * time.Second)
			if n, err := deliver("mallory2"); n != 0 || !errors.Is(err, ErrLateGram) {
				t.Fatalf("replay after 5,000 memos: %d memos, %v", n, err)
			}
			if got := rx.Stats().Rejected.Replay; got != 2 {
				t.Fatalf("Rejected.Replay %d, want 2", got)
			}
			now = now.Add(2 * time.Second)
			if n, _ := deliver("mallory3"); n != 1 {
				t.Fatalf("replay after the window: %d memos, want 1 (documented)", n)
			}
		})
	}
}

// The same over real sockets: the memo is captured from the wire and sent
// again from a second UDP socket.
func TestSignedMemoReplayedFromAnotherSocket(t *testing.T) {
	rc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	rx, err := New(rc, Config{Receive: ReceiveConfig{Authic: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()
	r, err := NewRenderer(RenderConfig{Signer: mustSignerSeed(t, 9), GramSize: 300})
	if err != nil {
		t.Fatal(err)
	}
	memo := bytes.Repeat([]byte("transfer "), 200)
	grams, err := r.Render(memo)
	if err != nil {
		t.Fatal(err)
	}
	ctx := ctxTimeout(t, 20*time.Second)
	for i, name := range []string{"genuine", "replayer"} {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		for _, g := range grams {
			if _, err := c.WriteTo(g, rc.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
		if i == 0 {
			m, err := rx.Receive(ctx)
			if err != nil || !bytes.Equal(m.Data, memo) {
				t.Fatalf("%s: %v", name, err)
			}
		}
	}
	another, _ := NewRenderer(RenderConfig{Signer: mustSignerSeed(t, 10)})
	marker, _ := another.Render([]byte("after the replay"))
	c, _ := net.ListenPacket("udp", "127.0.0.1:0")
	defer c.Close()
	if _, err := c.WriteTo(marker[0], rc.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	m, err := rx.Receive(ctx)
	if err != nil || string(m.Data) != "after the replay" {
		t.Fatalf("the memo after the replay: %q %v (the replay must not be delivered)", m.Data, err)
	}
	if st := rx.Stats().Receive; st.Rejected.Replay != 1 || st.Memos != 2 {
		t.Fatalf("stats %+v", st)
	}
}

// Memory for replays is bounded: per vid, and in all with the heaviest
// signer giving way, so a flood from one signer does not evict another's.
func TestReplayMemoryBoundedPerVID(t *testing.T) {
	rx := NewReassembler(ReceiveConfig{ReplayPerVID: 100, ReplayMax: 150})
	a, b := mustSignerSeed(t, 11), mustSignerSeed(t, 12)
	ra, _ := NewRenderer(RenderConfig{Signer: a})
	rb, _ := NewRenderer(RenderConfig{Signer: b})
	first, _ := ra.Render([]byte("a's first"))
	if _, ok, _ := rx.Add(first[0], testAddr("a")); !ok {
		t.Fatal("not delivered")
	}
	for i := range 40 {
		gs, _ := ra.Render([]byte(fmt.Sprint("a ", i)))
		rx.Add(gs[0], testAddr("a"))
	}
	for i := range 1000 {
		gs, _ := rb.Render([]byte(fmt.Sprint("b ", i)))
		rx.Add(gs[0], testAddr("b"))
	}
	if n := rx.ReplayRemembered(); n > 150 {
		t.Fatalf("%d remembered, bound 150", n)
	}
	if _, ok, err := rx.Add(first[0], testAddr("elsewhere")); ok || !errors.Is(err, ErrLateGram) {
		t.Fatalf("a's memo forgotten after b's flood: %v", err)
	}
}
