package e2e

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
)

// udpBufSize is what the tests ask SO_RCVBUF and SO_SNDBUF to be raised to;
// the kernel may cap it (net.core.rmem_max), and pacing reads back the
// actual size.
const udpBufSize = 4 << 20

// pacer keeps the datagrams between a sender's WriteTo and the receiver's
// ReadFrom under a window well below what the receive buffer holds. UDP
// drops what does not fit, and a memo missing a gram never completes; over
// loopback nothing that fits is lost, so with pacing a missing memo is a
// bug, not weather.
type pacer struct{ slots chan struct{} }

// newPacer sizes the window from the receiver's actual buffer, allowing
// each datagram twice its size plus 1 KiB of kernel overhead, and a
// quarter of the buffer in all.
func newPacer(rx *udp.Peer, gramSize int) *pacer {
	_, rcv := rx.ActualBufSizes()
	window := max(1, rcv/4/(2*gramSize+1024))
	return &pacer{slots: make(chan struct{}, window)}
}

// pacedTx is the sending side: WriteTo waits for a free slot.
type pacedTx struct {
	net.PacketConn
	p   *pacer
	max int
}

func (c *pacedTx) WriteTo(b []byte, addr net.Addr) (int, error) {
	select {
	case c.p.slots <- struct{}{}:
	case <-time.After(patience):
		return 0, errors.New("pacer: the receiver read nothing for too long; a datagram was lost")
	}
	n, err := c.PacketConn.WriteTo(b, addr)
	if err != nil {
		<-c.p.slots
	}
	return n, err
}

// MaxDatagramSize lets the Memoer size its grams to the transport, as it
// would without the wrapper.
func (c *pacedTx) MaxDatagramSize() int { return c.max }

// pacedRx is the receiving side: every datagram read frees a slot.
type pacedRx struct {
	net.PacketConn
	p *pacer
}

func (c *pacedRx) ReadFrom(b []byte) (int, net.Addr, error) {
	n, a, err := c.PacketConn.ReadFrom(b)
	if err == nil {
		select {
		case <-c.p.slots:
		default:
		}
	}
	return n, a, err
}

func openUDP(t testing.TB, cfg udp.Config) *udp.Peer {
	t.Helper()
	p, err := udp.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// udpPair opens two paced UDP Memoers on host (an IP literal) with the given
// largest datagram (0: udp's default, hio's 1240).
func udpPair(t *testing.T, host string, maxDgram int, tx, rx memo.Config) (a, b *memo.Memoer, ap *udp.Peer) {
	t.Helper()
	cfg := udp.Config{Addr: net.JoinHostPort(host, "0"), BufSize: udpBufSize, MaxDatagramSize: maxDgram}
	ap, bp := openUDP(t, cfg), openUDP(t, cfg)
	p := newPacer(bp, ap.MaxDatagramSize())
	a = newMemoer(t, &pacedTx{PacketConn: ap, p: p, max: ap.MaxDatagramSize()}, tx)
	b = newMemoer(t, &pacedRx{PacketConn: bp, p: p}, rx)
	return a, b, ap
}

// Memos from empty to 1 MiB cross UDP loopback byte-exact, with the
// sender's address and vid, at hio's 1240-byte gram size (about 850 grams
// for 1 MiB) and at a 65000-byte one that only loopback carries, in both
// head forms, signed and unsigned.
func TestUDPMemoSizes(t *testing.T) {
	sB := signer(t, seedB, memo.VIDB)
	for _, gram := range []int{0, 65000} {
		for _, form := range []memo.Form{memo.Text, memo.Binary} {
			for _, s := range []*memo.Signer{nil, sB} {
				signed := "unsigned"
				if s != nil {
					signed = "signed-B"
				}
				t.Run(fmt.Sprintf("gram=%d/%s/%s", max(gram, udp.MaxGramSize), form, signed), func(t *testing.T) {
					a, b, ap := udpPair(t, "127.0.0.1", gram,
						memo.Config{Render: memo.RenderConfig{Form: form, Signer: s}},
						memo.Config{Receive: memo.ReceiveConfig{Authic: s != nil}})
					sendSizes(t, a, b, ap, s)
				})
			}
		}
	}
}

// One IPv6 case: hio's UDP peer is IPv4 only (HIO-DEFECTS P1).
func TestUDPMemoSizesIPv6(t *testing.T) {
	p, err := udp.Open(udp.Config{Addr: "[::1]:0"})
	if err != nil {
		t.Skipf("no IPv6 loopback here: %v", err)
	}
	p.Close()
	sE := signer(t, seedE, memo.VIDE)
	a, b, ap := udpPair(t, "::1", 0,
		memo.Config{Render: memo.RenderConfig{Form: memo.Binary, Signer: sE}},
		memo.Config{Receive: memo.ReceiveConfig{Authic: true, Keep: keepOf(t, sE)}})
	sendSizes(t, a, b, ap, sE)
}

func sendSizes(t *testing.T, a, b *memo.Memoer, ap *udp.Peer, s *memo.Signer) {
	t.Helper()
	in := receiving(t, b)
	ctx := ctxFor(t)
	vid := ""
	if s != nil {
		vid = s.VID()
	}
	for i, n := range []int{0, 1, 1000, 100_000, 1 << 20} {
		for j, data := range [][]byte{textPayload(uint64(i), n), binaryPayload(uint64(i), n)} {
			if n == 0 && j == 1 {
				continue
			}
			if err := a.Send(ctx, data, b.LocalAddr()); err != nil {
				t.Fatalf("%s: %v", sizeName(n), err)
			}
			checkMemo(t, in.next(t), data, ap.LocalAddr(), vid)
		}
	}
	in.quiet(t)
	checkNoRejects(t, b)
}

// After Close nothing of a UDP Memoer is left running, in the blocking and
// in the service style, and Close wakes a Receive that waits without a
// deadline.
func TestUDPNothingLeftAfterClose(t *testing.T) {
	before := runtime.NumGoroutine()
	ap := openUDP(t, udp.Config{Addr: "127.0.0.1:0"})
	bp := openUDP(t, udp.Config{Addr: "127.0.0.1:0"})
	a, b := newMemoer(t, ap, memo.Config{}), newMemoer(t, bp, memo.Config{})
	ctx := ctxFor(t)
	if err := a.Send(ctx, []byte("blocking"), bp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if m, err := b.Receive(ctx); err != nil || string(m.Data) != "blocking" {
		t.Fatalf("%q, %v", m.Data, err)
	}
	// hio's service loop on both ends; udp.Peer is non-blocking itself, so
	// the Memoer needs no reader goroutine.
	if err := b.Memoit([]byte("service"), ap.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	var got memo.Memo
	for ok := false; !ok; {
		if err := b.Service(); err != nil {
			t.Fatal(err)
		}
		if err := a.Service(); err != nil {
			t.Fatal(err)
		}
		if got, ok = a.PopMemo(); !ok {
			select {
			case <-ctx.Done():
				t.Fatal("the service-style memo never arrived")
			case <-time.After(time.Millisecond):
			}
		}
	}
	checkMemo(t, got, []byte("service"), bp.LocalAddr(), "")

	waiting := make(chan error, 1)
	go func() { _, err := a.Receive(context.Background()); waiting <- err }()
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-waiting:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("waiting Receive ended with %v, want net.ErrClosed", err)
		}
	case <-time.After(patience):
		t.Fatal("Close did not wake the waiting Receive")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	checkGoroutines(t, before)
}
