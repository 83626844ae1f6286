package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/proxy"
	"github.com/ultra-kit/ultra/spec"
)

// proxyShutdownTimeout bounds how long in-flight exchanges (open streams too) get after SIGINT or
// SIGTERM before the reports are written anyway.
const proxyShutdownTimeout = 10 * time.Second

type proxyFlags struct {
	specFile, target, addr, mode, junit, logFormat string
	coverage                                       *string
	reports, redact                                listFlag
	annotate, failOnViolation                      bool
	journalSize, recordMax                         int
	record                                         string
}

func runProxy(ctx context.Context, args []string, e env) error {
	fs := newFlags("proxy", "--target URL [--spec FILE] [--addr ADDR] [--mode report|enforce] [--annotate] [--junit FILE] [--report json=FILE] [--fail-on-violation]", e)
	var f proxyFlags
	fs.StringVar(&f.specFile, "spec", "", "OpenAPI document to check traffic against (default: the embedded Ultra contract)")
	fs.StringVar(&f.target, "target", "", "the service to proxy to, `URL` (required); request paths are appended to its path")
	fs.StringVar(&f.addr, "addr", "127.0.0.1:8087", "address to listen on")
	fs.StringVar(&f.mode, "mode", "report", "report: pass traffic unchanged and report violations; enforce: block invalid requests (422) and responses (502)")
	fs.BoolVar(&f.annotate, "annotate", false, "add an "+proxy.ViolationsHeader+" header to answers that violated the contract")
	fs.StringVar(&f.junit, "junit", "", "at shutdown, write a JUnit XML report (one test case per operation and status) to `FILE`")
	fs.Var(&f.reports, "report", "at shutdown, write a report: `json=FILE`; repeatable")
	fs.BoolVar(&f.failOnViolation, "fail-on-violation", false, "exit with status 1 when any exchange violated the contract")
	fs.Var(&f.redact, "redact", "also redact this header, query parameter or body field `NAME` in the journal and reports; repeatable")
	fs.IntVar(&f.journalSize, "journal-size", proxy.DefaultJournalSize, "exchanges kept at /__admin/requests")
	f.coverage = coverageFlag(fs)
	fs.StringVar(&f.record, "record", "", "record what passes as named examples into a copy of the document in `DIR` (plus DIR/"+proxy.ExchangesFile+"), secrets redacted")
	fs.IntVar(&f.recordMax, "record-max", 1, "with --record, the distinct exchanges kept per operation and status")
	fs.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := f.config(e)
	if err != nil {
		return err
	}
	rec, err := f.recorder(cfg)
	if err != nil {
		return err
	}
	if rec != nil {
		cfg.Observe = rec.Observe
	}
	p, err := proxy.New(cfg)
	if err != nil {
		return usageErr("%v", err)
	}
	ln, err := net.Listen("tcp", f.addr)
	if err != nil {
		return usageErr("proxy: %v", err)
	}
	hs := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn)}
	fmt.Fprintf(e.stdout, "ultra proxy: listening on http://%s -> %s (%s, mode %s; admin at /__admin/)\n", ln.Addr(), cfg.Target, cfg.Doc.Name(), cfg.Mode)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	var serveErr error
	select {
	case err := <-errc:
		serveErr = fmt.Errorf("proxy: %w", err)
	case <-ctx.Done():
		cfg.Logger.Info("shutting down: finishing in-flight exchanges")
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), proxyShutdownTimeout)
		if err := hs.Shutdown(sctx); err != nil {
			cfg.Logger.Warn("shutdown: exchanges still open were cut", "error", err)
			hs.Close()
		}
		cancel()
	}
	if err := closeRecorder(e, rec); err != nil {
		return err
	}
	if *f.coverage != "" {
		if err := writeFile(*f.coverage, p.Coverage().Write); err != nil {
			return usageErr("proxy: --coverage: %v", err)
		}
	}
	return f.finish(e, p.Summary(), serveErr)
}

// config checks the flags and builds the proxy's configuration.
func (f *proxyFlags) config(e env) (proxy.Config, error) {
	var cfg proxy.Config
	if f.target == "" {
		return cfg, usageErr("proxy: --target URL is required (the service to check)")
	}
	u, err := url.Parse(f.target)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return cfg, usageErr("proxy: --target must be an http(s) URL, got %q", f.target)
	}
	switch proxy.Mode(f.mode) {
	case proxy.Report, proxy.Enforce:
	default:
		return cfg, usageErr("proxy: --mode must be report or enforce, got %q", f.mode)
	}
	for _, r := range f.reports {
		kind, file, ok := strings.Cut(r, "=")
		if !ok || kind != "json" || file == "" {
			return cfg, usageErr("proxy: --report wants json=FILE, got %q", r)
		}
	}
	if f.recordMax < 1 {
		return cfg, usageErr("proxy: --record-max must be at least 1, got %d", f.recordMax)
	}
	if f.journalSize < 1 {
		return cfg, usageErr("proxy: --journal-size must be at least 1, got %d", f.journalSize)
	}
	var handler slog.Handler
	switch f.logFormat {
	case "text":
		handler = slog.NewTextHandler(e.stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(e.stderr, nil)
	default:
		return cfg, usageErr("proxy: --log-format must be text or json, got %q", f.logFormat)
	}
	var doc *spec.Document
	if f.specFile != "" {
		doc, err = spec.LoadFile(f.specFile)
	} else {
		doc, err = spec.Load(ultra.Contract(), spec.Options{Name: "openapi.yaml (embedded)"})
	}
	if err != nil {
		return cfg, loadErr(err)
	}
	return proxy.Config{Doc: doc, Target: u, Mode: proxy.Mode(f.mode), Annotate: f.annotate, Logger: slog.New(handler),
		JournalSize: f.journalSize, Redact: proxy.Redactor{Extra: f.redact}}, nil
}

// finish writes the reports and the summary line, and decides the exit status.
func (f *proxyFlags) finish(e env, s proxy.Summary, serveErr error) error {
	if f.junit != "" {
		if err := writeFile(f.junit, s.WriteJUnit); err != nil {
			return usageErr("proxy: --junit: %v", err)
		}
	}
	for _, r := range f.reports {
		_, file, _ := strings.Cut(r, "=")
		if err := writeFile(file, s.WriteJSON); err != nil {
			return usageErr("proxy: --report: %v", err)
		}
	}
	fmt.Fprintf(e.stdout, "ultra proxy: %d exchanges, %d violated the contract, %d failed in transport (%d operation×status cases)\n",
		s.Exchanges, s.Violations, s.Errors, len(s.Cases))
	if serveErr != nil {
		return serveErr
	}
	if f.failOnViolation && s.Violations > 0 {
		return failed("proxy: %d exchanges violated the contract", s.Violations)
	}
	return nil
}

// recorder is the --record DIR recorder, nil without the flag.
func (f *proxyFlags) recorder(cfg proxy.Config) (*proxy.Recorder, error) {
	if f.record == "" {
		return nil, nil
	}
	raw, name := ultra.Contract(), "openapi.yaml"
	if f.specFile != "" {
		var err error
		if raw, err = os.ReadFile(f.specFile); err != nil {
			return nil, usageErr("proxy: --spec: %v", err)
		}
		name = filepath.Base(f.specFile)
	}
	if abs, err := filepath.Abs(f.record); err == nil && f.specFile != "" {
		if src, _ := filepath.Abs(f.specFile); filepath.Dir(src) == abs {
			return nil, usageErr("proxy: --record %s would overwrite %s: record into another folder", f.record, f.specFile)
		}
	}
	rec, err := proxy.NewRecorder(proxy.RecordConfig{Doc: cfg.Doc, Raw: raw, Dir: f.record, FileName: name, Max: f.recordMax, Redact: cfg.Redact})
	if err != nil {
		return nil, usageErr("proxy: %v", err)
	}
	return rec, nil
}

// closeRecorder writes the recorded document and says what was and was not recorded.
func closeRecorder(e env, rec *proxy.Recorder) error {
	if rec == nil {
		return nil
	}
	res, err := rec.Close()
	if err != nil {
		return fmt.Errorf("proxy: %w", err)
	}
	fmt.Fprintf(e.stdout, "ultra proxy: recorded %d examples into %s (raw exchanges in %s)\n", res.Examples, res.File,
		filepath.Join(filepath.Dir(res.File), proxy.ExchangesFile))
	for _, s := range res.Skipped {
		fmt.Fprintf(e.stdout, "  not recorded: %s\n", s)
	}
	return nil
}
