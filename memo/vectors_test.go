package memo

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

// The conformance vectors were produced by running hio 55b5ee5 and are kept
// byte for byte in testdata/vectors.json (docs/vectors.md describes them;
// vectors_drift_test.go keeps the copy honest).
type vecKey struct {
	Label, SeedHex, VerkeyHex, VID, Qvk, Qss string
	Derivation                               *struct {
		Password, Salt string
	}
}

type vecGram struct {
	Hex, Code, Mid, BodyHex, SignedHex, SigHex string
	Curt                                       bool
	Gn                                         uint32
	Gc                                         *uint32
	VID                                        *string
	Len                                        int
}

type vecMemo struct {
	Name, Code, Memo, MemoUTF8Hex string
	Curt                          bool
	Size                          int
	RequestedSize                 *int
	VID, Keylabel                 *string
	GramCount                     int
	Grams                         []vecGram
	Fused                         []*string
}

type vecBehavior struct {
	Case    string
	Outcome string
	Result  json.RawMessage
	Input   struct {
		Kind     string
		GramsHex []string
		Sources  []string
		Receiver struct {
			Authic bool
			Keep   []string
		}
		Sender struct {
			Code string
			Curt bool
			Size *int
			VID  *string
			Keep []string
		}
		Memo        string
		Dst         string
		SendReturns int
	}
	Defects []string
}

type vecFile struct {
	HioCommit    string
	FixedUUIDHex string
	Mid          string
	Keys         map[string]vecKey
	Primitives   []struct {
		Fn                             string
		Input                          *uint32
		Output, B2Hex, UUIDHex, RawHex string
	}
	Codes map[string]struct {
		B64, B2Hex, Name string
		Sizes            struct{ Bz, Nz, Mz, Vz, Az int }
	}
	Vectors   []vecMemo
	Behaviors []vecBehavior
	Testsuite struct {
		Mid, MidB2Hex string
		Keys          map[string]vecKey
		Vectors       []vecMemo
		SizeMinimums  []struct {
			Code          string
			Curt          bool
			RequestedSize int
			Size          int
		}
	}
}

// vectorsPath is the repository's copy of the hio-produced vectors.
var vectorsPath = filepath.Join("testdata", "vectors.json")

func loadVectors(t testing.TB) *vecFile {
	t.Helper()
	path := vectorsPath
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("conformance vectors: %v", err)
	}
	// The file uses snake_case keys; map them onto the Go field names.
	var generic any
	if err := json.Unmarshal(raw, &generic); err != nil {
		t.Fatal(err)
	}
	fixed, _ := json.Marshal(camelKeys(generic))
	v := new(vecFile)
	if err := json.Unmarshal(fixed, v); err != nil {
		t.Fatal(err)
	}
	if v.HioCommit != "55b5ee5544049bde2728cb182d06fbd723df05e4" || len(v.Vectors) == 0 || len(v.Behaviors) == 0 {
		t.Fatalf("unexpected vectors file %s (commit %q)", path, v.HioCommit)
	}
	return v
}

// camelKeys rewrites snake_case object keys as CamelCase so that
// encoding/json's case-insensitive matching finds the struct fields. Keys of
// the maps keyed by data (codes, keys) are unaffected, having no '_'.
func camelKeys(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			if snake.MatchString(k) {
				k = camel(k)
			}
			out[k] = camelKeys(x)
		}
		return out
	case []any:
		for i := range v {
			v[i] = camelKeys(v[i])
		}
	}
	return v
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)+$`)

func camel(k string) string {
	var b []byte
	up := false
	for i := 0; i < len(k); i++ {
		switch c := k[i]; {
		case c == '_':
			up = true
		case up && c >= 'a' && c <= 'z':
			b, up = append(b, c-32), false
		default:
			b, up = append(b, c), false
		}
	}
	return string(b)
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func signerFor(t testing.TB, keys map[string]vecKey, label string) *Signer {
	t.Helper()
	k, ok := keys[label]
	if !ok {
		t.Fatalf("no key %q", label)
	}
	s, err := NewSignerHex(k.SeedHex, VIDCode(label[0]))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func keepFor(t testing.TB, keys map[string]vecKey, labels []string) *Keep {
	keep := NewKeep()
	for _, l := range labels {
		k := keys[l]
		if err := keep.Add(k.VID, k.Qvk); err != nil {
			t.Fatalf("keep %s: %v", l, err)
		}
	}
	return keep
}

func allLabels(keys map[string]vecKey) []string {
	var l []string
	for k := range keys {
		l = append(l, k)
	}
	return l
}

func TestVectorKeys(t *testing.T) {
	v := loadVectors(t)
	check := func(keys map[string]vecKey) {
		for label, k := range keys {
			s := signerFor(t, keys, label)
			if got := hex.EncodeToString(s.PublicKey()); got != k.VerkeyHex {
				t.Errorf("%s verkey %s, want %s", label, got, k.VerkeyHex)
			}
			if s.VID() != k.VID || s.QVK() != k.Qvk || s.QSS() != k.Qss {
				t.Errorf("%s: vid/qvk/qss %s %s %s, want %s %s %s", label, s.VID(), s.QVK(), s.QSS(), k.VID, k.Qvk, k.Qss)
			}
			if err := NewKeep().Add(k.VID, k.Qvk); err != nil {
				t.Errorf("%s: keep refuses its own key: %v", label, err)
			}
		}
	}
	check(v.Keys)
	check(v.Testsuite.Keys)
	if len(v.Keys) != 3 || len(v.Testsuite.Keys) != 6 {
		t.Fatalf("key counts %d %d", len(v.Keys), len(v.Testsuite.Keys))
	}
}

func TestVectorPrimitives(t *testing.T) {
	v := loadVectors(t)
	seen := map[string]int{}
	for _, p := range v.Primitives {
		seen[p.Fn]++
		switch p.Fn {
		case "intToB64b(l=4)":
			nb := neckBytes(*p.Input)
			if got := hex.EncodeToString(nb[:]); got != p.B2Hex {
				t.Errorf("neck %d binary %s, want %s", *p.Input, got, p.B2Hex)
			}
			if got := string(encodeQuads(nil, nb[:])); got != p.Output {
				t.Errorf("neck %d text %s, want %s", *p.Input, got, p.Output)
			}
		case "makeMID":
			var raw [16]byte
			copy(raw[:], unhex(t, p.UUIDHex))
			m := NewMID(raw)
			if m.String() != p.Output || hex.EncodeToString(m[:]) != p.B2Hex {
				t.Errorf("mid %s %x, want %s %s", m, m[:], p.Output, p.B2Hex)
			}
			if back, err := ParseMID(p.Output); err != nil || back != m {
				t.Errorf("ParseMID(%s) = %x, %v", p.Output, back, err)
			}
		case "encodeSGN":
			var q [66]byte
			q[0], q[1] = 0xd0, 0x10
			copy(q[2:], unhex(t, p.RawHex))
			if got := string(encodeQuads(nil, q[:])); got != p.Output {
				t.Errorf("sig text %s, want %s", got, p.Output)
			}
			s := signerFor(t, v.Keys, "B")
			if got := string(appendSig(nil, mustSign(s, []byte("abc")), Text)); got != p.Output {
				t.Errorf("signature over abc %s, want %s", got, p.Output)
			}
		case "encodeQSS":
			if got := qualify("A", unhex(t, p.RawHex)); got != p.Output {
				t.Errorf("qss %s, want %s", got, p.Output)
			}
		default:
			t.Errorf("unknown primitive %q", p.Fn)
		}
	}
	if len(seen) != 4 {
		t.Errorf("primitives covered: %v", seen)
	}
}

func TestVectorCodes(t *testing.T) {
	v := loadVectors(t)
	if len(v.Codes) != 10 {
		t.Fatalf("%d codes", len(v.Codes))
	}
	for text, c := range v.Codes {
		code, err := ParseCode(text)
		if err != nil || code.String() != text || c.B64 != text {
			t.Fatalf("code %s: %v %v", text, code, err)
		}
		if got := hex.EncodeToString(code.appendBinary(nil)); got != c.B2Hex {
			t.Errorf("%s binary %s, want %s", text, got, c.B2Hex)
		}
		vz, az := 0, 0
		if code.hasVID() {
			vz = vidSize
		}
		if code.Signed() {
			az = sigSize
		}
		if c.Sizes.Bz != codeSize || c.Sizes.Nz != neckSize || c.Sizes.Mz != midSize || c.Sizes.Vz != vz || c.Sizes.Az != az {
			t.Errorf("%s sizes %+v", text, c.Sizes)
		}
		if want := "Gram"; code.Ack() != (c.Name == "Ack" || c.Name == "AckAuth") || (!code.Ack() && !bytes.Contains([]byte(c.Name), []byte(want))) {
			t.Errorf("%s name %s", text, c.Name)
		}
	}
}
