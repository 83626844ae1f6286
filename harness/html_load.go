package harness

import (
	"fmt"
	"html"
	"html/template"
	"math"
	"strings"
	"time"
)

// The load charts of the HTML report: inline SVG drawn here, no script and nothing fetched.

const (
	chartW, chartH         = 520.0, 220.0
	padL, padR, padT, padB = 56.0, 24.0, 14.0, 36.0
)

// latencySVG draws the HDR-style latency distribution of a load step: latency (ms, linear) against
// the percentile on a log scale of 1/(1-q), so the tail from p90 to p99.99 gets as much room as the
// body.
func latencySVG(r *LoadReport) template.HTML {
	if r == nil || len(r.Percentiles) == 0 {
		return ""
	}
	maxMS := 0.0
	for _, p := range r.Percentiles {
		maxMS = math.Max(maxMS, msf(p.Latency))
	}
	maxMS = niceCeil(maxMS)
	const maxX = 4.0 // log10(1/(1-0.9999))
	x := func(q float64) float64 { return padL + (chartW-padL-padR)*math.Min(logOdds(q), maxX)/maxX }
	y := func(v float64) float64 { return chartH - padB - (chartH-padT-padB)*v/maxMS }
	var b strings.Builder
	openSVG(&b, "load-latency", "Latency distribution of "+r.Method+" "+r.URL)
	axes(&b, maxMS, "ms")
	for i, label := range []string{"0%", "90%", "99%", "99.9%", "99.99%"} {
		px := padL + (chartW-padL-padR)*float64(i)/maxX
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#ddd"/>`, px, padT, px, chartH-padB)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">%s</text>`, px, chartH-padB+14, label)
	}
	var pts []string
	for _, p := range r.Percentiles {
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x(p.Quantile), y(msf(p.Latency))))
	}
	fmt.Fprintf(&b, `<polyline class="curve" fill="none" stroke="#0969da" stroke-width="2" points="%s"/>`, strings.Join(pts, " "))
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">percentile</text>`, padL+(chartW-padL-padR)/2, chartH-4)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: built from numbers and escaped text only
}

// throughputSVG draws the responses per second over the run, one stacked bar per interval: 2xx/3xx
// green, 4xx amber, 5xx and no response red.
func throughputSVG(r *LoadReport) template.HTML {
	if r == nil || len(r.Timeline) == 0 {
		return ""
	}
	per := float64(time.Second) / float64(r.IntervalWidth())
	maxRate := 0.0
	for _, iv := range r.Timeline {
		maxRate = math.Max(maxRate, float64(iv.OK+iv.Other+iv.Failed)*per)
	}
	maxRate = niceCeil(maxRate)
	barW := (chartW - padL - padR) / float64(len(r.Timeline))
	y := func(v float64) float64 { return (chartH - padT - padB) * v / maxRate }
	var b strings.Builder
	openSVG(&b, "load-throughput", "Responses per second of "+r.Method+" "+r.URL)
	axes(&b, maxRate, "/s")
	base := chartH - padB
	for i, iv := range r.Timeline {
		px := padL + float64(i)*barW
		top := base
		for _, seg := range []struct {
			n     int
			class string
			color string
		}{{iv.OK, "ok", "#2da44e"}, {iv.Other, "other", "#d4a72c"}, {iv.Failed, "failed", "#cf222e"}} {
			if seg.n == 0 {
				continue
			}
			h := y(float64(seg.n) * per)
			top -= h
			fmt.Fprintf(&b, `<rect class="%s" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s: %d</title></rect>`,
				seg.class, px+0.5, top, math.Max(barW-1, 0.5), h, seg.color, iv.Start, seg.n)
		}
	}
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="start">0</text>`, padL, base+14)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, chartW-padR, base+14, r.Duration)
	fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle">time since start (%s bars)</text>`, padL+(chartW-padL-padR)/2, chartH-4, r.IntervalWidth())
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: built from numbers and escaped text only
}

func openSVG(b *strings.Builder, class, title string) {
	fmt.Fprintf(b, `<svg class="%s" xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" viewBox="0 0 %.0f %.0f" role="img" font-size="10" font-family="system-ui, sans-serif"><title>%s</title>`,
		class, chartW, chartH, chartW, chartH, html.EscapeString(title))
}

// axes draws the frame and four horizontal grid lines labelled from 0 to top.
func axes(b *strings.Builder, top float64, unit string) {
	for i := 0; i <= 4; i++ {
		v := top * float64(i) / 4
		py := chartH - padB - (chartH-padT-padB)*float64(i)/4
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#eee"/>`, padL, py, chartW-padR, py)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s %s</text>`, padL-4, py+3, trimFloat(v), unit)
	}
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="none" stroke="#999"/>`, padL, padT, chartW-padL-padR, chartH-padT-padB)
}

// logOdds is log10(1/(1-q)): 0 at q=0, 1 at 0.9, 2 at 0.99.
func logOdds(q float64) float64 {
	if q >= 1 {
		return math.Inf(1)
	}
	return math.Log10(1 / (1 - q))
}

func msf(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// niceCeil rounds v up to 1, 2 or 5 times a power of ten (1 for v <= 0).
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}

func trimFloat(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}
