package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestMockLLMFixtures(t *testing.T) {
	url, stop := startMock(t, "--llm-fixtures", "testdata/llm-fixtures.yaml")
	openai := []string{"Authorization", "Bearer k"}
	claude := []string{"x-api-key", "k", "anthropic-version", "2023-06-01"}
	gemini := []string{"x-goog-api-key", "k"}
	chat := func(prompt string) string {
		return `{"model":"gpt-4o","messages":[{"role":"user","content":"` + prompt + `"}]}`
	}
	// In order: the once tool call is spent by the second request, the error by the last two.
	cases := []struct {
		name, path, body string
		headers          []string
		status           int
		want             string
	}{
		{"ScriptedText", "/openai/v1/chat/completions", chat("Say hello"), openai, 200, `"content":"Hello from the fixture!"`},
		{"ScriptedToolCall", "/openai/v1/chat/completions", chat("What is the weather in Lyon?"), openai, 200,
			`"arguments":"{\"city\":\"Paris\",\"unit\":\"celsius\"}"`},
		{"OnceIsSpent", "/openai/v1/chat/completions", chat("What is the weather in Lyon?"), openai, 200, `"finish_reason":"stop"`},
		{"NotMatching", "/openai/v1/chat/completions", chat("Say goodbye"), openai, 200, `"finish_reason":"stop"`},
		{"ScriptedJSON", "/anthropic/v1/messages",
			`{"model":"claude-3-5-sonnet-20241022","max_tokens":100,"messages":[{"role":"user","content":"Classify this mail"}]}`, claude, 200,
			`"text":"{\"confidence\":0.97,\"label\":\"spam\"}"`},
		{"OtherModelNotScripted", "/anthropic/v1/messages",
			`{"model":"claude-3-opus-20240229","max_tokens":100,"messages":[{"role":"user","content":"Classify this mail"}]}`, claude, 200, `"stop_reason":"end_turn"`},
		{"ScriptedError", "/gemini/v1beta/models/gemini-2.0-flash:generateContent",
			`{"contents":[{"role":"user","parts":[{"text":"Something expensive"}]}]}`, gemini, 429, `"status":"RESOURCE_EXHAUSTED"`},
		{"ScriptedErrorTwice", "/gemini/v1beta/models/gemini-2.0-flash:generateContent",
			`{"contents":[{"role":"user","parts":[{"text":"Something expensive"}]}]}`, gemini, 429, `"message":"Quota exceeded for this project."`},
		{"ErrorSpent", "/gemini/v1beta/models/gemini-2.0-flash:generateContent",
			`{"contents":[{"role":"user","parts":[{"text":"Something expensive"}]}]}`, gemini, 200, `"finishReason":"STOP"`},
	}
	for _, c := range cases {
		status, body := post(t, url+c.path, c.body, c.headers...)
		if status != c.status || !strings.Contains(body, c.want) {
			t.Fatalf("%s: expected %d with %s, got %d: %s", c.name, c.status, c.want, status, body)
		}
		if c.name == "OnceIsSpent" && strings.Contains(body, "tool_calls") {
			t.Fatalf("%s: a once fixture answered twice: %s", c.name, body)
		}
	}
	if code, body := get(t, url+"/__admin/llm/fixtures"); code != 200 || strings.Count(body, `"id":`) != 4 || !strings.Contains(body, `"id":"quota"`) {
		t.Fatalf("expected the file's four fixtures listed, got %d: %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestMockLLMFixturesErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, src string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, file string
		want       string // a regexp the one-line error must match
	}{
		{"UnknownField", write("unknown.yaml", "fixtures:\n  - text: hi\n    colour: red\n"), `unknown\.yaml:3: field colour not found`},
		{"BadRegex", write("regex.yaml", "fixtures:\n  - text: hi\n  - match: {regex: 'a(b'}\n    text: ho\n"), `regex\.yaml:3: fixture 1: match\.regex "a\(b" does not compile`},
		{"NotYAML", write("broken.yaml", "fixtures: [\n"), `broken\.yaml:\d+: `},
		{"Empty", write("empty.yaml", "fixtures: []\n"), `empty\.yaml: no fixtures`},
		{"Missing", filepath.Join(dir, "nope.yaml"), `--llm-fixtures: open .*nope\.yaml`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), []string{"ultra", "mock", "--addr", "127.0.0.1:0", "--llm-fixtures", tc.file},
				func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("expected exit status 2, got %v", err)
			}
			if strings.Contains(ee.msg, "\n") || !regexp.MustCompile(tc.want).MatchString(ee.msg) {
				t.Fatalf("expected one line matching %s, got %q", tc.want, ee.msg)
			}
		})
	}
}
