package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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

// anthropicRequest is the part of a Messages (or count_tokens) request the mock reads.
type anthropicRequest struct {
	Model      *string         `json:"model"`
	MaxTokens  *int            `json:"max_tokens"`
	Messages   json.RawMessage `json:"messages"`
	System     json.RawMessage `json:"system"`
	Stream     bool            `json:"stream"`
	Tools      json.RawMessage `json:"tools"`
	ToolChoice json.RawMessage `json:"tool_choice"`
}

// anthropicAsk is a decoded, validated Messages request.
type anthropicAsk struct {
	ask
	all    string // every text, for usage
	stream bool
}

// decodeAnthropic validates a Messages request body (max_tokens required when withMax) and reads
// it. A non-empty problem is a 400's message.
func decodeAnthropic(body []byte, withMax bool) (anthropicAsk, string) {
	var req anthropicRequest
	if err := json.Unmarshal(body, &req); err != nil {
		if field, msg := jsonProblem(err); field != "" {
			return anthropicAsk{}, field + ": " + msg
		} else {
			return anthropicAsk{}, "There was an issue with your request body: " + msg
		}
	}
	switch {
	case req.Model == nil || *req.Model == "":
		return anthropicAsk{}, "model: Field required"
	case withMax && req.MaxTokens == nil:
		return anthropicAsk{}, "max_tokens: Field required"
	case req.MaxTokens != nil && *req.MaxTokens < 0:
		return anthropicAsk{}, "max_tokens: Input should be greater than or equal to 0"
	}
	q := anthropicAsk{ask: ask{provider: Anthropic, model: *req.Model}, stream: req.Stream}
	if req.MaxTokens != nil {
		q.maxTokens = *req.MaxTokens
	}
	if problem := anthropicPrompt(&req, &q); problem != "" {
		return anthropicAsk{}, problem
	}
	var problem string
	if q.tools, problem = anthropicTools(req.Tools); problem != "" {
		return anthropicAsk{}, problem
	}
	if q.choice, problem = anthropicToolChoice(req.ToolChoice, q.tools); problem != "" {
		return anthropicAsk{}, problem
	}
	return q, ""
}

// anthropicPrompt validates the request's messages and system prompt and reads the last user
// turn's text, the tool results that end the conversation, and the text of everything (for usage).
// A non-empty result is a 400's message.
func anthropicPrompt(req *anthropicRequest, q *anthropicAsk) string {
	if len(req.Messages) == 0 || bytes.Equal(req.Messages, []byte("null")) {
		return "messages: Field required"
	}
	var msgs []struct {
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
	}
	if err := json.Unmarshal(req.Messages, &msgs); err != nil {
		return "messages: Input should be a valid list"
	}
	if len(msgs) == 0 {
		return "messages: at least one message is required"
	}
	var b strings.Builder
	if sys, ok := contentText(req.System); ok {
		b.WriteString(sys)
		b.WriteString("\n")
	} else {
		return "system: Input should be a valid string or a list of text blocks"
	}
	for i, m := range msgs {
		if m.Role != "user" && m.Role != "assistant" {
			return fmt.Sprintf("messages.%d.role: Input should be 'user' or 'assistant'", i)
		}
		if len(m.Content) == 0 || bytes.Equal(m.Content, []byte("null")) {
			return fmt.Sprintf("messages.%d.content: Field required", i)
		}
		text, results, hasResults, ok := anthropicTurn(m.Content)
		if !ok {
			return fmt.Sprintf("messages.%d.content: Input should be a valid string or a list of content blocks", i)
		}
		q.afterTool, q.toolResult = false, ""
		if m.Role == "user" {
			if hasResults {
				q.afterTool, q.toolResult = true, results
			}
			if text != "" || !hasResults {
				q.prompt = text
			}
		}
		b.WriteString(text)
		b.WriteString("\n")
		b.WriteString(results)
	}
	q.all = b.String()
	return ""
}

type anthropicUsage struct {
	InputTokens              int    `json:"input_tokens"`
	OutputTokens             int    `json:"output_tokens"`
	CacheCreationInputTokens int    `json:"cache_creation_input_tokens"`
	CacheReadInputTokens     int    `json:"cache_read_input_tokens"`
	ServiceTier              string `json:"service_tier"`
}

type anthropicMessage struct {
	ID           string           `json:"id"`
	Type         string           `json:"type"`
	Role         string           `json:"role"`
	Model        string           `json:"model"`
	Content      []anthropicBlock `json:"content"`
	StopReason   *string          `json:"stop_reason"`
	StopSequence *string          `json:"stop_sequence"`
	Usage        anthropicUsage   `json:"usage"`
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
		q, problem := decodeAnthropic(body, true)
		if problem != "" {
			bad(problem)
			return
		}
		// max_tokens 0 only warms the prompt cache on the real API: no text comes back.
		rep := reply{cut: true}
		if q.maxTokens > 0 {
			var err error
			if rep, err = a.s.answer(q.ask); err != nil {
				bad("tools: " + err.Error())
				return
			}
		}
		d, ok := a.admit(w, r, q.model, q.stream, rep)
		if !ok {
			return
		}
		stop := "end_turn"
		switch {
		case len(rep.calls) > 0:
			stop = "tool_use"
		case rep.cut:
			stop = "max_tokens"
		}
		msg := anthropicMessage{
			ID: a.s.newID("msg_"), Type: "message", Role: "assistant", Model: q.model, StopReason: &stop,
			Usage: anthropicUsage{InputTokens: Tokens(q.all + anthropicToolText(q.tools)), OutputTokens: Tokens(rep.completionText()), ServiceTier: "standard"},
		}
		if len(rep.calls) == 0 {
			msg.Content = []anthropicBlock{textBlock(rep.text)}
		}
		for _, c := range rep.calls {
			msg.Content = append(msg.Content, anthropicBlock{Type: "tool_use", ID: a.s.newID("toolu_"), Name: c.name, Input: c.args})
		}
		if q.stream {
			a.stream(w, r, d, msg)
			return
		}
		a.respond(w, d, msg)
	})
}
