package harness_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/spec"
)

// echoServer answers GET /echo with the request's headers (lower-cased names) and query.
func echoServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := map[string]string{}
		for k := range r.Header {
			h[strings.ToLower(k)] = r.Header.Get(k)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"headers": h, "query": r.URL.RawQuery,
			"items": []map[string]int{{"n": 1}, {"n": 2}}})
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func runFlows(t *testing.T, feature string, getenv func(string) string) *harness.Result {
	t.Helper()
	doc, err := spec.LoadFile("testdata/flows/echo.yaml")
	if err != nil {
		t.Fatal(err)
	}
	target, err := harness.NewService(context.Background(), echoServer(t), harness.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fsys, paths, err := harness.FeatureFiles([]string{"testdata/flows/" + feature}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), harness.Options{Target: target, Contract: doc, Features: fsys,
		Paths: paths, Output: testOutput(t), NoColors: true, Getenv: getenv})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestFlowStepsPass runs credentials, scenario headers, saved and environment variables against an
// echo server that shows what was sent.
func TestFlowStepsPass(t *testing.T) {
	env := map[string]string{"API_TOKEN": "tok-123", "TENANT": "acme"}
	res := runFlows(t, "credentials.feature", func(k string) string { return env[k] })
	if !res.Passed() || res.Scenarios != 3 {
		var b strings.Builder
		harness.WriteSummary(&b, "echo", res)
		t.Fatalf("expected 3 passing scenarios, got %d (%d failed)\n%s", res.Scenarios, res.Failed, b.String())
	}
}

// TestFlowStepsFail proves each new step can fail, with a message that says why.
func TestFlowStepsFail(t *testing.T) {
	res := runFlows(t, "failing.feature", func(string) string { return "" })
	want := map[string]string{
		"An unknown variable":                     "got none by that name (saved: known)",
		"An unset environment variable":           "NOT_SET to be set",
		"A field that does not match":             "to match regular expression",
		"A body that does not contain the subset": `/items: expected an item containing {"n":3}`,
		"A response slower than the bound":        "response time",
		"An item without the key":                 `item 0 of items has "missing"`,
		"Saving a field that is absent":           "field nope is present to save as x",
	}
	if res.Scenarios != len(want) || res.Failed != len(want) {
		t.Fatalf("expected all %d scenarios to fail, got %d of %d", len(want), res.Failed, res.Scenarios)
	}
	for _, f := range res.Failures {
		w, ok := want[f.Scenario]
		if !ok {
			t.Errorf("unexpected failure %q", f.Scenario)
			continue
		}
		if !strings.Contains(f.Err.Error(), w) {
			t.Errorf("%s: expected the error to say %q, got %v", f.Scenario, w, f.Err)
		}
	}
	// The credentials feature without its variables fails on the first {env:...}.
	res = runFlows(t, "credentials.feature", func(string) string { return "" })
	if res.Passed() {
		t.Error("expected the credentials feature to fail without API_TOKEN and TENANT")
	}
}
