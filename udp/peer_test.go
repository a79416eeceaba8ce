package udp_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

func open(t testing.TB, cfg udp.Config) *udp.Peer {
	t.Helper()
	p, err := udp.Open(cfg)
	if err != nil {
		t.Fatalf("Open(%+v): %v", cfg, err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// loopbacks are the addresses the round-trip tests run on; IPv6 is
// skipped where the host has no ::1.
var loopbacks = []struct{ name, addr string }{{"IPv4", "127.0.0.1:0"}, {"IPv6", "[::1]:0"}}

func openLoop(t testing.TB, addr string, maxSize int) *udp.Peer {
	t.Helper()
	p, err := udp.Open(udp.Config{Addr: addr, MaxDatagramSize: maxSize})
	if err != nil && addr[0] == '[' {
		t.Skipf("no IPv6 loopback: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func roundTrip(t *testing.T, from, to *udp.Peer, msg []byte) {
	t.Helper()
	if n, err := from.Send(msg, to.LocalAddr()); err != nil || n != len(msg) {
		t.Fatalf("Send %d bytes: %d, %v", len(msg), n, err)
	}
	data, src := dgramtest.Receive(t, to)
	if !bytes.Equal(data, msg) {
		t.Fatalf("received %d bytes, want %d (byte-exact)", len(data), len(msg))
	}
	if src == nil || src.String() != from.LocalAddr().String() {
		t.Fatalf("src = %v, want %v", src, from.LocalAddr())
	}
}

func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i>>8)
	}
	return b
}

func TestOpenReopenClose(t *testing.T) {
	p := open(t, udp.Config{Addr: "127.0.0.1:0"})
	a, ok := p.LocalAddr().(*net.UDPAddr)
	if !ok || a.Port == 0 || !a.IP.Equal(net.IPv4(127, 0, 0, 1)) || !p.Opened() {
		t.Fatalf("LocalAddr %v, Opened %v", p.LocalAddr(), p.Opened())
	}
	addr := a.String()
	if err := p.Reopen(); err != nil || p.LocalAddr().String() != addr || !p.Opened() {
		t.Fatalf("Reopen: %v, %v (want %s)", err, p.LocalAddr(), addr)
	}
	roundTrip(t, p, p, []byte("self"))
	if err := p.Close(); err != nil || p.Opened() {
		t.Fatalf("Close: %v, Opened %v", err, p.Opened())
	}
	if err := p.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, _, err := p.Receive(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Receive after Close: %v", err)
	}
	if _, err := p.Send([]byte("x"), p.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Send after Close: %v", err)
	}
	if snd, rcv := p.ActualBufSizes(); snd != 0 || rcv != 0 {
		t.Fatalf("ActualBufSizes closed = %d, %d", snd, rcv)
	}
	if p.LocalAddr().String() != addr {
		t.Fatalf("LocalAddr after Close = %v", p.LocalAddr())
	}
	if err := p.Reopen(); err != nil || p.LocalAddr().String() != addr {
		t.Fatalf("Reopen after Close: %v, %v", err, p.LocalAddr())
	}
	roundTrip(t, p, p, []byte("again"))
}

func TestBuffers(t *testing.T) {
	for _, c := range []struct {
		count, size int
		bc, bs      int
	}{
		{0, 0, 1024, 1269760},
		{1, 0, 1, 1240},
		{2, 999, 2, 2480},
		{0, 1000, 0, 1000},
		{-1, 0, 0, 65535},
	} {
		p := open(t, udp.Config{Addr: "127.0.0.1:0", BufCount: c.count, BufSize: c.size})
		if p.BufCount() != c.bc || p.BufSize() != c.bs || p.MaxDatagramSize() != udp.MaxGramSize {
			t.Errorf("BufCount %d BufSize %d: got bc %d bs %d max %d, want %d %d 1240",
				c.count, c.size, p.BufCount(), p.BufSize(), p.MaxDatagramSize(), c.bc, c.bs)
		}
		// Raised to bs unless the kernel caps it, never lowered.
		if snd, rcv := p.ActualBufSizes(); snd < min(c.bs, 65535) || rcv < min(c.bs, 65535) {
			t.Errorf("bs %d: ActualBufSizes = %d, %d", c.bs, snd, rcv)
		}
		p.Close()
	}
}

func TestAddresses(t *testing.T) {
	p, err := udp.Open(udp.Config{})
	if err == nil {
		if got := p.LocalAddr().String(); got != udp.DefaultAddr {
			t.Errorf("default address %s, want %s", got, udp.DefaultAddr)
		}
		p.Close()
	} else if !errors.Is(err, transport.ErrAddrInUse) {
		t.Errorf("Open at the default address: %v", err)
	}

	p = open(t, udp.Config{Addr: ":0"})
	if a := p.LocalAddr().(*net.UDPAddr); !a.IP.Equal(net.IPv4zero) || a.Port == 0 {
		t.Errorf("empty host bound %v, want 0.0.0.0:<port>", a)
	}
	// Reachable through loopback.
	q := open(t, udp.Config{Addr: "127.0.0.1:0"})
	dst := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: p.LocalAddr().(*net.UDPAddr).Port}
	if _, err := q.Send([]byte("any"), dst); err != nil {
		t.Fatal(err)
	}
	if data, _ := dgramtest.Receive(t, p); string(data) != "any" {
		t.Fatalf("received %q", data)
	}

	for _, bad := range []udp.Config{
		{Addr: "nonsense"},
		{Addr: "127.0.0.1:0", MaxDatagramSize: udp.MaxIPv4DatagramSize + 1},
		{Addr: "[::1]:0", MaxDatagramSize: udp.MaxIPv6DatagramSize + 1},
		{Addr: "127.0.0.1:0", MaxDatagramSize: -1},
	} {
		if p, err := udp.Open(bad); err == nil {
			p.Close()
			t.Errorf("Open(%+v) succeeded", bad)
		}
	}
}

// TestAddrInUse: no SO_REUSEPORT (HIO-DEFECTS P2), so a second bind fails.
func TestAddrInUse(t *testing.T) {
	p := open(t, udp.Config{Addr: "127.0.0.1:0"})
	_, err := udp.Open(udp.Config{Addr: p.LocalAddr().String()})
	if !errors.Is(err, transport.ErrAddrInUse) {
		t.Fatalf("second Open at %v: %v, want ErrAddrInUse", p.LocalAddr(), err)
	}
}

func TestReceiveEmptyWouldBlock(t *testing.T) {
	p := open(t, udp.Config{Addr: "127.0.0.1:0"})
	if data, src, err := p.Receive(); !errors.Is(err, transport.ErrWouldBlock) || data != nil || src != nil {
		t.Fatalf("Receive on empty = %q, %v, %v; want ErrWouldBlock", data, src, err)
	}
}

func TestRoundTripSizes(t *testing.T) {
	for _, lb := range loopbacks {
		t.Run(lb.name, func(t *testing.T) {
			limit := udp.MaxIPv4DatagramSize
			if lb.name == "IPv6" {
				limit = udp.MaxIPv6DatagramSize
			}
			for _, maxSize := range []int{0, limit} {
				a, b := openLoop(t, lb.addr, maxSize), openLoop(t, lb.addr, maxSize)
				for _, n := range []int{1, 2, 100, 548, 1239, 1240, 1241, 8192, 65507, 65527} {
					if n > a.MaxDatagramSize() {
						continue
					}
					msg := pattern(n)
					roundTrip(t, a, b, msg)
					if k, err := a.WriteTo(msg, b.LocalAddr()); err != nil || k != n {
						t.Fatalf("WriteTo %d: %d, %v", n, k, err)
					}
					buf := make([]byte, n)
					k, src, err := b.ReadFrom(buf)
					if err != nil || k != n || !bytes.Equal(buf, msg) || src.String() != a.LocalAddr().String() {
						t.Fatalf("ReadFrom %d: %d, %v, %v", n, k, src, err)
					}
				}
			}
		})
	}
}

func TestZeroLengthDatagram(t *testing.T) {
	a, b := open(t, udp.Config{Addr: "127.0.0.1:0"}), open(t, udp.Config{Addr: "127.0.0.1:0"})
	if _, err := a.Send(nil, b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Send([]byte("next"), b.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	data, src := dgramtest.Receive(t, b)
	if data == nil || len(data) != 0 || src == nil {
		t.Fatalf("empty datagram = %#v from %v, want non-nil empty slice (R6)", data, src)
	}
	if data, _ = dgramtest.Receive(t, b); string(data) != "next" {
		t.Fatalf("after the empty datagram: %q", data)
	}
}

func TestTooLarge(t *testing.T) {
	a := open(t, udp.Config{Addr: "127.0.0.1:0"})
	for name, send := range map[string]func([]byte, net.Addr) (int, error){"Send": a.Send, "WriteTo": a.WriteTo} {
		_, err := send(make([]byte, 1241), a.LocalAddr())
		var tl *transport.DatagramTooLargeError
		if !errors.As(err, &tl) || tl.Max != 1240 || tl.Size != 1241 || !errors.Is(err, transport.ErrDatagramTooLarge) {
			t.Errorf("%s of 1241 bytes: %v, want DatagramTooLargeError{1241, 1240}", name, err)
		}
	}
	// A ReadFrom buffer shorter than the datagram.
	if _, err := a.Send([]byte("0123456789"), a.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	n, _, err := a.ReadFrom(buf)
	var tl *transport.DatagramTooLargeError
	if n != 4 || string(buf) != "0123" || !errors.As(err, &tl) || tl.Size != 10 || tl.Max != 4 {
		t.Errorf("short ReadFrom = %d %q %v", n, buf, err)
	}
}

func TestBadDestination(t *testing.T) {
	a := open(t, udp.Config{Addr: "127.0.0.1:0"})
	for _, dst := range []net.Addr{nil, (*net.UDPAddr)(nil), &net.UnixAddr{Name: "/x", Net: "unixgram"},
		&net.UDPAddr{IP: net.IPv6loopback, Port: 9}} {
		if _, err := a.Send([]byte("x"), dst); err == nil {
			t.Errorf("Send to %#v succeeded", dst)
		}
	}
}

func TestWireLog(t *testing.T) {
	var log bytes.Buffer
	wl := transport.NewWireLog(&log)
	alpha := open(t, udp.Config{Addr: "127.0.0.1:0", WireLog: wl})
	beta := open(t, udp.Config{Addr: "127.0.0.1:0", WireLog: wl})
	if _, err := alpha.Send([]byte("alpha sends to beta"), beta.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	dgramtest.Receive(t, beta)
	if _, err := beta.WriteTo([]byte("beta answers"), alpha.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if _, _, err := alpha.ReadFrom(make([]byte, 100)); err != nil {
		t.Fatal(err)
	}
	who := func(p *udp.Peer) string {
		return "('127.0.0.1', " + strconv.Itoa(p.LocalAddr().(*net.UDPAddr).Port) + ")"
	}
	want := fmt.Sprintf("\nTx %[2]s:\nalpha sends to beta\n\nRx %[1]s:\nalpha sends to beta\n"+
		"\nTx %[1]s:\nbeta answers\n\nRx %[2]s:\nbeta answers\n", who(alpha), who(beta))
	if log.String() != want {
		t.Fatalf("wire log:\n%q\nwant\n%q", log.String(), want)
	}
}

func TestBroadcastFlag(t *testing.T) {
	for _, on := range []bool{false, true} {
		p := open(t, udp.Config{Addr: "127.0.0.1:0", Broadcast: on})
		if got := broadcast(t, p); got != on {
			t.Errorf("Broadcast %v: SO_BROADCAST is %v", on, got)
		}
	}
}

func TestDeadlines(t *testing.T) {
	p := open(t, udp.Config{Addr: "127.0.0.1:0"})
	if err := p.SetReadDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, _, err := p.ReadFrom(make([]byte, 10))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("ReadFrom past the deadline: %v", err)
	}
	if err := p.Reopen(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := p.ReadFrom(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadFrom after Reopen: %v", err)
	}
	if err := p.SetWriteDeadline(time.Now().Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteTo([]byte("late"), p.LocalAddr()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteTo past the deadline: %v", err)
	}
	if _, err := p.Send([]byte("Send ignores deadlines"), p.LocalAddr()); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if err := p.SetDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 100)
	if n, _, err := p.ReadFrom(buf); err != nil || string(buf[:n]) != "Send ignores deadlines" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
}

func TestCloseUnblocksReadFrom(t *testing.T) {
	before := runtime.NumGoroutine()
	p, err := udp.Open(udp.Config{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 2)
	for range 2 {
		go func() {
			_, _, err := p.ReadFrom(make([]byte, 10))
			done <- err
		}()
	}
	dgramtest.WaitBlocked(before + 2)
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-done; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("blocked ReadFrom after Close: %v, want net.ErrClosed", err)
		}
	}
	if _, err := p.WriteTo([]byte("x"), p.LocalAddr()); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("WriteTo after Close: %v", err)
	}
	dgramtest.NoLeak(t, before)
}

func TestReadFromSurvivesReopen(t *testing.T) {
	p, q := open(t, udp.Config{Addr: "127.0.0.1:0"}), open(t, udp.Config{Addr: "127.0.0.1:0"})
	before := runtime.NumGoroutine()
	type result struct {
		data string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		buf := make([]byte, 10)
		n, _, err := p.ReadFrom(buf)
		done <- result{string(buf[:n]), err}
	}()
	dgramtest.WaitBlocked(before + 1)
	if err := p.Reopen(); err != nil {
		t.Fatal(err)
	}
	if _, err := q.Send([]byte("after"), p.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	if r := <-done; r.err != nil || r.data != "after" {
		t.Fatalf("ReadFrom across Reopen = %q, %v", r.data, r.err)
	}
}
