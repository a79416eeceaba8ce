package transporttest

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// scatter: a transport.ScatterReader fills the parts in order with the
// datagram and reports its length and source; a datagram shorter than the
// first part leaves the rest alone, one longer than the parts hold fills
// them and is reported as too large; an empty datagram reads as 0; the
// read deadline and Close end a blocked read in the transport's error
// shape. Transports without it skip.
func (s *suite) scatter(t *testing.T) {
	a, b := s.open(t), s.open(t)
	sr, ok := b.(transport.ScatterReader)
	if !ok {
		t.Skipf("%T does not scatter", b)
	}
	dst := s.resolve(t, b.LocalAddr())
	max := b.MaxDatagramSize()
	if err := b.SetReadDeadline(time.Now().Add(20 * time.Second)); err != nil {
		t.Fatal(err)
	}
	head, mid, rest := make([]byte, 30), make([]byte, 1210), make([]byte, max+1)
	parts := [][]byte{head, mid, rest}
	for _, n := range []int{min(1240, max), 30, 31, 10, min(2240, max), max} {
		msg := pattern(n)
		send(t, a, msg, dst)
		for _, p := range parts {
			clear(p)
		}
		k, src, err := sr.ReadScatter(parts)
		if err != nil || k != n {
			t.Fatalf("ReadScatter of %d bytes: %d, %v", n, k, err)
		}
		if got := append(append(append([]byte(nil), head...), mid...), rest...)[:k]; !bytes.Equal(got, msg) {
			t.Fatalf("ReadScatter of %d bytes: the parts hold other bytes", n)
		}
		if n < len(head) && head[n] != 0 {
			t.Fatalf("ReadScatter of %d bytes wrote past them", n)
		}
		if !s.NoSource && (src == nil || src.String() != a.LocalAddr().String()) {
			t.Fatalf("source %v, want %v", src, a.LocalAddr())
		}
	}
	if s.EmptyRefused == nil {
		send(t, a, nil, dst)
		if k, _, err := sr.ReadScatter(parts); err != nil || k != 0 {
			t.Fatalf("ReadScatter of an empty datagram: %d, %v", k, err)
		}
	}
	// Longer than the parts hold.
	msg := pattern(100)
	send(t, a, msg, dst)
	small := [][]byte{make([]byte, 10), make([]byte, 20)}
	k, _, err := sr.ReadScatter(small)
	if k != 30 || !errors.Is(err, transport.ErrDatagramTooLarge) || !bytes.Equal(append(small[0], small[1]...), msg[:30]) {
		t.Fatalf("ReadScatter of 100 bytes into 30: %d, %v; want 30 and ErrDatagramTooLarge", k, err)
	}
	s.opError(t, "short ReadScatter", err, "read", b.LocalAddr(), nil)
	// The read deadline.
	if err := b.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	_, _, err = sr.ReadScatter(parts)
	s.timeout(t, "ReadScatter past the deadline", err, "read", b.LocalAddr())
	// Close while blocked.
	if err := b.SetReadDeadline(time.Time{}); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, _, err := sr.ReadScatter(parts); done <- err }()
	time.Sleep(20 * time.Millisecond)
	b.Close()
	select {
	case err := <-done:
		if !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadScatter ended by Close: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not end a blocked ReadScatter")
	}
}
