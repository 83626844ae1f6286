package proxy_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/proxy"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// traffic sends a fixed mix through the proxy: valid, invalid responses, an invalid request,
// an undocumented path, and a secret header; it returns after every exchange is journaled.
func traffic(t *testing.T, p *proxy.Proxy, url string) {
	t.Helper()
	do(t, "GET", url+"/pets?limit=1", "")
	do(t, "GET", url+"/pets/1", "")
	do(t, "GET", url+"/pets/2", "", "Authorization", "Bearer sk-very-secret")
	do(t, "GET", url+"/pets/3", "")
	do(t, "GET", url+"/pets/9", "")
	do(t, "POST", url+"/pets", `{"tag":"no name","password":"hunter2"}`, "Content-Type", "application/json")
	do(t, "GET", url+"/undocumented", "")
	journal(t, p, 7)
}

// TestJUnitGolden: one test case per operation and status, failures with the exchange and a curl,
// secrets redacted.
func TestJUnitGolden(t *testing.T) {
	up := newUpstream(t)
	p, srv, _ := start(t, up.URL, proxy.Config{})
	traffic(t, p, srv.URL)
	var b bytes.Buffer
	if err := p.Summary().WriteJUnit(&b); err != nil {
		t.Fatal(err)
	}
	got := strings.ReplaceAll(b.String(), up.URL, "http://UPSTREAM")
	for _, secret := range []string{"sk-very-secret", "hunter2"} {
		if strings.Contains(got, secret) {
			t.Fatalf("the report leaks %q", secret)
		}
	}
	const golden = "testdata/junit.golden.xml"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test ./proxy -run JUnitGolden -update)", err)
	}
	if got != string(want) {
		t.Fatalf("JUnit differs from %s (-update rewrites it):\n%s", golden, got)
	}
	s := p.Summary()
	if s.Exchanges != 7 || s.Violations != 4 {
		t.Fatalf("summary: %d exchanges, %d violations; want 7, 4", s.Exchanges, s.Violations)
	}
	var js bytes.Buffer
	if err := s.WriteJSON(&js); err != nil || !strings.Contains(js.String(), `"operation_id": "getPet"`) {
		t.Fatalf("JSON report (%v):\n%s", err, js.String())
	}
}

// TestMetrics: the admin API serves the proxy's own Prometheus series.
func TestMetrics(t *testing.T) {
	up := newUpstream(t)
	p, srv, _ := start(t, up.URL, proxy.Config{})
	do(t, "GET", srv.URL+"/pets/2", "")
	journal(t, p, 1)
	got := do(t, "GET", srv.URL+"/__admin/metrics", "")
	for _, want := range []string{
		`ultra_proxy_exchanges_total{operation="getPet",status="200",valid="false"} 1`,
		`ultra_proxy_violations_total{in="body",operation="getPet",side="response"} 1`,
		`ultra_proxy_exchange_duration_seconds_count{operation="getPet"} 1`,
	} {
		if !strings.Contains(got.body, want) {
			t.Errorf("metrics lack %s:\n%s", want, got.body)
		}
	}
	cov := do(t, "GET", srv.URL+"/__admin/coverage", "")
	if !strings.Contains(cov.body, `"operation_id":"getPet","method":"GET","path":"/pets/{petId}","requests":1,"responses":[{"status":"200","seen":1`) {
		t.Errorf("coverage:\n%s", cov.body)
	}
	if got := do(t, "GET", srv.URL+"/__admin/nope", ""); got.status != 404 || !strings.Contains(got.body, "not_found") {
		t.Errorf("unknown admin endpoint: %d %s", got.status, got.body)
	}
	if do(t, "DELETE", srv.URL+"/__admin/requests", "").status != 204 || len(journal(t, p, 0)) != 0 {
		t.Error("DELETE /__admin/requests did not clear the journal")
	}
}

func TestRedactor(t *testing.T) {
	rd := proxy.Redactor{Extra: []string{"X-Tenant"}}
	h := rd.Header(http.Header{"Authorization": {"Bearer x"}, "X-Api-Key": {"k"}, "Cookie": {"c"}, "X-Tenant": {"t"}, "Accept": {"*/*"}})
	for _, k := range []string{"Authorization", "X-Api-Key", "Cookie", "X-Tenant"} {
		if h.Get(k) != proxy.Redacted {
			t.Errorf("%s = %q, want redacted", k, h.Get(k))
		}
	}
	if h.Get("Accept") != "*/*" {
		t.Errorf("Accept was redacted")
	}
	if q := rd.Query("api_key=1&limit=2"); !strings.Contains(q, "api_key=REDACTED") || !strings.Contains(q, "limit=2") {
		t.Errorf("query %q", q)
	}
	body := string(rd.Body("application/json", []byte(`{"user":{"password":"p","name":"n"},"max_tokens":5}`)))
	if !strings.Contains(body, `"password":"REDACTED"`) || !strings.Contains(body, `"name":"n"`) || !strings.Contains(body, `"max_tokens":5`) {
		t.Errorf("body %s", body)
	}
	if got := string(rd.Body("application/json", []byte(`{"name":"n"}`))); got != `{"name":"n"}` {
		t.Errorf("a body without secrets changed: %s", got)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
