package harness_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/internal/testenv"
)

// MustStartContainers starts the container target, or skips (fails with ULTRA_REQUIRE_DOCKER=1) when
// no Docker engine answers.
func MustStartContainers(tb testing.TB) *harness.Containers {
	tb.Helper()
	for k, v := range harness.DockerEnv(os.Getenv) {
		tb.Setenv(k, v) // testcontainers reads these from the process environment only
	}
	testenv.RequireDocker(tb, harness.DockerAvailable(context.Background()))
	var log strings.Builder
	c, err := harness.StartContainers(context.Background(), harness.ContainerOptions{SourceDir: "..", Log: &log})
	if c != nil {
		tb.Cleanup(func() { _ = c.Close() })
	}
	if err != nil {
		tb.Fatalf("start the container target: %v\n%s", err, log.String())
	}
	tb.Log(log.String())
	return c
}

// TestFeaturesContainer runs the suite against the gateway and the mock server in containers.
func TestFeaturesContainer(t *testing.T) {
	mustPass(t, harness.Options{
		Target: MustStartContainers(t),
		Tags:   tagsForTest(),
		Format: junitFormat(t, "features-container"),
	})
}
