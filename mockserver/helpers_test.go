package mockserver_test

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/spec"
)

func mustLoad(tb testing.TB, path string) *spec.Document {
	tb.Helper()
	d, err := spec.LoadFile(path)
	if err != nil {
		tb.Fatalf("load %s: %v", path, err)
	}
	return d
}

func ultraDoc(tb testing.TB) *spec.Document {
	tb.Helper()
	d, err := ultra.LoadContract()
	if err != nil {
		tb.Fatalf("load the Ultra contract: %v", err)
	}
	return d
}

// mustServer builds a mock server and serves it on a loopback port until the test ends.
func mustServer(tb testing.TB, cfg mockserver.Config) (*mockserver.Server, *httptest.Server) {
	tb.Helper()
	srv, err := mockserver.New(cfg)
	if err != nil {
		tb.Fatalf("mockserver.New: %v", err)
	}
	ts := httptest.NewServer(srv)
	tb.Cleanup(func() {
		srv.Close()
		ts.Close()
	})
	return srv, ts
}

// call sends a request; headers come in name, value pairs.
func call(tb testing.TB, ts *httptest.Server, method, path, body string, headers ...string) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, ts.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := ts.Client().Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, path, err)
	}
	return resp, b
}

var paramRE = regexp.MustCompile(`\{[^{}]+\}`)

// concretePath fills a path template's parameters.
func concretePath(template string) string { return paramRE.ReplaceAllString(template, "1") }

func bufLogger(b *syncbuf.Buffer) *slog.Logger { return slog.New(slog.NewTextHandler(b, nil)) }

func loadString(doc string) (*spec.Document, error) {
	return spec.Load([]byte(doc), spec.Options{Name: "fuzz.yaml"})
}

// yamlQuote writes s as a double-quoted YAML scalar.
func yamlQuote(s string) string {
	b, _ := json.Marshal(s) // JSON strings are valid YAML double-quoted scalars
	return string(b)
}
