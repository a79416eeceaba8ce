package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/memogram/memogram/transport"
	"github.com/memogram/memogram/udp"
)

func TestPlotWellFormed(t *testing.T) {
	var b bytes.Buffer
	xs := []float64{100, 1000, 1e6}
	ss := []series{
		{name: "a <&> b", color: "#000000", ys: []float64{1e5, 0, 3e9}},
		{name: "zeros", color: "#ff0000", ys: []float64{0, math.NaN(), 0}},
	}
	if err := writePlot(&b, `title "quoted" & <tagged>`, "sub", xs, ss); err != nil {
		t.Fatal(err)
	}
	d := xml.NewDecoder(&b)
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed: %v\n%s", err, b.String())
		}
	}
}

func TestBenchJSONKeys(t *testing.T) {
	p := Point{Spec: Spec{Transport: "uxd", Size: 10}, GramsPerMemo: 1,
		Raw: Layer{Sent: 2, Received: 2, Bytes: 84, Elapsed: 1e9}, Memo: Layer{Sent: 2, Received: 1, Bytes: 10, Elapsed: 1e9}}
	var b bytes.Buffer
	if err := WriteJSON(&b, p, nil); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	if m["ratio"] != 10.0/84 && math.Abs(m["ratio"].(float64)-10.0/84) > 1e-4 || m["memo_lost"] != 1.0 || m["raw_dgrams_per_s"] != 2.0 || m["dgram_ratio"] != 0.5 {
		t.Errorf("%s", b.String())
	}
}

// TestCeilingJSON: a signed point reports its crypto ceiling and the ratio
// to it; an unsigned one leaves the keys out.
func TestCeilingJSON(t *testing.T) {
	p := Point{Spec: Spec{Transport: "uxd", Size: 10, Signed: true}, GramsPerMemo: 2,
		Memo:   Layer{Sent: 10, Received: 10, Bytes: 100, Elapsed: time.Second},
		Crypto: Crypto{Sign: 20 * time.Microsecond, Verify: 30 * time.Microsecond, Cores: 2}}
	var m map[string]any
	var b bytes.Buffer
	if err := WriteJSON(&b, p, nil); err != nil || json.Unmarshal(b.Bytes(), &m) != nil {
		t.Fatal(err, b.String())
	}
	// 2 cores ÷ 50 µs = 40,000 grams/s; the memo layer moved 20 grams/s.
	if m["ceiling_grams_per_s"] != 40000.0 || m["ceiling_ratio"] != 0.0005 || m["sign_us"] != 20.0 || m["cores"] != 2.0 {
		t.Errorf("%s", b.String())
	}
	p.Spec.Signed, p.Crypto = false, Crypto{}
	b.Reset()
	WriteJSON(&b, p, nil)
	if strings.Contains(b.String(), "ceiling") {
		t.Errorf("unsigned point has a ceiling: %s", b.String())
	}
}

func openUDP(string) (net.PacketConn, error) { return udp.Open(udp.Config{Addr: "127.0.0.1:0"}) }

// TestMeasureSigned: a signed run times the crypto and relates
// the memo layer to it.
func TestMeasureSigned(t *testing.T) {
	spec := Spec{Transport: "udp", Size: 5000, Signed: true, Duration: 80 * time.Millisecond, Open: openUDP}
	p, err := Measure(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Crypto.Sign <= 0 || p.Crypto.Verify <= 0 || p.Crypto.Cores <= 0 || !(p.CeilingRatio() > 0) {
		t.Errorf("crypto %+v, ceiling ratio %v", p.Crypto, p.CeilingRatio())
	}
	var b bytes.Buffer
	WriteTable(&b, p)
	if !strings.Contains(b.String(), "crypto ceiling") {
		t.Errorf("table:\n%s", b.String())
	}
}

// TestMeasureUDPBatched: over udp.Peer both layers take the batch path,
// which moves every datagram of the raw layer (counted per datagram, not
// per call).
func TestMeasureUDPBatched(t *testing.T) {
	spec := Spec{Transport: "udp", Size: 100_000, Duration: 80 * time.Millisecond, Open: openUDP}
	p, err := Measure(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !p.Batched || p.GramsPerMemo < 2 || p.Raw.Received == 0 || p.Memo.Received == 0 {
		t.Fatalf("batched %v, %d grams a memo, raw %+v, memo %+v", p.Batched, p.GramsPerMemo, p.Raw, p.Memo)
	}
	// Raw bytes are datagram bytes: the mean datagram times the count.
	if got := float64(p.Raw.Bytes) / float64(p.Raw.Received); math.Abs(got-p.DgramBytes) > p.DgramBytes/10 {
		t.Errorf("raw: %.0f bytes a datagram, want about %.0f", got, p.DgramBytes)
	}
}

// TestMeasureUDPUnbatched: with Spec.Unbatched neither layer sees the
// batch interfaces, and both still move their memos one datagram a call.
func TestMeasureUDPUnbatched(t *testing.T) {
	spec := Spec{Transport: "udp", Size: 100_000, Duration: 80 * time.Millisecond, Open: openUDP, Unbatched: true}
	p, err := Measure(context.Background(), spec, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Batched || p.Raw.Received == 0 || p.Memo.Received == 0 {
		t.Fatalf("batched %v, raw %+v, memo %+v", p.Batched, p.Raw, p.Memo)
	}
	c, _ := openUDP("")
	defer c.Close()
	u, err := unbatch(c)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := u.(transport.BatchWriter); ok {
		t.Error("unbatched endpoint still a BatchWriter")
	}
	if _, ok := u.(transport.BatchReader); ok {
		t.Error("unbatched endpoint still a BatchReader")
	}
	if _, ok := u.(transport.Peer); !ok {
		t.Error("unbatched endpoint no longer a Peer")
	}
}

// TestMeasureInterrupted: an ended context ends Measure with its error.
func TestMeasureInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	spec := Spec{Transport: "udp", Size: 100, Duration: time.Second, Open: openUDP}
	if _, err := Measure(ctx, spec, nil); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}
