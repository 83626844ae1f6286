package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

// post sends body to url with headers and returns the status and the raw body.
func post(t *testing.T, url, body string, headers ...string) (int, string) {
	t.Helper()
	return send(t, http.MethodPost, url, body, headers...)
}

func TestMockRecordReplay(t *testing.T) {
	const key = "sk-cmd-record-secret-4417"
	upstream := httptest.NewServer(providers.New(providers.Config{Keys: map[string][]string{"openai": {key}}}))
	t.Cleanup(upstream.Close)
	dir := filepath.Join(t.TempDir(), "cassettes") // created by --record
	chat := `{"model":"gpt-4o","stream":true,"messages":[{"role":"user","content":"Record me"}]}`

	url, out, stop := startMockOutput(t, "--record", dir, "--upstream", "openai="+upstream.URL+"/openai/v1")
	if !strings.Contains(out.String(), "ultra mock: recording openai → "+upstream.URL+"/openai/v1 into "+dir) {
		t.Fatalf("expected the recording line, got %s", out.String())
	}
	code, recorded := post(t, url+"/openai/v1/chat/completions", chat, "Authorization", "Bearer "+key)
	if code != 200 || !strings.HasSuffix(recorded, "data: [DONE]\n\n") {
		t.Fatalf("recording: %d %s", code, recorded)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(files) != 1 {
		t.Fatalf("expected one cassette, got %v", files)
	}
	data, _ := os.ReadFile(files[0])
	if bytes.Contains(data, []byte(key)) {
		t.Fatalf("the cassette contains the key:\n%s", data)
	}

	url, out, _ = startMockOutput(t, "--replay", dir, "--replay-timing")
	if !strings.Contains(out.String(), "ultra mock: replaying 1 cassette from "+dir+" (unmatched calls get a 404 naming the closest cassette; streams at the recorded times)") {
		t.Fatalf("expected the replay line, got %s", out.String())
	}
	if code, replayed := post(t, url+"/openai/v1/chat/completions", chat, "Authorization", "Bearer other-key"); code != 200 || replayed != recorded {
		t.Fatalf("replay: %d\n%q\nwant\n%q", code, replayed, recorded)
	}
	code, body := post(t, url+"/openai/v1/chat/completions", strings.Replace(chat, "Record me", "Replay me", 1), "Authorization", "Bearer k")
	if code != 404 || !strings.Contains(body, filepath.Base(files[0])) || !strings.Contains(body, "invalid_request_error") {
		t.Fatalf("unmatched: %d %s", code, body)
	}

	url, _, _ = startMockOutput(t, "--replay", dir, "--replay-fallback")
	if code, body := post(t, url+"/openai/v1/chat/completions", strings.Replace(chat, "Record me", "Replay me", 1), "Authorization", "Bearer k"); code != 200 || !strings.Contains(body, "[DONE]") {
		t.Fatalf("fallback: %d %s", code, body)
	}
}

func TestMockTapeFlagErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad")
	if err := os.MkdirAll(bad, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bad, "x.json"), []byte(`{"provider":"openai"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	notDir := filepath.Join(dir, "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"RecordWithoutUpstream", []string{"--record", dir}, "--record needs at least one --upstream"},
		{"RecordAndReplay", []string{"--record", dir, "--upstream", "openai=http://127.0.0.1:1", "--replay", dir}, "cannot be used together"},
		{"UnknownProvider", []string{"--record", dir, "--upstream", "acme=http://127.0.0.1:1"}, `unknown provider "acme" (known: openai, anthropic, gemini, mistral)`},
		{"BadURL", []string{"--record", dir, "--upstream", "openai=127.0.0.1:1"}, `"127.0.0.1:1" is not an http(s) URL`},
		{"NoEquals", []string{"--record", dir, "--upstream", "openai"}, "provider=URL"},
		{"Twice", []string{"--record", dir, "--upstream", "openai=http://a", "--upstream", "openai=http://b"}, "given twice"},
		{"UpstreamWithoutRecord", []string{"--upstream", "openai=http://127.0.0.1:1"}, "--upstream needs --record"},
		{"TimingWithoutReplay", []string{"--replay-timing"}, "need --replay"},
		{"NoProviders", []string{"--no-providers", "--replay", dir}, "drop --no-providers"},
		{"RecordDirIsAFile", []string{"--record", notDir, "--upstream", "openai=http://a"}, "--record:"},
		{"ReplayMissingDir", []string{"--replay", filepath.Join(dir, "nope")}, "no such file or directory"},
		{"ReplayEmptyDir", []string{"--replay", dir}, "no cassettes"},
		{"ReplayBadCassette", []string{"--replay", bad}, "x.json: method and path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"ultra", "mock", "--addr", "127.0.0.1:0"}, tc.args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("expected exit status 2, got %v", err)
			}
			if strings.Contains(ee.msg, "\n") || !strings.Contains(ee.msg, tc.want) {
				t.Fatalf("expected one line containing %q, got %q", tc.want, ee.msg)
			}
		})
	}
}
