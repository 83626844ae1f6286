package harness_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/spec"
)

// loadService serves testdata/load/service.yaml: /ok always conforms, /flaky answers 500 to every
// fifth request and breaks the contract on every seventh, /slow waits wait_ms. It counts the users
// (Authorization values) it saw.
func loadService(t *testing.T, users *stringSet) string {
	t.Helper()
	var n atomic.Int64
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, r *http.Request) { reply(w, 200, map[string]any{"n": n.Add(1)}) })
	mux.HandleFunc("GET /flaky", func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		switch {
		case i%5 == 0:
			reply(w, 500, map[string]any{})
		case i%7 == 0:
			reply(w, 200, map[string]any{"n": "seven"})
		default:
			reply(w, 200, map[string]any{"n": i})
		}
	})
	mux.HandleFunc("POST /slow", func(w http.ResponseWriter, r *http.Request) {
		users.add(r.Header.Get("Authorization"))
		var body struct {
			WaitMS int `json:"wait_ms"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		time.Sleep(time.Duration(body.WaitMS) * time.Millisecond)
		reply(w, 200, map[string]any{"n": n.Add(1)})
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// stringSet is a set of strings safe for concurrent use.
type stringSet struct {
	mu   sync.Mutex
	seen map[string]bool
}

func newSet() *stringSet { return &stringSet{seen: map[string]bool{}} }

func (s *stringSet) add(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seen[v] = true
}

func (s *stringSet) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.seen)
}

// loadTarget is a service target that mints a token per subject and may claim another base URL.
type loadTarget struct {
	*harness.Service
	base string
}

func (t loadTarget) BaseURL() string {
	if t.base != "" {
		return t.base
	}
	return t.Service.BaseURL()
}

func (t loadTarget) Token(sub string, _ ...harness.TokenOption) (string, error) {
	return "tok-" + sub, nil
}

func runLoadFeature(t *testing.T, feature string, target harness.Target) *harness.Result {
	t.Helper()
	doc, err := spec.LoadFile("testdata/load/service.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fsys, paths, err := harness.FeatureFiles([]string{"testdata/load/" + feature}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), harness.Options{Target: target, Contract: doc, Features: fsys,
		Paths: paths, Output: testOutput(t), NoColors: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func newLoadTarget(t *testing.T, users *stringSet, base string) loadTarget {
	t.Helper()
	svc, err := harness.NewService(context.Background(), loadService(t, users), harness.ServiceOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return loadTarget{Service: svc, base: base}
}

// TestLoadStepsPass runs a GET and a POST load against a conforming service: every judgement holds,
// each user's token is sent, and the summary carries the measurements.
func TestLoadStepsPass(t *testing.T) {
	users := newSet()
	res := runLoadFeature(t, "passing.feature", newLoadTarget(t, users, ""))
	var sum strings.Builder
	harness.WriteSummary(&sum, "load", res)
	if !res.Passed() || res.Scenarios != 2 {
		t.Fatalf("expected 2 passing scenarios, got %d (%d failed)\n%s", res.Scenarios, res.Failed, sum.String())
	}
	if users.len() != 3 {
		t.Errorf("expected the POST load to come from 3 users, got %d distinct Authorization values", users.len())
	}
	for _, want := range []string{"Load (vegeta):", "load: GET ", "at 40/s for 1s", "latency p50 ", "statuses 200: "} {
		if !strings.Contains(sum.String(), want) {
			t.Errorf("expected the summary to contain %q, got:\n%s", want, sum.String())
		}
	}
	if rep := res.Report[0].Steps[0].Load; rep == nil || !strings.HasPrefix(rep.HDRPlot, "Value(ms)") {
		t.Errorf("expected the load step's report to carry vegeta's hdrplot, got %+v", rep)
	}
	if res.Exchanges < 50 {
		t.Errorf("expected every load response in the run's journal, got %d exchanges", res.Exchanges)
	}
}

// TestLoadStepsFail proves each load step can fail, with a message that says why.
func TestLoadStepsFail(t *testing.T) {
	res := runLoadFeature(t, "failing.feature", newLoadTarget(t, newSet(), ""))
	want := map[string]string{
		"A latency above the bound":                      "expected the p50 latency under 10ms, got",
		"An error rate above the bound":                  "expected an error rate (no response or 5xx) under 1%, got",
		"Responses that break the contract":              "responses of GET",
		"A status the table does not list":               "with status 500, which the table does not list",
		"A count the table does not allow":               "status 200: expected at most 5, got 20",
		"A request that breaks the contract is not sent": "expected the request to conform to the contract",
		"A rate beyond the bound":                        "a load rate must be between 1 and 2000 per second",
		"A judgement without a load":                     "expected a load step before this one",
		"A count that is not a number":                   `count "about 10" is not N`,
		"A p99 below the p50":                            "the p99 (10 ms) is below the p50 (100 ms)",
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
}

// TestLoadOnlyToLoopback: a target that is not on loopback cannot run @load scenarios (the summary
// says why), and a load step refuses to send to it.
func TestLoadOnlyToLoopback(t *testing.T) {
	target := newLoadTarget(t, newSet(), "http://192.0.2.10:8000")
	why, ok := harness.Unsupported(target)[harness.TagLoad]
	if !ok || !strings.Contains(why, "loopback") {
		t.Errorf("expected @load to be unsupported on a remote target because of loopback, got %q", why)
	}
	if _, ok := harness.Unsupported(newLoadTarget(t, newSet(), ""))[harness.TagLoad]; ok {
		t.Error("expected @load to be supported on a loopback target")
	}
	res := runLoadFeature(t, "passing.feature", target)
	if res.Failed != 2 {
		t.Fatalf("expected both load scenarios to fail against a remote target, got %d failed", res.Failed)
	}
	for _, f := range res.Failures {
		if !strings.Contains(f.Err.Error(), "load is only sent to loopback hosts, got 192.0.2.10:8000") {
			t.Errorf("%s: expected the loopback refusal, got %v", f.Scenario, f.Err)
		}
	}
}

// TestHTMLReportDrawsLoad writes the report of a real load run: each load step carries its summary,
// the latency distribution (one point per percentile) and the throughput over time (bars of 2xx),
// as inline SVG with no script.
func TestHTMLReportDrawsLoad(t *testing.T) {
	res := runLoadFeature(t, "passing.feature", newLoadTarget(t, newSet(), ""))
	var b strings.Builder
	if err := harness.WriteHTML(&b, "load", res); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if n := strings.Count(page, `<svg class="load-latency"`); n != 2 {
		t.Errorf("expected a latency chart per load step (2), got %d", n)
	}
	if n := strings.Count(page, `<svg class="load-throughput"`); n != 2 {
		t.Errorf("expected a throughput chart per load step (2), got %d", n)
	}
	rep := res.Report[0].Steps[0].Load
	if rep == nil {
		t.Fatalf("expected the first step's report to carry its load, got none")
	}
	i := strings.Index(page, `<polyline class="curve"`)
	if i < 0 {
		t.Fatal("expected a latency curve")
	}
	line := page[i : i+strings.Index(page[i:], "/>")]
	if got := strings.Count(line, ","); got != len(rep.Percentiles) {
		t.Errorf("expected %d points on the latency curve, got %d", len(rep.Percentiles), got)
	}
	if !strings.Contains(page, `<rect class="ok"`) || strings.Contains(page, `<rect class="failed"`) {
		t.Error("expected green bars for the 2xx responses and no red ones")
	}
	if strings.Contains(page, "<script") {
		t.Error("expected no script in the report")
	}
}
