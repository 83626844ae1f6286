package providers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

// FuzzSSE checks that any event name and data survive the SSE encoder as a client decodes them (the
// official OpenAI SDK's decoder): one event, the name without line breaks, the data with every line
// break read as "\n".
func FuzzSSE(f *testing.F) {
	for _, seed := range []struct{ event, data string }{
		{"", `{"id":"chatcmpl-1"}`},
		{"message_start", `{"type":"message_start"}`},
		{"content_block_delta", "line one\nline two"},
		{"", "[DONE]"},
		{"x\ny", "a\r\nb\rc\n"},
		{"", ""},
		{"ping", ": not a comment"},
		{"", "\n\n\n"},
		{"", " leading space"},
		{"e", "data: nested"},
	} {
		f.Add(seed.event, []byte(seed.data))
	}
	f.Fuzz(func(t *testing.T, event string, data []byte) {
		if len(data) > 1<<16 || len(event) > 1<<10 {
			t.Skip("bounded input")
		}
		wire := providers.AppendEvent(nil, event, data)
		res := &http.Response{Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(bytes.NewReader(wire))}
		dec := ssestream.NewDecoder(res)
		if !dec.Next() {
			t.Fatalf("expected one event from %q, got none (err %v)", wire, dec.Err())
		}
		ev := dec.Event()
		wantEvent := strings.NewReplacer("\r", "", "\n", "").Replace(event)
		if ev.Type != wantEvent {
			t.Errorf("event: expected %q, got %q", wantEvent, ev.Type)
		}
		wantData := strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(string(data)) + "\n"
		if string(ev.Data) != wantData {
			t.Errorf("data: expected %q, got %q (wire %q)", wantData, ev.Data, wire)
		}
		if dec.Next() {
			t.Errorf("expected exactly one event from %q, got another: %+v", wire, dec.Event())
		}
	})
}

// FuzzRequestBodies sends arbitrary bodies to every endpoint that reads one: the answer is a 200 or a
// 4xx in the provider's own error format, never a 5xx or a panic.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"claude-3-opus-20240229","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}],"stream":true}`,
		`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":3}}`,
		`{"model":null,"messages":null}`,
		`{"model":"x","messages":[{"role":"user","content":{"a":1}}],"max_tokens":-1}`,
		`{"model":"x","max_tokens":0,"messages":[{"role":"assistant","content":null}]}`,
		`{"model":"gpt-4o","n":2,"messages":[{"role":"user","content":"weather"}],"tool_choice":"required","parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"get_weather","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string","enum":["a","b"]}},"required":["city"],"additionalProperties":false}}}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function","function":{"name":"f"}},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"$ref":"#/$defs/N"}},"$defs":{"N":{"type":"integer","minimum":3,"maximum":2}}}}}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}}},"required":["a"],"additionalProperties":false}}}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":{"type":"nonsense","properties":7}}}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","tool_call_id":"c","content":"21"}],"stream":true}`,
		`{"model":"text-embedding-3-small","input":["a cat",""],"dimensions":3,"encoding_format":"base64"}`,
		`{"model":"text-embedding-ada-002","input":[[1,2,3],[4]]}`,
		`{"model":"claude-3-opus-20240229","max_tokens":50,"tool_choice":{"type":"any","disable_parallel_tool_use":true},"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"weather"}],"stream":true}`,
		`{"model":"claude-3-opus-20240229","max_tokens":50,"messages":[{"role":"user","content":"w"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"21"}]}]}]}`,
		`{"contents":[{"role":"user","parts":[{"text":"weather"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","nullable":true,"minLength":"2"}},"required":["city"]}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}}`,
		`{"contents":[{"role":"user","parts":[{"text":"x"}]},{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"t":1}}}]}],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}`,
		`{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a cat"}]},"outputDimensionality":8}],"content":{"parts":[{"text":"x"}]}}`,
		`{"model":"gpt-4o","instructions":"x","input":[{"role":"user","content":[{"type":"input_text","text":"weather"}]},{"type":"function_call_output","call_id":"c","output":"21"}],"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"stream":true}`,
		`{"model":"gpt-4o","input":"x","max_output_tokens":16,"text":{"format":{"type":"json_schema","name":"o","schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false},"strict":true}}}`,
		`[]`, `null`, `"str"`, `{`, ``, "\x00\xff",
	} {
		f.Add([]byte(seed))
	}
	p := providers.New(providers.Config{})
	endpoints := []struct {
		path     string
		headers  map[string]string
		errShape func(map[string]any) bool
	}{
		{"/openai/v1/chat/completions", map[string]string{"Authorization": "Bearer k"}, openaiErrShape},
		{"/openai/v1/responses", map[string]string{"Authorization": "Bearer k"}, openaiErrShape},
		{"/openai/v1/embeddings", map[string]string{"Authorization": "Bearer k"}, openaiErrShape},
		{"/anthropic/v1/messages", map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}, func(b map[string]any) bool {
			e, ok := b["error"].(map[string]any)
			return ok && b["type"] == "error" && e["type"] != nil && e["message"] != nil
		}},
		{"/anthropic/v1/messages/count_tokens", map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}, func(b map[string]any) bool {
			e, ok := b["error"].(map[string]any)
			return ok && b["type"] == "error" && e["type"] != nil && e["message"] != nil
		}},
		{"/gemini/v1beta/models/gemini-1.5-pro:streamGenerateContent?alt=sse", map[string]string{"x-goog-api-key": "k"}, func(b map[string]any) bool {
			e, ok := b["error"].(map[string]any)
			return ok && e["code"] != nil && e["message"] != nil && e["status"] != nil
		}},
		{"/gemini/v1beta/models/text-embedding-004:batchEmbedContents", map[string]string{"x-goog-api-key": "k"}, googleErrShape},
		{"/gemini/v1/models/text-embedding-004:embedContent", map[string]string{"x-goog-api-key": "k"}, googleErrShape},
		{"/gemini/v1/models/gemini-1.5-pro:countTokens", map[string]string{"x-goog-api-key": "k"}, googleErrShape},
		{"/gemini/v1beta/models/gemini-1.5-pro:generateContent", map[string]string{"x-goog-api-key": "k"}, func(b map[string]any) bool {
			e, ok := b["error"].(map[string]any)
			return ok && e["code"] != nil && e["message"] != nil && e["status"] != nil
		}},
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ep := range endpoints {
			req := httptest.NewRequest("POST", ep.path, bytes.NewReader(body))
			for k, v := range ep.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			switch {
			case rec.Code == 200:
			case rec.Code >= 400 && rec.Code < 500:
				var b map[string]any
				if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || !ep.errShape(b) {
					t.Errorf("%s: %d body is not the provider's error format: %s", ep.path, rec.Code, rec.Body)
				}
			default:
				t.Errorf("%s: expected 200 or 4xx for %q, got %d: %s", ep.path, body, rec.Code, rec.Body)
			}
		}
	})
}

// openaiErrShape reports whether b is an OpenAI error body.
func openaiErrShape(b map[string]any) bool {
	e, ok := b["error"].(map[string]any)
	_, hasParam := e["param"]
	_, hasCode := e["code"]
	return ok && e["message"] != nil && e["type"] != nil && hasParam && hasCode
}

// googleErrShape reports whether b is a Google API error body.
func googleErrShape(b map[string]any) bool {
	e, ok := b["error"].(map[string]any)
	return ok && e["code"] != nil && e["message"] != nil && e["status"] != nil
}
