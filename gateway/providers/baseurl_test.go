package providers_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/h2non/gock"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// TestBaseURLConventions: a client given its provider's base URL with or without the API version (the
// OpenAI SDKs' and the Anthropic/Google SDKs' conventions) calls the same versioned path, and Gemini
// keeps a /v1 the base ends with. Endpoint reports the URL Complete posts to.
func TestBaseURLConventions(t *testing.T) {
	for _, p := range providerTable() {
		version := strings.Split(p.completePath, "/")[1] // "/v1/chat/completions" → v1
		cases := []struct{ name, base, path string }{
			{"WithoutVersion", p.host, p.completePath},
			{"WithoutVersionTrailingSlash", p.host + "/", p.completePath},
			{"WithVersion", p.host + "/" + version, p.completePath},
		}
		if p.name == "gemini" {
			cases = append(cases, struct{ name, base, path string }{"V1", p.host + "/v1", strings.Replace(p.completePath, "/v1beta/", "/v1/", 1)})
		}
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				hc := MustMockNet(t)
				gock.New(p.host).Post(tc.path).MatchHeaders(p.auth).
					Reply(http.StatusOK).SetHeader("Content-Type", "application/json").BodyString(p.okBody)
				c, ok := providers.New(p.name, providers.Config{BaseURL: tc.base, APIKey: p.key, HTTPClient: hc})
				if !ok {
					t.Fatalf("providers.New(%q) has no client", p.name)
				}
				if _, err := c.Complete(t.Context(), p.request()); err != nil {
					t.Fatalf("Complete with base %q: %v", tc.base, err)
				}
				if got := strings.Replace(c.Endpoint(), "{model}", p.model, 1); got != p.host+tc.path {
					t.Errorf("Endpoint() = %q, want %q", got, p.host+tc.path)
				}
			})
		}
	}
	if _, ok := providers.New("nope", providers.Config{}); ok {
		t.Error(`providers.New("nope") returned a client`)
	}
}
