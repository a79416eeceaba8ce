package e2e

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// A plain hio receiver fuses Sure grams as ordinary memos and never acks
// (hio defines the ack codes but gives them no behaviour). The memogram
// sender then resends what it takes for lost, and gives up after its
// give-up time with ErrNotDelivered, though the memos arrived — hio, which
// keeps no memory of completed memos, delivers each resent copy again.
// docs/sure.md says so; this is the proof against the real hio, which must
// not crash on the Sure grams either.
func TestHioSureReceiverNeverAcks(t *testing.T) {
	needHio(t)
	sB := signer(t, seedB, memo.VIDB)
	for _, c := range []struct {
		name string
		opts memo.SendOptions
		recv []string
		vid  string
	}{
		{"unsigned", memo.SendOptions{}, nil, ""},
		{"signed-B", memo.SendOptions{Signer: sB}, []string{"--signed"}, sB.VID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			memos := []string{"sure, says memogram", string(textPayload(7, 150_000))}
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			p := startHio(t, append([]string{"-q", "recv", "--path", hioPath, "--count", "0", "--timeout", "4"}, c.recv...)...)
			waitSocket(t, hioPath)
			const giveUp = 700 * time.Millisecond
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{SureConfig: memo.SureConfig{GiveUp: giveUp}})
			ctx := ctxFor(t)
			for _, s := range memos {
				start := time.Now()
				d, err := m.SendSure(ctx, []byte(s), unixAddr(hioPath), c.opts)
				if !errors.Is(err, memo.ErrNotDelivered) {
					t.Fatalf("SendSure to hio: %v (delivery %+v), want ErrNotDelivered", err, d)
				}
				var nd *memo.NotDeliveredError
				if !errors.As(err, &nd) || nd.Dst == nil || nd.Dst.String() != hioPath {
					t.Fatalf("error %v does not name the destination %s", err, hioPath)
				}
				if took := time.Since(start); took < giveUp {
					t.Fatalf("gave up after %v, before the give-up time %v", took, giveUp)
				}
			}
			r := p.wait(t)
			if r.Code != 0 {
				t.Fatalf("hiopeer recv: exit %d, events %v", r.Code, r.Events)
			}
			copies := make(map[string]int)
			for _, got := range r.Memos {
				i := 0
				if got.Memo != memos[0] {
					i = 1
				}
				checkHioMemo(t, got, memos[i], goPath, c.vid)
				copies[got.Memo]++
			}
			for i, s := range memos {
				if copies[s] == 0 {
					t.Fatalf("memo %d (%d bytes) never reached hio", i, len(s))
				}
			}
			t.Logf("hio delivered %d copies of %d memos (it keeps no memory of completed memos)", len(r.Memos), len(memos))
			if st := m.Stats().Sure; st.MemosFailed != 2 || st.AcksReceived != 0 || st.InFlight != 0 {
				t.Fatalf("sender stats %+v", st)
			}
		})
	}
}
