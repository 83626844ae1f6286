package main

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/ultra-kit/ultra/harness"
)

// featureFormats are the godog formatters `ultra features --format` accepts.
var featureFormats = map[string]bool{"pretty": true, "progress": true, "junit": true, "cucumber": true}

func runFeatures(ctx context.Context, args []string, e env) error {
	fs := newFlags("features", "[--target inprocess|container|real|URL] [--tags EXPR] [--format pretty|progress|junit:FILE|cucumber:FILE] [--concurrency N]", e)
	targetFlag := fs.String("target", "", "where to run: inprocess (default), container (Docker), real (real providers, keys from the environment) or a gateway URL (default $ULTRA_TARGET_URL, else inprocess)")
	tags := fs.String("tags", "", `tag expression selecting scenarios, e.g. "~@slow" or "@mock-providers && ~@slow"`)
	format := fs.String("format", "pretty", "pretty, progress, junit:FILE or cucumber:FILE; comma-separated for several")
	concurrency := fs.Int("concurrency", 1, "scenarios run at once (fault-injecting scenarios need 1)")
	noColors := fs.Bool("no-colors", false, "no ANSI colours in the output")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("features: unexpected argument %q", fs.Arg(0))
	}
	if err := checkFormats(*format); err != nil {
		return err
	}
	if *concurrency < 1 {
		return usageErr("features: --concurrency must be at least 1, got %d", *concurrency)
	}
	name := *targetFlag
	if name == "" {
		name = e.getenv("ULTRA_TARGET_URL")
	}
	if name == "" {
		name = "inprocess"
	}
	fmt.Fprintf(e.stderr, "ultra features: starting target %s\n", name)
	target, err := startTarget(ctx, name, e)
	if err != nil {
		return &exitError{code: 2, msg: "features: " + err.Error()}
	}
	defer target.Close()

	res, err := harness.Run(ctx, harness.Options{
		Target: target, Tags: *tags, Format: *format, Output: e.stdout,
		Concurrency: *concurrency, NoColors: *noColors,
	})
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
		return failed("features: no scenario selected (tags %q)", *tags)
	}
	return nil
}

func checkFormats(list string) error {
	for _, f := range strings.Split(list, ",") {
		name, file, hasFile := strings.Cut(strings.TrimSpace(f), ":")
		if !featureFormats[name] {
			return usageErr("features: unknown format %q (use pretty, progress, junit:FILE or cucumber:FILE)", f)
		}
		if hasFile && file == "" {
			return usageErr("features: format %q needs a file name after the colon", f)
		}
	}
	return nil
}

func startTarget(ctx context.Context, name string, e env) (harness.Target, error) {
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
		return harness.ExternalFromEnv(ctx, name, e.getenv)
	}
	return nil, fmt.Errorf("unknown target %q (use inprocess, container, real or a URL)", name)
}
