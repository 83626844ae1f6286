package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// sseEvents turns a text/event-stream example into wire-ready events, each ending in a blank line.
// A JSON array becomes one "data:" event per element, another JSON value one event, and text is split
// at blank lines, lines that are not SSE fields becoming data lines.
func sseEvents(body []byte) [][]byte {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return [][]byte{}
	}
	if trimmed[0] == '[' || trimmed[0] == '{' {
		var items []json.RawMessage
		if trimmed[0] == '[' && json.Unmarshal(trimmed, &items) == nil {
			out := make([][]byte, 0, len(items))
			for _, it := range items {
				out = append(out, dataEvent(it))
			}
			return out
		}
		if json.Valid(trimmed) {
			return [][]byte{dataEvent(trimmed)}
		}
	}
	text := bytes.ReplaceAll(trimmed, []byte("\r\n"), []byte("\n"))
	text = bytes.ReplaceAll(text, []byte("\r"), []byte("\n"))
	var out [][]byte
	for _, chunk := range bytes.Split(text, []byte("\n\n")) {
		var ev []byte
		for _, line := range bytes.Split(chunk, []byte("\n")) {
			if len(bytes.TrimSpace(line)) == 0 {
				continue
			}
			if !isField(line) {
				ev = append(ev, "data: "...)
			}
			ev = append(ev, line...)
			ev = append(ev, '\n')
		}
		if len(ev) > 0 {
			out = append(out, append(ev, '\n'))
		}
	}
	return out
}

func dataEvent(v []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		buf.Reset()
		buf.Write(v)
	}
	compact := bytes.ReplaceAll(buf.Bytes(), []byte("\n"), []byte("\ndata: "))
	ev := make([]byte, 0, len(compact)+8)
	ev = append(ev, "data: "...)
	ev = append(ev, compact...)
	return append(ev, '\n', '\n')
}

func isField(line []byte) bool {
	if line[0] == ':' {
		return true
	}
	for _, f := range [...]string{"data:", "event:", "id:", "retry:"} {
		if bytes.HasPrefix(line, []byte(f)) {
			return true
		}
	}
	return false
}

// streamOptions shape how events are sent: the gap between them and how the stream ends.
type streamOptions struct {
	gap   time.Duration
	first time.Duration
	kind  fault.Kind // stream_error, stream_drop, truncate or none
}

// flushWriter is what writeEvents needs of a response.
type flushWriter interface {
	Write([]byte) (int, error)
	Flush()
}

// writeEvents sends events one at a time, flushing after each, waiting opts.gap between them (no
// wait once stop is closed). It returns how many events went out and stops early with false when
// the client goes away or a stream fault ends it.
func writeEvents(w flushWriter, events [][]byte, opts streamOptions, done, stop <-chan struct{}) (int, bool) {
	half := len(events) / 2
	for i, ev := range events {
		wait := opts.gap
		if i == 0 {
			wait = opts.first
		}
		if wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-t.C:
			case <-stop:
			case <-done:
				t.Stop()
				return i, false
			}
			t.Stop()
		}
		if i == half && opts.kind != fault.KindNone {
			switch opts.kind {
			case fault.KindStreamError:
				_, _ = w.Write([]byte("event: error\ndata: {\"error\":{\"message\":\"injected stream error\",\"type\":\"server_error\"}}\n\n"))
				w.Flush()
				return i, false
			case fault.KindStreamDrop, fault.KindTruncate:
				return i, false
			}
		}
		if _, err := w.Write(ev); err != nil {
			return i, false
		}
		w.Flush()
	}
	return len(events), true
}

// stream sends a text/event-stream response event by event.
func (s *Server) stream(w *recorder, r *http.Request, c *cached, d *fault.Decision) {
	h := w.Header()
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(c.status)
	w.Flush()
	opts := streamOptions{}
	if d != nil {
		opts.gap, opts.first = d.InterToken, d.TTFT
		switch d.Kind {
		case fault.KindStreamError, fault.KindStreamDrop, fault.KindTruncate:
			opts.kind = d.Kind
		}
	}
	if _, ok := writeEvents(w, c.events, opts, r.Context().Done(), s.closing); !ok && (opts.kind == fault.KindStreamDrop || opts.kind == fault.KindTruncate) {
		s.reset(w, false)
	}
}
