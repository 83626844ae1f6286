// Package gateway is the Ultra API: every operation of openapi.yaml served with authentication, rate
// limits, circuit breakers and health checks in front of the LLM provider clients of gateway/providers.
package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/gateway/providers"
	"github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/spec"
)

// Provider is an LLM provider client as the gateway uses it. The clients of gateway/providers
// implement it; tests and benchmarks pass fakes in Deps.Providers.
type Provider interface {
	// Name is the provider's name in the table of internal/provider (openai, anthropic, gemini).
	Name() string
	// Complete sends one prompt; failures are *providers.Error.
	Complete(ctx context.Context, req providers.Request) (*providers.Response, error)
	// Check is a cheap authenticated call used by the background health checks.
	Check(ctx context.Context) error
}

// Deps are the gateway's collaborators. Every field is optional.
type Deps struct {
	// Logger receives the request and security logs; nil discards them.
	Logger *slog.Logger
	// HTTPClient is used for provider calls and JWKS fetches; nil means providers.DefaultHTTPClient()
	// (bounded dial, TLS and header waits; never http.DefaultClient).
	HTTPClient *http.Client
	// Contract is the API contract to serve; nil means the embedded one (ultra.LoadContract).
	Contract *spec.Document
	// Now is the clock for timestamps, token validation and rate limits; nil means time.Now.
	Now func() time.Time
	// Providers replaces the provider clients, keyed by provider name (openai, anthropic...); nil
	// means clients built from the configuration with gateway/providers.
	Providers map[string]Provider
}

// Gateway is the Ultra API as an http.Handler. Build it with New, call Start to begin the background
// health checks, and Close when done.
type Gateway struct {
	cfg     Config
	handler http.Handler
	health  *health
	limiter *limiter

	startOnce sync.Once
	closeOnce sync.Once
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// New builds a gateway. Zero fields of cfg take their documented defaults; New does not apply the
// production checks (LoadConfig does). It fails when the contract and the handlers disagree (an
// operation without a handler or a handler without an operation), or the JWT key cannot be used.
func New(cfg Config, deps Deps) (*Gateway, error) {
	cfg, deps, err := withDeps(withDefaults(cfg), deps)
	if err != nil {
		return nil, err
	}
	logger, now := deps.Logger, deps.Now
	m := newMetrics()
	lim, err := newLimiter(cfg, now, m, logger)
	if err != nil {
		return nil, err
	}
	auth, err := newAuthenticator(cfg, deps.HTTPClient, now, logger)
	if err != nil {
		return nil, err
	}
	provs := deps.Providers
	if provs == nil {
		provs = buildProviders(cfg, deps.HTTPClient, logger)
	}
	breakers := map[string]*breaker{}
	for _, name := range provider.Names() {
		breakers[name] = newBreaker(name, cfg, now, logger, m)
	}
	h := newHealth(cfg, provs, breakers, now, logger)
	handlers := map[string]http.Handler{
		"getHealth":          handleHealth(cfg, now, now(), h, lim),
		"getLiveness":        handleLiveness(),
		"getReadiness":       handleReadiness(h, lim),
		"getProviderHealth":  handleProviderHealth(now, h),
		"getCircuitBreakers": handleCircuitBreakers(breakers),
		"getAvailableModels": handleAvailableModels(cfg.Models, h),
		"listPatterns":       handlePatterns(),
		"analyze":            handleAnalyze(logger, newAnalyzer(cfg, provs, breakers, m, now, logger)),
		"getMetrics":         m.handler(),
	}
	handler, err := routes(deps.Contract, handlers, cfg, logger, m, auth, lim)
	if err != nil {
		return nil, err
	}
	return &Gateway{cfg: cfg, handler: handler, health: h, limiter: lim}, nil
}

// withDeps fills the zero fields of deps (the clock, a discarding logger with request IDs, the
// bounded provider HTTP client, the embedded contract) and loads cfg.Models when nil.
func withDeps(cfg Config, deps Deps) (Config, Deps, error) {
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Logger == nil {
		deps.Logger = slog.New(slog.DiscardHandler)
	}
	deps.Logger = slog.New(requestIDHandler{deps.Logger.Handler()})
	if deps.HTTPClient == nil {
		deps.HTTPClient = providers.DefaultHTTPClient()
	}
	if deps.Contract == nil {
		d, err := ultra.LoadContract()
		if err != nil {
			return cfg, deps, fmt.Errorf("load contract: %w", err)
		}
		deps.Contract = d
	}
	if cfg.Models == nil {
		models, err := LoadModels(cfg.ModelsFile)
		if err != nil {
			return cfg, deps, err
		}
		cfg.Models = models
	}
	return cfg, deps, nil
}

// buildProviders builds a client for every provider of the table and logs the URL each one calls.
func buildProviders(cfg Config, client *http.Client, logger *slog.Logger) map[string]Provider {
	out := map[string]Provider{}
	for _, p := range provider.All() {
		c, ok := providers.New(p.Name, providers.Config{BaseURL: cfg.BaseURL(p.Name), APIKey: cfg.APIKey(p.Name), HTTPClient: client, Logger: logger})
		if !ok {
			logger.Warn("provider has no gateway client", "provider", p.Name)
			continue
		}
		logger.Info("provider client", "provider", p.Name, "calls", c.Endpoint(), "api_key_configured", cfg.APIKey(p.Name) != "")
		out[p.Name] = c
	}
	return out
}

func withDefaults(c Config) Config {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	dur := func(v *time.Duration, d time.Duration) {
		if *v <= 0 {
			*v = d
		}
	}
	if c.Environment == "" {
		c.Environment = EnvDevelopment
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:8000"
	}
	if c.JWTAlgorithm == "" {
		c.JWTAlgorithm = "HS256"
	}
	def(&c.AnalyzeRPM, 60)
	def(&c.AnalyzeBurst, 10)
	def(&c.DefaultRPM, 600)
	def(&c.DefaultBurst, 50)
	def(&c.BreakerFailureThreshold, 3)
	dur(&c.BreakerRecoveryTimeout, 5*time.Minute)
	dur(&c.ProviderTimeout, 30*time.Second)
	dur(&c.AnalyzeTimeout, 60*time.Second)
	dur(&c.HealthCheckInterval, 30*time.Second)
	if c.MaxBodyBytes <= 0 {
		c.MaxBodyBytes = 1 << 20
	}
	if c.Version == "" {
		c.Version = "dev"
	}
	return c
}

// ServeHTTP serves the Ultra API.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) { g.handler.ServeHTTP(w, r) }

// Start runs one round of provider health checks (each bounded by a short timeout), then keeps
// checking every HEALTH_CHECK_INTERVAL in the background until ctx ends or Close is called. Calling
// it again does nothing.
func (g *Gateway) Start(ctx context.Context) {
	g.startOnce.Do(func() {
		ctx, cancel := context.WithCancel(ctx)
		g.cancel = cancel
		g.health.checkAll(ctx)
		g.limiter.ping(ctx)
		g.wg.Add(1)
		go func() {
			defer g.wg.Done()
			t := time.NewTicker(g.cfg.HealthCheckInterval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					g.health.checkAll(ctx)
					g.limiter.ping(ctx)
				}
			}
		}()
	})
}

// Close stops the background health checks and waits for them. In-flight requests are not
// interrupted: shut the http.Server down first. Close is idempotent and returns nil.
func (g *Gateway) Close() error {
	g.closeOnce.Do(func() {
		g.startOnce.Do(func() {}) // a later Start does nothing
		if g.cancel != nil {
			g.cancel()
		}
		g.wg.Wait()
		_ = g.limiter.close()
	})
	return nil
}

// Config returns the configuration in use, defaults applied.
func (g *Gateway) Config() Config { return g.cfg }
