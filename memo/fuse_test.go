package memo

import (
	"bytes"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

type testAddr string

func (testAddr) Network() string  { return "test" }
func (a testAddr) String() string { return string(a) }

func TestVectorParse(t *testing.T) {
	v := loadVectors(t)
	n := 0
	for _, sec := range sections(v) {
		keep := keepFor(t, sec.keys, allLabels(sec.keys))
		for _, vm := range sec.memos {
			var vid [33]byte
			for i, vg := range vm.Grams {
				n++
				var g Gram
				if err := ParseGram(unhex(t, vg.Hex), &g); err != nil {
					t.Fatalf("%s gram %d: %v", vm.Name, i, err)
				}
				wantForm := Text
				if vg.Curt {
					wantForm = Binary
				}
				if g.Code.String() != vg.Code || g.Form != wantForm || g.MID.String() != vg.Mid {
					t.Errorf("%s gram %d: code %s form %v mid %s", vm.Name, i, g.Code, g.Form, g.MID)
				}
				if vg.Gc != nil {
					if !g.Code.Zeroth() || g.Neck != *vg.Gc || vg.Gn != 0 {
						t.Errorf("%s gram %d: gc %d, want %d", vm.Name, i, g.Neck, *vg.Gc)
					}
				} else if g.Code.Zeroth() || g.Neck != vg.Gn {
					t.Errorf("%s gram %d: gn %d, want %d", vm.Name, i, g.Neck, vg.Gn)
				}
				if hex.EncodeToString(g.Body) != vg.BodyHex || hex.EncodeToString(g.Signed) != vg.SignedHex {
					t.Errorf("%s gram %d: body/signed bytes differ", vm.Name, i)
				}
				if !g.Code.Signed() {
					if vg.SigHex != "" || vg.VID != nil {
						t.Errorf("%s gram %d: unsigned gram parsed as such but vector is signed", vm.Name, i)
					}
					continue
				}
				raw := unhex(t, vg.SigHex)
				wantSig := raw
				if !vg.Curt {
					wantSig = make([]byte, 66)
					decodeQuads(wantSig, raw)
				}
				if !bytes.Equal(g.Sig[:], wantSig[2:]) {
					t.Errorf("%s gram %d: signature differs", vm.Name, i)
				}
				if g.HasVID() {
					vid = g.vid
					if g.VID() != *vg.VID {
						t.Errorf("%s gram %d: vid %s, want %s", vm.Name, i, g.VID(), *vg.VID)
					}
				}
				pub, ok := keep.verifier(&vid)
				if !ok || !g.Verify(pub) {
					t.Errorf("%s gram %d: signature does not verify", vm.Name, i)
				}
				if g.Verify(pub[:31:31]) {
					t.Errorf("%s gram %d: verified with a short key", vm.Name, i)
				}
			}
		}
	}
	if n < 60 {
		t.Fatalf("only %d grams parsed", n)
	}
}

// fuseVector feeds grams to a receiver configured as the vectors say and
// returns what it delivered.
func fuseVector(t *testing.T, vm vecMemo, keys map[string]vecKey, grams [][]byte) []Memo {
	code, _ := ParseCode(vm.Code)
	r := NewReassembler(ReceiveConfig{Authic: code.Signed(), Keep: keepFor(t, keys, allLabels(keys))})
	var out []Memo
	for _, g := range grams {
		if m, ok, err := r.Add(g, testAddr("src-addr")); err != nil {
			t.Fatalf("%s: gram %x dropped: %v", vm.Name, g, err)
		} else if ok {
			out = append(out, m)
		}
	}
	if r.Pending() != 0 {
		t.Fatalf("%s: %d memos still pending", vm.Name, r.Pending())
	}
	return out
}

func TestVectorFuse(t *testing.T) {
	v := loadVectors(t)
	rng := rand.New(rand.NewPCG(1, 2))
	for _, sec := range sections(v) {
		for _, vm := range sec.memos {
			if len(vm.Grams) == 0 {
				if vm.Fused != nil {
					t.Fatalf("%s: no grams but fused %v", vm.Name, vm.Fused)
				}
				continue
			}
			grams := make([][]byte, len(vm.Grams))
			for i, g := range vm.Grams {
				grams[i] = unhex(t, g.Hex)
			}
			want := *vm.Fused[0]
			if vm.Name == "ts-V9-bin-short-memo-gc0" {
				want = "Hi" // hio delivers "" and loses the memo (S1); memogram reads gc 0 as 1
			}
			orders := [][][]byte{grams, reversed(grams)}
			for range 5 {
				s := append([][]byte(nil), grams...)
				rng.Shuffle(len(s), func(i, j int) { s[i], s[j] = s[j], s[i] })
				orders = append(orders, s)
			}
			for _, order := range orders {
				got := fuseVector(t, vm, sec.keys, order)
				if len(got) != 1 || string(got[0].Data) != want || got[0].Src.String() != *vm.Fused[1] {
					t.Fatalf("%s: delivered %+v, want %q", vm.Name, got, want)
				}
				wantVid := ""
				if vm.Fused[2] != nil {
					wantVid = *vm.Fused[2]
				}
				if got[0].VID != wantVid || got[0].MID.String() != vm.Grams[0].Mid {
					t.Fatalf("%s: vid %q mid %s, want %q", vm.Name, got[0].VID, got[0].MID, wantVid)
				}
			}
		}
	}
}

func reversed(s [][]byte) [][]byte {
	r := make([][]byte, len(s))
	for i, g := range s {
		r[len(s)-1-i] = g
	}
	return r
}
