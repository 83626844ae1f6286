package harness

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cucumber/godog"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/spec"
)

// Options configure Run. The zero value (with a Target) runs every supported scenario with the pretty
// formatter on stdout.
type Options struct {
	// Target is the system under test; it must not be nil.
	Target Target
	// Tags is a godog tag expression ("@auth", "~@slow", "@a && ~@b", "," for or); "" selects all.
	// Scenarios whose tags the target does not support are excluded and listed in Result.Skipped.
	Tags string
	// Format is a godog format list: pretty (default), progress, junit, cucumber, each optionally
	// ":FILE" to write to a file, comma separated.
	Format string
	// Output receives the formatters' output; nil means os.Stdout.
	Output io.Writer
	// Concurrency runs that many scenarios at once (default 1). Scenarios that inject faults share
	// the mock server's fault set, so values above 1 are only safe for suites without them.
	Concurrency int
	// TestingT, when set, runs each scenario as a subtest of it.
	TestingT *testing.T
	// Features is the feature tree; nil means the embedded ultra.Features().
	Features fs.FS
	// Paths selects features inside Features ("auth.feature", "auth.feature:12"); nil means all.
	Paths []string
	// NoColors strips ANSI colours from the output.
	NoColors bool
	// HTTPClient sends the steps' requests; nil means a client with a 60 s timeout.
	HTTPClient *http.Client
	// Journal, when set, records every exchange of the run (a fresh one otherwise).
	Journal *Journal
	// Contract is the document every exchange is checked against; nil means the embedded Ultra
	// contract.
	Contract *spec.Document
	// Getenv reads the variables of {env:VAR} placeholders; nil means none is set.
	Getenv func(string) string
}

// Result is the outcome of Run.
type Result struct {
	// Scenarios is how many scenarios ran; Failed how many of them failed.
	Scenarios, Failed int
	// Failures are the failed scenarios with the step and error that failed them.
	Failures []Failure
	// Skipped are the scenarios the target could not run, with the reason.
	Skipped []Skip
	// Violations are the exchanges of the whole run whose response (or conforming request) violated
	// the contract, including those sent by hooks, where no step reports them.
	Violations []*Exchange
	// Exchanges is how many exchanges were checked against the contract.
	Exchanges int
	// Status is godog's exit status: 0 passed, 1 failed, 2 options error.
	Status int
	// Duration is the wall time of the run.
	Duration time.Duration
	// Contract is the name of the document the exchanges were checked against.
	Contract string
	// Report is every scenario that ran, with its steps, for reports (in the order they finished).
	Report []ScenarioReport
}

// Passed reports whether every selected scenario passed and no exchange of the run violated the
// contract.
func (r *Result) Passed() bool { return r.Status == 0 && r.Failed == 0 && len(r.Violations) == 0 }

// Failure is one failed scenario.
type Failure struct {
	Feature, Scenario, Step string
	Err                     error
}

// Skip is one scenario the target could not run.
type Skip struct {
	Feature, Scenario, Reason string
}

// Run runs the feature suites against opts.Target and returns what happened. It returns an error when
// the options are unusable or the features cannot be parsed; failing scenarios are reported in the
// Result, not as an error.
func Run(ctx context.Context, opts Options) (*Result, error) {
	if opts.Target == nil {
		return nil, errors.New("run: no target")
	}
	start := time.Now()
	opts = withDefaults(opts)
	doc := opts.Contract
	if doc == nil {
		var err error
		if doc, err = ultra.LoadContract(); err != nil {
			return nil, fmt.Errorf("load the contract: %w", err)
		}
	}
	format, htmlFile, err := splitFormats(opts.Format)
	if err != nil {
		return nil, err
	}
	unsupported := Unsupported(opts.Target)
	skipTags := make([]string, 0, len(unsupported))
	for t := range unsupported {
		skipTags = append(skipTags, t)
	}
	skipped, err := skippedScenarios(opts.Features, opts.Paths, opts.Tags, unsupported)
	if err != nil {
		return nil, err
	}
	st := &steps{
		target:  opts.Target,
		client:  NewClient(doc, opts.HTTPClient, opts.Journal),
		doc:     doc,
		journal: opts.Journal,
		getenv:  opts.Getenv,
	}
	rec := newRecorder()
	suite := godog.TestSuite{
		Name: "ultra",
		ScenarioInitializer: func(sc *godog.ScenarioContext) {
			st.register(sc)
			rec.hooks(sc)
		},
		Options: &godog.Options{
			Strict:         true,
			Format:         format,
			Output:         opts.Output,
			Concurrency:    max(opts.Concurrency, 1),
			TestingT:       opts.TestingT,
			FS:             opts.Features,
			Paths:          opts.Paths,
			Tags:           tagFilter(opts.Tags, skipTags),
			NoColors:       opts.NoColors,
			DefaultContext: ctx,
		},
	}
	res := &Result{Skipped: skipped, Status: suite.Run(), Contract: doc.Name()}
	rec.fill(res)
	for _, x := range opts.Journal.Exchanges() {
		res.Exchanges++
		if len(x.Violations) > 0 {
			res.Violations = append(res.Violations, x)
		}
	}
	res.Duration = time.Since(start)
	if htmlFile != "" {
		if err := writeHTMLFile(htmlFile, opts.Target.Name(), res); err != nil {
			return res, err
		}
	}
	if res.Status == 2 {
		return res, errors.New("run: godog refused the options (see the output above)")
	}
	return res, nil
}

// withDefaults fills the zero fields of opts with their documented defaults.
func withDefaults(opts Options) Options {
	if opts.Features == nil {
		opts.Features = ultra.Features()
	}
	if len(opts.Paths) == 0 {
		opts.Paths = []string{"."}
	}
	if opts.Format == "" {
		opts.Format = "pretty"
	}
	if opts.Output == nil {
		opts.Output = os.Stdout
	}
	if opts.Journal == nil {
		opts.Journal = &Journal{}
	}
	return opts
}

func featureOf(uri string) string {
	uri = strings.TrimPrefix(uri, "./")
	if i := strings.LastIndex(uri, ":"); i > 0 && !strings.HasSuffix(uri, ".feature") {
		uri = uri[:i]
	}
	return uri
}

// skippedScenarios lists the scenarios selected by tags that the target cannot run, with why.
func skippedScenarios(fsys fs.FS, paths []string, tags string, unsupported map[string]string) ([]Skip, error) {
	ts := godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: paths, Tags: tags}}
	feats, err := ts.RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("parse features: %w", err)
	}
	var out []Skip
	for _, ft := range feats {
		for _, p := range ft.Pickles {
			var reasons []string
			for _, t := range p.Tags {
				if why, ok := unsupported[strings.TrimPrefix(t.Name, "@")]; ok {
					reasons = append(reasons, t.Name+": "+why)
				}
			}
			if len(reasons) > 0 {
				sort.Strings(reasons)
				out = append(out, Skip{Feature: featureOf(ft.Uri), Scenario: p.Name, Reason: strings.Join(reasons, "; ")})
			}
		}
	}
	return out, nil
}

// WriteSummary writes a plain summary of r: counts, every skipped scenario with its reason, and every
// failed scenario with the step and the error (which quotes the exchange).
func WriteSummary(w io.Writer, target string, r *Result) {
	fmt.Fprintf(w, "\n== ultra features against %s: %d scenarios, %d passed, %d failed, %d skipped (%s)\n",
		target, r.Scenarios, r.Scenarios-r.Failed, r.Failed, len(r.Skipped), r.Duration.Round(time.Millisecond))
	if len(r.Skipped) > 0 {
		fmt.Fprintln(w, "Skipped (the target cannot run them):")
		for _, s := range r.Skipped {
			fmt.Fprintf(w, "  - %s: %s\n      because %s\n", s.Feature, s.Scenario, s.Reason)
		}
	}
	contract := r.Contract
	if contract == "" {
		contract = "openapi.yaml"
	}
	fmt.Fprintf(w, "Contract: %d exchanges checked against %s, %d violated it\n", r.Exchanges, contract, len(r.Violations))
	for _, x := range r.Violations {
		fmt.Fprintf(w, "  - %s\n", strings.ReplaceAll(x.String(), "\n", "\n    "))
	}
	writeLoads(w, r)
	if len(r.Failures) > 0 {
		fmt.Fprintln(w, "Failed:")
		for _, f := range r.Failures {
			fmt.Fprintf(w, "  - %s: %s\n      step: %s\n      %s\n", f.Feature, f.Scenario, f.Step,
				strings.ReplaceAll(fmt.Sprint(f.Err), "\n", "\n      "))
		}
	}
}

// writeLoads writes what every load step of the run measured.
func writeLoads(w io.Writer, r *Result) {
	header := false
	for _, sc := range r.Report {
		for _, st := range sc.Steps {
			if st.Load == nil {
				continue
			}
			if !header {
				fmt.Fprintln(w, "Load (vegeta):")
				header = true
			}
			fmt.Fprintf(w, "  - %s: %s\n      %s\n", sc.Feature, sc.Scenario, strings.ReplaceAll(st.Load.Summary(), "\n", "\n      "))
		}
	}
}
