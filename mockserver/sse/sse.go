// Package sse is the one Server-Sent Events writer of the mock server: the encoder, and a Stream that
// sends a streamed answer write by write with the pacing (time to first token, time between tokens)
// and the mid-stream faults (stream_error, stream_drop, truncate, stream_no_terminator) of a
// fault.Decision. The spec mocks and the provider mocks both stream through it.
package sse

import (
	"context"
	"errors"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// AppendEvent appends one event to buf: an "event:" line when event is not empty (line breaks in it
// are dropped) and one "data:" line per line of data (CR, LF and CRLF all break lines), then the
// blank line that dispatches it. A client joins the data lines back with "\n".
func AppendEvent(buf []byte, event string, data []byte) []byte {
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

// errBroken is the Err of a stream a fault broke on purpose.
var errBroken = errors.New("stream broken by an injected fault")

// Stream is one streamed answer in progress. Build it with Start; it is not safe for concurrent use.
// After the first failed write (or the client going away) every method reports false.
type Stream struct {
	w    http.ResponseWriter
	rc   *http.ResponseController
	ctx  context.Context
	skip <-chan struct{}
	d    fault.Decision
	buf  []byte
	err  error
}

// Start writes status with the streaming headers (Cache-Control: no-cache, X-Accel-Buffering: no,
// and Content-Type when contentType is not empty; one already set on w is kept otherwise) and
// flushes them. d gives the pacing and the mid-stream fault; skip, when closed, makes every wait
// return at once (a server shutting down); nil never closes.
func Start(w http.ResponseWriter, r *http.Request, status int, contentType string, d fault.Decision, skip <-chan struct{}) *Stream {
	h := w.Header()
	if contentType != "" {
		h.Set("Content-Type", contentType)
	}
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(status)
	s := &Stream{w: w, rc: http.NewResponseController(w), ctx: r.Context(), skip: skip, d: d}
	s.flush()
	return s
}

// Err is the first error the stream met: a failed write or flush, or the request's context ending.
func (s *Stream) Err() error { return s.err }

func (s *Stream) flush() {
	if err := s.rc.Flush(); err != nil && !errors.Is(err, http.ErrNotSupported) && s.err == nil {
		s.err = err
	}
}

// Event writes one event (see AppendEvent) and flushes it.
func (s *Stream) Event(event string, data []byte) bool {
	s.buf = AppendEvent(s.buf[:0], event, data)
	return s.Write(s.buf)
}

// Write writes b as it is (an encoded event, a piece of a JSON array) and flushes it. It reports
// false, writing nothing, once the stream failed or the client went away.
func (s *Stream) Write(b []byte) bool {
	if s.err != nil {
		return false
	}
	if err := s.ctx.Err(); err != nil {
		s.err = err
		return false
	}
	if _, err := s.w.Write(b); err != nil {
		s.err = err
		return false
	}
	s.flush()
	return s.err == nil
}

// Wait paces token i: it waits the decision's TTFT before the first (i == 0) and its InterToken
// before the others (see fault.Sleep). It reports false when the client went away.
func (s *Stream) Wait(i int) bool {
	d := s.d.InterToken
	if i == 0 {
		d = s.d.TTFT
	}
	if !fault.Sleep(s.ctx, d, s.skip) {
		if s.err == nil {
			s.err = s.ctx.Err()
		}
		return false
	}
	return true
}

// Break applies the decision's mid-stream fault at the point the caller chose: under stream_error
// it calls sendError (which writes the provider's error event), under stream_drop or truncate it
// closes the connection after flushing what was sent (fault.Abort). It reports whether the stream
// was broken, in which case the caller stops; for any other decision it does nothing.
func (s *Stream) Break(sendError func()) bool {
	switch s.d.Kind {
	case fault.KindStreamError:
		sendError()
	case fault.KindStreamDrop, fault.KindTruncate:
		s.flush()
		fault.Abort(s.w, false)
	default:
		return false
	}
	if s.err == nil {
		s.err = errBroken
	}
	return true
}

// Terminate reports whether the closing terminator ("[DONE]", message_stop, ...) should be sent: it
// should, unless the decision is stream_no_terminator.
func (s *Stream) Terminate() bool { return s.d.Kind != fault.KindStreamNoTerminator }
