package gateway_test

import (
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/redistest"
)

// redisConfig is testConfig with small default-class limits kept in the Redis at url.
func redisConfig(url, failure string) gateway.Config {
	cfg := testConfig()
	cfg.DefaultRPM, cfg.DefaultBurst = 60, 4
	cfg.RateLimitStore, cfg.RateLimitRedisFailure = url, failure
	cfg.RateLimitRedisTimeout = 500 * time.Millisecond
	return cfg
}

// rateHeaders is what a client sees of its limit.
func rateHeaders(r response) string {
	h := r.Header
	return strings.Join([]string{itoa(int64(r.StatusCode)), h.Get("RateLimit-Limit"), h.Get("RateLimit-Remaining"),
		h.Get("RateLimit-Reset"), h.Get("Retry-After")}, " ")
}

func TestRedisStoreSharesOneBudgetAcrossReplicas(t *testing.T) {
	rs := redistest.MustStart(t)
	a := MustHarness(t, redisConfig(rs.URL(), gateway.FailureOpen), nil, nil)
	b := MustHarness(t, redisConfig(rs.URL(), gateway.FailureOpen), nil, nil)
	tok := a.token("alice")
	var got []string
	for i := range 6 {
		h := []*harness{a, b}[i%2]
		got = append(got, rateHeaders(h.do("GET", "/api/available-models", "", bearer(tok))))
	}
	want := []string{"200 4 3 1 ", "200 4 2 2 ", "200 4 1 3 ", "200 4 0 4 ", "429 4 0 4 1", "429 4 0 4 1"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("expected alice's burst of 4 shared by both replicas (status limit remaining reset retry-after):\n got %q\nwant %q", got, want)
	}
	if r := b.do("GET", "/api/available-models", "", bearer(b.token("bob"))); r.StatusCode != 200 || r.Header.Get("RateLimit-Remaining") != "3" {
		t.Fatalf("expected bob's own budget (200, remaining 3), got %d remaining %q", r.StatusCode, r.Header.Get("RateLimit-Remaining"))
	}
}

// TestRedisStoreSendsTheMemoryStoresHeaders runs one sequence against each store: a client cannot
// tell them apart.
func TestRedisStoreSendsTheMemoryStoresHeaders(t *testing.T) {
	rs := redistest.MustStart(t)
	seq := func(cfg gateway.Config) []string {
		h := MustHarness(t, cfg, nil, nil)
		tok := h.token("carol")
		var out []string
		for range 6 {
			out = append(out, rateHeaders(h.do("GET", "/api/patterns", "", bearer(tok))))
		}
		return out
	}
	mem := seq(redisConfig(gateway.StoreMemory, gateway.FailureOpen))
	red := seq(redisConfig(rs.URL(), gateway.FailureOpen))
	if strings.Join(mem, "|") != strings.Join(red, "|") {
		t.Fatalf("expected the same headers from both stores:\nmemory %q\n redis %q", mem, red)
	}
}

func TestRedisDownFailOpenAllowsAndSaysSo(t *testing.T) {
	rs := redistest.MustStart(t)
	h := MustHarness(t, redisConfig(rs.URL(), gateway.FailureOpen), nil, nil)
	tok := h.token("dave")
	if r := h.do("GET", "/api/patterns", "", bearer(tok)); r.Header.Get("RateLimit-Remaining") != "3" {
		t.Fatalf("expected a limited request first, got %s", rateHeaders(r))
	}
	if err := rs.Stop(); err != nil {
		t.Fatal(err)
	}
	for range 6 { // more than the burst: nothing is limited while the store is down
		r := h.do("GET", "/api/patterns", "", bearer(tok))
		if r.StatusCode != 200 || r.Header.Get("RateLimit-Limit") != "" {
			t.Fatalf("expected 200 without RateLimit headers while Redis is down (open), got %s", rateHeaders(r))
		}
	}
	store := h.do("GET", "/api/health", "", nil).json(t)["rate_limit_store"].(map[string]any)
	if store["status"] != "unavailable" || store["failure_policy"] != "open" || !strings.Contains(store["reason"].(string), "connect") {
		t.Fatalf("expected health to report the redis store unavailable with the connection error, got %v", store)
	}
	ready := h.do("GET", "/api/health/ready", "", nil)
	if ready.StatusCode != 200 || !strings.Contains(ready.json(t)["reason"].(string), "allowed without limits") {
		t.Fatalf("expected ready (open policy) with a reason, got %d %s", ready.StatusCode, ready.body)
	}
	metrics := string(h.do("GET", "/metrics", "", nil).body)
	for _, want := range []string{`ultra_rate_limit_store_up{store="redis"} 0`, `ultra_rate_limit_store_errors_total{store="redis"} 6`} {
		if !strings.Contains(metrics, want) {
			t.Errorf("expected /metrics to contain %s", want)
		}
	}

	if err := rs.Restart(t.Context()); err != nil {
		t.Fatal(err)
	}
	r := h.do("GET", "/api/patterns", "", bearer(tok))
	if r.StatusCode != 200 || r.Header.Get("RateLimit-Remaining") != "3" { // a new Redis: a full bucket
		t.Fatalf("expected the restarted Redis to limit again without restarting the gateway, got %s", rateHeaders(r))
	}
	if s := h.do("GET", "/api/health", "", nil).json(t)["rate_limit_store"].(map[string]any); s["status"] != "healthy" {
		t.Fatalf("expected the store healthy again, got %v", s)
	}
}

func TestRedisDownFailClosedRefuses(t *testing.T) {
	rs := redistest.MustStart(t)
	h := MustHarness(t, redisConfig(rs.URL(), gateway.FailureClosed), nil, nil)
	tok := h.token("erin")
	if err := rs.Stop(); err != nil {
		t.Fatal(err)
	}
	r := h.do("GET", "/api/available-models", "", bearer(tok))
	p := r.json(t)
	if r.StatusCode != 503 || p["code"] != "rate_limit_store_unavailable" || r.Header.Get("Retry-After") != "1" {
		t.Fatalf("expected 503 rate_limit_store_unavailable with Retry-After 1, got %d %s", r.StatusCode, r.body)
	}
	ready := h.do("GET", "/api/health/ready", "", nil)
	if ready.StatusCode != 503 || !strings.Contains(ready.json(t)["reason"].(string), "RATE_LIMIT_REDIS_FAILURE=closed") {
		t.Fatalf("expected not ready with the closed policy as reason, got %d %s", ready.StatusCode, ready.body)
	}
	if s := h.do("GET", "/api/health", "", nil).json(t); s["status"] != "unavailable" {
		t.Fatalf("expected overall health unavailable while limited requests are refused, got %v", s["status"])
	}
	if r := h.do("GET", "/api/health/live", "", nil); r.StatusCode != 200 {
		t.Fatalf("expected liveness unaffected, got %d", r.StatusCode)
	}
}

func TestRateLimitStoreConfig(t *testing.T) {
	strong := "8d3f0b2c9e7a41d6b5c8f2e1a0d9c7b6e5f4a3b2"
	prod := func(store string) map[string]string {
		return map[string]string{"ENVIRONMENT": "production", "JWT_SECRET": strong, "CORS_ORIGINS": "https://app.example",
			"ANTHROPIC_API_KEY": "a", "RATE_LIMIT_STORE": store}
	}
	cases := []struct {
		name string
		env  map[string]string
		want string // "" means valid
	}{
		{"ProductionCleartextPasswordRemote", prod("redis://:hunter2@10.1.2.3:6379/0"), "RATE_LIMIT_STORE sends the Redis password in clear to 10.1.2.3:6379; use rediss:// (TLS) in production"},
		{"ProductionTLSPassword", prod("rediss://:hunter2@redis.internal:6380/0"), ""},
		{"ProductionCleartextLoopback", prod("redis://:hunter2@127.0.0.1:6379/0"), ""},
		{"ProductionNoPassword", prod("redis://redis.internal:6379/0"), ""},
		{"TestingCleartextPassword", map[string]string{"ENVIRONMENT": "testing", "RATE_LIMIT_STORE": "redis://:hunter2@10.1.2.3:6379/0"}, ""},
		{"NotAURL", map[string]string{"RATE_LIMIT_STORE": "postgres://:hunter2@db/1"}, `RATE_LIMIT_STORE must be memory or a redis://HOST:PORT/DB or rediss:// URL, not "postgres://:xxxxx@db/1"`},
		{"BadDatabase", map[string]string{"RATE_LIMIT_STORE": "redis://127.0.0.1:6379/x"}, "RATE_LIMIT_STORE redis://127.0.0.1:6379/x: redis: invalid database number"},
		{"BadPolicy", map[string]string{"RATE_LIMIT_REDIS_FAILURE": "maybe"}, `RATE_LIMIT_REDIS_FAILURE must be open or closed, not "maybe"`},
		{"BadTimeout", map[string]string{"RATE_LIMIT_REDIS_TIMEOUT": "-1s"}, "RATE_LIMIT_REDIS_TIMEOUT must be a positive duration"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			_, err := gateway.LoadConfig(envFunc(c.env))
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("expected a valid configuration, got %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("expected a problem containing %q, got %v", c.want, err)
			case err != nil && strings.Contains(err.Error(), "hunter2"):
				t.Fatalf("the problem leaks the password: %v", err)
			}
		})
	}
}
