package memo

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"testing"
	"time"
)

// hioRx is the result shape of a "receive" behaviour.
type hioRx struct {
	Rxms        [][]*string
	PendingMids []string
	Counts      map[string]int
}

// robustRx is the outcome docs/vectors.md §3.1 asks of a robust receiver where
// hio's outcome is a defect or an exception: the delivered memos (memo, src,
// vid) and the mids left pending.
var robustRx = map[string]struct {
	rxms    [][3]string
	pending int
}{
	"missing gram 1 (memo stays pending)":                              {nil, 1}, // and evicted after the idle timeout, below
	"unknown text code bAAZ":                                           {nil, 0},
	"Ack code bAAI parsed":                                             {nil, 0},
	"text head with non-ascii byte in code":                            {nil, 0},
	"binary unknown code (0x6c000f = bAAP), non-authic receiver":       {nil, 0},
	"text neck with non-b64 char":                                      {nil, 0},
	"zeroth gram with gc=0 and a body":                                 {[][3]string{{"body", "src", ""}}, 0},
	"zeroth gc=1 but a gram 1 also sent (after)":                       {[][3]string{{"one", "src", ""}}, 0},
	"zeroth gc=2 plus gram number 5 (len(grams)>=gc but gap)":          {nil, 1},
	"non-zeroth gram numbered 0 via bAAB (gn=0 overrides nothing)":     {[][3]string{{"Z0", "src", ""}}, 0},
	"fused body not valid UTF-8":                                       {[][3]string{{"\xff\xfe", "src", ""}}, 0},
	"non-authic receiver: unsigned bAAB injected before signed gram 1": {[][3]string{{foxMemo, "src", vidB}}, 0},
	"same mid from two sources (first source wins, grams merged)":      {nil, 2},
	"signed non-zeroth before zeroth (vid unknown yet)":                {[][3]string{{foxMemo, "src", vidB}}, 0},
}

const (
	foxMemo = "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!"
	vidB    = "BAOhB7_zzhC-HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
)

func TestVectorBehaviorsReceive(t *testing.T) {
	v := loadVectors(t)
	n := 0
	for _, b := range v.Behaviors {
		if b.Input.Kind != "receive" {
			continue
		}
		n++
		now := time.Unix(1e9, 0)
		r := NewReassembler(ReceiveConfig{
			Authic: b.Input.Receiver.Authic,
			Keep:   keepFor(t, v.Keys, b.Input.Receiver.Keep),
			Now:    func() time.Time { return now },
		})
		var got [][3]string
		for i, gh := range b.Input.GramsHex {
			m, ok, _ := r.Add(unhex(t, gh), testAddr(b.Input.Sources[i]))
			if ok {
				got = append(got, [3]string{string(m.Data), m.Src.String(), m.VID})
			}
		}
		want, robust := robustRx[b.Case]
		if !robust {
			if len(b.Defects) != 0 || b.Outcome != "ok" {
				t.Fatalf("%s: hio's outcome is a defect %v but no robust outcome is listed", b.Case, b.Defects)
			}
			var hio hioRx
			if err := json.Unmarshal(b.Result, &hio); err != nil {
				t.Fatalf("%s: %v", b.Case, err)
			}
			for _, m := range hio.Rxms {
				w := [3]string{*m[0], *m[1], ""}
				if m[2] != nil {
					w[2] = *m[2]
				}
				want.rxms = append(want.rxms, w)
			}
			want.pending = len(hio.PendingMids)
		}
		if len(got) != len(want.rxms) || r.Pending() != want.pending {
			t.Errorf("%s: delivered %q with %d pending, want %q with %d", b.Case, got, r.Pending(), want.rxms, want.pending)
			continue
		}
		for i := range got {
			if got[i] != want.rxms[i] {
				t.Errorf("%s: delivered %q, want %q", b.Case, got[i], want.rxms[i])
			}
		}
		if b.Case == "missing gram 1 (memo stays pending)" {
			if r.pendingCount(testAddr("src"), r.pendingMIDs()[0]) != 3 {
				t.Errorf("%s: pending count not 3", b.Case)
			}
			now = now.Add(DefaultIdleTimeout)
			r.Expire()
			if r.Pending() != 0 || r.Stats().EvictedIdle != 1 {
				t.Errorf("%s: not evicted after the idle timeout: %+v", b.Case, r.Stats())
			}
		}
	}
	if n != 27 {
		t.Fatalf("%d receive behaviours, want 27", n)
	}
}

func behaviorRenderer(t *testing.T, v *vecFile, b vecBehavior) (*Renderer, error) {
	code, err := ParseCode(b.Input.Sender.Code)
	if err != nil {
		return nil, err
	}
	cfg := RenderConfig{Code: code}
	if b.Input.Sender.Curt {
		cfg.Form = Binary
	}
	if b.Input.Sender.Size != nil {
		cfg.GramSize = *b.Input.Sender.Size
	}
	if code.Signed() {
		var seed []byte
		for _, l := range b.Input.Sender.Keep {
			if b.Input.Sender.VID != nil && v.Keys[l].VID == *b.Input.Sender.VID {
				seed = unhex(t, v.Keys[l].SeedHex)
			}
		}
		vid := ""
		if b.Input.Sender.VID != nil {
			vid = *b.Input.Sender.VID
		}
		if b.Input.Kind == "size" { // hio sizes a signed sender without a vid; memogram's needs its signer
			vid, seed = v.Keys["B"].VID, unhex(t, v.Keys["B"].SeedHex)
		}
		cfg.Signer, err = SignerFor(vid, seed)
		if err != nil {
			return nil, err
		}
	}
	cfg.MIDs, _ = FixedMID(v.FixedUUIDHex)
	return NewRenderer(cfg)
}

func TestVectorBehaviorsSender(t *testing.T) {
	v := loadVectors(t)
	m := NewMID([16]byte(unhex(t, v.FixedUUIDHex)))
	mid := hex.EncodeToString(m[:])
	for _, b := range v.Behaviors {
		switch b.Input.Kind {
		case "render", "render+receive":
			r, err := behaviorRenderer(t, v, b)
			var grams [][]byte
			if err == nil {
				grams, err = r.Render([]byte(b.Input.Memo))
			}
			switch b.Case {
			case "rend empty memo": // S3: one empty zeroth gram, delivered as ""
				if err != nil || len(grams) != 1 || string(grams[0]) != "bAAAAAAB"+v.Mid {
					t.Errorf("%s: %q %v", b.Case, grams, err)
				}
			case "unsigned binary memo of 5 bytes at default size: zeroth neck gc": // S1
				if err != nil || len(grams) != 1 || hex.EncodeToString(grams[0]) != "6c0000000001"+mid+hex.EncodeToString([]byte("Hi yo")) {
					t.Errorf("%s: %x %v", b.Case, grams, err)
				}
				var res struct{ Grams []string }
				_ = json.Unmarshal(b.Result, &res)
				for _, g := range [][]byte{grams[0], unhex(t, res.Grams[0])} { // ours and hio's
					m, ok, err := NewReassembler(ReceiveConfig{}).Add(g, testAddr("src"))
					if !ok || string(m.Data) != "Hi yo" {
						t.Errorf("%s: %x delivered %q %v", b.Case, g, m.Data, err)
					}
				}
			case "unsigned binary size=34 memo 'a' (negative gc)": // S2: hio's sender fails
				if err != nil || len(grams) != 1 || hex.EncodeToString(grams[0]) != "6c0000000001"+mid+"61" {
					t.Errorf("%s: %x %v", b.Case, grams, err)
				}
			case "rend curt unsigned size 30 (below text overhead)": // S2: clear configuration error
				if !errors.Is(err, ErrGramSize) {
					t.Errorf("%s: %v", b.Case, err)
				}
			case "signed rend without vid", "signed rend with vid not in keep":
				if !errors.Is(err, ErrBadKey) || b.Outcome != "exception" {
					t.Errorf("%s: %v", b.Case, err)
				}
			default:
				t.Errorf("behaviour %q not covered", b.Case)
			}
		case "size":
			r, err := behaviorRenderer(t, v, b)
			var want int
			_ = json.Unmarshal(b.Result, &want)
			if b.Case == "size above MaxGramSize not rejected (size=70000)" { // S4: rejected
				if !errors.Is(err, ErrGramSize) {
					t.Errorf("%s: %v", b.Case, err)
				}
			} else if err != nil && !errors.Is(err, ErrGramSize) {
				t.Errorf("%s: %v", b.Case, err)
			} else if err == nil && r.GramSize() != want {
				t.Errorf("%s: size %d, want %d", b.Case, r.GramSize(), want)
			} else if err != nil { // curt unsigned clamps to 25, below the hio-compatible minimum 33
				if want != MinGramSize(CodeGramZero, Binary) {
					t.Errorf("%s: %v", b.Case, err)
				}
			}
		case "config":
			if _, err := behaviorRenderer(t, v, b); !errors.Is(err, ErrBadCode) {
				t.Errorf("%s: %v", b.Case, err)
			}
		}
	}
}
