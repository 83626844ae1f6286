package providers_test

import (
	"bytes"
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

// FuzzRequestBodies sends arbitrary bodies to every endpoint of every provider mock that reads one
// (both Gemini API versions, both Gemini stream encodings): the answer is a 200 whose body is JSON
// (every SSE event's data JSON, a Gemini array stream one JSON array) or a 4xx in the provider's own
// error format, never a 5xx or a panic; an OpenAI chat answer's tool arguments and structured content
// validate against the schemas the request sent.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range fuzzSeeds() {
		f.Add([]byte(seed))
	}
	p := providers.New(providers.Config{})
	endpoints := fuzzEndpoints()
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, ep := range endpoints {
			req := httptest.NewRequest("POST", ep.path, bytes.NewReader(body))
			for k, v := range ep.headers {
				req.Header.Set(k, v)
			}
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			if err := checkAnswer(ep, body, rec); err != nil {
				t.Errorf("%s: %v\nrequest %q\nanswer %d %s", ep.path, err, body, rec.Code, rec.Body)
			}
		}
	})
}

// fuzzEndpoint is one endpoint FuzzRequestBodies posts to, with the headers that authorize it and
// a check that a body is the provider's error format for a status.
type fuzzEndpoint struct {
	path     string
	headers  map[string]string
	errShape func(b map[string]any, status int) bool
	// chat marks an OpenAI-shaped chat endpoint, whose answers are checked against the request's schemas.
	chat bool
}

func fuzzEndpoints() []fuzzEndpoint {
	openai := map[string]string{"Authorization": "Bearer k"}
	anthropic := map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}
	gemini := map[string]string{"x-goog-api-key": "k"}
	return []fuzzEndpoint{
		{"/openai/v1/chat/completions", openai, openaiErrShape, true},
		{"/openai/v1/responses", openai, openaiErrShape, false},
		{"/openai/v1/embeddings", openai, openaiErrShape, false},
		{"/mistral/v1/chat/completions", map[string]string{"Authorization": "Bearer k"}, mistralErrShape, true},
		{"/mistral/v1/embeddings", map[string]string{"Authorization": "Bearer k"}, mistralErrShape, false},
		{"/anthropic/v1/messages", anthropic, anthropicErrShape, false},
		{"/anthropic/v1/messages/count_tokens", anthropic, anthropicErrShape, false},
		{"/gemini/v1beta/models/gemini-1.5-pro:generateContent", gemini, googleErrShape, false},
		{"/gemini/v1/models/gemini-1.5-pro:generateContent", gemini, googleErrShape, false},
		{"/gemini/v1beta/models/gemini-1.5-pro:streamGenerateContent?alt=sse", gemini, googleErrShape, false},
		{"/gemini/v1/models/gemini-1.5-pro:streamGenerateContent", gemini, googleErrShape, false},
		{"/gemini/v1beta/models/gemini-1.5-pro:countTokens", gemini, googleErrShape, false},
		{"/gemini/v1/models/gemini-1.5-pro:countTokens", gemini, googleErrShape, false},
		{"/gemini/v1beta/models/text-embedding-004:embedContent", gemini, googleErrShape, false},
		{"/gemini/v1/models/text-embedding-004:embedContent", gemini, googleErrShape, false},
		{"/gemini/v1beta/models/text-embedding-004:batchEmbedContents", gemini, googleErrShape, false},
		{"/gemini/v1/models/gemini-embedding-001:batchEmbedContents", gemini, googleErrShape, false},
	}
}

// openaiErrShape reports whether b is an OpenAI error body.
func openaiErrShape(b map[string]any, _ int) bool {
	e, ok := b["error"].(map[string]any)
	_, hasParam := e["param"]
	_, hasCode := e["code"]
	_, isString := e["message"].(string)
	return ok && isString && e["type"] != nil && hasParam && hasCode
}

// mistralErrShape reports whether b is a Mistral error body.
func mistralErrShape(b map[string]any, _ int) bool {
	_, hasParam := b["param"]
	_, hasCode := b["code"]
	_, isString := b["message"].(string)
	return b["object"] == "error" && isString && b["type"] != nil && hasParam && hasCode
}

// anthropicErrShape reports whether b is an Anthropic error body.
func anthropicErrShape(b map[string]any, _ int) bool {
	e, ok := b["error"].(map[string]any)
	_, isString := e["message"].(string)
	return ok && b["type"] == "error" && e["type"] != nil && isString
}

// googleErrShape reports whether b is a Google API error body for status.
func googleErrShape(b map[string]any, status int) bool {
	e, ok := b["error"].(map[string]any)
	_, isString := e["message"].(string)
	return ok && e["code"] == float64(status) && isString && e["status"] != nil
}
