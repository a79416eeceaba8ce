package main

import (
	"context"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/memogram/memogram/internal/bench"
)

var benchCmd = &command{
	name:     "bench",
	summary:  "measure the raw transport and the memo layer over it, side by side",
	synopsis: "bench [--transport uxd|udp|wms] [--size BYTES] [--gram BYTES] [--duration DUR] [--signed] [--curt] [--unbatched] [--udp-buffer BYTES] [--json] [--plot FILE.svg] [--sure [--drop RATE]]",
	about: `Opens two peers in this process, a sender and a receiver goroutine, and
measures in one run:

  raw   the transport alone: datagrams/s and bytes/s, sending the very grams
        the memo layer cuts a memo of --size bytes into (same sizes), through
        the same kernel path: in batches where the transport batches (UDP on
        Linux: sendmmsg/recvmmsg), one datagram per call where it does not;
  memo  the memo layer: memos/s and memo bytes/s, cutting, signing,
        verifying and reassembling included.

ratio is memo bytes/s divided by raw bytes/s. With --signed, the run also
times Ed25519 signing and verifying of these grams on one core and reports
the crypto ceiling, cores / (sign + verify) grams/s, with memo grams/s
divided by it. Sends block rather than drop,
and the receiver drains while the sender runs, so nothing is lost on uxd and
wms. UDP drops what its buffers cannot hold: the sender keeps at most a
quarter of the receive buffer in flight (window_bytes), and anything still
lost is counted. A memo larger than that window is sent whole and waited for
whole, so the memo layer then has one memo in flight where the raw layer
streams; --udp-buffer raises both layers' socket buffers (and the window)
alike.

--sure measures Sure delivery instead (docs/sure.md): plain memos and Sure
memos by turns, each over its own pair of endpoints that drop --drop of the
datagrams each way (acks too), with 8 SendSure calls in flight; it reports
both goodputs, their ratio, Sure's latency to the final ack (p50, p99) and
the grams sent again. Plain memos that lose a gram are lost; Sure memos
are all delivered, or the bench fails.

--plot also sweeps memo sizes from 100 B to 4 MiB (--duration/5 per layer
and size, at least 100ms) and writes an SVG chart of both throughputs against
memo size. A progress bar is drawn on stderr when it is a terminal.

Sizes take k/M (×1000) and Ki/Mi (×1024) suffixes: 1500, 64Ki, 1M.`,
	examples: `  memogram bench
  memogram bench --transport udp --size 1000 --duration 5s
  memogram bench --transport udp --size 1Mi --udp-buffer 4Mi
  memogram bench --size 1Mi --signed --curt --json
  memogram bench --plot throughput.svg
  memogram bench --transport udp --size 64Ki --sure --drop 0.1`,
}

func init() { benchCmd.run = runBench }

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
	sure := fs.Bool("sure", false, "measure Sure delivery against plain memos over lossy links")
	drop := fs.Float64("drop", 0, "with --sure, drop this `RATE` (0…1) of the datagrams each way")
	udpBuf := byteSize(0)
	fs.Var(&udpBuf, "udp-buffer", "with --transport udp, SO_SNDBUF and SO_RCVBUF of every endpoint in `BYTES` (default hio's, 1,024 grams' worth; Linux caps it at net.core.rmem_max)")
	unbatched := fs.Bool("unbatched", false, "one datagram per system call on both layers (UDP: sendto/recvfrom, not sendmmsg/recvmmsg): the baseline for batching")
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
	if *drop < 0 || *drop >= 1 {
		return usageErrorf("bench: --drop %v: want a rate from 0 up to (not including) 1", *drop)
	}
	if fs.Changed("drop") && !*sure {
		return usageErrorf("bench: --drop needs --sure")
	}
	if fs.Changed("udp-buffer") && (*kind != tUDP || udpBuf <= 0) {
		return usageErrorf("bench: --udp-buffer needs --transport udp and a positive size")
	}
	if *sure && *unbatched {
		return usageErrorf("bench: --unbatched measures the plain memo layer; it does not go with --sure")
	}
	if *sure && *plot != "" {
		return usageErrorf("bench: --plot sweeps the plain memo layer; it does not go with --sure")
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

	s, err := newScratch(*kind)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	defer s.cleanup()
	opened := 0 // a sweep opens many endpoints: each gets a name of its own
	spec := bench.Spec{Transport: *kind, Size: int(size), Gram: int(gram), Curt: *curt, Signed: *signed, Duration: *d,
		Unbatched: *unbatched,
		Open: func(role string) (net.PacketConn, error) {
			opened++
			ep := s.endpoint(role+"-"+strconv.Itoa(opened), nil)
			ep.udpBuf = int(udpBuf)
			return ep.open(int(gram))
		}}
	if *sure {
		prog := newProgress(e.stderr, 1)
		pt, err := bench.MeasureSure(ctx, bench.SureSpec{Spec: spec, Drop: *drop}, prog)
		prog.finish()
		if ctx.Err() != nil {
			return errInterrupted
		}
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
		if *asJSON {
			return bench.WriteSureJSON(e.stdout, pt)
		}
		bench.WriteSureTable(e.stdout, pt)
		return nil
	}
	phases := 2
	if plotFile != nil {
		phases += 2 * len(bench.SweepSizes)
	}
	prog := newProgress(e.stderr, phases)
	pt, err := bench.Measure(ctx, spec, prog)
	var sweep []bench.Point
	if err == nil && plotFile != nil {
		sweep, err = bench.Sweep(ctx, spec, prog)
	}
	prog.finish()
	if ctx.Err() != nil {
		return errInterrupted
	}
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}

	if plotFile != nil {
		if err := bench.WriteSweepPlot(plotFile, spec, sweep); err != nil {
			return fmt.Errorf("bench: writing %s: %w", *plot, err)
		}
		if err := plotFile.Close(); err != nil {
			return fmt.Errorf("bench: writing %s: %w", *plot, err)
		}
	}
	if *asJSON {
		return bench.WriteJSON(e.stdout, pt, sweep)
	}
	bench.WriteTable(e.stdout, pt)
	if plotFile != nil {
		fmt.Fprintf(e.stdout, "\nsweep, %v per layer and size:\n", bench.SweepDuration(*d))
		bench.WriteSweepTable(e.stdout, sweep)
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
