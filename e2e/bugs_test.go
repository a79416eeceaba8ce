package e2e

import (
	"bytes"
	"net"
	"testing"

	"github.com/memogram/memogram/memo"
)

func renderWith(t *testing.T, cfg memo.RenderConfig, midHex string, data []byte) [][]byte {
	t.Helper()
	mids, err := memo.FixedMID(midHex)
	if err != nil {
		t.Fatal(err)
	}
	cfg.MIDs = mids
	r, err := memo.NewRenderer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	grams, err := r.Render(data)
	if err != nil {
		t.Fatal(err)
	}
	return grams
}

// The later grams of a signed memo must verify under the key of that memo's
// own zeroth gram, whatever other signed memos arrive in between. Memo x (key
// 1, two grams) is interleaved with memo y (key 2) from the same sender;
// "forged" adds a later gram for x's mid signed with key 2.
//
// Found by TestUXDManySenders with distinct keys: a pending B-vid memo's key
// aliased the reassembler's parse buffer, so each later signed zeroth gram
// replaced it; genuine later grams were held until eviction and forged ones
// accepted.
func TestSignedLaterGramsKeepTheirMemosKey(t *testing.T) {
	k1, k2 := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDB) // two B keys
	x := textPayload(1, 200)
	forged := bytes.Repeat([]byte("F"), len(x))
	const midX, midY, midEnd = "00112233445566778899aabbccddeeff", "0102030405060708090a0b0c0d0e0f10", "ffeeddccbbaa99887766554433221100"
	xg := renderWith(t, memo.RenderConfig{GramSize: 300, Signer: k1}, midX, x)
	fg := renderWith(t, memo.RenderConfig{GramSize: 300, Signer: k2}, midX, forged)
	yg := renderWith(t, memo.RenderConfig{Signer: k2}, midY, []byte("y"))
	endg := renderWith(t, memo.RenderConfig{Signer: k1}, midEnd, []byte("end"))
	if len(xg) != 2 || len(fg) != 2 || len(yg) != 1 {
		t.Fatalf("grams: x %d, forged %d, y %d", len(xg), len(fg), len(yg))
	}
	for _, c := range []struct {
		name  string
		grams [][]byte
	}{
		{"genuine", [][]byte{xg[0], yg[0], xg[1], endg[0]}},
		{"forged", [][]byte{xg[0], yg[0], fg[1], xg[1], endg[0]}},
	} {
		t.Run(c.name, func(t *testing.T) {
			rc, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			rx := newMemoer(t, rc, memo.Config{Receive: memo.ReceiveConfig{Authic: true}})
			in := receiving(t, rx)
			tx, err := net.ListenPacket("udp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer tx.Close()
			// One socket, so loopback keeps the order; the final memo
			// arrives after x completed or never would.
			for _, g := range c.grams {
				if _, err := tx.WriteTo(g, rc.LocalAddr()); err != nil {
					t.Fatal(err)
				}
			}
			checkMemo(t, in.next(t), []byte("y"), tx.LocalAddr(), k2.VID())
			got := in.next(t)
			if string(got.Data) == "end" {
				t.Fatalf("memo x never completed: receiver stats %+v", rx.Stats().Receive)
			}
			checkMemo(t, got, x, tx.LocalAddr(), k1.VID())
			checkMemo(t, in.next(t), []byte("end"), tx.LocalAddr(), k1.VID())
		})
	}
}
