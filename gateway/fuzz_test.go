package gateway_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
)

// FuzzAnalyzeRequest feeds arbitrary bodies to POST /api/analyze: the gateway must never answer 500
// and every answer must match the contract.
func FuzzAnalyzeRequest(f *testing.F) {
	for _, seed := range []string{
		analyzeBody,
		`{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gpt4o","pattern":"gut","output_format":"json","options":{"temperature":2,"max_tokens":1,"timeout_seconds":300}}`,
		`{"prompt":"p","selected_models":["gpt4o","gpt4o"],"ultra_model":"gpt4o"}`,
		`{"prompt":"p","selected_models":["unknown"],"ultra_model":"x"}`,
		`{"prompt":1}`, `[]`, `null`, `{`, `{"prompt":"p"}{"x":1}`, "\xff\xfe", `{"prompt":"\u0000"}`,
		`{"prompt":"p","selected_models":["gpt4o"],"ultra_model":"gpt4o","options":{"timeout_seconds":0}}`,
	} {
		f.Add(seed)
	}
	cfg := testConfig()
	g, err := gateway.New(cfg, gateway.Deps{Contract: MustContract(f), Providers: asProviders(fakes())})
	if err != nil {
		f.Fatal(err)
	}
	defer g.Close()
	tok, err := gateway.MintToken(g.Config(), "fuzz", time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		req := httptest.NewRequest("POST", "/api/analyze", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer "+tok)
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %s", rec.Code, body, rec.Body)
		}
		resp := rec.Result()
		checkContract(t, req, resp, rec.Body.Bytes())
		if rec.Code != http.StatusOK && rec.Header().Get("Content-Type") != "application/problem+json" {
			t.Fatalf("status %d with Content-Type %q", rec.Code, rec.Header().Get("Content-Type"))
		}
	})
}
