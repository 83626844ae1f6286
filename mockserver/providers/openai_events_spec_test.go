package providers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/ultra-kit/ultra/spec"
)

// sseEvent is one event of an SSE body as the official SDK's decoder reads it.
type sseEvent struct {
	Name string
	Data []byte
}

// readSSE decodes body with openai-go's SSE decoder.
func readSSE(tb testing.TB, body []byte) []sseEvent {
	tb.Helper()
	res := &http.Response{Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(bytes.NewReader(body))}
	dec := ssestream.NewDecoder(res)
	var out []sseEvent
	for dec.Next() {
		out = append(out, sseEvent{Name: dec.Event().Type, Data: bytes.Clone(dec.Event().Data)})
	}
	if err := dec.Err(); err != nil {
		tb.Fatalf("decode stream: %v", err)
	}
	return out
}

// eventSchemas validates Responses API stream events against the per-event schemas of OpenAI's
// document: the event type → component table is read from the ResponseStreamEvent union.
type eventSchemas struct {
	doc      *spec.Document
	names    map[string]string // event type → component name
	compiled map[string]*spec.Schema
}

func mustEventSchemas(tb testing.TB, doc *spec.Document) *eventSchemas {
	tb.Helper()
	union, ok := doc.Model().Components.Schemas.Get("ResponseStreamEvent")
	if !ok {
		tb.Fatal("the document has no components/schemas/ResponseStreamEvent")
	}
	es := &eventSchemas{doc: doc, names: map[string]string{}, compiled: map[string]*spec.Schema{}}
	for _, p := range union.Schema().AnyOf {
		name := strings.TrimPrefix(p.GetReference(), "#/components/schemas/")
		s := p.Schema()
		if s == nil || s.Properties == nil {
			continue
		}
		if tp, ok := s.Properties.Get("type"); ok && tp.Schema() != nil && len(tp.Schema().Enum) == 1 {
			es.names[tp.Schema().Enum[0].Value] = name
		}
	}
	if len(es.names) < 40 {
		tb.Fatalf("expected the ResponseStreamEvent union to name some 50 event types, read %d", len(es.names))
	}
	return es
}

// validate checks one event's data against the schema its type names.
func (es *eventSchemas) validate(data []byte) error {
	var head struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return fmt.Errorf("event data is not a JSON object: %v", err)
	}
	name, ok := es.names[head.Type]
	if !ok {
		return fmt.Errorf("event type %q is not in ResponseStreamEvent", head.Type)
	}
	s, ok := es.compiled[name]
	if !ok {
		var err error
		if s, err = es.doc.ComponentSchema(name); err != nil {
			return err
		}
		es.compiled[name] = s
	}
	if err := s.Validate(data); err != nil {
		return fmt.Errorf("%s does not match %s: %w", head.Type, name, err)
	}
	return nil
}

// respEvent is the part of a Responses stream event the sequence checks read.
type respEvent struct {
	Type           string          `json:"type"`
	SequenceNumber int             `json:"sequence_number"`
	ItemID         string          `json:"item_id"`
	Delta          string          `json:"delta"`
	Text           string          `json:"text"`
	Arguments      string          `json:"arguments"`
	Response       json.RawMessage `json:"response"`
}

// checkEvents returns every problem of a Responses stream: an event that does not validate against
// its schema, an SSE name other than its type, sequence numbers other than 0, 1, 2…, an event order
// (consecutive repeats folded) other than want, and deltas that do not add up to their done event.
func (es *eventSchemas) checkEvents(events []sseEvent, want []string) []error {
	var errs []error
	var types []string
	deltas := map[string]string{}
	for i, ev := range events {
		if err := es.validate(ev.Data); err != nil {
			errs = append(errs, fmt.Errorf("event %d: %w", i, err))
		}
		var e respEvent
		if err := json.Unmarshal(ev.Data, &e); err != nil {
			continue
		}
		if ev.Name != e.Type {
			errs = append(errs, fmt.Errorf("event %d: SSE name %q, type %q", i, ev.Name, e.Type))
		}
		if e.SequenceNumber != i {
			errs = append(errs, fmt.Errorf("event %d: sequence_number %d", i, e.SequenceNumber))
		}
		if n := len(types); n == 0 || types[n-1] != e.Type {
			types = append(types, e.Type)
		}
		switch e.Type {
		case "response.output_text.delta", "response.function_call_arguments.delta":
			deltas[e.ItemID] += e.Delta
		case "response.output_text.done", "response.function_call_arguments.done":
			if done := e.Text + e.Arguments; deltas[e.ItemID] != done {
				errs = append(errs, fmt.Errorf("event %d: deltas of %s add up to %q, done says %q", i, e.ItemID, deltas[e.ItemID], done))
			}
		}
	}
	if strings.Join(types, " ") != strings.Join(want, " ") {
		errs = append(errs, fmt.Errorf("expected events\n%v\ngot\n%v", want, types))
	}
	return errs
}

// The event orders of a streamed text answer and of one streamed function call, as the issue and
// OpenAI's streaming guide list them.
var (
	textEvents = []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
		"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
	callEvents = []string{"response.created", "response.in_progress", "response.output_item.added",
		"response.function_call_arguments.delta", "response.function_call_arguments.done", "response.output_item.done", "response.completed"}
)

// checkResponseStream streams body from /openai/v1/responses, checks its events, then GETs the stored
// response by the id response.created gave and validates it against the document's GET response.
func checkResponseStream(t *testing.T, srv *httptest.Server, doc *spec.Document, es *eventSchemas, body map[string]any, want []string) {
	events := streamResponses(t, srv, body)
	for _, err := range es.checkEvents(events, want) {
		t.Error(err)
	}
	var first, last respEvent
	_ = json.Unmarshal(events[0].Data, &first)
	_ = json.Unmarshal(events[len(events)-1].Data, &last)
	id, _ := decode(t, first.Response)["id"].(string)
	if lastID, _ := decode(t, last.Response)["id"].(string); id == "" || lastID != id {
		t.Fatalf("expected response.created and response.completed to carry one id, got %q and %q", id, lastID)
	}
	path := "/responses/" + id
	req, _ := http.NewRequestWithContext(t.Context(), "GET", srv.URL+"/openai/v1"+path, nil)
	req.Header.Set("Authorization", "Bearer sk-test")
	got, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer got.Body.Close()
	stored, _ := io.ReadAll(got.Body)
	if got.StatusCode != 200 || !jsonEqual(t, stored, string(last.Response)) {
		t.Errorf("expected GET %s to answer the completed response, got %d %s", path, got.StatusCode, stored)
	}
	got.Body = io.NopCloser(bytes.NewReader(stored))
	rel := httptest.NewRequest("GET", path, nil)
	rel.Header = req.Header.Clone()
	if err := doc.ValidateResponse(rel, got); err != nil {
		t.Errorf("GET %s does not match the document: %v", path, err)
	}
}

// streamResponses POSTs body to /openai/v1/responses and returns the events of the 200 stream.
func streamResponses(t *testing.T, srv *httptest.Server, body map[string]any) []sseEvent {
	t.Helper()
	resp, data := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/responses", body, map[string]string{"Authorization": "Bearer sk-test"})
	if resp.StatusCode != 200 {
		t.Fatalf("expected 200, got %d: %s", resp.StatusCode, data)
	}
	return readSSE(t, data)
}

// checkBrokenEventsFail breaks a valid text stream in the ways a mock could get wrong and expects
// checkEvents to name each.
func checkBrokenEventsFail(t *testing.T, srv *httptest.Server, es *eventSchemas, body map[string]any) {
	good := streamResponses(t, srv, body)
	if errs := es.checkEvents(good, textEvents); len(errs) != 0 {
		t.Fatalf("expected the unbroken stream to pass, got %v", errs)
	}
	delta := -1
	for i, ev := range good {
		if ev.Name == "response.output_text.delta" {
			delta = i
			break
		}
	}
	if delta < 0 {
		t.Fatal("the stream has no output_text.delta")
	}
	edit := func(i int, f func(map[string]any)) []sseEvent {
		out := append([]sseEvent(nil), good...)
		m := decode(t, out[i].Data)
		f(m)
		out[i].Data, _ = json.Marshal(m)
		return out
	}
	cases := []struct {
		name   string
		events []sseEvent
		want   string // in one of the errors
	}{
		{"NoSequenceNumber", edit(delta, func(m map[string]any) { delete(m, "sequence_number") }), "ResponseTextDeltaEvent"},
		{"DeltaNotString", edit(delta, func(m map[string]any) { m["delta"] = 7 }), "ResponseTextDeltaEvent"},
		{"UnknownType", edit(delta, func(m map[string]any) { m["type"] = "response.output_text.delt" }), "not in ResponseStreamEvent"},
		{"CreatedWithoutResponse", edit(0, func(m map[string]any) { delete(m, "response") }), "ResponseCreatedEvent"},
		{"NoCompleted", good[:len(good)-1], "expected events"},
		{"DeltasDiffer", edit(delta, func(m map[string]any) { m["delta"] = "changed" }), "add up to"},
		{"SequenceGap", edit(delta, func(m map[string]any) { m["sequence_number"] = 99 }), "sequence_number 99"},
	}
	for _, c := range cases {
		errs := es.checkEvents(c.events, textEvents)
		if !strings.Contains(fmt.Sprint(errs), c.want) {
			t.Errorf("%s: expected an error mentioning %q, got %v", c.name, c.want, errs)
		}
	}
}

// checkResponsesStreams validates streamed Responses (text, function call, json_schema, cut short,
// broken by a stream_error fault) event by event, and that broken events fail the check.
func checkResponsesStreams(t *testing.T, srv *httptest.Server, doc *spec.Document) {
	es := mustEventSchemas(t, doc)
	weather := map[string]any{"type": "function", "name": "get_weather", "strict": true, "parameters": json.RawMessage(weatherSchema)}
	responseStreams := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"ResponsesStreamText", map[string]any{"model": "gpt-4o", "instructions": "Be brief.", "input": "Hello!", "stream": true}, textEvents},
		{"ResponsesStreamFunctionCall", map[string]any{"model": "gpt-4o", "tool_choice": "required", "parallel_tool_calls": false, "stream": true,
			"input": []any{map[string]any{"role": "user", "content": "weather"}}, "tools": []any{weather}}, callEvents},
		{"ResponsesStreamJSONSchema", map[string]any{"model": "gpt-4o", "input": "order", "stream": true,
			"text": map[string]any{"format": map[string]any{"type": "json_schema", "name": "order", "strict": true, "schema": json.RawMessage(orderSchema)}}}, textEvents},
		{"ResponsesStreamIncomplete", map[string]any{"model": "gpt-4o", "input": "Compare the two proposals", "max_output_tokens": 16, "stream": true},
			append(textEvents[:len(textEvents)-1:len(textEvents)-1], "response.incomplete")},
	}
	for _, rs := range responseStreams {
		t.Run(rs.name, func(t *testing.T) { checkResponseStream(t, srv, doc, es, rs.body, rs.want) })
	}
	t.Run("ResponsesStreamErrorEvent", func(t *testing.T) {
		events := streamResponses(t, srv, map[string]any{"model": "gpt-broken", "input": "Hello!", "stream": true})
		for i, ev := range events {
			if err := es.validate(ev.Data); err != nil {
				t.Errorf("event %d: %v", i, err)
			}
		}
		if last := events[len(events)-1]; last.Name != "error" {
			t.Errorf("expected the stream_error fault to end the stream with an error event, got %s", last.Name)
		}
	})
	t.Run("BrokenResponsesEventsFail", func(t *testing.T) { checkBrokenEventsFail(t, srv, es, responseStreams[0].body) })
}
