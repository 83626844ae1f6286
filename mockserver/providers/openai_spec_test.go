package providers_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
	"github.com/ultra-kit/ultra/spec"
)

// TestOpenAIResponsesMatchSpec validates the mock's answers against the schemas of OpenAI's own
// OpenAPI document.
func TestOpenAIResponsesMatchSpec(t *testing.T) {
	openaiSpec := testenv.Spec(t, "openai.yaml") // OpenAI's published OpenAPI document
	doc, err := spec.LoadFile(openaiSpec)
	if err != nil {
		t.Fatalf("load %s: %v", openaiSpec, err)
	}
	srv := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "openai:gpt-limited", Kind: fault.KindRateLimit},
		fault.Fault{Target: "openai:gpt-broken", Kind: fault.KindStreamError})})
	chat := func(model string, extra map[string]any) map[string]any {
		b := map[string]any{"model": model, "messages": []any{
			map[string]any{"role": "developer", "content": "Be brief."},
			map[string]any{"role": "user", "content": []any{map[string]any{"type": "text", "text": "Hello!"}}},
		}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	tests := []struct {
		name   string
		method string
		path   string // relative to the document's server
		body   any
		status int
	}{
		{"ChatCompletion", "POST", "/chat/completions", chat("gpt-4o", nil), 200},
		{"ChatCompletionCut", "POST", "/chat/completions", chat("gpt-4o", map[string]any{"max_completion_tokens": 2}), 200},
		{"ToolCalls", "POST", "/chat/completions", chat("gpt-4o", map[string]any{"tool_choice": "required", "n": 2,
			"tools": []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather", "parameters": json.RawMessage(weatherSchema)}}}}), 200},
		{"Structured", "POST", "/chat/completions", chat("gpt-4o", map[string]any{"response_format": map[string]any{"type": "json_schema",
			"json_schema": map[string]any{"name": "order", "strict": true, "schema": json.RawMessage(orderSchema)}}}), 200},
		{"Embeddings", "POST", "/embeddings", map[string]any{"model": "text-embedding-3-small", "input": []string{"a cat", "a dog"}, "dimensions": 64}, 200},
		{"Responses", "POST", "/responses", map[string]any{"model": "gpt-4o", "instructions": "Be brief.", "input": "Hello!"}, 200},
		{"ResponsesFunctionCall", "POST", "/responses", map[string]any{"model": "gpt-4o", "tool_choice": "required", "input": []any{map[string]any{"role": "user", "content": "weather"}},
			"tools": []any{map[string]any{"type": "function", "name": "get_weather", "strict": true, "parameters": json.RawMessage(weatherSchema)}}}, 200},
		{"ResponsesJSONSchema", "POST", "/responses", map[string]any{"model": "gpt-4o", "input": "order",
			"text": map[string]any{"format": map[string]any{"type": "json_schema", "name": "order", "strict": true, "schema": json.RawMessage(orderSchema)}}}, 200},
		{"RateLimited", "POST", "/chat/completions", chat("gpt-limited", nil), 429},
		{"ListModels", "GET", "/models", nil, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var data []byte
			if tt.body != nil {
				data, _ = json.Marshal(tt.body)
			}
			req, _ := http.NewRequestWithContext(t.Context(), tt.method, srv.URL+"/openai/v1"+tt.path, bytes.NewReader(data))
			req.Header.Set("Authorization", "Bearer sk-test")
			req.Header.Set("Content-Type", "application/json")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("expected %d, got %d", tt.status, resp.StatusCode)
			}
			rel := httptest.NewRequest(tt.method, tt.path, bytes.NewReader(data))
			rel.Header = req.Header.Clone()
			if err := doc.ValidateResponse(rel, resp); err != nil {
				t.Errorf("response does not match %s: %v", openaiSpec, err)
			}
		})
	}

	t.Run("ChatStreams", func(t *testing.T) { checkChatStreams(t, srv, doc, chat) })
	t.Run("ResponsesStreams", func(t *testing.T) { checkResponsesStreams(t, srv, doc) })
}

// checkChunks streams body and checks every chunk validates against CreateChatCompletionStreamResponse
// (the document describes the stream itself only as text/event-stream), carries the fields it
// requires, tool-call deltas their index, and that the usage chunk with empty choices comes before [DONE].
func checkChunks(t *testing.T, srv *httptest.Server, schema *spec.Schema, body map[string]any) {
	resp, data := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions", body, map[string]string{"Authorization": "Bearer sk-test"})
	if resp.StatusCode != 200 {
		t.Fatalf("expected 200, got %d", resp.StatusCode)
	}
	events := sseData(t, data)
	if string(events[len(events)-1]) != "[DONE]" {
		t.Fatalf("expected data: [DONE] last, got %q", events[len(events)-1])
	}
	for _, ev := range events[:len(events)-1] {
		if err := schema.Validate(ev); err != nil {
			t.Errorf("chunk does not match CreateChatCompletionStreamResponse: %v\n%s", err, ev)
		}
		chunk := decode(t, ev)
		for _, k := range []string{"id", "choices", "created", "model", "object"} {
			if _, ok := chunk[k]; !ok {
				t.Errorf("chunk lacks required %q: %s", k, ev)
			}
		}
		if chunk["object"] != "chat.completion.chunk" {
			t.Errorf("expected object chat.completion.chunk, got %v", chunk["object"])
		}
		for _, c := range chunk["choices"].([]any) {
			for _, k := range []string{"delta", "finish_reason", "index"} {
				if _, ok := c.(map[string]any)[k]; !ok {
					t.Errorf("choice lacks required %q: %s", k, ev)
				}
			}
			calls, _ := dig(c, "delta", "tool_calls").([]any)
			for _, tc := range calls {
				if _, ok := tc.(map[string]any)["index"].(float64); !ok {
					t.Errorf("tool call delta lacks its index: %s", ev)
				}
			}
		}
	}
	if !strings.Contains(string(events[len(events)-2]), `"choices":[]`) {
		t.Errorf("expected the usage chunk with empty choices before [DONE], got %s", events[len(events)-2])
	}
}

// checkChatStreams validates the chunks of plain, tool-call and structured (n=2) chat streams.
func checkChatStreams(t *testing.T, srv *httptest.Server, doc *spec.Document, chat func(string, map[string]any) map[string]any) {
	chunkSchema, err := doc.ComponentSchema("CreateChatCompletionStreamResponse")
	if err != nil {
		t.Fatal(err)
	}
	if chunkSchema.Validate([]byte(`{"id":"c","object":"chat.completion","created":1,"model":"m","choices":[]}`)) == nil {
		t.Error("expected a chunk whose object is chat.completion to be rejected")
	}
	streams := map[string]map[string]any{
		"StreamChunks": chat("gpt-4o", map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true}}),
		"ToolCallStreamChunks": chat("gpt-4o", map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true},
			"tool_choice": "required", "tools": []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather", "parameters": json.RawMessage(weatherSchema)}}}}),
		"StructuredStreamChunks": chat("gpt-4o", map[string]any{"stream": true, "stream_options": map[string]any{"include_usage": true}, "n": 2,
			"response_format": map[string]any{"type": "json_schema", "json_schema": map[string]any{"name": "order", "strict": true, "schema": json.RawMessage(orderSchema)}}}),
	}
	for name, body := range streams {
		t.Run(name, func(t *testing.T) { checkChunks(t, srv, chunkSchema, body) })
	}
}
