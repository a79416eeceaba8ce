package memo

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// renderVector builds the renderer a vector was made with.
func renderVector(t *testing.T, vm vecMemo, keys map[string]vecKey, midHex string) *Renderer {
	t.Helper()
	code, err := ParseCode(vm.Code)
	if err != nil {
		t.Fatal(err)
	}
	cfg := RenderConfig{Code: code, GramSize: vm.Size}
	if vm.Curt {
		cfg.Form = Binary
	}
	if vm.RequestedSize != nil {
		cfg.GramSize = *vm.RequestedSize // exercise hio's clamping too
	}
	if vm.Keylabel != nil {
		cfg.Signer = signerFor(t, keys, *vm.Keylabel)
		if cfg.Signer.VID() != *vm.VID {
			t.Fatalf("%s: signer vid %s, want %s", vm.Name, cfg.Signer.VID(), *vm.VID)
		}
	}
	cfg.MIDs, err = FixedMID(midHex)
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRenderer(cfg)
	if err != nil {
		t.Fatalf("%s: %v", vm.Name, err)
	}
	if r.GramSize() != vm.Size {
		t.Fatalf("%s: effective size %d, want %d", vm.Name, r.GramSize(), vm.Size)
	}
	return r
}

type vecSection struct {
	memos  []vecMemo
	keys   map[string]vecKey
	midHex string
}

func sections(v *vecFile) []vecSection {
	return []vecSection{
		{v.Vectors, v.Keys, v.FixedUUIDHex},
		{v.Testsuite.Vectors, v.Testsuite.Keys, v.Testsuite.MidB2Hex[4:]},
	}
}

// robustRender lists the vectors where memogram deliberately writes other
// bytes than hio, because hio's bytes lose the memo.
var robustRender = map[string]string{
	"ts-V8-empty-memo":         "S3: an empty memo is one zeroth gram with gc 1 and no body, not zero grams",
	"ts-V9-bin-short-memo-gc0": "S1: a short unsigned binary memo gets gram count 1, not 0",
}

func TestVectorRenderHioIdentical(t *testing.T) {
	v := loadVectors(t)
	n := 0
	for _, sec := range sections(v) {
		for _, vm := range sec.memos {
			if _, ok := robustRender[vm.Name]; ok {
				continue
			}
			n++
			r := renderVector(t, vm, sec.keys, sec.midHex)
			grams, err := r.Render(unhex(t, vm.MemoUTF8Hex))
			if err != nil {
				t.Fatalf("%s: %v", vm.Name, err)
			}
			if len(grams) != vm.GramCount || len(grams) != len(vm.Grams) {
				t.Fatalf("%s: %d grams, want %d", vm.Name, len(grams), vm.GramCount)
			}
			for i, g := range grams {
				if got := hex.EncodeToString(g); got != vm.Grams[i].Hex {
					t.Errorf("%s gram %d:\n got %s\nwant %s", vm.Name, i, got, vm.Grams[i].Hex)
				}
			}
		}
	}
	if n < 28 {
		t.Fatalf("only %d vectors rendered", n)
	}
}

// The two vectors where hio loses data: memogram's bytes differ on purpose.
func TestVectorRenderRobustEmptyMemoIsOneGram(t *testing.T) {
	v := loadVectors(t)
	vm := findMemo(t, v.Testsuite.Vectors, "ts-V8-empty-memo")
	if vm.GramCount != 0 {
		t.Fatalf("hio's vector changed: %d grams", vm.GramCount)
	}
	r := renderVector(t, vm, v.Testsuite.Keys, v.Testsuite.MidB2Hex[4:])
	grams, err := r.Render(nil)
	if err != nil || len(grams) != 1 {
		t.Fatalf("%d grams, %v", len(grams), err)
	}
	want := vm.Code + "AAAB" + v.Testsuite.Mid // code, gc 1, mid, no body
	if string(grams[0]) != want {
		t.Fatalf("got %q, want %q", grams[0], want)
	}
}

func TestVectorRenderRobustShortBinaryMemoCountsOne(t *testing.T) {
	v := loadVectors(t)
	vm := findMemo(t, v.Testsuite.Vectors, "ts-V9-bin-short-memo-gc0")
	hio := unhex(t, vm.Grams[0].Hex)
	r := renderVector(t, vm, v.Testsuite.Keys, v.Testsuite.MidB2Hex[4:])
	grams, err := r.Render(unhex(t, vm.MemoUTF8Hex))
	if err != nil || len(grams) != 1 {
		t.Fatalf("%d grams, %v", len(grams), err)
	}
	want := bytes.Clone(hio)
	want[5] = 1 // neck 000000 → 000001; every other byte is hio's
	if !bytes.Equal(grams[0], want) || hio[5] != 0 {
		t.Fatalf("got %x, want %x", grams[0], want)
	}
}

func findMemo(t *testing.T, ms []vecMemo, name string) vecMemo {
	t.Helper()
	for _, m := range ms {
		if m.Name == name {
			return m
		}
	}
	t.Fatalf("vector %s missing", name)
	return vecMemo{}
}

func TestVectorSizeMinimums(t *testing.T) {
	v := loadVectors(t)
	for _, sm := range v.Testsuite.SizeMinimums {
		code, _ := ParseCode(sm.Code)
		f := Text
		if sm.Curt {
			f = Binary
		}
		if got := MinGramSize(code, f); got != sm.Size {
			t.Errorf("%s %v: min %d, want %d", sm.Code, f, got, sm.Size)
		}
		cfg := RenderConfig{Code: code, Form: f, GramSize: sm.RequestedSize, FillBinary: true}
		if code.Signed() {
			cfg.Signer = signerFor(t, v.Keys, "B")
		}
		r, err := NewRenderer(cfg)
		if err != nil {
			t.Fatalf("%s %v: %v", sm.Code, f, err)
		}
		if r.GramSize() != sm.Size {
			t.Errorf("%s %v: clamped to %d, want %d", sm.Code, f, r.GramSize(), sm.Size)
		}
	}
}

func TestRenderConfigErrors(t *testing.T) {
	b := mustSigner(t)
	cases := []struct {
		name string
		cfg  RenderConfig
		want error
	}{
		{"non-zeroth code", RenderConfig{Code: CodeGram}, ErrBadCode},
		{"ack code", RenderConfig{Code: CodeAck}, ErrBadCode},
		{"signed without signer", RenderConfig{Code: CodeGramAuthZero}, ErrNoSigner},
		{"unsigned with signer", RenderConfig{Code: CodeGramSureZero, Signer: b}, ErrBadCode},
		{"above MaxGramSize (S4)", RenderConfig{GramSize: 70000}, ErrGramSize},
		{"above transport", RenderConfig{GramSize: 2000, MaxTransport: 1240}, ErrGramSize},
		{"binary unsigned 30 (S2)", RenderConfig{Form: Binary, GramSize: 30}, ErrGramSize},
		{"binary unsigned 32 (S2)", RenderConfig{Form: Binary, GramSize: 32}, ErrGramSize},
		{"source too long", RenderConfig{Source: strings.Repeat("x", MaxSourceSize+1)}, ErrSourceTooLong},
		{"source not utf-8", RenderConfig{Source: "\xff"}, ErrSourceTooLong},
	}
	for _, c := range cases {
		if _, err := NewRenderer(c.cfg); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
	// Binary unsigned 33 is the smallest hio-compatible size; FillBinary
	// goes down to hio's clamp of 25.
	for _, ok := range []RenderConfig{{Form: Binary, GramSize: 33}, {Form: Binary, GramSize: 25, FillBinary: true}} {
		if _, err := NewRenderer(ok); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
}

func mustSigner(t testing.TB) *Signer {
	s, err := NewSigner(make([]byte, 32), VIDB)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
