package bench

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"math"
	"strings"
)

// series is one line of a chart.
type series struct {
	name  string
	color string
	ys    []float64 // bytes/s, one per x; 0 or NaN leaves a gap
}

// Chart geometry, in SVG user units.
const (
	plotW, plotH         = 760, 460
	padL, padR           = 80, 24
	padT, padB           = 56, 64
	innerW, innerH       = plotW - padL - padR, plotH - padT - padB
	legendX, legendY     = padL + 16, padT + 18
	fontFamily           = "Helvetica, Arial, sans-serif"
	gridColor, axisColor = "#d8d8d8", "#333333"
)

// writePlot draws throughput (bytes/s, shown in MB/s) against memo size. It is drawn by hand: the chart is simple, and memogram
// keeps its dependencies to the protocol's needs.
func writePlot(w io.Writer, title, subtitle string, xs []float64, ss []series) error {
	if len(xs) == 0 {
		return fmt.Errorf("plot: no points")
	}
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, x := range xs {
		lo, hi = min(lo, x), max(hi, x)
	}
	dlo, dhi := math.Floor(math.Log10(max(lo, 1))), math.Ceil(math.Log10(max(hi, 1)))
	if dhi <= dlo {
		dhi = dlo + 1
	}
	// Both axes are logarithmic: throughput spans orders of magnitude
	// between small and large memos, and between the raw and the signed
	// memo layer.
	ylo, yhi := math.Inf(1), math.Inf(-1)
	for _, s := range ss {
		for _, y := range s.ys {
			if y > 0 && !math.IsInf(y, 0) {
				ylo, yhi = min(ylo, y/1e6), max(yhi, y/1e6)
			}
		}
	}
	if math.IsInf(ylo, 1) {
		ylo, yhi = 1, 10
	}
	elo, ehi := math.Floor(math.Log10(ylo)), math.Ceil(math.Log10(yhi))
	if ehi <= elo {
		ehi = elo + 1
	}
	px := func(x float64) float64 {
		return padL + (math.Log10(max(x, 1))-dlo)/(dhi-dlo)*innerW
	}
	py := func(mbps float64) float64 { return padT + innerH - (math.Log10(mbps)-elo)/(ehi-elo)*innerH }

	var b bytes.Buffer
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?>`+"\n")
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="%s" font-size="12">`+"\n",
		plotW, plotH, plotW, plotH, fontFamily)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", plotW, plotH)
	fmt.Fprintf(&b, `<text x="%d" y="24" font-size="16" font-weight="bold">%s</text>`+"\n", padL, esc(title))
	fmt.Fprintf(&b, `<text x="%d" y="42" fill="#555555">%s</text>`+"\n", padL, esc(subtitle))

	// Grid and ticks every decade.
	for e := elo; e <= ehi; e++ {
		y := py(math.Pow(10, e))
		fmt.Fprintf(&b, `<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="%s"/>`+"\n", padL, y, padL+innerW, y, gridColor)
		fmt.Fprintf(&b, `<text x="%d" y="%.1f" text-anchor="end" dominant-baseline="middle">%s</text>`+"\n", padL-8, y, esc(trimFloat(math.Pow(10, e))))
	}
	for d := dlo; d <= dhi; d++ {
		x := padL + (d-dlo)/(dhi-dlo)*innerW
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s"/>`+"\n", x, padT, x, padT+innerH, gridColor)
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" text-anchor="middle">%s</text>`+"\n", x, padT+innerH+18, esc(decadeLabel(int(d))))
	}
	fmt.Fprintf(&b, `<path d="M%d %d V%d H%d" fill="none" stroke="%s"/>`+"\n", padL, padT, padT+innerH, padL+innerW, axisColor)
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">memo size (bytes, log scale)</text>`+"\n", padL+innerW/2, plotH-18)
	fmt.Fprintf(&b, `<text transform="translate(20 %d) rotate(-90)" text-anchor="middle">throughput (MB/s, log scale)</text>`+"\n", padT+innerH/2)

	for i, s := range ss {
		var pts []string
		for j, y := range s.ys {
			if j >= len(xs) || !(y > 0) || math.IsInf(y, 0) {
				continue // nothing arrived: no point on a log axis
			}
			pts = append(pts, fmt.Sprintf("%.1f,%.1f", px(xs[j]), py(y/1e6)))
		}
		if len(pts) > 0 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(pts, " "), s.color)
			for _, p := range pts {
				x, y, _ := strings.Cut(p, ",")
				fmt.Fprintf(&b, `<circle cx="%s" cy="%s" r="3" fill="%s"/>`+"\n", x, y, s.color)
			}
		}
		ly := legendY + 18*i
		fmt.Fprintf(&b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>`+"\n", legendX, ly, legendX+24, ly, s.color)
		fmt.Fprintf(&b, `<text x="%d" y="%d" dominant-baseline="middle">%s</text>`+"\n", legendX+30, ly, esc(s.name))
	}
	b.WriteString("</svg>\n")
	_, err := w.Write(b.Bytes())
	return err
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.3f", v)
	s = strings.TrimRight(s, "0")
	return strings.TrimSuffix(s, ".")
}

func decadeLabel(d int) string {
	switch {
	case d < 3:
		return fmt.Sprintf("%d B", int(math.Pow(10, float64(d))))
	case d < 6:
		return fmt.Sprintf("%d kB", int(math.Pow(10, float64(d-3))))
	case d < 9:
		return fmt.Sprintf("%d MB", int(math.Pow(10, float64(d-6))))
	}
	return fmt.Sprintf("%d GB", int(math.Pow(10, float64(d-9))))
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}
