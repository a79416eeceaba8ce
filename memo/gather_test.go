package memo

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"
)

// gatherConn records what a Memoer hands a transport.GatherWriter: each
// datagram the concatenation of its parts, as a kernel sends it. failAt, when
// positive, refuses the datagram of that index with ENOBUFS.
type gatherConn struct {
	net.PacketConn // nil: only the methods a sender uses are called
	sent           [][]byte
	calls, writeTo int
	failAt         int
}

func (c *gatherConn) WriteGather(parts [][]byte, per int, addr net.Addr) (int, error) {
	c.calls++
	for i := 0; i < len(parts); i += per {
		if c.failAt > 0 && len(c.sent) == c.failAt {
			return i / per, &net.OpError{Op: "write", Net: "udp", Addr: addr, Err: syscall.ENOBUFS}
		}
		c.sent = append(c.sent, bytes.Join(parts[i:i+per], nil))
	}
	return len(parts) / per, nil
}

func (c *gatherConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	c.writeTo++
	c.sent = append(c.sent, bytes.Clone(b))
	return len(b), nil
}

func (c *gatherConn) LocalAddr() net.Addr { return testAddr("gather") }
func (c *gatherConn) Close() error        { return nil }

// Send over a GatherWriter puts exactly Render's grams on the wire, gathered
// from heads and the memo's own bytes, in text and binary form, with source
// grams and hio's under-filled binary grams, for memos from empty to many
// batches; signed memos are rendered whole instead.
func TestSendGatheredMatchesRender(t *testing.T) {
	mids, _ := FixedMID("00112233445566778899aabbccddeeff")
	signer, err := NewSigner(bytes.Repeat([]byte{5}, 32), VIDB)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range []RenderConfig{
		{GramSize: 1240},
		{GramSize: 1240, Form: Binary},
		{GramSize: 200, Form: Binary, FillBinary: true},
		{GramSize: 1240, Source: "/tmp/some/socket.uxd"},
		{GramSize: 65535},
		{GramSize: 1240, Signer: signer},
	} {
		for _, size := range []int{0, 1, 1000, 1240, 100_000, 1 << 20} {
			rc := rc
			rc.MIDs = mids
			t.Run(fmt.Sprintf("size=%d/form=%d/gram=%d/src=%v/signed=%v", size, rc.Form, rc.GramSize, rc.Source != "", rc.Signer != nil), func(t *testing.T) {
				r, err := NewRenderer(rc)
				if err != nil {
					t.Fatal(err)
				}
				memo := memoBytes(uint64(size), size)
				want, err := r.Render(memo)
				if err != nil {
					t.Fatal(err)
				}
				c := &gatherConn{}
				m, err := New(c, Config{Render: rc})
				if err != nil {
					t.Fatal(err)
				}
				defer m.Close()
				if err := m.Send(context.Background(), memo, testAddr("dst")); err != nil {
					t.Fatal(err)
				}
				if len(c.sent) != len(want) {
					t.Fatalf("%d grams sent, want %d", len(c.sent), len(want))
				}
				for i := range want {
					if !bytes.Equal(c.sent[i], want[i]) {
						t.Fatalf("gram %d differs from Render's (%d against %d bytes)", i, len(c.sent[i]), len(want[i]))
					}
				}
				if signed := rc.Signer != nil; signed != (c.calls == 0) || signed != (c.writeTo > 0) {
					t.Fatalf("%d gathered calls, %d WriteTo: signed %v", c.calls, c.writeTo, signed)
				}
				if st := m.Stats(); st.GramsSent != uint64(len(want)) || st.BytesSent != uint64(size) {
					t.Fatalf("stats %d grams, %d bytes", st.GramsSent, st.BytesSent)
				}
			})
		}
	}
}

// A datagram the transport refuses ends Send with the transport's error,
// in the *net.OpError shape, after the grams before it went out.
func TestSendGatheredError(t *testing.T) {
	c := &gatherConn{failAt: 100}
	m, err := New(c, Config{Render: RenderConfig{GramSize: 1240}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	err = m.Send(context.Background(), make([]byte, 1<<20), testAddr("dst"))
	var oe *net.OpError
	if !errors.Is(err, syscall.ENOBUFS) || !errors.As(err, &oe) || len(c.sent) != 100 {
		t.Fatalf("Send = %v after %d grams; want ENOBUFS in a *net.OpError after 100", err, len(c.sent))
	}
	if m.Stats().MemosSent != 0 {
		t.Fatalf("a failed memo is counted as sent")
	}
	for i := range m.txParts {
		if m.txParts[i] != nil {
			t.Fatal("Send keeps a reference to the memo")
		}
	}
}
