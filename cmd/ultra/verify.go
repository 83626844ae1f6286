package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
)

// verifyList collects a repeatable flag; comma-separated values are split.
type verifyList struct {
	values []string
	split  bool
}

func (l *verifyList) String() string { return strings.Join(l.values, ",") }

func (l *verifyList) Set(v string) error {
	if !l.split {
		l.values = append(l.values, v)
		return nil
	}
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			l.values = append(l.values, p)
		}
	}
	return nil
}

// verifyFlags are the parsed flags of `ultra verify`.
type verifyFlags struct {
	target, specFile, tokenCmd, rateLimit, junit, report *string
	phases, checks, include, exclude, headers, params    *verifyList
	accept                                               *verifyList
	seed                                                 *int64
	maxExamples, concurrency                             *int
	maxTime, timeout                                     *time.Duration
	coverage                                             *string
}

func newVerifyFlags(e env) (*flag.FlagSet, *verifyFlags) {
	fs := newFlags("verify", "--target URL [flags]", e)
	f := &verifyFlags{phases: &verifyList{split: true}, checks: &verifyList{split: true},
		include: &verifyList{split: true}, exclude: &verifyList{split: true}, headers: &verifyList{}, params: &verifyList{},
		accept: &verifyList{split: true}}
	f.target = fs.String("target", "", "base URL of the service to verify (required)")
	f.specFile = fs.String("spec", "", "OpenAPI document (default: the embedded Ultra contract)")
	fs.Var(f.phases, "phases", "phases to run: "+strings.Join(verify.Phases(), ",")+" (default all)")
	fs.Var(f.checks, "checks", "checks to run (default all): "+strings.Join(verify.Checks(), ","))
	f.seed = fs.Int64("seed", 0, "seed for generated requests: the same seed sends the same requests")
	f.maxExamples = fs.Int("max-examples", 10, "most generated requests per operation and phase")
	fs.Var(f.include, "include", "only operations with this operationId, path or tag (repeatable)")
	fs.Var(f.exclude, "exclude", "skip operations with this operationId, path or tag (repeatable)")
	fs.Var(f.headers, "header", "'Name: value' header sent with every request (repeatable)")
	f.tokenCmd = fs.String("token-cmd", "", "shell command printing a bearer token, sent as 'Authorization: Bearer <token>'")
	f.rateLimit = fs.String("rate-limit", "", "most requests per second, e.g. 20 or 20/s (default unlimited)")
	fs.Var(f.params, "param", "name=value for a parameter, e.g. a path parameter naming an existing resource (repeatable)")
	fs.Var(f.accept, "accept-status", "status positive_data_acceptance also accepts for valid requests, e.g. 400 where valid values depend on configuration (repeatable)")
	f.maxTime = fs.Duration("max-response-time", 0, "enable max_response_time: fail responses slower than this (e.g. 2s)")
	f.junit = fs.String("junit", "", "write a JUnit XML report to FILE")
	f.report = fs.String("report", "", "write a report: 'json FILE' or json=FILE")
	f.timeout = fs.Duration("timeout", 30*time.Second, "timeout of each request")
	f.concurrency = fs.Int("concurrency", 2, "operations verified at once")
	f.coverage = coverageFlag(fs)
	return fs, f
}

// runVerify checks a live service against a contract: exit 0 when every check passed, 1 on failures,
// 2 on usage or connection errors.
func runVerify(ctx context.Context, args []string, e env) error {
	fs, f := newVerifyFlags(e)
	// --report takes two words ("--report json FILE"): accept that form before parsing.
	args, reportFile, err := splitReport(args)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if reportFile == "" && *f.report != "" {
		format, file, ok := strings.Cut(*f.report, "=")
		if !ok || format != "json" || file == "" {
			return usageErr("verify: --report wants 'json FILE' or json=FILE, got %q", *f.report)
		}
		reportFile = file
	}
	if fs.NArg() > 0 {
		return usageErr("verify: unexpected argument %q", fs.Arg(0))
	}
	if *f.target == "" {
		return usageErr("verify: --target URL is required")
	}
	doc, err := loadVerifyDoc(*f.specFile)
	if err != nil {
		return usageErr("verify: %v", err)
	}
	opts, err := f.options(ctx, e)
	if err != nil {
		return err
	}
	rec := coverageRecorder("verify", *f.coverage, coverage.Mount{Doc: doc})
	if rec != nil {
		opts.Client.Transport = rec.Transport(opts.Client.Transport, opts.Target)
	}
	fmt.Fprintf(e.stdout, "verifying %s against %s (seed %d)\n", opts.Target, doc.Name(), opts.Seed)
	rep, err := verify.Run(ctx, doc, opts)
	if cerr := writeCoverage("verify", *f.coverage, rec); cerr != nil {
		return cerr
	}
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return usageErr("verify: %v", err)
	}
	fmt.Fprintln(e.stdout)
	if err := rep.WriteText(e.stdout); err != nil {
		return err
	}
	if err := writeReports(rep, *f.junit, reportFile); err != nil {
		return err
	}
	if !rep.OK() {
		return failed("verify: %d check(s) failed", rep.Failed)
	}
	return nil
}

// loadVerifyDoc loads the document to verify against; "" means the embedded Ultra contract.
func loadVerifyDoc(path string) (*spec.Document, error) {
	if path != "" {
		return spec.LoadFile(path)
	}
	return ultra.LoadContract()
}

// options turns the flags into verify.Options; a bad value is a usage error.
func (f *verifyFlags) options(ctx context.Context, e env) (verify.Options, error) {
	opts := verify.Options{
		Target: strings.TrimSuffix(*f.target, "/"), Client: &http.Client{Timeout: *f.timeout},
		Phases: f.phases.values, Checks: f.checks.values, Seed: *f.seed, MaxExamples: *f.maxExamples,
		Include: f.include.values, Exclude: f.exclude.values, Header: http.Header{}, Params: map[string]string{},
		MaxResponseTime: *f.maxTime, Concurrency: *f.concurrency, Progress: e.stdout,
	}
	for _, h := range f.headers.values {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return opts, usageErr("verify: --header wants 'Name: value', got %q", h)
		}
		opts.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	for _, p := range f.params.values {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return opts, usageErr("verify: --param wants name=value, got %q", p)
		}
		opts.Params[k] = v
	}
	for _, s := range f.accept.values {
		n, err := strconv.Atoi(s)
		if err != nil || n < 100 || n > 599 {
			return opts, usageErr("verify: --accept-status wants an HTTP status, got %q", s)
		}
		opts.AcceptStatuses = append(opts.AcceptStatuses, n)
	}
	if *f.rateLimit != "" {
		n, err := strconv.ParseFloat(strings.TrimSuffix(*f.rateLimit, "/s"), 64)
		if err != nil || n <= 0 {
			return opts, usageErr("verify: --rate-limit wants N or N/s, got %q", *f.rateLimit)
		}
		opts.RateLimit = n
	}
	if *f.tokenCmd != "" {
		tok, err := runTokenCmd(ctx, *f.tokenCmd)
		if err != nil {
			return opts, usageErr("verify: --token-cmd: %v", err)
		}
		opts.Header.Set("Authorization", "Bearer "+tok)
	}
	return opts, nil
}

// writeReports writes the JUnit and JSON reports asked for; "" skips one.
func writeReports(rep *verify.Report, junit, jsonFile string) error {
	if junit != "" {
		if err := writeFile(junit, rep.WriteJUnit); err != nil {
			return usageErr("verify: --junit: %v", err)
		}
	}
	if jsonFile != "" {
		if err := writeFile(jsonFile, rep.WriteJSON); err != nil {
			return usageErr("verify: --report: %v", err)
		}
	}
	return nil
}

// splitReport rewrites "--report json FILE" into a file name, leaving other arguments alone.
func splitReport(args []string) ([]string, string, error) {
	var out []string
	file := ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		if (a == "--report" || a == "-report") && i+1 < len(args) && args[i+1] == "json" {
			if i+2 >= len(args) {
				return nil, "", usageErr("verify: --report json wants a FILE")
			}
			file = args[i+2]
			i += 2
			continue
		}
		if a == "--" {
			out = append(out, args[i:]...)
			break
		}
		out = append(out, a)
	}
	return out, file, nil
}

func runTokenCmd(ctx context.Context, command string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "sh", "-c", command)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if i := strings.IndexByte(msg, '\n'); i >= 0 {
			msg = msg[:i]
		}
		return "", fmt.Errorf("%v %s", err, msg)
	}
	tok := strings.TrimSpace(stdout.String())
	tok = strings.TrimPrefix(tok, "Bearer ")
	if tok == "" || strings.ContainsAny(tok, " \n") {
		return "", errors.New("the command printed no single token")
	}
	return tok, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	var buf bytes.Buffer
	if err := write(&buf); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
