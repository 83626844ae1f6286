package providers

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// openaiChatRequest is the part of a chat completion request the mock reads.
type openaiChatRequest struct {
	Model         *string         `json:"model"`
	Messages      json.RawMessage `json:"messages"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	N                   *int            `json:"n"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"`
	ResponseFormat      json.RawMessage `json:"response_format"`
}

// chatAsk is a decoded, validated chat request.
type chatAsk struct {
	ask
	conv         conversation
	n            int
	stream       bool
	includeUsage bool
}

// decodeChat validates a chat completion request body and reads it into a chatAsk.
func decodeChat(provider string, body []byte) (chatAsk, *apiError) {
	var req openaiChatRequest
	if err := json.Unmarshal(body, &req); err != nil {
		field, msg := jsonProblem(err)
		code := "invalid_json"
		if field != "" {
			code = "invalid_type"
		}
		return chatAsk{}, &apiError{Status: http.StatusBadRequest, Message: msg, Param: field, Code: code}
	}
	if req.Model == nil || *req.Model == "" {
		return chatAsk{}, badParam("model", "missing_required_parameter", "you must provide a model parameter")
	}
	conv, perr := openaiPrompt(req.Messages)
	if perr != nil {
		return chatAsk{}, perr
	}
	if req.StreamOptions != nil && !req.Stream {
		return chatAsk{}, badParam("stream_options", "invalid_value", "The 'stream_options' parameter is only allowed when 'stream' is enabled.")
	}
	c := chatAsk{ask: ask{provider: provider, model: *req.Model, prompt: conv.prompt, toolResult: conv.toolResult, afterTool: conv.afterTool},
		conv: conv, n: 1, stream: req.Stream, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage}
	for _, p := range []struct {
		name string
		v    *int
	}{{"max_tokens", req.MaxTokens}, {"max_completion_tokens", req.MaxCompletionTokens}} {
		if p.v == nil {
			continue
		}
		if *p.v < 1 {
			return chatAsk{}, badParam(p.name, "integer_below_min_value", "Invalid '%s': integer below minimum value. Expected a value >= 1, but got %d instead.", p.name, *p.v)
		}
		c.maxTokens = *p.v
	}
	if req.N != nil {
		if *req.N < 1 || *req.N > 128 {
			return chatAsk{}, badParam("n", "invalid_value", "Invalid 'n': expected a value between 1 and 128, but got %d instead.", *req.N)
		}
		c.n = *req.N
	}
	var e *apiError
	if c.tools, e = openaiTools(req.Tools); e != nil {
		return chatAsk{}, e
	}
	if c.choice, e = openaiToolChoice(req.ToolChoice, c.tools, req.ParallelToolCalls, provider == table.Mistral); e != nil {
		return chatAsk{}, e
	}
	if c.format, c.schema, e = openaiFormat(req.ResponseFormat); e != nil {
		return chatAsk{}, e
	}
	return c, nil
}

type openaiFunctionCall struct {
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments"`
}

type openaiToolCall struct {
	Index    *int               `json:"index,omitempty"` // streamed deltas only
	ID       string             `json:"id,omitempty"`
	Type     string             `json:"type,omitempty"`
	Function openaiFunctionCall `json:"function"`
}

type openaiChatMessage struct {
	Role        string           `json:"role"`
	Content     *string          `json:"content"`
	ToolCalls   []openaiToolCall `json:"tool_calls,omitempty"`
	Refusal     *string          `json:"refusal"`
	Annotations []string         `json:"annotations"`
}

type openaiChoice struct {
	Index        int               `json:"index"`
	Message      openaiChatMessage `json:"message"`
	Logprobs     *struct{}         `json:"logprobs"`
	FinishReason string            `json:"finish_reason"`
}

type openaiCompletion struct {
	ID                string         `json:"id"`
	Object            string         `json:"object"`
	Created           int64          `json:"created"`
	Model             string         `json:"model"`
	Choices           []openaiChoice `json:"choices"`
	Usage             *openaiUsage   `json:"usage"`
	ServiceTier       string         `json:"service_tier"`
	SystemFingerprint string         `json:"system_fingerprint"`
}

// finishReason is the chat finish_reason of a reply.
func (r reply) finishReason() string {
	switch {
	case len(r.calls) > 0:
		return "tool_calls"
	case r.cut:
		return "length"
	}
	return "stop"
}

// completionText is the text usage counts for a reply: its text or its calls' arguments.
func (r reply) completionText() string {
	if len(r.calls) == 0 {
		return r.text
	}
	var b strings.Builder
	for _, c := range r.calls {
		b.WriteString(c.name)
		b.WriteString(" ")
		b.Write(c.args)
		b.WriteString(" ")
	}
	return b.String()
}

func (a openaiAPI) handleChat() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.acceptBody(w, r)
		if !ok {
			return
		}
		c, perr := decodeChat(a.name, body)
		if perr != nil {
			a.writeError(w, *perr)
			return
		}
		replies := make([]reply, c.n)
		for i := range replies {
			if i > 0 && replies[0].scripted != "" {
				replies[i] = replies[0] // one fixture use answers every choice
				continue
			}
			q := c.ask
			q.index = i
			rep, err := a.s.answer(q)
			if err != nil {
				a.writeError(w, apiError{Status: http.StatusBadRequest, Message: err.Error(), Code: "invalid_request_error"})
				return
			}
			replies[i] = rep
		}
		d, ok := a.admit(w, r, c.model, c.stream, replies[0])
		if !ok {
			return
		}
		completion := 0
		for _, rep := range replies {
			completion += Tokens(rep.completionText())
		}
		out := openaiCompletion{
			ID: a.s.newID("chatcmpl-"), Object: "chat.completion", Created: time.Now().Unix(), Model: c.model,
			Choices: make([]openaiChoice, len(replies)), Usage: newOpenAIUsage(Tokens(c.conv.all), completion),
			ServiceTier: "default", SystemFingerprint: "fp_mock",
		}
		for i, rep := range replies {
			out.Choices[i] = openaiChoice{Index: i, Message: a.message(rep), FinishReason: rep.finishReason()}
		}
		if c.stream {
			a.stream(w, r, d, out, c.includeUsage)
			return
		}
		a.respond(w, d, out)
	})
}

// message is the assistant message of a reply.
func (a openaiAPI) message(rep reply) openaiChatMessage {
	m := openaiChatMessage{Role: "assistant", Annotations: []string{}}
	if len(rep.calls) == 0 {
		text := rep.text
		m.Content = &text
		return m
	}
	for _, call := range rep.calls {
		m.ToolCalls = append(m.ToolCalls, openaiToolCall{ID: a.s.newID("call_"), Type: "function",
			Function: openaiFunctionCall{Name: call.name, Arguments: string(call.args)}})
	}
	return m
}

// argPieces splits a tool call's arguments into the pieces a stream sends them in: about eight
// bytes each, cut at rune boundaries.
func argPieces(args string) []string {
	var out []string
	for len(args) > 0 {
		n := min(8, len(args))
		for n < len(args) && !utf8RuneStart(args[n]) {
			n++
		}
		out = append(out, args[:n])
		args = args[n:]
	}
	return out
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }
