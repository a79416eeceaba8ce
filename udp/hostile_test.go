package udp_test

import (
	"testing"

	"github.com/memogram/memogram/internal/hostiletest"
	"github.com/memogram/memogram/memo"
)

// TestHostileInput runs the hostile-input suite over real UDP sockets on
// the loopback: raw garbage from one socket, up to the largest datagram a
// receiver reads, and a valid memo from another.
func TestHostileInput(t *testing.T) {
	rp := openLoop(t, "127.0.0.1:0", 0)
	raw := openLoop(t, "127.0.0.1:0", 65507) // the IPv4 limit, below udp.MaxReceiveSize
	tp := openLoop(t, "127.0.0.1:0", 0)
	rx, err := memo.New(rp, memo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rx.Close() })
	tx, err := memo.New(tp, memo.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tx.Close() })
	addr := rp.LocalAddr()
	hostiletest.Run(t, &hostiletest.Env{
		Rx: rx, RxAddr: addr, Tx: tx,
		Raw:         func(b []byte) error { _, err := raw.WriteTo(b, addr); return err },
		MaxDatagram: raw.MaxDatagramSize(),
	})
}
