package memo

import (
	"bytes"
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

func udpPair(t *testing.T, cfg Config) (a, b *Memoer) {
	t.Helper()
	mk := func() *Memoer {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(c, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	return mk(), mk()
}

func ctxTimeout(t *testing.T, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestMemoerSendReceive(t *testing.T) {
	signer := mustSigner(t)
	for _, c := range []struct {
		name string
		cfg  Config
	}{
		{"text", Config{Render: RenderConfig{GramSize: 200}}},
		{"binary", Config{Render: RenderConfig{GramSize: 200, Form: Binary}}},
		{"signed", Config{Render: RenderConfig{GramSize: 300, Signer: signer}, Receive: ReceiveConfig{Authic: true}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			a, b := udpPair(t, c.cfg)
			ctx := ctxTimeout(t, 20*time.Second)
			memos := [][]byte{[]byte("Hello There"), bytes.Repeat([]byte("héllo ✓ "), 300), {0xff, 0x00, 0xfe}, {}}
			for _, memo := range memos {
				if err := a.Send(ctx, memo, b.LocalAddr()); err != nil {
					t.Fatal(err)
				}
				got, err := b.Receive(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got.Data, memo) || got.Src.String() != a.LocalAddr().String() {
					t.Fatalf("got %q from %v", got.Data, got.Src)
				}
				if c.cfg.Render.Signer != nil && got.VID != signer.VID() {
					t.Fatalf("vid %q", got.VID)
				}
			}
			if s := a.Stats(); s.MemosSent != uint64(len(memos)) || s.GramsSent < uint64(len(memos)+1) {
				t.Fatalf("stats %+v", s)
			}
			if s := b.Stats(); s.Receive.Memos != uint64(len(memos)) {
				t.Fatalf("stats %+v", s)
			}
		})
	}
}

func TestMemoerReceiveEndsWithContextAndClose(t *testing.T) {
	before := runtime.NumGoroutine()
	a, _ := udpPair(t, Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := a.Receive(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("deadline: %v", err)
	}
	ctx2, cancel2 := context.WithCancel(context.Background())
	go func() { time.Sleep(20 * time.Millisecond); cancel2() }()
	if _, err := a.Receive(ctx2); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancel: %v", err)
	}
	// The transport is still usable after a context ended.
	ctx3 := ctxTimeout(t, 10*time.Second)
	if err := a.Send(ctx3, []byte("self"), a.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if m, err := a.Receive(ctx3); err != nil || string(m.Data) != "self" {
		t.Fatalf("%q %v", m.Data, err)
	}
	done := make(chan error)
	go func() { _, err := a.Receive(context.Background()); done <- err }()
	time.Sleep(20 * time.Millisecond)
	a.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("close: %v", err)
	}
	if err := a.Send(context.Background(), []byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("send after close: %v", err)
	}
	if err := a.Memoit([]byte("x"), a.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("memoit after close: %v", err)
	}
	checkGoroutines(t, before)
}

// checkGoroutines waits for goroutines started by a test to end.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 100 {
		if runtime.NumGoroutine() <= before {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	buf := make([]byte, 1<<16)
	t.Fatalf("%d goroutines left, %d before:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
}

// Over a plain net.PacketConn the service style uses a reader goroutine,
// which Close ends.
func TestMemoerServiceOverPlainPacketConn(t *testing.T) {
	before := runtime.NumGoroutine()
	a, b := udpPair(t, Config{Render: RenderConfig{GramSize: 64}})
	memo := []byte(strings.Repeat("service style ", 40))
	if err := a.Memoit(memo, b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if a.QueuedGrams() != a.Renderer().GramCount(len(memo)) {
		t.Fatalf("queued %d grams", a.QueuedGrams())
	}
	var got Memo
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if err := a.Service(); err != nil {
			t.Fatal(err)
		}
		if err := b.Service(); err != nil {
			t.Fatal(err)
		}
		if m, ok := b.PopMemo(); ok {
			got = m
			break
		}
	}
	if !bytes.Equal(got.Data, memo) || got.Src.String() != a.LocalAddr().String() || a.QueuedGrams() != 0 {
		t.Fatalf("got %q from %v, %d still queued", got.Data, got.Src, a.QueuedGrams())
	}
	a.Close()
	b.Close()
	checkGoroutines(t, before)
}

// stubPeer is a transport.Peer whose Send answers what the test says.
type stubPeer struct {
	net.PacketConn
	sendErr error
	sent    [][]byte
}

func (s *stubPeer) Receive() ([]byte, net.Addr, error) { return nil, nil, transport.ErrWouldBlock }
func (s *stubPeer) Send(b []byte, _ net.Addr) (int, error) {
	if s.sendErr != nil {
		return 0, s.sendErr
	}
	s.sent = append(s.sent, append([]byte(nil), b...))
	return len(b), nil
}
func (s *stubPeer) LocalAddr() net.Addr { return testAddr("stub") }
func (s *stubPeer) Close() error        { return nil }

// docs/vectors.md behaviour "tx: send() returns 0 (would block) on a freshly
// popped gram": hio loses the gram (T1); memogram keeps all 3 queued and
// sends them, in order, once the transport takes them.
func TestVectorBehaviorTransmitWouldBlockKeepsGram(t *testing.T) {
	v := loadVectors(t)
	var b vecBehavior
	for _, x := range v.Behaviors {
		if x.Input.Kind == "transmit" {
			b = x
		}
	}
	if b.Input.SendReturns != 0 || b.Input.Memo == "" {
		t.Fatalf("transmit behaviour missing: %+v", b)
	}
	r, err := behaviorRenderer(t, v, b)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.Render([]byte(b.Input.Memo))
	peer := &stubPeer{sendErr: transport.ErrWouldBlock}
	mids, _ := FixedMID(v.FixedUUIDHex)
	m, err := New(peer, Config{Render: RenderConfig{GramSize: *b.Input.Sender.Size, MIDs: mids}})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Memoit([]byte(b.Input.Memo), testAddr(b.Input.Dst)); err != nil {
		t.Fatal(err)
	}
	if err := m.Service(); err != nil {
		t.Fatal(err)
	}
	if m.QueuedGrams() != 3 || len(peer.sent) != 0 || m.Stats().WouldBlocks != 1 {
		t.Fatalf("after a would-block: %d queued, %d sent", m.QueuedGrams(), len(peer.sent))
	}
	peer.sendErr = nil
	if err := m.Service(); err != nil {
		t.Fatal(err)
	}
	if m.QueuedGrams() != 0 || len(peer.sent) != 3 {
		t.Fatalf("%d queued, %d sent", m.QueuedGrams(), len(peer.sent))
	}
	for i := range want {
		if !bytes.Equal(peer.sent[i], want[i]) {
			t.Fatalf("gram %d: %q, want %q", i, peer.sent[i], want[i])
		}
	}
}

func TestMemoerServiceReportsSendErrorsAndBackpressure(t *testing.T) {
	peer := &stubPeer{sendErr: transport.ErrNoDestination}
	var failed []error
	m, err := New(peer, Config{TxQueue: 2, OnSendError: func(_ net.Addr, _ MID, err error) { failed = append(failed, err) }})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if err := m.Memoit([]byte{byte(i)}, testAddr("gone")); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Memoit([]byte("third"), testAddr("gone")); !errors.Is(err, ErrQueueFull) {
		t.Fatalf("full queue: %v", err)
	}
	if err := m.Service(); err != nil {
		t.Fatal(err)
	}
	if len(failed) != 2 || !errors.Is(failed[0], transport.ErrNoDestination) || m.QueuedGrams() != 0 || m.Stats().SendErrors != 2 {
		t.Fatalf("failures %v, %d queued", failed, m.QueuedGrams())
	}
	if err := m.Memoit(make([]byte, 1<<20), testAddr("x")); err != nil {
		t.Fatalf("a large memo is queued: %v", err)
	}
	small, _ := New(peer, Config{Render: RenderConfig{GramSize: 33}})
	if err := small.Memoit(make([]byte, 16777216), testAddr("x")); !errors.Is(err, ErrMemoTooLarge) {
		t.Fatalf("too large at size 33: %v", err)
	}
}

// sourceless hides the UDP source, as a mailslot does, and resolves carried
// names back to UDP addresses.
type sourceless struct{ net.PacketConn }

func (s sourceless) ReadFrom(b []byte) (int, net.Addr, error) {
	n, _, err := s.PacketConn.ReadFrom(b)
	return n, nil, err
}
func (s sourceless) ResolveSource(name string) (net.Addr, error) {
	return net.ResolveUDPAddr("udp", name)
}

func TestMemoerCarriesSourceOverSourcelessTransport(t *testing.T) {
	mk := func() *Memoer {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(sourceless{c}, Config{Render: RenderConfig{GramSize: 100, Signer: mustSigner(t)}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	a, b := mk(), mk()
	if a.Renderer().Code() != CodeSourceAuthZero {
		t.Fatalf("code %s", a.Renderer().Code())
	}
	ctx := ctxTimeout(t, 20*time.Second)
	memo := bytes.Repeat([]byte("reply to me "), 30)
	if err := a.Send(ctx, memo, b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	got, err := b.Receive(ctx)
	if err != nil || !bytes.Equal(got.Data, memo) {
		t.Fatalf("%q %v", got.Data, err)
	}
	if _, ok := got.Src.(*net.UDPAddr); !ok || got.Src.String() != a.LocalAddr().String() {
		t.Fatalf("source %T %v, want %v", got.Src, got.Src, a.LocalAddr())
	}
	if err := b.Send(ctx, []byte("pong"), got.Src); err != nil { // the carried source is usable for a reply
		t.Fatal(err)
	}
	if r, err := a.Receive(ctx); err != nil || string(r.Data) != "pong" || r.Src.String() != b.LocalAddr().String() {
		t.Fatalf("reply %q from %v: %v", r.Data, r.Src, err)
	}
}

// A recycled buffer carries the next memo; tiny buffers (under 64 B) and
// foreign capacities are never pooled.
func TestMemoerRecycle(t *testing.T) {
	a, b := udpPair(t, Config{Render: RenderConfig{GramSize: 1240}})
	ctx := ctxTimeout(t, 20*time.Second)
	memo := bytes.Repeat([]byte("r"), 100_000)
	var prev *byte
	for i := range 3 {
		if err := a.Send(ctx, memo, b.LocalAddr()); err != nil {
			t.Fatal(err)
		}
		got, err := b.Receive(ctx)
		if err != nil || !bytes.Equal(got.Data, memo) {
			t.Fatalf("memo %d: %v", i, err)
		}
		if c := cap(got.Data); c&(c-1) != 0 || c < len(memo) {
			t.Fatalf("capacity %d is not a pooled class", c)
		}
		if i > 0 && &got.Data[0] != prev {
			t.Logf("memo %d did not reuse the recycled buffer (a sync.Pool may drop it in a GC)", i)
		}
		prev = &got.Data[0]
		b.Recycle(got.Data)
	}
	var p bufPool
	p.put(make([]byte, 10, 100_000)) // not a power of two: dropped
	p.put(make([]byte, 10, 32))      // below the pooled classes: dropped
	if got := p.get(100_000); cap(got) != 1<<17 || len(got) != 0 {
		t.Fatalf("get: len %d cap %d", len(got), cap(got))
	}
	if got := p.get(1000); cap(got) != 1024 || len(got) != 0 {
		t.Fatalf("pooled small get: len %d cap %d", len(got), cap(got))
	}
	if got := p.get(20); cap(got) != 20 {
		t.Fatalf("tiny get: cap %d", cap(got))
	}
}

// TestMemoerPerMemoSigner: SendOptions.Signer picks the signer memo by memo,
// in both styles, as hio's memoit(memo, dst, vid) does.
func TestMemoerPerMemoSigner(t *testing.T) {
	alice := mustSigner(t)
	bob, err := NewSigner(bytes.Repeat([]byte{7}, 32), VIDB)
	if err != nil {
		t.Fatal(err)
	}
	a, b := udpPair(t, Config{Render: RenderConfig{GramSize: 400}})
	ctx := ctxTimeout(t, 20*time.Second)
	long := bytes.Repeat([]byte("signed by whom? "), 100) // several grams
	expect := func(wantVID string) {
		t.Helper()
		got, err := b.Receive(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got.VID != wantVID || !bytes.Equal(got.Data, long) {
			t.Fatalf("got vid %q (%d bytes), want vid %q", got.VID, len(got.Data), wantVID)
		}
	}
	if err := a.Send(ctx, long, b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	expect("")
	if err := a.SendWith(ctx, long, b.LocalAddr(), SendOptions{Signer: alice}); err != nil {
		t.Fatal(err)
	}
	expect(alice.VID())
	if err := a.MemoitWith(long, b.LocalAddr(), SendOptions{Signer: bob}); err != nil {
		t.Fatal(err)
	}
	for a.QueuedGrams() > 0 {
		if err := a.Service(); err != nil {
			t.Fatal(err)
		}
	}
	expect(bob.VID())
	if err := a.Send(ctx, long, b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	expect("") // the option did not stick

	// A signing Memoer signs with its own signer unless told otherwise.
	c, d := udpPair(t, Config{Render: RenderConfig{GramSize: 400, Signer: alice}})
	if err := c.SendWith(ctx, long, d.LocalAddr(), SendOptions{Signer: bob}); err != nil {
		t.Fatal(err)
	}
	b = d
	expect(bob.VID())
	if err := c.Send(ctx, long, d.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	expect(alice.VID())
}
