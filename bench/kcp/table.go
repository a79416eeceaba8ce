package main

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Table is the results of one loss rate, by system.
type Table struct {
	Loss    float64
	Results map[string]Result
	Runs    int // how many runs it summarizes

	// Summarized tables: per system, the median of the runs' goodputs and
	// percentiles, the goodput range, and the median of the runs' ratios.
	goodput, p50, p99, lo, hi, percpu map[string]float64
	ratios                            map[string]float64
}

// Summarize takes the medians of several runs' tables of one loss rate.
func Summarize(ts []Table) Table {
	s := Table{Results: make(map[string]Result), Runs: len(ts),
		goodput: map[string]float64{}, p50: map[string]float64{}, p99: map[string]float64{},
		lo: map[string]float64{}, hi: map[string]float64{}, percpu: map[string]float64{}, ratios: map[string]float64{}}
	if len(ts) == 0 {
		return s
	}
	s.Loss = ts[0].Loss
	for _, sys := range Systems {
		var gp, p50, p99, pc []float64
		for _, t := range ts {
			r, ok := t.Results[sys.Name]
			if !ok {
				continue
			}
			s.Results[sys.Name] = r // the last run's counts
			gp = append(gp, r.Goodput())
			pc = append(pc, r.PerCPU())
			p50 = append(p50, float64(r.Percentile(0.5)))
			p99 = append(p99, float64(r.Percentile(0.99)))
		}
		if len(gp) == 0 {
			continue
		}
		s.goodput[sys.Name], s.p50[sys.Name], s.p99[sys.Name] = median(gp), median(p50), median(p99)
		s.percpu[sys.Name] = median(pc)
		s.lo[sys.Name], s.hi[sys.Name] = gp[0], gp[len(gp)-1] // median sorted them
	}
	for _, pair := range [][2]string{{"sure", "plain"}, {"sure", "kcp"}} {
		var rs, cs []float64
		for _, t := range ts {
			if v := t.Ratio(pair[0], pair[1]); v > 0 {
				rs = append(rs, v)
			}
			if v := t.CPURatio(pair[0], pair[1]); v > 0 {
				cs = append(cs, v)
			}
		}
		if len(rs) > 0 {
			s.ratios[pair[0]+"/"+pair[1]] = median(rs)
		}
		if len(cs) > 0 {
			s.ratios["cpu:"+pair[0]+"/"+pair[1]] = median(cs)
		}
	}
	return s
}

// Ratio is a's goodput over b's, 0 when either is missing.
func (t Table) Ratio(a, b string) float64 {
	if t.ratios != nil {
		return t.ratios[a+"/"+b]
	}
	ra, oka := t.Results[a]
	rb, okb := t.Results[b]
	if !oka || !okb || rb.Goodput() == 0 {
		return 0
	}
	return ra.Goodput() / rb.Goodput()
}

// CPURatio is a's bytes per CPU second over b's, 0 when either is missing.
func (t Table) CPURatio(a, b string) float64 {
	if t.ratios != nil {
		return t.ratios["cpu:"+a+"/"+b]
	}
	ra, oka := t.Results[a]
	rb, okb := t.Results[b]
	if !oka || !okb || rb.PerCPU() == 0 {
		return 0
	}
	return ra.PerCPU() / rb.PerCPU()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/1e6) }

// Print writes the table in Markdown.
func (t Table) Print(w io.Writer) {
	if t.Runs > 1 {
		fmt.Fprintf(w, "\n### %g %% loss, both directions (medians of %d runs)\n\n", t.Loss*100, t.Runs)
	} else {
		fmt.Fprintf(w, "\n### %g %% loss, both directions\n\n", t.Loss*100)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| system\t goodput MB/s\t range\t MB per CPU-s\t p50 ms\t p99 ms\t delivered\t datagrams A→B\t B→A\t")
	fmt.Fprintln(tw, "|---\t---\t---\t---\t---\t---\t---\t---\t---\t")
	names := make([]string, 0, len(t.Results))
	for _, s := range Systems {
		if _, ok := t.Results[s.Name]; ok {
			names = append(names, s.Name)
		}
	}
	for _, n := range names {
		r := t.Results[n]
		gp, rng, pc, p50, p99 := r.Goodput(), "", r.PerCPU(), r.Percentile(0.5), r.Percentile(0.99)
		if t.goodput != nil {
			gp, pc, p50, p99 = t.goodput[n], t.percpu[n], time.Duration(t.p50[n]), time.Duration(t.p99[n])
			rng = fmt.Sprintf("%.1f–%.1f", t.lo[n], t.hi[n])
		}
		fmt.Fprintf(tw, "| %s\t %.1f\t %s\t %.0f\t %s\t %s\t %d/%d\t %d\t %d\t\n", n, gp, rng, pc, ms(p50), ms(p99),
			r.Delivered, r.Memos, r.Datagrams[0]+r.Dropped[0], r.Datagrams[1]+r.Dropped[1])
	}
	tw.Flush()
	var ratios []string
	if v := t.Ratio("sure", "plain"); v > 0 {
		ratios = append(ratios, fmt.Sprintf("sure/plain %.2f", v))
	}
	if v := t.Ratio("sure", "kcp"); v > 0 {
		ratios = append(ratios, fmt.Sprintf("sure/kcp %.2f", v))
	}
	if len(ratios) > 0 {
		fmt.Fprintf(w, "\ngoodput ratios: %s\n", strings.Join(ratios, ", "))
	}
	var cpu []string
	for _, pair := range [][2]string{{"sure", "plain"}, {"sure", "kcp"}} {
		if v := t.CPURatio(pair[0], pair[1]); v > 0 {
			cpu = append(cpu, fmt.Sprintf("%s/%s %.2f", pair[0], pair[1], v))
		}
	}
	if len(cpu) > 0 {
		fmt.Fprintf(w, "bytes per CPU-second ratios: %s\n", strings.Join(cpu, ", "))
	}
	for _, n := range names {
		r := t.Results[n]
		if r.Bad > 0 || len(r.Errors) > 0 {
			fmt.Fprintf(w, "%s: %d bad arrivals; %s\n", n, r.Bad, strings.Join(r.Errors[:min(len(r.Errors), 3)], "; "))
		}
	}
}

// median of xs (xs is reordered).
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[len(xs)/2]
}
