package deploy_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/testenv"
)

// mustTool returns the path of a command line tool, or skips the test (through internal/testenv, so
// make test counts it) when it is not on PATH; with require=1 in the environment its absence fails.
func mustTool(t *testing.T, name, require, install string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	testenv.Require(t, name, require, install, err)
	return path
}

// run runs a command in dir, with env added to the environment, and returns its combined output,
// failing the test when it fails.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestPromtoolChecksAndTestsTheRules runs `promtool check rules` and the alerts' unit tests.
func TestPromtoolChecksAndTestsTheRules(t *testing.T) {
	promtool := mustTool(t, "promtool", "ULTRA_REQUIRE_PROMTOOL", "apt-get install prometheus")
	out := run(t, "prometheus", nil, promtool, "check", "rules", "alerts.yaml")
	t.Log(strings.TrimSpace(out))
	out = run(t, "prometheus", nil, promtool, "test", "rules", "alerts_test.yaml")
	t.Log(strings.TrimSpace(out))
}

// TestPromtoolFailsABrokenAlert is the negative test: the same unit tests against rules whose
// breaker alert never fires must fail, so a passing run above means the tests look at the alerts.
func TestPromtoolFailsABrokenAlert(t *testing.T) {
	promtool := mustTool(t, "promtool", "ULTRA_REQUIRE_PROMTOOL", "apt-get install prometheus")
	rules, err := os.ReadFile("prometheus/alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests, err := os.ReadFile("prometheus/alerts_test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(rules), "(ultra_circuit_breaker_state) == 2", "(ultra_circuit_breaker_state) == 3", 1)
	if broken == string(rules) {
		t.Fatal("the breaker alert's expression changed: update this test")
	}
	dir := t.TempDir()
	for name, data := range map[string]string{"alerts.yaml": broken, "alerts_test.yaml": string(tests)} {
		if err := os.WriteFile(dir+"/"+name, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "test", "rules", "alerts_test.yaml")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "alertname: UltraCircuitBreakerOpen") {
		t.Fatalf("expected promtool to fail the UltraCircuitBreakerOpen test, got err=%v\n%s", err, out)
	}
}

// compose is `docker compose` when the plugin is there, else docker-compose (Debian's package).
func compose(t *testing.T) (string, []string) {
	t.Helper()
	if exec.Command("docker", "compose", "version").Run() == nil {
		return "docker", []string{"compose"}
	}
	return mustTool(t, "docker-compose", "ULTRA_REQUIRE_COMPOSE", "apt-get install docker-compose"), nil
}

// TestComposeFileIsValid validates compose.yaml with `docker compose config` (or docker-compose).
// It needs no engine and pulls nothing.
func TestComposeFileIsValid(t *testing.T) {
	name, args := compose(t)
	env := []string{"JWT_SECRET=compose-config-check-0123456789abcdef"}
	out := run(t, ".", env, name, append(args, "--file", "compose.yaml", "config")...)
	for _, want := range []string{"gateway-1:", "gateway-2:", "redis:", "mock:", "RATE_LIMIT_STORE: redis://redis:6379/0",
		"JWT_SECRET: compose-config-check-0123456789abcdef"} {
		if !strings.Contains(out, want) {
			t.Errorf("expected the resolved compose file to contain %q:\n%s", want, out)
		}
	}
}

// TestComposeFileNeedsAJWTSecret is the negative test: without JWT_SECRET the file does not resolve,
// so nobody starts the replicas with an empty secret.
func TestComposeFileNeedsAJWTSecret(t *testing.T) {
	name, args := compose(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, append(args, "--file", "compose.yaml", "config")...)
	cmd.Env = append(os.Environ(), "JWT_SECRET=")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "set JWT_SECRET") {
		t.Fatalf("expected compose to refuse the file without JWT_SECRET, got err=%v\n%s", err, out)
	}
}
