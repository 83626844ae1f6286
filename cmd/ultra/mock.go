package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/internal/memlimit"
	"github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/spec"
)

// mockShutdownTimeout bounds how long in-flight requests get to finish after SIGINT or SIGTERM.
const mockShutdownTimeout = 10 * time.Second

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

// loadErr is a document that cannot be served: exit status 2 with the loader's one-line
// "file:line:col: reason".
func loadErr(err error) error {
	var le *spec.LoadError
	if errors.As(err, &le) {
		return &exitError{code: 2, msg: le.Error()}
	}
	return &exitError{code: 2, msg: err.Error()}
}

// mockSpec is one --spec flag: a file and the prefix it is mounted at.
type mockSpec struct{ prefix, file string }

func parseMockSpec(v string) mockSpec {
	if i := strings.IndexByte(v, '='); i > 0 && strings.HasPrefix(v, "/") {
		return mockSpec{prefix: v[:i], file: v[i+1:]}
	}
	return mockSpec{file: v}
}

func runMock(ctx context.Context, args []string, e env) error {
	fs := newFlags("mock", "[--spec [PREFIX=]FILE]... [flags]", e)
	var specs, keys listFlag
	fs.Var(&specs, "spec", "OpenAPI document to serve, optionally under a prefix (`[/prefix=]FILE`); repeatable (default: the embedded Ultra contract)")
	addr := fs.String("addr", "127.0.0.1:8086", "address to listen on")
	noValidate := fs.Bool("no-validate", false, "do not validate requests against the documents")
	cors := fs.Bool("cors", true, "add CORS headers and answer preflight requests")
	watch := fs.Bool("watch", false, "reload --spec files when they change (a broken edit keeps the last good document)")
	faultsFile := fs.String("faults", "", "YAML or JSON `FILE` of faults to inject from start-up")
	fixturesFile := fs.String("llm-fixtures", "", "YAML or JSON `FILE` of scripted LLM provider answers (prompt match -> text, tool call, json or error)")
	noProviders := fs.Bool("no-providers", false, "do not mount the LLM provider mocks (OpenAI, Anthropic, Gemini...)")
	fs.Var(&keys, "provider-key", "accepted API key of a provider (`provider=key`); repeatable (default: any non-empty key)")
	logFormat := fs.String("log-format", "text", "log format: text or json")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile to `FILE` until shutdown (for go tool pprof)")
	memProfile := fs.String("memprofile", "", "write a heap profile to `FILE` at shutdown (for go tool pprof)")
	stateful := fs.Bool("stateful", false, "keep what POST/PUT/PATCH create and answer reads, updates, deletes and lists from it (state at /__admin/state)")
	stateLimit := fs.Int("state-limit", 1000, "with --stateful, the most resources kept (the oldest goes first)")
	covFile := coverageFlag(fs)
	tape := newTapeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErr("mock: unexpected argument %q (use --spec FILE)", fs.Arg(0))
	}
	handler, err := mockLogHandler(*logFormat, e.stderr)
	if err != nil {
		return err
	}
	logger := slog.New(handler)

	// Profiles start before the documents load, so start-up shows in them too.
	stopProfiles, err := startProfiles(*cpuProfile, *memProfile)
	if err != nil {
		return usageErr("mock: %v", err)
	}
	defer stopProfiles() // on an early return; after shutdown the second call does nothing
	if *stateLimit < 1 {
		return usageErr("mock: --state-limit must be at least 1, got %d", *stateLimit)
	}
	cfg := mockserver.Config{Providers: !*noProviders, NoValidate: *noValidate, NoCORS: !*cors, Logger: logger,
		Stateful: *stateful, StateLimit: *stateLimit}
	parsed, err := mockInputs(&cfg, specs, keys, *faultsFile)
	if err != nil {
		return err
	}
	tapeLine, fixturesLine, err := providerAnswers(&cfg, tape, *fixturesFile)
	if err != nil {
		return err
	}
	srv, err := mockserver.New(cfg)
	if err != nil {
		return usageErr("mock: %v", err)
	}
	defer srv.Close()
	// The heap would otherwise grow to twice what the documents' models hold live.
	memlimit.Keep(ctx, e.getenv, memlimit.Policy{})

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("mock: %w", err)
	}
	served, rec := withCoverage(srv, *covFile, cfg.Mounts)
	hs := &http.Server{Handler: served, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(handler, slog.LevelWarn)}
	io.WriteString(e.stdout, tapeLine+startupMessage("http://"+ln.Addr().String(), cfg)+fixturesLine)
	if *stateful {
		writeUnpaired(e, srv.Unpaired())
	}

	defer watchSpecs(ctx, srv, parsed, *watch)()
	if err := serveMock(ctx, hs, ln, srv, logger); err != nil {
		return err
	}
	if err := stopProfiles(); err != nil {
		return fmt.Errorf("mock: %w", err)
	}
	return writeCoverage("mock", *covFile, rec)
}

// watchSpecs reloads the --spec files when they change, when on, until the returned stop is called.
func watchSpecs(ctx context.Context, srv *mockserver.Server, parsed []mockSpec, on bool) (stop func()) {
	watchCtx, stop := context.WithCancel(ctx)
	if on {
		for _, ms := range parsed {
			go srv.Watch(watchCtx, ms.prefix, ms.file, 0)
		}
	}
	return stop
}

// withCoverage wraps the mock server in a --coverage recorder of the served documents (a --watch reload
// is not followed); without --coverage it is the server itself and a nil recorder.
func withCoverage(srv http.Handler, file string, ms []mockserver.Mount) (http.Handler, *coverage.Recorder) {
	mounts := make([]coverage.Mount, 0, len(ms))
	for _, m := range ms {
		mounts = append(mounts, coverage.Mount{Prefix: m.Prefix, Doc: m.Doc})
	}
	rec := coverageRecorder("mock", file, mounts...)
	if rec == nil {
		return srv, nil
	}
	return rec.Handler(srv), rec
}

// serveMock serves hs on ln until ctx ends, then closes srv (open streams and injected delays finish
// at once) and shuts hs down within mockShutdownTimeout.
func serveMock(ctx context.Context, hs *http.Server, ln net.Listener, srv *mockserver.Server, logger *slog.Logger) error {
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("mock: %w", err)
	case <-ctx.Done():
	}
	logger.Info("shutting down: finishing in-flight requests")
	srv.Close()
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), mockShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("mock: shutdown: %w", err)
	}
	return nil
}

// mockLogHandler is the log handler of --log-format: text or json.
func mockLogHandler(format string, w io.Writer) (slog.Handler, error) {
	switch format {
	case "text":
		return slog.NewTextHandler(w, nil), nil
	case "json":
		return slog.NewJSONHandler(w, nil), nil
	}
	return nil, usageErr("mock: --log-format must be text or json, got %q", format)
}

// mockInputs loads what the flags name into cfg: the --spec documents (the embedded contract when
// none), the --faults file and the --provider-key keys. It returns the parsed --spec flags for --watch.
func mockInputs(cfg *mockserver.Config, specs, keys listFlag, faultsFile string) ([]mockSpec, error) {
	var parsed []mockSpec
	for _, v := range specs {
		ms := parseMockSpec(v)
		doc, err := spec.LoadFile(ms.file)
		if err != nil {
			return nil, loadErr(err)
		}
		cfg.Mounts = append(cfg.Mounts, mockserver.Mount{Prefix: ms.prefix, Doc: doc})
		parsed = append(parsed, ms)
	}
	if len(specs) == 0 {
		doc, err := ultra.LoadContract()
		if err != nil {
			return nil, loadErr(err)
		}
		cfg.Mounts = []mockserver.Mount{{Doc: doc}}
	}
	if faultsFile != "" {
		data, err := os.ReadFile(faultsFile)
		if err != nil {
			return nil, usageErr("mock: --faults: %v", err)
		}
		if cfg.Faults, err = fault.Parse(data); err != nil {
			return nil, usageErr("mock: %s: %v", faultsFile, err)
		}
	}
	for _, kv := range keys {
		p, k, ok := strings.Cut(kv, "=")
		if !ok || p == "" || k == "" {
			return nil, usageErr("mock: --provider-key wants provider=key, got %q", kv)
		}
		if cfg.ProviderKeys == nil {
			cfg.ProviderKeys = map[string][]string{}
		}
		cfg.ProviderKeys[p] = append(cfg.ProviderKeys[p], k)
	}
	return parsed, nil
}

func mountName(prefix string) string {
	if strings.Trim(prefix, "/") == "" {
		return "/"
	}
	return prefix
}

// writeUnpaired says at start-up which operations the stateful mock answers from its examples only.
func writeUnpaired(e env, unpaired []string) {
	if len(unpaired) == 0 {
		fmt.Fprintln(e.stdout, "ultra mock: stateful: every operation is paired with a collection and an item path")
		return
	}
	fmt.Fprintf(e.stdout, "ultra mock: stateful: %d operations could not be paired and answer from their examples:\n", len(unpaired))
	for _, u := range unpaired {
		fmt.Fprintf(e.stdout, "  - %s\n", u)
	}
}

// startupMessage is what `ultra mock` prints once it listens on url: the documents and their prefixes,
// then, when the provider mocks are on, one line per provider with the exact base URL to give its
// official SDKs and the gateway (in the variable both read), e.g.
//
//	ANTHROPIC_BASE_URL=http://127.0.0.1:8086/anthropic   # Anthropic SDKs and ultra gateway (API v1)
func startupMessage(url string, cfg mockserver.Config) string {
	var names []string
	for _, m := range cfg.Mounts {
		names = append(names, m.Doc.Name()+" at "+mountName(m.Prefix))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "ultra mock: listening on %s (%s; admin at /__admin/)\n", url, strings.Join(names, "; "))
	if !cfg.Providers {
		return b.String()
	}
	width := 0
	for _, p := range provider.All() {
		width = max(width, len(p.BaseURLVar)+1+len(p.SDKBaseURL(url)))
	}
	for _, p := range provider.All() {
		fmt.Fprintf(&b, "  %-*s  # %s SDKs and ultra gateway (API %s)\n", width, p.BaseURLVar+"="+p.SDKBaseURL(url), p.Title, strings.Join(p.Versions, ", "))
	}
	return b.String()
}
