package memo

import (
	"context"
	"net"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/memogram/memogram/internal/lossy"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// batchConn is a lossy conn that offers WriteBatch, so the Sure pump writes
// through it; every fail-th batch of more than one gram is refused at its
// second gram, as a kernel may refuse one datagram of a sendmmsg.
type batchConn struct {
	*lossy.Conn
	fail                   int64
	batches, grams, failed atomic.Int64
	largest                atomic.Int64
	writeTos               atomic.Int64
}

var _ transport.BatchWriter = (*batchConn)(nil)

func (c *batchConn) WriteTo(b []byte, addr net.Addr) (int, error) {
	c.writeTos.Add(1)
	return c.Conn.WriteTo(b, addr)
}

func (c *batchConn) WriteBatch(bufs [][]byte, addr net.Addr) (int, error) {
	k := c.batches.Add(1)
	if int64(len(bufs)) > c.largest.Load() {
		c.largest.Store(int64(len(bufs)))
	}
	for i, b := range bufs {
		if i == 1 && c.fail > 0 && k%c.fail == 0 {
			c.failed.Add(1)
			return i, &net.OpError{Op: "write", Net: "udp", Addr: addr, Err: syscall.ENOBUFS}
		}
		if _, err := c.Conn.WriteTo(b, addr); err != nil {
			return i, err
		}
		c.grams.Add(1)
	}
	return len(bufs), nil
}

// The pump writes runs of grams in batches where the transport takes them,
// and a gram the transport refuses inside a batch is sent again by its timer
// while the rest of the batch goes out: every memo still arrives once.
func TestSureBatchedWrites(t *testing.T) {
	mk := func(seed uint64) *lossy.Conn {
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		_ = c.(*net.UDPConn).SetReadBuffer(4 << 20)
		_ = c.(*net.UDPConn).SetWriteBuffer(4 << 20)
		return lossy.New(c, lossy.Config{Drop: 0.05, Seed: seed})
	}
	bc := &batchConn{Conn: mk(40), fail: 5}
	tx, err := New(bc, Config{Render: RenderConfig{GramSize: 1240}, SureConfig: SureConfig{GiveUp: sureGiveUp()}})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Close()
	rx, err := New(mk(41), Config{Render: RenderConfig{GramSize: 1240}})
	if err != nil {
		t.Fatal(err)
	}
	defer rx.Close()

	n := scale(100)
	sizes := sureSizes(40, n, 1, 256<<10)
	memos := make([][]byte, n)
	for i, z := range sizes {
		memos[i] = memoBytes(uint64(i), z)
	}
	ctx := ctxTimeout(t, 4*time.Minute)
	var got map[MID][]byte
	done := make(chan struct{})
	rctx, stop := context.WithCancel(ctx)
	go func() { defer close(done); got = receiveAll(rctx, t, rx) }()
	ds := sendAll(ctx, t, tx, memos, rx.LocalAddr(), SendOptions{}, 8)
	stop()
	<-done
	checkDelivered(t, memos, ds, got)
	t.Logf("%d batches, largest %d grams, %d grams, %d refused, %d WriteTo", bc.batches.Load(), bc.largest.Load(), bc.grams.Load(), bc.failed.Load(), bc.writeTos.Load())
	if bc.largest.Load() < 2 || bc.failed.Load() == 0 {
		t.Errorf("largest batch %d grams, %d refused: the batched path is untested", bc.largest.Load(), bc.failed.Load())
	}
	if bc.writeTos.Load() != 0 {
		t.Errorf("%d grams written one at a time past a BatchWriter", bc.writeTos.Load())
	}
}

// Sure over real udp peers (sendmmsg, GSO on Linux), both ends.
func TestSureOverUDPPeers(t *testing.T) {
	open := func(cfg Config) *Memoer {
		p, err := udp.Open(udp.Config{Addr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		m, err := New(p, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		return m
	}
	tx, rx := open(Config{Sure: true, SureConfig: SureConfig{GiveUp: sureGiveUp()}}), open(Config{})
	n := scale(60)
	sizes := sureSizes(50, n, 1, 512<<10)
	memos := make([][]byte, n)
	for i, z := range sizes {
		memos[i] = memoBytes(uint64(i), z)
	}
	ctx := ctxTimeout(t, 4*time.Minute)
	var got map[MID][]byte
	done := make(chan struct{})
	rctx, stop := context.WithCancel(ctx)
	go func() { defer close(done); got = receiveAll(rctx, t, rx) }()
	ds := sendAll(ctx, t, tx, memos, rx.LocalAddr(), SendOptions{}, 4)
	stop()
	<-done
	checkDelivered(t, memos, ds, got)
	if st := tx.Stats().Sure; st.MemosAcked != uint64(n) || st.InFlight != 0 {
		t.Errorf("sender: %d memos acked of %d, %d grams in flight", st.MemosAcked, n, st.InFlight)
	}
}
