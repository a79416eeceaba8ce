package udp_test

import (
	"encoding/binary"
	"errors"
	"runtime"
	"testing"

	"github.com/memogram/memogram/internal/dgram/dgramtest"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

// TestSharedPeer: one Peer used by several goroutines at once, with Send,
// WriteTo, Receive and ReadFrom mixed. The datagrams are few and small, far
// below the receive buffer, so loopback loses none.
func TestSharedPeer(t *testing.T) {
	tx := open(t, udp.Config{Addr: "127.0.0.1:0"})
	rx := open(t, udp.Config{Addr: "127.0.0.1:0"})
	const workers, each = 4, 50
	errs := make(chan error, workers)
	for w := range workers {
		go func() {
			for i := range each {
				msg := binary.BigEndian.AppendUint64([]byte{byte(w)}, uint64(i))
				var err error
				if w%2 == 0 {
					_, err = tx.WriteTo(msg, rx.LocalAddr())
				} else {
					for {
						_, err = tx.Send(msg, rx.LocalAddr())
						if !errors.Is(err, transport.ErrWouldBlock) {
							break
						}
						runtime.Gosched()
					}
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	seen := map[[2]uint64]bool{}
	buf := make([]byte, 16)
	for k := range workers * each {
		var data []byte
		if k%2 == 0 {
			n, _, err := rx.ReadFrom(buf)
			if err != nil {
				t.Fatal(err)
			}
			data = buf[:n]
		} else {
			data, _ = dgramtest.Receive(t, rx)
		}
		if len(data) != 9 {
			t.Fatalf("datagram of %d bytes", len(data))
		}
		key := [2]uint64{uint64(data[0]), binary.BigEndian.Uint64(data[1:])}
		if seen[key] || key[0] >= workers || key[1] >= each {
			t.Fatalf("unexpected or duplicate datagram %v", key)
		}
		seen[key] = true
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
}
