package providers

import (
	"encoding/json"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/sse"
)

// stream writes a streamed answer through the shared sse.Stream, which paces it and applies the
// mid-stream faults of its fault.Decision. In SSE mode it writes Server-Sent Events; in array mode
// (Gemini's streamGenerateContent without alt=sse) it writes the elements of one JSON array as they
// come.
type stream struct {
	p     *provider
	st    *sse.Stream
	array bool
	n     int // events written
	buf   []byte
}

// startStream writes the 200 status and streaming headers.
func (p *provider) startStream(w http.ResponseWriter, r *http.Request, d fault.Decision, array bool) *stream {
	ctype := "text/event-stream; charset=utf-8"
	if array {
		ctype = "application/json; charset=UTF-8"
	}
	return &stream{p: p, st: sse.Start(w, r, http.StatusOK, ctype, d, p.s.closing), array: array}
}

// send writes one event (v as JSON; a []byte is written as is) and flushes; it reports false once
// writing failed or the client went away.
func (st *stream) send(event string, v any) bool {
	if st.st.Err() != nil {
		return false
	}
	data, ok := v.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			return false
		}
	}
	if !st.array {
		return st.st.Event(event, data)
	}
	st.buf = st.buf[:0]
	if st.n == 0 {
		st.buf = append(st.buf, '[')
	} else {
		st.buf = append(st.buf, ",\r\n"...)
	}
	st.buf = append(st.buf, data...)
	st.n++
	return st.st.Write(st.buf)
}

// end finishes an array stream; SSE streams end when the handler returns.
func (st *stream) end() {
	if !st.array {
		return
	}
	if st.n == 0 {
		st.st.Write([]byte("[]"))
	} else {
		st.st.Write([]byte("]"))
	}
}

// deltas sends one event per token through send (see steps).
func (st *stream) deltas(toks []string, send func(tok string) bool, sendError func() bool) bool {
	return st.steps(len(toks), func(i int) bool { return send(toks[i]) }, sendError)
}

// steps sends n paced events, the i-th through send(i), paced by the stream (TTFT before the first,
// InterToken between the others). Halfway through it lets the stream break under a stream_error
// (sending sendError's event), stream_drop or truncate fault. It reports whether the stream should
// go on to its closing events.
func (st *stream) steps(n int, send func(i int) bool, sendError func() bool) bool {
	mid := (n + 1) / 2
	for i := range n {
		if !st.st.Wait(i) {
			st.p.s.log.Debug("provider stream: client went away", "provider", st.p.name)
			return false
		}
		if !send(i) {
			return false
		}
		if i+1 == mid && st.st.Break(func() { sendError() }) {
			return false
		}
	}
	return true
}

// terminate reports whether the closing terminator should be sent (not under stream_no_terminator).
func (st *stream) terminate() bool { return st.st.Terminate() }
