package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/memogram/memogram/udp"
)

func udpSpec(size int) Spec {
	return Spec{Transport: "udp", Size: size, Duration: 400 * time.Millisecond,
		Open: func(string) (net.PacketConn, error) { return udp.Open(udp.Config{Addr: "127.0.0.1:0"}) }}
}

// A Sure run over lossy links delivers every memo, sends grams again, and
// reports both layers; plain memos of many grams mostly die at 10 % loss.
func TestMeasureSureLossy(t *testing.T) {
	pt, err := MeasureSure(context.Background(), SureSpec{Spec: udpSpec(20_000), Drop: 0.1, Workers: 4}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Sure.Received == 0 || pt.Sure.Received != pt.Sure.Sent || pt.Failed != 0 {
		t.Fatalf("sure: %+v, %d failed", pt.Sure, pt.Failed)
	}
	if pt.Retransmits == 0 || pt.Acks == 0 {
		t.Fatalf("10 %% loss and %d retransmits, %d acks", pt.Retransmits, pt.Acks)
	}
	if pt.Plain.Sent == 0 || pt.Plain.Lost() == 0 {
		t.Fatalf("plain over 10 %% loss of %d-gram memos lost nothing: %+v", pt.GramsPerMemo, pt.Plain)
	}
	if p50, p99 := pt.Percentile(0.5), pt.Percentile(0.99); p50 <= 0 || p99 < p50 || len(pt.Latency) != int(pt.Sure.Received) {
		t.Fatalf("latencies p50 %v p99 %v over %d memos", p50, p99, len(pt.Latency))
	}
	var b bytes.Buffer
	WriteSureTable(&b, pt)
	if !strings.Contains(b.String(), "sure/plain goodput") {
		t.Fatalf("table:\n%s", b.String())
	}
	b.Reset()
	if err := WriteSureJSON(&b, pt); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"plain", "sure", "sure_per_plain", "drop", "grams_per_memo"} {
		if _, ok := m[k]; !ok {
			t.Errorf("JSON has no %q: %s", k, b.String())
		}
	}
}

// Lossless, both layers deliver everything, and the ratio is a ratio.
func TestMeasureSureLossless(t *testing.T) {
	pt, err := MeasureSure(context.Background(), SureSpec{Spec: udpSpec(64 << 10)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if pt.Plain.Received == 0 || pt.Sure.Received == 0 || pt.Ratio() <= 0 || pt.Spec.Workers != 8 {
		t.Fatalf("plain %+v sure %+v ratio %v workers %d", pt.Plain, pt.Sure, pt.Ratio(), pt.Spec.Workers)
	}
}
