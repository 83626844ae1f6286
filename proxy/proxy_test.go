package proxy_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/proxy"
)

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }

// TestReportPassesTrafficUnchanged: a valid exchange through the proxy is the upstream's answer byte
// for byte, status and headers included, and nothing is flagged.
func TestReportPassesTrafficUnchanged(t *testing.T) {
	up := newUpstream(t)
	p, srv, logs := start(t, up.URL, proxy.Config{})
	direct := do(t, "GET", up.URL+"/pets?limit=1", "")
	got := do(t, "GET", srv.URL+"/pets?limit=1", "")
	if got.status != direct.status || got.body != direct.body {
		t.Fatalf("through the proxy %d %q, direct %d %q", got.status, got.body, direct.status, direct.body)
	}
	for _, h := range []string{"Content-Type", "X-Upstream", "Content-Length"} {
		if got.header.Get(h) != direct.header.Get(h) {
			t.Errorf("header %s: proxy %q, direct %q", h, got.header.Get(h), direct.header.Get(h))
		}
	}
	if got.header.Get(proxy.ViolationsHeader) != "" {
		t.Errorf("a valid exchange got %s", proxy.ViolationsHeader)
	}
	x := only(t, p)
	if !x.Valid || x.OperationID != "listPets" || x.Status != 200 || x.UpstreamStatus != 200 {
		t.Fatalf("journal entry %+v", x)
	}
	if strings.Contains(logs.String(), "contract violation") {
		t.Fatalf("a valid exchange was logged as a violation:\n%s", logs)
	}
}

// TestReportFlagsBadResponses: planted mistakes pass to the client unchanged but are journaled with
// their pointers, logged one line each and counted in the summary.
func TestReportFlagsBadResponses(t *testing.T) {
	up := newUpstream(t)
	p, srv, logs := start(t, up.URL, proxy.Config{})
	got := do(t, "GET", srv.URL+"/pets/2", "")
	if got.status != 200 || got.body != `{"id":2}` {
		t.Fatalf("report mode changed the answer: %d %q", got.status, got.body)
	}
	x := only(t, p)
	if x.Valid || len(x.Errors) == 0 || x.Errors[0].Side != proxy.SideResponse || x.Errors[0].In != "body" {
		t.Fatalf("missing name not flagged: %+v", x.Errors)
	}
	if !strings.Contains(x.Errors[0].Reason, "name") {
		t.Errorf("reason %q does not name the missing property", x.Errors[0].Reason)
	}
	if x.Response.Body != `{"id":2}` {
		t.Errorf("journal keeps response body %q", x.Response.Body)
	}
	do(t, "GET", srv.URL+"/pets/3", "")
	journal(t, p, 2)
	lines := strings.Count(logs.String(), "contract violation")
	if lines != 2 {
		t.Fatalf("want one log line per violation (2), got %d:\n%s", lines, logs)
	}
	if !strings.Contains(logs.String(), "in=status") {
		t.Errorf("the undocumented 500 is not logged as a status violation:\n%s", logs)
	}
	s := p.Summary()
	if s.Exchanges != 2 || s.Violations != 2 {
		t.Fatalf("summary: %d exchanges, %d violations; want 2, 2", s.Exchanges, s.Violations)
	}
}

// TestAnnotate: the violations header appears only with Annotate, and only on violating exchanges.
func TestAnnotate(t *testing.T) {
	up := newUpstream(t)
	_, plain, _ := start(t, up.URL, proxy.Config{})
	if h := do(t, "GET", plain.URL+"/pets/2", "").header.Get(proxy.ViolationsHeader); h != "" {
		t.Fatalf("without Annotate the header is %q", h)
	}
	_, annotated, _ := start(t, up.URL, proxy.Config{Annotate: true})
	h := do(t, "GET", annotated.URL+"/pets/2", "").header.Get(proxy.ViolationsHeader)
	if !strings.HasPrefix(h, "1; response body") {
		t.Fatalf("annotated header %q", h)
	}
	if h := do(t, "GET", annotated.URL+"/pets/1", "").header.Get(proxy.ViolationsHeader); h != "" {
		t.Fatalf("a valid exchange is annotated %q", h)
	}
	h = do(t, "POST", annotated.URL+"/pets", `{"tag":"x"}`, "Content-Type", "application/json").header.Get(proxy.ViolationsHeader)
	if !strings.Contains(h, "request body") {
		t.Fatalf("a bad request in report mode is annotated %q", h)
	}
}

// TestEnforceBlocksBadRequests: an invalid request gets the kit's 422 problem and never reaches the
// upstream; an undocumented path gets 404 and an undocumented method 405.
func TestEnforceBlocksBadRequests(t *testing.T) {
	up := newUpstream(t)
	p, srv, _ := start(t, up.URL, proxy.Config{Mode: proxy.Enforce})
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"BodyMissingName", "POST", "/pets", `{"tag":"x"}`, 422, "validation_failed"},
		{"BadQuery", "GET", "/pets?limit=0", "", 422, "validation_failed"},
		{"UndocumentedPath", "GET", "/undocumented", "", 404, "not_found"},
		{"UndocumentedMethod", "DELETE", "/pets", "", 405, "method_not_allowed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := up.hits.Load()
			got := do(t, tc.method, srv.URL+tc.path, tc.body, "Content-Type", "application/json")
			pr, err := problem.ParseBody(got.header.Get("Content-Type"), []byte(got.body))
			if err != nil || got.status != tc.status || pr.Code != tc.code {
				t.Fatalf("got %d %s (%v), want %d %s", got.status, got.body, err, tc.status, tc.code)
			}
			if up.hits.Load() != before {
				t.Fatal("the invalid request was forwarded")
			}
		})
	}
	got := do(t, "POST", srv.URL+"/pets", `{"tag":"x"}`, "Content-Type", "application/json")
	pr, _ := problem.ParseBody(got.header.Get("Content-Type"), []byte(got.body))
	if pr == nil || len(pr.Errors) == 0 || pr.Errors[0].In != "body" {
		t.Fatalf("422 problem does not point at the body: %s", got.body)
	}
	if x := journal(t, p, 5)[0]; !x.Blocked || x.UpstreamStatus != 0 {
		t.Fatalf("journal: blocked %v, upstream %d", x.Blocked, x.UpstreamStatus)
	}
	// a valid request still passes
	if got := do(t, "POST", srv.URL+"/pets", `{"name":"Tom"}`, "Content-Type", "application/json"); got.status != 201 {
		t.Fatalf("valid request in enforce mode: %d %s", got.status, got.body)
	}
}

// TestEnforceReplacesBadResponses: an invalid response becomes a 502 problem naming the violation,
// and the journal keeps what the upstream said.
func TestEnforceReplacesBadResponses(t *testing.T) {
	up := newUpstream(t)
	p, srv, _ := start(t, up.URL, proxy.Config{Mode: proxy.Enforce})
	got := do(t, "GET", srv.URL+"/pets/2", "")
	pr, err := problem.ParseBody(got.header.Get("Content-Type"), []byte(got.body))
	if err != nil || got.status != 502 || pr.Code != "contract_violation" {
		t.Fatalf("got %d %s (%v), want a 502 contract_violation problem", got.status, got.body, err)
	}
	if !strings.Contains(pr.Detail, "name") || len(pr.Errors) == 0 {
		t.Fatalf("the problem does not name the violation: %s", got.body)
	}
	x := journal(t, p, 1)[0]
	if x.Status != 502 || x.UpstreamStatus != 200 || x.Response.Body != `{"id":2}` || !x.Blocked {
		t.Fatalf("journal: status %d upstream %d body %q blocked %v", x.Status, x.UpstreamStatus, x.Response.Body, x.Blocked)
	}
	if got := do(t, "GET", srv.URL+"/pets/9", ""); got.status != 404 || got.body != `{"code":"not_found"}` {
		t.Fatalf("a documented 404 was changed: %d %s", got.status, got.body)
	}
}

// TestUpstreamDown: an unreachable upstream gives a 502 upstream_unavailable problem and an error in
// the journal, not a contract violation.
func TestUpstreamDown(t *testing.T) {
	dead := httptest.NewServer(http.NotFoundHandler())
	url := dead.URL
	dead.Close()
	p, srv, _ := start(t, url, proxy.Config{})
	got := do(t, "GET", srv.URL+"/pets", "")
	if got.status != 502 || !strings.Contains(got.body, "upstream_unavailable") {
		t.Fatalf("got %d %s", got.status, got.body)
	}
	x := only(t, p)
	if x.Error == "" || !x.Valid {
		t.Fatalf("journal: error %q valid %v", x.Error, x.Valid)
	}
	if s := p.Summary(); s.Errors != 1 || s.Violations != 0 {
		t.Fatalf("summary errors %d violations %d", s.Errors, s.Violations)
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	if _, err := proxy.New(proxy.Config{}); err == nil {
		t.Fatal("no document and no target accepted")
	}
}
