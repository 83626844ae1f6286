package harness_test

import (
	"context"
	"io"
	"testing"

	"github.com/ultra-kit/ultra/harness"
)

// BenchmarkInProcessSuite measures the whole in-process suite: start the target, run every
// supported scenario, stop.
func BenchmarkInProcessSuite(b *testing.B) {
	for b.Loop() {
		target, err := harness.StartInProcess(context.Background(), harness.InProcessOptions{})
		if err != nil {
			b.Fatal(err)
		}
		res, err := harness.Run(context.Background(), harness.Options{Target: target, Format: "progress", Output: io.Discard})
		_ = target.Close()
		if err != nil || !res.Passed() {
			b.Fatalf("suite failed: %v %+v", err, res)
		}
		b.ReportMetric(float64(res.Scenarios), "scenarios")
	}
}

// BenchmarkContainerSuite measures the container suite: build the binary and the images, start both
// containers, run every supported scenario, tear down.
func BenchmarkContainerSuite(b *testing.B) {
	for b.Loop() {
		target := MustStartContainers(b)
		res, err := harness.Run(context.Background(), harness.Options{Target: target, Format: "progress", Output: io.Discard})
		_ = target.Close()
		if err != nil || !res.Passed() {
			b.Fatalf("suite failed: %v %+v", err, res)
		}
		b.ReportMetric(float64(res.Scenarios), "scenarios")
	}
}
