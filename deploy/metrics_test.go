package deploy_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/harness"
)

// TestRulesAndDashboardUseExportedMetrics scrapes a gateway that has seen successes, rate limiting
// and an opened breaker, and fails for every metric or label the alert rules or the dashboard name
// that the gateway does not export.
func TestRulesAndDashboardUseExportedMetrics(t *testing.T) {
	ex := scrapeBusyGateway(t)
	var qs []query
	rules, err := ruleQueries("prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dash, err := dashboardQueries("grafana/ultra.json")
	if err != nil {
		t.Fatal(err)
	}
	qs = append(append(qs, rules...), dash...)
	var problems []string
	for _, q := range qs {
		problems = append(problems, check(q, ex)...)
	}
	if len(problems) > 0 {
		t.Fatalf("%d problems in the deploy files:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
	t.Logf("%d rule and dashboard queries checked against %d exported series names", len(qs), len(ex))
}

// TestCheckFindsWhatIsNotExported is the negative test: rules and a dashboard naming a missing
// metric, a missing label, a wrong grouping and a legend label the result lacks are each reported.
func TestCheckFindsWhatIsNotExported(t *testing.T) {
	ex := exported{
		"ultra_http_requests_total":                 {"method": true, "route": true, "status": true},
		"ultra_llm_request_duration_seconds_bucket": {"provider": true, "le": true},
	}
	rules, err := ruleQueries("testdata/bad_alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dash, err := dashboardQueries("testdata/bad_dashboard.json")
	if err == nil || !strings.Contains(err.Error(), "uses $replica, which the dashboard does not define") {
		t.Errorf("expected the undefined $replica to be reported, got %v", err)
	}
	want := map[string]string{
		"rule MissingMetric":   "names metric ultra_http_request_total, which the gateway does not export",
		"rule MissingLabel":    "filters ultra_http_requests_total on label code, which it does not have (it has: method, route, status)",
		"rule BadGrouping":     "groups sum by label provider, which none of its series has",
		"rule BadAnnotation":   "refers to label provider, which the expression's result does not have (it has: route)",
		"rule BadMatching":     "matches / on label provider, which one side does not have",
		"rule NotPromQL":       "does not parse as PromQL",
		"rule GoodRule":        "",
		`panel "Bad legend"`:   "refers to label model, which the expression's result does not have (it has: provider)",
		`panel "Bad variable"`: "",
		"variable $outcome":    "lists label outcome of ultra_http_requests_total, which it does not have",
		"variable $provider":   "names metric ultra_llm_requests_total, which the gateway does not export",
	}
	for _, q := range append(rules, dash...) {
		got := strings.Join(check(q, ex), "\n")
		key := ""
		for k := range want {
			if strings.Contains(q.where, k) {
				key = k
			}
		}
		if key == "" {
			t.Errorf("unexpected query %s", q.where)
			continue
		}
		switch w := want[key]; {
		case w == "" && got != "":
			t.Errorf("%s: expected no problem, got %s", key, got)
		case w != "" && !strings.Contains(got, w):
			t.Errorf("%s: expected a problem containing %q, got %q", key, w, got)
		}
		delete(want, key)
	}
	for k := range want {
		t.Errorf("query %s was not read from the testdata files", k)
	}
}

// scrapeBusyGateway starts the in-process target, drives successes, 429s and a breaker opening
// through it, and returns what its /metrics exports.
func scrapeBusyGateway(t *testing.T) exported {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	target, err := harness.StartInProcess(ctx, harness.InProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { target.Close() })
	client := &http.Client{Timeout: 20 * time.Second}
	analyze := func(sub string, models ...string) int {
		tok, err := target.Token(sub)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]any{"prompt": "metrics check", "selected_models": models, "ultra_model": models[0]})
		req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target.BaseURL()+"/api/analyze", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", "application/json")
		return do(t, client, req)
	}
	statuses := map[int]int{}
	for range 7 { // TestingEnv's analyze burst is 5: the last ones are 429
		statuses[analyze("metrics-success", "gpt4o", "claude3sonnet", "gemini15flash")]++
	}
	fault := strings.NewReader(`{"target":"gemini","kind":"error","status":500}`)
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, target.AdminURL()+"/__admin/faults", fault)
	req.Header.Set("Content-Type", "application/json")
	if got := do(t, client, req); got != http.StatusCreated {
		t.Fatalf("expected the mock to accept the fault with 201, got %d", got)
	}
	for range 4 { // BREAKER_FAILURE_THRESHOLD is 3
		statuses[analyze("metrics-breaker", "gemini15flash")]++
	}
	if statuses[200] == 0 || statuses[429] == 0 {
		t.Fatalf("expected successes and 429s to drive the metrics, got statuses %v", statuses)
	}
	req, _ = http.NewRequestWithContext(ctx, http.MethodGet, target.BaseURL()+"/metrics", nil)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	ex, err := parseExposition(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if ex["ultra_circuit_breaker_transitions_total"] == nil {
		t.Fatalf("expected the gemini breaker to have opened (statuses %v); /metrics has no transitions", statuses)
	}
	return ex
}

func do(t *testing.T, c *http.Client, req *http.Request) int {
	t.Helper()
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, err))
	}
	resp.Body.Close()
	return resp.StatusCode
}
