package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/gateway/providers"
	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/spec"
)

// TestGatewayOperations exercises every operation of the contract once on its success path.
func TestGatewayOperations(t *testing.T) {
	h := MustHarness(t, testConfig(), nil, nil)
	h.g.Start(context.Background())
	auth := bearer(h.token("alice"))
	cases := []struct {
		op, method, path, body string
		header                 map[string]string
		status                 int
		contains               string
	}{
		{"getHealth", "GET", "/api/health", "", nil, 200, `"status":"ok"`},
		{"getLiveness", "GET", "/api/health/live", "", nil, 200, `"status":"ok"`},
		{"getReadiness", "GET", "/api/health/ready", "", nil, 200, `"ready":true`},
		{"getProviderHealth", "GET", "/api/health/llm/providers", "", nil, 200, `"api_key_valid":true`},
		{"getCircuitBreakers", "GET", "/api/health/circuit-breakers", "", nil, 200, `"state":"closed"`},
		{"getAvailableModels", "GET", "/api/available-models", "", auth, 200, `"available_models":["gpt4o"`},
		{"listPatterns", "GET", "/api/patterns", "", auth, 200, `"name":"fact_check"`},
		{"analyze", "POST", "/api/analyze", analyzeBody, auth, 200, `"status":"success"`},
		{"getMetrics", "GET", "/metrics", "", nil, 200, "ultra_http_requests_total"},
	}
	covered := map[string]bool{}
	for _, c := range cases {
		t.Run(c.op, func(t *testing.T) {
			covered[c.op] = true
			resp := h.do(c.method, c.path, c.body, c.header)
			if resp.StatusCode != c.status || !strings.Contains(string(resp.body), c.contains) {
				t.Fatalf("got %d %s, want %d containing %s", resp.StatusCode, resp.body, c.status, c.contains)
			}
			if c.header != nil && resp.Header.Get("RateLimit-Limit") == "" {
				t.Errorf("authenticated operation without RateLimit-Limit")
			}
		})
	}
	for _, op := range MustContract(t).Operations() {
		if !covered[op.ID] {
			t.Errorf("operation %s is not exercised", op.ID)
		}
	}
}

func TestGatewayAnalyzeOutcomes(t *testing.T) {
	fail500 := func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		return nil, &providers.Error{Provider: "x", Status: 500, Code: "server_error", Message: "boom"}
	}
	fail429 := func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		return nil, &providers.Error{Provider: "gemini", Status: 429, Code: "RESOURCE_EXHAUSTED"}
	}
	cases := []struct {
		name   string
		setup  func(fs map[string]*fakeProvider)
		body   string
		status int
		code   string // problem code, or the analysis status for 200
	}{
		{"Success", nil, analyzeBody, 200, "success"},
		{"PartialSuccess", func(fs map[string]*fakeProvider) { fs["gemini"].complete = fail429 }, analyzeBody, 200, "partial_success"},
		{"AllFailing", func(fs map[string]*fakeProvider) {
			fs["anthropic"].complete, fs["gemini"].complete = fail500, fail500
		}, `{"prompt":"p","selected_models":["claude3sonnet","gemini15pro"],"ultra_model":"gpt4o"}`, 502, "all_providers_failed"},
		{"SynthesisFailing", func(fs map[string]*fakeProvider) { fs["openai"].complete = fail500 },
			`{"prompt":"p","selected_models":["claude3sonnet"],"ultra_model":"gpt4o"}`, 502, "synthesis_failed"},
		{"UnknownModel", nil, `{"prompt":"p","selected_models":["gpt4o","gpt-5-turbo"],"ultra_model":"gpt4o"}`, 400, "unknown_model"},
		{"UnknownUltraModel", nil, `{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"nope"}`, 400, "unknown_model"},
		{"InvalidPattern", nil, `{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gpt4o","pattern":"debate"}`, 400, "invalid_pattern"},
		{"ValidationFailed", nil, `{"prompt":"","selected_models":[],"ultra_model":"gpt4o"}`, 400, "validation_failed"},
		{"UnknownField", nil, `{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gpt4o","extra":1}`, 400, "validation_failed"},
		{"MalformedJSON", nil, `{"prompt":"p",`, 400, "invalid_json"},
		{"TooLarge", nil, `{"prompt":"` + strings.Repeat("a", 2<<20) + `"}`, 413, "payload_too_large"},
		{"AllPatterns", nil, `{"prompt":"p","selected_models":["gpt4o","claude3opus"],"ultra_model":"gemini15pro","pattern":"scenario","output_format":"markdown","options":{"temperature":0.2,"max_tokens":100}}`, 200, "success"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fs := fakes()
			if c.setup != nil {
				c.setup(fs)
			}
			h := MustHarness(t, testConfig(), fs, nil)
			resp := h.do("POST", "/api/analyze", c.body, bearer(h.token("alice")))
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, resp.body)
			}
			got := resp.json(t)
			key := "code"
			if c.status == 200 {
				key = "status"
			}
			if got[key] != c.code {
				t.Fatalf("%s = %v, want %s: %s", key, got[key], c.code, resp.body)
			}
			switch c.name {
			case "UnknownModel":
				if vm, _ := got["valid_models"].([]any); len(vm) != 8 || !strings.Contains(string(resp.body), `"pointer":"/selected_models/1"`) {
					t.Errorf("want 8 valid_models and a pointer to /selected_models/1: %s", resp.body)
				}
			case "PartialSuccess":
				mr := got["model_responses"].(map[string]any)["gemini15flash"].(map[string]any)
				if mr["status"] != "error" || mr["error"].(map[string]any)["code"] != "provider_rate_limited" {
					t.Errorf("gemini15flash = %v, want error provider_rate_limited", mr)
				}
			case "ValidationFailed":
				if !strings.Contains(string(resp.body), `"pointer":"/prompt"`) || !strings.Contains(string(resp.body), `"in":"body"`) {
					t.Errorf("want field errors with pointer /prompt and in body: %s", resp.body)
				}
			}
		})
	}
}

func TestGatewayAnalyzeUnsupportedMediaType(t *testing.T) {
	h := MustHarness(t, testConfig(), nil, nil)
	hdr := bearer(h.token("alice"))
	hdr["Content-Type"] = "application/x-www-form-urlencoded"
	resp := h.do("POST", "/api/analyze", "prompt=hi", hdr)
	if resp.StatusCode != 415 || resp.json(t)["code"] != "unsupported_media_type" {
		t.Fatalf("got %d %s, want 415 unsupported_media_type", resp.StatusCode, resp.body)
	}
}

// TestGatewayAnalyzeCircuitsOpen: when every needed breaker is open the gateway answers 503 without
// calling any provider.
func TestGatewayAnalyzeCircuitsOpen(t *testing.T) {
	fs := fakes()
	fs["anthropic"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		return nil, &providers.Error{Provider: "anthropic", Status: 529, Code: "overloaded_error"}
	}
	cfg := testConfig()
	cfg.BreakerFailureThreshold = 2
	h := MustHarness(t, cfg, fs, nil)
	auth := bearer(h.token("alice"))
	body := `{"prompt":"p","selected_models":["claude3sonnet"],"ultra_model":"claude3opus"}`
	for i := 0; i < 2; i++ {
		if resp := h.do("POST", "/api/analyze", body, auth); resp.StatusCode != 502 {
			t.Fatalf("call %d: got %d %s, want 502", i, resp.StatusCode, resp.body)
		}
	}
	before := fs["anthropic"].calls.Load()
	resp := h.do("POST", "/api/analyze", body, auth)
	if resp.StatusCode != 503 || resp.json(t)["code"] != "circuit_open" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("got %d %s (Retry-After %q), want 503 circuit_open with Retry-After", resp.StatusCode, resp.body, resp.Header.Get("Retry-After"))
	}
	if n := fs["anthropic"].calls.Load(); n != before {
		t.Fatalf("provider called %d more times with its circuit open", n-before)
	}
	// a selection with one usable provider still works, reporting the open circuit per model
	resp = h.do("POST", "/api/analyze", `{"prompt":"p","selected_models":["claude3sonnet","gpt4o"],"ultra_model":"gpt4o"}`, auth)
	if resp.StatusCode != 200 || !strings.Contains(string(resp.body), `"code":"circuit_open"`) {
		t.Fatalf("got %d %s, want 200 partial_success with circuit_open", resp.StatusCode, resp.body)
	}
}

func TestGatewayAnalyzeTimeout(t *testing.T) {
	fs := fakes()
	for _, f := range fs {
		f.complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
			<-ctx.Done()
			return nil, &providers.Error{Provider: "x", Timeout: true, Code: providers.CodeTimeout}
		}
	}
	h := MustHarness(t, testConfig(), fs, nil)
	body := `{"prompt":"p","selected_models":["gpt4o","claude3opus"],"ultra_model":"gpt4o","options":{"timeout_seconds":0.05}}`
	resp := h.do("POST", "/api/analyze", body, bearer(h.token("alice")))
	if resp.StatusCode != 504 || resp.json(t)["code"] != "upstream_timeout" {
		t.Fatalf("got %d %s, want 504 upstream_timeout", resp.StatusCode, resp.body)
	}
}

// TestGatewayAnalyzeClientDisconnect: a client that goes away cancels the upstream calls.
func TestGatewayAnalyzeClientDisconnect(t *testing.T) {
	fs := fakes()
	started, cancelled := make(chan struct{}, 3), make(chan error, 3)
	fs["openai"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		started <- struct{}{}
		<-ctx.Done()
		cancelled <- ctx.Err()
		return nil, &providers.Error{Provider: "openai", Code: providers.CodeCanceled}
	}
	h := MustHarness(t, testConfig(), fs, nil)
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "POST", h.srv.URL+"/api/analyze",
		strings.NewReader(`{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gpt4o"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+h.token("alice"))
	errc := make(chan error, 1)
	go func() {
		resp, err := h.srv.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	<-started
	cancel()
	if err := <-cancelled; !errors.Is(err, context.Canceled) {
		t.Fatalf("upstream context ended with %v, want context.Canceled", err)
	}
	if err := <-errc; err == nil {
		t.Fatalf("client request succeeded after cancel")
	}
	if st := h.g.Config(); st.BreakerFailureThreshold == 0 {
		t.Fatal("config lost")
	}
}

func TestGatewayPanicRecovered(t *testing.T) {
	fs := fakes()
	fs["gemini"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) { panic("kaboom") }
	h := MustHarness(t, testConfig(), fs, nil)
	resp := h.do("POST", "/api/analyze", `{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gemini15pro"}`,
		map[string]string{"Authorization": "Bearer " + h.token("alice"), "X-Request-ID": "req-panic-1"})
	if resp.StatusCode != 500 || resp.json(t)["code"] != "internal_error" || resp.json(t)["request_id"] != "req-panic-1" {
		t.Fatalf("got %d %s, want 500 internal_error with request_id", resp.StatusCode, resp.body)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "panic recovered") || !strings.Contains(logs, "request_id=req-panic-1") {
		t.Fatalf("panic not logged with the request ID:\n%s", logs)
	}
	// a panicking provider in the fan-out is one failed model, not a crash
	resp = h.do("POST", "/api/analyze", `{"prompt":"p","selected_models":["gpt4o","gemini15pro"],"ultra_model":"gpt4o"}`, bearer(h.token("alice")))
	if resp.StatusCode != 200 || resp.json(t)["status"] != "partial_success" {
		t.Fatalf("got %d %s, want 200 partial_success", resp.StatusCode, resp.body)
	}
}

func TestGatewayEdge(t *testing.T) {
	h := MustHarness(t, testConfig(), nil, nil)
	t.Run("RequestIDEchoed", func(t *testing.T) {
		resp := h.do("GET", "/api/health/live", "", map[string]string{"X-Request-ID": "abc-123"})
		if got := resp.Header.Get("X-Request-ID"); got != "abc-123" {
			t.Fatalf("X-Request-ID = %q, want abc-123", got)
		}
	})
	t.Run("RequestIDReplaced", func(t *testing.T) {
		resp := h.do("GET", "/api/health/live", "", map[string]string{"X-Request-ID": strings.Repeat("x", 200)})
		if got := resp.Header.Get("X-Request-ID"); len(got) != 36 {
			t.Fatalf("X-Request-ID = %q, want a generated UUID", got)
		}
	})
	t.Run("SecurityHeaders", func(t *testing.T) {
		resp := h.do("GET", "/api/health", "", nil)
		for _, k := range []string{"X-Content-Type-Options", "X-Frame-Options", "Content-Security-Policy", "Referrer-Policy"} {
			if resp.Header.Get(k) == "" {
				t.Errorf("missing %s", k)
			}
		}
	})
	t.Run("CORSAllowed", func(t *testing.T) {
		resp := h.do("OPTIONS", "/api/analyze", "", map[string]string{"Origin": "https://app.example", "Access-Control-Request-Method": "POST"})
		if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "https://app.example" {
			t.Fatalf("preflight: %d ACAO=%q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	})
	t.Run("CORSDenied", func(t *testing.T) {
		resp := h.do("GET", "/api/health", "", map[string]string{"Origin": "https://evil.example"})
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != "" {
			t.Fatalf("ACAO = %q for a foreign origin", got)
		}
	})
	t.Run("NotFound", func(t *testing.T) {
		resp := h.do("GET", "/api/nope", "", nil)
		if resp.StatusCode != 404 || resp.json(t)["code"] != "not_found" {
			t.Fatalf("got %d %s", resp.StatusCode, resp.body)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		resp := h.do("DELETE", "/api/analyze", "", nil)
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
			t.Fatalf("got %d Allow=%q %s", resp.StatusCode, resp.Header.Get("Allow"), resp.body)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		h.do("GET", "/api/health", "", nil)
		resp := h.do("GET", "/metrics", "", nil)
		for _, want := range []string{`ultra_http_requests_total{method="GET",route="/api/health",status="200"}`, "ultra_circuit_breaker_state", "ultra_http_request_duration_seconds_bucket"} {
			if !strings.Contains(string(resp.body), want) {
				t.Errorf("metrics lack %s", want)
			}
		}
	})
}

// TestGatewayRoutesMatchContract: New refuses a contract whose operations and handlers differ.
func TestGatewayRoutesMatchContract(t *testing.T) {
	cases := []struct{ name, from, to, want string }{
		{"OperationWithoutHandler", "operationId: getLiveness", "operationId: getLivenessV2",
			"contract operations without handler: getLivenessV2; handlers without operation: getLiveness"},
		{"HandlerWithoutOperation", "", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := strings.Replace(string(ultra.Contract()), c.from, c.to, 1)
			if c.name == "HandlerWithoutOperation" {
				// drop the /metrics operation entirely
				i := strings.Index(src, "  /metrics:\n")
				j := strings.Index(src, "\ncomponents:")
				src = src[:i] + src[j+1:]
				c.want = "handlers without contract operation: getMetrics"
			}
			doc, err := spec.Load([]byte(src), spec.Options{Name: "openapi.yaml"})
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			_, err = gateway.New(testConfig(), gateway.Deps{Contract: doc, Providers: asProviders(fakes())})
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("New error = %v, want it to contain %q", err, c.want)
			}
		})
	}
}

// TestGatewayResponseViolationCounted: in testing, a response that breaks the contract is logged and
// counted, not hidden.
func TestGatewayResponseViolationCounted(t *testing.T) {
	src := strings.Replace(string(ultra.Contract()), "          enum: [ok]\n", "          enum: [alive]\n", 1)
	doc, err := spec.Load([]byte(src), spec.Options{Name: "openapi.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	g, err := gateway.New(testConfig(), gateway.Deps{Contract: doc, Providers: asProviders(fakes()),
		Logger: slogText(logs)})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rec := record(g, "GET", "/api/health/live", "")
	if rec.Code != 200 {
		t.Fatalf("status %d", rec.Code)
	}
	if !strings.Contains(logs.String(), "CONTRACT VIOLATION") {
		t.Fatalf("violation not logged:\n%s", logs.String())
	}
	m := record(g, "GET", "/metrics", "").Body.String()
	if !strings.Contains(m, `ultra_contract_violations_total{operation="getLiveness"} 1`) {
		t.Fatalf("violation not counted:\n%s", grep(m, "contract"))
	}
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// TestGatewayShutdownInFlight: Shutdown waits for an analysis in flight, which completes with 200.
func TestGatewayShutdownInFlight(t *testing.T) {
	fs := fakes()
	release, entered := make(chan struct{}), make(chan struct{}, 4)
	var calls atomic.Int32
	fs["anthropic"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		if calls.Add(1) == 1 {
			entered <- struct{}{}
			<-release
		}
		return &providers.Response{Text: "late answer", InputTokens: 1, OutputTokens: 1}, nil
	}
	g, err := gateway.New(testConfig(), gateway.Deps{Contract: MustContract(t), Providers: asProviders(fs)})
	if err != nil {
		t.Fatal(err)
	}
	srv := newLoopbackServer(t, g)
	tok, _ := gateway.MintToken(g.Config(), "alice", time.Hour)
	type result struct {
		status int
		err    error
	}
	done := make(chan result, 1)
	go func() {
		req, _ := http.NewRequest("POST", srv.url+"/api/analyze", strings.NewReader(`{"prompt":"p","selected_models":["claude3opus"],"ultra_model":"claude3opus"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			done <- result{err: err}
			return
		}
		resp.Body.Close()
		done <- result{status: resp.StatusCode}
	}()
	<-entered
	shut := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		shut <- srv.srv.Shutdown(ctx)
	}()
	// new connections are refused once Shutdown has closed the listener
	waitFor(t, func() bool {
		_, err := http.Get(srv.url + "/api/health/live")
		return err != nil
	})
	close(release)
	if r := <-done; r.err != nil || r.status != 200 {
		t.Fatalf("in-flight analysis: status %d err %v, want 200", r.status, r.err)
	}
	if err := <-shut; err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	if err := g.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within 10s")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

var _ = fmt.Sprintf
