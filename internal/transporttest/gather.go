package transporttest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// gather: a transport.GatherWriter's datagrams arrive as the concatenation
// of their parts, in order, whatever the parts' number and lengths (empty
// ones among them, runs of one length and a shorter one after, as a
// segmentation offload cuts them); a datagram over the limit, a part count
// that makes no datagrams, a missing destination and a closed endpoint
// fail in the transport's error shape. Transports without it skip.
func (s *suite) gather(t *testing.T) {
	a, b := s.open(t), s.open(t)
	gw, ok := a.(transport.GatherWriter)
	if !ok {
		t.Skipf("%T does not gather", a)
	}
	dst := s.resolve(t, b.LocalAddr())
	max := a.MaxDatagramSize()
	var want [][]byte
	var parts [][]byte
	cases := []struct{ per, count, size int }{
		{1, 40, 1240},  // WriteBatch's shape
		{2, 150, 1240}, // a gram's head and body: more than one system call's worth
		{2, 3, max},    // the largest datagram, split
		{3, 20, 100},
		{2, 5, 0}, // empty datagrams, made of empty parts
	}
	for _, c := range cases {
		parts, want = parts[:0], want[:0]
		for i := range c.count {
			n := c.size
			if c.size > 1 && i == c.count-1 {
				n = c.size / 2 // a shorter datagram ends the run
			}
			d := pattern(n)
			d = append(d[:0:0], d...)
			if n > 0 {
				d[0] = byte(i)
			}
			want = append(want, d)
			cut := []int{0}
			for j := 1; j < c.per; j++ {
				cut = append(cut, min(n, j*(n/c.per+j))) // uneven parts, some maybe empty
			}
			cut = append(cut, n)
			for j := range c.per {
				parts = append(parts, d[cut[j]:cut[j+1]])
			}
		}
		t.Run(fmt.Sprintf("per=%d/count=%d/size=%d", c.per, c.count, c.size), func(t *testing.T) {
			if s.EmptyRefused != nil && c.size == 0 {
				t.Skip("the transport refuses empty datagrams")
			}
			got := make(chan [][]byte, 1)
			go func() { // reads while the writer waits for room
				var in [][]byte
				buf := make([]byte, max+1)
				_ = b.SetReadDeadline(time.Now().Add(20 * time.Second))
				defer b.SetReadDeadline(time.Time{})
				for len(in) < len(want) {
					n, _, err := b.ReadFrom(buf)
					if err != nil {
						break
					}
					in = append(in, bytes.Clone(buf[:n]))
				}
				got <- in
			}()
			n, err := gw.WriteGather(parts, c.per, dst)
			if err != nil || n != len(want) {
				t.Fatalf("WriteGather: %d datagrams, %v; want %d", n, err, len(want))
			}
			in := <-got
			if len(in) != len(want) {
				t.Fatalf("received %d datagrams, want %d", len(in), len(want))
			}
			for i := range want {
				if !bytes.Equal(in[i], want[i]) {
					t.Fatalf("datagram %d: %d bytes, want %d (byte-exact, in order)", i, len(in[i]), len(want[i]))
				}
			}
		})
	}

	t.Run("TooLarge", func(t *testing.T) {
		head, body := []byte("head"), make([]byte, max-3)
		n, err := gw.WriteGather([][]byte{[]byte("ok"), nil, head, body}, 2, dst)
		var tl *transport.DatagramTooLargeError
		if n != 1 || !errors.As(err, &tl) || tl.Size != max+1 || tl.Max != max {
			t.Fatalf("WriteGather of %d bytes after a small one: %d, %v; want 1, a DatagramTooLargeError{%d, %d}", max+1, n, err, max+1, max)
		}
		s.opError(t, "WriteGather too large", err, "write", a.LocalAddr(), dst)
		if data, _ := receive(t, b); string(data) != "ok" {
			t.Fatalf("received %q, want the datagram before the large one", data)
		}
	})
	t.Run("BadPartCount", func(t *testing.T) {
		for _, per := range []int{0, 2} {
			if n, err := gw.WriteGather([][]byte{[]byte("x")}, per, dst); err == nil || n != 0 {
				t.Errorf("WriteGather of 1 part, %d a datagram: %d, %v; want an error", per, n, err)
			} else {
				s.opError(t, "WriteGather of a bad part count", err, "write", a.LocalAddr(), dst)
			}
		}
	})
	t.Run("NoDestination", func(t *testing.T) {
		if s.Missing == nil {
			t.Skip("the transport cannot tell that nothing is bound at a destination")
		}
		missing := s.Missing(t)
		_, err := gw.WriteGather([][]byte{[]byte("a"), []byte("b")}, 2, missing)
		if !errors.Is(err, transport.ErrNoDestination) {
			t.Errorf("WriteGather to %v: %v, want ErrNoDestination", missing, err)
		}
		s.opError(t, "WriteGather to a missing destination", err, "write", a.LocalAddr(), missing)
	})
	t.Run("Closed", func(t *testing.T) {
		c := s.fresh(t)
		c.Close()
		_, err := c.(transport.GatherWriter).WriteGather([][]byte{[]byte("a")}, 1, dst)
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("WriteGather after Close: %v, want net.ErrClosed", err)
		}
		s.opError(t, "WriteGather after Close", err, "write", c.LocalAddr(), dst)
	})
}
