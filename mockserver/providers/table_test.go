package providers_test

import (
	"encoding/json"
	"strings"
	"testing"

	table "github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// TestEveryTableProviderIsMocked answers a chat and a model list for every provider of the table under
// every API version it serves (so Gemini on /gemini/v1beta and /gemini/v1), and a 404 in the provider's
// own error format for an unknown path under its mount.
func TestEveryTableProviderIsMocked(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	byName := map[string]target{}
	for _, tg := range targets() {
		byName[tg.provider] = tg
	}
	for _, p := range table.All() {
		tg, ok := byName[p.Name]
		if !ok {
			t.Errorf("provider %q of the table has no test target", p.Name)
			continue
		}
		for _, root := range p.MockRoots() {
			t.Run(p.Name+root, func(t *testing.T) {
				url, body, headers := tg.request(srv.URL, false)
				url = strings.Replace(url, p.MockRoots()[0], root, 1)
				resp, got := call(t, srv.Client(), "POST", url, body, headers)
				if resp.StatusCode != 200 {
					t.Fatalf("POST %s: status %d, want 200: %s", url, resp.StatusCode, got)
				}
				resp, got = call(t, srv.Client(), "GET", srv.URL+root+"/models", nil, headers)
				if resp.StatusCode != 200 || !json.Valid(got) {
					t.Fatalf("GET %s/models: status %d, want 200 with JSON: %s", root, resp.StatusCode, got)
				}
			})
		}
		t.Run(p.Name+"/Unknown", func(t *testing.T) {
			resp, got := call(t, srv.Client(), "GET", srv.URL+p.MockMount+"/v9/nothing", nil, nil)
			if resp.StatusCode != 404 {
				t.Fatalf("status %d, want 404: %s", resp.StatusCode, got)
			}
			var env map[string]any
			if err := json.Unmarshal(got, &env); err != nil {
				t.Fatalf("404 body is not JSON: %s", got)
			}
			if p.ErrorFormat == "mistral" && env["object"] != "error" {
				t.Errorf("mistral 404 body %s lacks \"object\":\"error\"", got)
			}
			if p.ErrorFormat != "mistral" && env["error"] == nil {
				t.Errorf("%s 404 body %s lacks an error object", p.Name, got)
			}
		})
	}
	resp, _ := call(t, srv.Client(), "GET", srv.URL+"/gemini/v2/models", nil, map[string]string{"x-goog-api-key": "k"})
	if resp.StatusCode != 404 {
		t.Errorf("GET /gemini/v2/models: status %d, want 404 (only v1beta and v1 are served)", resp.StatusCode)
	}
}
