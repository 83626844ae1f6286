package mockserver

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/spec"
)

// maxRequestBody bounds the request bodies the validator reads.
const maxRequestBody = 16 << 20

// bodyKey identifies a cached static response of an operation.
type bodyKey struct{ status, mediaType, name string }

// cached is a response ready to write: computed once per (operation, status, media type, example).
type cached struct {
	status    int
	mediaType string
	ctype     []string // Content-Type header value, shared and never modified
	clen      []string
	body      []byte
	headers   []header
	events    [][]byte // for text/event-stream
	generated bool
	err       error
}

type header struct {
	name string
	vals []string
}

// serveMock answers a request to a mounted document.
func (s *Server) serveMock(w *recorder, r *http.Request, path string) {
	t := s.mounts.Load()
	m, rest := t.find(path)
	if m == nil {
		s.fail(w, r, nil, fmt.Errorf("%s %s: %w", r.Method, path, spec.ErrOperationNotFound))
		return
	}
	match, err := m.doc.Find(r.Method, rest)
	if err != nil {
		s.fail(w, r, nil, err)
		return
	}
	st := m.ops[match.Operation]
	w.st = st
	r = s.bufferBody(r)
	p, query, changed := readPrefs(r)

	d := s.faults.Decide(st.op.ID, st.key)
	if len(d.FaultIDs) > 0 {
		w.fault = strings.Join(d.FaultIDs, ",")
		if !fault.Sleep(r.Context(), d.Delay, s.closing) {
			return
		}
		switch {
		case d.Kind == fault.KindReset:
			fault.Abort(w, true)
			return
		case d.Answers():
			s.faultResponse(w, r, st, d)
			return
		}
	}

	if !s.cfg.NoValidate {
		vr := r
		if m.prefix != "" || changed {
			vr = new(http.Request)
			*vr = *r
			u := *r.URL
			u.RawPath = rest
			if u.Path, err = url.PathUnescape(rest); err != nil {
				u.Path = rest
			}
			u.RawQuery = query
			vr.URL = &u
		}
		if vr.Body != nil && vr.Body != http.NoBody {
			vr.Body = http.MaxBytesReader(w, vr.Body, maxRequestBody)
		}
		if err := st.op.ValidateRequest(vr); err != nil {
			w.valid = false
			var ves spec.ValidationErrors
			if errors.As(err, &ves) {
				w.errs = ves
			} else {
				w.errs = spec.ValidationErrors{{In: spec.InBody, Reason: err.Error()}}
			}
			s.fail(w, r, st, err)
			return
		}
	}

	if s.serveState(w, r, m, st, rest) {
		return
	}
	c, err := s.choose(r, st, p)
	if err != nil {
		s.fail(w, r, st, err)
		return
	}
	s.write(w, r, c, &d)
}

// choose finds the response for a request: the lowest 2xx unless the client prefers another status,
// the media type the Accept header likes best, and a named, first or generated example.
func (s *Server) choose(r *http.Request, st *opState, p prefs) (*cached, error) {
	accept := r.Header.Get("Accept")
	if p.zero() && (accept == "" || accept == "*/*") {
		if c := st.def.Load(); c != nil {
			return c, c.err
		}
		c := st.static("", "", "")
		st.def.Store(c)
		return c, c.err
	}
	var resp spec.Response
	statusKey := ""
	if p.code != "" {
		n, err := strconv.Atoi(p.code)
		ok := false
		switch {
		case p.code == "default":
			for _, rr := range st.op.Responses {
				if rr.Status == "default" {
					resp, ok = rr, true
				}
			}
		case err == nil:
			resp, ok = st.op.Response(n)
		case len(p.code) == 3 && strings.EqualFold(p.code[1:], "XX"):
			// a range: the first documented status in it
			for _, rr := range st.op.Responses {
				if rr.Status != "default" && rr.Status[0] == p.code[0] {
					resp, ok = rr, true
					p.code = rr.Status
					break
				}
			}
		}
		if !ok {
			return nil, &preferenceError{fmt.Errorf("%s documents no response for code=%s (documented: %s)", st.op.ID, p.code, statuses(st.op))}
		}
		statusKey = p.code
	} else {
		var ok bool
		if resp, _, ok = st.op.DefaultResponse(); !ok {
			return nil, fmt.Errorf("%s documents no response: %w", st.op.ID, spec.ErrNoResponse)
		}
	}
	mt, ok := negotiate(accept, resp.MediaTypes)
	if !ok {
		return nil, &notAcceptableError{accept: accept, offers: resp.MediaTypes}
	}
	if p.dynamic {
		ex, err := st.op.Example(spec.ExampleQuery{Status: statusKey, MediaType: mt, Dynamic: true, Seed: rand.Int64N(1<<52) + 1})
		if err != nil {
			return nil, err
		}
		return newCached(st, ex, resp), nil
	}
	c := st.static(statusKey, mt, p.example)
	if c.err != nil && p.example != "" && errors.Is(c.err, spec.ErrNoExample) {
		return nil, &preferenceError{c.err}
	}
	return c, c.err
}

func statuses(op *spec.Operation) string {
	out := make([]string, 0, len(op.Responses))
	for _, r := range op.Responses {
		out = append(out, r.Status)
	}
	return strings.Join(out, ", ")
}

// static returns the cached response for a status ("" = default choice), media type ("" = first)
// and example name ("" = first), building it on first use. Errors are cached too.
func (st *opState) static(status, mediaType, name string) *cached {
	k := bodyKey{status, mediaType, name}
	if v, ok := st.cache.Load(k); ok {
		return v.(*cached)
	}
	var c *cached
	ex, err := st.op.Example(spec.ExampleQuery{Status: status, MediaType: mediaType, Name: name})
	if err != nil {
		c = &cached{err: err}
	} else {
		resp, _ := st.op.Response(ex.Status)
		if status == "" {
			resp, _, _ = st.op.DefaultResponse()
		} else if status == "default" {
			for _, r := range st.op.Responses {
				if r.Status == "default" {
					resp = r
				}
			}
		}
		c = newCached(st, ex, resp)
	}
	v, _ := st.cache.LoadOrStore(k, c)
	return v.(*cached)
}

func newCached(st *opState, ex *spec.Example, resp spec.Response) *cached {
	c := &cached{status: ex.Status, mediaType: ex.MediaType, body: ex.Body, generated: ex.Generated}
	if c.status == 0 {
		c.status = http.StatusOK
	}
	if ex.MediaType != "" {
		c.ctype = []string{ex.MediaType}
	}
	c.clen = []string{strconv.Itoa(len(ex.Body))}
	if isEventStream(ex.MediaType) {
		c.events = sseEvents(ex.Body)
	}
	c.headers = responseHeaders(st, resp, ex.Status)
	return c
}

func isEventStream(mt string) bool {
	return strings.EqualFold(strings.TrimSpace(mediaBase(mt)), "text/event-stream")
}

// responseHeaders gives every documented response header a value: its example, else one generated
// from its schema.
func responseHeaders(st *opState, resp spec.Response, status int) []header {
	if resp.Model == nil || resp.Model.Headers == nil {
		return nil
	}
	var out []header
	for h := resp.Model.Headers.First(); h != nil; h = h.Next() {
		name, hd := http.CanonicalHeaderKey(h.Key()), h.Value()
		switch name {
		case "Content-Type", "Content-Length", "X-Request-Id", "Transfer-Encoding", "Connection":
			continue
		}
		if hd == nil {
			continue
		}
		val, ok := "", false
		switch {
		case hd.Example != nil && hd.Example.Value != "":
			val, ok = hd.Example.Value, true
		case hd.Examples != nil && hd.Examples.Len() > 0 && hd.Examples.First().Value() != nil && hd.Examples.First().Value().Value != nil:
			val, ok = hd.Examples.First().Value().Value.Value, true
		case hd.Schema != nil && hd.Schema.Schema() != nil:
			b, err := st.op.Document().Generate(hd.Schema.Schema(), int64(status)+int64(len(name)))
			if err == nil {
				var s string
				if json.Unmarshal(b, &s) == nil {
					val = s
				} else {
					val = string(b)
				}
				ok = true
			}
		}
		if ok && !strings.ContainsAny(val, "\r\n") {
			out = append(out, header{name: name, vals: []string{val}})
		}
	}
	return out
}

// write sends a chosen response, applying the truncate and stream faults of d (which may be nil).
func (s *Server) write(w *recorder, r *http.Request, c *cached, d *fault.Decision) {
	h := w.Header()
	for _, hd := range c.headers {
		if _, set := h[hd.name]; !set {
			h[hd.name] = hd.vals
		}
	}
	if c.ctype != nil {
		h["Content-Type"] = c.ctype
	}
	if c.events != nil && r.Method != http.MethodHead {
		s.stream(w, r, c, d)
		return
	}
	bodyless := c.status == http.StatusNoContent || c.status == http.StatusNotModified || c.status < 200
	if !bodyless {
		h["Content-Length"] = c.clen
	}
	w.WriteHeader(c.status)
	if r.Method == http.MethodHead || bodyless {
		return
	}
	if d != nil && d.Kind == fault.KindTruncate {
		_, _ = w.Write(c.body[:len(c.body)/2])
		fault.Abort(w, false)
		return
	}
	_, _ = w.Write(c.body)
}

// faultResponse answers an error fault with a response the operation documents when it can: the
// fault's status, else the first documented 5xx, 4xx or default response.
func (s *Server) faultResponse(w *recorder, r *http.Request, st *opState, d fault.Decision) {
	status := d.StatusFor(documentedErrorStatus(st.op), http.StatusServiceUnavailable)
	if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
		ra := d.RetryAfter.Seconds()
		if ra < 1 {
			ra = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(int(ra)))
	}
	if st.responseIndex(status) >= 0 {
		if c := st.static(strconv.Itoa(status), "", ""); c.err == nil {
			s.write(w, r, c, nil)
			return
		}
	}
	s.fail(w, r, nil, &faultStatusError{status: status})
}

// documentedErrorStatus is the first documented 5xx, else 4xx, else 500 (for a default response or
// none at all).
func documentedErrorStatus(op *spec.Operation) int {
	for _, lo := range []int{500, 400} {
		for _, r := range op.Responses {
			if r.Status == "default" {
				continue
			}
			n := 0
			if len(r.Status) == 3 && (r.Status[1] == 'X' || r.Status[1] == 'x') {
				n = int(r.Status[0]-'0') * 100
			} else {
				n, _ = strconv.Atoi(r.Status)
			}
			if n >= lo && n < lo+100 {
				return n
			}
		}
	}
	return http.StatusInternalServerError
}
