package udp_test

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"testing"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// The behaviour udp shares with the other transports is tested by
// TestConformance (internal/transporttest); this file tests what is its
// own: addresses, buffer sizes, the raised size limits and socket options.

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
		if snd, rcv := p.ActualBufSizes(); snd != 0 || rcv != 0 {
			t.Errorf("ActualBufSizes closed = %d, %d", snd, rcv)
		}
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

// TestRaisedMaxDatagramSize: MaxDatagramSize raised to the family's
// limit carries datagrams up to it over loopback (TestConformance runs
// with the default, 1240).
func TestRaisedMaxDatagramSize(t *testing.T) {
	for _, lb := range loopbacks {
		t.Run(lb.name, func(t *testing.T) {
			limit := udp.MaxIPv4DatagramSize
			if lb.name == "IPv6" {
				limit = udp.MaxIPv6DatagramSize
			}
			a, b := openLoop(t, lb.addr, limit), openLoop(t, lb.addr, limit)
			if a.MaxDatagramSize() != limit {
				t.Fatalf("MaxDatagramSize = %d, want %d", a.MaxDatagramSize(), limit)
			}
			for _, n := range []int{1241, 8192, limit} {
				roundTrip(t, a, b, pattern(n))
			}
		})
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
