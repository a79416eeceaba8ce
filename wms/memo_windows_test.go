package wms_test

// The memo engine (package memo) over mailslot Peers, with real Win32 calls
// (under Wine in CI). A mailslot message carries no sender, so these tests
// are mostly about the source grams that let a receiver name, and answer,
// the sender of a memo (docs/source-grams.md).
//
// Wine deviations met here (docs/mailslots.md §8, docs/mailslots.md §6): a writer
// blocks once about 200 KiB sit unread (#5), so receivers drain in their own
// goroutine or what is queued at once stays small; #3 and #4 in
// TestMemoForeignMessages; writers pin slots, so no writer handle is cached
// under Wine and a closed Memoer's slot name is free at once.
//
// Helpers shared with the benchmark (slotName, openPeer, newMemoer, signer,
// pattern, memoErr) are in bench_memo_windows_test.go.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/wms"
)

// receiveAll drains m in its own goroutine until the test ends (#5: senders
// would block otherwise) and hands the memos over; it reports a Receive
// error and stops. The goroutine is gone before the test's cleanup closes m.
func receiveAll(t testing.TB, m *memo.Memoer) <-chan memo.Memo {
	ch, done, ctx := make(chan memo.Memo), make(chan struct{}), t.Context()
	go func() {
		defer close(done)
		defer close(ch)
		for {
			got, err := m.Receive(ctx)
			if err != nil {
				if ctx.Err() == nil {
					t.Errorf("Receive: %v", err)
				}
				return
			}
			select {
			case ch <- got:
			case <-ctx.Done():
				return
			}
		}
	}()
	t.Cleanup(func() { <-done })
	return ch
}

// next waits for the next memo. A lost memo shows as a go test -timeout,
// except where a marker memo ends the wait.
func next(t testing.TB, ch <-chan memo.Memo) memo.Memo {
	t.Helper()
	m, ok := <-ch
	if !ok {
		t.Fatal("the receiver stopped")
	}
	return m
}

// Memos of every size class cross a pair of mailslots byte-exact, signed
// (authic receivers, a B vid and a kept D vid) and unsigned, text and curt;
// the receiver learns the sender's slot from the memo, and its reply to that
// source reaches the sender.
func TestMemoSizes(t *testing.T) {
	sizes := []int{0, 1, 1 << 10, 65 << 10, 1 << 20, 4 << 20}
	bs, ds := signer(t, 1, memo.VIDB), signer(t, 2, memo.VIDD)
	keep := memo.NewKeep()
	if err := keep.AddSigner(ds); err != nil {
		t.Fatal(err)
	}
	modes := []struct {
		name   string
		signer *memo.Signer
		rx     memo.ReceiveConfig
	}{
		{"unsigned", nil, memo.ReceiveConfig{}},
		{"signed-B", bs, memo.ReceiveConfig{Authic: true}},
		{"signed-D", ds, memo.ReceiveConfig{Authic: true, Keep: keep}},
	}
	for _, form := range []memo.Form{memo.Text, memo.Binary} {
		for _, mode := range modes {
			t.Run(form.String()+"/"+mode.name, func(t *testing.T) {
				cfg := memo.Config{Render: memo.RenderConfig{Form: form, Signer: mode.signer}, Receive: mode.rx}
				a, b := openPeer(t), openPeer(t)
				am, bm := newMemoer(t, a, cfg), newMemoer(t, b, cfg)
				rx, ctx, grams := receiveAll(t, bm), t.Context(), 0
				for i, size := range sizes {
					if err := am.Send(ctx, pattern(size, i), b.LocalAddr()); err != nil {
						t.Fatalf("Send(%d bytes): %v", size, err)
					}
					grams += am.Renderer().GramCount(size)
					got := next(t, rx)
					if err := memoErr(got, a, mode.signer, pattern(size, i)); err != nil {
						t.Fatal(err)
					}
					// a runs no Receive; one small gram never fills its slot.
					reply := fmt.Appendf(nil, "got %d", size)
					if err := bm.Send(ctx, reply, got.Src); err != nil {
						t.Fatalf("reply to %v: %v", got.Src, err)
					}
					if back, err := am.Receive(ctx); err != nil || memoErr(back, b, mode.signer, reply) != nil {
						t.Fatalf("reply: %v, %v", err, memoErr(back, b, mode.signer, reply))
					}
				}
				if s := am.Stats(); s.MemosSent != uint64(len(sizes)) || s.GramsSent != uint64(grams) {
					t.Errorf("sender stats %+v, want %d memos in %d grams", s, len(sizes), grams)
				}
				if s := bm.Stats().Receive; s.Memos != uint64(len(sizes)) || s.Rejected != (memo.RejectStats{}) {
					t.Errorf("receiver stats %+v", s)
				}
			})
		}
	}
}

// Four Memoers send multi-gram memos to every other at the same time, signed
// and unsigned, text and curt: three writers into each slot. Every memo
// arrives once, whole, in order per sender, from the right slot. Each sender
// ends with a marker memo; mailslots keep each writer's order, so a memo
// missing when its sender's marker arrives is lost, not late.
func TestMemoMesh(t *testing.T) {
	const n, each = 4, 5
	sizes := [each + 1]int{1 << 10, 100 << 10, 300, 200 << 10, 65 << 10, 6} // the last is the marker
	body := func(from, to, k int) []byte {
		b := pattern(sizes[k], from*100+to*10+k)
		copy(b, fmt.Sprintf("%d>%d#%d;", from, to, k)) // 6 bytes
		return b
	}
	peers, ms, signers := make([]*wms.Peer, n), make([]*memo.Memoer, n), make([]*memo.Signer, n)
	for i := range n {
		if i < 2 {
			signers[i] = signer(t, byte(10+i), memo.VIDB)
		}
		peers[i] = openPeer(t)
		ms[i] = newMemoer(t, peers[i], memo.Config{Render: memo.RenderConfig{Form: memo.Form(i % 2), Signer: signers[i]}})
	}
	var wg sync.WaitGroup
	for to := range n {
		rx := receiveAll(t, ms[to])
		wg.Go(func() {
			// On a wrong memo it goes on draining: a receiver that stopped
			// would leave its senders blocked for ever under Wine (#5).
			nextK := make([]int, n)
			for ended := 0; ended < n-1; {
				r, ok := <-rx
				if !ok {
					return
				}
				var from, dst, k int
				if _, err := fmt.Sscanf(string(r.Data[:6]), "%d>%d#%d;", &from, &dst, &k); err != nil || dst != to || from == to {
					t.Errorf("%d: memo %q arrived (%v)", to, r.Data[:6], err)
					continue
				}
				if k != nextK[from] {
					t.Errorf("%d: memo %d from %d arrived, want memo %d", to, k, from, nextK[from])
				}
				if err := memoErr(r, peers[from], signers[from], body(from, to, k)); err != nil {
					t.Errorf("%d: memo %d from %d: %v", to, k, from, err)
				}
				if nextK[from] = k + 1; k == each {
					ended++
				}
			}
		})
	}
	for from := range n {
		wg.Go(func() {
			for k := range each + 1 {
				for to := range n {
					if to == from {
						continue
					}
					if err := ms[from].Send(t.Context(), body(from, to, k), peers[to].LocalAddr()); err != nil {
						t.Errorf("%d to %d: %v", from, to, err)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	for i, m := range ms {
		if s := m.Stats().Receive; s.Memos != (n-1)*(each+1) || s.Rejected != (memo.RejectStats{}) {
			t.Errorf("receiver %d: %+v", i, s)
		}
	}
}

// Two writers into one slot, their memos' grams alternating on the wire: both
// memos arrive whole, each with its own writer's source.
//
// Two signed writers with B vids guard against a memo bug fixed in 3ee2c99:
// the Reassembler kept, as a signed memo's key, a slice of the vid field of
// the Gram it reuses for every datagram, so the next signed zeroth gram
// replaced it; the first memo's later grams were held and it never completed.
// The marker memo turns such a loss into a failure instead of a hang.
func TestMemoTwoWritersOneSlot(t *testing.T) {
	for _, c := range []struct {
		name string
		rcs  [2]memo.RenderConfig
	}{
		{"unsigned+signed-B", [2]memo.RenderConfig{{}, {Signer: signer(t, 5, memo.VIDB), Form: memo.Binary}}},
		{"signed-B+signed-B", [2]memo.RenderConfig{{Signer: signer(t, 6, memo.VIDB)}, {Signer: signer(t, 5, memo.VIDB), Form: memo.Binary}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			w, r := [2]*wms.Peer{openPeer(t), openPeer(t)}, openPeer(t)
			rm := newMemoer(t, r, memo.Config{})
			rx := receiveAll(t, rm)
			var grams [2][][]byte
			for i, rc := range c.rcs {
				rc.Source = w[i].Name() // as a Memoer over w[i] sets it
				rend, err := memo.NewRenderer(rc)
				if err != nil {
					t.Fatal(err)
				}
				if grams[i], err = rend.Render(pattern(150<<10, i)); err != nil || len(grams[i]) != 3 {
					t.Fatalf("Render: %d grams, %v", len(grams[i]), err)
				}
			}
			for g := range 3 {
				for i := range 2 {
					if _, err := w[i].Send(grams[i][g], r.LocalAddr()); err != nil {
						t.Fatal(err)
					}
				}
			}
			// The marker comes after every gram above: the slot is FIFO.
			if err := newMemoer(t, w[1], memo.Config{}).Send(t.Context(), []byte("end"), r.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			var got []memo.Memo
			for m := next(t, rx); string(m.Data) != "end"; m = next(t, rx) {
				got = append(got, m)
			}
			for i := range 2 {
				j := slices.IndexFunc(got, func(m memo.Memo) bool { return srcErr(m, w[i]) == nil })
				if j < 0 {
					t.Fatalf("the memo of writer %d (vid %q) never completed; receiver %+v", i, vidOf(c.rcs[i].Signer), rm.Stats().Receive)
				}
				if err := memoErr(got[j], w[i], c.rcs[i].Signer, pattern(150<<10, i)); err != nil {
					t.Fatalf("writer %d: %v", i, err)
				}
			}
			if len(got) != 2 {
				t.Fatalf("%d memos before the marker, want 2", len(got))
			}
		})
	}
}

// On the wire the zeroth gram of every memo is a source gram naming the
// sender's slot and the later grams are plain hio grams: read as raw
// datagrams from a Peer without a Memoer, and in the sender's wire log.
func TestMemoWireGrams(t *testing.T) {
	for _, form := range []memo.Form{memo.Text, memo.Binary} {
		for _, sg := range []*memo.Signer{nil, signer(t, 6, memo.VIDB)} {
			t.Run(fmt.Sprintf("%s/signed=%v", form, sg != nil), func(t *testing.T) {
				var log bytes.Buffer
				a, err := wms.Open(wms.Config{Name: slotName(t), WireLog: transport.NewWireLog(&log)})
				if err != nil {
					t.Fatal(err)
				}
				am, b, data := newMemoer(t, a, memo.Config{Render: memo.RenderConfig{Form: form, Signer: sg}}), openPeer(t), pattern(150<<10, 0)
				sent := make(chan error, 1)
				go func() { sent <- am.Send(t.Context(), data, b.LocalAddr()) }() // read while it writes (#5)
				var wire [][]byte
				var want bytes.Buffer
				buf := make([]byte, b.MaxDatagramSize())
				for range am.Renderer().GramCount(len(data)) {
					n, src, err := b.ReadFrom(buf)
					if err != nil || src != nil {
						t.Fatalf("ReadFrom = %v, %v", src, err)
					}
					wire = append(wire, bytes.Clone(buf[:n]))
					want.WriteString("\nTx " + b.Name() + ":\n" + string(buf[:n]) + "\n")
				}
				if err := <-sent; err != nil {
					t.Fatal(err)
				}
				checkWireGrams(t, wire, form, sg, a.Name())
				if !bytes.Equal(log.Bytes(), want.Bytes()) {
					t.Errorf("the wire log does not hold exactly the %d grams read", len(wire))
				}
				// The raw grams fuse into the memo, with the source resolved.
				rs := memo.NewReassembler(memo.ReceiveConfig{ResolveSource: b.ResolveSource})
				for i, g := range wire {
					m, done, err := rs.Add(g, nil)
					if err != nil || done != (i == len(wire)-1) || done && memoErr(m, a, sg, data) != nil {
						t.Fatalf("Add gram %d: done %v, %v; src %v", i, done, err, m.Src)
					}
				}
			})
		}
	}
}

func checkWireGrams(t *testing.T, wire [][]byte, form memo.Form, sg *memo.Signer, source string) {
	t.Helper()
	zeroth, later, first, hio := memo.CodeSourceZero, memo.CodeGram, byte('s'), byte('b') // 0x73, 0x62
	if form == memo.Binary {
		first, hio = 0xb0, 0x6c
	}
	if sg != nil {
		zeroth, later = memo.CodeSourceAuthZero, memo.CodeGramAuth
	}
	var mid memo.MID
	for i, raw := range wire {
		var g memo.Gram
		if err := memo.ParseGram(raw, &g); err != nil {
			t.Fatalf("gram %d: %v", i, err)
		}
		if i == 0 {
			mid = g.MID
		}
		src, carries := g.Source()
		switch {
		case g.Form != form || g.MID != mid:
			t.Errorf("gram %d: form %v, mid %v", i, g.Form, g.MID)
		case i == 0 && (raw[0] != first || g.Code != zeroth || g.Neck != uint32(len(wire)) || src != source):
			t.Errorf("zeroth gram: first byte %#x, code %v, count %d, source %q; want %#x %v %d %q",
				raw[0], g.Code, g.Neck, src, first, zeroth, len(wire), source)
		case i > 0 && (raw[0] != hio || g.Code != later || carries || g.Neck != uint32(i)):
			t.Errorf("gram %d: first byte %#x, code %v, number %d", i, raw[0], g.Code, g.Neck)
		case sg != nil && (!g.Verify(sg.PublicKey()) || i == 0 && g.VID() != sg.VID()):
			t.Errorf("gram %d does not verify under %s", i, sg.VID())
		}
	}
}

// hio's service style over mailslots: Memoit, Service, PopMemo.
func TestMemoService(t *testing.T) {
	// One event loop drives both Memoers, as one hio Doist would. Service
	// sends every queued gram before it returns, and a Wine writer blocks
	// when about 200 KiB sit unread (#5), so one round of memos stays small.
	t.Run("one-loop", func(t *testing.T) {
		a, b := openPeer(t), openPeer(t)
		am, bm := newMemoer(t, a, memo.Config{}), newMemoer(t, b, memo.Config{Render: memo.RenderConfig{Form: memo.Binary}})
		sizes := []int{1, 1 << 10, 70 << 10} // 4 grams, about 72 KiB
		for i, size := range sizes {
			if err := am.Memoit(pattern(size, i), b.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
		for replies := 0; replies < len(sizes); runtime.Gosched() {
			for _, m := range []*memo.Memoer{am, bm} {
				if err := m.Service(); err != nil {
					t.Fatal(err)
				}
			}
			for got, ok := bm.PopMemo(); ok; got, ok = bm.PopMemo() {
				if err := srcErr(got, a); err != nil {
					t.Fatal(err)
				}
				if err := bm.Memoit(fmt.Appendf(nil, "%d", len(got.Data)), got.Src); err != nil {
					t.Fatal(err)
				}
			}
			for got, ok := am.PopMemo(); ok; got, ok = am.PopMemo() {
				if err := memoErr(got, b, nil, fmt.Append(nil, sizes[replies])); err != nil {
					t.Fatalf("reply %d: %v", replies, err)
				}
				replies++
			}
		}
		if s := am.Stats(); s.WouldBlocks != 0 || am.QueuedGrams() != 0 || s.MemosSent != uint64(len(sizes)) {
			t.Fatalf("stats %+v, %d grams queued", s, am.QueuedGrams())
		}
	})
	// A loop per Memoer, as two hio processes would run: 1.6 MiB in signed
	// multi-gram memos one way, small acknowledgements back. Only the bulk
	// direction can fill a slot, and its reader's loop keeps draining it.
	t.Run("two-loops", func(t *testing.T) {
		a, b, s := openPeer(t), openPeer(t), signer(t, 7, memo.VIDB)
		onErr := func(dst net.Addr, _ memo.MID, err error) { t.Errorf("send to %v: %v", dst, err) }
		am := newMemoer(t, a, memo.Config{Render: memo.RenderConfig{Signer: s}, OnSendError: onErr})
		bm := newMemoer(t, b, memo.Config{Receive: memo.ReceiveConfig{Authic: true}, OnSendError: onErr})
		const count = 12
		data := func(k int) []byte { return pattern([]int{100 << 10, 1 << 10, 300 << 10}[k%3], k) }
		for k := range count {
			if err := am.Memoit(data(k), b.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
		// Both loops run until a has every ack. A wrong memo is reported and
		// still acknowledged: a loop that stopped early could leave the other
		// blocked in Service, writing into a full slot (#5).
		ctx, stop := context.WithCancel(t.Context())
		loop := func(m *memo.Memoer, handle func(k int, got memo.Memo) (last bool)) {
			for k := 0; ctx.Err() == nil; runtime.Gosched() {
				if err := m.Service(); err != nil {
					t.Error(err)
					stop()
				}
				for got, ok := m.PopMemo(); ok; got, ok = m.PopMemo() {
					if handle(k, got) {
						stop()
					}
					k++
				}
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			loop(bm, func(k int, got memo.Memo) bool {
				if err := memoErr(got, a, s, data(k)); err != nil {
					t.Errorf("memo %d: %v", k, err)
				}
				if err := bm.Memoit(fmt.Appendf(nil, "ack %d", k), got.Src); err != nil {
					t.Error(err)
				}
				return false
			})
		})
		wg.Go(func() {
			loop(am, func(k int, got memo.Memo) bool {
				if err := memoErr(got, b, nil, fmt.Appendf(nil, "ack %d", k)); err != nil {
					t.Errorf("ack %d: %v", k, err)
				}
				return k == count-1
			})
		})
		wg.Wait()
		if s := bm.Stats().Receive; s.Memos != count || s.Rejected != (memo.RejectStats{}) {
			t.Fatalf("receiver stats %+v", s)
		}
	})
}

// A memo in plain hio grams (no carried source), as a hio sender would write
// it, is accepted from a mailslot with no source: the receiver cannot know
// one. A source memo right after it on the same slot still has its source.
func TestMemoPlainHioGrams(t *testing.T) {
	s, r, sg := openPeer(t), openPeer(t), signer(t, 8, memo.VIDB)
	rm := newMemoer(t, r, memo.Config{})
	for i, rc := range []memo.RenderConfig{{}, {Form: memo.Binary}, {Signer: sg}, {Form: memo.Binary, GramSize: 1000}} {
		rend, err := memo.NewRenderer(rc)
		if err != nil {
			t.Fatal(err)
		}
		grams, err := rend.Render(pattern(5000, i)) // the last in 6 grams
		if err != nil || grams[0][0] != []byte{'b', 0x6c}[rc.Form] {
			t.Fatalf("Render: %v, first byte %#x", err, grams[0][0])
		}
		for _, g := range grams {
			if _, err := s.Send(g, r.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
		got, err := rm.Receive(t.Context())
		if err != nil || got.Src != nil || got.VID != vidOf(rc.Signer) || !bytes.Equal(got.Data, pattern(5000, i)) {
			t.Fatalf("case %d: Src %v, vid %q, data equal %v, %v; want no source", i, got.Src, got.VID, bytes.Equal(got.Data, pattern(5000, i)), err)
		}
	}
	if err := newMemoer(t, s, memo.Config{}).Send(t.Context(), []byte("sourced"), r.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if got, err := rm.Receive(t.Context()); err != nil || memoErr(got, s, nil, []byte("sourced")) != nil {
		t.Fatalf("source memo after plain ones: %v, %v", got.Src, err)
	}
}

// Receive honours a context deadline; Close wakes a Receive blocked in the
// Peer's ReadFrom with net.ErrClosed, frees the slot's name, and leaves no
// goroutine behind, in the blocking and in the service style.
func TestMemoCloseAndDeadline(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b := openPeer(t), openPeer(t)
	am, bm := newMemoer(t, a, memo.Config{}), newMemoer(t, b, memo.Config{})
	ctx, cancel := context.WithTimeout(t.Context(), wms.DefaultPollInterval*3/2)
	defer cancel()
	if _, err := bm.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Receive past a context deadline = %v", err)
	}
	// The transport still works after the deadline, in both styles.
	if err := am.Send(t.Context(), []byte("after the deadline"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if got, err := bm.Receive(t.Context()); err != nil || srcErr(got, a) != nil {
		t.Fatalf("Receive = %v, %v", got.Src, err)
	}
	if err := am.Service(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := bm.Receive(context.Background())
		done <- err
	}()
	// Close must find Receive inside the Peer's ReadFrom, not before it: the
	// mailslot wait is what only polling makes wakeable under Wine (#7).
	for !strings.Contains(stacks(), "wms.(*Peer).ReadFrom") {
		time.Sleep(time.Millisecond)
	}
	if err := bm.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Receive blocked during Close = %v, want net.ErrClosed", err)
	}
	if err := am.Close(); err != nil {
		t.Fatalf("Close after Service: %v", err)
	}
	for _, p := range []*wms.Peer{a, b} {
		// No writer handle survives to pin the slot (docs/mailslots.md §6).
		again, err := wms.Open(wms.Config{Name: p.Name()})
		if p.Opened() || err != nil {
			t.Fatalf("%s after Close: opened %v; Open again: %v", p.Name(), p.Opened(), err)
		}
		again.Close()
	}
	for range 1000 { // exiting goroutines get time to go; a leak does not
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Errorf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, stacks())
}

func stacks() string {
	buf := make([]byte, 1<<20)
	return string(buf[:runtime.Stack(buf, true)])
}

// Messages that are not grams, an empty message and an oversize one, written
// into a Memoer's slot by a foreign writer, are dropped without disturbing
// the memo after them, in both styles.
func TestMemoForeignMessages(t *testing.T) {
	for _, service := range []bool{false, true} {
		t.Run(fmt.Sprintf("service=%v", service), func(t *testing.T) {
			a, b := openPeer(t), openPeer(t)
			am, bm := newMemoer(t, a, memo.Config{}), newMemoer(t, b, memo.Config{})
			rawWrite(t, b.Name(), []byte("not a gram"), true)
			rawWrite(t, b.Name(), nil, true) // #3: Wine consumes it with ERROR_BROKEN_PIPE
			// #4: Windows refuses a write over nMaxMessageSize, Wine delivers it.
			rawWrite(t, b.Name(), pattern(b.MaxDatagramSize()+5000, 0), onWine())
			data := pattern(100<<10, 1)
			if err := am.Send(t.Context(), data, b.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			var got memo.Memo
			var err error
			if !service {
				got, err = bm.Receive(t.Context())
			}
			for ok := !service; !ok && err == nil; got, ok = bm.PopMemo() {
				err = bm.Service()
			}
			if err != nil || memoErr(got, a, nil, data) != nil {
				t.Fatalf("memo after foreign messages: %v, %v", err, memoErr(got, a, nil, data))
			}
			if s := bm.Stats().Receive; s.Rejected.Malformed != 2 || s.Memos != 1 {
				t.Fatalf("stats %+v; want the text and the empty message dropped as malformed", s)
			}
		})
	}
}

// rawWrite writes one message the plain Win32 way, as a foreign writer would.
func rawWrite(t *testing.T, name string, data []byte, mustWork bool) {
	t.Helper()
	path, err := windows.UTF16PtrFromString(wms.LocalPrefix + name)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(path, windows.GENERIC_WRITE, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE,
		nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	defer windows.CloseHandle(h)
	var n uint32 // may be nil only for overlapped writes
	if err := windows.WriteFile(h, data, &n, nil); err != nil && mustWork {
		t.Fatalf("write %d bytes to %s: %v", len(data), name, err)
	}
}

// onWine reports whether ntdll is Wine's, which exports wine_get_version.
func onWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// Slot names travel as UTF-8: a non-ASCII name and the longest ASCII name
// come back exactly. A valid slot name longer than 255 UTF-8 bytes cannot be
// carried at all, and memo.New says so rather than sending memos without it.
func TestMemoSourceNames(t *testing.T) {
	prefix := fmt.Sprintf(`memogram_test\wms_memo\%d\`, os.Getpid())
	r := openPeer(t)
	rm := newMemoer(t, r, memo.Config{})
	for _, name := range []string{prefix + "Grüße ✓ 名前", prefix + strings.Repeat("x", wms.MaxNameLen-len(prefix))} {
		p, err := wms.Open(wms.Config{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if err := newMemoer(t, p, memo.Config{}).Send(t.Context(), []byte(name), r.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		if got, err := rm.Receive(t.Context()); err != nil || memoErr(got, p, nil, []byte(name)) != nil {
			t.Fatalf("from %q: %v, %v", name, err, memoErr(got, p, nil, []byte(name)))
		}
	}
	long := prefix + strings.Repeat("é", 130) // 130 UTF-16 units, 260 bytes
	p, err := wms.Open(wms.Config{Name: long})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := memo.New(p, memo.Config{}); !errors.Is(err, memo.ErrSourceTooLong) {
		t.Fatalf("memo.New over a %d-byte slot name: %v, want ErrSourceTooLong", len(long), err)
	}
}
