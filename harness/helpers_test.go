package harness_test

import (
	"bytes"
	"io"
	"strings"
	"sync"
	"testing"
)

type stringsBuilder = strings.Builder

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
