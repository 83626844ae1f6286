package harness_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/internal/redistest"
)

// startReplicaPair starts two gateways on loopback sharing redis with the failure policy, their
// providers pointed at the mock server of base, and returns their URLs.
func startReplicaPair(t *testing.T, base *harness.InProcess, redis *redistest.Server, policy string) []string {
	t.Helper()
	env := harness.ReplicaEnv(base.JWTSecret(), base.Capabilities().TestModeSecret, base.AdminURL(), redis.URL(), policy)
	var urls []string
	for range 2 {
		u, stop, err := base.StartGateway(context.Background(), env)
		if err != nil {
			t.Fatalf("start a replica: %v", err)
		}
		t.Cleanup(stop)
		urls = append(urls, u)
	}
	return urls
}

// TestReplicasFeatureExternal runs the @replicas feature through the external target, knowing only
// the replicas' URLs and the variables an operator would export, against two gateways on one real
// Redis: with each failure policy the scenarios of that policy run and pass and the other's is
// skipped with the reason, and without control of Redis only the shared-burst scenario runs.
func TestReplicasFeatureExternal(t *testing.T) {
	redis := redistest.MustStart(t)
	base := MustStartInProcess(t, harness.InProcessOptions{})
	shared := "Two replicas share one identity's burst; another identity is unaffected"
	openStop := "With Redis down the open policy lets requests through and health says why; a restart recovers"
	closedStop := "With Redis down the closed policy refuses limited requests and takes the replicas out of readiness"
	cases := []struct {
		name, policy  string
		control       bool
		ran           []string
		skippedReason map[string]string
	}{
		{"FailOpen", harness.FailOpen, true, []string{shared, openStop}, map[string]string{closedStop: `@redis-fails-closed: the replicas fail "open"`}},
		{"FailClosed", harness.FailClosed, true, []string{shared, closedStop}, map[string]string{openStop: `@redis-fails-open: the replicas fail "closed"`}},
		{"RedisNotOurs", harness.FailOpen, false, []string{shared}, map[string]string{
			openStop: "@redis-control: the replicas' Redis was not started by the harness", closedStop: "@redis-control: the replicas' Redis was not started by the harness"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			urls := startReplicaPair(t, base, redis, tc.policy)
			env := map[string]string{
				"JWT_SECRET":           base.JWTSecret(),
				"JWT_AUDIENCE":         harness.TestAudience,
				harness.ReplicaURLsEnv: strings.Join(urls, ","),
				"ULTRA_MOCK_ADMIN_URL": base.AdminURL(),
			}
			target, err := harness.ExternalFromEnv(context.Background(), urls[0], func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			if tc.control {
				target.SetRedisControl(redis)
			}
			res, err := harness.Run(context.Background(), harness.Options{Target: target, Paths: []string{"replicas.feature"},
				Output: testOutput(t), NoColors: true})
			if err != nil {
				t.Fatal(err)
			}
			var sum strings.Builder
			harness.WriteSummary(&sum, target.Name(), res)
			t.Log(sum.String())
			if !res.Passed() || res.Scenarios != len(tc.ran) {
				t.Fatalf("expected %d scenarios to run and pass, got %d run, %d failed", len(tc.ran), res.Scenarios, res.Failed)
			}
			for _, r := range res.Report {
				if !contains(tc.ran, r.Scenario) {
					t.Errorf("expected %q not to run", r.Scenario)
				}
			}
			if len(res.Skipped) != len(tc.skippedReason) {
				t.Errorf("expected %d skipped scenarios, got %d", len(tc.skippedReason), len(res.Skipped))
			}
			for _, s := range res.Skipped {
				if want := tc.skippedReason[s.Scenario]; want == "" || !strings.Contains(s.Reason, want) {
					t.Errorf("%s: expected the skip reason to contain %q, got %q", s.Scenario, want, s.Reason)
				}
			}
		})
	}
}

// TestReplicasRefuseMismatchedExternalReplicas: replicas that keep their limits in memory, or whose
// default-class burst is not the feature's, are refused by the step that takes them, saying why.
func TestReplicasRefuseMismatchedExternalReplicas(t *testing.T) {
	redis := redistest.MustStart(t)
	a := MustStartInProcess(t, harness.InProcessOptions{})
	otherBurst := harness.ReplicaEnv(a.JWTSecret(), "", a.AdminURL(), redis.URL(), harness.FailOpen)
	otherBurst["RATE_LIMIT_DEFAULT_BURST"] = "30"
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"MemoryStore", harness.TestingEnv(a.JWTSecret(), "", a.AdminURL()), `to keep its limits in Redis, got store "memory"`},
		{"OtherBurst", otherBurst, `expected replicas configured with RATE_LIMIT_DEFAULT_BURST=4 and RATE_LIMIT_DEFAULT_RPM=6, got RateLimit-Limit "30"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var urls []string
			for range 2 {
				u, stop, err := a.StartGateway(context.Background(), tc.env)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(stop)
				urls = append(urls, u)
			}
			env := map[string]string{"JWT_SECRET": a.JWTSecret(), "JWT_AUDIENCE": harness.TestAudience, harness.ReplicaURLsEnv: strings.Join(urls, ",")}
			target, err := harness.ExternalFromEnv(context.Background(), urls[0], func(k string) string { return env[k] })
			if err != nil {
				t.Fatal(err)
			}
			res, err := harness.Run(context.Background(), harness.Options{Target: target, Paths: []string{"replicas.feature"}, Output: testOutput(t), NoColors: true})
			if err != nil {
				t.Fatal(err)
			}
			if res.Failed != 1 || !strings.Contains(res.Failures[0].Err.Error(), tc.want) {
				t.Fatalf("expected the shared-burst scenario to fail saying %q, got %d failed: %v", tc.want, res.Failed, res.Failures)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
