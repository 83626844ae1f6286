package harness_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
)

// TestFeaturesExternal runs the suite through the external target against a gateway started
// separately, knowing only its URL and the variables an operator would export.
func TestFeaturesExternal(t *testing.T) {
	gw := MustStartInProcess(t, harness.InProcessOptions{})
	caps := gw.Capabilities()
	env := map[string]string{
		"JWT_SECRET":           gw.JWTSecret(),
		"JWT_AUDIENCE":         harness.TestAudience,
		"TEST_MODE_SECRET":     caps.TestModeSecret,
		"ULTRA_MOCK_ADMIN_URL": gw.AdminURL(),
	}
	target, err := harness.ExternalFromEnv(context.Background(), gw.BaseURL(), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	sum := mustPass(t, harness.Options{Target: target, Tags: "~@slow"})
	// The in-process-only scenarios cannot run against a URL, and the output says why.
	if !strings.Contains(sum, "@in-process-only") {
		t.Errorf("expected the summary to name the skipped @in-process-only scenarios, got:%s", sum)
	}
}

func TestExternalTargetErrors(t *testing.T) {
	tests := []struct {
		name, url string
		env       map[string]string
		want      string
	}{
		{"NotAURL", "localhost:8000", map[string]string{"JWT_SECRET": "x"}, "not an absolute"},
		{"NoCredentials", "http://127.0.0.1:1", nil, "no credentials"},
		{"Unreachable", "http://127.0.0.1:1", map[string]string{"JWT_SECRET": "x"}, "cannot reach"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := harness.ExternalFromEnv(context.Background(), tc.url, func(k string) string { return tc.env[k] })
			if err == nil || !harness.IsTargetError(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("expected a target error containing %q, got %v", tc.want, err)
			}
		})
	}
}
