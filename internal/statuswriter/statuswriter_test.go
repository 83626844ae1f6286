package statuswriter_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ultra-kit/ultra/internal/statuswriter"
)

func TestWriter(t *testing.T) {
	cases := []struct {
		name  string
		write func(w http.ResponseWriter)
		want  int
	}{
		{"Nothing", func(http.ResponseWriter) {}, 0},
		{"BodyOnly", func(w http.ResponseWriter) { w.Write([]byte("x")) }, http.StatusOK},
		{"FirstStatusWins", func(w http.ResponseWriter) { w.WriteHeader(http.StatusTeapot); w.WriteHeader(http.StatusOK) }, http.StatusTeapot},
		{"StatusThenBody", func(w http.ResponseWriter) { w.WriteHeader(http.StatusCreated); w.Write([]byte("x")) }, http.StatusCreated},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			w := statuswriter.New(rec)
			c.write(w)
			if w.Status != c.want {
				t.Errorf("expected status %d, got %d", c.want, w.Status)
			}
		})
	}
}

func TestWriterFlushesThroughController(t *testing.T) {
	rec := httptest.NewRecorder()
	w := statuswriter.New(rec)
	if err := http.NewResponseController(w).Flush(); err != nil {
		t.Fatalf("flush through the controller: %v", err)
	}
	w.Flush()
	if !rec.Flushed {
		t.Error("expected the wrapped recorder to be flushed")
	}
}
