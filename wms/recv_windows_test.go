package wms

import (
	"bytes"
	"errors"
	"io"
	"os"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

func TestReceiveEmpty(t *testing.T) {
	p := openPeer(t, Config{})
	data, src, err := p.Receive()
	if !errors.Is(err, transport.ErrWouldBlock) || data != nil || src != nil {
		t.Fatalf("Receive on an empty slot = %q, %v, %v; want ErrWouldBlock", data, src, err)
	}
	// A ReadFrom that waited leaves the slot's read timeout raised; Receive
	// must put it back to 0, or it would wait.
	p.SetReadDeadline(time.Now().Add(2 * p.poll))
	if _, _, err := p.ReadFrom(make([]byte, 10)); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("ReadFrom = %v, want a timeout", err)
	}
	if p.timeout == 0 {
		t.Fatal("the read timeout was not raised while waiting")
	}
	if _, _, err := p.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
		t.Fatalf("Receive = %v, want ErrWouldBlock", err)
	}
	var timeout uint32
	if err := getMailslotInfo(p.slot, nil, nil, nil, &timeout); err != nil || timeout != 0 {
		t.Fatalf("read timeout after Receive = %d, %v; want 0", timeout, err)
	}
}

func TestRoundTripSizes(t *testing.T) {
	a := openPeer(t, Config{})
	b := openPeer(t, Config{})
	for i, size := range []int{1, 2, 23, 24, 100, 424, 1239, 1240, 1241, 4096, 8191, 8192, 32768, 65534, 65535} {
		want := pattern(size, i)
		send(t, a, b, want)
		var got []byte
		if i%2 == 0 {
			got = receive(t, b)
		} else {
			got = readFrom(t, b)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%d bytes sent, %d bytes back, equal prefix %v", size, len(got), bytes.HasPrefix(want, got))
		}
	}
	if _, _, err := b.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
		t.Fatalf("after the last message: %v, want ErrWouldBlock", err)
	}
}

// A message longer than the receiver accepts, from a writer that does not
// check, must be consumed and reported, and must not block the slot.
func TestReceiveOversize(t *testing.T) {
	a := openPeer(t, Config{})
	b := openPeer(t, Config{MaxMessageSize: 1000})
	_, err := a.Send(pattern(2000, 1), b.LocalAddr())
	switch {
	case err == nil:
		// Wine does not enforce nMaxMessageSize (docs/mailslots.md §8 #4): the
		// message arrives, and the reader must throw it away.
		var tl *transport.DatagramTooLargeError
		_, _, err := b.Receive()
		for errors.Is(err, transport.ErrWouldBlock) {
			_, _, err = b.Receive()
		}
		if !errors.As(err, &tl) || tl.Max != 1000 || tl.Size <= 1000 || !errors.Is(err, transport.ErrDatagramTooLarge) {
			t.Fatalf("Receive of a 2000-byte message = %v; want DatagramTooLargeError, Max 1000", err)
		}
	case onWine():
		t.Fatalf("Send of 2000 bytes to a 1000-byte slot under Wine: %v", err)
	default:
		t.Logf("Windows refused the oversize write: %v", err) // as documented
	}
	send(t, a, b, []byte("next"))
	if got := readFrom(t, b); string(got) != "next" {
		t.Fatalf("message after the oversize one: %q", got)
	}
}

// Windows delivers a zero-length message; Wine fails the read with
// ERROR_BROKEN_PIPE and consumes it (docs/mailslots.md §8 #3). Both must come
// out as one empty datagram, and the slot must go on working.
func TestReceiveEmptyMessage(t *testing.T) {
	b := openPeer(t, Config{})
	rawWrite(t, b.Name(), nil)
	data, src, err := b.Receive()
	for errors.Is(err, transport.ErrWouldBlock) {
		data, src, err = b.Receive()
	}
	if err != nil || data == nil || len(data) != 0 || src != nil {
		t.Fatalf("Receive of an empty message = %q (nil %v), %v, %v", data, data == nil, src, err)
	}
	rawWrite(t, b.Name(), nil)
	if n, _, err := b.ReadFrom(make([]byte, 10)); n != 0 || err != nil {
		t.Fatalf("ReadFrom of an empty message = %d, %v", n, err)
	}
	rawWrite(t, b.Name(), []byte("after"))
	if got := receive(t, b); string(got) != "after" {
		t.Fatalf("got %q", got)
	}
}

// Messages queue in order. 200 of at most 100 bytes stay below the 278 after
// which a Wine writer blocks until the reader drains (docs/mailslots.md §8 #5).
func TestManyQueued(t *testing.T) {
	a := openPeer(t, Config{})
	b := openPeer(t, Config{})
	const count = 200
	for i := range count {
		send(t, a, b, pattern(50+i%51, i))
	}
	for i := range count {
		if got := receive(t, b); !bytes.Equal(got, pattern(50+i%51, i)) {
			t.Fatalf("message %d: got %d bytes, not what was sent", i, len(got))
		}
	}
	if _, _, err := b.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
		t.Fatalf("after draining: %v", err)
	}
}

// With a reader draining concurrently, far more than a Wine queue holds goes
// through in order.
func TestConcurrentReader(t *testing.T) {
	defer goroutineCheck(t)()
	a := openPeer(t, Config{})
	b := openPeer(t, Config{})
	const count = 2000
	errc := make(chan error, 1)
	go func() {
		buf := make([]byte, 65535)
		for i := range count {
			n, _, err := b.ReadFrom(buf)
			if err != nil {
				errc <- err
				return
			}
			if !bytes.Equal(buf[:n], pattern(1240, i)) {
				errc <- errors.New("message out of order or damaged")
				return
			}
		}
		errc <- nil
	}()
	for i := range count {
		send(t, a, b, pattern(1240, i))
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	a.Close()
	b.Close()
}

func TestTwoWriters(t *testing.T) {
	defer goroutineCheck(t)()
	w1 := openPeer(t, Config{})
	w2 := openPeer(t, Config{})
	r := openPeer(t, Config{})
	const each = 500
	errc := make(chan error, 2)
	for id, w := range []*Peer{w1, w2} {
		go func() {
			for i := range each {
				if _, err := w.Send([]byte{byte(id), byte(i >> 8), byte(i)}, r.LocalAddr()); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
	}
	next := [2]int{}
	for range 2 * each {
		m := readFrom(t, r)
		if len(m) != 3 || m[0] > 1 || int(m[1])<<8|int(m[2]) != next[m[0]] {
			t.Fatalf("message %v; next expected from each writer: %v", m, next)
		}
		next[m[0]]++
	}
	for range 2 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestReadFromShortBuffer(t *testing.T) {
	p := openPeer(t, Config{})
	send(t, p, p, []byte("0123456789"))
	buf := make([]byte, 4)
	n, _, err := p.ReadFrom(buf)
	if n != 4 || string(buf) != "0123" || !errors.Is(err, io.ErrShortBuffer) {
		t.Fatalf("ReadFrom into 4 bytes = %d %q, %v; want 4 \"0123\", io.ErrShortBuffer", n, buf[:n], err)
	}
	if _, _, err := p.Receive(); !errors.Is(err, transport.ErrWouldBlock) {
		t.Fatalf("the rest of the message is still queued: %v", err)
	}
}
