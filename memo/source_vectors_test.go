package memo

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite testdata/source-vectors.json from the renderer")

// sourceVector is one memo of the source-gram extension (docs/source-grams.md),
// in the shape of the hio vectors.
type sourceVector struct {
	Name        string   `json:"name"`
	Code        string   `json:"code"`
	Curt        bool     `json:"curt"`
	Size        int      `json:"size"`
	Source      string   `json:"source"`
	Memo        string   `json:"memo"`
	MemoUTF8Hex string   `json:"memo_utf8_hex"`
	VID         *string  `json:"vid"`
	Grams       []string `json:"grams_hex"`
	SourceHex   string   `json:"source_field_hex"`
	Fused       []any    `json:"fused"`
}

type sourceVectorFile struct {
	Format  string         `json:"format"`
	Mid     string         `json:"mid"`
	MidRaw  string         `json:"mid_raw_hex"`
	Keys    map[string]any `json:"keys"`
	Vectors []sourceVector `json:"vectors"`
}

func sourceVectorInputs() []sourceVector {
	return []sourceVector{
		{Name: "source-unsigned-text-single", Code: "sAAA", Source: `hio\wms\alpha`, Memo: "Hello There", Size: 65535},
		{Name: "source-unsigned-bin-single", Code: "sAAA", Curt: true, Source: `hio\wms\alpha`, Memo: "Hello There", Size: 65535},
		{Name: "source-unsigned-text-s60-multi", Code: "sAAA", Source: "beta", Memo: "See ya later alligator!", Size: 60},
		{Name: "source-unsigned-bin-s50-multi", Code: "sAAA", Curt: true, Source: "beta", Memo: "See ya later alligator!", Size: 50},
		{Name: "source-signed-text-B-single", Code: "sAAC", Source: `hio\wms\alpha`, Memo: "Hello There", Size: 65535},
		{Name: "source-signed-bin-B-s140-multi", Code: "sAAC", Curt: true, Source: "gamma", Memo: "The quick brown fox jumps over the lazy dog.", Size: 140},
		{Name: "source-unicode-name", Code: "sAAA", Source: "ünï\\名前", Memo: "✓", Size: 65535},
		{Name: "source-sure-signed-text-B", Code: "sAAG", Source: "delta", Memo: "sure", Size: 65535},
	}
}

func renderSourceVector(t *testing.T, v *vecFile, sv sourceVector) [][]byte {
	code, err := ParseCode(sv.Code)
	if err != nil {
		t.Fatal(err)
	}
	cfg := RenderConfig{Code: code.WithoutSource(), GramSize: sv.Size, Source: sv.Source}
	if sv.Curt {
		cfg.Form = Binary
	}
	if code.Signed() {
		cfg.Signer = signerFor(t, v.Keys, "B")
	}
	cfg.MIDs, _ = FixedMID(v.FixedUUIDHex)
	r, err := NewRenderer(cfg)
	if err != nil {
		t.Fatalf("%s: %v", sv.Name, err)
	}
	if r.Code() != code {
		t.Fatalf("%s: renderer code %s", sv.Name, r.Code())
	}
	grams, err := r.Render([]byte(sv.Memo))
	if err != nil {
		t.Fatal(err)
	}
	return grams
}

// TestSourceVectors pins the bytes of the source-gram extension: the
// renderer must reproduce testdata/source-vectors.json, and every gram must
// parse and fuse to the memo with the carried source.
func TestSourceVectors(t *testing.T) {
	v := loadVectors(t)
	path := filepath.Join("testdata", "source-vectors.json")
	if *update {
		f := sourceVectorFile{
			Format: "memogram source-gram vectors v1 (docs/source-grams.md); produced by memogram, not by hio",
			Mid:    v.Mid, MidRaw: v.FixedUUIDHex,
			Keys: map[string]any{"B": map[string]string{"seed_hex": v.Keys["B"].SeedHex, "vid": v.Keys["B"].VID}},
		}
		for _, sv := range sourceVectorInputs() {
			sv.MemoUTF8Hex = hex.EncodeToString([]byte(sv.Memo))
			for _, g := range renderSourceVector(t, v, sv) {
				sv.Grams = append(sv.Grams, hex.EncodeToString(g))
			}
			field := appendSource(nil, []byte(sv.Source), map[bool]Form{false: Text, true: Binary}[sv.Curt])
			sv.SourceHex = hex.EncodeToString(field)
			var vid any
			if code, _ := ParseCode(sv.Code); code.Signed() {
				s := v.Keys["B"].VID
				sv.VID, vid = &s, s
			}
			sv.Fused = []any{sv.Memo, sv.Source, vid}
			f.Vectors = append(f.Vectors, sv)
		}
		out, _ := json.MarshalIndent(f, "", "  ")
		if err := os.WriteFile(path, append(out, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var f sourceVectorFile
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Vectors) != len(sourceVectorInputs()) {
		t.Fatalf("%d source vectors", len(f.Vectors))
	}
	for _, sv := range f.Vectors {
		grams := renderSourceVector(t, v, sv)
		if len(grams) != len(sv.Grams) {
			t.Fatalf("%s: %d grams, want %d", sv.Name, len(grams), len(sv.Grams))
		}
		for i, g := range grams {
			want := unhex(t, sv.Grams[i])
			if !bytes.Equal(g, want) {
				t.Fatalf("%s gram %d:\n got %x\nwant %x", sv.Name, i, g, want)
			}
			var pg Gram
			if err := ParseGram(want, &pg); err != nil {
				t.Fatalf("%s gram %d: %v", sv.Name, i, err)
			}
			if i == 0 {
				if s, ok := pg.Source(); !ok || s != sv.Source || !bytes.Contains(want, unhex(t, sv.SourceHex)) {
					t.Fatalf("%s: carried source %q", sv.Name, s)
				}
				first := want[0] >> 2
				if first == 24 || first == 27 { // hio would take it for one of its own grams
					t.Fatalf("%s: first byte %#x is in hio's code space", sv.Name, want[0])
				}
			} else if pg.Code.CarriesSource() || pg.Code.WithSource() != pg.Code.Pair().WithSource() {
				t.Fatalf("%s gram %d: later grams use hio's codes, got %s", sv.Name, i, pg.Code)
			}
		}
		rx := NewReassembler(ReceiveConfig{Authic: sv.VID != nil})
		var got []Memo
		for _, g := range reversed(grams) {
			if m, ok, err := rx.Add(g, nil); err != nil {
				t.Fatalf("%s: %v", sv.Name, err)
			} else if ok {
				got = append(got, m)
			}
		}
		if len(got) != 1 || string(got[0].Data) != sv.Memo || got[0].Src.String() != sv.Source {
			t.Fatalf("%s: fused %+v", sv.Name, got)
		}
		if sv.VID != nil && got[0].VID != *sv.VID {
			t.Fatalf("%s: vid %q", sv.Name, got[0].VID)
		}
	}
}

// A source gram is covered by its signature: changing the carried name
// breaks verification.
func TestSourceGramSignatureCoversSource(t *testing.T) {
	r, err := NewRenderer(RenderConfig{Signer: mustSigner(t), Source: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	grams, _ := r.Render([]byte("x"))
	forged := bytes.Replace(grams[0], []byte(string(encodeQuads(nil, []byte("alp")))), []byte(string(encodeQuads(nil, []byte("zlp")))), 1)
	if bytes.Equal(forged, grams[0]) {
		t.Fatal("source not found in gram")
	}
	if _, _, err := NewReassembler(ReceiveConfig{}).Add(forged, nil); err != ErrBadSignature {
		t.Fatalf("forged source: %v", err)
	}
	if _, ok, err := NewReassembler(ReceiveConfig{Authic: true}).Add(grams[0], nil); !ok || err != nil {
		t.Fatalf("genuine: %v", err)
	}
	// An unsigned source gram is refused by an authic receiver.
	u, _ := NewRenderer(RenderConfig{Source: "alpha"})
	ug, _ := u.Render([]byte("x"))
	if _, _, err := NewReassembler(ReceiveConfig{Authic: true}).Add(ug[0], nil); err != ErrNotSigned {
		t.Fatalf("unsigned source gram to authic receiver: %v", err)
	}
}
