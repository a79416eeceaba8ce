//go:build linux || darwin

package uxd_test

import (
	"errors"
	"runtime"
	"strconv"
	"testing"

	"github.com/memogram/memogram/transport"
)

// BenchmarkRawUXD moves b.N datagrams from one peer to another with a
// concurrent receiver: through WriteTo/ReadFrom (blocking, the netpoller
// waits) and through Send/Receive (non-blocking, both sides retry on
// ErrWouldBlock). Unix datagrams are not lost, and the receiver checks that
// it got every one.
func BenchmarkRawUXD(b *testing.B) {
	for _, size := range []int{1240, 8192, 65535} {
		for _, mode := range []string{"PacketConn", "Peer"} {
			b.Run(mode+"/"+strconv.Itoa(size), func(b *testing.B) {
				dir := shortDir(b)
				tx, rx := openAt(b, dir, "tx"), openAt(b, dir, "rx")
				if size > tx.MaxDatagramSize() {
					b.Skipf("%d bytes exceed this platform's unix datagram limit", size)
				}
				msg := make([]byte, size)
				b.SetBytes(int64(size))
				b.ReportAllocs()
				done := make(chan error, 1)
				go func() {
					buf := make([]byte, size)
					for range b.N {
						var err error
						if mode == "PacketConn" {
							_, _, err = rx.ReadFrom(buf)
						} else {
							for {
								_, _, err = rx.Receive()
								if !errors.Is(err, transport.ErrWouldBlock) {
									break
								}
								runtime.Gosched()
							}
						}
						if err != nil {
							done <- err
							return
						}
					}
					done <- nil
				}()
				b.ResetTimer()
				for range b.N {
					if mode == "PacketConn" {
						if _, err := tx.WriteTo(msg, rx.LocalAddr()); err != nil {
							b.Fatal(err)
						}
						continue
					}
					for {
						_, err := tx.Send(msg, rx.LocalAddr())
						if err == nil {
							break
						}
						if !errors.Is(err, transport.ErrWouldBlock) {
							b.Fatal(err)
						}
						runtime.Gosched()
					}
				}
				if err := <-done; err != nil {
					b.Fatal(err)
				}
			})
		}
	}
}
