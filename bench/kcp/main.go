package main

import (
	"context"
	"flag"
	"fmt"
	"github.com/memogram/memogram/memo"
	"os"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
)

func main() {
	o := DefaultOptions
	mix := DefaultMix
	losses := flag.String("loss", "0,0.01,0.1", "loss rates to run, comma-separated fractions, dropped in each direction")
	systems := flag.String("systems", "plain,sure,kcp", "systems to run (plain only at 0 loss)")
	runs := flag.Int("runs", 1, "runs of every loss rate; each prints its table")
	flag.IntVar(&o.Workers, "workers", o.Workers, "concurrent SendSure calls")
	flag.Uint64Var(&o.Seed, "seed", o.Seed, "seed of the workload and the relay's drops")
	flag.IntVar(&mix.Small, "small", mix.Small, "memos of -small-size bytes")
	flag.IntVar(&mix.Large, "large", mix.Large, "memos of -large-size bytes")
	flag.IntVar(&mix.SmallSize, "small-size", mix.SmallSize, "bytes of a small memo")
	flag.IntVar(&mix.LargeSize, "large-size", mix.LargeSize, "bytes of a large memo")
	flag.Int64Var(&o.PlainCredit, "plain-credit", o.PlainCredit, "plain memogram: memo bytes sent and not yet arrived before the sender waits; 0 = unpaced")
	flag.IntVar(&o.SureWindow, "sure-window", o.SureWindow, "sender's SureConfig.Window in grams (0: memogram's default)")
	flag.IntVar(&o.SureAckEvery, "sure-ack-every", o.SureAckEvery, "receiver's SureConfig.AckEvery (0: memogram's default)")
	flag.IntVar(&o.KCPWindow, "kcp-window", o.KCPWindow, "kcp-go send and receive window, segments")
	flag.IntVar(&o.KCPMTU, "kcp-mtu", o.KCPMTU, "kcp-go MTU (UDP payload bytes)")
	flag.BoolVar(&o.KCPAckNoDelay, "kcp-acknodelay", o.KCPAckNoDelay, "kcp-go SetACKNoDelay")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the runs to this file")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}

	var rates []float64
	for s := range strings.SplitSeq(*losses, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || v < 0 || v >= 1 {
			fmt.Fprintf(os.Stderr, "bad loss rate %q\n", s)
			os.Exit(2)
		}
		rates = append(rates, v)
	}
	want := make(map[string]bool)
	for s := range strings.SplitSeq(*systems, ",") {
		want[strings.TrimSpace(s)] = true
	}
	w := NewWorkload(mix, o.Seed)
	fmt.Printf("memogram Sure vs kcp-go v5.7.6 — %d memos (%d × %d B, %d × %d B), %.1f MiB; GOMAXPROCS %d, %s/%s\n",
		len(w.Memos), mix.Small, mix.SmallSize, mix.Large, mix.LargeSize, float64(w.Bytes)/(1<<20), runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	sw, ae := o.SureWindow, o.SureAckEvery
	if sw == 0 {
		sw = memo.DefaultSureWindow
	}
	if ae == 0 {
		ae = memo.DefaultAckEvery
	}
	fmt.Printf("sure: window %d grams, AckEvery %d, %d SendSure goroutines; kcp: NoDelay(1,10,2,1), window %d, MTU %d, stream mode, ACKNoDelay %v\n",
		sw, ae, o.Workers, o.KCPWindow, o.KCPMTU, o.KCPAckNoDelay)
	failed := false
	tables := make(map[float64][]Table)
	for run := range *runs {
		for _, loss := range rates {
			t, err := RunTable(context.Background(), w, loss, o, want, run)
			if err != nil {
				fmt.Fprintln(os.Stderr, err)
				os.Exit(1)
			}
			tables[loss] = append(tables[loss], t)
			if *runs > 1 {
				fmt.Printf("run %d, %g %% loss:", run+1, loss*100)
				for _, s := range Systems {
					if r, ok := t.Results[s.Name]; ok {
						fmt.Printf(" %s %.1f MB/s %.0f MB/CPU-s p50 %s p99 %s;", s.Name, r.Goodput(), r.PerCPU(), ms(r.Percentile(0.5)), ms(r.Percentile(0.99)))
					}
				}
				fmt.Println()
			}
			for _, r := range t.Results {
				failed = failed || r.Bad > 0 || (r.System != "plain" && r.Delivered != r.Memos)
			}
		}
	}
	for _, loss := range rates {
		Summarize(tables[loss]).Print(os.Stdout)
	}
	if failed {
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

// RunTable runs the wanted systems over one loss rate, one after another,
// starting with Systems[rotate%len(Systems)] so that repeated runs take
// turns at going first on a machine whose load drifts.
func RunTable(ctx context.Context, w *Workload, loss float64, o Options, want map[string]bool, rotate int) (Table, error) {
	t := Table{Loss: loss, Results: make(map[string]Result), Runs: 1}
	for k := range Systems {
		s := Systems[(k+rotate)%len(Systems)]
		if !want[s.Name] || (s.Name == "plain" && loss > 0) {
			continue
		}
		runtime.GC()
		cpu := cpuTime()
		r, err := s.Run(ctx, w, loss, o)
		r.CPU = cpuTime() - cpu
		if err != nil {
			return t, fmt.Errorf("%s at %g loss: %w", s.Name, loss, err)
		}
		t.Results[s.Name] = r
	}
	return t, nil
}
