package cassette_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/cassette"
)

func joined(chunks []cassette.Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		b.Write(c.Bytes())
	}
	return b.String()
}

func TestChunker(t *testing.T) {
	for _, tc := range []struct {
		name, kind string
		pieces     []string
		want       []string
	}{
		{"SSE", cassette.StreamSSE, []string{"data: a\n\nda", "ta: b\n", "\nevent: x\r\ndata: c\r\n\r\n", "data: [DONE]\n\n"},
			[]string{"data: a\n\n", "data: b\n\n", "event: x\r\ndata: c\r\n\r\n", "data: [DONE]\n\n"}},
		{"SSECutShort", cassette.StreamSSE, []string{"data: a\n\ndata: b"}, []string{"data: a\n\n", "data: b"}},
		{"JSONArray", cassette.StreamJSONArray, []string{`[{"a":[1,{"b":"}]"}]}`, ",\r\n{\"c\":\"\\\"}\"}", "]"},
			[]string{`[{"a":[1,{"b":"}]"}]}`, ",\r\n{\"c\":\"\\\"}\"}", "]"}},
		{"Whole", "", []string{"abc", "def"}, []string{"abcdef"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := cassette.NewChunker(tc.kind)
			for i, p := range tc.pieces {
				c.Add([]byte(p), int64(10*i))
			}
			got := c.Chunks(99)
			var data []string
			for _, ch := range got {
				data = append(data, string(ch.Bytes()))
			}
			if strings.Join(data, "|") != strings.Join(tc.want, "|") {
				t.Fatalf("chunks %q, want %q", data, tc.want)
			}
			if joined(got) != strings.Join(tc.pieces, "") {
				t.Fatal("the chunks do not join back into the stream")
			}
			for i := 1; i < len(got); i++ {
				if got[i].OffsetMS < got[i-1].OffsetMS {
					t.Fatalf("offsets go back: %+v", got)
				}
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	a, okA := cassette.Normalize([]byte(`{ "b": 1.50, "a": {"y": [1, 2], "x": "s"} }`))
	b, okB := cassette.Normalize([]byte("{\"a\":{\"x\":\"s\",\"y\":[1,2]},\n\"b\":1.50}"))
	if !okA || !okB || string(a) != string(b) || string(a) != `{"a":{"x":"s","y":[1,2]},"b":1.50}` {
		t.Fatalf("normalised %s and %s", a, b)
	}
	if n, ok := cassette.Normalize([]byte("not json")); ok || string(n) != "not json" {
		t.Fatalf("a non-JSON body: %q %v", n, ok)
	}
	if n, _ := cassette.Normalize([]byte(`{"api_key":"sk-secret","x":1}`)); strings.Contains(string(n), "sk-secret") {
		t.Fatalf("a secret field was kept: %s", n)
	}
}

func TestSecretsAndScrub(t *testing.T) {
	h := map[string][]string{"Authorization": {"Bearer sk-live-1234567890"}, "X-Goog-Api-Key": {"AIzaSecretKey99"}, "X-Short": {"k"}}
	s := cassette.Secrets(h, "alt=sse&key=AIzaQueryKey123")
	out := string(cassette.Scrub([]byte("a sk-live-1234567890 b AIzaSecretKey99 c AIzaQueryKey123 alt=sse"), s))
	for _, secret := range []string{"sk-live-1234567890", "AIzaSecretKey99", "AIzaQueryKey123"} {
		if strings.Contains(out, secret) {
			t.Errorf("%s survived: %s", secret, out)
		}
	}
	if !strings.Contains(out, "alt=sse") {
		t.Errorf("Scrub removed more than the secrets: %s", out)
	}
}

func mustWrite(t *testing.T, dir string, c *cassette.Cassette) string {
	t.Helper()
	path, err := cassette.Write(dir, c)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

func chat(prompt, user string) *cassette.Cassette {
	body := `{"model":"gpt-4o","messages":[{"role":"user","content":"` + prompt + `"}]` + user + `}`
	norm, _ := cassette.Normalize([]byte(body))
	return &cassette.Cassette{Provider: "openai", Method: "POST", Path: "/v1/chat/completions", Model: "gpt-4o",
		Request: norm, Response: cassette.Response{Status: 200, Body: `{"prompt":"` + prompt + user + `"}`}}
}

func TestMatch(t *testing.T) {
	dir := t.TempDir()
	mustWrite(t, dir, chat("hello", ""))
	mustWrite(t, dir, chat("hello", `,"user":"u1"`))
	mustWrite(t, dir, chat("bye", ""))
	lib, err := cassette.Load(dir)
	if err != nil || lib.Len() != 3 {
		t.Fatalf("load: %v (%d cassettes)", err, lib.Len())
	}
	key := func(body string) cassette.Key {
		return cassette.NewKey("openai", "POST", "/v1/chat/completions", "", []byte(body))
	}
	for _, tc := range []struct{ name, body, want string }{
		{"Exact", `{"messages":[{"content":"hello","role":"user"}], "model":"gpt-4o"}`, `{"prompt":"hello"}`},
		{"ExactWinsOverVolatile", `{"model":"gpt-4o","user":"u1","messages":[{"role":"user","content":"hello"}]}`, `{"prompt":"hello,"user":"u1""}`},
		{"VolatileIgnored", `{"model":"gpt-4o","user":"u2","metadata":{"run":"7"},"messages":[{"role":"user","content":"bye"}]}`, `{"prompt":"bye"}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := lib.Match(key(tc.body))
			if c == nil || c.Response.Body != tc.want {
				t.Fatalf("matched %+v, want the cassette answering %s", c, tc.want)
			}
		})
	}
	t.Run("Unmatched", func(t *testing.T) {
		k := key(`{"model":"gpt-4o","messages":[{"role":"user","content":"hullo"}]}`)
		if c := lib.Match(k); c != nil {
			t.Fatalf("matched %s", c.File())
		}
		c, why := lib.Closest(k)
		if c == nil || !strings.Contains(why, `/messages/0/content: sent "hullo", recorded "hello"`) {
			t.Fatalf("closest %v: %s", c, why)
		}
		k.Model, k.Path = "gpt-4o-mini", "/v1/embeddings"
		if _, why := lib.Closest(k); !strings.Contains(why, `model "gpt-4o-mini" (recorded "gpt-4o")`) || !strings.Contains(why, "path") {
			t.Fatalf("closest: %s", why)
		}
		k.Provider = "anthropic"
		if c, why := lib.Closest(k); c != nil || !strings.Contains(why, "no anthropic cassette") {
			t.Fatalf("closest of another provider: %v %s", c, why)
		}
	})
}

func TestFileNameIsDeterministic(t *testing.T) {
	a, b := chat("hello", "").FileName(), chat("hello", "").FileName()
	if a != b || !strings.HasPrefix(a, "openai-v1-chat-completions-gpt-4o-") || !strings.HasSuffix(a, ".json") {
		t.Fatalf("names %q %q", a, b)
	}
	if a == chat("bye", "").FileName() {
		t.Fatal("two requests share a file name")
	}
}

func TestLoadErrors(t *testing.T) {
	write := func(t *testing.T, content string) string {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "x.json"), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return dir
	}
	for _, tc := range []struct{ name, content, want string }{
		{"NotJSON", "{", "x.json: not a cassette"},
		{"UnknownProvider", `{"provider":"acme","method":"GET","path":"/v1/x","response":{"status":200}}`, `provider "acme" is not one of openai`},
		{"BadStatus", `{"provider":"openai","method":"GET","path":"/v1/x","response":{"status":0}}`, "status 0"},
		{"BadStream", `{"provider":"openai","method":"GET","path":"/v1/x","response":{"status":200,"stream":"ws"}}`, `stream "ws"`},
		{"OffsetsBack", `{"provider":"openai","method":"GET","path":"/v1/x","response":{"status":200,"stream":"sse","chunks":[{"offset_ms":5},{"offset_ms":2}]}}`, "chunk 1"},
		{"NoPath", `{"provider":"openai","method":"GET","response":{"status":200}}`, "path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := cassette.Load(write(t, tc.content))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
	if _, err := cassette.Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("a missing directory loaded")
	}
	lib, err := cassette.Load(write(t, `{"provider":"gemini","method":"GET","path":"/v1beta/models","response":{"status":200,"body":"{}"}}`))
	if err != nil || lib.Len() != 1 {
		t.Fatalf("a valid hand-written cassette: %v", err)
	}
}
