package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

var benchCmd = &command{
	name:     "bench",
	summary:  "measure the raw transport and the memo layer over it, side by side",
	synopsis: "bench [--transport uxd|udp|wms] [--size BYTES] [--gram BYTES] [--duration DUR] [--signed] [--curt] [--json] [--plot FILE.svg]",
	about: `Opens two peers in this process, a sender and a receiver goroutine, and
measures in one run:

  raw   the transport alone: datagrams/s and bytes/s, sending the very grams
        the memo layer cuts a memo of --size bytes into (same sizes);
  memo  the memo layer: memos/s and memo bytes/s, cutting, signing,
        verifying and reassembling included.

ratio is memo bytes/s divided by raw bytes/s. Sends block rather than drop,
and the receiver drains while the sender runs, so nothing is lost on uxd and
wms. UDP drops what its buffers cannot hold: the sender keeps at most a
quarter of the receive buffer in flight, and anything still lost is counted.

--plot also sweeps memo sizes from 100 B to 4 MiB (--duration/5 per layer
and size, at least 100ms) and writes an SVG chart of both throughputs against
memo size. A progress bar is drawn on stderr when it is a terminal.

Sizes take k/M (×1000) and Ki/Mi (×1024) suffixes: 1500, 64Ki, 1M.`,
	examples: `  memogram bench
  memogram bench --transport udp --size 1000 --duration 5s
  memogram bench --size 1Mi --signed --curt --json
  memogram bench --plot throughput.svg`,
}

func init() { benchCmd.run = runBench }

// sweepSizes are the memo sizes --plot measures: about two per decade.
var sweepSizes = []int{100, 300, 1000, 3000, 10_000, 30_000, 100_000, 300_000, 1_000_000, 4 << 20}

const minSweepPhase = 100 * time.Millisecond

func runBench(ctx context.Context, e *env, args []string) error {
	c := benchCmd
	fs := newFlags(c)
	kind := fs.String("transport", defaultTransport(), "transport `NAME`: uxd, udp or wms")
	size := byteSize(1024)
	fs.Var(&size, "size", "memo size in `BYTES`")
	gram := byteSize(0)
	fs.Var(&gram, "gram", "gram size in `BYTES` (default: the transport's, 65535 or UDP's 1240)")
	d := fs.Duration("duration", 2*time.Second, "how long each layer runs, `DUR`")
	signed := fs.Bool("signed", false, "sign every gram (Ed25519, B vid) and verify it")
	curt := fs.Bool("curt", false, `binary ("curt") gram heads`)
	asJSON := fs.Bool("json", false, "print one JSON object instead of the table")
	plot := fs.String("plot", "", "also sweep memo sizes and write an SVG chart to `FILE.svg`")
	if help, err := c.parse(e, fs, args); help || err != nil {
		return err
	}
	if fs.NArg() != 0 {
		return usageErrorf("bench: unexpected argument %q", fs.Arg(0))
	}
	if !validTransport(*kind) {
		return usageErrorf("bench: unknown transport %q: want uxd, udp or wms", *kind)
	}
	if *d <= 0 {
		return usageErrorf("bench: --duration must be positive")
	}
	// Create the plot file before measuring, so that a bad path fails at
	// once rather than after the sweep.
	var plotFile *os.File
	if *plot != "" {
		f, err := os.Create(*plot)
		if err != nil {
			return badInput(fmt.Errorf("bench: --plot: %w", err))
		}
		plotFile = f
		defer f.Close()
	}

	spec := benchSpec{kind: *kind, size: int(size), gram: int(gram), curt: *curt, signed: *signed, d: *d}
	phases := 2
	sweepD := max(*d/5, minSweepPhase)
	if plotFile != nil {
		phases += 2 * len(sweepSizes)
	}
	prog := newProgress(e.stderr, phases)
	pt, err := measure(ctx, spec, prog)
	var sweep []benchPoint
	if err == nil && plotFile != nil {
		for _, sz := range sweepSizes {
			s := spec
			s.size, s.d = sz, sweepD
			var p benchPoint
			if p, err = measure(ctx, s, prog); err != nil {
				break
			}
			sweep = append(sweep, p)
		}
	}
	prog.finish()
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}

	if plotFile != nil {
		if err := writeSweepPlot(plotFile, spec, sweep); err != nil {
			return fmt.Errorf("bench: writing %s: %w", *plot, err)
		}
		if err := plotFile.Close(); err != nil {
			return fmt.Errorf("bench: writing %s: %w", *plot, err)
		}
	}
	if *asJSON {
		return writeBenchJSON(e.stdout, pt, sweep)
	}
	writeBenchTable(e.stdout, pt)
	if plotFile != nil {
		fmt.Fprintf(e.stdout, "\nsweep, %v per layer and size:\n", sweepD)
		writeSweepTable(e.stdout, sweep)
		fmt.Fprintf(e.stdout, "\nwrote %s\n", *plot)
	}
	return nil
}

// byteSize is a pflag value for sizes with k/M/Ki/Mi suffixes.
type byteSize int

func (b *byteSize) String() string { return strconv.Itoa(int(*b)) }
func (b *byteSize) Type() string   { return "bytes" }
func (b *byteSize) Set(s string) error {
	num, mult := strings.TrimSpace(s), 1
	for _, u := range []struct {
		suffix string
		mult   int
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"Ki", 1 << 10}, {"Mi", 1 << 20}, {"kB", 1000}, {"MB", 1_000_000}, {"k", 1000}, {"K", 1000}, {"M", 1_000_000}, {"B", 1}} {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = n, u.mult
			break
		}
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 0 || n > math.MaxInt32/mult {
		return fmt.Errorf("%q is not a size in bytes (e.g. 1500, 64Ki, 1M)", s)
	}
	*b = byteSize(n * mult)
	return nil
}

func sizeText(n int) string {
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

func writeBenchTable(w io.Writer, p benchPoint) {
	s := p.spec
	fmt.Fprintf(w, "memogram bench over %s: %s memos, %s heads, %s, gram size %d\n",
		s.kind, sizeText(s.size), formText(s.curt), signedText(s.signed), p.gramSize)
	fmt.Fprintf(w, "(%d gram(s) per memo, %.0f bytes each on average; %v per layer)\n\n", p.gramsPerMemo, p.dgramBytes, s.d)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "layer\tdatagrams/s\tthroughput\tmemos/s\tlost\t\n")
	fmt.Fprintf(tw, "raw\t%.0f\t%s\t-\t%d\t\n", p.rawDgramsPerS(), rateText(p.rawBytesPerS()), p.raw.lost())
	fmt.Fprintf(tw, "memo\t%.0f\t%s\t%.1f\t%d\t\n", p.memoGramsPerS(), rateText(p.memoBytesPerS()), p.memosPerS(), p.memo.lost())
	tw.Flush()
	fmt.Fprintf(w, "\nratio (memo bytes/s ÷ raw bytes/s): %.3f\n", p.ratio())
}

func writeSweepTable(w io.Writer, pts []benchPoint) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintf(tw, "memo size\tgrams\traw\tmemo\tmemos/s\tratio\t\n")
	for _, p := range pts {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%.1f\t%.3f\t\n", sizeText(p.spec.size), p.gramsPerMemo,
			rateText(p.rawBytesPerS()), rateText(p.memoBytesPerS()), p.memosPerS(), p.ratio())
	}
	tw.Flush()
}

// benchJSON is the --json object. Field names are a contract for scripts.
type benchJSON struct {
	Transport     string      `json:"transport"`
	Size          int         `json:"size"`
	GramSize      int         `json:"gram_size"`
	GramsPerMemo  int         `json:"grams_per_memo"`
	DgramBytes    float64     `json:"dgram_bytes"`
	Form          string      `json:"form"`
	Signed        bool        `json:"signed"`
	DurationS     float64     `json:"duration_s"`
	RawDgramsPerS float64     `json:"raw_dgrams_per_s"`
	RawBytesPerS  float64     `json:"raw_bytes_per_s"`
	RawLost       int64       `json:"raw_lost"`
	MemosPerS     float64     `json:"memos_per_s"`
	MemoBytesPerS float64     `json:"memo_bytes_per_s"`
	MemoGramsPerS float64     `json:"memo_grams_per_s"`
	MemoLost      int64       `json:"memo_lost"`
	Ratio         float64     `json:"ratio"`
	Sweep         []benchJSON `json:"sweep,omitempty"`
}

func toJSON(p benchPoint) benchJSON {
	form := "text"
	if p.spec.curt {
		form = "binary"
	}
	return benchJSON{
		Transport: p.spec.kind, Size: p.spec.size, GramSize: p.gramSize, GramsPerMemo: p.gramsPerMemo,
		DgramBytes: math.Round(p.dgramBytes*10) / 10, Form: form, Signed: p.spec.signed,
		DurationS:     p.spec.d.Seconds(),
		RawDgramsPerS: round1(p.rawDgramsPerS()), RawBytesPerS: round1(p.rawBytesPerS()), RawLost: p.raw.lost(),
		MemosPerS: round1(p.memosPerS()), MemoBytesPerS: round1(p.memoBytesPerS()),
		MemoGramsPerS: round1(p.memoGramsPerS()), MemoLost: p.memo.lost(),
		Ratio: math.Round(p.ratio()*1e4) / 1e4,
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

func writeBenchJSON(w io.Writer, p benchPoint, sweep []benchPoint) error {
	j := toJSON(p)
	for _, s := range sweep {
		j.Sweep = append(j.Sweep, toJSON(s))
	}
	enc := json.NewEncoder(w)
	return enc.Encode(j)
}

func writeSweepPlot(w io.Writer, spec benchSpec, pts []benchPoint) error {
	xs := make([]float64, len(pts))
	raw := series{name: "raw transport (datagram bytes/s)", color: "#1f77b4"}
	mem := series{name: "memo layer (memo bytes/s)", color: "#d62728"}
	for i, p := range pts {
		xs[i] = float64(p.spec.size)
		raw.ys = append(raw.ys, p.rawBytesPerS())
		mem.ys = append(mem.ys, p.memoBytesPerS())
	}
	gram := "transport default"
	if len(pts) > 0 {
		gram = strconv.Itoa(pts[0].gramSize)
	}
	title := fmt.Sprintf("memogram throughput over %s", spec.kind)
	sub := fmt.Sprintf("%s heads, %s, gram size %s bytes, %s per layer and size, %s",
		formText(spec.curt), signedText(spec.signed), gram, max(spec.d/5, minSweepPhase), time.Now().Format("2006-01-02"))
	return writePlot(w, title, sub, xs, []series{raw, mem})
}
