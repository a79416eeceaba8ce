package memo

import (
	"net"
	"testing"
	"time"
)

type fakeAddrConn struct {
	net.PacketConn
	network string
}

func (c fakeAddrConn) LocalAddr() net.Addr { return fakeAddr{c.network} }

type fakeAddr struct{ network string }

func (a fakeAddr) Network() string { return a.network }
func (a fakeAddr) String() string  { return "x" }

// The default paces UDP only; a rate paces anything; negative is off.
func TestPaceDefaults(t *testing.T) {
	for _, c := range []struct {
		network string
		pace    Pace
		paced   bool
	}{
		{"udp", Pace{}, true},
		{"udp6", Pace{}, true},
		{"unixgram", Pace{}, false},
		{"wms", Pace{}, false},
		{"unixgram", Pace{Rate: 1 << 20}, true},
		{"udp", Pace{Rate: -1}, false},
	} {
		if p := newPacer(c.pace, fakeAddrConn{network: c.network}); (p != nil) != c.paced {
			t.Errorf("%s %+v: paced %v, want %v", c.network, c.pace, p != nil, c.paced)
		}
	}
}

// The bucket: a burst at once, then the rate, on a clock the test moves.
func TestPacerBucket(t *testing.T) {
	p := newPacer(Pace{Rate: 1000, Burst: 100}, fakeAddrConn{network: "udp"})
	t0 := time.Unix(0, 0)
	for i := range 10 {
		if d := p.take(10, t0); d != 0 {
			t.Fatalf("send %d of the burst waits %v", i, d)
		}
	}
	if d := p.take(10, t0); d != 10*time.Millisecond {
		t.Fatalf("past the burst: wait %v, want 10ms (10 bytes at 1000 B/s)", d)
	}
	if d := p.take(10, t0.Add(10*time.Millisecond)); d != 0 {
		t.Fatalf("after the wait: %v", d)
	}
	// Idle time refills at most the burst.
	t1 := t0.Add(time.Hour)
	for range 10 {
		if d := p.take(10, t1); d != 0 {
			t.Fatal("refilled burst refused")
		}
	}
	if d := p.take(10, t1); d == 0 {
		t.Fatal("an hour idle refilled more than the burst")
	}
	// A datagram larger than the burst goes once the bucket is full.
	q := newPacer(Pace{Rate: 1000, Burst: 100}, fakeAddrConn{network: "udp"})
	if d := q.take(500, t0); d != 0 {
		t.Fatalf("an oversize datagram on a full bucket waits %v", d)
	}
	if d := q.take(1, t0); d <= 0 {
		t.Fatal("after an oversize datagram, the bucket is not in debt")
	}
	if got := q.held(); got != 1 {
		t.Fatalf("held %d, want 1", got)
	}
}
