package mockserver

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/sse"
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

// dataEvent is one "data:" event holding a JSON value, compacted onto one line.
func dataEvent(v []byte) []byte {
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		buf.Reset()
		buf.Write(v)
	}
	return sse.AppendEvent(nil, "", buf.Bytes())
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

// stream sends a text/event-stream response event by event, paced by the fault decision's TTFT and
// InterToken; halfway through, a stream_error, stream_drop or truncate fault breaks it.
func (s *Server) stream(w *recorder, r *http.Request, c *cached, d *fault.Decision) {
	var dec fault.Decision
	if d != nil {
		dec = *d
	}
	st := sse.Start(w, r, c.status, "", dec, s.closing)
	half := len(c.events) / 2
	for i, ev := range c.events {
		if !st.Wait(i) {
			return
		}
		if i == half && st.Break(func() { st.Event("error", []byte(streamErrorData)) }) {
			return
		}
		if !st.Write(ev) {
			return
		}
	}
}

// streamErrorData is the data of the "error" event a stream_error fault sends before it ends a spec
// mock's stream.
const streamErrorData = `{"error":{"message":"injected stream error","type":"server_error"}}`
