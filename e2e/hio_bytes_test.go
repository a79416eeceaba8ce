package e2e

import (
	"bytes"
	"encoding/hex"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

// hio renders a memo (send --show-grams), and memogram's Renderer, given
// hio's mid and the same settings, renders the very same bytes: text and
// curt heads, hio's under-filled later curt grams (S2), every signed vid code
// (Ed25519 signatures are deterministic) and the Sure codes. memogram's
// Memoer at the other end fuses the memo as well.
func TestRendererMatchesHioBytes(t *testing.T) {
	needHio(t)
	sB, sD, sE := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDD), signer(t, seedE, memo.VIDE)
	_, big, _ := hioSizes()
	for _, c := range []struct {
		name   string
		send   []string
		render memo.RenderConfig
		memo   string
	}{
		{"text", nil, memo.RenderConfig{}, "Hello there."},
		{"text/size-40", []string{"--size", "40"}, memo.RenderConfig{GramSize: 40}, unicodeMemo},
		{"text/200KB", nil, memo.RenderConfig{}, big},
		{"curt/size-40", []string{"--curt", "--size", "40"}, memo.RenderConfig{Form: memo.Binary, GramSize: 40}, unicodeMemo},
		{"curt/200KB", []string{"--curt"}, memo.RenderConfig{Form: memo.Binary}, big},
		{"unsigned-sure", []string{"--code", "bAAE", "--size", "50"}, memo.RenderConfig{Code: memo.CodeGramSureZero, GramSize: 50}, unicodeMemo},
		{"signed-B/size-170", []string{"--sign", seedB, "--size", "170"}, memo.RenderConfig{Signer: sB, GramSize: 170}, unicodeMemo},
		{"signed-D/curt/size-130", []string{"--sign", seedD, "--vid-code", "D", "--curt", "--size", "130"}, memo.RenderConfig{Signer: sD, Form: memo.Binary, GramSize: 130}, unicodeMemo},
		{"signed-E/200KB", []string{"--sign", seedE, "--vid-code", "E"}, memo.RenderConfig{Signer: sE}, big},
		{"signed-sure-B/curt", []string{"--sign", seedB, "--code", "bAAG", "--curt", "--size", "200"}, memo.RenderConfig{Signer: sB, Code: memo.CodeGramSureAuthZero, Form: memo.Binary, GramSize: 200}, unicodeMemo},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{Receive: memo.ReceiveConfig{Keep: keepOf(t, sD, sE)}})
			in := receiving(t, m)
			args := append([]string{"send", "--path", hioPath, "--dest", goPath, "--timeout", "120", "--show-grams"}, c.send...)
			r := runHio(t, append(args, memoFile(t, dir, "memo", []byte(c.memo)))...)
			if r.Code != 0 {
				t.Fatalf("hiopeer send: exit %d, events %.2000v", r.Code, r.Events)
			}
			hioGrams := r.grams(t, "tx-gram")
			if len(hioGrams) == 0 {
				t.Fatal("no tx-gram events")
			}
			ours := renderWith(t, c.render, midHex(t, hioGrams[0]), []byte(c.memo))
			if len(ours) != len(hioGrams) {
				t.Fatalf("memogram cut %d grams, hio %d", len(ours), len(hioGrams))
			}
			for i := range ours {
				if !bytes.Equal(ours[i], hioGrams[i]) {
					t.Fatalf("gram %d of %d differs:\nmemogram %x\nhio      %x", i, len(ours), ours[i], hioGrams[i])
				}
			}
			vid := ""
			if c.render.Signer != nil {
				vid = c.render.Signer.VID()
			}
			checkMemo(t, in.next(t), []byte(c.memo), unixAddr(hioPath), vid)
		})
	}
}

// Grams rendered by memogram with a fixed mid, replayed into hio as raw
// datagrams (inject: no Go socket code involved), are what hio receives, byte
// for byte, and hio fuses them into the memo with the signer's vid. inject's
// socket is unbound, so hio reports no source.
func TestHioParsesInjectedGrams(t *testing.T) {
	needHio(t)
	sB, sE := signer(t, seedB, memo.VIDB), signer(t, seedE, memo.VIDE)
	for i, c := range []struct {
		name   string
		render memo.RenderConfig
		recv   []string
		memo   string
	}{
		{"text/size-40", memo.RenderConfig{GramSize: 40}, nil, unicodeMemo},
		{"curt/size-40", memo.RenderConfig{Form: memo.Binary, GramSize: 40}, nil, unicodeMemo},
		// One gram with count 1, where hio would write 0 (S1).
		{"curt/Hi", memo.RenderConfig{Form: memo.Binary}, nil, "Hi"},
		{"signed-B/size-170", memo.RenderConfig{Signer: sB, GramSize: 170}, []string{"--signed"}, unicodeMemo},
		{"signed-E/curt/size-130", memo.RenderConfig{Signer: sE, Form: memo.Binary, GramSize: 130}, []string{"--signed", "--trust", seedE}, unicodeMemo},
		// One empty zeroth gram, where hio would send nothing (S3).
		{"empty", memo.RenderConfig{}, nil, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			hioPath := filepath.Join(uxdDir(t), "hio.uxd")
			grams := renderWith(t, c.render, "a1b2c3d4e5f60718293a4b5c6d7e8f9"+strconv.Itoa(i), []byte(c.memo))
			p := startHio(t, append([]string{"recv", "--path", hioPath, "--count", "1", "--timeout", "120", "--show-grams"}, c.recv...)...)
			waitSocket(t, hioPath)
			args := []string{"-q", "inject", "--dest", hioPath}
			for _, g := range grams {
				args = append(args, hex.EncodeToString(g))
			}
			if r := runHio(t, args...); r.Code != 0 {
				t.Fatalf("hiopeer inject: exit %d, events %v", r.Code, r.Events)
			}
			r := p.wait(t)
			if r.Code != 0 || len(r.Memos) != 1 {
				t.Fatalf("hiopeer recv: exit %d, memos %+v, events %v", r.Code, r.Memos, r.Events)
			}
			vid := ""
			if c.render.Signer != nil {
				vid = c.render.Signer.VID()
			}
			checkHioMemo(t, r.Memos[0], c.memo, "", vid)
			got := r.grams(t, "rx-gram")
			if len(got) != len(grams) {
				t.Fatalf("hio received %d datagrams, %d were injected", len(got), len(grams))
			}
			for i := range got {
				if !bytes.Equal(got[i], grams[i]) {
					t.Fatalf("datagram %d: hio received %x, injected %x", i, got[i], grams[i])
				}
			}
		})
	}
}

// hio's two defects at the edge of the memo, as documented differences:
// hio writes a short curt memo with gram count 0, which memogram reads as 1
// and delivers whole while hio's own receiver delivers "" (S1); and hio
// sends nothing at all for an empty memo (S3), while memogram's empty memo
// reaches hio as "" (TestHioReceivesFromGo/empty).
func TestHioEdgeDefects(t *testing.T) {
	needHio(t)
	t.Run("S1/curt-Hi", func(t *testing.T) {
		t.Parallel()
		dir := uxdDir(t)
		hioTx, goPath, hioRx := filepath.Join(dir, "tx.uxd"), filepath.Join(dir, "go.uxd"), filepath.Join(dir, "rx.uxd")
		m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{})
		in := receiving(t, m)
		if r := runHio(t, "-q", "send", "--path", hioTx, "--dest", goPath, "--timeout", "120", "--curt", "Hi"); r.Code != 0 {
			t.Fatalf("hiopeer send: exit %d, events %v", r.Code, r.Events)
		}
		checkMemo(t, in.next(t), []byte("Hi"), unixAddr(hioTx), "")
		if s := m.Stats().Receive; s.ZeroCount != 1 {
			t.Fatalf("want one gram with count 0 read as 1, stats %+v", s)
		}

		p := startHio(t, "-q", "recv", "--path", hioRx, "--count", "1", "--timeout", "120")
		waitSocket(t, hioRx)
		if r := runHio(t, "-q", "send", "--path", hioTx, "--dest", hioRx, "--timeout", "120", "--curt", "Hi"); r.Code != 0 {
			t.Fatalf("hiopeer send: exit %d, events %v", r.Code, r.Events)
		}
		r := p.wait(t)
		if r.Code != 0 || len(r.Memos) != 1 {
			t.Fatalf("hiopeer recv: exit %d, memos %+v, events %v", r.Code, r.Memos, r.Events)
		}
		checkHioMemo(t, r.Memos[0], "", hioTx, "")
	})
	t.Run("S3/empty", func(t *testing.T) {
		t.Parallel()
		dir := uxdDir(t)
		hioTx, goPath := filepath.Join(dir, "tx.uxd"), filepath.Join(dir, "go.uxd")
		m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{})
		in := receiving(t, m)
		r := runHio(t, "send", "--path", hioTx, "--dest", goPath, "--timeout", "120", "", "after")
		if r.Code != 0 {
			t.Fatalf("hiopeer send: exit %d, events %v", r.Code, r.Events)
		}
		if sent := r.event("sent"); sent == nil || sent["grams"] != 1.0 || r.event("warning") == nil {
			t.Fatalf("want one gram for two memos and a warning: events %v", r.Events)
		}
		checkMemo(t, in.next(t), []byte("after"), unixAddr(hioTx), "")
		in.quiet(t)
	})
}
