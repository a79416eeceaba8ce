//go:build linux || darwin

package uxd_test

import (
	"testing"

	"github.com/memogram/memogram/internal/hostiletest"
	"github.com/memogram/memogram/memo"
)

// TestHostileInput runs the hostile-input suite over real unix datagram
// sockets: raw garbage from one socket, a valid memo from another.
func TestHostileInput(t *testing.T) {
	dir := shortDir(t)
	rp, raw, tp := openAt(t, dir, "rx"), openAt(t, dir, "raw"), openAt(t, dir, "tx")
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
