package providers

import (
	"encoding/json"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// responseObject is a Responses API response (object "response").
type responseObject struct {
	ID                 string          `json:"id"`
	Object             string          `json:"object"`
	CreatedAt          int64           `json:"created_at"`
	Status             string          `json:"status"`
	CompletedAt        *int64          `json:"completed_at"`
	Error              *struct{}       `json:"error"`
	IncompleteDetails  *incomplete     `json:"incomplete_details"`
	Instructions       *string         `json:"instructions"`
	MaxOutputTokens    *int            `json:"max_output_tokens"`
	Model              string          `json:"model"`
	Output             []responseItem  `json:"output"`
	ParallelToolCalls  bool            `json:"parallel_tool_calls"`
	PreviousResponseID *string         `json:"previous_response_id"`
	Store              bool            `json:"store"`
	Temperature        float64         `json:"temperature"`
	Text               json.RawMessage `json:"text"`
	ToolChoice         json.RawMessage `json:"tool_choice"`
	Tools              json.RawMessage `json:"tools"`
	TopP               float64         `json:"top_p"`
	Truncation         string          `json:"truncation"`
	Usage              *responseUsage  `json:"usage,omitempty"` // absent while in progress (the schema has no null)
	Metadata           map[string]any  `json:"metadata"`
}

type incomplete struct {
	Reason string `json:"reason"`
}

// responseItem is an output item: a message or a function_call.
type responseItem struct {
	Type    string         `json:"type"`
	ID      string         `json:"id"`
	Status  string         `json:"status"`
	Role    string         `json:"role,omitempty"`
	Content []responsePart `json:"content,omitzero"` // nil for a function_call, [] for a message still empty
	// function_call
	CallID    string  `json:"call_id,omitempty"`
	Name      string  `json:"name,omitempty"`
	Arguments *string `json:"arguments,omitempty"` // "" while a call is being streamed
}

type responsePart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
	Logprobs    []any  `json:"logprobs"`
}

type responseUsage struct {
	InputTokens         int            `json:"input_tokens"`
	InputTokensDetails  map[string]int `json:"input_tokens_details"`
	OutputTokens        int            `json:"output_tokens"`
	OutputTokensDetails map[string]int `json:"output_tokens_details"`
	TotalTokens         int            `json:"total_tokens"`
}

// orJSON is raw, or def when raw is absent.
func orJSON(raw json.RawMessage, def string) json.RawMessage {
	if isNull(raw) {
		return json.RawMessage(def)
	}
	return raw
}

// newResponse builds the completed response to q.
func (a openaiAPI) newResponse(q responsesAsk, rep reply) responseObject {
	created := createdNow()
	resp := responseObject{
		ID: a.s.newID("resp_"), Object: "response", CreatedAt: created, Status: "completed", CompletedAt: &created,
		Instructions: q.req.Instructions, MaxOutputTokens: q.req.MaxOutputTokens, Model: q.model,
		ParallelToolCalls: q.choice.parallel, Store: q.req.Store == nil || *q.req.Store, Temperature: 1, TopP: 1,
		Text: json.RawMessage(`{"format":{"type":"text"}}`), ToolChoice: orJSON(q.req.ToolChoice, `"auto"`),
		Tools: orJSON(q.req.Tools, `[]`), Truncation: "disabled", Metadata: map[string]any{},
	}
	if q.req.Text != nil && !isNull(q.req.Text.Format) {
		resp.Text, _ = json.Marshal(map[string]json.RawMessage{"format": q.req.Text.Format})
	}
	for _, c := range rep.calls {
		args := string(c.args)
		resp.Output = append(resp.Output, responseItem{Type: "function_call", ID: a.s.newID("fc_"), Status: "completed",
			CallID: a.s.newID("call_"), Name: c.name, Arguments: &args})
	}
	if len(rep.calls) == 0 {
		resp.Output = []responseItem{{Type: "message", ID: a.s.newID("msg_"), Status: "completed", Role: "assistant",
			Content: []responsePart{{Type: "output_text", Text: rep.text, Annotations: []any{}, Logprobs: []any{}}}}}
	}
	if rep.cut {
		resp.Status, resp.CompletedAt = "incomplete", nil
		resp.IncompleteDetails = &incomplete{Reason: "max_output_tokens"}
		resp.Output[0].Status = "incomplete"
	}
	in, out := Tokens(q.conv.all+anthropicToolText(q.tools)), Tokens(rep.completionText())
	resp.Usage = &responseUsage{InputTokens: in, OutputTokens: out, TotalTokens: in + out,
		InputTokensDetails: map[string]int{"cached_tokens": 0, "cache_write_tokens": 0}, OutputTokensDetails: map[string]int{"reasoning_tokens": 0}}
	return resp
}

// responseEvent is one streamed Responses API event; the SSE event name is its type.
type responseEvent struct {
	Type           string          `json:"type"`
	SequenceNumber int             `json:"sequence_number"`
	Response       *responseObject `json:"response,omitempty"`
	OutputIndex    *int            `json:"output_index,omitempty"`
	Item           *responseItem   `json:"item,omitempty"`
	ItemID         string          `json:"item_id,omitempty"`
	ContentIndex   *int            `json:"content_index,omitempty"`
	Part           *responsePart   `json:"part,omitempty"`
	Delta          *string         `json:"delta,omitempty"`
	Text           *string         `json:"text,omitempty"`
	Arguments      *string         `json:"arguments,omitempty"`
	Name           string          `json:"name,omitempty"`
	Logprobs       []any           `json:"logprobs,omitzero"` // [] on text delta and done events, which require it
}

// itemEvents lists the events streaming output item i: output_item.added, then for a message
// content_part.added, output_text.delta..., output_text.done and content_part.done, for a
// function call function_call_arguments.delta... and .done, then output_item.done.
func itemEvents(i int, it responseItem) []responseEvent {
	oi, zero := i, 0
	pending := it
	pending.Status = "in_progress"
	evs := []responseEvent{}
	if it.Type == "function_call" {
		none := ""
		pending.Arguments = &none
		evs = append(evs, responseEvent{Type: "response.output_item.added", OutputIndex: &oi, Item: &pending})
		for _, p := range argPieces(*it.Arguments) {
			evs = append(evs, responseEvent{Type: "response.function_call_arguments.delta", ItemID: it.ID, OutputIndex: &oi, Delta: &p})
		}
		evs = append(evs, responseEvent{Type: "response.function_call_arguments.done", ItemID: it.ID, OutputIndex: &oi, Arguments: it.Arguments, Name: it.Name})
	} else {
		pending.Content = []responsePart{}
		part := it.Content[0]
		empty := responsePart{Type: "output_text", Text: "", Annotations: []any{}, Logprobs: []any{}}
		evs = append(evs, responseEvent{Type: "response.output_item.added", OutputIndex: &oi, Item: &pending},
			responseEvent{Type: "response.content_part.added", ItemID: it.ID, OutputIndex: &oi, ContentIndex: &zero, Part: &empty})
		for _, tok := range tokens(part.Text) {
			evs = append(evs, responseEvent{Type: "response.output_text.delta", ItemID: it.ID, OutputIndex: &oi, ContentIndex: &zero, Delta: &tok, Logprobs: []any{}})
		}
		text := part.Text
		evs = append(evs, responseEvent{Type: "response.output_text.done", ItemID: it.ID, OutputIndex: &oi, ContentIndex: &zero, Text: &text, Logprobs: []any{}},
			responseEvent{Type: "response.content_part.done", ItemID: it.ID, OutputIndex: &oi, ContentIndex: &zero, Part: &part})
	}
	done := it
	return append(evs, responseEvent{Type: "response.output_item.done", OutputIndex: &oi, Item: &done})
}

// streamResponse streams full as response.created, response.in_progress, each output item's
// events, and response.completed (response.incomplete when cut). Faults pace and break the item
// events; stream_no_terminator drops the final event.
func (a openaiAPI) streamResponse(w http.ResponseWriter, r *http.Request, d fault.Decision, full responseObject) {
	pending := full
	pending.Status, pending.Output, pending.Usage, pending.CompletedAt, pending.IncompleteDetails = "in_progress", []responseItem{}, nil, nil, nil
	var paced []responseEvent
	for i, it := range full.Output {
		paced = append(paced, itemEvents(i, it)...)
	}
	seq := 0
	st := a.startStream(w, r, d, false)
	send := func(ev responseEvent) bool {
		ev.SequenceNumber = seq
		seq++
		return st.send(ev.Type, ev)
	}
	if !send(responseEvent{Type: "response.created", Response: &pending}) || !send(responseEvent{Type: "response.in_progress", Response: &pending}) {
		return
	}
	more := st.steps(len(paced), func(i int) bool { return send(paced[i]) }, func() bool {
		return st.send("error", map[string]any{"type": "error", "sequence_number": seq, "code": "server_error", "message": a.msgFail, "param": nil})
	})
	if !more || !st.terminate() {
		return
	}
	final := "response.completed"
	if full.Status == "incomplete" {
		final = "response.incomplete"
	}
	send(responseEvent{Type: final, Response: &full})
}
