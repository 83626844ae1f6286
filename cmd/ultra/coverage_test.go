package main

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/internal/syncbuf"
)

// TestCoverageFromFourSources: the stateful bookshop mock, the bookshop features against it, a
// verify run and the proxy each write --coverage; `ultra coverage` merges the four into one table.
func TestCoverageFromFourSources(t *testing.T) {
	dir := t.TempDir()
	spec := "../../examples/bookshop/openapi.yaml"
	file := func(name string) string { return filepath.Join(dir, name+".json") }
	mock, stopMock := startMock(t, "--stateful", "--no-providers", "--spec", spec, "--coverage", file("mock"))

	if _, errOut, err := runFeaturesCmd(t, nil, "--features", "../../examples/bookshop", "--spec", spec, "--target", mock,
		"--format", "progress", "--coverage", file("features")); err != nil {
		t.Fatalf("features: %v\n%s", err, errOut)
	}
	var vout, verr syncbuf.Buffer
	if err := run(context.Background(), []string{"ultra", "verify", "--target", mock, "--spec", spec, "--phases", "examples",
		"--coverage", file("verify")}, func(string) string { return "" }, strings.NewReader(""), &vout, &verr); err != nil {
		t.Logf("verify (its verdict does not matter here): %v", err)
	}
	px, _, _, stopProxy := startProxy(t, "--spec", spec, "--target", mock, "--coverage", file("proxy"))
	resp, err := http.Get(px + "/books")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err := stopProxy(); err != nil {
		t.Fatalf("proxy: %v", err)
	}
	if err := stopMock(); err != nil {
		t.Fatalf("mock: %v", err)
	}
	for _, src := range []string{"mock", "features", "verify", "proxy"} {
		f, err := os.Open(file(src))
		if err != nil {
			t.Fatalf("%s wrote no coverage: %v", src, err)
		}
		r, err := coverage.Read(f)
		f.Close()
		if err != nil || r.Sources[0] != src || r.Totals().ResponsesSeen == 0 {
			t.Fatalf("%s coverage (%v): %+v", src, err, r)
		}
	}
	var out, errOut syncbuf.Buffer
	html, merged := filepath.Join(dir, "coverage.html"), filepath.Join(dir, "merged.json")
	err = run(context.Background(), []string{"ultra", "coverage", file("mock"), file("features"), file("verify"), file("proxy"),
		"--html", html, "--json", merged, "--fail-under", "100"}, func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
	if !strings.Contains(out.String(), "sources: features, mock, proxy, verify") || !strings.Contains(out.String(), "GET /books") {
		t.Fatalf("merged table:\n%s", out.String())
	}
	var ee *exitError
	if !errors.As(err, &ee) || ee.code != 1 || !strings.Contains(ee.msg, "is under 100%") {
		t.Fatalf("--fail-under 100 with the bookshop's undocumented-never-sent 400s: err = %v, want exit status 1", err)
	}
	if err := run(context.Background(), []string{"ultra", "coverage", file("mock"), file("features"), "--fail-under", "10"},
		func(string) string { return "" }, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("--fail-under 10: %v", err)
	}
	if b, err := os.ReadFile(html); err != nil || !strings.Contains(string(b), "<h1>ultra coverage</h1>") {
		t.Fatalf("html: %v", err)
	}
	if _, err := os.Stat(merged); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", out.String())
}

func TestCoverageCommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"operations":1}`), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"NoFiles", nil, "give one or more coverage files"},
		{"Missing", []string{"nope.json"}, "nope.json"},
		{"NotCoverage", []string{bad}, "not a coverage report"},
		{"BadThreshold", []string{bad, "--fail-under", "120"}, "--fail-under wants a percentage"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut syncbuf.Buffer
			err := run(context.Background(), append([]string{"ultra", "coverage"}, tc.args...), func(string) string { return "" }, strings.NewReader(""), &out, &errOut)
			var ee *exitError
			if !errors.As(err, &ee) || ee.code != 2 || !strings.Contains(ee.msg, tc.want) || strings.Contains(ee.msg, "\n") {
				t.Fatalf("err = %v, want exit 2 with one line containing %q", err, tc.want)
			}
		})
	}
}
