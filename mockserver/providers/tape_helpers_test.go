package providers_test

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

// The callers' keys: the upstream accepts only these, so a recording that works forwarded them, and
// no cassette may contain them.
const (
	openaiKey    = "sk-rec-openai-secret-7731"
	anthropicKey = "sk-ant-rec-secret-8842"
	geminiKey    = "AIza-rec-gemini-secret-9953"
)

// capture is a RoundTripper keeping the bytes of every response body its client got, whole (what
// the SDK left unread is drained on Close).
type capture struct {
	rt     http.RoundTripper
	mu     sync.Mutex
	bodies []*bytes.Buffer
}

type capturedBody struct {
	io.Reader
	rc  io.ReadCloser
	buf *bytes.Buffer
}

func (b capturedBody) Close() error {
	_, _ = io.Copy(b.buf, b.rc)
	return b.rc.Close()
}

func (c *capture) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := c.rt.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	buf := &bytes.Buffer{}
	c.mu.Lock()
	c.bodies = append(c.bodies, buf)
	c.mu.Unlock()
	resp.Body = capturedBody{io.TeeReader(resp.Body, buf), resp.Body, buf}
	return resp, nil
}

// last is the body of the last response.
func (c *capture) last(tb testing.TB) string {
	tb.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.bodies) == 0 {
		tb.Fatal("no response captured")
	}
	return c.bodies[len(c.bodies)-1].String()
}

// upstreams points the recorder's providers at the mock at root, each in its SDKs' convention.
func upstreams(tb testing.TB, root string) map[string]*url.URL {
	tb.Helper()
	out := map[string]*url.URL{}
	for name, base := range map[string]string{"openai": root + "/openai/v1", "anthropic": root + "/anthropic", "gemini": root + "/gemini"} {
		u, err := url.Parse(base)
		if err != nil {
			tb.Fatal(err)
		}
		out[name] = u
	}
	return out
}

// tapeCall is one exchange the record/replay tests make through an official SDK (or, for
// Gemini's JSON array stream, which the SDK does not ask for, a plain request); it returns what the
// caller made of the answer.
type tapeCall struct {
	name string
	do   func(t *testing.T, base string, hc *http.Client) string
}

func tapeCalls() []tapeCall {
	return []tapeCall{
		{"OpenAIChat", func(t *testing.T, base string, hc *http.Client) string {
			client := openaiClient(base, hc, openaiKey)
			got, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o", "Summarise the tape"))
			if err != nil {
				t.Fatalf("chat: %v", err)
			}
			return got.ID + " " + got.Choices[0].Message.Content
		}},
		{"OpenAIStream", func(t *testing.T, base string, hc *http.Client) string {
			client := openaiClient(base, hc, openaiKey)
			stream := client.Chat.Completions.NewStreaming(t.Context(), chatParams("gpt-4o", "Stream the tape"))
			defer stream.Close()
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil || len(acc.Choices) == 0 {
				t.Fatalf("stream: %v", err)
			}
			return acc.ID + " " + acc.Choices[0].Message.Content
		}},
		{"AnthropicStream", func(t *testing.T, base string, hc *http.Client) string {
			client := anthropicClient(base, hc, anthropicKey)
			stream := client.Messages.NewStreaming(t.Context(), messageParams("claude-3-opus-20240229", "Stream the tape"))
			defer stream.Close()
			var msg anthropic.Message
			for stream.Next() {
				if err := msg.Accumulate(stream.Current()); err != nil {
					t.Fatal(err)
				}
			}
			if err := stream.Err(); err != nil || len(msg.Content) == 0 {
				t.Fatalf("stream: %v", err)
			}
			return msg.ID + " " + msg.Content[0].Text
		}},
		{"GeminiStream", func(t *testing.T, base string, hc *http.Client) string {
			c, err := genai.NewClient(t.Context(), &genai.ClientConfig{APIKey: geminiKey, Backend: genai.BackendGeminiAPI, HTTPClient: hc,
				HTTPOptions: genai.HTTPOptions{BaseURL: base + "/gemini/"}})
			if err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for resp, err := range c.Models.GenerateContentStream(t.Context(), "gemini-2.0-flash", genai.Text("Stream the tape"), nil) {
				if err != nil {
					t.Fatalf("stream: %v", err)
				}
				b.WriteString(resp.ResponseID + ":" + resp.Text() + " ")
			}
			return b.String()
		}},
		{"GeminiArrayStream", func(t *testing.T, base string, hc *http.Client) string {
			resp, body := call(t, hc, "POST", base+"/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?key="+geminiKey,
				`{"contents":[{"role":"user","parts":[{"text":"Stream the array"}]}]}`, nil)
			if resp.StatusCode != 200 || !strings.HasPrefix(string(body), "[") {
				t.Fatalf("array stream: %d %s", resp.StatusCode, body)
			}
			return string(body)
		}},
	}
}

// mustRecord records tapeCalls through a recording mock forwarding to an upstream mock, into a new
// directory. It returns the directory and, per call, the raw response body and what the caller
// made of it.
func mustRecord(t *testing.T) (dir string, raw, seen map[string]string) {
	t.Helper()
	upstream := mustServer(t, providers.Config{Keys: map[string][]string{"openai": {openaiKey}, "anthropic": {anthropicKey}, "gemini": {geminiKey}}})
	// Each mock's ids start with its own random part, so a replay that generated its answers
	// instead of serving the recording would not match it.
	dir = t.TempDir()
	rec := mustServer(t, providers.Config{Record: &providers.Record{Dir: dir, Upstreams: upstreams(t, upstream.URL), Client: upstream.Client()}})
	cp := &capture{rt: rec.Client().Transport}
	raw, seen = map[string]string{}, map[string]string{}
	for _, c := range tapeCalls() {
		seen[c.name] = c.do(t, rec.URL, &http.Client{Transport: cp})
		raw[c.name] = cp.last(t)
	}
	return dir, raw, seen
}
