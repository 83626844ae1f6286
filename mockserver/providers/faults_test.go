package providers_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// target describes how to call one provider's chat endpoint.
type target struct {
	provider   string
	model      string
	overloaded int
	request    func(base string, stream bool) (url string, body any, headers map[string]string)
	// terminated reports whether a complete stream body ends with the provider's terminator.
	terminated func(body string) bool
	// streamError reports whether a stream body carries a mid-stream error event.
	streamError func(body string) bool
}

var user = []any{map[string]any{"role": "user", "content": "Assess the risk"}}

func targets() []target {
	return []target{
		{
			provider: "openai", model: "gpt-4o", overloaded: 503,
			request: func(base string, stream bool) (string, any, map[string]string) {
				return base + "/openai/v1/chat/completions", map[string]any{"model": "gpt-4o", "messages": user, "stream": stream},
					map[string]string{"Authorization": "Bearer sk-test"}
			},
			terminated:  func(b string) bool { return strings.HasSuffix(b, "data: [DONE]\n\n") },
			streamError: func(b string) bool { return strings.Contains(b, `data: {"error":{`) },
		},
		{
			provider: "anthropic", model: "claude-3-opus-20240229", overloaded: 529,
			request: func(base string, stream bool) (string, any, map[string]string) {
				return base + "/anthropic/v1/messages", map[string]any{"model": "claude-3-opus-20240229", "max_tokens": 100, "messages": user, "stream": stream},
					map[string]string{"x-api-key": "sk-test", "anthropic-version": "2023-06-01"}
			},
			terminated: func(b string) bool {
				return strings.HasSuffix(b, "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n")
			},
			streamError: func(b string) bool { return strings.Contains(b, "event: error\ndata: {\"type\":\"error\"") },
		},
		{
			provider: "gemini", model: "gemini-1.5-pro", overloaded: 503,
			request: func(base string, stream bool) (string, any, map[string]string) {
				action := "generateContent"
				if stream {
					action = "streamGenerateContent?alt=sse"
				}
				return base + "/gemini/v1beta/models/gemini-1.5-pro:" + action, geminiBody("Assess the risk"), map[string]string{"x-goog-api-key": "k"}
			},
			terminated:  func(b string) bool { return strings.Contains(b, `"finishReason":"STOP"`) },
			streamError: func(b string) bool { return strings.Contains(b, `data: {"error":{"code":500`) },
		},
		{
			provider: "mistral", model: "mistral-large-latest", overloaded: 503,
			request: func(base string, stream bool) (string, any, map[string]string) {
				return base + "/mistral/v1/chat/completions", map[string]any{"model": "mistral-large-latest", "messages": user, "stream": stream},
					map[string]string{"Authorization": "Bearer mistral-test"}
			},
			terminated:  func(b string) bool { return strings.HasSuffix(b, "data: [DONE]\n\n") },
			streamError: func(b string) bool { return strings.Contains(b, `data: {"error":{`) },
		},
	}
}

// send makes a request and returns the response with its body read as far as it goes, plus the
// error (from the round trip or from reading the body).
func send(tb testing.TB, ctx context.Context, client *http.Client, url string, body any, headers map[string]string) (*http.Response, string, error) {
	tb.Helper()
	data, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(data))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp, string(got), err
}

func TestFaults(t *testing.T) {
	for _, tg := range targets() {
		t.Run(tg.provider, func(t *testing.T) {
			tests := []struct {
				name   string
				fault  fault.Fault
				stream bool
				check  func(t *testing.T, resp *http.Response, body string, err error)
			}{
				{"Latency", fault.Fault{Latency: fault.Duration(time.Millisecond)}, false, wantStatus(200)},
				{"Error", fault.Fault{Kind: fault.KindError}, false, wantStatus(500)},
				{"ForcedStatus", fault.Fault{Status: 418}, false, wantStatus(418)},
				{"RateLimit", fault.Fault{Kind: fault.KindRateLimit, RetryAfter: fault.Duration(3 * time.Second)}, false,
					func(t *testing.T, resp *http.Response, body string, err error) {
						wantStatus(429)(t, resp, body, err)
						if resp.Header.Get("Retry-After") != "3" || resp.Header.Get("retry-after-ms") != "3000" {
							t.Errorf("expected Retry-After 3 and retry-after-ms 3000, got %q %q", resp.Header.Get("Retry-After"), resp.Header.Get("retry-after-ms"))
						}
					}},
				{"Overloaded", fault.Fault{Kind: fault.KindOverloaded}, false, wantStatus(tg.overloaded)},
				{"Unauthorized", fault.Fault{Kind: fault.KindUnauthorized}, false, wantStatus(401)},
				{"Reset", fault.Fault{Kind: fault.KindReset}, false, wantConnError},
				{"ResetStream", fault.Fault{Kind: fault.KindReset}, true, wantConnError},
				{"Truncate", fault.Fault{Kind: fault.KindTruncate}, false, wantBodyError},
				{"StreamDrop", fault.Fault{Kind: fault.KindStreamDrop}, true, wantBodyError},
				{"StreamErrorOnPlainRequest", fault.Fault{Kind: fault.KindStreamError}, false, wantStatus(500)},
				{"StreamError", fault.Fault{Kind: fault.KindStreamError}, true,
					func(t *testing.T, resp *http.Response, body string, err error) {
						wantStatus(200)(t, resp, body, err)
						if !tg.streamError(body) || tg.terminated(body) {
							t.Errorf("expected an error event and no terminator, got\n%s", body)
						}
					}},
				{"StreamNoTerminator", fault.Fault{Kind: fault.KindStreamNoTerminator}, true,
					func(t *testing.T, resp *http.Response, body string, err error) {
						wantStatus(200)(t, resp, body, err)
						if tg.terminated(body) || tg.streamError(body) || !strings.Contains(body, "data: ") {
							t.Errorf("expected a clean stream without its terminator, got\n%s", body)
						}
					}},
				{"Pacing", fault.Fault{TTFT: fault.Duration(time.Millisecond), InterToken: fault.Duration(time.Millisecond)}, true,
					func(t *testing.T, resp *http.Response, body string, err error) {
						wantStatus(200)(t, resp, body, err)
						if !tg.terminated(body) {
							t.Errorf("expected a complete stream, got\n%s", body)
						}
					}},
			}
			for _, tt := range tests {
				t.Run(tt.name, func(t *testing.T) {
					for _, target := range []string{tg.provider + ":" + tg.model, tg.provider, "*"} {
						f := tt.fault
						f.Target = target
						srv := mustServer(t, providers.Config{Faults: mustFaults(t, f)})
						url, body, headers := tg.request(srv.URL, tt.stream)
						resp, got, err := send(t, t.Context(), srv.Client(), url, body, headers)
						tt.check(t, resp, got, err)
					}
				})
			}
		})
	}
}

func wantStatus(status int) func(*testing.T, *http.Response, string, error) {
	return func(t *testing.T, resp *http.Response, body string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("expected %d, got error %v", status, err)
		}
		if resp.StatusCode != status {
			t.Fatalf("expected %d, got %d: %s", status, resp.StatusCode, body)
		}
	}
}

func wantConnError(t *testing.T, resp *http.Response, body string, err error) {
	t.Helper()
	if err == nil || resp != nil {
		t.Fatalf("expected the connection to break before a response, got %v %v", resp, err)
	}
}

func wantBodyError(t *testing.T, resp *http.Response, body string, err error) {
	t.Helper()
	if resp == nil || resp.StatusCode != 200 {
		t.Fatalf("expected a 200 whose body breaks, got %v %v", resp, err)
	}
	if err == nil || body == "" {
		t.Fatalf("expected part of a body then a read error, got %q, %v", body, err)
	}
}

func TestFaultTargets(t *testing.T) {
	set := mustFaults(t, fault.Fault{Target: "openai:gpt-4-turbo", Kind: fault.KindError, Times: 1})
	srv := mustServer(t, providers.Config{Faults: set})
	ask := func(model string) int {
		resp, _ := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions",
			map[string]any{"model": model, "messages": user}, map[string]string{"Authorization": "Bearer k"})
		return resp.StatusCode
	}
	if got := ask("gpt-4o"); got != 200 {
		t.Errorf("expected another model unaffected (200), got %d", got)
	}
	if got := ask("gpt-4-turbo"); got != 500 {
		t.Errorf("expected the targeted model to fail once (500), got %d", got)
	}
	if got := ask("gpt-4-turbo"); got != 200 {
		t.Errorf("expected the fault gone after Times: 1 (200), got %d", got)
	}
	resp, _ := call(t, srv.Client(), "POST", srv.URL+"/anthropic/v1/messages",
		map[string]any{"model": "gpt-4-turbo", "max_tokens": 5, "messages": user}, map[string]string{"x-api-key": "k", "anthropic-version": "2023-06-01"})
	if resp.StatusCode != 200 {
		t.Errorf("expected other providers unaffected, got %d", resp.StatusCode)
	}
}

// TestCancellation: a client that goes away during a long delay or a slow stream frees the handler
// (httptest.Server.Close waits for every handler, so a handler that kept sleeping would hang the test).
func TestCancellation(t *testing.T) {
	for _, tg := range targets() {
		for _, tc := range []struct {
			name   string
			fault  fault.Fault
			stream bool
		}{
			{"Latency", fault.Fault{Target: "*", Latency: fault.Duration(time.Hour)}, false},
			{"InterToken", fault.Fault{Target: "*", InterToken: fault.Duration(time.Hour)}, true},
		} {
			t.Run(tg.provider+"/"+tc.name, func(t *testing.T) {
				p := providers.New(providers.Config{Faults: mustFaults(t, tc.fault)})
				entered := make(chan struct{}, 1)
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					entered <- struct{}{}
					p.ServeHTTP(w, r)
				}))
				ctx, cancel := context.WithCancel(t.Context())
				url, body, headers := tg.request(srv.URL, tc.stream)
				done := make(chan error, 1)
				go func() {
					data, _ := json.Marshal(body)
					req, _ := http.NewRequestWithContext(ctx, "POST", url, bytes.NewReader(data))
					for k, v := range headers {
						req.Header.Set(k, v)
					}
					resp, err := srv.Client().Do(req)
					if err == nil {
						// the stream started: read its first event, then hang up
						_, err = bufio.NewReader(resp.Body).ReadString('\n')
						cancel()
						resp.Body.Close()
					}
					done <- err
				}()
				<-entered
				if !tc.stream {
					cancel()
				}
				<-done
				srv.Close() // hangs if a handler ignores the cancellation
			})
		}
	}
}

// TestCloseFinishesStreams: Close during a slow stream lets it run to its terminator at once.
func TestCloseFinishesStreams(t *testing.T) {
	for _, tg := range targets() {
		t.Run(tg.provider, func(t *testing.T) {
			p := providers.New(providers.Config{Faults: mustFaults(t, fault.Fault{Target: "*", InterToken: fault.Duration(time.Hour)})})
			srv := httptest.NewServer(p)
			defer srv.Close()
			url, body, headers := tg.request(srv.URL, true)
			data, _ := json.Marshal(body)
			req, _ := http.NewRequestWithContext(t.Context(), "POST", url, bytes.NewReader(data))
			for k, v := range headers {
				req.Header.Set(k, v)
			}
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			rd := bufio.NewReader(resp.Body)
			first, err := rd.ReadString('\n')
			if err != nil {
				t.Fatalf("first line: %v", err)
			}
			p.Close()
			rest, err := io.ReadAll(rd)
			if err != nil {
				t.Fatalf("expected the stream to end cleanly after Close, got %v", err)
			}
			if full := first + string(rest); !tg.terminated(full) {
				t.Errorf("expected the stream to reach its terminator after Close, got\n%s", full)
			}
		})
	}
}
