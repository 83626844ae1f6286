package providers_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// seen is what an httptest server observed about one request.
type seen struct {
	method, path, rawQuery string
	header                 http.Header
}

// recordingServer answers every request with status and body and records it.
func recordingServer(t *testing.T, status int, body string) (*httptest.Server, *[]seen) {
	t.Helper()
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		got = append(got, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone()})
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

// TestHeaders checks, on the wire, the auth header names and values each provider expects, that the key
// never travels in the URL, and the paths under a base URL with a trailing slash.
func TestHeaders(t *testing.T) {
	cases := []struct {
		name         string
		newClient    func(providers.Config) client
		key          string
		prefix       string // base URL path, as the mock server mounts the providers
		completePath string
		modelsPath   string
		model        string
		okBody       string
		wantHeader   map[string]string
		wantAbsent   []string
	}{
		{
			name: "openai", newClient: func(c providers.Config) client { return providers.NewOpenAI(c) },
			key: "sk-live-looking-key", prefix: "/openai/v1",
			completePath: "/openai/v1/chat/completions", modelsPath: "/openai/v1/models", model: "gpt-4o",
			okBody:     `{"choices":[{"message":{"content":"ok"}}]}`,
			wantHeader: map[string]string{"Authorization": "Bearer sk-live-looking-key", "Content-Type": "application/json"},
			wantAbsent: []string{"X-Api-Key", "X-Goog-Api-Key", "Anthropic-Version"},
		},
		{
			name: "anthropic", newClient: func(c providers.Config) client { return providers.NewAnthropic(c) },
			key: "sk-ant-looking-key", prefix: "/anthropic/v1",
			completePath: "/anthropic/v1/messages", modelsPath: "/anthropic/v1/models", model: "claude-3-opus-20240229",
			okBody:     `{"content":[{"type":"text","text":"ok"}]}`,
			wantHeader: map[string]string{"X-Api-Key": "sk-ant-looking-key", "Anthropic-Version": "2023-06-01", "Content-Type": "application/json"},
			wantAbsent: []string{"Authorization", "X-Goog-Api-Key"},
		},
		{
			name: "gemini", newClient: func(c providers.Config) client { return providers.NewGemini(c) },
			key: "AIza-looking-key", prefix: "/gemini/v1beta",
			completePath: "/gemini/v1beta/models/gemini-1.5-flash:generateContent", modelsPath: "/gemini/v1beta/models",
			model:      "models/gemini-1.5-flash", // the "models/" prefix Google uses in listings is accepted
			okBody:     `{"candidates":[{"content":{"parts":[{"text":"ok"}]}}]}`,
			wantHeader: map[string]string{"X-Goog-Api-Key": "AIza-looking-key", "Content-Type": "application/json"},
			wantAbsent: []string{"Authorization", "X-Api-Key", "Anthropic-Version"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv, got := recordingServer(t, http.StatusOK, tc.okBody)
			c := tc.newClient(providers.Config{BaseURL: srv.URL + tc.prefix + "/", APIKey: tc.key, HTTPClient: srv.Client()})

			resp, err := c.Complete(t.Context(), providers.Request{Model: tc.model, Prompt: "hi"})
			if err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if resp.Text != "ok" {
				t.Errorf("Text = %q, want ok", resp.Text)
			}
			if err := c.Check(t.Context()); err != nil {
				t.Fatalf("Check: %v", err)
			}

			if len(*got) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(*got))
			}
			want := []struct{ method, path string }{{http.MethodPost, tc.completePath}, {http.MethodGet, tc.modelsPath}}
			for i, r := range *got {
				if r.method != want[i].method || r.path != want[i].path {
					t.Errorf("request %d = %s %s, want %s %s", i, r.method, r.path, want[i].method, want[i].path)
				}
				if strings.Contains(r.rawQuery, tc.key) {
					t.Errorf("request %d carries the key in the URL query %q", i, r.rawQuery)
				}
				for k, v := range tc.wantHeader {
					if k == "Content-Type" && r.method == http.MethodGet {
						continue
					}
					if r.header.Get(k) != v {
						t.Errorf("request %d header %s = %q, want %q", i, k, r.header.Get(k), v)
					}
				}
				for _, k := range tc.wantAbsent {
					if v := r.header.Get(k); v != "" {
						t.Errorf("request %d has header %s = %q, want none", i, k, v)
					}
				}
			}
		})
	}
}

func TestNilHTTPClientUsesOwnClient(t *testing.T) {
	srv, got := recordingServer(t, http.StatusOK, `{"choices":[{"message":{"content":"ok"}}]}`)
	c := providers.NewOpenAI(providers.Config{BaseURL: srv.URL, APIKey: "k"})
	if _, err := c.Complete(t.Context(), providers.Request{Model: "gpt-4o", Prompt: "hi"}); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	if len(*got) != 1 {
		t.Errorf("server saw %d requests, want 1", len(*got))
	}
}

func TestBodyLargerThanLimit(t *testing.T) {
	big := `{"choices":[{"message":{"content":"` + strings.Repeat("a", 8<<20) + `"}}]}`
	srv, _ := recordingServer(t, http.StatusOK, big)
	c := providers.NewOpenAI(providers.Config{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client()})

	_, err := c.Complete(t.Context(), providers.Request{Model: "gpt-4o", Prompt: "hi"})

	pe := mustProviderError(t, err)
	if pe.Code != providers.CodeInvalidResponse || !strings.Contains(pe.Message, "8 MiB") {
		t.Errorf("error = %v, want invalid_response about the 8 MiB limit", pe)
	}
}

func TestKeyNeverLogged(t *testing.T) {
	const key = "sk-very-secret-key-123"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, got := recordingServer(t, http.StatusInternalServerError,
		`{"error":{"message":"Incorrect API key provided: `+key+`","type":"server_error","code":null}}`)
	c := providers.NewOpenAI(providers.Config{BaseURL: srv.URL, APIKey: key, HTTPClient: srv.Client(), Logger: logger, MaxRetries: 1})
	recordSleeps(c)

	_, err := c.Complete(t.Context(), providers.Request{Model: "gpt-4o", Prompt: "hi"})

	if err == nil || len(*got) != 2 {
		t.Fatalf("err = %v after %d requests, want an error after 2", err, len(*got))
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged for a retried failure")
	}
	if strings.Contains(logs.String(), "sk-very-secret") {
		t.Errorf("logs contain the key:\n%s", logs.String())
	}
	if strings.Contains(err.Error(), "sk-very-secret") {
		t.Errorf("error message contains the key: %v", err)
	}
}

func BenchmarkComplete(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"chatcmpl-1","object":"chat.completion","model":"gpt-4o",`+
			`"choices":[{"index":0,"message":{"role":"assistant","content":"Hi there."},"finish_reason":"stop"}],`+
			`"usage":{"prompt_tokens":12,"completion_tokens":3,"total_tokens":15}}`)
	}))
	defer srv.Close()
	c := providers.NewOpenAI(providers.Config{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client()})
	req := providers.Request{Model: "gpt-4o", System: "Be brief.", Prompt: "Hello", Temperature: ptr(0.2), MaxTokens: 100}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Complete(b.Context(), req); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTruncatedBody: a 200 whose body is cut off is a connection failure: transient and retried.
func TestTruncatedBody(t *testing.T) {
	cases := []struct {
		name       string
		maxRetries int
		wantErr    bool
	}{
		{"NotRetried", -1, true},
		{"RetriedThenOK", 1, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.Header().Set("Content-Type", "application/json")
				if calls == 1 {
					w.Header().Set("Content-Length", "1000")
					_, _ = io.WriteString(w, `{"choices":[{"mess`) // the server closes the connection short
					return
				}
				_, _ = io.WriteString(w, `{"choices":[{"message":{"content":"ok"}}]}`)
			}))
			defer srv.Close()
			c := providers.NewOpenAI(providers.Config{BaseURL: srv.URL, APIKey: "k", HTTPClient: srv.Client(), MaxRetries: tc.maxRetries})
			recordSleeps(c)

			resp, err := c.Complete(t.Context(), providers.Request{Model: "gpt-4o", Prompt: "hi"})

			if !tc.wantErr {
				if err != nil || resp.Text != "ok" {
					t.Fatalf("Complete = %+v, %v; want ok after a retry", resp, err)
				}
				return
			}
			pe := mustProviderError(t, err)
			if pe.Code != providers.CodeConnection || !pe.Transient() {
				t.Errorf("error = %+v (Transient %v), want a transient connection_error", pe, pe.Transient())
			}
		})
	}
}
