// Package statuswriter holds the http.ResponseWriter wrapper that remembers the status a handler
// wrote, for middleware that logs, counts or records answers (the gateway, the proxy, coverage).
package statuswriter

import "net/http"

// Writer passes everything through to the wrapped ResponseWriter and keeps the first status written
// (200 when the handler writes a body without one). Flush and Unwrap keep streams unbuffered, directly
// and through http.ResponseController.
type Writer struct {
	http.ResponseWriter
	Status int
}

// New wraps w.
func New(w http.ResponseWriter) *Writer { return &Writer{ResponseWriter: w} }

// WriteHeader records the first status and passes every call on.
func (w *Writer) WriteHeader(code int) {
	if w.Status == 0 {
		w.Status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written first.
func (w *Writer) Write(b []byte) (int, error) {
	if w.Status == 0 {
		w.Status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Flush flushes the wrapped writer when it can.
func (w *Writer) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController the wrapped writer.
func (w *Writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
