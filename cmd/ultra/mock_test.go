package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
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
	"github.com/ultra-kit/ultra/internal/testenv"
)

var listeningRE = regexp.MustCompile(`listening on (http://[0-9.:]+)`)

// startMock runs `ultra mock` with args on a free port and returns its URL and a stop function that
// cancels it (as SIGINT would) and returns run's error.
func startMock(t *testing.T, args ...string) (string, func() error) {
	t.Helper()
	url, _, stop := startMockOutput(t, args...)
	return url, stop
}

// startMockOutput is startMock, also returning what the mock printed.
func startMockOutput(t *testing.T, args ...string) (string, *syncbuf.Buffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"ultra", "mock", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, strings.NewReader(""), stdout, stderr)
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			var once sync.Once
			var stopErr error
			stop := func() error {
				once.Do(func() {
					cancel()
					select {
					case stopErr = <-done:
					case <-time.After(30 * time.Second):
						stopErr = errors.New("mock did not shut down")
					}
				})
				return stopErr
			}
			t.Cleanup(func() { _ = stop() })
			return m[1], stdout, stop
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("mock exited early: %v\nstderr: %s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("mock did not print its URL: %s", stdout.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func get(t *testing.T, url string, headers ...string) (int, string) {
	t.Helper()
	return send(t, http.MethodGet, url, "", headers...)
}

// send makes one request (a JSON body when body is not empty) and returns the status and body;
// headers are name, value pairs.
func send(t *testing.T, method, url, body string, headers ...string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := (&http.Client{Timeout: 30 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestMockDefaults(t *testing.T) {
	url, stop := startMock(t)
	if code, body := get(t, url+"/api/health/live"); code != 200 || !strings.Contains(body, "status") {
		t.Fatalf("expected the Ultra contract served, got %d: %s", code, body)
	}
	if code, body := get(t, url+"/openai/v1/models", "Authorization", "Bearer k"); code != 200 {
		t.Fatalf("expected the provider mocks mounted, got %d: %s", code, body)
	}
	if code, _ := get(t, url+"/__admin/health"); code != 200 {
		t.Fatalf("expected the admin API, got %d", code)
	}
	if err := stop(); err != nil {
		t.Fatalf("expected a clean shutdown, got %v", err)
	}
}

func TestMockSharedSpecsWithPrefixes(t *testing.T) {
	url, stop := startMock(t, "--no-providers", "--spec", "/train="+testenv.Spec(t, "train-travel.yaml"),
		"--spec", "/openai="+testenv.Spec(t, "openai.yaml"), "--log-format", "json")
	if code, body := get(t, url+"/train/stations", "Authorization", "Bearer t"); code != 200 || !strings.Contains(body, "Berlin") {
		t.Fatalf("expected train-travel served, got %d: %s", code, body)
	}
	if code, body := get(t, url+"/openai/models", "Authorization", "Bearer t"); code != 200 {
		t.Fatalf("expected openai.yaml served, got %d: %s", code, body)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

func TestMockErrors(t *testing.T) {
	dir := t.TempDir()
	faults := filepath.Join(dir, "faults.yaml")
	if err := os.WriteFile(faults, []byte("faults:\n  - target: x\n    kind: explode\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string // a regexp the error must match
	}{
		{"Unparseable", []string{"--spec", "../../mockserver/testdata/broken.yaml"}, `^\.\./\.\./mockserver/testdata/broken\.yaml:\d+:\d+: invalid YAML`},
		{"Missing", []string{"--spec", "nope.yaml"}, `^nope\.yaml: `},
		{"Conflict", []string{"--spec", "../../mockserver/testdata/conflict-a.yaml", "--spec", "/items=../../mockserver/testdata/conflict-b.yaml"}, `getItemA.*getMineB|getMineB.*getItemA`},
		{"BadFaults", []string{"--faults", faults}, `explode`},
		{"BadLogFormat", []string{"--log-format", "xml"}, `log-format`},
		{"BadProviderKey", []string{"--provider-key", "openai"}, `provider=key`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), append([]string{"ultra", "mock", "--addr", "127.0.0.1:0"}, tc.args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
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

// TestMockCircularAndWatch serves a document with circular references and reloads it.
func TestMockCircularAndWatch(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "c.yaml")
	data, err := os.ReadFile("../../mockserver/testdata/circular.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	url, stop := startMock(t, "--no-providers", "--watch", "--spec", path)
	if code, body := get(t, url+"/tree"); code != 200 || !strings.Contains(body, `"name"`) {
		t.Fatalf("expected a generated tree, got %d: %s", code, body)
	}
	if err := os.WriteFile(path, bytes.ReplaceAll(data, []byte("/tree"), []byte("/forest")), 0o600); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		if code, _ := get(t, url+"/forest"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the edited document was not reloaded")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
}

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// TestMockStartupMessage pins `ultra mock`'s start-up lines (testdata/mock-startup.golden, regenerate
// with -update): the address, the documents, and per provider the base URL to give its SDKs and the
// gateway. Each printed URL must answer the provider's model list the way its SDK would call it.
func TestMockStartupMessage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"ultra", "mock", "--addr", "127.0.0.1:0"}, func(string) string { return "" }, strings.NewReader(""), stdout, stderr)
	}()
	t.Cleanup(func() { cancel(); <-done })
	var url string
	for deadline := time.Now().Add(30 * time.Second); url == "" || !strings.Contains(stdout.String(), "GEMINI_BASE_URL"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("no start-up message: %q, stderr %s", stdout.String(), stderr.String())
		}
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
		}
	}
	got := strings.ReplaceAll(stdout.String(), url, "http://HOST")
	golden := filepath.Join("testdata", "mock-startup.golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update)", err)
	}
	if got != string(want) {
		t.Errorf("start-up message:\n%s\nwant:\n%s", got, want)
	}
	// Every printed base URL works the way its SDK uses it: OpenAI-style SDKs append /models,
	// Anthropic's append /v1/models, Google's genai appends /v1beta/models.
	lineRE := regexp.MustCompile(`(?m)^  ([A-Z_]+)=(\S+)`)
	sdkPath := map[string]string{"OPENAI_BASE_URL": "/models", "ANTHROPIC_BASE_URL": "/v1/models", "GEMINI_BASE_URL": "/v1beta/models"}
	auth := map[string][]string{"ANTHROPIC_BASE_URL": {"x-api-key", "k", "anthropic-version", "2023-06-01"}, "GEMINI_BASE_URL": {"x-goog-api-key", "k"}}
	lines := lineRE.FindAllStringSubmatch(stdout.String(), -1)
	if len(lines) == 0 {
		t.Fatal("no provider base URL lines")
	}
	for _, m := range lines {
		path, ok := sdkPath[m[1]]
		if !ok {
			path = "/models" // OpenAI-shaped SDKs
		}
		h, ok := auth[m[1]]
		if !ok {
			h = []string{"Authorization", "Bearer k"}
		}
		if code, body := get(t, m[2]+path, h...); code != 200 {
			t.Errorf("%s=%s: GET %s answered %d: %s", m[1], m[2], m[2]+path, code, body)
		}
	}
}
