//go:build linux || darwin

package uxd_test

import (
	"encoding/binary"
	"errors"
	"net"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/internal/transporttest"
	"github.com/memogram/memogram/transport"
)

// TestFullQueue: a full receive queue (net.unix.max_dgram_qlen) makes Send
// report ErrWouldBlock and WriteTo wait; once the reader drains, every
// datagram arrives, in order (T1).
func TestFullQueue(t *testing.T) {
	dir := shortDir(t)
	a, b := openAt(t, dir, "a"), openAt(t, dir, "b")
	queued := fill(t, a, b)

	const more = 200
	done := make(chan error, 1)
	go func() {
		for i := range more {
			if _, err := a.WriteTo(seq(queued+i), b.LocalAddr()); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := range queued + more {
		buf := make([]byte, 8)
		n, _, err := b.ReadFrom(buf)
		if err != nil {
			t.Fatalf("ReadFrom %d: %v", i, err)
		}
		if i < queued { // fill's one-byte datagrams
			continue
		}
		if got := int(binary.BigEndian.Uint64(buf)); n != 8 || got != i {
			t.Fatalf("datagram %d carries %d: lost or reordered", i, got)
		}
	}
	if err := <-done; err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
}

// TestFullQueueWriteDeadline: a WriteTo waiting for a full queue ends at
// its deadline.
func TestFullQueueWriteDeadline(t *testing.T) {
	dir := shortDir(t)
	p, sink := openAt(t, dir, "p"), openAt(t, dir, "sink")
	fill(t, p, sink)
	if err := p.SetWriteDeadline(time.Now().Add(10 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if _, err := p.WriteTo([]byte("late"), sink.LocalAddr()); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("WriteTo to a full queue past the deadline: %v", err)
	}
}

func seq(i int) []byte { return binary.BigEndian.AppendUint64(nil, uint64(i)) }

// TestQueueFilledByOthers: Linux wakes a sender blocked on a full unix
// queue only when one of its own datagrams is consumed. A WriteTo whose
// destination was filled by someone else must still finish once the
// reader drains.
func TestQueueFilledByOthers(t *testing.T) {
	dir := shortDir(t)
	a, b, c := openAt(t, dir, "a"), openAt(t, dir, "b"), openAt(t, dir, "c")
	queued := fill(t, c, b)
	before := runtime.NumGoroutine()
	done := make(chan error, 1)
	go func() {
		_, err := a.WriteTo([]byte("from a"), b.LocalAddr())
		done <- err
	}()
	dgramtest.WaitBlocked(before + 1)
	for range queued {
		if _, _, err := b.ReadFrom(make([]byte, 8)); err != nil {
			t.Fatal(err)
		}
	}
	buf := make([]byte, 8)
	n, _, err := b.ReadFrom(buf)
	if err != nil || string(buf[:n]) != "from a" {
		t.Fatalf("ReadFrom = %q, %v", buf[:n], err)
	}
	if err := <-done; err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
}

func TestCloseUnblocksWriteTo(t *testing.T) {
	before := runtime.NumGoroutine()
	dir := shortDir(t)
	a, b := openAt(t, dir, "a"), openAt(t, dir, "b")
	fill(t, a, b)
	done := make(chan error, 1)
	go func() {
		_, err := a.WriteTo([]byte("x"), b.LocalAddr())
		done <- err
	}()
	dgramtest.WaitBlocked(before + 1)
	a.Close()
	if err := <-done; !errors.Is(err, net.ErrClosed) {
		t.Fatalf("blocked WriteTo after Close: %v, want net.ErrClosed", err)
	}
	b.Close()
	transporttest.NoLeak(t, before)
}

func TestConcurrentSenders(t *testing.T) {
	dir := shortDir(t)
	r := openAt(t, dir, "r")
	const senders, each = 4, 100
	errs := make(chan error, senders)
	for s := range senders {
		p := openAt(t, dir, string(rune('a'+s)))
		go func() {
			for i := range each {
				var err error
				if i%2 == 0 {
					_, err = p.WriteTo(seq(i), r.LocalAddr())
				} else {
					for {
						_, err = p.Send(seq(i), r.LocalAddr())
						if !errors.Is(err, transport.ErrWouldBlock) {
							break
						}
						runtime.Gosched()
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	next := map[string]int{}
	for range senders * each {
		data, src := dgramtest.Receive(t, r)
		if want := next[src.String()]; int(binary.BigEndian.Uint64(data)) != want {
			t.Fatalf("from %v: got %d, want %d", src, binary.BigEndian.Uint64(data), want)
		}
		next[src.String()]++
	}
	for range senders {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
