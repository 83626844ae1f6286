package spec_test

import (
	"bytes"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/spec"
)

func BenchmarkLoadOpenAI(b *testing.B) {
	data, err := os.ReadFile(testenv.Spec(b, "openai.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := spec.Load(data, spec.Options{Name: "openai.yaml"}); err != nil {
			b.Fatal(err)
		}
	}
}

func benchValidate(b *testing.B, doc *spec.Document, method, path, body string, header ...string) {
	req := httptest.NewRequest(method, "http://api.test"+path, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.Header.Set("Content-Type", "application/json")
	payload := []byte(body)
	run := func() error {
		req.Body = nopCloser{bytes.NewReader(payload)}
		req.ContentLength = int64(len(payload))
		return doc.ValidateRequest(req)
	}
	if err := run(); err != nil {
		b.Fatalf("the benchmark request is invalid: %v", err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := run(); err != nil {
			b.Fatal(err)
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func BenchmarkValidateRequestAnalyze(b *testing.B) {
	doc := mustLoad(b, "../openapi.yaml")
	benchValidate(b, doc, "POST", "/api/analyze",
		`{"prompt":"Why is the sky blue?","selected_models":["gpt4o","claude3opus"],"ultra_model":"gpt4o","pattern":"confidence","options":{"temperature":0.2,"max_tokens":512}}`,
		"Authorization", "Bearer token")
}

func BenchmarkValidateRequestOpenAIChat(b *testing.B) {
	doc := mustLoad(b, testenv.Spec(b, "openai.yaml"))
	benchValidate(b, doc, "POST", "/chat/completions",
		`{"model":"gpt-4o","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Why is the sky blue?"}],"temperature":0.2,"max_completion_tokens":256}`,
		"Authorization", "Bearer sk-test")
}
