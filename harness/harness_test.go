package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ultra-kit/ultra/harness"
)

// MustStartInProcess starts the in-process target and closes it when the test ends.
func MustStartInProcess(tb testing.TB, opts harness.InProcessOptions) *harness.InProcess {
	tb.Helper()
	t, err := harness.StartInProcess(context.Background(), opts)
	if err != nil {
		tb.Fatalf("start the in-process target: %v", err)
	}
	tb.Cleanup(func() { _ = t.Close() })
	return t
}

// junitFormat adds a JUnit report under ULTRA_JUNIT_DIR when it is set.
func junitFormat(tb testing.TB, name string) string {
	dir := os.Getenv("ULTRA_JUNIT_DIR")
	if dir == "" {
		return "pretty"
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatalf("ULTRA_JUNIT_DIR: %v", err)
	}
	return "pretty,junit:" + filepath.Join(dir, name+".xml")
}

func tagsForTest() string {
	if testing.Short() {
		return "~@slow"
	}
	return ""
}

// TestFeaturesInProcess runs every feature the in-process target supports, each scenario a subtest.
func TestFeaturesInProcess(t *testing.T) {
	mustPass(t, harness.Options{
		Target: MustStartInProcess(t, harness.InProcessOptions{}),
		Tags:   tagsForTest(),
		Format: junitFormat(t, "features-inprocess"),
	})
}
