package gateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/gateway/providers"
	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/spec"
)

const testSecret = "0123456789abcdef0123456789abcdef-test"

var contract = sync.OnceValues(func() (*spec.Document, error) {
	return ultra.LoadContract()
})

// MustContract returns the embedded contract, loaded once per test binary.
func MustContract(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := contract()
	if err != nil {
		tb.Fatalf("load contract: %v", err)
	}
	return doc
}

// fakeProvider is an in-process provider: complete and check default to instant success.
type fakeProvider struct {
	name     string
	complete func(ctx context.Context, req providers.Request) (*providers.Response, error)
	check    func(ctx context.Context) error
	calls    atomic.Int64
}

func (f *fakeProvider) Name() string { return f.name }

func (f *fakeProvider) Complete(ctx context.Context, req providers.Request) (*providers.Response, error) {
	f.calls.Add(1)
	if f.complete != nil {
		return f.complete(ctx, req)
	}
	return &providers.Response{Text: f.name + " answers about " + req.Model, InputTokens: 10, OutputTokens: 20, Status: 200}, nil
}

func (f *fakeProvider) Check(ctx context.Context) error {
	if f.check != nil {
		return f.check(ctx)
	}
	return nil
}

// fakes returns one instant fake per provider.
func fakes() map[string]*fakeProvider {
	return map[string]*fakeProvider{"openai": {name: "openai"}, "anthropic": {name: "anthropic"}, "gemini": {name: "gemini"}}
}

func asProviders(fs map[string]*fakeProvider) map[string]gateway.Provider {
	out := map[string]gateway.Provider{}
	for k, v := range fs {
		out[k] = v
	}
	return out
}

// testConfig is a testing-environment configuration with every provider key set.
func testConfig() gateway.Config {
	return gateway.Config{
		Environment: gateway.EnvTesting, JWTSecret: testSecret, JWTAlgorithm: "HS256",
		APIKeys:        map[string]string{"openai": "sk-test", "anthropic": "sk-ant-test", "gemini": "g-test"},
		TestModeSecret: "test-mode-secret", CORSOrigins: []string{"https://app.example"},
		AnalyzeRPM: 6000, AnalyzeBurst: 1000, DefaultRPM: 6000, DefaultBurst: 1000,
		BreakerRecoveryTimeout: time.Hour, HealthCheckInterval: time.Hour,
	}
}

// fakeClock is a settable clock.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{t: time.Now()} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// harness is a gateway under test behind an httptest server.
type harness struct {
	t     *testing.T
	g     *gateway.Gateway
	srv   *httptest.Server
	cfg   gateway.Config
	fakes map[string]*fakeProvider
	logs  *syncbuf.Buffer
}

// MustHarness builds a gateway from cfg with the given fakes (nil = instant fakes) and deps.Now.
func MustHarness(t *testing.T, cfg gateway.Config, fs map[string]*fakeProvider, now func() time.Time) *harness {
	t.Helper()
	if fs == nil {
		fs = fakes()
	}
	logs := &syncbuf.Buffer{}
	g, err := gateway.New(cfg, gateway.Deps{
		Logger:    slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Contract:  MustContract(t),
		Now:       now,
		Providers: asProviders(fs),
	})
	if err != nil {
		t.Fatalf("gateway.New: %v", err)
	}
	srv := httptest.NewServer(g)
	t.Cleanup(func() {
		srv.Close()
		g.Close()
	})
	return &harness{t: t, g: g, srv: srv, cfg: g.Config(), fakes: fs, logs: logs}
}

func (h *harness) token(sub string) string {
	h.t.Helper()
	tok, err := gateway.MintToken(h.cfg, sub, time.Hour)
	if err != nil {
		h.t.Fatalf("MintToken: %v", err)
	}
	return tok
}

// response is a received response with its body.
type response struct {
	*http.Response
	body []byte
}

func (r response) json(t *testing.T) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return v
}

// do sends a request and checks the response against the contract (404/405 have no operation).
func (h *harness) do(method, path string, body string, header map[string]string) response {
	h.t.Helper()
	return h.doCtx(context.Background(), method, path, body, header)
}

func (h *harness) doCtx(ctx context.Context, method, path string, body string, header map[string]string) response {
	h.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, h.srv.URL+path, rd)
	if err != nil {
		h.t.Fatalf("new request: %v", err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range header {
		if v == "" {
			req.Header.Del(k)
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := h.srv.Client().Do(req)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("read body: %v", err)
	}
	checkContract(h.t, req, resp, b)
	return response{resp, b}
}

// checkContract fails the test when a response of a contract operation does not match openapi.yaml.
func checkContract(t testing.TB, req *http.Request, resp *http.Response, body []byte) {
	t.Helper()
	if resp.Header.Get("X-Request-ID") == "" {
		t.Errorf("%s %s: no X-Request-ID header", req.Method, req.URL.Path)
	}
	m, err := MustContract(t).Find(req.Method, req.URL.EscapedPath())
	if errors.Is(err, spec.ErrOperationNotFound) || errors.Is(err, spec.ErrMethodNotAllowed) {
		if ct := resp.Header.Get("Content-Type"); resp.StatusCode >= 400 && ct != "application/problem+json" {
			t.Errorf("%s %s: %d with Content-Type %q, want application/problem+json", req.Method, req.URL.Path, resp.StatusCode, ct)
		}
		return
	}
	if err != nil {
		t.Fatalf("find operation: %v", err)
	}
	if err := m.Operation.ValidateResponseParts(req, resp.StatusCode, resp.Header, body); err != nil {
		t.Errorf("%s %s → %d does not match the contract: %v\n%s", req.Method, req.URL.Path, resp.StatusCode, err, body)
	}
}

func bearer(tok string) map[string]string { return map[string]string{"Authorization": "Bearer " + tok} }

const analyzeBody = `{"prompt":"What are the risks?","selected_models":["gpt4o","claude3sonnet","gemini15flash"],"ultra_model":"gpt4o"}`

func slogText(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// record serves one request in process.
func record(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, path, rd)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// loopbackServer is a real http.Server on 127.0.0.1:0, for shutdown tests.
type loopbackServer struct {
	srv *http.Server
	url string
}

func newLoopbackServer(t *testing.T, h http.Handler) *loopbackServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return &loopbackServer{srv: srv, url: "http://" + ln.Addr().String()}
}

func jwtSegment(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
