package mockserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/uuid"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

// bodyCtxKey carries a stateful request's body past validation, which consumes it.
type bodyCtxKey struct{}

// bufferBody reads the request body once (bounded by maxRequestBody) so the state can use it after
// validation; it is a no-op without Config.Stateful.
func (s *Server) bufferBody(r *http.Request) *http.Request {
	if s.state == nil || r.Body == nil || r.Body == http.NoBody {
		return r
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, maxRequestBody))
	if err != nil {
		return r
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return r.WithContext(context.WithValue(r.Context(), bodyCtxKey{}, data))
}

// serveState answers a paired operation from the state and reports whether it did; unpaired
// operations and non-JSON exchanges are left to the examples.
func (s *Server) serveState(w *recorder, r *http.Request, m *mount, st *opState, rest string) bool {
	if s.state == nil {
		return false
	}
	pr, ok := s.state.pairing(st.op)
	if !ok {
		return false
	}
	status, schema := successResponse(st.op)
	switch pr.role {
	case roleCreate:
		return s.stateCreate(w, r, m, st, rest, pr, status, schema)
	case roleList:
		return s.stateList(w, r, m, st, rest, status)
	}
	collection, id := splitItem(rest)
	key := stateKey(m.prefix, collection, id)
	stored, found := s.state.get(key)
	if pr.role == roleReplace && !found && st.responseIndex(http.StatusNotFound) < 0 {
		found, stored = true, &resource{key: key, collection: collection, id: id, body: map[string]any{}}
	}
	if !found {
		s.stateNotFound(w, r, st, collection, id)
		return true
	}
	switch pr.role {
	case roleRead:
		s.stateWrite(w, r, st, rest, status, stored.body)
	case roleDelete:
		s.state.remove(key)
		s.stateWrite(w, r, st, rest, status, nil)
	case roleReplace, rolePatch:
		in, ok := requestObject(r)
		if !ok {
			return false
		}
		next := in
		if pr.role == rolePatch {
			next = mergePatch(stored.body, in)
		}
		keepServerOwned(next, stored.body, schema)
		stored.body = withoutWriteOnly(next, schema)
		s.state.put(stored)
		s.stateWrite(w, r, st, rest, status, stored.body)
	}
	return true
}

func (s *Server) stateCreate(w *recorder, r *http.Request, m *mount, st *opState, rest string, pr pairing, status int, schema *base.Schema) bool {
	in, ok := requestObject(r)
	if !ok {
		return false
	}
	// Server-owned (readOnly) fields come from the documented example or the schema, the id is new,
	// and everything else comes from the request alone.
	body := map[string]any{}
	var example map[string]any
	if c := st.static(strconv.Itoa(status), "", ""); c.err == nil {
		_ = json.Unmarshal(c.body, &example)
	}
	for k, v := range example {
		if flag(propSchema(schema, k), readOnly) {
			body[k] = v
		}
	}
	for k, v := range in {
		if !flag(propSchema(schema, k), readOnly) {
			body[k] = v
		}
	}
	fillReadOnly(st.op.Document(), body, schema)
	field := idField(st.op, status, pr.param, schema)
	id := s.newStateID(propSchema(schema, field))
	body[field] = id.value
	body = withoutWriteOnly(body, schema)
	collection := strings.TrimRight(rest, "/")
	s.state.put(&resource{key: stateKey(m.prefix, collection, id.text), collection: m.prefix + collection, id: id.text, body: body})
	if documentsHeader(st.op, status, "Location") {
		w.Header().Set("Location", m.prefix+collection+"/"+url.PathEscape(id.text))
	}
	s.stateWrite(w, r, st, rest, status, body)
	return true
}

func (s *Server) stateList(w *recorder, r *http.Request, m *mount, st *opState, rest string, status int) bool {
	items := s.state.list(m.prefix, strings.TrimRight(rest, "/"))
	c := st.static(strconv.Itoa(status), "", "")
	if c.err != nil {
		return false
	}
	var doc any
	if json.Unmarshal(c.body, &doc) != nil {
		return false
	}
	list := make([]any, len(items))
	for i, it := range items {
		list[i] = it
	}
	switch d := doc.(type) {
	case []any:
		s.stateWriteValue(w, r, st, rest, status, list)
		return true
	case map[string]any:
		// An envelope: replace its first list and keep a total or count in step.
		for k, v := range d {
			if _, isList := v.([]any); isList {
				d[k] = list
				for _, n := range []string{"total", "count", "totalCount", "total_count"} {
					if _, ok := d[n].(float64); ok {
						d[n] = len(list)
					}
				}
				s.stateWriteValue(w, r, st, rest, status, d)
				return true
			}
		}
	}
	return false
}

// stateNotFound answers with the document's own 404 when it has one, else a problem document.
func (s *Server) stateNotFound(w *recorder, r *http.Request, st *opState, collection, id string) {
	if st.responseIndex(http.StatusNotFound) >= 0 {
		if c := st.static("404", "", ""); c.err == nil {
			s.write(w, r, c, nil)
			return
		}
	}
	s.fail(w, r, nil, fmt.Errorf("stateful mock: no resource %s in %s: %w", id, collection, spec.ErrOperationNotFound))
}

// stateWrite writes a stored resource (nil: no body).
func (s *Server) stateWrite(w *recorder, r *http.Request, st *opState, rest string, status int, body map[string]any) {
	var v any
	if body != nil {
		v = body
	}
	s.stateWriteValue(w, r, st, rest, status, v)
}

// stateWriteValue writes v as the JSON response of status after checking it against the document:
// a stored resource that the response schema refuses is a 500 problem naming the violation, never a
// silently wrong answer.
func (s *Server) stateWriteValue(w *recorder, r *http.Request, st *opState, rest string, status int, v any) {
	var data []byte
	h := http.Header{}
	if v != nil && status != http.StatusNoContent {
		var err error
		if data, err = json.Marshal(v); err != nil {
			s.fail(w, r, nil, fmt.Errorf("stateful mock: encode: %v", err))
			return
		}
		h.Set("Content-Type", "application/json")
	}
	vr := r.Clone(r.Context())
	vr.URL.Path, vr.URL.RawPath = rest, ""
	for k, vs := range w.Header() {
		h[k] = vs
	}
	if err := st.op.ValidateResponseParts(vr, status, h, data); err != nil {
		s.fail(w, r, nil, fmt.Errorf("stateful mock: %s %s: the stored resource does not fit the documented %d response: %v", r.Method, r.URL.Path, status, err))
		return
	}
	if data != nil {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead && data != nil {
		_, _ = w.Write(data)
	}
}

// successResponse is the operation's first documented 2xx status and its JSON schema (nil if none).
func successResponse(op *spec.Operation) (int, *base.Schema) {
	for _, resp := range op.Responses {
		n, err := strconv.Atoi(resp.Status)
		if resp.Status == "2XX" || resp.Status == "2xx" {
			n, err = http.StatusOK, nil
		}
		if err != nil || n < 200 || n > 299 {
			continue
		}
		return n, jsonSchema(resp)
	}
	return http.StatusOK, nil
}

func jsonSchema(resp spec.Response) *base.Schema {
	if resp.Model == nil || resp.Model.Content == nil {
		return nil
	}
	for mt, media := range resp.Model.Content.FromOldest() {
		if strings.Contains(mt, "json") && media.Schema != nil {
			return media.Schema.Schema()
		}
	}
	return nil
}

func requestObject(r *http.Request) (map[string]any, bool) {
	data, _ := r.Context().Value(bodyCtxKey{}).([]byte)
	var in map[string]any
	if len(data) == 0 || json.Unmarshal(data, &in) != nil || in == nil {
		return nil, false
	}
	return in, true
}

func splitItem(rest string) (collection, id string) {
	i := strings.LastIndexByte(rest, '/')
	id, err := url.PathUnescape(rest[i+1:])
	if err != nil {
		id = rest[i+1:]
	}
	return rest[:i], id
}

func documentsHeader(op *spec.Operation, status int, name string) bool {
	resp, ok := op.Response(status)
	if !ok {
		return false
	}
	for _, h := range resp.Headers {
		if strings.EqualFold(h, name) {
			return true
		}
	}
	return false
}

// mergePatch applies an RFC 7386 JSON merge patch.
func mergePatch(dst, patch map[string]any) map[string]any {
	out := deepCopy(dst)
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(out, k)
		case map[string]any:
			if cur, ok := out[k].(map[string]any); ok {
				out[k] = mergePatch(cur, pv)
			} else {
				out[k] = copyValue(pv)
			}
		default:
			out[k] = copyValue(pv)
		}
	}
	return out
}

// idValue is a new id as stored in the body and as it appears in paths.
type idValue struct {
	value any
	text  string
}

// newStateID makes an id fitting its schema: a UUID for format uuid, a number for integers, else the
// number as a string.
func (s *Server) newStateID(sch *base.Schema) idValue {
	if sch != nil && sch.Format == "uuid" {
		u := uuid.NewString()
		return idValue{u, u}
	}
	n := s.state.newID()
	if sch != nil && (hasType(sch, "integer") || hasType(sch, "number")) {
		return idValue{n, strconv.FormatUint(n, 10)}
	}
	t := strconv.FormatUint(n, 10)
	return idValue{t, t}
}
