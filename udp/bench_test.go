package udp_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// BenchmarkRawUDP moves b.N datagrams of hio's gram size over IPv4
// loopback with a concurrent receiver: through WriteTo/ReadFrom and through
// Send/Receive (non-blocking, retried on ErrWouldBlock). UDP drops what the
// receive buffer cannot hold, so the sender keeps at most a window of
// datagrams in flight; the receiver checks the sequence numbers, so a loss
// fails the benchmark instead of inflating it.
func BenchmarkRawUDP(b *testing.B) {
	const size, window = udp.MaxGramSize, 64
	for _, mode := range []string{"PacketConn", "Peer"} {
		b.Run(fmt.Sprintf("%s/%d", mode, size), func(b *testing.B) {
			tx := open(b, udp.Config{Addr: "127.0.0.1:0"})
			rx := open(b, udp.Config{Addr: "127.0.0.1:0"})
			// A safety net against a lost datagram hanging the run.
			if err := rx.SetReadDeadline(time.Now().Add(time.Minute)); err != nil {
				b.Fatal(err)
			}
			var got atomic.Int64
			done := make(chan error, 1)
			go func() {
				buf := make([]byte, size)
				for i := range b.N {
					var data []byte
					var err error
					if mode == "PacketConn" {
						var n int
						n, _, err = rx.ReadFrom(buf)
						data = buf[:n]
					} else {
						for {
							data, _, err = rx.Receive()
							if !errors.Is(err, transport.ErrWouldBlock) {
								break
							}
							runtime.Gosched()
						}
					}
					if err == nil && (len(data) != size || binary.BigEndian.Uint64(data) != uint64(i)) {
						err = fmt.Errorf("datagram %d lost or reordered", i)
					}
					if err != nil {
						done <- err
						return
					}
					got.Add(1)
				}
				done <- nil
			}()
			msg := make([]byte, size)
			dst := rx.LocalAddr()
			b.SetBytes(size)
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				for int64(i)-got.Load() >= window {
					runtime.Gosched()
				}
				binary.BigEndian.PutUint64(msg, uint64(i))
				var err error
				if mode == "PacketConn" {
					_, err = tx.WriteTo(msg, dst)
				} else {
					for {
						_, err = tx.Send(msg, dst)
						if !errors.Is(err, transport.ErrWouldBlock) {
							break
						}
						runtime.Gosched()
					}
				}
				if err != nil {
					b.Fatal(err)
				}
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
		})
	}
}
