package providers

import (
	"encoding/json"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// openaiDelta is the delta of a chat.completion.chunk choice.
type openaiDelta struct {
	Role      string           `json:"role,omitempty"`
	Content   any              `json:"content,omitempty"` // *string, or null (json.RawMessage) opening a tool-call message
	ToolCalls []openaiToolCall `json:"tool_calls,omitempty"`
	Refusal   *string          `json:"refusal,omitempty"`
}

type openaiChunkChoice struct {
	Index        int         `json:"index"`
	Delta        openaiDelta `json:"delta"`
	Logprobs     *struct{}   `json:"logprobs"`
	FinishReason *string     `json:"finish_reason"`
}

type openaiChunk struct {
	ID                string              `json:"id"`
	Object            string              `json:"object"`
	Created           int64               `json:"created"`
	Model             string              `json:"model"`
	ServiceTier       string              `json:"service_tier"`
	SystemFingerprint string              `json:"system_fingerprint"`
	Choices           []openaiChunkChoice `json:"choices"`
	Usage             *openaiUsage        `json:"usage,omitempty"`
}

// chunkDeltas lists the deltas that stream one choice's message: text token by token, or each
// tool call as a delta carrying its index, id and name, then its arguments in pieces.
func chunkDeltas(m openaiChatMessage) []openaiDelta {
	if m.Content != nil {
		toks := tokens(*m.Content)
		out := make([]openaiDelta, len(toks))
		for i := range toks {
			out[i] = openaiDelta{Content: &toks[i]}
		}
		return out
	}
	var out []openaiDelta
	for j, tc := range m.ToolCalls {
		index := j
		out = append(out, openaiDelta{ToolCalls: []openaiToolCall{{Index: &index, ID: tc.ID, Type: "function",
			Function: openaiFunctionCall{Name: tc.Function.Name}}}})
		for _, piece := range argPieces(tc.Function.Arguments) {
			out = append(out, openaiDelta{ToolCalls: []openaiToolCall{{Index: &index, Function: openaiFunctionCall{Arguments: piece}}}})
		}
	}
	return out
}

// opening is the first delta of a choice: the role, with empty content for text and null content
// for tool calls, as the real API sends them.
func opening(m openaiChatMessage) openaiDelta {
	if m.Content == nil {
		return openaiDelta{Role: "assistant", Content: json.RawMessage("null")}
	}
	empty := ""
	return openaiDelta{Role: "assistant", Content: &empty}
}

// stream sends a chat completion as chat.completion.chunk events ending with "data: [DONE]": per
// choice its opening delta, its content or tool-call deltas and its finish reason, then the usage
// chunk when asked for. Faults pace and break the paced part (everything after the first opening).
func (a openaiAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, full openaiCompletion, includeUsage bool) {
	mk := func(choices ...openaiChunkChoice) openaiChunk {
		return openaiChunk{ID: full.ID, Object: "chat.completion.chunk", Created: full.Created, Model: full.Model,
			ServiceTier: "default", SystemFingerprint: "fp_mock", Choices: choices}
	}
	var paced []openaiChunkChoice
	last := len(full.Choices) - 1
	for i, c := range full.Choices {
		if i > 0 {
			paced = append(paced, openaiChunkChoice{Index: i, Delta: opening(c.Message)})
		}
		for _, dl := range chunkDeltas(c.Message) {
			paced = append(paced, openaiChunkChoice{Index: i, Delta: dl})
		}
		if i < last {
			finish := c.FinishReason
			paced = append(paced, openaiChunkChoice{Index: i, FinishReason: &finish})
		}
	}
	st := a.startStream(w, r, d, false)
	if !st.send("", mk(openaiChunkChoice{Delta: opening(full.Choices[0].Message)})) {
		return
	}
	more := st.steps(len(paced), func(i int) bool {
		return st.send("", mk(paced[i]))
	}, func() bool {
		return st.send("", map[string]any{"error": map[string]any{"message": a.msgFail, "type": "server_error", "param": nil, "code": nil}})
	})
	if !more {
		return
	}
	finish := full.Choices[last].FinishReason
	if !st.send("", mk(openaiChunkChoice{Index: last, FinishReason: &finish})) {
		return
	}
	if includeUsage {
		c := mk()
		c.Choices = []openaiChunkChoice{}
		c.Usage = full.Usage
		if !st.send("", c) {
			return
		}
	}
	if st.terminate() {
		st.send("", []byte("[DONE]"))
	}
}
