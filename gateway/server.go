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
	// HTTPClient is used for provider calls and JWKS fetches; nil means a new client (never http.DefaultClient).
	HTTPClient *http.Client
	// Contract is the API contract to serve; nil means the embedded ultra.Contract().
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
	cfg          Config
	logger       *slog.Logger
	now          func() time.Time
	doc          *spec.Document
	metrics      *metrics
	auth         *authenticator
	limiter      *limiter
	providers    map[string]Provider
	breakers     map[string]*breaker
	health       *health
	models       []Model
	modelsByName map[string]Model
	started      time.Time
	handler      http.Handler

	startOnce sync.Once
	closeOnce sync.Once
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// New builds a gateway. Zero fields of cfg take their documented defaults; New does not apply the
// production checks (LoadConfig does). It fails when the contract and the handlers disagree (an
// operation without a handler or a handler without an operation), or the JWT key cannot be used.
func New(cfg Config, deps Deps) (*Gateway, error) {
	cfg = withDefaults(cfg)
	if deps.Now == nil {
		deps.Now = time.Now
	}
	logger := deps.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	logger = slog.New(requestIDHandler{logger.Handler()})
	if deps.HTTPClient == nil {
		deps.HTTPClient = &http.Client{}
	}
	doc := deps.Contract
	if doc == nil {
		d, err := ultra.LoadContract()
		if err != nil {
			return nil, fmt.Errorf("load contract: %w", err)
		}
		doc = d
	}
	if cfg.Models == nil {
		models, err := LoadModels(cfg.ModelsFile)
		if err != nil {
			return nil, err
		}
		cfg.Models = models
	}
	g := &Gateway{
		cfg: cfg, logger: logger, now: deps.Now, doc: doc, metrics: newMetrics(),
		models: cfg.Models, modelsByName: map[string]Model{},
		breakers: map[string]*breaker{}, started: deps.Now(),
	}
	for _, m := range cfg.Models {
		g.modelsByName[m.Name] = m
	}
	lim, err := newLimiter(cfg, deps.Now, g.metrics, logger)
	if err != nil {
		return nil, err
	}
	g.limiter = lim
	auth, err := newAuthenticator(cfg, deps.HTTPClient, deps.Now, logger)
	if err != nil {
		return nil, err
	}
	g.auth = auth
	g.providers = deps.Providers
	if g.providers == nil {
		g.providers = buildProviders(cfg, deps.HTTPClient, logger)
	}
	for _, name := range provider.Names() {
		g.breakers[name] = newBreaker(name, cfg, deps.Now, logger, g.metrics)
	}
	g.health = newHealth(g)
	h, err := g.routes()
	if err != nil {
		return nil, err
	}
	g.handler = h
	return g, nil
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
