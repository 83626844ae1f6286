package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/provider"
	mockproviders "github.com/ultra-kit/ultra/mockserver/providers"
)

// mockAPIKey is the dummy key given to providers answered by the in-process mocks.
const mockAPIKey = "mock-key"

func runGateway(ctx context.Context, args []string, e env) error {
	fs := newFlags("gateway", "[--addr HOST:PORT]", e)
	addr := fs.String("addr", "", "listen address (default ULTRA_ADDR, else 127.0.0.1:8000)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	if *addr != "" {
		cfg.Addr = *addr
	}
	cfg.Version = buildVersion()
	logger := newLogger(cfg, e.stderr)

	if cfg.UseMock {
		stop, err := startProviderMocks(&cfg, logger)
		if err != nil {
			return failed("gateway: %v", err)
		}
		defer stop()
	}
	g, err := gateway.New(cfg, gateway.Deps{Logger: logger}) // nil HTTPClient: the bounded provider client
	if err != nil {
		return failed("gateway: %v", err)
	}
	defer g.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return failed("gateway: %v", err)
	}
	srv := &http.Server{Handler: g, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 2 * time.Minute,
		ErrorLog: slog.NewLogLogger(logger.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	g.Start(ctx)
	printBanner(e.stdout, cfg, "http://"+ln.Addr().String())

	select {
	case err := <-errc:
		return failed("gateway: %v", err)
	case <-ctx.Done():
	}
	// Stop accepting, let in-flight analyses finish (bounded by the analysis timeout), then exit 0.
	logger.Info("shutting down: waiting for requests in flight")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.AnalyzeTimeout+5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return failed("gateway: shutdown: %v", err)
	}
	logger.Info("stopped")
	return nil
}

// loadConfig reads the gateway configuration from the environment and, for variables it leaves
// empty, from .env.<ENVIRONMENT> in the working directory; configuration problems are exit status 2
// with every problem listed.
func loadConfig(e env) (gateway.Config, error) {
	getenv, err := gateway.DotenvGetenv(".", e.getenv)
	if err != nil {
		return gateway.Config{}, &exitError{code: 2, msg: err.Error()}
	}
	cfg, err := gateway.LoadConfig(getenv)
	var ce *gateway.ConfigError
	if errors.As(err, &ce) {
		return cfg, &exitError{code: 2, msg: ce.Error()}
	}
	if err != nil {
		return cfg, failed("%v", err)
	}
	return cfg, nil
}

func newLogger(cfg gateway.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// startProviderMocks serves the LLM provider mocks on a loopback port and points every provider whose
// base URL was not set explicitly at them (the URL its SDKs would take), with a dummy key where none
// is configured.
func startProviderMocks(cfg *gateway.Config, logger *slog.Logger) (stop func(), err error) {
	var unset []provider.Provider
	for _, p := range provider.All() {
		if cfg.BaseURLs[p.Name] == "" {
			unset = append(unset, p)
		}
	}
	if len(unset) == 0 {
		return func() {}, nil
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("provider mocks: %w", err)
	}
	srv := &http.Server{Handler: mockproviders.New(mockproviders.Config{Logger: logger.With("component", "provider-mock")}),
		ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	base := "http://" + ln.Addr().String()
	for _, p := range unset {
		key := cfg.APIKey(p.Name)
		if key == "" {
			key = mockAPIKey
		}
		cfg.SetProvider(p.Name, p.SDKBaseURL(base), key)
	}
	logger.Info("provider mocks serving in process", "url", base)
	return func() { srv.Close() }, nil
}

func printBanner(w io.Writer, cfg gateway.Config, url string) {
	var b strings.Builder
	fmt.Fprintf(&b, "ultra gateway %s listening on %s (environment %s, mock providers %v)\n", cfg.Version, url, cfg.Environment, cfg.UseMock)
	if cfg.Environment == gateway.EnvDevelopment {
		tok, err := gateway.MintToken(cfg, "dev", 24*time.Hour)
		if err == nil {
			fmt.Fprintf(&b, "\nDevelopment token (24h, sub=dev):\n  %s\n\nTry it:\n", tok)
			fmt.Fprintf(&b, "  curl -s %s/api/analyze \\\n    -H 'Authorization: Bearer %s' \\\n    -H 'Content-Type: application/json' \\\n", url, tok)
			fmt.Fprintf(&b, "    -d '{\"prompt\":\"What are the main risks of microservices?\",\"selected_models\":[\"gpt4o\",\"claude3sonnet\",\"gemini15flash\"],\"ultra_model\":\"gpt4o\"}'\n\n")
		}
	}
	io.WriteString(w, b.String())
}
