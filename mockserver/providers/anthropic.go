package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// anthropicAPI mocks the Anthropic Messages and Models APIs under /anthropic/v1.
type anthropicAPI struct{ *provider }

func (s *Server) anthropic() anthropicAPI {
	return anthropicAPI{&provider{
		s: s, name: Anthropic, idHeader: "request-id", idPrefix: "req_",
		writeError: writeAnthropicError, overloaded: 529,
		msgMissingKey: "x-api-key header is required",
		msgBadKey:     "invalid x-api-key",
		msgRateLimit:  "Number of requests has exceeded your per-minute rate limit. Please try again later.",
		msgOverloaded: "Overloaded",
		msgFail:       "Internal server error",
	}}
}

// anthropicModels is what GET /models lists, newest first as the real API does.
var anthropicModels = [...]struct{ ID, Name, Created string }{
	{"claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet (New)", "2024-10-22T00:00:00Z"},
	{"claude-3-opus-20240229", "Claude 3 Opus", "2024-02-29T00:00:00Z"},
	{"claude-3-sonnet-20240229", "Claude 3 Sonnet", "2024-02-29T00:00:00Z"},
	{"claude-3-haiku-20240307", "Claude 3 Haiku", "2024-03-07T00:00:00Z"},
}

// key reads x-api-key or, failing that, an "Authorization: Bearer" token (the SDK's WithAPIKey and
// WithAuthToken both send the latter).
func (a anthropicAPI) key(r *http.Request) string {
	if k := r.Header.Get("x-api-key"); k != "" {
		return k
	}
	return bearer(r)
}

// authorized checks the key, then that anthropic-version is present (the real API requires it).
func (a anthropicAPI) authorized(w http.ResponseWriter, r *http.Request) bool {
	if !a.authorize(w, a.key(r)) {
		return false
	}
	if r.Header.Get("anthropic-version") == "" {
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "anthropic-version: header is required"})
		return false
	}
	return true
}

func (a anthropicAPI) handleModels() http.Handler {
	type model struct {
		Type        string `json:"type"`
		ID          string `json:"id"`
		DisplayName string `json:"display_name"`
		CreatedAt   string `json:"created_at"`
	}
	type page struct {
		Data    []model `json:"data"`
		HasMore bool    `json:"has_more"`
		FirstID string  `json:"first_id"`
		LastID  string  `json:"last_id"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorized(w, r) {
			return
		}
		d, ok := a.faults(w, r, "", false)
		if !ok {
			return
		}
		out := page{Data: make([]model, 0, len(anthropicModels))}
		for _, m := range anthropicModels {
			out.Data = append(out.Data, model{Type: "model", ID: m.ID, DisplayName: m.Name, CreatedAt: m.Created})
		}
		out.FirstID, out.LastID = out.Data[0].ID, out.Data[len(out.Data)-1].ID
		a.respond(w, d, out)
	})
}

// anthropicRequest is the part of a Messages request the mock reads.
type anthropicRequest struct {
	Model     *string         `json:"model"`
	MaxTokens *int            `json:"max_tokens"`
	Messages  json.RawMessage `json:"messages"`
	System    json.RawMessage `json:"system"`
	Stream    bool            `json:"stream"`
}

// anthropicPrompt validates the request's messages and system prompt and returns the last user turn's
// text and the text of everything (for usage). A non-empty message is a 400's message.
func anthropicPrompt(req *anthropicRequest) (prompt, all, problem string) {
	if len(req.Messages) == 0 || bytes.Equal(req.Messages, []byte("null")) {
		return "", "", "messages: Field required"
	}
	var msgs []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(req.Messages, &msgs); err != nil {
		return "", "", "messages: Input should be a valid list"
	}
	if len(msgs) == 0 {
		return "", "", "messages: at least one message is required"
	}
	var b strings.Builder
	if sys, ok := contentText(req.System); ok {
		b.WriteString(sys)
		b.WriteString("\n")
	} else {
		return "", "", "system: Input should be a valid string or a list of text blocks"
	}
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return "", "", fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		if len(m.Content) == 0 || bytes.Equal(m.Content, []byte("null")) {
			return "", "", fmt.Sprintf("messages.%d.content: Field required", i)
		}
		text, ok := contentText(m.Content)
		if !ok {
			return "", "", fmt.Sprintf("messages.%d.content: Input should be a valid string or a list of content blocks", i)
		}
		if m.Role == "user" {
			prompt = text
		}
		b.WriteString(text)
		b.WriteString("\n")
	}
	return prompt, b.String(), ""
}

type anthropicUsage struct {
	InputTokens              int    `json:"input_tokens"`
	OutputTokens             int    `json:"output_tokens"`
	CacheCreationInputTokens int    `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int    `json:"cache_read_input_tokens"`
	ServiceTier              string `json:"service_tier"`
}

type anthropicText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type anthropicMessage struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Role         string          `json:"role"`
	Model        string          `json:"model"`
	Content      []anthropicText `json:"content"`
	StopReason   *string         `json:"stop_reason"`
	StopSequence *string         `json:"stop_sequence"`
	Usage        anthropicUsage  `json:"usage"`
}

func (a anthropicAPI) handleMessages() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorized(w, r) {
			return
		}
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		bad := func(msg string) { a.writeError(w, apiError{Status: http.StatusBadRequest, Message: msg}) }
		var req anthropicRequest
		if err := json.Unmarshal(body, &req); err != nil {
			if field, msg := jsonProblem(err); field != "" {
				bad(field + ": " + msg)
			} else {
				bad("There was an issue with your request body: " + msg)
			}
			return
		}
		switch {
		case req.Model == nil || *req.Model == "":
			bad("model: Field required")
			return
		case req.MaxTokens == nil:
			bad("max_tokens: Field required")
			return
		case *req.MaxTokens < 0:
			bad("max_tokens: Input should be greater than or equal to 0")
			return
		}
		prompt, all, problem := anthropicPrompt(&req)
		if problem != "" {
			bad(problem)
			return
		}
		model := *req.Model
		d, ok := a.faults(w, r, model, req.Stream)
		if !ok {
			return
		}
		// max_tokens 0 only warms the prompt cache on the real API: no text comes back.
		text, cut := "", true
		if *req.MaxTokens > 0 {
			text, cut = limit(Answer(model, prompt), *req.MaxTokens)
		}
		stop := "end_turn"
		if cut {
			stop = "max_tokens"
		}
		msg := anthropicMessage{
			ID: a.s.newID("msg_"), Type: "message", Role: "assistant", Model: model,
			Content:    []anthropicText{{Type: "text", Text: text}},
			StopReason: &stop,
			Usage:      anthropicUsage{InputTokens: Tokens(all), OutputTokens: Tokens(text), ServiceTier: "standard"},
		}
		if req.Stream {
			a.stream(w, r, d, msg)
			return
		}
		a.respond(w, d, msg)
	})
}

// stream sends a message as message_start, content_block_start, ping, content_block_delta...,
// content_block_stop, message_delta and message_stop events.
func (a anthropicAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, msg anthropicMessage) {
	text, stop, usage := msg.Content[0].Text, msg.StopReason, msg.Usage
	start := msg
	start.Content = []anthropicText{}
	start.StopReason = nil
	start.Usage.OutputTokens = 1

	// Structs rather than maps keep "type" first, as the real API writes it.
	type event struct {
		Type         string            `json:"type"`
		Message      *anthropicMessage `json:"message,omitempty"`
		Index        *int              `json:"index,omitempty"`
		ContentBlock *anthropicText    `json:"content_block,omitempty"`
		Delta        any               `json:"delta,omitempty"`
		Usage        any               `json:"usage,omitempty"`
	}
	type textDelta struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	type stopDelta struct {
		StopReason   string  `json:"stop_reason"`
		StopSequence *string `json:"stop_sequence"`
	}
	zero := 0
	st := a.startStream(w, r, d, false)
	ok := st.send("message_start", event{Type: "message_start", Message: &start}) &&
		st.send("content_block_start", event{Type: "content_block_start", Index: &zero, ContentBlock: &anthropicText{Type: "text"}}) &&
		st.send("ping", event{Type: "ping"})
	if !ok {
		return
	}
	more := st.deltas(tokens(text), func(tok string) bool {
		return st.send("content_block_delta", event{Type: "content_block_delta", Index: &zero, Delta: textDelta{"text_delta", tok}})
	}, func() bool {
		return st.send("error", anthropicError(529, a.msgOverloaded))
	})
	if !more {
		return
	}
	ok = st.send("content_block_stop", event{Type: "content_block_stop", Index: &zero}) &&
		st.send("message_delta", event{Type: "message_delta", Delta: stopDelta{StopReason: *stop},
			Usage: map[string]int{"output_tokens": usage.OutputTokens}})
	if ok && st.terminate() {
		st.send("message_stop", event{Type: "message_stop"})
	}
}
