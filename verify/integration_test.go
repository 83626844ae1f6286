package verify_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/providers"
	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
)

// mustSharedSpec loads a third-party document from ULTRA_SPECS_DIR, skipping the test when it is missing.
func mustSharedSpec(tb testing.TB, name string) *spec.Document {
	tb.Helper()
	doc, err := spec.LoadFile(testenv.Spec(tb, name))
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func mustUltra(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := ultra.LoadContract()
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func requireClean(t *testing.T, rep *verify.Report) {
	t.Helper()
	var buf bytes.Buffer
	rep.WriteText(&buf)
	if !rep.OK() {
		t.Fatalf("expected no failures, got:\n%s", buf.String())
	}
	if rep.Requests == 0 || rep.Passed == 0 {
		t.Fatalf("expected checks to run, got:\n%s", buf.String())
	}
	t.Logf("\n%s", buf.String())
}

// TestMockServerPasses verifies the mock server serving the Ultra contract and train-travel: a mock
// generated from a contract must honour it. A mock cannot tell a bad credential from a good one, so
// the auth phase only sends requests without credentials.
func TestMockServerPasses(t *testing.T) {
	for _, tt := range []struct {
		name string
		doc  func(testing.TB) *spec.Document // loaded in the subtest: a missing shared document skips that case alone
	}{
		{"Ultra", mustUltra},
		{"TrainTravel", func(tb testing.TB) *spec.Document { return mustSharedSpec(tb, "train-travel.yaml") }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			doc := tt.doc(t)
			mock, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(mock.Close)
			srv := httptest.NewServer(mock)
			t.Cleanup(srv.Close)
			rep, err := verify.Run(context.Background(), doc, verify.Options{
				Target: srv.URL, Client: srv.Client(), Seed: 7, MaxExamples: 5,
				Header: http.Header{"Authorization": {"Bearer mock-token"}},
				Phases: []string{verify.PhaseExamples, verify.PhasePositive, verify.PhaseNegative},
			})
			if err != nil {
				t.Fatal(err)
			}
			requireClean(t, rep)
		})
	}
}

// TestGatewayPasses verifies the real gateway, its providers pointed at the provider mocks, with a
// minted token: every phase, auth included.
func TestGatewayPasses(t *testing.T) {
	prov := httptest.NewServer(providers.New(providers.Config{}))
	t.Cleanup(prov.Close)
	env := map[string]string{
		"ENVIRONMENT":              "testing",
		"JWT_SECRET":               "verify-integration-test-secret-0123456789",
		"OPENAI_API_KEY":           "sk-test",
		"ANTHROPIC_API_KEY":        "sk-ant-test",
		"GOOGLE_API_KEY":           "g-test",
		"OPENAI_BASE_URL":          prov.URL + "/openai/v1",
		"ANTHROPIC_BASE_URL":       prov.URL + "/anthropic/v1",
		"GEMINI_BASE_URL":          prov.URL + "/gemini/v1beta",
		"RATE_LIMIT_ANALYZE_RPM":   "100000",
		"RATE_LIMIT_ANALYZE_BURST": "100000",
		"RATE_LIMIT_DEFAULT_RPM":   "100000",
		"RATE_LIMIT_DEFAULT_BURST": "100000",
	}
	cfg, err := gateway.LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	gw, err := gateway.New(cfg, gateway.Deps{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { gw.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	gw.Start(ctx)
	srv := httptest.NewServer(gw)
	t.Cleanup(srv.Close)
	waitReady(t, srv)
	token, err := gateway.MintToken(cfg, "verify", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := verify.Run(context.Background(), mustUltra(t), verify.Options{
		Target: srv.URL, Client: srv.Client(), Seed: 7, MaxExamples: 5,
		Header: http.Header{"Authorization": {"Bearer " + token}},
		// Model names are configuration, not schema: a valid name the gateway does not serve is a 400.
		AcceptStatuses: []int{http.StatusBadRequest},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireClean(t, rep)
}

// waitReady polls the readiness probe until the first provider health checks have run.
func waitReady(t *testing.T, srv *httptest.Server) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := srv.Client().Get(srv.URL + "/api/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("the gateway never became ready")
}
