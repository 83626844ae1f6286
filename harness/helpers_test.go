package harness_test

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/harness"
)

// mustPass runs the suite against opts.Target, logs the summary and fails the test unless scenarios
// ran and every one passed. It returns the summary.
func mustPass(t *testing.T, opts harness.Options) string {
	t.Helper()
	opts.TestingT, opts.Output, opts.NoColors = t, testOutput(t), true
	res, err := harness.Run(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	harness.WriteSummary(&sum, opts.Target.Name(), res)
	t.Log(sum.String())
	if !res.Passed() {
		t.Errorf("expected every scenario to pass, got %d of %d failed", res.Failed, res.Scenarios)
	}
	if res.Scenarios == 0 {
		t.Error("expected scenarios to run, got none")
	}
	return sum.String()
}

// testOutput sends the formatter's output to the test log, line by line, only with -v.
func testOutput(tb testing.TB) io.Writer {
	if testing.Verbose() {
		w := &tbWriter{tb: tb}
		tb.Cleanup(w.flush)
		return w
	}
	return io.Discard
}

type tbWriter struct {
	tb  testing.TB
	mu  sync.Mutex
	buf []byte
}

func (w *tbWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.tb.Log(string(w.buf[:i]))
		w.buf = w.buf[i+1:]
	}
}

func (w *tbWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.buf) > 0 {
		w.tb.Log(string(w.buf))
		w.buf = nil
	}
}
