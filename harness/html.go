package harness

import (
	"fmt"
	"html/template"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/curl"
)

// splitFormats takes the html:FILE entries out of a godog format list, which godog would not
// understand. It returns the rest ("pretty" when nothing is left) and the HTML file, or an error when
// html has no file or is given twice.
func splitFormats(list string) (format, htmlFile string, err error) {
	var rest []string
	for _, f := range strings.Split(list, ",") {
		f = strings.TrimSpace(f)
		name, file, _ := strings.Cut(f, ":")
		if name != "html" {
			rest = append(rest, f)
			continue
		}
		if file == "" {
			return "", "", fmt.Errorf("format %q needs a file name: html:FILE", f)
		}
		if htmlFile != "" {
			return "", "", fmt.Errorf("format html given twice (%s and %s)", htmlFile, file)
		}
		htmlFile = file
	}
	if len(rest) == 0 {
		rest = []string{"pretty"}
	}
	return strings.Join(rest, ","), htmlFile, nil
}

func writeHTMLFile(path, target string, r *Result) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("html report: %w", err)
	}
	if err := WriteHTML(f, target, r); err != nil {
		f.Close()
		return fmt.Errorf("html report %s: %w", path, err)
	}
	return f.Close()
}

// WriteHTML writes r as one self-contained HTML page (no scripts, styles or fonts fetched): totals,
// each feature with its scenarios and steps and their durations, for a failed step its exchange
// (request, response, violated pointers) and a curl command to reproduce it, for a load step its
// measurements with the latency distribution and the throughput over time as inline SVG, and the
// scenarios not run with why.
func WriteHTML(w io.Writer, target string, r *Result) error {
	return reportPage.Execute(w, newHTMLReport(target, r))
}

type htmlReport struct {
	Target, Contract                         string
	Scenarios, Passed, Failed, Skipped, Exch int
	Violations                               int
	Duration                                 string
	Features                                 []htmlFeature
	Skips                                    []Skip
}

type htmlFeature struct {
	Name      string
	Scenarios []ScenarioReport
}

func newHTMLReport(target string, r *Result) htmlReport {
	rep := htmlReport{Target: target, Contract: r.Contract, Scenarios: r.Scenarios, Failed: r.Failed,
		Passed: r.Scenarios - r.Failed, Skipped: len(r.Skipped), Exch: r.Exchanges, Violations: len(r.Violations),
		Duration: r.Duration.Round(time.Millisecond).String(), Skips: r.Skipped}
	byFeature := map[string]*htmlFeature{}
	for _, s := range r.Report {
		f := byFeature[s.Feature]
		if f == nil {
			f = &htmlFeature{Name: s.Feature}
			byFeature[s.Feature] = f
		}
		f.Scenarios = append(f.Scenarios, s)
	}
	for _, f := range byFeature {
		rep.Features = append(rep.Features, *f)
	}
	sort.Slice(rep.Features, func(i, j int) bool { return rep.Features[i].Name < rep.Features[j].Name })
	return rep
}

// Curl is a shell command that sends x's request again. The Authorization header's value is
// replaced by a placeholder so reports do not carry credentials.
func Curl(x *Exchange) string {
	if x == nil {
		return ""
	}
	var body []byte
	if len(x.RequestBody) > 0 {
		body = x.RequestBody
	}
	return curl.Command(x.Method, x.URL, x.RequestHeader, body,
		curl.Options{Flags: "-i", Sep: " \\\n  ", Mask: map[string]string{"Authorization": "$AUTHORIZATION"}})
}

var reportFuncs = template.FuncMap{
	"dur":  func(d time.Duration) string { return d.Round(time.Millisecond).String() },
	"curl": Curl,
	"body": func(b []byte) string {
		if len(b) == 0 {
			return "(empty)"
		}
		return string(b)
	},
	"headers": func(h http.Header) string {
		var lines []string
		for k, vs := range h {
			for _, v := range vs {
				if http.CanonicalHeaderKey(k) == "Authorization" {
					v = "(redacted)"
				}
				lines = append(lines, k+": "+v)
			}
		}
		sort.Strings(lines)
		return strings.Join(lines, "\n")
	},
	"describe":      describe,
	"latencySVG":    latencySVG,
	"throughputSVG": throughputSVG,
}
