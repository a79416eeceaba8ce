package e2e

import (
	"errors"
	"fmt"
	"net"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/wms"
)

// The faults of faults_test.go over mailslots, where a sender has no
// address of its own and carries its slot name in each zeroth gram.

func init() {
	childPeers["wms"] = func(src, dst string) (net.PacketConn, net.Addr, string, error) {
		p, err := wms.Open(wms.Config{Name: src})
		if err != nil {
			return nil, nil, "", err
		}
		return p, wms.Addr{Name: dst}, p.LocalAddr().String(), nil
	}
}

var slotSeq atomic.Int64

// slotName is a slot name unique to this process and test: slot names are
// global to the wineserver (or the Windows session).
func slotName(_ testing.TB, role string) string {
	return fmt.Sprintf(`memogram_e2e\%d\%s_%d`, os.Getpid(), role, slotSeq.Add(1))
}

func openWMS(t testing.TB, name string) *wms.Peer {
	t.Helper()
	p, err := wms.Open(wms.Config{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// As TestUXDReceiverReopenedMidMemo: the receiving slot is reopened while a
// memo is half read; the half memo is completed by the rest of its grams,
// or evicted after IdleTimeout and counted, and later memos arrive.
func TestWMSReceiverReopenedMidMemo(t *testing.T) {
	for _, abandon := range []bool{false, true} {
		name := map[bool]string{false: "completed", true: "evicted"}[abandon]
		t.Run(name, func(t *testing.T) {
			ap, bp := openWMS(t, slotName(t, "a")), openWMS(t, slotName(t, "b"))
			a := newMemoer(t, ap, memo.Config{})
			// Only the abandoned memo is to time out: a stall of the
			// machine between the halves must not evict the other.
			idle := time.Duration(0) // memo.DefaultIdleTimeout
			if abandon {
				idle = halfIdle
			}
			b := newMemoer(t, bp, memo.Config{Receive: memo.ReceiveConfig{IdleTimeout: idle}})
			in := receiving(t, b)
			ctx := ctxFor(t)

			half := binaryPayload(1, 7500)
			grams := halfGrams(t, half, ap.LocalAddr().String())
			cut := len(grams) / 2
			writeGrams(t, ap, bp.LocalAddr(), grams[:cut])
			waitStats(t, b, "read the first half", func(s memo.ReceiveStats) bool { return s.Grams == uint64(cut) })
			if err := bp.Reopen(); err != nil {
				t.Fatal(err)
			}
			if abandon {
				time.Sleep(2 * halfIdle)
			} else {
				writeGrams(t, ap, bp.LocalAddr(), grams[cut:])
				checkMemo(t, in.next(t), half, ap.LocalAddr(), "")
			}
			later := textPayload(2, 3000)
			if err := a.Send(ctx, later, bp.LocalAddr()); err != nil {
				t.Fatal(err)
			}
			checkMemo(t, in.next(t), later, ap.LocalAddr(), "")
			in.quiet(t)
			s := b.Stats().Receive
			wantEvicted, wantMemos := uint64(0), uint64(2)
			if abandon {
				wantEvicted, wantMemos = 1, 1
			}
			if s.EvictedIdle != wantEvicted || s.Memos != wantMemos || s.EvictedPressure != 0 || s.Rejected != (memo.RejectStats{}) {
				t.Fatalf("receiver stats %+v; want %d evicted idle, %d memos, nothing rejected", s, wantEvicted, wantMemos)
			}
		})
	}
}

// As TestUXDSenderKilledMidMemo, with a child process writing to a slot.
func TestWMSSenderKilledMidMemo(t *testing.T) {
	bp := openWMS(t, slotName(t, "b"))
	b := newMemoer(t, bp, memo.Config{Receive: memo.ReceiveConfig{IdleTimeout: halfIdle}})
	in := receiving(t, b)
	cmd, sent := startHalfSender(t, "wms", slotName(t, "child"), bp.LocalAddr().String())
	waitStats(t, b, "read the child's grams", func(s memo.ReceiveStats) bool { return s.Grams == uint64(sent) })
	killSender(t, cmd)
	time.Sleep(2 * halfIdle)
	if s := b.Stats().Receive; s.EvictedIdle != 0 || s.Memos != 0 {
		t.Fatalf("before any later gram: %+v; want the half memo held, not delivered", s)
	}
	cp := openWMS(t, slotName(t, "c"))
	c := newMemoer(t, cp, memo.Config{})
	valid := textPayload(4, 5000)
	if err := c.Send(ctxFor(t), valid, bp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	checkMemo(t, in.next(t), valid, cp.LocalAddr(), "")
	in.quiet(t)
	s := b.Stats().Receive
	if s.EvictedIdle != 1 || s.Memos != 1 || s.EvictedPressure != 0 || s.Rejected != (memo.RejectStats{}) {
		t.Fatalf("receiver stats %+v; want the half memo evicted idle, one memo delivered", s)
	}
}

// The receiving slot is closed between two memos: Send says so
// (transport.ErrNoDestination, a *net.OpError of the write to the slot),
// and once the slot is created again under its name memos arrive.
func TestWMSDestinationRemovedBetweenSends(t *testing.T) {
	ap, bp := openWMS(t, slotName(t, "a")), openWMS(t, slotName(t, "b"))
	a := newMemoer(t, ap, memo.Config{})
	b := newMemoer(t, bp, memo.Config{})
	in := receiving(t, b)
	ctx := ctxFor(t)
	first := textPayload(5, 4000)
	if err := a.Send(ctx, first, bp.LocalAddr()); err != nil {
		t.Fatal(err)
	}
	checkMemo(t, in.next(t), first, ap.LocalAddr(), "")
	in.stop()
	dst := bp.LocalAddr()
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		err := a.Send(ctx, binaryPayload(uint64(i), 5000), dst)
		var op *net.OpError
		if !errors.Is(err, transport.ErrNoDestination) || !errors.As(err, &op) || op.Op != "write" || op.Addr == nil || op.Addr.String() != dst.String() {
			t.Fatalf("send to a closed slot: %#v; want transport.ErrNoDestination in a *net.OpError of write to %v", err, dst)
		}
	}
	np := openWMS(t, dst.String())
	nb := newMemoer(t, np, memo.Config{})
	in = receiving(t, nb)
	again := binaryPayload(6, 70000)
	if err := a.Send(ctx, again, dst); err != nil {
		t.Fatalf("send once the slot is back: %v", err)
	}
	checkMemo(t, in.next(t), again, ap.LocalAddr(), "")
	in.quiet(t)
	checkNoRejects(t, nb)
}
