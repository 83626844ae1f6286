package main

import (
	"context"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/internal/syncbuf"
)

func runFeaturesCmd(t *testing.T, getenv func(string) string, args ...string) (string, string, error) {
	t.Helper()
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	var out, errOut syncbuf.Buffer
	err := run(context.Background(), append([]string{"ultra", "features"}, args...), getenv, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

func TestFeaturesUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"UnknownFormat", []string{"--format", "xml"}, "unknown format"},
		{"FormatWithoutFile", []string{"--format", "junit:"}, "needs a file name"},
		{"ZeroConcurrency", []string{"--concurrency", "0"}, "at least 1"},
		{"UnknownTarget", []string{"--target", "staging"}, "unknown target"},
		{"UnreachableURL", []string{"--target", "http://127.0.0.1:1"}, "cannot reach"},
		{"StrayArgument", []string{"extra"}, "unexpected argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{"JWT_SECRET": "0123456789abcdef0123456789abcdef"}
			_, _, err := runFeaturesCmd(t, func(k string) string { return env[k] }, tc.args...)
			if exitStatus(err) != 2 || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("expected exit status 2 with %q, got %d: %v", tc.want, exitStatus(err), err)
			}
		})
	}
}

// TestFeaturesInProcessTarget runs a slice of the suite from the command line, as QA would.
func TestFeaturesInProcessTarget(t *testing.T) {
	out, _, err := runFeaturesCmd(t, nil, "--target", "inprocess", "--tags", "@test-mode,@token-minting", "--format", "progress", "--no-colors")
	if err != nil {
		t.Fatalf("expected success, got %v\n%s", err, out)
	}
	if !strings.Contains(out, "== ultra features against in-process:") || !strings.Contains(out, "0 failed") {
		t.Errorf("expected the summary, got:\n%s", out)
	}
}

// TestFeaturesExternalURL runs against a gateway started separately, reached by URL, and checks that
// a failure exits 1 and names the failed step with its exchange.
func TestFeaturesExternalURL(t *testing.T) {
	gw, err := harness.StartInProcess(context.Background(), harness.InProcessOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer gw.Close()
	env := map[string]string{
		"ULTRA_TARGET_URL": gw.BaseURL(), "JWT_SECRET": gw.JWTSecret(), "JWT_AUDIENCE": harness.TestAudience,
		"TEST_MODE_SECRET": gw.Capabilities().TestModeSecret,
	}
	getenv := func(k string) string { return env[k] }

	out, _, err := runFeaturesCmd(t, getenv, "--tags", "~@slow", "--format", "progress", "--no-colors")
	if err != nil {
		t.Fatalf("expected success against %s, got %v\n%s", gw.BaseURL(), err, out)
	}
	for _, want := range []string{"Skipped (the target cannot run them):", "@mock-providers: the target's providers are not our mock server", "@in-process-only"} {
		if !strings.Contains(out, want) {
			t.Errorf("expected the output to say %q, got:\n%s", want, out)
		}
	}

	// A wrong secret: every authenticated scenario fails, exit status 1, the summary names the step.
	env["JWT_SECRET"] = "not-the-gateway-secret-0123456789"
	out, _, err = runFeaturesCmd(t, getenv, "--tags", "~@slow", "--format", "progress", "--no-colors")
	if exitStatus(err) != 1 {
		t.Fatalf("expected exit status 1 with the wrong secret, got %d: %v", exitStatus(err), err)
	}
	if !strings.Contains(out, "step: the response status is 200") || !strings.Contains(out, "GET "+gw.BaseURL()+"/api/available-models -> 401") {
		t.Errorf("expected the summary to name the failed step and its exchange, got:\n%s", out)
	}
}
