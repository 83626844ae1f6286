package providers

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	table "github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/mockserver/cassette"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/sse"
)

// Replay configures replaying (Config.Replay): every call under a provider's mount is answered
// from the cassette that matches it (cassette.Library.Match), byte for byte: the recorded status,
// headers (but Date, Content-Length and the hop-by-hop ones) and body or chunks. The faults of the
// fault set apply as to a generated answer: latency first, an error or reset instead of the
// cassette, and a stream cut, broken by an error event or left without its terminator halfway.
type Replay struct {
	// Cassettes are the recordings to serve; nil serves none (every call is unmatched).
	Cassettes *cassette.Library
	// Timing replays each chunk at its recorded offset from the start of the request, and a body
	// after its recorded time; false answers as fast as possible.
	Timing bool
	// Fallback answers an unmatched call with the generated mock answer; false answers it 404 in
	// the provider's error format, naming the closest cassette and what differs.
	Fallback bool
}

// base is the provider under an api (every api embeds one).
func (p *provider) base() *provider { return p }

// tapeMount is one provider mount the tape handler watches.
type tapeMount struct {
	prefix string // "/openai"
	row    table.Provider
	p      *provider
}

// withTape puts record or replay (cfg.Record wins when both are set) in front of next, the mocks'
// mux; with neither it is next.
func (s *Server) withTape(cfg Config, next http.Handler) http.Handler {
	if cfg.Record == nil && cfg.Replay == nil {
		return next
	}
	var mounts []tapeMount
	for _, row := range table.All() {
		if a, ok := s.newAPI(row).(interface{ base() *provider }); ok {
			mounts = append(mounts, tapeMount{prefix: row.MockMount, row: row, p: a.base()})
		}
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, m := range mounts {
			rest, ok := strings.CutPrefix(r.URL.Path, m.prefix)
			if !ok || !strings.HasPrefix(rest, "/") {
				continue
			}
			if cfg.Record != nil {
				if u := cfg.Record.Upstreams[m.row.Name]; u != nil {
					s.handleRecord(cfg.Record, m.p, u, w, r, rest)
					return
				}
				break
			}
			s.handleReplay(cfg.Replay, m.p, next, w, r, rest)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// handleReplay answers a call under p's mount (rest is its path after the mount) from its cassette.
func (s *Server) handleReplay(rp *Replay, p *provider, next http.Handler, w http.ResponseWriter, r *http.Request, rest string) {
	body, ok := p.readBody(w, r)
	if !ok {
		return
	}
	k := cassette.NewKey(p.name, r.Method, rest, r.URL.RawQuery, body)
	var c *cassette.Cassette
	if rp.Cassettes != nil {
		c = rp.Cassettes.Match(k)
	}
	if c == nil {
		if rp.Fallback {
			r.Body = io.NopCloser(bytes.NewReader(body))
			next.ServeHTTP(w, r)
			return
		}
		p.begin(w)
		p.writeError(w, apiError{Status: http.StatusNotFound, Message: unmatched(rp.Cassettes, k)})
		return
	}
	s.log.Debug("replay: cassette", "provider", p.name, "file", c.File())
	streaming := c.Response.Stream != ""
	d, ok := p.faults(w, r, k.Model, streaming)
	if !ok {
		return
	}
	start := time.Now()
	h := w.Header()
	copyHeaders(h, c.Response.Header)
	h.Del("Date")
	if streaming {
		s.replayStream(rp, p, d, w, r, c, start)
		return
	}
	if rp.Timing && !fault.Sleep(r.Context(), time.Duration(c.Response.ElapsedMS)*time.Millisecond, s.closing) {
		return
	}
	body = c.Response.BodyBytes()
	if d.Kind == fault.KindTruncate || d.Kind == fault.KindStreamDrop {
		cutBody(w, c.Response.Status, body)
		return
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(c.Response.Status)
	_, _ = w.Write(body)
	if c.Response.Error != "" {
		fault.Abort(w, false) // the upstream broke off here
	}
}

// unmatched is the message of a call no cassette answers: what was asked, and the closest cassette
// with what differs.
func unmatched(lib *cassette.Library, k cassette.Key) string {
	msg := fmt.Sprintf("no cassette matches %s %s", k.Method, k.Path)
	if k.Model != "" {
		msg += fmt.Sprintf(" (model %s)", k.Model)
	}
	if lib == nil {
		return msg + ": no cassettes are loaded"
	}
	c, why := lib.Closest(k)
	if c == nil {
		return msg + ": " + why
	}
	return fmt.Sprintf("%s; the closest is %s: %s", msg, c.File(), why)
}

// replayStream writes a recorded stream chunk by chunk, flushed, at the recorded offsets from start
// when rp.Timing is set, through the shared sse.Stream so the decision's pacing and mid-stream
// fault apply: halfway, stream_error sends the provider's error event and stream_drop or truncate
// cut the connection; stream_no_terminator leaves out the last event (of a JSON array, the last
// element, keeping the closing bracket).
func (s *Server) replayStream(rp *Replay, p *provider, d fault.Decision, w http.ResponseWriter, r *http.Request, c *cassette.Cassette, start time.Time) {
	chunks := c.Response.Chunks
	array := c.Response.Stream == cassette.StreamJSONArray
	st := &stream{p: p, array: array, st: sse.Start(keepHeaders{w, c.Response.Header}, r, c.Response.Status, "", d, s.closing)}
	skip := -1
	if !st.terminate() {
		skip = len(chunks) - 1
		if array {
			skip = len(chunks) - 2
		}
	}
	mid := (len(chunks) + 1) / 2
	for i, ch := range chunks {
		if rp.Timing && !fault.Sleep(r.Context(), time.Until(start.Add(time.Duration(ch.OffsetMS)*time.Millisecond)), s.closing) {
			return
		}
		if !st.st.Wait(i) {
			return
		}
		if i != skip && !st.st.Write(ch.Bytes()) {
			return
		}
		if i+1 == mid {
			st.n = i + 1 // an error element follows the ones written
			if st.st.Break(func() { p.streamError(st) }) {
				return
			}
		}
	}
	if c.Response.Error != "" {
		fault.Abort(w, false) // the upstream broke off here
	}
}

// streamError sends the provider's mid-stream error event, as its generated streams do under
// stream_error.
func (p *provider) streamError(st *stream) bool {
	switch p.name {
	case table.Anthropic:
		return st.send("error", anthropicError(529, p.msgOverloaded))
	case table.Gemini:
		return st.send("", geminiError(http.StatusInternalServerError, p.msgFail))
	}
	return st.send("", map[string]any{"error": map[string]any{"message": p.msgFail, "type": "server_error", "param": nil, "code": nil}})
}

// keepHeaders puts the recorded Cache-Control and X-Accel-Buffering back after sse.Start set its
// own, so a replayed stream's headers are the recorded ones.
type keepHeaders struct {
	http.ResponseWriter
	recorded http.Header
}

func (k keepHeaders) WriteHeader(code int) {
	for _, name := range []string{"Cache-Control", "X-Accel-Buffering"} {
		if vs, ok := k.recorded[name]; ok {
			k.Header()[name] = vs
		} else {
			k.Header().Del(name)
		}
	}
	k.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (k keepHeaders) Unwrap() http.ResponseWriter { return k.ResponseWriter }
