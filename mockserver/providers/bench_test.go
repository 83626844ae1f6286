package providers_test

import (
	"bytes"
	"fmt"
	"net/http/httptest"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

// BenchmarkChatCompletion measures the non-streaming handlers in process (no network).
func BenchmarkChatCompletion(b *testing.B) {
	p := providers.New(providers.Config{})
	cases := []struct {
		name, path string
		body       string
		headers    map[string]string
	}{
		{"OpenAI", "/openai/v1/chat/completions",
			`{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Assess the quarterly risk report"}]}`,
			map[string]string{"Authorization": "Bearer sk-test"}},
		{"Anthropic", "/anthropic/v1/messages",
			`{"model":"claude-3-opus-20240229","max_tokens":256,"messages":[{"role":"user","content":"Assess the quarterly risk report"}]}`,
			map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"}},
		{"Gemini", "/gemini/v1beta/models/gemini-1.5-pro:generateContent",
			`{"contents":[{"role":"user","parts":[{"text":"Assess the quarterly risk report"}]}]}`,
			map[string]string{"x-goog-api-key": "k"}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			body := []byte(c.body)
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					req := httptest.NewRequest("POST", c.path, bytes.NewReader(body))
					for k, v := range c.headers {
						req.Header.Set(k, v)
					}
					rec := httptest.NewRecorder()
					p.ServeHTTP(rec, req)
					if rec.Code != 200 {
						b.Fatalf("expected 200, got %d: %s", rec.Code, rec.Body)
					}
				}
			})
		})
	}
}

// BenchmarkScriptedChat measures an OpenAI chat answered by the last of 21 fixtures, the 20 before it
// not matching (10 substrings, 10 regular expressions): the cost of scanning a realistic script.
func BenchmarkScriptedChat(b *testing.B) {
	var src bytes.Buffer
	for i := range 10 {
		fmt.Fprintf(&src, "- match: {contains: \"never %d\"}\n  text: no\n- match: {regex: '^never %d+$'}\n  text: no\n", i, i)
	}
	src.WriteString("- match: {contains: \"quarterly\"}\n  text: The scripted answer.\n")
	p := providers.New(providers.Config{Fixtures: mustFixtures(b, src.String())})
	body := []byte(`{"model":"gpt-4o","messages":[{"role":"user","content":"Assess the quarterly risk report"}]}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req := httptest.NewRequest("POST", "/openai/v1/chat/completions", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer sk-test")
			rec := httptest.NewRecorder()
			p.ServeHTTP(rec, req)
			if rec.Code != 200 || !bytes.Contains(rec.Body.Bytes(), []byte("The scripted answer.")) {
				b.Fatalf("expected the scripted answer, got %d: %s", rec.Code, rec.Body)
			}
		}
	})
}
