package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	ultra "github.com/ultra-kit/ultra"
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

// runVerify checks a live service against a contract: exit 0 when every check passed, 1 on failures,
// 2 on usage or connection errors.
func runVerify(ctx context.Context, args []string, e env) error {
	fs := newFlags("verify", "--target URL [flags]", e)
	target := fs.String("target", "", "base URL of the service to verify (required)")
	specFile := fs.String("spec", "", "OpenAPI document (default: the embedded Ultra contract)")
	phases := &verifyList{split: true}
	fs.Var(phases, "phases", "phases to run: "+strings.Join(verify.AllPhases, ",")+" (default all)")
	checks := &verifyList{split: true}
	fs.Var(checks, "checks", "checks to run (default all): "+strings.Join(verify.AllChecks, ","))
	seed := fs.Int64("seed", 0, "seed for generated requests: the same seed sends the same requests")
	maxExamples := fs.Int("max-examples", 10, "most generated requests per operation and phase")
	include := &verifyList{split: true}
	fs.Var(include, "include", "only operations with this operationId, path or tag (repeatable)")
	exclude := &verifyList{split: true}
	fs.Var(exclude, "exclude", "skip operations with this operationId, path or tag (repeatable)")
	headers := &verifyList{}
	fs.Var(headers, "header", "'Name: value' header sent with every request (repeatable)")
	tokenCmd := fs.String("token-cmd", "", "shell command printing a bearer token, sent as 'Authorization: Bearer <token>'")
	rateLimit := fs.String("rate-limit", "", "most requests per second, e.g. 20 or 20/s (default unlimited)")
	params := &verifyList{}
	fs.Var(params, "param", "name=value for a parameter, e.g. a path parameter naming an existing resource (repeatable)")
	maxTime := fs.Duration("max-response-time", 0, "enable max_response_time: fail responses slower than this (e.g. 2s)")
	junit := fs.String("junit", "", "write a JUnit XML report to FILE")
	report := fs.String("report", "", "write a report: 'json FILE' or json=FILE")
	timeout := fs.Duration("timeout", 30*time.Second, "timeout of each request")
	concurrency := fs.Int("concurrency", 2, "operations verified at once")
	// --report takes two words ("--report json FILE"): accept that form before parsing.
	args, reportFile, err := splitReport(args)
	if err != nil {
		return err
	}
	if err := parse(fs, args); err != nil {
		return err
	}
	if reportFile == "" && *report != "" {
		format, file, ok := strings.Cut(*report, "=")
		if !ok || format != "json" || file == "" {
			return usageErr("verify: --report wants 'json FILE' or json=FILE, got %q", *report)
		}
		reportFile = file
	}
	if fs.NArg() > 0 {
		return usageErr("verify: unexpected argument %q", fs.Arg(0))
	}
	if *target == "" {
		return usageErr("verify: --target URL is required")
	}
	var doc *spec.Document
	if *specFile != "" {
		doc, err = spec.LoadFile(*specFile)
	} else {
		doc, err = spec.Load(ultra.Contract(), spec.Options{Name: "openapi.yaml (embedded)"})
	}
	if err != nil {
		return usageErr("verify: %v", err)
	}
	opts := verify.Options{
		Target: strings.TrimSuffix(*target, "/"), Client: &http.Client{Timeout: *timeout},
		Phases: phases.values, Checks: checks.values, Seed: *seed, MaxExamples: *maxExamples,
		Include: include.values, Exclude: exclude.values, Header: http.Header{}, Params: map[string]string{},
		MaxResponseTime: *maxTime, Concurrency: *concurrency, Progress: e.stdout,
	}
	for _, h := range headers.values {
		k, v, ok := strings.Cut(h, ":")
		if !ok || strings.TrimSpace(k) == "" {
			return usageErr("verify: --header wants 'Name: value', got %q", h)
		}
		opts.Header.Add(strings.TrimSpace(k), strings.TrimSpace(v))
	}
	for _, p := range params.values {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return usageErr("verify: --param wants name=value, got %q", p)
		}
		opts.Params[k] = v
	}
	if *rateLimit != "" {
		n, err := strconv.ParseFloat(strings.TrimSuffix(*rateLimit, "/s"), 64)
		if err != nil || n <= 0 {
			return usageErr("verify: --rate-limit wants N or N/s, got %q", *rateLimit)
		}
		opts.RateLimit = n
	}
	if *tokenCmd != "" {
		tok, err := runTokenCmd(ctx, *tokenCmd)
		if err != nil {
			return usageErr("verify: --token-cmd: %v", err)
		}
		opts.Header.Set("Authorization", "Bearer "+tok)
	}
	fmt.Fprintf(e.stdout, "verifying %s against %s (seed %d)\n", opts.Target, doc.Name(), opts.Seed)
	rep, err := verify.Run(ctx, doc, opts)
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
	if *junit != "" {
		if err := writeFile(*junit, rep.WriteJUnit); err != nil {
			return usageErr("verify: --junit: %v", err)
		}
	}
	if reportFile != "" {
		if err := writeFile(reportFile, rep.WriteJSON); err != nil {
			return usageErr("verify: --report: %v", err)
		}
	}
	if !rep.OK() {
		return failed("verify: %d check(s) failed", rep.Failed)
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
