package harness_test

import (
	"io"
	"strings"
	"testing"
)

type stringsBuilder = strings.Builder

// testOutput sends the formatter's output to the test log only with -v.
func testOutput(tb testing.TB) io.Writer {
	if testing.Verbose() {
		return tbWriter{tb}
	}
	return io.Discard
}

type tbWriter struct{ tb testing.TB }

func (w tbWriter) Write(p []byte) (int, error) {
	w.tb.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
