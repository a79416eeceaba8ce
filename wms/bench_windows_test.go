package wms

import (
	"fmt"
	"testing"
)

// BenchmarkRawMailslot measures one-way throughput of raw mailslot messages
// between two Peers of one process: Send in the benchmark loop, a reader
// draining with ReadFrom at the same time (under Wine a writer blocks once
// about 200 KiB are unread, so the reader must keep up). "cached" keeps one
// writer handle; "per-send" opens and closes one per message, which is what
// Peers do where writer handles keep closed slots alive (Wine 8.0).
func BenchmarkRawMailslot(b *testing.B) {
	for _, size := range []int{1240, 8192, 65535} {
		for _, cached := range []bool{true, false} {
			handles := map[bool]string{true: "cached", false: "per-send"}[cached]
			b.Run(fmt.Sprintf("size=%d/handles=%s", size, handles), func(b *testing.B) {
				tx := openPeer(b, Config{})
				rx := openPeer(b, Config{})
				tx.cache = cached
				dst := rx.LocalAddr()
				data := pattern(size, 0)
				done := make(chan error, 1)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				b.ResetTimer()
				go func() {
					buf := make([]byte, size)
					for range b.N {
						if _, _, err := rx.ReadFrom(buf); err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
				for range b.N {
					if _, err := tx.Send(data, dst); err != nil {
						b.Fatal(err)
					}
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
