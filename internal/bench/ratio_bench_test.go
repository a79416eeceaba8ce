package bench

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/memogram/memogram/udp"
)

// BenchmarkRatio runs Measure once per b.N round and reports the ratios a
// `memogram bench` run prints, so that `go test -bench` keeps them visible:
// ratio (memo bytes/s ÷ raw bytes/s, same kernel path), dgram-ratio (memo
// grams/s ÷ raw datagrams/s) and, signed,
// ceiling-ratio (memo grams/s ÷ the Ed25519 ceiling of this machine).
// Over UDP on loopback; the cmd/memogram bench covers uxd and mailslots.
func BenchmarkRatio(b *testing.B) {
	for _, c := range []struct {
		size   int
		signed bool
		buf    int // socket buffers of both layers; 0: hio's default
	}{{1 << 20, false, 0}, {1 << 20, false, 4 << 20}, {100, false, 0}, {1 << 20, true, 0}, {64 << 10, true, 0}} {
		name := fmt.Sprintf("udp/%s/size=%d", signedText(c.signed), c.size)
		if c.buf > 0 {
			// Room for a second 1 MiB memo in flight (the window is a
			// quarter of the receive buffer; docs/PERFORMANCE.md).
			name += fmt.Sprintf("/buffer=%d", c.buf)
		}
		b.Run(name, func(b *testing.B) {
			spec := Spec{Transport: "udp", Size: c.size, Signed: c.signed, Duration: time.Second,
				Open: func(string) (net.PacketConn, error) {
					if c.buf == 0 {
						return openUDP("")
					}
					return udp.Open(udp.Config{Addr: "127.0.0.1:0", BufCount: -1, BufSize: c.buf})
				}}
			var raw, mem, grams, ceil, dgrams float64
			for b.Loop() {
				p, err := Measure(context.Background(), spec, nil)
				if err != nil {
					b.Fatal(err)
				}
				raw += p.RawBytesPerS()
				dgrams += p.RawDgramsPerS()
				mem += p.MemoBytesPerS()
				grams += p.MemoGramsPerS()
				ceil += p.Crypto.Ceiling()
			}
			b.ReportMetric(mem/raw, "ratio")
			b.ReportMetric(grams/dgrams, "dgram-ratio")
			b.ReportMetric(mem/float64(b.N)/1e6, "memo-MB/s")
			b.ReportMetric(raw/float64(b.N)/1e6, "raw-MB/s")
			if c.signed {
				b.ReportMetric(grams/ceil, "ceiling-ratio")
			}
		})
	}
}

// BenchmarkBatchGain measures the memo layer over UDP with and without the
// batch path, by turns in one run, and reports batch-gain: memo bytes/s
// batched (sendmmsg/recvmmsg) ÷ memo bytes/s one datagram per call, at
// 1 MiB memos and the default 1,240-byte grams (issue 12's "≥ 3×").
func BenchmarkBatchGain(b *testing.B) {
	var batched, unbatched float64
	for b.Loop() {
		for _, off := range []bool{false, true} {
			spec := Spec{Transport: "udp", Size: 1 << 20, Duration: time.Second, Unbatched: off,
				Open: func(string) (net.PacketConn, error) { return openUDP("") }}
			p, err := Measure(context.Background(), spec, nil)
			if err != nil {
				b.Fatal(err)
			}
			if p.Batched == off {
				b.Fatalf("Unbatched %v measured batched %v", off, p.Batched)
			}
			if off {
				unbatched += p.MemoBytesPerS()
			} else {
				batched += p.MemoBytesPerS()
			}
		}
	}
	b.ReportMetric(batched/unbatched, "batch-gain")
	b.ReportMetric(batched/float64(b.N)/1e6, "batched-MB/s")
	b.ReportMetric(unbatched/float64(b.N)/1e6, "unbatched-MB/s")
}
