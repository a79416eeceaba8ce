package e2e

import (
	"context"
	"fmt"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/udp"
	"github.com/memogram/memogram/uxd"
)

var benchSizes = []int{100, 10_000, 1 << 20}

// benchPair is one transport measured two ways in the same run: memos
// through two Memoers, and the same bytes as plain datagrams of the gram
// size between two plain sockets of the same kind.
type benchPair struct {
	tx, rx       *memo.Memoer
	rawTx, rawRx net.PacketConn
	gram         int // the raw datagram size: the memo layer's gram size
}

// benchMemoVsRaw moves one memo of size bytes per iteration through the
// memo layer, then the same bytes through the raw sockets, each time until
// the receiving goroutine has it all, so that the two never compete for
// the CPU and each is timed by its own clock. It reports both throughputs
// and memo/raw, the share of the transport's speed the memo layer keeps.
func benchMemoVsRaw(b *testing.B, p benchPair, size int) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	memoGot, rawGot := make(chan error, 1), make(chan error, 1)
	go func() {
		for {
			m, err := p.rx.Receive(ctx)
			if err == nil && len(m.Data) != size {
				err = fmt.Errorf("memo of %d bytes, want %d", len(m.Data), size)
			}
			// The raw side reads into one reused buffer; hand the memo's
			// back too, as an application done with it would.
			p.rx.Recycle(m.Data)
			if ctx.Err() != nil {
				return
			}
			memoGot <- err
		}
	}()
	chunks := (size + p.gram - 1) / p.gram
	go func() {
		buf := make([]byte, 1<<16)
		for {
			var err error
			for range chunks {
				if _, _, err = p.rawRx.ReadFrom(buf); err != nil {
					break
				}
			}
			if ctx.Err() != nil {
				return
			}
			rawGot <- err
		}
	}()
	data := binaryPayload(uint64(size), size)
	dst, rawDst := p.rx.LocalAddr(), p.rawRx.LocalAddr()
	wait := func(got chan error) {
		select {
		case err := <-got:
			if err != nil {
				b.Fatal(err)
			}
		case <-time.After(patience):
			b.Fatal("nothing arrived: lost?")
		}
	}
	var memoTime, rawTime time.Duration
	n := 0
	for b.Loop() {
		t0 := time.Now()
		if err := p.tx.Send(ctx, data, dst); err != nil {
			b.Fatal(err)
		}
		wait(memoGot)
		t1 := time.Now()
		for off := 0; off < size; off += p.gram {
			if _, err := p.rawTx.WriteTo(data[off:min(size, off+p.gram)], rawDst); err != nil {
				b.Fatal(err)
			}
		}
		wait(rawGot)
		memoTime, rawTime = memoTime+t1.Sub(t0), rawTime+time.Since(t1)
		n++
	}
	memoMBps := float64(n*size) / 1e6 / memoTime.Seconds()
	rawMBps := float64(n*size) / 1e6 / rawTime.Seconds()
	b.ReportMetric(memoMBps, "memo-MB/s")
	b.ReportMetric(rawMBps, "raw-MB/s")
	b.ReportMetric(memoMBps/rawMBps, "memo/raw")
}

func benchCases(b *testing.B, run func(b *testing.B, size int, s *memo.Signer)) {
	sB := signer(b, seedB, memo.VIDB)
	for _, size := range benchSizes {
		for _, s := range []*memo.Signer{nil, sB} {
			signed := "unsigned"
			if s != nil {
				signed = "signed"
			}
			b.Run(fmt.Sprintf("%s/%s", sizeName(size), signed), func(b *testing.B) { run(b, size, s) })
		}
	}
}

// BenchmarkUXD: the memo layer over uxd Peers at hio's 65535-byte grams
// against plain unix datagram sockets, with a receiver as slow or fast as a
// kernel queue of net.unix.max_dgram_qlen datagrams lets it be.
func BenchmarkUXD(b *testing.B) {
	benchCases(b, func(b *testing.B, size int, s *memo.Signer) {
		dir := uxdDir(b)
		ap := openUXD(b, uxd.Config{Path: filepath.Join(dir, "a.uxd")})
		bp := openUXD(b, uxd.Config{Path: filepath.Join(dir, "b.uxd")})
		p := benchPair{
			tx: newMemoer(b, ap, memo.Config{Render: memo.RenderConfig{Signer: s}}),
			rx: newMemoer(b, bp, memo.Config{Receive: memo.ReceiveConfig{Authic: s != nil}}),
		}
		p.gram = p.tx.Renderer().GramSize()
		for i, c := range []*net.PacketConn{&p.rawTx, &p.rawRx} {
			conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: filepath.Join(dir, fmt.Sprintf("raw%d.uxd", i)), Net: "unixgram"})
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { conn.Close() })
			*c = conn
		}
		benchMemoVsRaw(b, p, size)
	})
}

// BenchmarkUDP: the memo layer over udp Peers against plain UDP sockets on
// IPv4 loopback, at hio's 1240-byte grams and at 65000-byte ones. Both are
// paced alike (see pacer), so that a loss stops the run instead of
// flattering it.
func BenchmarkUDP(b *testing.B) {
	for _, gram := range []int{udp.MaxGramSize, 65000} {
		b.Run(fmt.Sprintf("gram=%d", gram), func(b *testing.B) {
			benchCases(b, func(b *testing.B, size int, s *memo.Signer) {
				cfg := udp.Config{Addr: "127.0.0.1:0", BufSize: udpBufSize, MaxDatagramSize: gram}
				ap, bp := openUDP(b, cfg), openUDP(b, cfg)
				mp, rp := newPacer(bp, gram), newPacer(bp, gram)
				p := benchPair{
					// The test's window paces both sides alike; memo's own pacing is off.
					tx:   newMemoer(b, &pacedTx{PacketConn: ap, p: mp, max: gram}, memo.Config{Render: memo.RenderConfig{Signer: s}, Pace: memo.Pace{Rate: -1}}),
					rx:   newMemoer(b, &pacedRx{PacketConn: bp, p: mp}, memo.Config{Receive: memo.ReceiveConfig{Authic: s != nil}}),
					gram: gram,
				}
				var raw [2]*net.UDPConn
				for i := range raw {
					c, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
					if err != nil {
						b.Fatal(err)
					}
					b.Cleanup(func() { c.Close() })
					// Like udp.Open, asking what the kernel may cap.
					_ = c.SetReadBuffer(udpBufSize)
					_ = c.SetWriteBuffer(udpBufSize)
					raw[i] = c
				}
				p.rawTx = &pacedTx{PacketConn: raw[0], p: rp, max: gram}
				p.rawRx = &pacedRx{PacketConn: raw[1], p: rp}
				benchMemoVsRaw(b, p, size)
			})
		})
	}
}
