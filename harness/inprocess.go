package harness

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/mockserver"
)

// InProcessOptions configure StartInProcess. The zero value is the standard in-process target.
type InProcessOptions struct {
	// Env overrides or adds gateway variables on top of TestingEnv (a "" value unsets one).
	Env map[string]string
	// Wrap, when set, wraps the gateway's handler: the negative checks use it to break the gateway.
	Wrap func(http.Handler) http.Handler
	// Logger receives the gateway's and the mock server's logs; nil discards them.
	Logger *slog.Logger
}

// InProcess is the in-process target: the mock server (contract at the root, provider mocks under
// each provider's mount: /openai, /anthropic...) and a gateway in testing mode, each on its own 127.0.0.1 port.
type InProcess struct {
	opts       InProcessOptions
	secret     string
	testSecret string
	mock       *mockserver.Server
	mockSrv    *server
	gw         *gateway.Gateway
	gwSrv      *server

	mu      sync.Mutex
	tlsMock *httptest.Server
	extra   []func()
	closed  bool
}

var _ GatewayStarter = (*InProcess)(nil)

// StartInProcess starts the mock server and a gateway pointed at it. The gateway's background health
// checks run until Close; ctx only bounds the start.
func StartInProcess(ctx context.Context, opts InProcessOptions) (*InProcess, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	t := &InProcess{opts: opts, secret: RandomSecret(24), testSecret: "qa-" + RandomSecret(8)}
	doc, err := ultra.LoadContract()
	if err != nil {
		return nil, fmt.Errorf("load the contract: %w", err)
	}
	t.mock, err = mockserver.New(mockserver.Config{
		Mounts:       []mockserver.Mount{{Prefix: "", Doc: doc}},
		Providers:    true,
		ProviderKeys: ProviderKeys(),
		Logger:       opts.Logger,
	})
	if err != nil {
		return nil, fmt.Errorf("start the mock server: %w", err)
	}
	if t.mockSrv, err = serve(t.mock); err != nil {
		t.mock.Close()
		return nil, fmt.Errorf("start the mock server: %w", err)
	}
	env := TestingEnv(t.secret, t.testSecret, t.mockSrv.url)
	for k, v := range opts.Env {
		env[k] = v
	}
	gw, err := t.newGateway(env, nil)
	if err != nil {
		t.Close()
		return nil, err
	}
	t.gw = gw
	var h http.Handler = gw
	if opts.Wrap != nil {
		h = opts.Wrap(gw)
	}
	if t.gwSrv, err = serve(h); err != nil {
		t.Close()
		return nil, fmt.Errorf("start the gateway: %w", err)
	}
	gw.Start(context.WithoutCancel(ctx))
	if err := waitReady(ctx, t.gwSrv.url, 10*time.Second); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// newGateway builds a gateway from env alone; a nil client means the gateway's bounded default.
func (t *InProcess) newGateway(env map[string]string, client *http.Client) (*gateway.Gateway, error) {
	cfg, err := gateway.LoadConfig(getenvFrom(env))
	if err != nil {
		return nil, fmt.Errorf("gateway configuration: %w", err)
	}
	gw, err := gateway.New(cfg, gateway.Deps{Logger: t.opts.Logger, HTTPClient: client})
	if err != nil {
		return nil, fmt.Errorf("start the gateway: %w", err)
	}
	return gw, nil
}

// Name is "in-process".
func (t *InProcess) Name() string { return "in-process" }

// BaseURL is the gateway's root URL.
func (t *InProcess) BaseURL() string { return t.gwSrv.url }

// AdminURL is the mock server's root URL.
func (t *InProcess) AdminURL() string { return t.mockSrv.url }

// JWTSecret is the gateway's JWT_SECRET (random per target).
func (t *InProcess) JWTSecret() string { return t.secret }

// Token mints a token with the gateway's secret and audience.
func (t *InProcess) Token(sub string, opts ...TokenOption) (string, error) {
	return Minter{Secret: t.secret, Audience: TestAudience}.Token(sub, opts...)
}

// Capabilities: everything but real providers and containers.
func (t *InProcess) Capabilities() Capabilities {
	return Capabilities{MintTokens: true, Audience: true, TestModeSecret: t.testSecret, InProcess: true,
		ProviderKeys: AllProviderKeys()}
}

// StartGateway starts another gateway from env alone, its providers pointed at this target's mock
// server (over TLS when ENVIRONMENT is production, since production requires https).
func (t *InProcess) StartGateway(ctx context.Context, env map[string]string) (string, func(), error) {
	env = maps.Clone(env)
	mockURL, client := t.mockSrv.url, (*http.Client)(nil)
	if env["ENVIRONMENT"] == gateway.EnvProduction {
		tlsSrv := t.tlsMockServer()
		mockURL, client = tlsSrv.URL, tlsSrv.Client()
	}
	for _, p := range provider.All() {
		if env[p.BaseURLVar] == "" {
			env[p.BaseURLVar] = p.SDKBaseURL(mockURL)
		}
	}
	gw, err := t.newGateway(env, client)
	if err != nil {
		return "", nil, err
	}
	srv, err := serve(gw)
	if err != nil {
		gw.Close()
		return "", nil, err
	}
	gw.Start(context.WithoutCancel(ctx))
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.close()
			gw.Close()
		})
	}
	t.mu.Lock()
	t.extra = append(t.extra, stop)
	t.mu.Unlock()
	if err := waitReady(ctx, srv.url, 10*time.Second); err != nil {
		stop()
		return "", nil, err
	}
	return srv.url, stop, nil
}

func (t *InProcess) tlsMockServer() *httptest.Server {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tlsMock == nil {
		t.tlsMock = httptest.NewTLSServer(t.mock) // 127.0.0.1:0 with a certificate its Client trusts
	}
	return t.tlsMock
}

// Close stops the gateways, then the mock server.
func (t *InProcess) Close() error {
	t.mu.Lock()
	if t.closed {
		t.mu.Unlock()
		return nil
	}
	t.closed = true
	extra := t.extra
	t.mu.Unlock()
	for _, stop := range extra {
		stop()
	}
	if t.gwSrv != nil {
		t.gwSrv.close()
	}
	if t.gw != nil {
		t.gw.Close()
	}
	if t.tlsMock != nil {
		t.tlsMock.Close()
	}
	if t.mockSrv != nil {
		t.mockSrv.close()
	}
	if t.mock != nil {
		t.mock.Close()
	}
	return nil
}

// server is an http.Server on a 127.0.0.1 port.
type server struct {
	url string
	srv *http.Server
}

func serve(h http.Handler) (*server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	s := &server{url: "http://" + ln.Addr().String(), srv: &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}}
	go func() { _ = s.srv.Serve(ln) }() // returns ErrServerClosed on close
	return s, nil
}

func (s *server) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil {
		_ = s.srv.Close()
	}
}

// waitReady polls base/api/health/live until it answers 200.
func waitReady(ctx context.Context, base string, within time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	var last error
	for time.Now().Before(deadline) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/health/live", nil)
		if err != nil {
			return TargetError("%w", err)
		}
		resp, err := c.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
			err = fmt.Errorf("GET /api/health/live answered %d", resp.StatusCode)
		}
		last = err
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return TargetError("%w", err)
		}
	}
	if last == nil {
		last = errors.New("no answer")
	}
	return TargetError("%s is not ready after %s: %w", base, within, last)
}
