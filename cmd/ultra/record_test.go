package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/syncbuf"
)

// TestRecordTheGatewayThenReplay: record the gateway through the proxy, then `ultra lint` accepts the
// recorded document and `ultra mock` serves the recorded answer by default.
func TestRecordTheGatewayThenReplay(t *testing.T) {
	t.Chdir(t.TempDir())
	gw, gwOut, _ := startGateway(t, map[string]string{})
	token := devTokenRE.FindStringSubmatch(gwOut.String())[1]
	dir := filepath.Join(t.TempDir(), "recorded")
	px, stdout, stderr, stop := startProxy(t, "--target", gw, "--record", dir)
	analyze := `{"prompt":"What is Go?","selected_models":["gpt4o","claude3sonnet"],"ultra_model":"gpt4o"}`
	send := func(base, method, path, body string) (int, []byte) {
		var rd io.Reader
		if body != "" {
			rd = strings.NewReader(body)
		}
		req, _ := http.NewRequest(method, base+path, rd)
		req.Header.Set("Authorization", "Bearer "+token)
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, b
	}
	status, recorded := send(px, "POST", "/api/analyze", analyze)
	if status != 200 {
		t.Fatalf("analyze through the proxy: %d %s", status, recorded)
	}
	send(px, "GET", "/api/health", "")
	send(px, "GET", "/api/available-models", "")
	if err := stop(); err != nil {
		t.Fatalf("proxy: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout.String(), "ultra proxy: recorded ") {
		t.Fatalf("no record summary:\n%s", stdout)
	}
	doc := filepath.Join(dir, "openapi.yaml")
	raw, err := os.ReadFile(doc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), token) {
		t.Fatal("the bearer token reached the recorded document")
	}
	if lines, _ := os.ReadFile(filepath.Join(dir, "exchanges.jsonl")); strings.Count(string(lines), "\n") != 3 || strings.Contains(string(lines), token) {
		t.Fatalf("exchanges.jsonl: %d lines, token present %v", strings.Count(string(lines), "\n"), strings.Contains(string(lines), token))
	}
	var lout, lerr syncbuf.Buffer
	if err := run(context.Background(), []string{"ultra", "lint", doc}, func(string) string { return "" }, strings.NewReader(""), &lout, &lerr); err != nil {
		t.Fatalf("ultra lint of the recording: %v\n%s%s", err, lout.String(), lerr.String())
	}
	mock, _ := startMock(t, "--no-providers", "--spec", doc)
	status, replayed := send(mock, "POST", "/api/analyze", analyze)
	var want, got struct {
		AnalysisID string `json:"analysis_id"`
	}
	if status != 200 || json.Unmarshal(recorded, &want) != nil || json.Unmarshal(replayed, &got) != nil || want.AnalysisID == "" || got.AnalysisID != want.AnalysisID {
		t.Fatalf("the mock did not serve the recorded answer: %d %s\nrecorded: %s", status, replayed, recorded)
	}
}
