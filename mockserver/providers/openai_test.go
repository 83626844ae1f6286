package providers_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func openaiClient(srvURL string, httpClient *http.Client, key string) openai.Client {
	return openai.NewClient(
		option.WithBaseURL(srvURL+"/openai/v1/"),
		option.WithAPIKey(key),
		option.WithHTTPClient(httpClient),
		option.WithMaxRetries(0),
	)
}

func chatParams(model, prompt string) openai.ChatCompletionNewParams {
	return openai.ChatCompletionNewParams{
		Model: model,
		Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are a careful analyst."),
			openai.UserMessage(prompt),
		},
	}
}

func TestOpenAISDK(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	const prompt = "Summarise the quarterly report"

	t.Run("NonStreaming", func(t *testing.T) {
		var raw *http.Response
		got, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o", prompt), option.WithResponseInto(&raw))
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if want := providers.Answer("gpt-4o", prompt); len(got.Choices) != 1 || got.Choices[0].Message.Content != want {
			t.Fatalf("expected one choice %q, got %+v", want, got.Choices)
		}
		if got.Choices[0].FinishReason != "stop" || got.Model != "gpt-4o" || got.Object != "chat.completion" {
			t.Errorf("expected finish stop, model gpt-4o, object chat.completion; got %q %q %q", got.Choices[0].FinishReason, got.Model, got.Object)
		}
		if got.Usage.PromptTokens <= 0 || got.Usage.CompletionTokens <= 0 || got.Usage.TotalTokens != got.Usage.PromptTokens+got.Usage.CompletionTokens {
			t.Errorf("implausible usage %+v", got.Usage)
		}
		if raw.Header.Get("x-request-id") == "" {
			t.Error("expected an x-request-id header")
		}
	})

	t.Run("Streaming", func(t *testing.T) {
		params := chatParams("gpt-4-turbo", prompt)
		params.StreamOptions = openai.ChatCompletionStreamOptionsParam{IncludeUsage: openai.Bool(true)}
		stream := client.Chat.Completions.NewStreaming(t.Context(), params)
		defer stream.Close()
		var acc openai.ChatCompletionAccumulator
		chunks, usageChunks := 0, 0
		for stream.Next() {
			chunk := stream.Current()
			chunks++
			if chunk.JSON.Usage.Valid() && chunk.Usage.TotalTokens > 0 {
				usageChunks++
				if len(chunk.Choices) != 0 {
					t.Errorf("expected the usage chunk to have no choices, got %d", len(chunk.Choices))
				}
			}
			acc.AddChunk(chunk)
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		want := providers.Answer("gpt-4-turbo", prompt)
		if len(acc.Choices) != 1 || acc.Choices[0].Message.Content != want {
			t.Fatalf("expected accumulated %q, got %+v", want, acc.Choices)
		}
		if acc.Choices[0].FinishReason != "stop" {
			t.Errorf("expected finish_reason stop, got %q", acc.Choices[0].FinishReason)
		}
		if usageChunks != 1 || acc.Usage.CompletionTokens != int64(providers.Tokens(want)) {
			t.Errorf("expected one usage chunk with %d completion tokens, got %d chunks, usage %+v", providers.Tokens(want), usageChunks, acc.Usage)
		}
		if chunks < 5 {
			t.Errorf("expected the answer streamed token by token, got %d chunks", chunks)
		}
	})

	t.Run("MaxTokens", func(t *testing.T) {
		params := chatParams("gpt-4o", prompt)
		params.MaxTokens = openai.Int(4)
		got, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if got.Choices[0].FinishReason != "length" || got.Usage.CompletionTokens > 4 {
			t.Errorf("expected finish length and at most 4 tokens, got %q with %d", got.Choices[0].FinishReason, got.Usage.CompletionTokens)
		}
	})

	t.Run("Models", func(t *testing.T) {
		page, err := client.Models.List(t.Context())
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		ids := map[string]bool{}
		for _, m := range page.Data {
			ids[m.ID] = true
		}
		if !ids["gpt-4o"] || !ids["gpt-4-turbo"] {
			t.Errorf("expected gpt-4o and gpt-4-turbo listed, got %v", ids)
		}
	})
}

func TestOpenAISDKErrors(t *testing.T) {
	tests := []struct {
		name       string
		key        string
		faults     []fault.Fault
		stream     bool
		status     int
		errType    string
		message    string
		retryAfter string
	}{
		{name: "BadKey", key: "sk-wrong-key-1234", status: 401, errType: "invalid_request_error", message: "Incorrect API key provided"},
		{name: "RateLimit", key: "sk-good", faults: []fault.Fault{{Target: "openai", Kind: fault.KindRateLimit, RetryAfter: fault.Duration(2 * time.Second)}},
			status: 429, errType: "requests", message: "Rate limit reached", retryAfter: "2"},
		{name: "ServerError", key: "sk-good", faults: []fault.Fault{{Target: "openai:gpt-4o", Kind: fault.KindError}},
			status: 500, errType: "server_error", message: "The server had an error"},
		{name: "ForcedStatus", key: "sk-good", faults: []fault.Fault{{Target: "*", Status: 502}},
			status: 502, errType: "server_error", message: "The server had an error"},
		{name: "Overloaded", key: "sk-good", faults: []fault.Fault{{Target: "openai", Kind: fault.KindOverloaded}},
			status: 503, errType: "server_error", message: "overloaded"},
		{name: "UnauthorizedFault", key: "sk-good", faults: []fault.Fault{{Target: "openai", Kind: fault.KindUnauthorized}},
			status: 401, errType: "invalid_request_error", message: "Incorrect API key"},
		{name: "StreamRateLimit", key: "sk-good", stream: true, faults: []fault.Fault{{Target: "openai", Kind: fault.KindRateLimit}},
			status: 429, errType: "requests", message: "Rate limit reached", retryAfter: "1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mustServer(t, providers.Config{
				Keys:   map[string][]string{"openai": {"sk-good"}},
				Faults: mustFaults(t, tt.faults...),
			})
			client := openaiClient(srv.URL, srv.Client(), tt.key)
			var err error
			if tt.stream {
				stream := client.Chat.Completions.NewStreaming(t.Context(), chatParams("gpt-4o", "hi"))
				for stream.Next() {
				}
				err = stream.Err()
				stream.Close()
			} else {
				_, err = client.Chat.Completions.New(t.Context(), chatParams("gpt-4o", "hi"))
			}
			apiErr, ok := errors.AsType[*openai.Error](err)
			if !ok {
				t.Fatalf("expected *openai.Error, got %T %v", err, err)
			}
			if apiErr.StatusCode != tt.status || apiErr.Type != tt.errType || !strings.Contains(apiErr.Message, tt.message) {
				t.Errorf("expected %d %s %q, got %d %s %q", tt.status, tt.errType, tt.message, apiErr.StatusCode, apiErr.Type, apiErr.Message)
			}
			if got := apiErr.Response.Header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("expected Retry-After %q, got %q", tt.retryAfter, got)
			}
			if tt.retryAfter != "" && apiErr.Response.Header.Get("retry-after-ms") == "" {
				t.Error("expected a retry-after-ms header")
			}
			if apiErr.Response.Header.Get("x-request-id") == "" {
				t.Error("expected an x-request-id header on the error")
			}
		})
	}
}

func TestOpenAIRequestErrors(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	auth := map[string]string{"Authorization": "Bearer sk-test"}
	tests := []struct {
		name    string
		body    any
		headers map[string]string
		status  int
		param   any
		message string
	}{
		{"MissingKey", map[string]any{"model": "gpt-4o"}, nil, 401, nil, "You didn't provide an API key"},
		{"MalformedJSON", `{"model": "gpt-4o",`, auth, 400, nil, "invalid JSON"},
		{"MissingModel", map[string]any{"messages": []any{map[string]any{"role": "user", "content": "hi"}}}, auth, 400, "model", "you must provide a model parameter"},
		{"MissingMessages", map[string]any{"model": "gpt-4o"}, auth, 400, "messages", "Missing required parameter: 'messages'"},
		{"EmptyMessages", map[string]any{"model": "gpt-4o", "messages": []any{}}, auth, 400, "messages", "empty array"},
		{"BadRole", map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "robot", "content": "hi"}}}, auth, 400, "messages.[0].role", "Invalid value: 'robot'"},
		{"WrongType", map[string]any{"model": 4, "messages": []any{}}, auth, 400, "model", "invalid type for 'model'"},
		{"StreamOptionsWithoutStream", map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": "hi"}}, "stream_options": map[string]any{"include_usage": true}}, auth, 400, "stream_options", "only allowed when 'stream' is enabled"},
		{"ZeroMaxTokens", map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": "hi"}}, "max_tokens": 0}, auth, 400, "max_tokens", "below minimum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions", tt.body, tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("expected %d, got %d: %s", tt.status, resp.StatusCode, data)
			}
			body := decode(t, data)
			for _, k := range []string{"message", "type", "param", "code"} {
				if _, ok := dig(body, "error").(map[string]any)[k]; !ok {
					t.Errorf("expected error.%s in %s", k, data)
				}
			}
			if msg, _ := dig(body, "error", "message").(string); !strings.Contains(msg, tt.message) {
				t.Errorf("expected message containing %q, got %q", tt.message, msg)
			}
			if got := dig(body, "error", "param"); got != tt.param {
				t.Errorf("expected param %v, got %v", tt.param, got)
			}
		})
	}

	t.Run("UnknownPath", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "GET", srv.URL+"/openai/v1/nope", nil, auth)
		if resp.StatusCode != 404 || !strings.Contains(string(data), "Invalid URL (GET /openai/v1/nope)") {
			t.Errorf("expected 404 Invalid URL, got %d %s", resp.StatusCode, data)
		}
	})
}
