package memo

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// memConn is an in-memory datagram pipe end that allocates nothing once its
// slots have grown: WriteTo copies into the peer's next slot, ReadFrom
// copies out of its own. It blocks on nothing: the benchmarks below send
// before they receive, and a full queue is an error. With peer set it is a
// transport.Peer too (the service style's non-blocking view).
type memConn struct {
	addr  net.Addr
	peer  *memConn
	mu    sync.Mutex
	slots [][]byte
	head  int
	n     int
	out   []byte        // Receive's buffer: valid until the next Receive
	ready chan struct{} // a datagram was queued (capacity 1)
	done  chan struct{} // closed by Close
	once  sync.Once
}

type memAddr string

func (a memAddr) Network() string { return "mem" }
func (a memAddr) String() string  { return string(a) }

func memPair(slots int) (a, b *memConn) {
	mk := func(name string) *memConn {
		return &memConn{addr: memAddr(name), slots: make([][]byte, slots), ready: make(chan struct{}, 1), done: make(chan struct{})}
	}
	a, b = mk("a"), mk("b")
	a.peer, b.peer = b, a
	return a, b
}

var errMemFull = fmt.Errorf("memConn: queue full")

func (c *memConn) WriteTo(p []byte, _ net.Addr) (int, error) {
	q := c.peer
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.n == len(q.slots) {
		return 0, errMemFull
	}
	i := (q.head + q.n) % len(q.slots)
	q.slots[i] = append(q.slots[i][:0], p...)
	q.n++
	select {
	case q.ready <- struct{}{}:
	default:
	}
	return len(p), nil
}

func (c *memConn) take(p []byte) (int, net.Addr, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == 0 {
		return 0, nil, transport.ErrWouldBlock
	}
	n := copy(p, c.slots[c.head])
	c.head = (c.head + 1) % len(c.slots)
	c.n--
	return n, c.peer.addr, nil
}

func (c *memConn) ReadFrom(p []byte) (int, net.Addr, error) {
	for {
		if n, a, err := c.take(p); err == nil {
			return n, a, nil
		}
		select {
		case <-c.ready:
		case <-c.done:
			return 0, nil, net.ErrClosed
		}
	}
}

func (c *memConn) Close() error                       { c.once.Do(func() { close(c.done) }); return nil }
func (c *memConn) LocalAddr() net.Addr                { return c.addr }
func (c *memConn) SetDeadline(t time.Time) error      { return nil }
func (c *memConn) SetReadDeadline(t time.Time) error  { return nil }
func (c *memConn) SetWriteDeadline(t time.Time) error { return nil }

// memPeer adds transport.Peer to a memConn.
type memPeer struct{ *memConn }

func (p memPeer) Receive() ([]byte, net.Addr, error) {
	if cap(p.out) < MaxGramSize {
		p.out = make([]byte, MaxGramSize)
	}
	n, a, err := p.take(p.out[:cap(p.out)])
	if err != nil {
		return nil, nil, err
	}
	return p.out[:n], a, nil
}

func (p memPeer) Send(b []byte, dst net.Addr) (int, error) {
	n, err := p.WriteTo(b, dst)
	if err == errMemFull {
		return 0, transport.ErrWouldBlock
	}
	return n, err
}

// allocsPerGram runs f (which moves grams grams) b.N times after a warm-up
// and reports heap allocations per gram; allocs/op counts per memo.
func allocsPerGram(b *testing.B, grams int, f func()) {
	for range 3 {
		f() // warm up: buffers and pools grow to their steady size
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	n := 0
	for b.Loop() {
		f()
		n++
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(n*grams), "allocs/gram")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n*grams), "ns/gram")
}

var allocSizes = []int{1, 16, 128} // grams per memo

// BenchmarkSendReceiveAllocs: the blocking style, unsigned, one memo per
// op sent with Send and taken with Receive (its Data recycled), over an
// in-memory pipe, so that only the memo layer allocates.
func BenchmarkSendReceiveAllocs(b *testing.B) {
	for _, f := range []Form{Text, Binary} {
		for _, grams := range allocSizes {
			b.Run(fmt.Sprintf("%s/grams=%d", f, grams), func(b *testing.B) {
				ca, cb := memPair(grams + 1)
				tx, _ := New(ca, Config{Render: RenderConfig{GramSize: 1240, Form: f}})
				rx, _ := New(cb, Config{})
				memo := make([]byte, grams*1100)
				for tx.Renderer().GramCount(len(memo)) > grams {
					memo = memo[:len(memo)-100]
				}
				ctx := context.Background()
				b.SetBytes(int64(len(memo)))
				allocsPerGram(b, tx.Renderer().GramCount(len(memo)), func() {
					if err := tx.Send(ctx, memo, cb.addr); err != nil {
						b.Fatal(err)
					}
					m, err := rx.Receive(ctx)
					if err != nil || len(m.Data) != len(memo) {
						b.Fatal(err, len(m.Data))
					}
					rx.Recycle(m.Data)
				})
			})
		}
	}
}

// BenchmarkServiceAllocs: hio's service style, unsigned: Memoit, Service on
// both ends, PopMemo, over a transport.Peer and over a plain PacketConn
// (the reader-goroutine adapter).
func BenchmarkServiceAllocs(b *testing.B) {
	for _, peer := range []bool{true, false} {
		for _, grams := range allocSizes {
			name := map[bool]string{true: "peer", false: "packetconn"}[peer]
			b.Run(fmt.Sprintf("%s/grams=%d", name, grams), func(b *testing.B) {
				ca, cb := memPair(grams + 1)
				var txc, rxc net.PacketConn = ca, cb
				if peer {
					txc, rxc = memPeer{ca}, memPeer{cb}
				}
				tx, _ := New(txc, Config{Render: RenderConfig{GramSize: 1240}})
				rx, _ := New(rxc, Config{})
				defer tx.Close()
				defer rx.Close()
				memo := make([]byte, grams*1100)
				for tx.Renderer().GramCount(len(memo)) > grams {
					memo = memo[:len(memo)-100]
				}
				b.SetBytes(int64(len(memo)))
				allocsPerGram(b, tx.Renderer().GramCount(len(memo)), func() {
					if err := tx.Memoit(memo, cb.addr); err != nil {
						b.Fatal(err)
					}
					for {
						if err := tx.Service(); err != nil {
							b.Fatal(err)
						}
						if err := rx.Service(); err != nil {
							b.Fatal(err)
						}
						if m, ok := rx.PopMemo(); ok {
							rx.Recycle(m.Data)
							return
						}
						if !peer {
							runtime.Gosched() // let the reader goroutine move
						}
					}
				})
			})
		}
	}
}
