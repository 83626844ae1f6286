package harness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ultra-kit/ultra/harness"
)

// TestSuiteFailsAgainstBrokenGateways proves the suite can fail: each case breaks the gateway in one
// way and runs the feature that must notice, expecting that very scenario to fail.
func TestSuiteFailsAgainstBrokenGateways(t *testing.T) {
	var secret atomic.Pointer[string] // the target's JWT secret, known once it started
	cases := []struct {
		name         string
		feature      string
		wantScenario string
		opts         harness.InProcessOptions
	}{
		{
			name:         "HealthDropsARequiredField",
			feature:      "health.feature",
			wantScenario: "The health document has every field with a healthy status",
			opts:         harness.InProcessOptions{Wrap: rewriteJSON("/api/health", func(m map[string]any) { delete(m, "degraded_services") })},
		},
		{
			name:         "ExpiredTokenAccepted",
			feature:      "auth.feature",
			wantScenario: "An expired token is refused",
			opts:         harness.InProcessOptions{Wrap: acceptExpiredTokens(&secret)},
		},
		{
			name:         "TooManyRequestsRewrittenTo200",
			feature:      "rate_limiting.feature",
			wantScenario: "Exceeding the limit gives 429, another identity is unaffected, and the window recovers",
			opts:         harness.InProcessOptions{Wrap: hideRateLimits},
		},
		{
			name:         "HugeRateLimits",
			feature:      "rate_limiting.feature",
			wantScenario: "Exceeding the limit gives 429, another identity is unaffected, and the window recovers",
			opts: harness.InProcessOptions{Env: map[string]string{
				"RATE_LIMIT_DEFAULT_RPM": "1000000", "RATE_LIMIT_DEFAULT_BURST": "1000000",
				"RATE_LIMIT_ANALYZE_RPM": "1000000", "RATE_LIMIT_ANALYZE_BURST": "1000000",
			}},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target := MustStartInProcess(t, tc.opts)
			s := target.JWTSecret()
			secret.Store(&s)
			var out bytes.Buffer
			res, err := harness.Run(context.Background(), harness.Options{
				Target: target, Paths: []string{tc.feature}, Format: "progress", Output: &out, NoColors: true,
			})
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			var sum strings.Builder
			harness.WriteSummary(&sum, tc.name, res)
			if res.Passed() || res.Failed == 0 {
				t.Fatalf("expected the suite to fail against a gateway with %s, got it passing:%s", tc.name, sum.String())
			}
			found := false
			for _, f := range res.Failures {
				if f.Scenario == tc.wantScenario {
					found = true
				}
			}
			if !found {
				t.Errorf("expected scenario %q to fail, got these failures:%s", tc.wantScenario, sum.String())
			}
			t.Logf("the suite failed as it should:%s", sum.String())
		})
	}
}

// rewriteJSON edits the JSON object answered at path.
func rewriteJSON(path string, edit func(map[string]any)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path != path {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var m map[string]any
			body := rec.Body.Bytes()
			if json.Unmarshal(body, &m) == nil {
				edit(m)
				body, _ = json.Marshal(m)
			}
			copyHeader(w.Header(), rec.Header())
			w.Header().Del("Content-Length")
			w.WriteHeader(rec.Code)
			_, _ = w.Write(body)
		})
	}
}

// acceptExpiredTokens swaps an expired bearer token for a fresh one of the same subject, as a gateway
// that ignores exp would behave.
func acceptExpiredTokens(secret *atomic.Pointer[string]) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			if s := secret.Load(); ok && s != nil {
				claims := jwt.RegisteredClaims{}
				_, _, err := jwt.NewParser().ParseUnverified(tok, &claims)
				if err == nil && claims.ExpiresAt != nil && claims.ExpiresAt.Before(time.Now()) {
					fresh, err := harness.Minter{Secret: *s, Audience: harness.TestAudience}.Token(claims.Subject)
					if err == nil {
						r = r.Clone(r.Context())
						r.Header.Set("Authorization", "Bearer "+fresh)
					}
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// hideRateLimits answers 200 with a valid-looking pattern list instead of 429 on /api/patterns.
func hideRateLimits(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		copyHeader(w.Header(), rec.Header())
		w.Header().Del("Content-Length")
		if rec.Code != http.StatusTooManyRequests || r.URL.Path != "/api/patterns" {
			w.WriteHeader(rec.Code)
			_, _ = w.Write(rec.Body.Bytes())
			return
		}
		w.Header().Del("Retry-After")
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("RateLimit-Remaining", "1")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write([]byte(`{"patterns":[{"name":"gut","description":"g"},{"name":"confidence","description":"c"},` +
			`{"name":"critique","description":"c"},{"name":"fact_check","description":"f"},` +
			`{"name":"perspective","description":"p"},{"name":"scenario","description":"s"}]}`))
	})
}

func copyHeader(dst, src http.Header) {
	for k, v := range src {
		dst[k] = v
	}
}
