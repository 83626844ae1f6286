package providers_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/h2non/gock"

	"github.com/ultra-kit/ultra/gateway/providers"
)

func TestError_Classification(t *testing.T) {
	cases := []struct {
		name            string
		err             providers.Error
		wantTransient   bool
		wantKeyRejected bool
		wantString      string
	}{
		{"Unauthorized", providers.Error{Provider: "openai", Status: 401, Code: "invalid_api_key", Message: "Incorrect API key"},
			false, true, "openai: 401 invalid_api_key: Incorrect API key"},
		{"Forbidden", providers.Error{Provider: "anthropic", Status: 403, Code: "permission_error"}, false, true, "anthropic: 403 permission_error"},
		{"GoogleBadKey", providers.Error{Provider: "gemini", Status: 400, Code: "API_KEY_INVALID"}, false, true, "gemini: 400 API_KEY_INVALID"},
		{"BadRequest", providers.Error{Provider: "gemini", Status: 400, Code: "INVALID_ARGUMENT"}, false, false, "gemini: 400 INVALID_ARGUMENT"},
		{"NotFound", providers.Error{Provider: "openai", Status: 404, Code: "model_not_found"}, false, false, "openai: 404 model_not_found"},
		{"RateLimited", providers.Error{Provider: "openai", Status: 429, RetryAfter: time.Second}, true, false, "openai: 429"},
		{"ServerError", providers.Error{Provider: "openai", Status: 500}, true, false, "openai: 500"},
		{"Overloaded529", providers.Error{Provider: "anthropic", Status: 529, Code: "overloaded_error"}, true, false, "anthropic: 529 overloaded_error"},
		{"Timeout", providers.Error{Provider: "gemini", Code: providers.CodeTimeout, Timeout: true}, true, false, "gemini: timeout"},
		{"ConnectionError", providers.Error{Provider: "gemini", Code: providers.CodeConnection, Message: "refused"}, true, false, "gemini: connection_error: refused"},
		{"TruncatedBody", providers.Error{Provider: "openai", Status: 200, Code: providers.CodeConnection, Message: "unexpected EOF"},
			true, false, "openai: 200 connection_error: unexpected EOF"},
		{"InvalidResponse", providers.Error{Provider: "openai", Status: 200, Code: providers.CodeInvalidResponse}, true, false, "openai: 200 invalid_response"},
		{"Canceled", providers.Error{Provider: "openai", Code: providers.CodeCanceled}, false, false, "openai: canceled"},
		{"NoKey", providers.Error{Provider: "openai", Code: providers.CodeNoAPIKey}, false, false, "openai: no_api_key"},
		{"Blocked", providers.Error{Provider: "gemini", Status: 200, Code: providers.CodeBlocked}, false, false, "gemini: 200 blocked"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.err.Transient(); got != tc.wantTransient {
				t.Errorf("Transient() = %v, want %v", got, tc.wantTransient)
			}
			if got := tc.err.KeyRejected(); got != tc.wantKeyRejected {
				t.Errorf("KeyRejected() = %v, want %v", got, tc.wantKeyRejected)
			}
			if got := tc.err.Error(); got != tc.wantString {
				t.Errorf("Error() = %q, want %q", got, tc.wantString)
			}
		})
	}
}

// TestErrorBodies feeds each provider's real error formats (and non-JSON pages) through a client and checks
// the code and message we extract.
func TestErrorBodies(t *testing.T) {
	byName := map[string]provider{}
	for _, p := range providerTable() {
		byName[p.name] = p
	}
	cases := []struct {
		name            string
		provider        string
		status          int
		body            string
		wantCode        string
		wantMessage     string
		wantKeyRejected bool
	}{
		{"OpenAICode", "openai", 401,
			`{"error":{"message":"Incorrect API key provided: sk-test.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`,
			"invalid_api_key", "Incorrect API key provided: sk-test.", true},
		{"OpenAINullCodeFallsBackToType", "openai", 400,
			`{"error":{"message":"'messages' is a required property","type":"invalid_request_error","param":null,"code":null}}`,
			"invalid_request_error", "'messages' is a required property", false},
		{"Anthropic", "anthropic", 529,
			`{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`,
			"overloaded_error", "Overloaded", false},
		{"GoogleStatus", "gemini", 429,
			`{"error":{"code":429,"message":"Resource has been exhausted (e.g. check quota).","status":"RESOURCE_EXHAUSTED"}}`,
			"RESOURCE_EXHAUSTED", "Resource has been exhausted (e.g. check quota).", false},
		{"GoogleInvalidKeyIs400WithReason", "gemini", 400,
			`{"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT",` +
				`"details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID","domain":"googleapis.com"}]}}`,
			"API_KEY_INVALID", "API key not valid. Please pass a valid API key.", true},
		{"GoogleArrayWrapped", "gemini", 404,
			`[{"error":{"code":404,"message":"models/nope is not found","status":"NOT_FOUND"}}]`,
			"NOT_FOUND", "models/nope is not found", false},
		{"PlainTextBody", "openai", 404, "404 page not found\n", "", "404 page not found", false},
		{"EmptyBody", "anthropic", 404, "", "", "Not Found", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := byName[tc.provider]
			hc := MustMockNet(t)
			gock.New(p.host).Post(p.completePath).Reply(tc.status).BodyString(tc.body)
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc, MaxRetries: -1})

			_, err := c.Complete(t.Context(), p.request())

			pe := mustProviderError(t, err)
			if pe.Status != tc.status || pe.Code != tc.wantCode || pe.Message != tc.wantMessage || pe.KeyRejected() != tc.wantKeyRejected {
				t.Errorf("error = %+v (KeyRejected %v), want status %d code %q message %q KeyRejected %v",
					pe, pe.KeyRejected(), tc.status, tc.wantCode, tc.wantMessage, tc.wantKeyRejected)
			}
		})
	}
}

// TestComplete_ProviderSpecificAnswers covers answers only one provider gives.
func TestComplete_ProviderSpecificAnswers(t *testing.T) {
	byName := map[string]provider{}
	for _, p := range providerTable() {
		byName[p.name] = p
	}
	cases := []struct {
		name     string
		provider string
		body     string
		wantText string
		wantCode string
	}{
		{"OpenAIRefusal", "openai",
			`{"choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":"I can't help with that."}}]}`,
			"", "refusal"},
		{"OpenAINoChoices", "openai", `{"choices":[],"usage":{"prompt_tokens":1}}`, "", providers.CodeInvalidResponse},
		{"AnthropicSkipsNonTextBlocks", "anthropic",
			`{"content":[{"type":"thinking","thinking":"hmm"},{"type":"text","text":"Answer."}],"usage":{"input_tokens":1,"output_tokens":1}}`,
			"Answer.", ""},
		{"GeminiSkipsThoughtParts", "gemini",
			`{"candidates":[{"content":{"parts":[{"text":"thinking...","thought":true},{"text":"Answer."}],"role":"model"}}]}`,
			"Answer.", ""},
		{"GeminiPromptBlocked", "gemini", `{"promptFeedback":{"blockReason":"SAFETY"}}`, "", providers.CodeBlocked},
		{"GeminiNoCandidates", "gemini", `{"candidates":[]}`, "", providers.CodeInvalidResponse},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := byName[tc.provider]
			hc := MustMockNet(t)
			gock.New(p.host).Post(p.completePath).Reply(http.StatusOK).BodyString(tc.body)
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})

			resp, err := c.Complete(t.Context(), p.request())

			if tc.wantCode == "" {
				if err != nil {
					t.Fatalf("Complete: %v", err)
				}
				if resp.Text != tc.wantText {
					t.Errorf("Text = %q, want %q", resp.Text, tc.wantText)
				}
				return
			}
			var pe *providers.Error
			if !errors.As(err, &pe) || pe.Code != tc.wantCode || pe.Status != http.StatusOK {
				t.Errorf("error = %v, want *Error with code %q and status 200", err, tc.wantCode)
			}
		})
	}
}
