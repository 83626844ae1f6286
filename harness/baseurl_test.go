package harness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/internal/provider"
)

// baseURLForms are the spellings of a provider's base URL a gateway must accept for the mock at
// mockURL: the one its SDKs use, the other convention (version added or dropped), and for Gemini
// every version it serves.
func baseURLForms(p provider.Provider, mockURL string) []string {
	forms := []string{p.SDKBaseURL(mockURL)}
	if p.VersionInBase {
		forms = append(forms, mockURL+p.MockMount)
	}
	for _, v := range p.Versions {
		if u := mockURL + p.MockMount + "/" + v; u != forms[0] {
			forms = append(forms, u)
		}
	}
	return forms
}

// TestBaseURLConventions starts a gateway per provider and base-URL spelling (ANTHROPIC_BASE_URL=
// http://HOST/anthropic and http://HOST/anthropic/v1, OPENAI_BASE_URL with and without /v1,
// GEMINI_BASE_URL bare, /v1beta and /v1) and checks that its health check reaches the mock and an
// analysis by one of its models succeeds. A base URL pointing at a version the mock does not serve
// must show up as an unavailable provider.
func TestBaseURLConventions(t *testing.T) {
	target := MustStartInProcess(t, harness.InProcessOptions{})
	mockURL := target.AdminURL()
	models, err := gateway.LoadModels("")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range provider.All() {
		var model string
		for _, m := range models {
			if m.Provider == p.Name {
				model = m.Name
				break
			}
		}
		if model == "" {
			t.Errorf("provider %s has no model in models.yaml", p.Name)
			continue
		}
		for _, base := range baseURLForms(p, mockURL) {
			t.Run(p.Name+"="+strings.TrimPrefix(base, mockURL), func(t *testing.T) {
				gw := startGatewayWith(t, target, map[string]string{p.BaseURLVar: base})
				waitProviderStatus(t, gw, p.Name, 200)
				body := analyze(t, target, gw, model)
				var out struct {
					Status         string `json:"status"`
					ModelResponses map[string]struct {
						Status string `json:"status"`
					} `json:"model_responses"`
				}
				if err := json.Unmarshal(body, &out); err != nil || out.Status != "success" || out.ModelResponses[model].Status != "ok" {
					t.Fatalf("analysis by %s through %s=%s: %s", model, p.BaseURLVar, base, body)
				}
			})
		}
		t.Run(p.Name+"/UnservedVersion", func(t *testing.T) {
			gw := startGatewayWith(t, target, map[string]string{p.BaseURLVar: mockURL + p.MockMount + "/v9"})
			waitProviderStatus(t, gw, p.Name, 404)
		})
	}
}

func startGatewayWith(t *testing.T, target *harness.InProcess, extra map[string]string) string {
	t.Helper()
	env := harness.TestingEnv(target.JWTSecret(), "qa-"+harness.RandomSecret(8), "")
	for _, p := range provider.All() {
		delete(env, p.BaseURLVar) // StartGateway points the others at the target's mock
	}
	for k, v := range extra {
		env[k] = v
	}
	url, stop, err := target.StartGateway(context.Background(), env)
	if err != nil {
		t.Fatalf("start a gateway with %v: %v", extra, err)
	}
	t.Cleanup(stop)
	return url
}

// waitProviderStatus polls the provider health report until name's last status code is want.
func waitProviderStatus(t *testing.T, gw, name string, want int) {
	t.Helper()
	var last string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := http.Get(gw + "/api/health/llm/providers")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		last = string(b)
		var rep struct {
			Providers map[string]struct {
				LastStatusCode *int `json:"last_status_code"`
			} `json:"providers"`
		}
		if json.Unmarshal(b, &rep) == nil {
			if c := rep.Providers[name].LastStatusCode; c != nil && *c == want {
				return
			}
		}
	}
	t.Fatalf("provider %s never reported last_status_code %d: %s", name, want, last)
}

func analyze(t *testing.T, target *harness.InProcess, gw, model string) []byte {
	t.Helper()
	tok, err := target.Token("baseurl-test")
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", gw+"/api/analyze", bytes.NewBufferString(
		`{"prompt":"Name one HTTP method.","selected_models":["`+model+`"],"ultra_model":"`+model+`"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /api/analyze: %d %s", resp.StatusCode, b)
	}
	return b
}
