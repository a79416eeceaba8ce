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
}

// Ratio is a's goodput over b's, 0 when either is missing.
func (t Table) Ratio(a, b string) float64 {
	ra, oka := t.Results[a]
	rb, okb := t.Results[b]
	if !oka || !okb || rb.Goodput() == 0 {
		return 0
	}
	return ra.Goodput() / rb.Goodput()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2f", float64(d)/1e6) }

// Print writes the table in Markdown.
func (t Table) Print(w io.Writer) {
	fmt.Fprintf(w, "\n### %g %% loss, both directions\n\n", t.Loss*100)
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', tabwriter.Debug)
	fmt.Fprintln(tw, "| system\t goodput MB/s\t p50 ms\t p99 ms\t delivered\t datagrams A→B\t B→A\t")
	fmt.Fprintln(tw, "|---\t---\t---\t---\t---\t---\t---\t")
	names := make([]string, 0, len(t.Results))
	for _, s := range Systems {
		if _, ok := t.Results[s.Name]; ok {
			names = append(names, s.Name)
		}
	}
	for _, n := range names {
		r := t.Results[n]
		fmt.Fprintf(tw, "| %s\t %.1f\t %s\t %s\t %d/%d\t %d\t %d\t\n", n, r.Goodput(), ms(r.Percentile(0.5)), ms(r.Percentile(0.99)),
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
