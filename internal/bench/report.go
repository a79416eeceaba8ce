package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"text/tabwriter"
	"time"
)

// SizeText writes a byte count the way sizes are given: 1 MiB, 64 KiB, 1 kB.
func SizeText(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1e6 && n%1e6 == 0:
		return fmt.Sprintf("%d MB", n/1e6)
	case n >= 1e3 && n%1e3 == 0:
		return fmt.Sprintf("%d kB", n/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

func rateText(bytesPerS float64) string {
	switch {
	case bytesPerS >= 1e9:
		return fmt.Sprintf("%.2f GB/s", bytesPerS/1e9)
	case bytesPerS >= 1e6:
		return fmt.Sprintf("%.1f MB/s", bytesPerS/1e6)
	}
	return fmt.Sprintf("%.1f kB/s", bytesPerS/1e3)
}

func formText(curt bool) string {
	if curt {
		return "binary (curt)"
	}
	return "text"
}

func signedText(signed bool) string {
	if signed {
		return "signed"
	}
	return "unsigned"
}

func pathText(batched bool) string {
	if batched {
		return "batched (sendmmsg/recvmmsg where the OS has them) on both layers"
	}
	return "one datagram per call on both layers"
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

// WriteTable prints p as `memogram bench` does.
func WriteTable(w io.Writer, p Point) {
	s := p.Spec
	fmt.Fprintf(w, "memogram bench over %s: %s memos, %s heads, %s, gram size %d\n",
		s.Transport, SizeText(s.Size), formText(s.Curt), signedText(s.Signed), p.GramSize)
	fmt.Fprintf(w, "(%d gram(s) per memo, %.0f bytes each on average; %v per layer; %s)\n",
		p.GramsPerMemo, p.DgramBytes, s.Duration, pathText(p.Batched))
	if p.Window > 0 {
		fmt.Fprintf(w, "(at most %s in flight, a quarter of the receive buffer: UDP drops what it cannot hold)\n", SizeText(int(p.Window)))
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\tdatagrams/s\tthroughput\tmemos/s\tlost\t\n")
	fmt.Fprintf(tw, "raw\t%.0f\t%s\t-\t%d\t\n", p.RawDgramsPerS(), rateText(p.RawBytesPerS()), p.Raw.Lost())
	fmt.Fprintf(tw, "memo\t%.0f\t%s\t%.1f\t%d\t\n", p.MemoGramsPerS(), rateText(p.MemoBytesPerS()), p.MemosPerS(), p.Memo.Lost())
	tw.Flush()
	fmt.Fprintf(w, "\nratio (memo bytes/s ÷ raw bytes/s): %.3f\n", p.Ratio())
	fmt.Fprintf(w, "ratio (memo grams/s ÷ raw datagrams/s): %.3f\n", p.DgramRatio())
	if c := p.Crypto; c.Cores > 0 {
		fmt.Fprintf(w, "crypto ceiling (%d cores ÷ (sign %.1f µs + verify %.1f µs a gram, one core)): %.0f grams/s\n",
			c.Cores, micros(c.Sign), micros(c.Verify), c.Ceiling())
		fmt.Fprintf(w, "ratio (memo grams/s ÷ crypto ceiling): %.3f\n", p.CeilingRatio())
	}
}

// WriteSweepTable prints a sweep, one line per memo size.
func WriteSweepTable(w io.Writer, pts []Point) {
	signed := len(pts) > 0 && pts[0].Crypto.Cores > 0
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	if signed {
		fmt.Fprintf(tw, "memo size\tgrams\traw\tmemo\tmemos/s\tratio\tceiling ratio\t\n")
	} else {
		fmt.Fprintf(tw, "memo size\tgrams\traw\tmemo\tmemos/s\tratio\t\n")
	}
	for _, p := range pts {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.1f\t%.3f\t", SizeText(p.Spec.Size), p.GramsPerMemo,
			rateText(p.RawBytesPerS()), rateText(p.MemoBytesPerS()), p.MemosPerS(), p.Ratio())
		if signed {
			fmt.Fprintf(tw, "%.3f\t", p.CeilingRatio())
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
}

// pointJSON is the --json object. Field names are a contract for scripts.
type pointJSON struct {
	Transport     string  `json:"transport"`
	Size          int     `json:"size"`
	GramSize      int     `json:"gram_size"`
	GramsPerMemo  int     `json:"grams_per_memo"`
	DgramBytes    float64 `json:"dgram_bytes"`
	Form          string  `json:"form"`
	Signed        bool    `json:"signed"`
	Batched       bool    `json:"batched"`
	DurationS     float64 `json:"duration_s"`
	RawDgramsPerS float64 `json:"raw_dgrams_per_s"`
	RawBytesPerS  float64 `json:"raw_bytes_per_s"`
	RawLost       int64   `json:"raw_lost"`
	MemosPerS     float64 `json:"memos_per_s"`
	MemoBytesPerS float64 `json:"memo_bytes_per_s"`
	MemoGramsPerS float64 `json:"memo_grams_per_s"`
	MemoLost      int64   `json:"memo_lost"`
	Ratio         float64 `json:"ratio"`
	DgramRatio    float64 `json:"dgram_ratio"`
	// UDP only: the bytes either sender keeps in flight.
	WindowBytes int64 `json:"window_bytes,omitempty"`
	// Signed memos only: the crypto ceiling of this run.
	Cores            int         `json:"cores,omitempty"`
	SignUS           float64     `json:"sign_us,omitempty"`
	VerifyUS         float64     `json:"verify_us,omitempty"`
	CeilingGramsPerS float64     `json:"ceiling_grams_per_s,omitempty"`
	CeilingRatio     float64     `json:"ceiling_ratio,omitempty"`
	Sweep            []pointJSON `json:"sweep,omitempty"`
}

func toJSON(p Point) pointJSON {
	form := "text"
	if p.Spec.Curt {
		form = "binary"
	}
	j := pointJSON{
		Transport: p.Spec.Transport, Size: p.Spec.Size, GramSize: p.GramSize, GramsPerMemo: p.GramsPerMemo,
		DgramBytes: round1(p.DgramBytes), Form: form, Signed: p.Spec.Signed, Batched: p.Batched,
		DurationS:     p.Spec.Duration.Seconds(),
		RawDgramsPerS: round1(p.RawDgramsPerS()), RawBytesPerS: round1(p.RawBytesPerS()), RawLost: p.Raw.Lost(),
		MemosPerS: round1(p.MemosPerS()), MemoBytesPerS: round1(p.MemoBytesPerS()),
		MemoGramsPerS: round1(p.MemoGramsPerS()), MemoLost: p.Memo.Lost(),
		Ratio: round4(p.Ratio()), DgramRatio: round4(p.DgramRatio()), WindowBytes: p.Window,
	}
	if c := p.Crypto; c.Cores > 0 {
		j.Cores, j.SignUS, j.VerifyUS = c.Cores, round1(micros(c.Sign)), round1(micros(c.Verify))
		j.CeilingGramsPerS, j.CeilingRatio = round1(c.Ceiling()), round4(p.CeilingRatio())
	}
	return j
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
func round4(v float64) float64 { return math.Round(v*1e4) / 1e4 }

// WriteJSON prints p, and the sweep if any, as one JSON object on one line.
func WriteJSON(w io.Writer, p Point, sweep []Point) error {
	j := toJSON(p)
	for _, s := range sweep {
		j.Sweep = append(j.Sweep, toJSON(s))
	}
	return json.NewEncoder(w).Encode(j)
}

// WriteSweepPlot draws a sweep as an SVG chart of both layers' throughput
// against memo size.
func WriteSweepPlot(w io.Writer, spec Spec, pts []Point) error {
	xs := make([]float64, len(pts))
	raw := series{name: "raw transport (datagram bytes/s)", color: "#1f77b4"}
	mem := series{name: "memo layer (memo bytes/s)", color: "#d62728"}
	for i, p := range pts {
		xs[i] = float64(p.Spec.Size)
		raw.ys = append(raw.ys, p.RawBytesPerS())
		mem.ys = append(mem.ys, p.MemoBytesPerS())
	}
	gram := "transport default"
	if len(pts) > 0 {
		gram = strconv.Itoa(pts[0].GramSize)
		if pts[0].Batched {
			gram += ", batched"
		}
	}
	title := fmt.Sprintf("memogram throughput over %s", spec.Transport)
	sub := fmt.Sprintf("%s heads, %s, gram size %s bytes, %s per layer and size, %s",
		formText(spec.Curt), signedText(spec.Signed), gram, SweepDuration(spec.Duration), time.Now().Format("2006-01-02"))
	return writePlot(w, title, sub, xs, []series{raw, mem})
}
