package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const pingContract = `openapi: 3.1.0
info: {title: Ping, version: 1.0.0}
paths:
  /ping:
    get:
      operationId: ping
      responses:
        '200':
          description: Pong.
          content:
            application/json:
              schema:
                type: object
                required: [ok]
                properties:
                  ok: {type: boolean}
`

func pingServer(t *testing.T, status int) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/ping" {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet { // verify's coverage phase tries the undocumented methods
			w.Header().Set("Allow", "GET")
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write([]byte(`{"ok":true}`))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestVerifyCommand(t *testing.T) {
	dir := t.TempDir()
	contract := filepath.Join(dir, "ping.yaml")
	if err := os.WriteFile(contract, []byte(pingContract), 0o644); err != nil {
		t.Fatal(err)
	}
	good, broken := pingServer(t, 200), pingServer(t, 500)
	closed := httptest.NewServer(http.NotFoundHandler())
	closedURL := closed.URL
	closed.Close()
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
	}{
		{"Passes", []string{"verify", "--target", good, "--spec", contract, "--seed", "3"}, 0, "PASSED"},
		{"Fails", []string{"verify", "--target", broken, "--spec", contract}, 1, "not_a_server_error"},
		{"FailureHasCurl", []string{"verify", "--target", broken, "--spec", contract}, 1, "reproduce: curl -sS -i -X GET '" + broken + "/ping'"},
		{"Unreachable", []string{"verify", "--target", closedURL, "--spec", contract}, 2, ""},
		{"NoTarget", []string{"verify", "--spec", contract}, 2, ""},
		{"BadHeader", []string{"verify", "--target", good, "--spec", contract, "--header", "nocolon"}, 2, ""},
		{"BadPhase", []string{"verify", "--target", good, "--spec", contract, "--phases", "fuzz"}, 2, ""},
		{"BadAcceptStatus", []string{"verify", "--target", good, "--spec", contract, "--accept-status", "fine"}, 2, ""},
		{"BadRateLimit", []string{"verify", "--target", good, "--spec", contract, "--rate-limit", "fast"}, 2, ""},
		{"MissingSpec", []string{"verify", "--target", good, "--spec", filepath.Join(dir, "nope.yaml")}, 2, ""},
		{"FailingTokenCmd", []string{"verify", "--target", good, "--spec", contract, "--token-cmd", "exit 3"}, 2, ""},
		{"Options", []string{"verify", "--target", good, "--spec", contract, "--phases", "examples,positive", "--rate-limit", "50/s",
			"--header", "X-Trace: 1", "--token-cmd", "echo tok", "--max-response-time", "1m", "--include", "ping"}, 0, "max_response_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := runCLI(t, nil, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("expected exit %d, got %d\nstdout:\n%s\nstderr: %s", tt.wantCode, code, out, errOut)
			}
			if !strings.Contains(out, tt.wantOut) {
				t.Errorf("expected output to contain %q, got:\n%s", tt.wantOut, out)
			}
		})
	}
}

func TestVerifyReports(t *testing.T) {
	dir := t.TempDir()
	contract := filepath.Join(dir, "ping.yaml")
	if err := os.WriteFile(contract, []byte(pingContract), 0o644); err != nil {
		t.Fatal(err)
	}
	junit, report := filepath.Join(dir, "junit.xml"), filepath.Join(dir, "report.json")
	_, errOut, code := runCLI(t, nil, "verify", "--target", pingServer(t, 500), "--spec", contract, "--junit", junit, "--report", "json", report)
	if code != 1 {
		t.Fatalf("expected exit 1, got %d (%s)", code, errOut)
	}
	x, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(x), `<failure message=`) {
		t.Errorf("expected a JUnit report with a failure, got %q (%v)", x, err)
	}
	j, err := os.ReadFile(report)
	var rep struct {
		Failed int `json:"failed"`
	}
	if err != nil || json.Unmarshal(j, &rep) != nil || rep.Failed == 0 {
		t.Errorf("expected a JSON report with failures, got %q (%v)", j, err)
	}
}
