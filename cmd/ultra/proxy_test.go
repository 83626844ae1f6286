package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/syncbuf"
)

// startProxy runs `ultra proxy` with args on a free port; stop cancels it (as SIGTERM would) and
// returns run's error.
func startProxy(t *testing.T, args ...string) (string, *syncbuf.Buffer, *syncbuf.Buffer, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, stderr := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"ultra", "proxy", "--addr", "127.0.0.1:0"}, args...), func(string) string { return "" }, strings.NewReader(""), stdout, stderr)
	}()
	stop := sync.OnceValue(func() error {
		cancel()
		select {
		case err := <-done:
			return err
		case <-time.After(30 * time.Second):
			return errors.New("proxy did not shut down")
		}
	})
	t.Cleanup(func() { _ = stop() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		if m := listeningRE.FindStringSubmatch(stdout.String()); m != nil {
			return m[1], stdout, stderr, stop
		}
		select {
		case err := <-done:
			t.Fatalf("proxy exited early: %v\n%s", err, stderr.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("proxy did not start:\n%s\n%s", stdout.String(), stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestProxyCommandUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"NoTarget", nil, "--target URL is required"},
		{"BadTarget", []string{"--target", "localhost:8000"}, "--target must be an http(s) URL"},
		{"BadMode", []string{"--target", "http://127.0.0.1:1", "--mode", "strict"}, "--mode must be report or enforce"},
		{"BadReport", []string{"--target", "http://127.0.0.1:1", "--report", "xml=out.xml"}, "--report wants json=FILE"},
		{"UnknownFlag", []string{"--targte", "http://127.0.0.1:1"}, "flag provided but not defined"},
		{"MissingSpec", []string{"--target", "http://127.0.0.1:1", "--spec", "nope.yaml"}, "nope.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr syncbuf.Buffer
			err := run(context.Background(), append([]string{"ultra", "proxy"}, tc.args...), func(string) string { return "" }, strings.NewReader(""), &stdout, &stderr)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 {
				t.Fatalf("err = %v, want exit status 2", err)
			}
			if !strings.Contains(ee.msg, tc.want) || strings.Contains(ee.msg, "\n") {
				t.Fatalf("message %q: want one line containing %q", ee.msg, tc.want)
			}
		})
	}
}

// TestProxyInFrontOfTheGateway: the embedded contract's gateway, with its mock providers, behind the
// proxy: a round of traffic has no violation, and the JUnit and JSON reports say so at shutdown.
func TestProxyInFrontOfTheGateway(t *testing.T) {
	t.Chdir(t.TempDir())
	gw, gwOut, _ := startGateway(t, map[string]string{})
	token := devTokenRE.FindStringSubmatch(gwOut.String())[1]
	dir := t.TempDir()
	junit, report := filepath.Join(dir, "proxy.xml"), filepath.Join(dir, "proxy.json")
	url, stdout, stderr, stop := startProxy(t, "--target", gw, "--junit", junit, "--report", "json="+report, "--fail-on-violation", "--mode", "enforce")
	auth := "Bearer " + token
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/api/health", ""},
		{"GET", "/api/health/live", ""},
		{"GET", "/api/health/ready", ""},
		{"GET", "/api/available-models", ""},
		{"GET", "/api/patterns", ""},
		{"POST", "/api/analyze", `{"prompt":"What is Go?","selected_models":["gpt4o","claude3sonnet"],"ultra_model":"gpt4o"}`},
		{"GET", "/metrics", ""},
		{"GET", "/api/health/circuit-breakers", ""},
	} {
		req, _ := http.NewRequest(c.method, url+c.path, nil)
		if c.body != "" && c.body != "noauth" {
			req, _ = http.NewRequest(c.method, url+c.path, strings.NewReader(c.body))
			req.Header.Set("Content-Type", "application/json")
		}
		if c.body != "noauth" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := (&http.Client{}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 502 || resp.Header.Get("Content-Type") == "application/problem+json" && strings.Contains(string(b), "contract_violation") {
			t.Errorf("%s %s: the proxy flagged the gateway: %s", c.method, c.path, b)
		}
	}
	if err := stop(); err != nil {
		t.Fatalf("exit: %v\n%s", err, stderr)
	}
	if !strings.Contains(stdout.String(), "8 exchanges, 0 violated the contract") {
		t.Fatalf("summary line:\n%s\n%s", stdout, stderr)
	}
	x, err := os.ReadFile(junit)
	if err != nil || !strings.Contains(string(x), `failures="0"`) || !strings.Contains(string(x), `name="analyze 200"`) {
		t.Fatalf("JUnit (%v):\n%s", err, x)
	}
	var s struct{ Exchanges, Violations int }
	if b, err := os.ReadFile(report); err != nil || json.Unmarshal(b, &s) != nil || s.Exchanges != 8 || s.Violations != 0 {
		t.Fatalf("JSON report (%v): %+v", err, s)
	}
}

// TestProxyInFrontOfABrokenService: a service whose health answer breaks the contract is reported,
// with --fail-on-violation giving exit status 1 and a failed JUnit case with a curl.
func TestProxyInFrontOfABrokenService(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"fine, thanks"}`)
	}))
	defer broken.Close()
	junit := filepath.Join(t.TempDir(), "proxy.xml")
	url, stdout, stderr, stop := startProxy(t, "--target", broken.URL, "--junit", junit, "--fail-on-violation")
	resp, err := http.Get(url + "/api/health")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"status":"fine, thanks"}` {
		t.Fatalf("report mode changed the answer: %s", b)
	}
	err = stop()
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 {
		t.Fatalf("err = %v, want exit status 1\n%s", err, stdout)
	}
	if !strings.Contains(stderr.String(), "contract violation") || !strings.Contains(stderr.String(), "pointer=") {
		t.Fatalf("no violation log line:\n%s", stderr)
	}
	x, _ := os.ReadFile(junit)
	if !strings.Contains(string(x), `<failure`) || !strings.Contains(string(x), "curl -sS '"+broken.URL+"/api/health'") {
		t.Fatalf("JUnit:\n%s", x)
	}
}
