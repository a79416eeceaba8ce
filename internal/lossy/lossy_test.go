package lossy

import (
	"net"
	"testing"
	"time"
)

func pair(t *testing.T) (a, b net.PacketConn) {
	t.Helper()
	a, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b, err = net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_ = b.(*net.UDPConn).SetReadBuffer(4 << 20)
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// The drop rate is what was asked for, and the same seed drops the same
// datagrams.
func TestDropSeeded(t *testing.T) {
	run := func() (Stats, []byte) {
		a, b := pair(t)
		c := New(a, Config{Drop: 0.3, Seed: 7})
		for i := range 1000 {
			if i%100 == 99 {
				time.Sleep(time.Millisecond) // stay within the receive buffer
			}
			if _, err := c.WriteTo([]byte{byte(i), byte(i >> 8)}, b.LocalAddr()); err != nil {
				t.Fatal(err)
			}
		}
		got := make([]byte, 0, 1000)
		buf := make([]byte, 16)
		for {
			_ = b.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
			n, _, err := b.ReadFrom(buf)
			if err != nil {
				break
			}
			if n == 2 {
				got = append(got, buf[0])
			}
		}
		return c.Stats(), got
	}
	s1, g1 := run()
	s2, g2 := run()
	if s1.Dropped < 240 || s1.Dropped > 360 {
		t.Fatalf("dropped %d of 1000 at 30%%", s1.Dropped)
	}
	if s1 != s2 || string(g1) != string(g2) {
		t.Fatalf("not reproducible: %+v %+v", s1, s2)
	}
	if len(g1) != int(1000-s1.Dropped) {
		t.Fatalf("received %d, want %d", len(g1), 1000-s1.Dropped)
	}
}

// Reordered datagrams arrive after the next one; duplicates twice.
func TestReorderDup(t *testing.T) {
	a, b := pair(t)
	c := New(a, Config{Reorder: 1, Hold: time.Hour})
	for i := range 4 {
		_, _ = c.WriteTo([]byte{byte(i)}, b.LocalAddr())
	}
	var got []byte
	buf := make([]byte, 4)
	for range 4 {
		_ = b.SetReadDeadline(time.Now().Add(time.Second))
		n, _, err := b.ReadFrom(buf)
		if err != nil || n != 1 {
			break
		}
		got = append(got, buf[0])
	}
	// 0 held, 1 sent then 0; 2 held, 3 sent then 2.
	if string(got) != "\x01\x00\x03\x02" {
		t.Fatalf("order %v", got)
	}
	d := New(a, Config{Dup: 1})
	_, _ = d.WriteTo([]byte{9}, b.LocalAddr())
	for range 2 {
		_ = b.SetReadDeadline(time.Now().Add(time.Second))
		if _, _, err := b.ReadFrom(buf); err != nil {
			t.Fatal("duplicate missing:", err)
		}
	}
	if c.Close() != nil {
		t.Fatal("close")
	}
}
