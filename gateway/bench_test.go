package gateway_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
)

func benchGateway(b *testing.B, env string) (*gateway.Gateway, string) {
	b.Helper()
	cfg := testConfig()
	cfg.Environment = env
	cfg.AnalyzeRPM, cfg.AnalyzeBurst, cfg.DefaultRPM, cfg.DefaultBurst = 1<<30, 1<<30, 1<<30, 1<<30
	g, err := gateway.New(cfg, gateway.Deps{Contract: MustContract(b), Providers: asProviders(fakes())})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { g.Close() })
	tok, err := gateway.MintToken(gateway.Config{Environment: "testing", JWTSecret: testSecret}, "bench", time.Hour)
	if err != nil {
		b.Fatal(err)
	}
	return g, tok
}

// BenchmarkGatewayAnalyze is the gateway's own cost of one analysis: 3 models and the synthesis against
// zero-latency in-process providers, auth, rate limit and request validation included. "production"
// skips response validation; "testing" validates every response against the contract too.
func BenchmarkGatewayAnalyze(b *testing.B) {
	for _, env := range []string{"production", "testing"} {
		b.Run(env, func(b *testing.B) {
			g, tok := benchGateway(b, env)
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest("POST", "/api/analyze", strings.NewReader(analyzeBody))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+tok)
				rec := httptest.NewRecorder()
				g.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// BenchmarkGatewayRequestValidation is the contract check of one analyze request alone.
func BenchmarkGatewayRequestValidation(b *testing.B) {
	op, _ := MustContract(b).Operation("analyze")
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/api/analyze", strings.NewReader(analyzeBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer x")
		if err := op.ValidateRequest(req); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGatewayAvailableModels is a small authenticated GET: allocations per request on the light path.
func BenchmarkGatewayAvailableModels(b *testing.B) {
	g, tok := benchGateway(b, "production")
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("GET", "/api/available-models", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
