package providers

import (
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// appendEvent appends one Server-Sent Event to buf: an "event:" line when event is not empty (line
// breaks in it are dropped) and one "data:" line per line of data (CR, LF and CRLF all break lines),
// then the blank line that dispatches it. A client joins the data lines back with "\n".
func appendEvent(buf []byte, event string, data []byte) []byte {
	if event != "" {
		buf = append(buf, "event: "...)
		for i := 0; i < len(event); i++ {
			if c := event[i]; c != '\n' && c != '\r' {
				buf = append(buf, c)
			}
		}
		buf = append(buf, '\n')
	}
	for {
		buf = append(buf, "data: "...)
		i := indexLineBreak(data)
		if i < 0 {
			buf = append(buf, data...)
			buf = append(buf, '\n')
			break
		}
		buf = append(buf, data[:i]...)
		buf = append(buf, '\n')
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return append(buf, '\n')
}

func indexLineBreak(b []byte) int {
	for i, c := range b {
		if c == '\n' || c == '\r' {
			return i
		}
	}
	return -1
}

// writeEvent writes one event to w in a single Write (see appendEvent).
func writeEvent(w io.Writer, event string, data []byte) error {
	_, err := w.Write(appendEvent(nil, event, data))
	return err
}

// stream writes a streamed answer event by event, flushing each, with the pacing and mid-stream
// faults of its fault.Decision. In SSE mode it writes Server-Sent Events; in array mode (Gemini's
// streamGenerateContent without alt=sse) it writes the elements of one JSON array as they come.
type stream struct {
	p     *provider
	w     http.ResponseWriter
	r     *http.Request
	rc    *http.ResponseController
	d     fault.Decision
	array bool
	n     int // events written
	buf   []byte
	err   error
}

// startStream writes the 200 status and streaming headers.
func (p *provider) startStream(w http.ResponseWriter, r *http.Request, d fault.Decision, array bool) *stream {
	h := w.Header()
	if array {
		h.Set("Content-Type", "application/json; charset=UTF-8")
	} else {
		h.Set("Content-Type", "text/event-stream; charset=utf-8")
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	st := &stream{p: p, w: w, r: r, rc: http.NewResponseController(w), d: d, array: array}
	st.flush()
	return st
}

func (st *stream) flush() {
	if err := st.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) && st.err == nil {
		st.err = err
	}
}

// send writes one event (v as JSON; a []byte is written as is) and flushes; it reports false once
// writing failed or the client went away.
func (st *stream) send(event string, v any) bool {
	if st.err != nil {
		return false
	}
	if err := st.r.Context().Err(); err != nil {
		st.err = err
		return false
	}
	data, ok := v.([]byte)
	if !ok {
		var err error
		if data, err = json.Marshal(v); err != nil {
			st.err = err
			return false
		}
	}
	st.buf = st.buf[:0]
	if st.array {
		if st.n == 0 {
			st.buf = append(st.buf, '[')
		} else {
			st.buf = append(st.buf, ",\r\n"...)
		}
		st.buf = append(st.buf, data...)
	} else {
		st.buf = appendEvent(st.buf, event, data)
	}
	st.n++
	if _, err := st.w.Write(st.buf); err != nil {
		st.err = err
		return false
	}
	st.flush()
	return st.err == nil
}

// end finishes an array stream; SSE streams end when the handler returns.
func (st *stream) end() {
	if st.array && st.err == nil {
		if st.n == 0 {
			_, st.err = io.WriteString(st.w, "[]")
		} else {
			_, st.err = io.WriteString(st.w, "]")
		}
		st.flush()
	}
}

// deltas sends one event per token through send, waiting TTFT before the first and InterToken between
// the others. Halfway through it applies a stream_error (sending sendError's event), stream_drop or
// truncate fault. It reports whether the stream should go on to its closing events.
func (st *stream) deltas(toks []string, send func(tok string) bool, sendError func() bool) bool {
	mid := (len(toks) + 1) / 2
	for i, tok := range toks {
		wait := st.d.InterToken
		if i == 0 {
			wait = st.d.TTFT
		}
		if !st.p.s.sleep(st.r, wait) {
			st.p.s.log.Debug("provider stream: client went away", "provider", st.p.name)
			return false
		}
		if !send(tok) {
			return false
		}
		if i+1 == mid {
			switch st.d.Kind {
			case fault.KindStreamError:
				sendError()
				return false
			case fault.KindStreamDrop, fault.KindTruncate:
				st.flush()
				abort(st.w, false)
				return false
			}
		}
	}
	return true
}

// terminate reports whether the closing terminator should be sent (not under stream_no_terminator).
func (st *stream) terminate() bool { return st.d.Kind != fault.KindStreamNoTerminator }

// abort closes the client connection without finishing the response: a TCP reset when reset is true,
// a plain close otherwise. For a plain close anything written before is flushed first; a reset sends
// nothing at all. When the connection cannot be
// hijacked (HTTP/2) it aborts the handler with http.ErrAbortHandler, which net/http turns into a
// stream reset without logging.
func abort(w http.ResponseWriter, reset bool) {
	rc := http.NewResponseController(w)
	if !reset {
		_ = rc.Flush()
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}
