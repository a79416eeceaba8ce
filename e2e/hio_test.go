package e2e

import (
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/memogram/memogram/memo"
	"github.com/memogram/memogram/uxd"
)

const unicodeMemo = "héllo wörld — ✓ 日本語 🚀 Ωmega"

func unixAddr(path string) net.Addr { return &net.UnixAddr{Name: path, Net: "unixgram"} }

// hioSizes are UTF-8 memos: one of many small grams, and two that span
// several of hio's 65535-byte grams, as in hio's own check (verify.sh big,
// one-mb).
func hioSizes() (mid, big, huge string) {
	return string(textPayload(2, 2000)), string(textPayload(200, 200_000)), string(textPayload(1000, 1_000_000))
}

// memogram sends, hio receives: hio's PeerMemoer parses, verifies and fuses
// what memogram's Memoer cut and sent from a bound uxd socket, in every form
// hio knows, and reports memogram's path as the source and its vid.
func TestHioReceivesFromGo(t *testing.T) {
	needHio(t)
	sB, sD, sE := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDD), signer(t, seedE, memo.VIDE)
	mid, big, huge := hioSizes()
	for _, c := range []struct {
		name   string
		render memo.RenderConfig
		recv   []string
		memos  []string
		vid    string
	}{
		{"text", memo.RenderConfig{}, nil, []string{"Hello there.", unicodeMemo, big, huge}, ""},
		{"text/size-40", memo.RenderConfig{GramSize: 40}, nil, []string{unicodeMemo, mid}, ""},
		// "Hi" is a curt memo of at most 8 bytes: memogram counts it as one
		// gram where hio writes 0 and loses it (HIO-DEFECTS S1).
		{"curt", memo.RenderConfig{Form: memo.Binary}, nil, []string{"Hi", unicodeMemo, big, huge}, ""},
		{"curt/size-40", memo.RenderConfig{Form: memo.Binary, GramSize: 40}, nil, []string{"Hi", unicodeMemo, mid}, ""},
		{"signed-B/authic", memo.RenderConfig{Signer: sB}, []string{"--signed"}, []string{"Hello there.", unicodeMemo, big}, sB.VID()},
		{"signed-B/curt/size-130", memo.RenderConfig{Signer: sB, Form: memo.Binary, GramSize: 130}, []string{"--signed"}, []string{"Hi", unicodeMemo}, sB.VID()},
		{"signed-D/authic-trust", memo.RenderConfig{Signer: sD}, []string{"--signed", "--trust", seedD}, []string{unicodeMemo, huge}, sD.VID()},
		{"signed-E/curt/authic-trust", memo.RenderConfig{Signer: sE, Form: memo.Binary}, []string{"--signed", "--trust", seedE}, []string{unicodeMemo, big}, sE.VID()},
		{"signed-sure-B", memo.RenderConfig{Signer: sB, Code: memo.CodeGramSureAuthZero, GramSize: 300}, []string{"--signed"}, []string{unicodeMemo}, sB.VID()},
		// hio sends nothing for an empty memo (S3); memogram sends one
		// empty zeroth gram, which hio delivers as "".
		{"empty", memo.RenderConfig{}, nil, []string{"", "after the empty one"}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			args := append([]string{"-q", "recv", "--path", hioPath, "--count", strconv.Itoa(len(c.memos)), "--timeout", "120"}, c.recv...)
			p := startHio(t, args...)
			waitSocket(t, hioPath)
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{Render: c.render})
			ctx := ctxFor(t)
			for _, s := range c.memos {
				if err := m.Send(ctx, []byte(s), unixAddr(hioPath)); err != nil {
					t.Fatal(err)
				}
			}
			r := p.wait(t)
			if r.Code != 0 || len(r.Memos) != len(c.memos) {
				t.Fatalf("hiopeer recv: exit %d, %d memos of %d, events %v", r.Code, len(r.Memos), len(c.memos), r.Events)
			}
			for i, want := range c.memos {
				checkHioMemo(t, r.Memos[i], want, goPath, c.vid)
			}
		})
	}
}

// hio sends, memogram receives: memogram's Memoer fuses what hio's
// PeerMemoer cut, including hio's under-filled later binary grams (S2), its
// gram count 0 for short curt memos (S1) and its Sure codes, verifies D and
// E vids through its keep, and reports hio's path as the source.
func TestGoReceivesFromHio(t *testing.T) {
	needHio(t)
	sB, sD, sE := signer(t, seedB, memo.VIDB), signer(t, seedD, memo.VIDD), signer(t, seedE, memo.VIDE)
	mid, big, huge := hioSizes()
	for _, c := range []struct {
		name  string
		send  []string
		memos []string
		rx    memo.ReceiveConfig
		vid   string
	}{
		{"text", nil, []string{"Hello from hio", unicodeMemo, big, huge}, memo.ReceiveConfig{}, ""},
		{"text/size-40", []string{"--size", "40"}, []string{unicodeMemo, mid}, memo.ReceiveConfig{}, ""},
		// hio's own receiver delivers "Hi" as "" (TestHioShortCurtMemo).
		{"curt", []string{"--curt"}, []string{"Hi", unicodeMemo, big, huge}, memo.ReceiveConfig{}, ""},
		{"curt/size-40", []string{"--curt", "--size", "40"}, []string{"Hi", unicodeMemo, mid}, memo.ReceiveConfig{}, ""},
		{"unsigned-sure", []string{"--code", "bAAE", "--size", "100"}, []string{unicodeMemo}, memo.ReceiveConfig{}, ""},
		{"signed-B/authic", []string{"--sign", seedB}, []string{"Hello from hio", unicodeMemo, big}, memo.ReceiveConfig{Authic: true}, sB.VID()},
		{"signed-B/curt/size-130", []string{"--sign", seedB, "--curt", "--size", "130"}, []string{"Hi", unicodeMemo}, memo.ReceiveConfig{Authic: true}, sB.VID()},
		{"signed-D/authic-keep", []string{"--sign", seedD, "--vid-code", "D"}, []string{unicodeMemo, huge}, memo.ReceiveConfig{Authic: true, Keep: keepOf(t, sD)}, sD.VID()},
		{"signed-E/curt/authic-keep", []string{"--sign", seedE, "--vid-code", "E", "--curt"}, []string{unicodeMemo, big}, memo.ReceiveConfig{Authic: true, Keep: keepOf(t, sE)}, sE.VID()},
		{"signed-sure-B", []string{"--sign", seedB, "--code", "bAAG", "--size", "170"}, []string{unicodeMemo}, memo.ReceiveConfig{Authic: true}, sB.VID()},
		{"signed-B/non-authic", []string{"--sign", seedB}, []string{unicodeMemo}, memo.ReceiveConfig{}, sB.VID()},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{Receive: c.rx})
			in := receiving(t, m)
			args := append([]string{"-q", "send", "--path", hioPath, "--dest", goPath, "--timeout", "120"}, c.send...)
			for i, s := range c.memos {
				if len(s) > 1000 { // argv has limits
					s = memoFile(t, dir, "memo"+strconv.Itoa(i), []byte(s))
				}
				args = append(args, s)
			}
			r := runHio(t, args...)
			if r.Code != 0 {
				t.Fatalf("hiopeer send: exit %d, events %v", r.Code, r.Events)
			}
			for _, want := range c.memos {
				checkMemo(t, in.next(t), []byte(want), unixAddr(hioPath), c.vid)
			}
			in.quiet(t)
			checkNoRejects(t, m)
		})
	}
}

// Round trips, each side answering the other at the source it reported:
// hio echoes memogram's memos (recv --echo), and memogram answers hio (send
// --await), unsigned and signed.
func TestHioRoundTrips(t *testing.T) {
	needHio(t)
	sB := signer(t, seedB, memo.VIDB)
	_, big, _ := hioSizes()
	t.Run("hio-echoes", func(t *testing.T) {
		t.Parallel()
		for _, signed := range []bool{false, true} {
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			args := []string{"-q", "recv", "--path", hioPath, "--count", "2", "--timeout", "120", "--echo"}
			rx, vid := memo.ReceiveConfig{}, ""
			if signed {
				args = append(args, "--sign", seedB)
				rx, vid = memo.ReceiveConfig{Authic: true}, sB.VID()
			}
			p := startHio(t, args...)
			waitSocket(t, hioPath)
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), memo.Config{Receive: rx})
			in := receiving(t, m)
			ctx := ctxFor(t)
			for _, s := range []string{"ping 🏓", big} {
				if err := m.Send(ctx, []byte(s), unixAddr(hioPath)); err != nil {
					t.Fatal(err)
				}
				checkMemo(t, in.next(t), []byte(s), unixAddr(hioPath), vid)
			}
			if r := p.wait(t); r.Code != 0 {
				t.Fatalf("hiopeer recv --echo: exit %d, events %v", r.Code, r.Events)
			}
		}
	})
	t.Run("go-answers", func(t *testing.T) {
		t.Parallel()
		for _, signed := range []bool{false, true} {
			dir := uxdDir(t)
			hioPath, goPath := filepath.Join(dir, "hio.uxd"), filepath.Join(dir, "go.uxd")
			cfg, vid := memo.Config{}, ""
			if signed {
				cfg.Render.Signer, vid = sB, sB.VID()
			}
			m := newMemoer(t, openUXD(t, uxd.Config{Path: goPath}), cfg)
			in := receiving(t, m)
			p := startHio(t, "-q", "send", "--path", hioPath, "--dest", goPath, "--timeout", "120",
				"--await", "1", "--await-timeout", "120", "ping 🏓")
			got := in.next(t)
			checkMemo(t, got, []byte("ping 🏓"), unixAddr(hioPath), "")
			reply := strings.ToUpper(string(got.Data)) + " " + big
			if err := m.Send(ctxFor(t), []byte(reply), got.Src); err != nil {
				t.Fatal(err)
			}
			r := p.wait(t)
			if r.Code != 0 || len(r.Memos) != 1 {
				t.Fatalf("hiopeer send --await: exit %d, memos %d, events %v", r.Code, len(r.Memos), r.Events)
			}
			checkHioMemo(t, r.Memos[0], reply, goPath, vid)
		}
	})
}
