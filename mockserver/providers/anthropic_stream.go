package providers

import (
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// anthropicEvent is one stream event. Structs rather than maps keep "type" first, as the real API
// writes it.
type anthropicEvent struct {
	Type         string            `json:"type"`
	Message      *anthropicMessage `json:"message,omitempty"`
	Index        *int              `json:"index,omitempty"`
	ContentBlock *anthropicBlock   `json:"content_block,omitempty"`
	Delta        any               `json:"delta,omitempty"`
	Usage        any               `json:"usage,omitempty"`
}

type anthropicTextDelta struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type anthropicJSONDelta struct {
	Type        string `json:"type"`
	PartialJSON string `json:"partial_json"`
}

// anthropicStep is one paced event of a stream: a block's start, a delta, or a block's stop.
type anthropicStep struct {
	name string
	ev   anthropicEvent
}

// blockSteps lists the events that stream content block i: content_block_start (a text block
// with empty text, a tool_use block with empty input), its text_delta or input_json_delta events,
// and content_block_stop.
func blockSteps(i int, b anthropicBlock) []anthropicStep {
	index := i
	start := b
	var deltas []any
	if b.Type == "tool_use" {
		start.Input = []byte("{}")
		for _, piece := range argPieces(string(b.Input)) {
			deltas = append(deltas, anthropicJSONDelta{"input_json_delta", piece})
		}
	} else {
		start = textBlock("")
		for _, tok := range tokens(*b.Text) {
			deltas = append(deltas, anthropicTextDelta{"text_delta", tok})
		}
	}
	steps := []anthropicStep{{"content_block_start", anthropicEvent{Type: "content_block_start", Index: &index, ContentBlock: &start}}}
	for _, d := range deltas {
		steps = append(steps, anthropicStep{"content_block_delta", anthropicEvent{Type: "content_block_delta", Index: &index, Delta: d}})
	}
	return append(steps, anthropicStep{"content_block_stop", anthropicEvent{Type: "content_block_stop", Index: &index}})
}

// stream sends a message as message_start, then per content block content_block_start,
// content_block_delta... and content_block_stop (a ping after the first start), then message_delta
// and message_stop. Faults pace and break the deltas.
func (a anthropicAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, msg anthropicMessage) {
	start := msg
	start.Content = []anthropicBlock{}
	start.StopReason = nil
	start.Usage.OutputTokens = 1
	type stopDelta struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}
	var steps []anthropicStep
	for i, b := range msg.Content {
		steps = append(steps, blockSteps(i, b)...)
	}
	// The first block's start and the ping go out before pacing starts, its stop after the deltas.
	first, paced, last := steps[0], steps[1:len(steps)-1], steps[len(steps)-1]
	st := a.startStream(w, r, d, false)
	ok := st.send("message_start", anthropicEvent{Type: "message_start", Message: &start}) &&
		st.send(first.name, first.ev) &&
		st.send("ping", anthropicEvent{Type: "ping"})
	if !ok {
		return
	}
	more := st.steps(len(paced), func(i int) bool {
		return st.send(paced[i].name, paced[i].ev)
	}, func() bool {
		return st.send("error", anthropicError(529, a.msgOverloaded))
	})
	if !more {
		return
	}
	ok = st.send(last.name, last.ev) &&
		st.send("message_delta", anthropicEvent{Type: "message_delta", Delta: stopDelta{StopReason: *msg.StopReason},
			Usage: map[string]int{"output_tokens": msg.Usage.OutputTokens}})
	if ok && st.terminate() {
		st.send("message_stop", anthropicEvent{Type: "message_stop"})
	}
}
