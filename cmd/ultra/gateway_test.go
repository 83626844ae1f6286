package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/syncbuf"
)

var devTokenRE = regexp.MustCompile(`Authorization: Bearer ([A-Za-z0-9_.-]+)`)

// startGateway runs `ultra gateway` with env on a free port; it returns the URL, the printed stdout and
// a stop function that cancels the context (as SIGTERM would) and returns run's error.
func startGateway(t *testing.T, env map[string]string) (string, *syncbuf.Buffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ultra", "gateway", "--addr", "127.0.0.1:0"}, func(k string) string { return env[k] }, strings.NewReader(""), stdout, stderr)
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("gateway did not shut down")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			t.Cleanup(func() { _ = stop() })
			return m[1], stdout, stop
		}
		select {
		case err := <-done:
			t.Fatalf("gateway exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("gateway did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGatewayCommandDevelopment: zero configuration starts with mock providers and prints a token
// that works for /api/analyze; cancelling shuts down with a nil error (exit 0).
func TestGatewayCommandDevelopment(t *testing.T) {
	t.Chdir(t.TempDir())
	url, stdout, stop := startGateway(t, map[string]string{})
	m := devTokenRE.FindStringSubmatch(stdout.String())
	if m == nil || !strings.Contains(stdout.String(), "curl -s "+url+"/api/analyze") {
		t.Fatalf("no dev token and curl in:\n%s", stdout.String())
	}
	req, _ := http.NewRequest("POST", url+"/api/analyze", strings.NewReader(`{"prompt":"What is Go?","selected_models":["gpt4o","claude3sonnet","gemini15flash"],"ultra_model":"gpt4o"}`))
	req.Header.Set("Authorization", "Bearer "+m[1])
	req.Header.Set("Content-Type", "application/json")
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"status":"success"`) {
		t.Fatalf("analyze via mocks: %d %s", resp.StatusCode, body)
	}
	health, err := http.Get(url + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	hb, _ := io.ReadAll(health.Body)
	health.Body.Close()
	if !strings.Contains(string(hb), `"status":"ok"`) || !strings.Contains(string(hb), `"mock_mode":true`) {
		t.Fatalf("health with mocks: %s", hb)
	}
	if err := stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func TestGatewayCommandProductionConfigErrors(t *testing.T) {
	t.Chdir(t.TempDir())
	var stdout, stderr syncbuf.Buffer
	err := run(context.Background(), []string{"ultra", "gateway"}, func(k string) string {
		return map[string]string{"ENVIRONMENT": "production", "USE_MOCK": "true", "CORS_ORIGINS": "*"}[k]
	}, strings.NewReader(""), &stdout, &stderr)
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("err = %v, want exit status 2", err)
	}
	for _, want := range []string{"JWT_SECRET is not set", "CORS_ORIGINS must not contain *", "USE_MOCK is true", "no provider API key"} {
		if !strings.Contains(ee.msg, want) {
			t.Errorf("message lacks %q:\n%s", want, ee.msg)
		}
	}
}

func TestTokenCommand(t *testing.T) {
	t.Chdir(t.TempDir())
	secret := "0123456789abcdef0123456789abcdef"
	cases := []struct {
		name string
		args []string
		env  map[string]string
		code int // 0 = success
	}{
		{"Testing", []string{"--sub", "alice", "--ttl", "10m"}, map[string]string{"ENVIRONMENT": "testing", "JWT_SECRET": secret}, 0},
		{"Development", []string{"--sub", "alice"}, map[string]string{"JWT_SECRET": secret}, 0},
		{"MissingSub", nil, map[string]string{"JWT_SECRET": secret}, 2},
		{"Production", []string{"--sub", "alice"}, map[string]string{"ENVIRONMENT": "production", "JWT_SECRET": secret + "xx", "CORS_ORIGINS": "https://a.example", "OPENAI_API_KEY": "k"}, 2},
		{"GeneratedSecret", []string{"--sub", "alice"}, map[string]string{}, 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stdout, stderr syncbuf.Buffer
			err := run(context.Background(), append([]string{"ultra", "token"}, c.args...), func(k string) string { return c.env[k] }, strings.NewReader(""), &stdout, &stderr)
			if c.code == 0 {
				if err != nil || strings.Count(stdout.String(), ".") != 2 {
					t.Fatalf("err %v, stdout %q; want a JWT", err, stdout.String())
				}
				return
			}
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != c.code {
				t.Fatalf("err = %v, want exit status %d", err, c.code)
			}
		})
	}
}

// TestTokenCommandDotEnv: cmd/ultra layers .env.<ENVIRONMENT> of the working directory under the
// process environment (the gateway package itself reads no such file); a malformed file is exit 2.
func TestTokenCommandDotEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	token := func() error {
		var stdout, stderr syncbuf.Buffer
		return run(context.Background(), []string{"ultra", "token", "--sub", "alice"}, func(string) string { return "" },
			strings.NewReader(""), &stdout, &stderr)
	}
	var ee *exitError
	if err := token(); !errors.As(err, &ee) || ee.code != 2 {
		t.Fatalf("without .env.development: err = %v, want exit 2 (generated secret)", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env.development"), []byte("JWT_SECRET=0123456789abcdef0123456789abcdef\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := token(); err != nil {
		t.Fatalf("with JWT_SECRET in .env.development: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".env.development"), []byte("JWT_SECRET\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := token(); !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, ".env.development:1") {
		t.Fatalf("malformed .env.development: err = %v, want exit 2 naming the line", err)
	}
}
