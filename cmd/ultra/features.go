package main

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"strings"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/spec"
)

// featureFormats are the formats `ultra features --format` accepts.
var featureFormats = map[string]bool{"pretty": true, "progress": true, "junit": true, "cucumber": true, "html": true}

// featureFlags are the parsed flags of `ultra features`.
type featureFlags struct {
	target, tags, format, spec string
	features                   listFlag
	embedded, noColors         bool
	listSteps, dryRun          bool
	concurrency                int
	coverage                   *string
}

func parseFeatureFlags(args []string, e env) (*featureFlags, error) {
	f := &featureFlags{}
	fs := newFlags("features", "[--features PATH]... [--spec FILE] [--target inprocess|container|real|URL] [--tags EXPR] [--format pretty|progress|junit:FILE|cucumber:FILE|html:FILE] [--list-steps] [--dry-run]", e)
	fs.StringVar(&f.target, "target", "", "where to run: inprocess (default), container (Docker), real (real providers, keys from the environment) or a service URL (default $ULTRA_TARGET_URL, else inprocess)")
	fs.Var(&f.features, "features", "feature `PATH` to run (a file, FILE:LINE or a folder); repeatable; without it the embedded Ultra suites run")
	fs.BoolVar(&f.embedded, "embedded", false, "with --features, run the embedded Ultra suites too")
	fs.StringVar(&f.spec, "spec", "", "OpenAPI `FILE` every exchange is checked against (default: the embedded Ultra contract); with a URL target, the target is any service")
	fs.StringVar(&f.tags, "tags", "", `tag expression selecting scenarios, e.g. "~@slow" or "@mock-providers && ~@slow"`)
	fs.StringVar(&f.format, "format", "pretty", "pretty, progress, junit:FILE, cucumber:FILE or html:FILE; comma-separated for several")
	fs.IntVar(&f.concurrency, "concurrency", 1, "scenarios run at once (fault-injecting scenarios need 1)")
	fs.BoolVar(&f.noColors, "no-colors", false, "no ANSI colours in the output")
	fs.BoolVar(&f.listSteps, "list-steps", false, "print every step with its pattern, an example and its group, and exit")
	f.coverage = coverageFlag(fs)
	fs.BoolVar(&f.dryRun, "dry-run", false, "parse the features and report undefined or ambiguous steps (exit 2 if any) without running them")
	if err := parse(fs, args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageErr("features: unexpected argument %q (use --features PATH)", fs.Arg(0))
	}
	if err := checkFormats(f.format); err != nil {
		return nil, err
	}
	if f.concurrency < 1 {
		return nil, usageErr("features: --concurrency must be at least 1, got %d", f.concurrency)
	}
	if f.embedded && len(f.features) == 0 {
		return nil, usageErr("features: --embedded only makes sense with --features (the embedded suites run by default)")
	}
	return f, nil
}

func runFeatures(ctx context.Context, args []string, e env) error {
	f, err := parseFeatureFlags(args, e)
	if err != nil {
		return err
	}
	if f.listSteps {
		harness.WriteSteps(e.stdout)
		return nil
	}
	fsys, paths, err := featureSet(f)
	if err != nil {
		return &exitError{code: 2, msg: err.Error()}
	}
	if f.dryRun {
		return dryRun(e, fsys, paths)
	}
	var contract *spec.Document
	if f.spec != "" {
		if contract, err = spec.LoadFile(f.spec); err != nil {
			return loadErr(err)
		}
	}
	name := f.target
	if name == "" {
		name = e.getenv("ULTRA_TARGET_URL")
	}
	if name == "" {
		name = "inprocess"
	}
	fmt.Fprintf(e.stderr, "ultra features: starting target %s\n", name)
	target, err := startTarget(ctx, name, contract != nil, e)
	if err != nil {
		return &exitError{code: 2, msg: "features: " + err.Error()}
	}
	defer target.Close()

	rec, client, err := featuresCoverage(*f.coverage, contract, target.BaseURL())
	if err != nil {
		return loadErr(err)
	}
	res, err := harness.Run(ctx, harness.Options{
		Target: target, Tags: f.tags, Format: f.format, Output: e.stdout, Features: fsys, Paths: paths,
		Concurrency: f.concurrency, NoColors: f.noColors, Contract: contract, Getenv: e.getenv, HTTPClient: client,
	})
	if cerr := writeCoverage("features", *f.coverage, rec); cerr != nil {
		return cerr
	}
	if err != nil {
		return &exitError{code: 2, msg: "features: " + err.Error()}
	}
	harness.WriteSummary(e.stdout, target.Name(), res)
	switch {
	case ctx.Err() != nil:
		return failed("features: interrupted")
	case !res.Passed():
		return failed("features: %d of %d scenarios failed, %d exchanges violated the contract", res.Failed, res.Scenarios, len(res.Violations))
	case res.Scenarios == 0:
		return failed("features: no scenario selected (tags %q)", f.tags)
	}
	return nil
}

// featureSet is the feature files to run: those of --features (and the embedded ones with
// --embedded), else the embedded suites (nil: harness.Run's default).
func featureSet(f *featureFlags) (fs.FS, []string, error) {
	if len(f.features) == 0 {
		return nil, nil, nil
	}
	return harness.FeatureFiles(f.features, f.embedded)
}

func dryRun(e env, fsys fs.FS, paths []string) error {
	problems, err := harness.DryRun(fsys, paths)
	if err != nil {
		return &exitError{code: 2, msg: "features: " + err.Error()}
	}
	for _, p := range problems {
		fmt.Fprintln(e.stdout, p)
	}
	if len(problems) > 0 {
		return &exitError{code: 2, msg: fmt.Sprintf("features: %d undefined or ambiguous steps", len(problems))}
	}
	fmt.Fprintln(e.stdout, "ultra features: every step is defined")
	return nil
}

func checkFormats(list string) error {
	for _, f := range strings.Split(list, ",") {
		name, file, hasFile := strings.Cut(strings.TrimSpace(f), ":")
		if !featureFormats[name] {
			return usageErr("features: unknown format %q (use pretty, progress, junit:FILE, cucumber:FILE or html:FILE)", f)
		}
		if (hasFile || name == "html") && file == "" {
			return usageErr("features: format %q needs a file name after the colon", f)
		}
	}
	return nil
}

// startTarget starts or reaches the named target. A URL with a --spec contract is any service (its
// mock admin API at ULTRA_MOCK_ADMIN_URL, if any); a URL without one is an Ultra gateway.
func startTarget(ctx context.Context, name string, anyService bool, e env) (harness.Target, error) {
	logger := slog.New(slog.DiscardHandler)
	switch name {
	case "inprocess", "in-process":
		return harness.StartInProcess(ctx, harness.InProcessOptions{Logger: logger})
	case "container":
		return harness.StartContainers(ctx, harness.ContainerOptions{Log: e.stderr})
	case "real":
		return harness.StartReal(ctx, e.getenv, logger)
	}
	if strings.Contains(name, "://") {
		if anyService {
			return harness.NewService(ctx, name, harness.ServiceOptions{AdminURL: e.getenv("ULTRA_MOCK_ADMIN_URL")})
		}
		return harness.ExternalFromEnv(ctx, name, e.getenv)
	}
	return nil, fmt.Errorf("unknown target %q (use inprocess, container, real or a URL)", name)
}
