package udp_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/dgram"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// batchModes runs f with batched system calls on and, forced off, with the
// one-datagram-per-call fallback that other platforms use.
func batchModes(t *testing.T, f func(t *testing.T)) {
	for _, on := range []bool{true, false} {
		t.Run(map[bool]string{true: "batched", false: "fallback"}[on], func(t *testing.T) {
			was := dgram.SetBatching(on)
			defer dgram.SetBatching(was)
			if on && !dgram.Batching() {
				t.Skip("no batched system calls on this platform")
			}
			f(t)
		})
	}
}

func openBatchPeer(t *testing.T, addr string) *udp.Peer {
	t.Helper()
	p, err := udp.Open(udp.Config{Addr: addr, BufSize: 1 << 20})
	if err != nil {
		if addr[0] == '[' {
			t.Skipf("no IPv6 loopback: %v", err)
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// WriteBatch sends every datagram in order; ReadBatch and Receive get them
// back whole, with the sender's address, in both modes and both families.
func TestBatchRoundTrip(t *testing.T) {
	batchModes(t, func(t *testing.T) {
		for _, addr := range []string{"127.0.0.1:0", "[::1]:0"} {
			t.Run(addr, func(t *testing.T) {
				tx, rx := openBatchPeer(t, addr), openBatchPeer(t, addr)
				if err := rx.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
					t.Fatal(err)
				}
				const count = 300 // several sendmmsg calls' worth
				bufs := make([][]byte, count)
				for i := range bufs {
					bufs[i] = make([]byte, 8+i%udp.MaxGramSize)
					binary.BigEndian.PutUint64(bufs[i], uint64(i))
				}
				bufs[7] = bufs[7][:0] // an empty datagram is one too
				want := func(i int, got []byte, src net.Addr) error {
					if len(got) != len(bufs[i]) || (len(got) >= 8 && binary.BigEndian.Uint64(got) != uint64(i)) {
						return fmt.Errorf("datagram %d: %d bytes, want %d", i, len(got), len(bufs[i]))
					}
					if src.String() != tx.LocalAddr().String() {
						return fmt.Errorf("datagram %d from %v, want %v", i, src, tx.LocalAddr())
					}
					return nil
				}
				for _, half := range [][2]int{{0, count / 2}, {count / 2, count}} {
					n, err := tx.WriteBatch(bufs[half[0]:half[1]], rx.LocalAddr())
					if err != nil || n != half[1]-half[0] {
						t.Fatalf("WriteBatch = %d, %v", n, err)
					}
				}
				msgs := make([]transport.Message, 32)
				for i := range msgs {
					msgs[i].Buf = make([]byte, rx.BatchBufferSize())
				}
				i := 0
				for i < count/2 {
					n, err := rx.ReadBatch(msgs[:min(len(msgs), count/2-i)])
					if err != nil || n == 0 {
						t.Fatalf("ReadBatch = %d, %v", n, err)
					}
					for _, m := range msgs[:n] {
						if err := want(i, m.Buf[:m.N], m.Addr); err != nil {
							t.Fatal(err)
						}
						i++
					}
				}
				for i < count {
					data, src, err := rx.Receive()
					if errors.Is(err, transport.ErrWouldBlock) {
						time.Sleep(time.Millisecond)
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if err := want(i, data, src); err != nil {
						t.Fatal(err)
					}
					i++
				}
			})
		}
	})
}

// A datagram over MaxDatagramSize is refused before any is sent after it,
// and the ones before it go out.
func TestWriteBatchTooLarge(t *testing.T) {
	batchModes(t, func(t *testing.T) {
		tx, rx := openBatchPeer(t, "127.0.0.1:0"), openBatchPeer(t, "127.0.0.1:0")
		bufs := [][]byte{make([]byte, 10), make([]byte, udp.MaxGramSize+1), make([]byte, 10)}
		n, err := tx.WriteBatch(bufs, rx.LocalAddr())
		var tl *transport.DatagramTooLargeError
		if n != 1 || !errors.As(err, &tl) {
			t.Fatalf("WriteBatch = %d, %v; want 1 and a DatagramTooLargeError", n, err)
		}
	})
}

// ReadBatch honours the read deadline and a closed peer.
func TestReadBatchDeadline(t *testing.T) {
	batchModes(t, func(t *testing.T) {
		rx := openBatchPeer(t, "127.0.0.1:0")
		msgs := []transport.Message{{Buf: make([]byte, rx.BatchBufferSize())}}
		if err := rx.SetReadDeadline(time.Now().Add(20 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if _, err := rx.ReadBatch(msgs); !isTimeout(err) {
			t.Fatalf("ReadBatch after the deadline: %v", err)
		}
		rx.Close()
		if _, err := rx.ReadBatch(msgs); !errors.Is(err, net.ErrClosed) {
			t.Fatalf("ReadBatch on a closed peer: %v", err)
		}
	})
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// WriteGather's datagrams arrive whole and in order, each the concatenation
// of its parts, batched (sendmmsg with segmentation offload where the
// kernel has it) and through the fallback that copies them together.
func TestWriteGatherModes(t *testing.T) {
	batchModes(t, func(t *testing.T) {
		tx, rx := openBatchPeer(t, "127.0.0.1:0"), openBatchPeer(t, "127.0.0.1:0")
		const count = 200
		var parts [][]byte
		for i := range count {
			head := []byte(fmt.Sprintf("head %03d|", i))
			body := bytes.Repeat([]byte{byte(i)}, 1231-len(head)+i/150*7) // a run of one length, then longer ones
			parts = append(parts, head, body)
		}
		n, err := tx.WriteGather(parts, 2, rx.LocalAddr())
		if err != nil || n != count {
			t.Fatalf("WriteGather = %d, %v; want %d", n, err, count)
		}
		if err := rx.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, udp.MaxGramSize+1)
		for i := range count {
			k, _, err := rx.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			if want := append(bytes.Clone(parts[2*i]), parts[2*i+1]...); !bytes.Equal(buf[:k], want) {
				t.Fatalf("datagram %d: %q..., want %q...", i, buf[:min(k, 12)], want[:12])
			}
		}
	})
}

// WriteGather allocates nothing per call once warm, batched or not.
func TestWriteGatherAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops buffers: allocation counts mean nothing")
	}
	batchModes(t, func(t *testing.T) {
		tx, rx := openBatchPeer(t, "127.0.0.1:0"), openBatchPeer(t, "127.0.0.1:0")
		dst := rx.LocalAddr() // nobody reads: what overflows its buffer is dropped, not waited for
		head, body := make([]byte, 30), make([]byte, 1210)
		parts := make([][]byte, 0, 128)
		for range 64 {
			parts = append(parts, head, body)
		}
		if n, err := tx.WriteGather(parts, 2, dst); err != nil || n != 64 {
			t.Fatalf("WriteGather = %d, %v", n, err)
		}
		if a := testing.AllocsPerRun(20, func() { _, _ = tx.WriteGather(parts, 2, dst) }); a > 0 {
			t.Fatalf("%.1f allocations per WriteGather of 64 datagrams", a)
		}
	})
}
