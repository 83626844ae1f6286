package providers_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/anthropics/anthropic-sdk-go/v2/option"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func anthropicClient(srvURL string, httpClient *http.Client, key string) anthropic.Client {
	return anthropic.NewClient(
		option.WithBaseURL(srvURL+"/anthropic/"),
		option.WithAPIKey(key),
		option.WithHTTPClient(httpClient),
		option.WithMaxRetries(0),
	)
}

func messageParams(model, prompt string) anthropic.MessageNewParams {
	return anthropic.MessageNewParams{
		Model:     model,
		MaxTokens: 1024,
		System:    []anthropic.TextBlockParam{{Text: "You are a careful analyst."}},
		Messages:  []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock(prompt))},
	}
}

func TestAnthropicSDK(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := anthropicClient(srv.URL, srv.Client(), "sk-ant-test")
	const prompt = "Compare the two proposals"

	t.Run("NonStreaming", func(t *testing.T) {
		var raw *http.Response
		msg, err := client.Messages.New(t.Context(), messageParams("claude-3-opus-20240229", prompt), option.WithResponseInto(&raw))
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		want := providers.Answer("claude-3-opus-20240229", prompt)
		if len(msg.Content) != 1 || msg.Content[0].Type != "text" || msg.Content[0].Text != want {
			t.Fatalf("expected one text block %q, got %+v", want, msg.Content)
		}
		if msg.StopReason != anthropic.StopReasonEndTurn || msg.Role != "assistant" || msg.Model != "claude-3-opus-20240229" {
			t.Errorf("expected end_turn, assistant, model; got %q %q %q", msg.StopReason, msg.Role, msg.Model)
		}
		if msg.Usage.InputTokens <= 0 || msg.Usage.OutputTokens != int64(providers.Tokens(want)) {
			t.Errorf("implausible usage %+v", msg.Usage)
		}
		if raw.Header.Get("request-id") == "" {
			t.Error("expected a request-id header")
		}
	})

	t.Run("Streaming", func(t *testing.T) {
		stream := client.Messages.NewStreaming(t.Context(), messageParams("claude-3-sonnet-20240229", prompt))
		defer stream.Close()
		var msg anthropic.Message
		seen := map[string]int{}
		for stream.Next() {
			ev := stream.Current()
			seen[ev.Type]++
			if err := msg.Accumulate(ev); err != nil {
				t.Fatalf("accumulate %s: %v", ev.Type, err)
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		want := providers.Answer("claude-3-sonnet-20240229", prompt)
		if len(msg.Content) != 1 || msg.Content[0].Text != want {
			t.Fatalf("expected accumulated %q, got %+v", want, msg.Content)
		}
		if msg.StopReason != anthropic.StopReasonEndTurn || msg.Usage.OutputTokens != int64(providers.Tokens(want)) {
			t.Errorf("expected end_turn with %d output tokens, got %q %d", providers.Tokens(want), msg.StopReason, msg.Usage.OutputTokens)
		}
		for _, typ := range []string{"message_start", "content_block_start", "content_block_stop", "message_delta", "message_stop"} {
			if seen[typ] != 1 {
				t.Errorf("expected one %s event, got %d (%v)", typ, seen[typ], seen)
			}
		}
		if seen["content_block_delta"] < 5 {
			t.Errorf("expected the answer streamed token by token, got %d deltas", seen["content_block_delta"])
		}
	})

	t.Run("MaxTokens", func(t *testing.T) {
		params := messageParams("claude-3-opus-20240229", prompt)
		params.MaxTokens = 3
		msg, err := client.Messages.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if msg.StopReason != anthropic.StopReasonMaxTokens || msg.Usage.OutputTokens > 3 {
			t.Errorf("expected max_tokens with at most 3 tokens, got %q %d", msg.StopReason, msg.Usage.OutputTokens)
		}
	})

	t.Run("Models", func(t *testing.T) {
		page, err := client.Models.List(t.Context(), anthropic.ModelListParams{})
		if err != nil {
			t.Fatalf("list: %v", err)
		}
		ids := map[string]bool{}
		for _, m := range page.Data {
			ids[m.ID] = true
		}
		if !ids["claude-3-opus-20240229"] || !ids["claude-3-sonnet-20240229"] {
			t.Errorf("expected the Claude 3 models listed, got %v", ids)
		}
	})
}

func TestAnthropicSDKErrors(t *testing.T) {
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
		{name: "BadKey", key: "sk-ant-wrong", status: 401, errType: "authentication_error", message: "invalid x-api-key"},
		{name: "RateLimit", key: "sk-ant-good", faults: []fault.Fault{{Target: "anthropic", Kind: fault.KindRateLimit, RetryAfter: fault.Duration(1500 * time.Millisecond)}},
			status: 429, errType: "rate_limit_error", message: "rate limit", retryAfter: "2"},
		{name: "ServerError", key: "sk-ant-good", faults: []fault.Fault{{Target: "anthropic:claude-3-opus-20240229", Kind: fault.KindError}},
			status: 500, errType: "api_error", message: "Internal server error"},
		{name: "Overloaded", key: "sk-ant-good", faults: []fault.Fault{{Target: "anthropic", Kind: fault.KindOverloaded}},
			status: 529, errType: "overloaded_error", message: "Overloaded"},
		{name: "StreamOverloaded", key: "sk-ant-good", stream: true, faults: []fault.Fault{{Target: "*", Kind: fault.KindOverloaded}},
			status: 529, errType: "overloaded_error", message: "Overloaded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := mustServer(t, providers.Config{
				Keys:   map[string][]string{"anthropic": {"sk-ant-good"}},
				Faults: mustFaults(t, tt.faults...),
			})
			client := anthropicClient(srv.URL, srv.Client(), tt.key)
			var err error
			if tt.stream {
				stream := client.Messages.NewStreaming(t.Context(), messageParams("claude-3-opus-20240229", "hi"))
				for stream.Next() {
				}
				err = stream.Err()
				stream.Close()
			} else {
				_, err = client.Messages.New(t.Context(), messageParams("claude-3-opus-20240229", "hi"))
			}
			apiErr, ok := errors.AsType[*anthropic.Error](err)
			if !ok {
				t.Fatalf("expected *anthropic.Error, got %T %v", err, err)
			}
			if apiErr.StatusCode != tt.status || string(apiErr.Type()) != tt.errType || !strings.Contains(strings.ToLower(apiErr.Message), strings.ToLower(tt.message)) {
				t.Errorf("expected %d %s %q, got %d %s %q", tt.status, tt.errType, tt.message, apiErr.StatusCode, apiErr.Type(), apiErr.Message)
			}
			if apiErr.RequestID == "" {
				t.Error("expected the SDK to read the request-id header")
			}
			if got := apiErr.Response.Header.Get("Retry-After"); got != tt.retryAfter {
				t.Errorf("expected Retry-After %q, got %q", tt.retryAfter, got)
			}
		})
	}
}

func TestAnthropicRequestErrors(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	auth := map[string]string{"x-api-key": "sk-ant-test", "anthropic-version": "2023-06-01"}
	user := []any{map[string]any{"role": "user", "content": "hi"}}
	tests := []struct {
		name    string
		body    any
		headers map[string]string
		status  int
		errType string
		message string
	}{
		{"MissingKey", map[string]any{}, map[string]string{"anthropic-version": "2023-06-01"}, 401, "authentication_error", "x-api-key header is required"},
		{"MissingVersion", map[string]any{}, map[string]string{"x-api-key": "k"}, 400, "invalid_request_error", "anthropic-version"},
		{"MalformedJSON", `{"model":`, auth, 400, "invalid_request_error", "request body"},
		{"MissingModel", map[string]any{"max_tokens": 10, "messages": user}, auth, 400, "invalid_request_error", "model: Field required"},
		{"MissingMaxTokens", map[string]any{"model": "claude-3-opus-20240229", "messages": user}, auth, 400, "invalid_request_error", "max_tokens: Field required"},
		{"MissingMessages", map[string]any{"model": "claude-3-opus-20240229", "max_tokens": 10}, auth, 400, "invalid_request_error", "messages: Field required"},
		{"EmptyMessages", map[string]any{"model": "claude-3-opus-20240229", "max_tokens": 10, "messages": []any{}}, auth, 400, "invalid_request_error", "at least one message"},
		{"BadRole", map[string]any{"model": "claude-3-opus-20240229", "max_tokens": 10, "messages": []any{map[string]any{"role": "system", "content": "x"}}}, auth, 400, "invalid_request_error", "messages.0.role"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := call(t, srv.Client(), "POST", srv.URL+"/anthropic/v1/messages", tt.body, tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("expected %d, got %d: %s", tt.status, resp.StatusCode, data)
			}
			body := decode(t, data)
			if body["type"] != "error" || dig(body, "error", "type") != tt.errType {
				t.Errorf("expected {type:error, error.type:%s}, got %s", tt.errType, data)
			}
			if msg, _ := dig(body, "error", "message").(string); !strings.Contains(msg, tt.message) {
				t.Errorf("expected message containing %q, got %q", tt.message, msg)
			}
			if resp.Header.Get("request-id") == "" {
				t.Error("expected a request-id header")
			}
		})
	}
}
