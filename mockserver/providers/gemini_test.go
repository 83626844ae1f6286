package providers_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// geminiResponse is the GenerateContentResponse shape from Google's API reference.
type geminiResponse struct {
	Candidates []struct {
		Content struct {
			Parts []struct {
				Text string `json:"text"`
			} `json:"parts"`
			Role string `json:"role"`
		} `json:"content"`
		FinishReason string `json:"finishReason"`
		Index        int    `json:"index"`
	} `json:"candidates"`
	UsageMetadata struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
		TotalTokenCount      int `json:"totalTokenCount"`
	} `json:"usageMetadata"`
	ModelVersion string `json:"modelVersion"`
}

func (r geminiResponse) text() string {
	var b strings.Builder
	for _, c := range r.Candidates {
		for _, p := range c.Content.Parts {
			b.WriteString(p.Text)
		}
	}
	return b.String()
}

func geminiBody(prompt string) map[string]any {
	return map[string]any{
		"systemInstruction": map[string]any{"parts": []any{map[string]any{"text": "You are a careful analyst."}}},
		"contents":          []any{map[string]any{"role": "user", "parts": []any{map[string]any{"text": prompt}}}},
		"generationConfig":  map[string]any{"temperature": 0.2},
	}
}

// sseData returns the data of each event in an SSE body.
func sseData(tb testing.TB, body []byte) [][]byte {
	tb.Helper()
	var out [][]byte
	var cur []byte
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Bytes()
		switch {
		case len(line) == 0:
			if cur != nil {
				out = append(out, cur)
				cur = nil
			}
		case bytes.HasPrefix(line, []byte("data: ")):
			cur = append(cur, line[len("data: "):]...)
		}
	}
	if cur != nil {
		tb.Fatalf("stream ended inside an event: %q", cur)
	}
	return out
}

func TestGemini(t *testing.T) {
	srv := mustServer(t, providers.Config{Keys: map[string][]string{"gemini": {"g-key"}}})
	const prompt = "Explain the churn numbers"
	base := srv.URL + "/gemini/v1beta"
	key := map[string]string{"x-goog-api-key": "g-key"}
	want := providers.Answer("gemini-1.5-pro", prompt)

	t.Run("GenerateContent", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "POST", base+"/models/gemini-1.5-pro:generateContent", geminiBody(prompt), key)
		if resp.StatusCode != 200 {
			t.Fatalf("expected 200, got %d: %s", resp.StatusCode, data)
		}
		var got geminiResponse
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if got.text() != want || got.Candidates[0].FinishReason != "STOP" || got.Candidates[0].Content.Role != "model" {
			t.Errorf("expected %q STOP model, got %s", want, data)
		}
		u := got.UsageMetadata
		if u.PromptTokenCount <= 0 || u.CandidatesTokenCount != providers.Tokens(want) || u.TotalTokenCount != u.PromptTokenCount+u.CandidatesTokenCount {
			t.Errorf("implausible usage %+v", u)
		}
	})

	t.Run("KeyInQuery", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "POST", base+"/models/gemini-1.5-pro:generateContent?key=g-key", geminiBody(prompt), nil)
		if resp.StatusCode != 200 {
			t.Fatalf("expected 200, got %d: %s", resp.StatusCode, data)
		}
	})

	t.Run("StreamSSE", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "POST", base+"/models/gemini-1.5-pro:streamGenerateContent?alt=sse", geminiBody(prompt), key)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("expected a 200 event stream, got %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		events := sseData(t, data)
		if len(events) < 5 {
			t.Fatalf("expected the answer streamed token by token, got %d events", len(events))
		}
		var text strings.Builder
		var last geminiResponse
		for _, ev := range events {
			var chunk geminiResponse
			if err := json.Unmarshal(ev, &chunk); err != nil {
				t.Fatalf("chunk is not a GenerateContentResponse: %v: %s", err, ev)
			}
			text.WriteString(chunk.text())
			last = chunk
		}
		if text.String() != want {
			t.Errorf("expected %q, got %q", want, text.String())
		}
		if last.Candidates[0].FinishReason != "STOP" || last.UsageMetadata.CandidatesTokenCount != providers.Tokens(want) {
			t.Errorf("expected the last chunk to carry STOP and the usage, got %+v", last)
		}
	})

	t.Run("StreamArray", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "POST", base+"/models/gemini-1.5-pro:streamGenerateContent", geminiBody(prompt), key)
		if resp.StatusCode != 200 {
			t.Fatalf("expected 200, got %d: %s", resp.StatusCode, data)
		}
		var chunks []geminiResponse
		if err := json.Unmarshal(data, &chunks); err != nil {
			t.Fatalf("expected a JSON array of responses: %v: %s", err, data)
		}
		var text strings.Builder
		for _, c := range chunks {
			text.WriteString(c.text())
		}
		if text.String() != want {
			t.Errorf("expected %q, got %q", want, text.String())
		}
	})

	t.Run("Models", func(t *testing.T) {
		resp, data := call(t, srv.Client(), "GET", base+"/models", nil, key)
		if resp.StatusCode != 200 || !strings.Contains(string(data), `"name":"models/gemini-1.5-flash"`) {
			t.Errorf("expected models/gemini-1.5-flash listed, got %d %s", resp.StatusCode, data)
		}
	})
}

func TestGeminiErrors(t *testing.T) {
	srv := mustServer(t, providers.Config{
		Keys:   map[string][]string{"gemini": {"g-key"}},
		Faults: mustFaults(t, fault.Fault{Target: "gemini:gemini-overloaded", Kind: fault.KindOverloaded}, fault.Fault{Target: "gemini:gemini-limited", Kind: fault.KindRateLimit}),
	})
	base := srv.URL + "/gemini/v1beta/models/"
	key := map[string]string{"x-goog-api-key": "g-key"}
	tests := []struct {
		name    string
		path    string
		body    any
		headers map[string]string
		status  int
		gstatus string
		message string
	}{
		{"MissingKey", "gemini-1.5-pro:generateContent", geminiBody("x"), nil, 401, "UNAUTHENTICATED", "unregistered callers"},
		{"WrongKey", "gemini-1.5-pro:generateContent", geminiBody("x"), map[string]string{"x-goog-api-key": "nope"}, 401, "UNAUTHENTICATED", "API key not valid"},
		{"MalformedJSON", "gemini-1.5-pro:generateContent", `{"contents": [`, key, 400, "INVALID_ARGUMENT", "Invalid JSON payload"},
		{"MissingContents", "gemini-1.5-pro:generateContent", map[string]any{}, key, 400, "INVALID_ARGUMENT", "contents is not specified"},
		{"MissingModel", ":generateContent", geminiBody("x"), key, 400, "INVALID_ARGUMENT", "model name"},
		{"UnknownMethod", "gemini-1.5-pro:tuneModel", geminiBody("x"), key, 404, "NOT_FOUND", "Invalid URL"},
		{"Overloaded", "gemini-overloaded:generateContent", geminiBody("x"), key, 503, "UNAVAILABLE", "overloaded"},
		{"RateLimit", "gemini-limited:generateContent", geminiBody("x"), key, 429, "RESOURCE_EXHAUSTED", "exhausted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, data := call(t, srv.Client(), "POST", base+tt.path, tt.body, tt.headers)
			if resp.StatusCode != tt.status {
				t.Fatalf("expected %d, got %d: %s", tt.status, resp.StatusCode, data)
			}
			body := decode(t, data)
			if code, _ := dig(body, "error", "code").(float64); int(code) != tt.status || dig(body, "error", "status") != tt.gstatus {
				t.Errorf("expected error.code %d and status %s, got %s", tt.status, tt.gstatus, data)
			}
			if msg, _ := dig(body, "error", "message").(string); !strings.Contains(msg, tt.message) {
				t.Errorf("expected message containing %q, got %q", tt.message, msg)
			}
		})
	}
}
