package gateway_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/syncbuf"
)

// TestProviderBaseURLs: each *_BASE_URL is read in the provider SDKs' convention and in the other
// one, and the gateway logs at start-up the URL each provider client calls.
func TestProviderBaseURLs(t *testing.T) {
	cfg, err := gateway.LoadConfig(envFunc(map[string]string{
		"OPENAI_BASE_URL":    "http://127.0.0.1:9/openai",
		"ANTHROPIC_BASE_URL": "http://127.0.0.1:9/anthropic",
		"GEMINI_BASE_URL":    "http://127.0.0.1:9/gemini/v1/",
		"OPENAI_API_KEY":     "sk-1",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"openai":    "http://127.0.0.1:9/openai/v1",
		"anthropic": "http://127.0.0.1:9/anthropic/v1",
		"gemini":    "http://127.0.0.1:9/gemini/v1",
	}
	for name, w := range want {
		if got := cfg.BaseURL(name); got != w {
			t.Errorf("BaseURL(%q) = %q, want %q", name, got, w)
		}
	}
	if got := (gateway.Config{}).BaseURL("anthropic"); got != "https://api.anthropic.com/v1" {
		t.Errorf("default anthropic BaseURL = %q", got)
	}
	if got := cfg.BaseURL("nope"); got != "" {
		t.Errorf(`BaseURL("nope") = %q, want ""`, got)
	}

	logs := &syncbuf.Buffer{}
	g, err := gateway.New(cfg, gateway.Deps{Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	for _, line := range []string{
		"provider=openai calls=http://127.0.0.1:9/openai/v1/chat/completions api_key_configured=true",
		"provider=anthropic calls=http://127.0.0.1:9/anthropic/v1/messages api_key_configured=false",
		"provider=gemini calls=http://127.0.0.1:9/gemini/v1/models/{model}:generateContent",
	} {
		if !strings.Contains(logs.String(), line) {
			t.Errorf("start-up log lacks %q:\n%s", line, logs.String())
		}
	}
}
