package mockserver

import (
	"bufio"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/requestid"
	"github.com/ultra-kit/ultra/spec"
)

// adminRoutes registers the admin API (WireMock's /__admin/ convention).
func (s *Server) adminRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /__admin/health", s.handleHealth())
	mux.Handle("GET /__admin/requests", s.handleJournalList())
	mux.Handle("DELETE /__admin/requests", s.handleJournalClear())
	mux.Handle("GET /__admin/faults", s.handleFaultsList())
	mux.Handle("PUT /__admin/faults", s.handleFaultsReplace())
	mux.Handle("POST /__admin/faults", s.handleFaultsAdd())
	mux.Handle("DELETE /__admin/faults", s.handleFaultsClear())
	mux.Handle("DELETE /__admin/faults/{id}", s.handleFaultsRemove())
	mux.Handle("GET /__admin/coverage", s.handleCoverage())
	mux.Handle("GET /__admin/state", s.handleStateList())
	mux.Handle("DELETE /__admin/state", s.handleStateReset())
	mux.Handle("GET /__admin/llm/fixtures", s.handleFixturesList())
	mux.Handle("POST /__admin/llm/fixtures", s.handleFixturesAdd())
	mux.Handle("DELETE /__admin/llm/fixtures", s.handleFixturesClear())
	mux.Handle("GET /__admin/llm/fixtures/{id}", s.handleFixtureGet())
	mux.Handle("DELETE /__admin/llm/fixtures/{id}", s.handleFixtureRemove())
	mux.Handle("/__admin/", s.handleAdminUnknown())
	return mux
}

// ServeHTTP answers one request: the admin API under /__admin/, the provider mocks under their
// prefixes, and the mounted documents everywhere else. Every response carries X-Request-ID.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	rec := s.recs.Get().(*recorder)
	*rec = recorder{ResponseWriter: w, valid: true}
	id := r.Header.Get("X-Request-Id")
	if !requestid.Usable(id) {
		id = s.ids.Next("")
	}
	w.Header()["X-Request-Id"] = []string{id}
	path := r.URL.EscapedPath()
	admin := path == "/__admin" || strings.HasPrefix(path, "/__admin/")
	defer s.finish(rec, r, start, id, admin)

	if !s.cfg.NoCORS && s.cors(w, r) {
		rec.status = http.StatusNoContent
		return
	}
	switch {
	case admin:
		s.admin.ServeHTTP(rec, r)
	case s.isProviderPath(path):
		s.providers.ServeHTTP(rec, r)
	default:
		s.serveMock(rec, r, path)
	}
}

func (s *Server) isProviderPath(path string) bool {
	for _, p := range s.provPaths {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return false
}

// finish records the exchange in the journal and the coverage, and logs it.
func (s *Server) finish(rec *recorder, r *http.Request, start time.Time, id string, admin bool) {
	d := time.Since(start)
	status := rec.status
	if status == 0 && !rec.hijacked {
		status = http.StatusOK
	}
	opID := ""
	if rec.st != nil {
		opID = rec.st.op.ID
		rec.st.count(status)
	}
	if !admin {
		s.journal.add(entry{
			Method: r.Method, Path: r.URL.Path, OperationID: opID, Status: status, Valid: rec.valid,
			Errors: rec.errs, StartedAt: start, DurationMS: float64(d.Microseconds()) / 1000,
			RequestID: id, Fault: rec.fault,
		})
	}
	if s.logOn {
		s.log.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Int("status", status),
			slog.String("op", opID), slog.Duration("dur", d), slog.String("id", id))
	}
	*rec = recorder{}
	s.recs.Put(rec)
}

// recorder remembers what a handler answered, for the journal, coverage and logs. It passes Flush and
// Hijack through so streams and connection faults work.
type recorder struct {
	http.ResponseWriter
	status   int
	hijacked bool

	st    *opState
	valid bool
	errs  spec.ValidationErrors
	fault string
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Flush sends buffered data to the client.
func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Hijack takes over the connection (used for reset and truncate faults).
func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	h, ok := r.ResponseWriter.(http.Hijacker)
	if !ok {
		return nil, nil, errors.New("connection cannot be hijacked")
	}
	c, rw, err := h.Hijack()
	if err == nil {
		r.hijacked = true
	}
	return c, rw, err
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
