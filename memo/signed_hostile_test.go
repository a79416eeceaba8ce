package memo

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"testing"
)

// Signed mode against a hostile sender: each forgery is dropped, counted in
// ReceiveStats.Rejected under its reason, and the genuine memo (and a fresh
// one afterwards) still arrives with the signer's vid. The whole-memo replay
// inside and past ReplayWindow is TestSignedMemoReplayedFromAnotherSourceDeliveredOnce
// (replay_test.go) and, over sockets, TestSignedMemoReplayedFromAnotherSocket.

// hostileMemo is long enough for 4 signed text grams of 200 bytes.
var hostileMemo = bytes.Repeat([]byte("pay bob 10; "), 20)

const (
	midOld = "00112233445566778899aabbccddeeff"
	midNew = "ffeeddccbbaa99887766554433221100"
)

// signedGrams renders memo under signer with the fixed mid midHex (random
// when ""), in grams of size bytes (0: one gram).
func signedGrams(t *testing.T, signer *Signer, midHex string, size int, memo []byte) [][]byte {
	t.Helper()
	cfg := RenderConfig{Signer: signer, GramSize: size}
	if midHex != "" {
		cfg.MIDs, _ = FixedMID(midHex)
	}
	return renderMemo(t, cfg, memo)
}

// feed adds grams from src and returns the memos completed and the errors.
func feed(rx *Reassembler, src net.Addr, grams ...[]byte) ([]Memo, []error) {
	var memos []Memo
	var errs []error
	for _, g := range grams {
		m, ok, err := rx.Add(g, src)
		if ok {
			memos = append(memos, m)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return memos, errs
}

// wantOneMemo fails unless memos is exactly one memo of data under vid.
func wantOneMemo(t *testing.T, what string, memos []Memo, data []byte, vid string) {
	t.Helper()
	if len(memos) != 1 || !bytes.Equal(memos[0].Data, data) || memos[0].VID != vid {
		t.Fatalf("%s: delivered %d memos %+v, want one of %d bytes under %s", what, len(memos), memos, len(data), vid)
	}
}

// stillReceives checks that a fresh signed memo is delivered after the attack.
func stillReceives(t *testing.T, rx *Reassembler, signer *Signer) {
	t.Helper()
	data := []byte(fmt.Sprint("still alive after ", rx.Stats().Rejected))
	memos, errs := feed(rx, testAddr("alice"), signedGrams(t, signer, "", 200, data)...)
	if len(errs) != 0 {
		t.Fatalf("fresh memo: %v", errs)
	}
	wantOneMemo(t, "fresh memo after the attack", memos, data, signer.VID())
}

// flip returns a copy of g with the byte at i changed to another base64url
// character (text form), so the gram stays well-formed.
func flip(g []byte, i int) []byte {
	c := bytes.Clone(g)
	if c[i] == 'A' {
		c[i] = 'B'
	} else {
		c[i] = 'A'
	}
	return c
}

func TestSignedHostileForgedSignature(t *testing.T) {
	alice := mustSignerSeed(t, 21)
	grams := signedGrams(t, alice, midOld, 200, hostileMemo)
	if len(grams) < 3 {
		t.Fatalf("%d grams, want at least 3", len(grams))
	}
	sigAt := func(g []byte) int { return len(g) - 40 } // inside the 88-character "0B…" signature
	bodyAt := func(g []byte) int { return len(g) - 88 - 5 }
	for _, tc := range []struct {
		name string
		gram func() []byte
	}{
		{"zeroth gram, signature changed", func() []byte { return flip(grams[0], sigAt(grams[0])) }},
		{"zeroth gram, body changed", func() []byte { return flip(grams[0], bodyAt(grams[0])) }},
		{"later gram, signature changed", func() []byte { return flip(grams[1], sigAt(grams[1])) }},
		{"later gram, body changed", func() []byte { return flip(grams[1], bodyAt(grams[1])) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rx := NewReassembler(ReceiveConfig{})
			forged := tc.gram()
			var g Gram
			if err := ParseGram(forged, &g); err != nil {
				t.Fatalf("the forgery must be well-formed to test the signature: %v", err)
			}
			// The forgery first, so that first-copy-wins cannot save the memo.
			memos, errs := feed(rx, testAddr("alice"), forged)
			if g.Code.Zeroth() && (len(errs) != 1 || !errors.Is(errs[0], ErrBadSignature)) {
				t.Fatalf("forged zeroth gram: %v", errs)
			}
			more, errs2 := feed(rx, testAddr("alice"), grams...)
			if len(errs2) != 0 {
				t.Fatalf("genuine grams after the forgery: %v", errs2)
			}
			wantOneMemo(t, "genuine memo", append(memos, more...), hostileMemo, alice.VID())
			// A forged later gram is held (X2: its zeroth gram might still be
			// coming) and counted as a bad signature once no signer of its mid
			// verified it.
			if st := rx.Stats(); st.Rejected.BadSignature != 1 || st.Memos != 1 {
				t.Fatalf("stats %+v, want one BadSignature", st)
			}
			stillReceives(t, rx, alice)
		})
	}
}

// X1: an unsigned gram never joins a signed memo, on a non-authic receiver
// too; an authic receiver refuses it before looking at its mid.
func TestSignedHostileUnsignedGramInSignedMemo(t *testing.T) {
	alice := mustSignerSeed(t, 22)
	grams := signedGrams(t, alice, midOld, 200, hostileMemo)
	mids, _ := FixedMID(midOld)
	plain, err := NewRenderer(RenderConfig{MIDs: mids, GramSize: 40})
	if err != nil {
		t.Fatal(err)
	}
	unsigned, _ := plain.Render(bytes.Repeat([]byte("FORGED "), 20))
	for _, authic := range []bool{false, true} {
		t.Run(fmt.Sprint("authic=", authic), func(t *testing.T) {
			rx := NewReassembler(ReceiveConfig{Authic: authic})
			m0, errs := feed(rx, testAddr("alice"), grams[0])
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			// Unsigned later grams under the signed memo's (source, mid).
			_, errs = feed(rx, testAddr("alice"), unsigned[1], unsigned[2])
			if len(errs) != 2 || !errors.Is(errs[0], ErrNotSigned) || !errors.Is(errs[1], ErrNotSigned) {
				t.Fatalf("unsigned grams in a signed memo: %v", errs)
			}
			m1, errs := feed(rx, testAddr("alice"), grams[1:]...)
			if len(errs) != 0 {
				t.Fatal(errs)
			}
			wantOneMemo(t, "genuine memo", append(m0, m1...), hostileMemo, alice.VID())
			if st := rx.Stats(); st.Rejected.NotSigned != 2 || st.Memos != 1 {
				t.Fatalf("stats %+v, want 2 NotSigned", st)
			}
			stillReceives(t, rx, alice)
		})
	}
}

// A gram signed by another vid under the same (source, mid) does not join:
// later grams carry no vid and are verified under the memo's signer.
func TestSignedHostileOtherVIDSameMID(t *testing.T) {
	alice, mallory := mustSignerSeed(t, 23), mustSignerSeed(t, 24)
	grams := signedGrams(t, alice, midOld, 200, hostileMemo)
	evil := signedGrams(t, mallory, midOld, 200, bytes.Repeat([]byte("pay eve 99; "), 20))
	rx := NewReassembler(ReceiveConfig{Authic: true})
	src := testAddr("alice")
	m0, errs := feed(rx, src, grams[0], evil[1], evil[2])
	if len(errs) != 0 {
		t.Fatalf("mallory's later grams are held, not refused outright (X2): %v", errs)
	}
	m1, errs := feed(rx, src, grams[1:]...)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	wantOneMemo(t, "alice's memo", append(m0, m1...), hostileMemo, alice.VID())
	if st := rx.Stats(); st.Rejected.BadSignature != 2 {
		t.Fatalf("stats %+v, want 2 BadSignature for mallory's grams", st)
	}
	stillReceives(t, rx, alice)
}

// A gram of an old memo cannot be moved into a new one by the same signer:
// the signature covers the mid. Unchanged, it belongs to the old memo,
// already delivered, and is dropped as late.
func TestSignedHostileGramFromOldMemo(t *testing.T) {
	alice := mustSignerSeed(t, 25)
	old := signedGrams(t, alice, midOld, 200, bytes.Repeat([]byte("pay bob 1; "), 20))
	newer := signedGrams(t, alice, midNew, 200, hostileMemo)
	var g Gram
	if err := ParseGram(old[1], &g); err != nil {
		t.Fatal(err)
	}
	oldMID, newMID := g.MID.String(), ""
	if err := ParseGram(newer[0], &g); err != nil {
		t.Fatal(err)
	}
	newMID = g.MID.String()
	moved := bytes.Replace(old[1], []byte(oldMID), []byte(newMID), 1)
	if bytes.Equal(moved, old[1]) {
		t.Fatal("mid not found in the gram")
	}
	rx := NewReassembler(ReceiveConfig{})
	src := testAddr("alice")
	if memos, errs := feed(rx, src, old...); len(errs) != 0 || len(memos) != 1 {
		t.Fatalf("old memo: %d %v", len(memos), errs)
	}
	m0, errs := feed(rx, src, newer[0], moved)
	if len(errs) != 0 {
		t.Fatalf("the moved gram is held until no signer verifies it: %v", errs)
	}
	_, errs = feed(rx, src, old[1])
	if len(errs) != 1 || !errors.Is(errs[0], ErrLateGram) {
		t.Fatalf("old gram unchanged: %v", errs)
	}
	m1, errs := feed(rx, src, newer[1:]...)
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	wantOneMemo(t, "new memo", append(m0, m1...), hostileMemo, alice.VID())
	if st := rx.Stats(); st.Rejected.BadSignature != 1 || st.Rejected.Late != 1 || st.Memos != 2 {
		t.Fatalf("stats %+v, want 1 BadSignature and 1 Late", st)
	}
	stillReceives(t, rx, alice)
}

// A signed source gram (sAAC) whose carried source is changed fails its
// signature, which covers the source; the genuine gram is then delivered
// with its source.
//
// An unsigned source gram (sAAA) cannot prevent this: anyone who can write
// to the receiver can claim any source, and the receiver reports what the
// gram carries (shown below). Only a signature (or an authic receiver, which
// refuses unsigned grams) binds the source to a sender.
func TestSignedHostileSpoofedSource(t *testing.T) {
	alice := mustSignerSeed(t, 26)
	r, err := NewRenderer(RenderConfig{Signer: alice, Source: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	grams, _ := r.Render([]byte("from alpha"))
	spoof := func(g []byte) []byte {
		s := bytes.Replace(g, encodeQuads(nil, []byte("alp")), encodeQuads(nil, []byte("zlp")), 1)
		if bytes.Equal(s, g) {
			t.Fatal("source not found in the gram")
		}
		return s
	}
	rx := NewReassembler(ReceiveConfig{})
	_, errs := feed(rx, nil, spoof(grams[0]))
	if len(errs) != 1 || !errors.Is(errs[0], ErrBadSignature) {
		t.Fatalf("spoofed signed source: %v", errs)
	}
	memos, errs := feed(rx, nil, grams[0])
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	wantOneMemo(t, "genuine", memos, []byte("from alpha"), alice.VID())
	if memos[0].Src == nil || memos[0].Src.String() != "alpha" {
		t.Fatalf("source %v, want alpha", memos[0].Src)
	}
	if st := rx.Stats(); st.Rejected.BadSignature != 1 {
		t.Fatalf("stats %+v", st)
	}

	// The unsigned limitation: the spoofed source is reported as given.
	u, _ := NewRenderer(RenderConfig{Source: "alpha"})
	ug, _ := u.Render([]byte("claims alpha"))
	memos, errs = feed(rx, nil, spoof(ug[0]))
	if len(errs) != 0 || len(memos) != 1 || memos[0].Src.String() != "zlpha" || memos[0].VID != "" {
		t.Fatalf("unsigned spoofed source: %+v %v (documented: delivered as claimed, unsigned)", memos, errs)
	}
	stillReceives(t, rx, alice)
}
