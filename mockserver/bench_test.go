package mockserver_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/mockserver"
)

// BenchmarkHandlerSmallGET serves a documented example of a small document.
func BenchmarkHandlerSmallGET(b *testing.B) {
	srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(b, "testdata/pets.yaml")}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	req := httptest.NewRequest("GET", "/pets?limit=5", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
		}
	}
}

// BenchmarkHandlerOpenAIChat validates and answers POST /chat/completions of openai.yaml.
func BenchmarkHandlerOpenAIChat(b *testing.B) {
	srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(b, testenv.Spec(b, "openai.yaml"))}}})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	const body = `{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hello!"}],"temperature":0.2}`
	serve := func() *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/chat/completions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Authorization", "Bearer sk-test")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		return rec
	}
	if rec := serve(); rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body.String())
	}
	b.ReportAllocs()
	for b.Loop() {
		if rec := serve(); rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
