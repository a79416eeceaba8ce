// Package dgramtest holds the test helpers that the uxd and udp tests
// share; only tests import it.
package dgramtest

import (
	"errors"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
)

// Receive polls p.Receive until a datagram arrives; Receive itself never
// waits.
func Receive(t testing.TB, p transport.Peer) ([]byte, net.Addr) {
	t.Helper()
	for {
		data, src, err := p.Receive()
		if errors.Is(err, transport.ErrWouldBlock) {
			runtime.Gosched()
			continue
		}
		if err != nil {
			t.Fatalf("Receive: %v", err)
		}
		return data, src
	}
}

// WaitBlocked waits until n goroutines exist, so that the ones just
// started are likely parked in a blocking call. The tests are correct
// either way.
func WaitBlocked(n int) {
	for i := 0; runtime.NumGoroutine() < n && i < 1000; i++ {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(5 * time.Millisecond)
}
