package providers_test

import (
	"fmt"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// provider describes one client against its provider's real host and wire formats. The clients are built
// with an empty BaseURL, so the tests also pin the default base URLs; gock intercepts every request.
type provider struct {
	name         string
	host         string
	completePath string
	modelsPath   string
	model        string
	key          string
	auth         map[string]string // headers every request must carry
	newClient    func(providers.Config) client

	fullBody    string // request JSON for fullRequest
	minimalBody string // request JSON for a request with only Model and Prompt
	okBody      string // a real-looking success answer whose text is "Hi there." with 12 in / 3 out tokens

	// errBody renders an error answer in the provider's format.
	errBody func(status int, code, msg string) string
	// keyStatus/keyCode are what the provider answers to a bad key.
	keyStatus int
	keyCode   string
	// overloadedCode is the code the provider's 529/503 body carries.
	overloadedCode string
}

// fullRequest sets every field of providers.Request.
var fullRequest = providers.Request{
	Model:       "", // filled per provider
	System:      "Be brief.",
	Prompt:      "Hello",
	Temperature: ptr(0.2),
	MaxTokens:   100,
}

func providerTable() []provider {
	return []provider{
		{
			name:         "openai",
			host:         "https://api.openai.com",
			completePath: "/v1/chat/completions",
			modelsPath:   "/v1/models",
			model:        "gpt-4o",
			key:          "sk-test-openai-secret",
			auth:         map[string]string{"Authorization": "^Bearer sk-test-openai-secret$"},
			newClient:    func(c providers.Config) client { return providers.NewOpenAI(c) },
			fullBody: `{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"Hello"}],"temperature":0.2,"max_completion_tokens":100}`,
			minimalBody: `{"model":"gpt-4o","messages":[{"role":"user","content":"Hello"}]}`,
			okBody: `{"id":"chatcmpl-1","object":"chat.completion","created":1718000000,"model":"gpt-4o-2024-08-06",` +
				`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there.","refusal":null},` +
				`"logprobs":null,"finish_reason":"stop"}],` +
				`"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`,
			errBody: func(_ int, code, msg string) string {
				return fmt.Sprintf(`{"error":{"message":%q,"type":"invalid_request_error","param":null,"code":%q}}`, msg, code)
			},
			keyStatus:      401,
			keyCode:        "invalid_api_key",
			overloadedCode: "server_overloaded",
		},
		{
			name:         "anthropic",
			host:         "https://api.anthropic.com",
			completePath: "/v1/messages",
			modelsPath:   "/v1/models",
			model:        "claude-3-opus-20240229",
			key:          "sk-ant-test-secret",
			auth: map[string]string{
				"X-Api-Key":         "^sk-ant-test-secret$",
				"Anthropic-Version": "^2023-06-01$",
			},
			newClient: func(c providers.Config) client { return providers.NewAnthropic(c) },
			fullBody: `{"model":"claude-3-opus-20240229","max_tokens":100,"system":"Be brief.",` +
				`"messages":[{"role":"user","content":"Hello"}],"temperature":0.2}`,
			minimalBody: `{"model":"claude-3-opus-20240229","max_tokens":1024,"messages":[{"role":"user","content":"Hello"}]}`,
			okBody: `{"id":"msg_01","type":"message","role":"assistant","model":"claude-3-opus-20240229",` +
				`"content":[{"type":"text","text":"Hi "},{"type":"text","text":"there."}],` +
				`"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":12,"output_tokens":3}}`,
			errBody: func(_ int, code, msg string) string {
				return fmt.Sprintf(`{"type":"error","error":{"type":%q,"message":%q}}`, code, msg)
			},
			keyStatus:      401,
			keyCode:        "authentication_error",
			overloadedCode: "overloaded_error",
		},
		{
			name:         "gemini",
			host:         "https://generativelanguage.googleapis.com",
			completePath: "/v1beta/models/gemini-1.5-pro:generateContent",
			modelsPath:   "/v1beta/models",
			model:        "gemini-1.5-pro",
			key:          "AIza-test-secret",
			auth:         map[string]string{"X-Goog-Api-Key": "^AIza-test-secret$"},
			newClient:    func(c providers.Config) client { return providers.NewGemini(c) },
			fullBody: `{"contents":[{"role":"user","parts":[{"text":"Hello"}]}],` +
				`"systemInstruction":{"parts":[{"text":"Be brief."}]},` +
				`"generationConfig":{"temperature":0.2,"maxOutputTokens":100}}`,
			minimalBody: `{"contents":[{"role":"user","parts":[{"text":"Hello"}]}]}`,
			okBody: `{"candidates":[{"content":{"parts":[{"text":"Hi "},{"text":"there."}],"role":"model"},` +
				`"finishReason":"STOP","index":0}],` +
				`"usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":3,"totalTokenCount":15},` +
				`"modelVersion":"gemini-1.5-pro-002"}`,
			errBody: func(status int, code, msg string) string {
				return fmt.Sprintf(`{"error":{"code":%d,"message":%q,"status":%q}}`, status, msg, code)
			},
			keyStatus:      401,
			keyCode:        "UNAUTHENTICATED",
			overloadedCode: "UNAVAILABLE",
		},
		{
			name:         "mistral",
			host:         "https://api.mistral.ai",
			completePath: "/v1/chat/completions",
			modelsPath:   "/v1/models",
			model:        "mistral-large-latest",
			key:          "mistral-test-secret",
			auth:         map[string]string{"Authorization": "^Bearer mistral-test-secret$"},
			newClient:    func(c providers.Config) client { return providers.NewMistral(c) },
			fullBody: `{"model":"mistral-large-latest","messages":[{"role":"system","content":"Be brief."},` +
				`{"role":"user","content":"Hello"}],"temperature":0.2,"max_tokens":100}`,
			minimalBody: `{"model":"mistral-large-latest","messages":[{"role":"user","content":"Hello"}]}`,
			okBody: `{"id":"cmpl-1","object":"chat.completion","created":1718000000,"model":"mistral-large-latest",` +
				`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there.","tool_calls":null},` +
				`"finish_reason":"stop"}],"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`,
			errBody: func(_ int, code, msg string) string {
				return fmt.Sprintf(`{"object":"error","message":%q,"type":"invalid_request_error","param":null,"code":%q}`, msg, code)
			},
			keyStatus:      401,
			keyCode:        "unauthorized",
			overloadedCode: "service_unavailable",
		},
	}
}

// request returns fullRequest for p's model.
func (p provider) request() providers.Request {
	r := fullRequest
	r.Model = p.model
	return r
}
