package harness_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
)

// TestLoadFeatureFailsAgainstBrokenGateways runs the shipped @load feature against the normal
// in-process gateway, where it passes, and against gateways broken in one way each, where the
// scenario that must notice fails: a breaker that never opens (every analysis waits for the dead
// provider's timeout) and rate limits too large to bite.
func TestLoadFeatureFailsAgainstBrokenGateways(t *testing.T) {
	cases := []struct {
		name         string
		env          map[string]string
		wantScenario string // "" means every scenario passes
	}{
		{name: "Normal"},
		{
			name:         "BreakerNeverOpens",
			env:          map[string]string{"BREAKER_FAILURE_THRESHOLD": "1000000"},
			wantScenario: "A dead provider opens its breaker under load, so analyses fail fast instead of waiting",
		},
		{
			name:         "RateLimitsNeverBite",
			env:          map[string]string{"RATE_LIMIT_ANALYZE_RPM": "1000000", "RATE_LIMIT_ANALYZE_BURST": "1000000"},
			wantScenario: "One identity sending analyses faster than its quota gets 429s, the rest get through",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			target := MustStartInProcess(t, harness.InProcessOptions{Env: tc.env})
			var out bytes.Buffer
			res, err := harness.Run(context.Background(), harness.Options{
				Target: target, Paths: []string{"load.feature"}, Format: "progress", Output: &out, NoColors: true,
			})
			if err != nil {
				t.Fatalf("run: %v\n%s", err, out.String())
			}
			var sum strings.Builder
			harness.WriteSummary(&sum, tc.name, res)
			t.Log(sum.String())
			if res.Scenarios != 3 {
				t.Fatalf("expected the 3 load scenarios to run, got %d", res.Scenarios)
			}
			if tc.wantScenario == "" {
				if !res.Passed() {
					t.Fatalf("expected every load scenario to pass against the normal gateway, got %d failed", res.Failed)
				}
				return
			}
			if len(res.Failures) != 1 || res.Failures[0].Scenario != tc.wantScenario {
				t.Fatalf("expected exactly %q to fail, got %d failures", tc.wantScenario, len(res.Failures))
			}
		})
	}
}
