package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/gateway/providers"
)

func TestGatewayRateLimit(t *testing.T) {
	clock := newFakeClock()
	cfg := testConfig()
	cfg.DefaultRPM, cfg.DefaultBurst = 60, 3 // one token per second
	cfg.AnalyzeRPM, cfg.AnalyzeBurst = 60, 1
	h := MustHarness(t, cfg, nil, clock.Now)
	alice, bob := bearer(h.token("alice")), bearer(h.token("bob"))

	t.Run("BurstThen429", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			resp := h.do("GET", "/api/patterns", "", alice)
			if resp.StatusCode != 200 || resp.Header.Get("RateLimit-Remaining") != strconv.Itoa(2-i) || resp.Header.Get("RateLimit-Limit") != "3" {
				t.Fatalf("request %d: %d remaining=%s limit=%s", i, resp.StatusCode, resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("RateLimit-Limit"))
			}
		}
		resp := h.do("GET", "/api/patterns", "", alice)
		if resp.StatusCode != 429 || resp.json(t)["code"] != "rate_limited" || resp.Header.Get("Retry-After") != "1" {
			t.Fatalf("got %d Retry-After=%q %s, want 429 rate_limited Retry-After 1", resp.StatusCode, resp.Header.Get("Retry-After"), resp.body)
		}
	})
	t.Run("OtherIdentityIsolated", func(t *testing.T) {
		if resp := h.do("GET", "/api/patterns", "", bob); resp.StatusCode != 200 {
			t.Fatalf("bob got %d while alice is limited", resp.StatusCode)
		}
	})
	t.Run("RouteClassIsolated", func(t *testing.T) {
		if resp := h.do("POST", "/api/analyze", analyzeBody, alice); resp.StatusCode != 200 {
			t.Fatalf("analyze got %d while alice's default class is limited", resp.StatusCode)
		}
		if resp := h.do("POST", "/api/analyze", analyzeBody, alice); resp.StatusCode != 429 {
			t.Fatalf("second analyze got %d, want 429 (burst 1)", resp.StatusCode)
		}
	})
	t.Run("Recovery", func(t *testing.T) {
		clock.Add(1100 * time.Millisecond)
		if resp := h.do("GET", "/api/patterns", "", alice); resp.StatusCode != 200 {
			t.Fatalf("after 1.1s got %d, want 200", resp.StatusCode)
		}
	})
	t.Run("AnonymousByIP", func(t *testing.T) {
		for i := 0; i < 3; i++ {
			h.do("GET", "/api/patterns", "", nil)
		}
		resp := h.do("GET", "/api/patterns", "", nil)
		if resp.StatusCode != 429 {
			t.Fatalf("4th anonymous request got %d, want 429", resp.StatusCode)
		}
	})
	t.Run("IdleEntriesEvicted", func(t *testing.T) {
		for i := 0; i < 50; i++ {
			h.do("GET", "/api/patterns", "", bearer(h.token(fmt.Sprintf("user-%d", i))))
		}
		if n := gateway.RateLimitEntries(h.g); n < 50 {
			t.Fatalf("%d entries, want at least 50", n)
		}
		clock.Add(2 * time.Minute)
		h.do("GET", "/api/patterns", "", alice)
		if n := gateway.RateLimitEntries(h.g); n != 1 {
			t.Fatalf("%d entries after two idle minutes, want 1", n)
		}
	})
}

// TestGatewayBreakerTransitions drives one provider's breaker closed → open → half_open → closed.
// gobreaker reads the real clock, so the recovery timeout is short and the test waits for the state.
func TestGatewayBreakerTransitions(t *testing.T) {
	fs := fakes()
	failing := true
	var mu = make(chan struct{}, 1)
	mu <- struct{}{}
	fs["gemini"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		<-mu
		f := failing
		mu <- struct{}{}
		if f {
			return nil, &providers.Error{Provider: "gemini", Status: 503, Code: "UNAVAILABLE"}
		}
		return &providers.Response{Text: "gemini is back", InputTokens: 1, OutputTokens: 1}, nil
	}
	cfg := testConfig()
	cfg.BreakerFailureThreshold, cfg.BreakerRecoveryTimeout = 3, 300*time.Millisecond
	h := MustHarness(t, cfg, fs, nil)
	auth := bearer(h.token("alice"))
	body := `{"prompt":"p","selected_models":["gemini15pro"],"ultra_model":"gpt4o"}`
	state := func() map[string]any {
		return h.do("GET", "/api/health/circuit-breakers", "", nil).json(t)["breakers"].(map[string]any)["gemini"].(map[string]any)
	}

	// a 4xx caused by our request does not count
	fs["anthropic"].complete = func(ctx context.Context, req providers.Request) (*providers.Response, error) {
		return nil, &providers.Error{Provider: "anthropic", Status: 400, Code: "invalid_request_error"}
	}
	for i := 0; i < 5; i++ {
		h.do("POST", "/api/analyze", `{"prompt":"p","selected_models":["claude3opus"],"ultra_model":"gpt4o"}`, auth)
	}
	if s := h.do("GET", "/api/health/circuit-breakers", "", nil).json(t)["breakers"].(map[string]any)["anthropic"].(map[string]any); s["state"] != "closed" {
		t.Fatalf("anthropic breaker %v after 4xx, want closed", s["state"])
	}

	for i := 0; i < 2; i++ {
		h.do("POST", "/api/analyze", body, auth)
		if s := state(); s["state"] != "closed" || s["failure_count"] != float64(i+1) {
			t.Fatalf("after %d failures: %v, want closed with failure_count %d", i+1, s, i+1)
		}
	}
	h.do("POST", "/api/analyze", body, auth)
	s := state()
	if s["state"] != "open" || s["expected_recovery_seconds"] == nil || s["last_failure_at"] == nil {
		t.Fatalf("after 3 failures: %v, want open with expected_recovery_seconds", s)
	}
	if ph := h.do("GET", "/api/health/llm/providers", "", nil); !strings.Contains(string(ph.body), `"circuit_state":"open"`) {
		t.Fatalf("provider health does not show the open circuit: %s", ph.body)
	}
	if am := h.do("GET", "/api/available-models", "", auth); !strings.Contains(string(am.body), `"name":"gemini15pro","provider":"gemini","provider_model":"gemini-1.5-pro","available":false,"status":"circuit_open"`) {
		t.Fatalf("available-models does not mark gemini circuit_open: %s", am.body)
	}
	if m := h.do("GET", "/metrics", "", nil); !strings.Contains(string(m.body), `ultra_circuit_breaker_state{provider="gemini"} 2`) {
		t.Fatalf("breaker gauge not 2:\n%s", grep(string(m.body), "circuit_breaker"))
	}
	calls := fs["gemini"].calls.Load()
	if resp := h.do("POST", "/api/analyze", body, auth); resp.StatusCode != 503 || fs["gemini"].calls.Load() != calls {
		t.Fatalf("open breaker: got %d and %d calls, want 503 and none", resp.StatusCode, fs["gemini"].calls.Load()-calls)
	}

	waitFor(t, func() bool { return state()["state"] == "half_open" })
	<-mu
	failing = false
	mu <- struct{}{}
	if resp := h.do("POST", "/api/analyze", body, auth); resp.StatusCode != 200 {
		t.Fatalf("probe: got %d %s, want 200", resp.StatusCode, resp.body)
	}
	if s := state(); s["state"] != "closed" || s["failure_count"] != float64(0) || s["last_success_at"] == nil {
		t.Fatalf("after a successful probe: %v, want closed", s)
	}
	if logs := h.logs.String(); !strings.Contains(logs, "circuit breaker state changed") || !strings.Contains(logs, "to=half_open") {
		t.Fatalf("state changes not logged:\n%s", logs)
	}
}

func TestGatewayHealth(t *testing.T) {
	rejected := func(ctx context.Context) error {
		return &providers.Error{Provider: "openai", Status: 401, Code: "invalid_api_key", Message: "Incorrect API key provided: sk-te***"}
	}
	hang := func(ctx context.Context) error {
		<-ctx.Done()
		return &providers.Error{Provider: "gemini", Timeout: true, Code: providers.CodeTimeout}
	}
	cases := []struct {
		name        string
		cfg         func(*gateway.Config)
		setup       func(map[string]*fakeProvider)
		status      string
		ready       int
		models      string // status of gpt4o in available-models
		contains    []string
		notContains []string
	}{
		{"AllOK", nil, nil, "ok", 200, "ready", []string{`"openai":"healthy"`}, nil},
		{"KeyRejected", nil, func(fs map[string]*fakeProvider) { fs["openai"].check = rejected }, "degraded", 200, "api_key_invalid",
			[]string{`"api_key_valid":false`, "API key rejected by provider (HTTP 401)"}, []string{"sk-te"}},
		{"NoKey", func(c *gateway.Config) { delete(c.APIKeys, "openai") }, nil, "ok", 200, "no_api_key",
			[]string{`"message":"no API key configured"`, `"api_key_configured":false`}, nil},
		{"Timeout", nil, func(fs map[string]*fakeProvider) { fs["gemini"].check = hang }, "degraded", 200, "ready",
			[]string{"health check timed out"}, nil},
		{"NoneUsable", func(c *gateway.Config) { c.APIKeys = nil }, nil, "unavailable", 503, "no_api_key", nil, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.HealthCheckInterval = 200 * time.Millisecond
			if c.cfg != nil {
				c.cfg(&cfg)
			}
			fs := fakes()
			if c.setup != nil {
				c.setup(fs)
			}
			h := MustHarness(t, cfg, fs, nil)
			h.g.Start(context.Background())
			health := h.do("GET", "/api/health", "", nil)
			if got := health.json(t)["status"]; got != c.status {
				t.Fatalf("health status %v, want %s: %s", got, c.status, health.body)
			}
			if ready := h.do("GET", "/api/health/ready", "", nil); ready.StatusCode != c.ready {
				t.Fatalf("ready %d, want %d", ready.StatusCode, c.ready)
			}
			am := h.do("GET", "/api/available-models", "", map[string]string{"X-Test-Mode": "test-mode-secret"})
			if !strings.Contains(string(am.body), `"name":"gpt4o","provider":"openai","provider_model":"gpt-4o","available":`+strconv.FormatBool(c.models == "ready")+`,"status":"`+c.models+`"`) {
				t.Fatalf("available-models: gpt4o not %s: %s", c.models, am.body)
			}
			ph := h.do("GET", "/api/health/llm/providers", "", nil)
			all := string(health.body) + string(ph.body)
			for _, s := range c.contains {
				if !strings.Contains(all, s) {
					t.Errorf("health lacks %q:\n%s", s, all)
				}
			}
			for _, s := range append(c.notContains, "sk-test", "sk-ant-test", "g-test") {
				if strings.Contains(all, s) {
					t.Errorf("health leaks %q", s)
				}
			}
		})
	}
}

var _ = errors.New
