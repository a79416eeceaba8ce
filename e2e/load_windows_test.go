package e2e

import (
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/wms"
)

// loadMemosUDP is the memos each UDP load sender sends on Windows. The CI
// runs this suite under Wine, where Sure delivery over UDP loopback moves
// about 10 MiB/s on two cores (8 × 1,000 memos in about 22 s; mailslots
// take 8 × 10,000 in about 15 s). MEMOGRAM_LOAD_MEMOS sets any count; the
// log line says what ran.
const loadMemosUDP = 1000

// Eight mailslot senders into one slot: nothing lost, altered or repeated.
// Mailslot writes are not acked, but on one machine a write is refused only
// when the slot is gone; under Wine a writer blocks while the slot's queue is
// full (docs/mailslots.md §8 #5). So no loss is excused.
func TestLoadWMS(t *testing.T) {
	n := loadMemos(t, loadMemosDefault)
	bp := openWMS(t, slotName(t, "rx"))
	rx := newMemoer(t, bp, memo.Config{})
	senders := make([]loadSender, loadSenders)
	for i := range senders {
		p, err := wms.Open(wms.Config{Name: slotName(t, "tx")})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		senders[i] = loadSender{newMemoer(t, p, memo.Config{}), plainSend}
	}
	r := runLoad(t, senders, rx, bp.LocalAddr(), n, false)
	r.report(t, "wms", n)
	r.checkLossless(t, rx)
}
