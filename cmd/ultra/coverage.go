package main

import (
	"context"
	"flag"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/spec"
)

// coverageFlag registers the --coverage FILE flag every recording command shares.
func coverageFlag(fs *flag.FlagSet) *string {
	return fs.String("coverage", "", "write coverage (operation × status, media types, parameters, body properties; the kit's one format, see `ultra coverage`) to `FILE` at the end")
}

// coverageRecorder is the recorder for --coverage FILE, nil when file is "" (nothing recorded).
func coverageRecorder(source, file string, mounts ...coverage.Mount) *coverage.Recorder {
	if file == "" {
		return nil
	}
	return coverage.New(source, mounts...)
}

// writeCoverage writes rec's report to file; "" or a nil recorder writes nothing.
func writeCoverage(cmd, file string, rec *coverage.Recorder) error {
	if file == "" || rec == nil {
		return nil
	}
	rep := rec.Report()
	if err := writeFile(file, rep.Write); err != nil {
		return usageErr("%s: --coverage: %v", cmd, err)
	}
	return nil
}

func runCoverage(ctx context.Context, args []string, e env) error {
	fs := newFlags("coverage", "FILE... [--html FILE] [--json FILE] [--fail-under PERCENT]", e)
	html := fs.String("html", "", "write the merged coverage as one self-contained HTML page to `FILE`")
	jsonFile := fs.String("json", "", "write the merged coverage (same format as the inputs) to `FILE`")
	failUnder := fs.String("fail-under", "", "exit with status 1 when operation × status coverage is below `PERCENT` (0-100)")
	// flags may follow the files: parse them, then the rest again
	var files []string
	rest := args
	for {
		if err := parse(fs, rest); err != nil {
			return err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) == 0 {
		return usageErr("coverage: give one or more coverage files (written with --coverage FILE by proxy, mock, verify or features)")
	}
	threshold := -1.0
	if *failUnder != "" {
		v, err := strconv.ParseFloat(strings.TrimSuffix(*failUnder, "%"), 64)
		if err != nil || v < 0 || v > 100 {
			return usageErr("coverage: --fail-under wants a percentage from 0 to 100, got %q", *failUnder)
		}
		threshold = v
	}
	var reports []*coverage.Report
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			return usageErr("coverage: %v", err)
		}
		r, err := coverage.Read(fh)
		fh.Close()
		if err != nil {
			return usageErr("coverage: %s: %v", f, err)
		}
		reports = append(reports, r)
	}
	merged := coverage.Merge(reports...)
	if err := merged.WriteText(e.stdout); err != nil {
		return err
	}
	if *html != "" {
		if err := writeFile(*html, merged.WriteHTML); err != nil {
			return usageErr("coverage: --html: %v", err)
		}
	}
	if *jsonFile != "" {
		if err := writeFile(*jsonFile, merged.Write); err != nil {
			return usageErr("coverage: --json: %v", err)
		}
	}
	if pct := merged.Totals().Percent(); threshold >= 0 && pct < threshold {
		return failed("coverage: operation × status coverage %.1f%% is under %s%%", pct, strconv.FormatFloat(threshold, 'f', -1, 64))
	}

	return nil
}

// featuresCoverage is the recorder and the steps' client for --coverage FILE (nil, nil without it):
// the client records every exchange with the target against the contract (the embedded one when nil).
func featuresCoverage(file string, contract *spec.Document, baseURL string) (*coverage.Recorder, *http.Client, error) {
	if file == "" {
		return nil, nil, nil
	}
	doc := contract
	if doc == nil {
		var err error
		if doc, err = spec.Load(ultra.Contract(), spec.Options{Name: "openapi.yaml (embedded)"}); err != nil {
			return nil, nil, err
		}
	}
	rec := coverage.New("features", coverage.Mount{Doc: doc})
	return rec, &http.Client{Timeout: 60 * time.Second, Transport: rec.Transport(nil, baseURL)}, nil
}
