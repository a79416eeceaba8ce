package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/memogram/memogram/internal/bench"
)

// TestBenchJSON: one JSON object with the documented keys and a ratio > 0,
// on every transport of this OS, and signed with binary heads.
func TestBenchJSON(t *testing.T) {
	runs := [][]string{{"--curt", "--signed", "--size", "3000"}}
	for _, k := range localTransports() {
		runs = append(runs, []string{"--transport", k})
	}
	for _, extra := range runs {
		t.Run(strings.Join(extra, " "), func(t *testing.T) {
			args := append([]string{"bench", "--json", "--duration", "200ms"}, extra...)
			r := mustRun(t, nil, args...)
			if strings.Count(strings.TrimSpace(r.stdout), "\n") != 0 {
				t.Fatalf("want one line of JSON, got %q", r.stdout)
			}
			var got map[string]any
			if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
				t.Fatalf("not JSON: %v: %q", err, r.stdout)
			}
			for _, k := range []string{"raw_dgrams_per_s", "raw_bytes_per_s", "memos_per_s", "memo_bytes_per_s", "ratio",
				"transport", "size", "gram_size", "form", "signed", "duration_s"} {
				if _, ok := got[k]; !ok {
					t.Errorf("key %q missing: %s", k, r.stdout)
				}
			}
			for _, k := range []string{"raw_dgrams_per_s", "raw_bytes_per_s", "memos_per_s", "memo_bytes_per_s", "ratio", "dgram_ratio"} {
				if v, _ := got[k].(float64); !(v > 0) {
					t.Errorf("%s = %v, want > 0", k, got[k])
				}
			}
			if r.stderr != "" {
				t.Errorf("stderr not empty without a terminal: %q", r.stderr)
			}
		})
	}
}

// TestBenchPlot: --plot writes a well-formed SVG with both series.
func TestBenchPlot(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plot.svg")
	r := mustRun(t, nil, "bench", "--duration", "100ms", "--size", "500", "--plot", path)
	if !strings.Contains(r.stdout, "wrote "+path) || !strings.Contains(r.stdout, "4 MiB") {
		t.Errorf("stdout does not show the sweep and the file: %s", r.stdout)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := xml.NewDecoder(f)
	var root string
	lines, points := 0, 0
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s is not well-formed XML: %v", path, err)
		}
		if se, ok := tok.(xml.StartElement); ok {
			if root == "" {
				root = se.Name.Local
				if se.Name.Space != "http://www.w3.org/2000/svg" {
					t.Errorf("root namespace %q", se.Name.Space)
				}
			}
			switch se.Name.Local {
			case "polyline":
				lines++
			case "circle":
				points++
			}
		}
	}
	if root != "svg" || lines != 2 || points < 2*len(bench.SweepSizes)-2 {
		t.Errorf("root %q, %d polylines, %d points; want svg, 2, about %d", root, lines, points, 2*len(bench.SweepSizes))
	}
}

// bench --unbatched measures both layers one datagram a call.
func TestBenchUnbatched(t *testing.T) {
	r := mustRun(t, nil, "bench", "--transport", "udp", "--size", "10000", "--unbatched", "--duration", "200ms", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	if m["batched"] != false || m["ratio"].(float64) <= 0 {
		t.Fatalf("bench --unbatched --json: %s", r.stdout)
	}
}

// bench --sure --drop measures Sure against plain memos over lossy links.
func TestBenchSure(t *testing.T) {
	r := mustRun(t, nil, "bench", "--transport", "udp", "--size", "10000", "--sure", "--drop", "0.05", "--duration", "400ms", "--json")
	var m map[string]any
	if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
		t.Fatalf("stdout %q: %v", r.stdout, err)
	}
	s, ok := m["sure"].(map[string]any)
	if !ok || s["failed"] != float64(0) || s["delivered"].(float64) == 0 || m["drop"] != 0.05 {
		t.Fatalf("bench --sure --json: %s", r.stdout)
	}
	for _, args := range [][]string{{"--drop", "0.1"}, {"--sure", "--drop", "1"}, {"--sure", "--plot", filepath.Join(t.TempDir(), "x.svg")}, {"--sure", "--unbatched"}} {
		if r := runCLI(t, nil, append([]string{"bench"}, args...)...); r.code != exitUsage {
			t.Errorf("bench %v: %v", args, r)
		}
	}
}

// bench --udp-buffer raises both layers' socket buffers, and with them the
// window the senders keep; it is refused off UDP.
func TestBenchUDPBuffer(t *testing.T) {
	window := func(args ...string) float64 {
		r := mustRun(t, nil, append([]string{"bench", "--transport", "udp", "--size", "10000", "--duration", "100ms", "--json"}, args...)...)
		var m map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &m); err != nil {
			t.Fatalf("stdout %q: %v", r.stdout, err)
		}
		w, _ := m["window_bytes"].(float64)
		return w
	}
	def, small := window(), window("--udp-buffer", "256Ki")
	if def <= 0 || small <= 0 || small >= def {
		t.Fatalf("window_bytes %v by default, %v with 256 KiB buffers: want both set, the second smaller", def, small)
	}
	if r := runCLI(t, nil, "bench", "--transport", "uxd", "--udp-buffer", "4Mi"); r.code != 2 || !strings.Contains(r.stderr, "--udp-buffer needs --transport udp") {
		t.Fatalf("off UDP: exit %d, stderr %q", r.code, r.stderr)
	}
}
