package providers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/cassette"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func mustLoad(t *testing.T, dir string) *cassette.Library {
	t.Helper()
	lib, err := cassette.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	return lib
}

func TestRecordWritesRedactedCassettes(t *testing.T) {
	dir, _, _ := mustRecord(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(tapeCalls()) {
		t.Fatalf("expected one cassette per exchange (%d), got %d", len(tapeCalls()), len(entries))
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, key := range []string{openaiKey, anthropicKey, geminiKey} {
			if strings.Contains(string(data), key) {
				t.Errorf("%s contains the key %s", e.Name(), key)
			}
		}
		if !strings.Contains(string(data), "REDACTED") {
			t.Errorf("%s redacted nothing: the caller's key is missing from it", e.Name())
		}
	}
	kinds := map[string]int{}
	for _, c := range mustLoad(t, dir).All() {
		kinds[c.Provider+"/"+c.Response.Stream]++
		if c.Model == "" || c.Response.Status != 200 {
			t.Errorf("%s: model %q status %d", c.File(), c.Model, c.Response.Status)
		}
		if c.Response.Stream != "" && len(c.Response.Chunks) < 3 {
			t.Errorf("%s: a stream of %d chunks", c.File(), len(c.Response.Chunks))
		}
		last := int64(0)
		for i, ch := range c.Response.Chunks {
			if ch.OffsetMS < last || ch.OffsetMS > c.Response.ElapsedMS {
				t.Errorf("%s: chunk %d at %d ms, after %d ms (elapsed %d)", c.File(), i, ch.OffsetMS, last, c.Response.ElapsedMS)
			}
			last = ch.OffsetMS
		}
	}
	for k, n := range map[string]int{"openai/": 1, "openai/sse": 1, "anthropic/sse": 1, "gemini/sse": 1, "gemini/json-array": 1} {
		if kinds[k] != n {
			t.Errorf("expected %d %s cassette, got %d (all: %v)", n, k, kinds[k], kinds)
		}
	}
}

func TestReplayIsByteIdentical(t *testing.T) {
	dir, raw, seen := mustRecord(t)
	for _, timing := range []bool{false, true} {
		rep := mustServer(t, providers.Config{Replay: &providers.Replay{Cassettes: mustLoad(t, dir), Timing: timing}})
		cp := &capture{rt: rep.Client().Transport}
		for _, c := range tapeCalls() {
			name := c.name
			if timing {
				name += "/Timing"
			}
			t.Run(name, func(t *testing.T) {
				got := c.do(t, rep.URL, &http.Client{Transport: cp})
				if body := cp.last(t); body != raw[c.name] {
					t.Fatalf("replayed body differs from the recording:\nreplayed %q\nrecorded %q", body, raw[c.name])
				}
				if got != seen[c.name] {
					t.Fatalf("the SDK read %q from the replay, %q from the recording", got, seen[c.name])
				}
			})
		}
	}
}

func TestReplayUnmatched(t *testing.T) {
	dir, _, _ := mustRecord(t)
	lib := mustLoad(t, dir)
	rep := mustServer(t, providers.Config{Replay: &providers.Replay{Cassettes: lib}})
	chat := map[string]any{"model": "gpt-4o", "messages": []map[string]string{{"role": "system", "content": "You are a careful analyst."}, {"role": "user", "content": "Summarise the tapes"}}}
	auth := map[string]string{"Authorization": "Bearer " + openaiKey}
	resp, body := call(t, rep.Client(), "POST", rep.URL+"/openai/v1/chat/completions", chat, auth)
	msg, _ := dig(decode(t, body), "error", "message").(string)
	if resp.StatusCode != 404 || !strings.Contains(msg, "openai-v1-chat-completions-gpt-4o-") ||
		!strings.Contains(msg, `body at /messages/1/content: sent "Summarise the tapes", recorded "Summarise the tape"`) {
		t.Fatalf("expected a 404 naming the closest cassette and the difference, got %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, rep.Client(), "POST", rep.URL+"/gemini/v1beta/models/gemini-1.5-pro:generateContent",
		`{"contents":[{"parts":[{"text":"hi"}]}]}`, map[string]string{"x-goog-api-key": geminiKey})
	if resp.StatusCode != 404 || dig(decode(t, body), "error", "status") != "NOT_FOUND" || !strings.Contains(string(body), `model \"gemini-1.5-pro\" (recorded \"gemini-2.0-flash\")`) {
		t.Fatalf("expected a Google-shaped 404 saying the model differs, got %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, rep.Client(), "GET", rep.URL+"/anthropic/v1/models", nil, map[string]string{"x-api-key": anthropicKey, "anthropic-version": "2023-06-01"})
	if resp.StatusCode != 404 || dig(decode(t, body), "error", "type") != "not_found_error" {
		t.Fatalf("expected an Anthropic-shaped 404, got %d %s", resp.StatusCode, body)
	}

	t.Run("Fallback", func(t *testing.T) {
		fb := mustServer(t, providers.Config{Replay: &providers.Replay{Cassettes: lib, Fallback: true}})
		resp, body := call(t, fb.Client(), "POST", fb.URL+"/openai/v1/chat/completions", chat, auth)
		if got := dig(decode(t, body), "choices", 0, "message", "content"); resp.StatusCode != 200 || got != providers.Answer("gpt-4o", "Summarise the tapes") {
			t.Fatalf("expected the generated answer, got %d %s", resp.StatusCode, body)
		}
	})
}

func TestReplayFaults(t *testing.T) {
	dir, raw, _ := mustRecord(t)
	lib := mustLoad(t, dir)
	stream := map[string]any{"model": "gpt-4o", "stream": true, "messages": []map[string]string{{"role": "system", "content": "You are a careful analyst."}, {"role": "user", "content": "Stream the tape"}}}
	auth := map[string]string{"Authorization": "Bearer " + openaiKey}
	for _, tc := range []struct {
		name  string
		kind  fault.Kind
		check func(t *testing.T, body string, err error)
	}{
		{"StreamDrop", fault.KindStreamDrop, func(t *testing.T, body string, err error) {
			if err == nil || body == "" || !strings.HasPrefix(raw["OpenAIStream"], body) || body == raw["OpenAIStream"] {
				t.Fatalf("expected a cut prefix of the recording and a read error, got %v\n%s", err, body)
			}
		}},
		{"StreamError", fault.KindStreamError, func(t *testing.T, body string, err error) {
			if err != nil || !strings.Contains(body, `"type":"server_error"`) || strings.Contains(body, "[DONE]") {
				t.Fatalf("expected an error event and no terminator, got %v\n%s", err, body)
			}
		}},
		{"NoTerminator", fault.KindStreamNoTerminator, func(t *testing.T, body string, err error) {
			if err != nil || body != strings.TrimSuffix(raw["OpenAIStream"], "data: [DONE]\n\n") {
				t.Fatalf("expected the recording without [DONE], got %v\n%s", err, body)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rep := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "openai", Kind: tc.kind}),
				Replay: &providers.Replay{Cassettes: lib}})
			req, _ := http.NewRequestWithContext(t.Context(), "POST", rep.URL+"/openai/v1/chat/completions", strings.NewReader(toJSON(t, stream)))
			req.Header.Set("Authorization", auth["Authorization"])
			resp, err := rep.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			tc.check(t, string(body), err)
		})
	}
	t.Run("Error", func(t *testing.T) {
		rep := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "openai:gpt-4o", Kind: fault.KindRateLimit}),
			Replay: &providers.Replay{Cassettes: lib}})
		resp, _ := call(t, rep.Client(), "POST", rep.URL+"/openai/v1/chat/completions", stream, auth)
		if resp.StatusCode != 429 {
			t.Fatalf("expected the rate-limit fault's 429 instead of the cassette, got %d", resp.StatusCode)
		}
	})
}

func toJSON(t *testing.T, v any) string {
	t.Helper()
	return string(mustJSON(t, v))
}

func TestRecordForwardsUnbuffered(t *testing.T) {
	release := make(chan struct{})
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "data: first\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
			return
		}
		io.WriteString(w, "data: [DONE]\n\n")
	}))
	t.Cleanup(upstream.Close)
	u, _ := url.Parse(upstream.URL + "/v1")
	dir := t.TempDir()
	rec := mustServer(t, providers.Config{Record: &providers.Record{Dir: dir, Upstreams: map[string]*url.URL{"openai": u}, Client: upstream.Client()}})
	ctx, cancel := context.WithTimeout(t.Context(), 5e9)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "POST", rec.URL+"/openai/v1/chat/completions", strings.NewReader(`{"model":"gpt-4o","stream":true}`))
	req.Header.Set("Authorization", "Bearer "+openaiKey)
	resp, err := rec.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make([]byte, len("data: first\n\n"))
	if _, err := io.ReadFull(resp.Body, first); err != nil {
		t.Fatalf("the first event did not arrive before the upstream finished (buffered?): %v", err)
	}
	close(release)
	rest, err := io.ReadAll(resp.Body)
	if err != nil || string(first)+string(rest) != "data: first\n\ndata: [DONE]\n\n" {
		t.Fatalf("got %q %q, %v", first, rest, err)
	}
}

func TestRecordUpstreamDown(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	u, _ := url.Parse(down.URL + "/anthropic")
	down.Close()
	rec := mustServer(t, providers.Config{Record: &providers.Record{Dir: t.TempDir(), Upstreams: map[string]*url.URL{"anthropic": u}}})
	resp, body := call(t, rec.Client(), "POST", rec.URL+"/anthropic/v1/messages", `{"model":"claude-3-opus-20240229"}`, map[string]string{"x-api-key": anthropicKey})
	if resp.StatusCode != 502 || dig(decode(t, body), "error", "type") != "api_error" || strings.Contains(string(body), anthropicKey) {
		t.Fatalf("expected an Anthropic-shaped 502 without the key, got %d %s", resp.StatusCode, body)
	}
	// Providers without an upstream are still the mocks.
	resp, body = call(t, rec.Client(), "POST", rec.URL+"/openai/v1/chat/completions", map[string]any{"model": "gpt-4o", "messages": []map[string]string{{"role": "user", "content": "hi"}}},
		map[string]string{"Authorization": "Bearer " + openaiKey})
	if resp.StatusCode != 200 || dig(decode(t, body), "choices", 0, "message", "content") != providers.Answer("gpt-4o", "hi") {
		t.Fatalf("expected the generated answer, got %d %s", resp.StatusCode, body)
	}
}
