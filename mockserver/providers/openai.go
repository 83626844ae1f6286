package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// openaiAPI mocks the OpenAI Chat Completions and Models APIs under /openai/v1.
type openaiAPI struct{ *provider }

func (s *Server) openai() openaiAPI {
	return openaiAPI{&provider{
		s: s, name: OpenAI, idHeader: "x-request-id", idPrefix: "req_",
		writeError: writeOpenAIError, overloaded: http.StatusServiceUnavailable,
		msgMissingKey: "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
		msgBadKey:     "Incorrect API key provided: %s. You can find your API key at https://platform.openai.com/account/api-keys.",
		msgRateLimit:  "Rate limit reached for requests. Please try again later.",
		msgOverloaded: "The engine is currently overloaded, please try again later.",
		msgFail:       "The server had an error while processing your request. Sorry about that!",
	}}
}

// openaiModels is what GET /models lists.
var openaiModels = [...]struct {
	ID      string
	Created int64
}{
	{"gpt-4o", 1715367049}, {"gpt-4o-mini", 1721172741}, {"gpt-4-turbo", 1712361441}, {"gpt-3.5-turbo", 1677610602},
}

// bearer returns the token of an "Authorization: Bearer TOKEN" header, or "".
func bearer(r *http.Request) string {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(token)
}

func (a openaiAPI) handleModels() http.Handler {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	type list struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorize(w, bearer(r)) {
			return
		}
		d, ok := a.faults(w, r, "", false)
		if !ok {
			return
		}
		out := list{Object: "list", Data: make([]model, 0, len(openaiModels))}
		for _, m := range openaiModels {
			out.Data = append(out.Data, model{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: "openai"})
		}
		a.respond(w, d, out)
	})
}

// openaiChatRequest is the part of a chat completion request the mock reads.
type openaiChatRequest struct {
	Model         *string         `json:"model"`
	Messages      json.RawMessage `json:"messages"`
	Stream        bool            `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	MaxTokens           *int `json:"max_tokens"`
	MaxCompletionTokens *int `json:"max_completion_tokens"`
}

type openaiMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// openaiPrompt validates the messages and returns the last user message's text (the prompt the
// answer is derived from) and the text of all messages (for usage). A non-nil apiError is a 400.
func openaiPrompt(raw json.RawMessage) (prompt, all string, e *apiError) {
	bad := func(param, code, format string, args ...any) (string, string, *apiError) {
		return "", "", &apiError{Status: http.StatusBadRequest, Param: param, Code: code, Message: fmt.Sprintf(format, args...)}
	}
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return bad("messages", "missing_required_parameter", "Missing required parameter: 'messages'.")
	}
	var msgs []openaiMessage
	if err := json.Unmarshal(raw, &msgs); err != nil {
		return bad("messages", "invalid_type", "Invalid type for 'messages': expected an array of message objects.")
	}
	if len(msgs) == 0 {
		return bad("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.")
	}
	var b strings.Builder
	for i, m := range msgs {
		switch m.Role {
		case "system", "developer", "user", "assistant", "tool", "function":
		case "":
			return bad(fmt.Sprintf("messages.[%d].role", i), "missing_required_parameter", "Missing required parameter: 'messages.[%d].role'.", i)
		default:
			return bad(fmt.Sprintf("messages.[%d].role", i), "invalid_value", "Invalid value: '%s'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool', and 'function'.", m.Role)
		}
		text, ok := contentText(m.Content)
		if !ok {
			return bad(fmt.Sprintf("messages.[%d].content", i), "invalid_type", "Invalid type for 'messages.[%d].content': expected a string or an array of content parts.", i)
		}
		if m.Role == "user" {
			prompt = text
		}
		b.WriteString(text)
		b.WriteString("\n")
	}
	return prompt, b.String(), nil
}

// contentText reads a message content that is a string, null, or an array of parts ({"type":"text",
// "text":...}; other part types are skipped), as both OpenAI and Anthropic accept.
func contentText(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return "", true
	}
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, true
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", false
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), true
}

type openaiUsage struct {
	PromptTokens            int            `json:"prompt_tokens"`
	CompletionTokens        int            `json:"completion_tokens"`
	TotalTokens             int            `json:"total_tokens"`
	PromptTokensDetails     map[string]int `json:"prompt_tokens_details"`
	CompletionTokensDetails map[string]int `json:"completion_tokens_details"`
}

func newOpenAIUsage(prompt, completion int) *openaiUsage {
	return &openaiUsage{
		PromptTokens: prompt, CompletionTokens: completion, TotalTokens: prompt + completion,
		PromptTokensDetails:     map[string]int{"cached_tokens": 0, "audio_tokens": 0},
		CompletionTokensDetails: map[string]int{"reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0},
	}
}

func (a openaiAPI) handleChat() http.Handler {
	type message struct {
		Role        string   `json:"role"`
		Content     string   `json:"content"`
		Refusal     *string  `json:"refusal"`
		Annotations []string `json:"annotations"`
	}
	type choice struct {
		Index        int       `json:"index"`
		Message      message   `json:"message"`
		Logprobs     *struct{} `json:"logprobs"`
		FinishReason string    `json:"finish_reason"`
	}
	type completion struct {
		ID                string       `json:"id"`
		Object            string       `json:"object"`
		Created           int64        `json:"created"`
		Model             string       `json:"model"`
		Choices           []choice     `json:"choices"`
		Usage             *openaiUsage `json:"usage"`
		ServiceTier       string       `json:"service_tier"`
		SystemFingerprint string       `json:"system_fingerprint"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorize(w, bearer(r)) {
			return
		}
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		var req openaiChatRequest
		if err := json.Unmarshal(body, &req); err != nil {
			field, msg := jsonProblem(err)
			code := "invalid_json"
			if field != "" {
				code = "invalid_type"
			}
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: msg, Param: field, Code: code})
			return
		}
		if req.Model == nil || *req.Model == "" {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "you must provide a model parameter", Param: "model", Code: "missing_required_parameter"})
			return
		}
		model := *req.Model
		prompt, all, perr := openaiPrompt(req.Messages)
		if perr != nil {
			a.writeError(w, *perr)
			return
		}
		if req.StreamOptions != nil && !req.Stream {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "The 'stream_options' parameter is only allowed when 'stream' is enabled.", Param: "stream_options", Code: "invalid_value"})
			return
		}
		maxTokens := 0
		for _, p := range []struct {
			name string
			v    *int
		}{{"max_tokens", req.MaxTokens}, {"max_completion_tokens", req.MaxCompletionTokens}} {
			if p.v == nil {
				continue
			}
			if *p.v < 1 {
				a.writeError(w, apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("Invalid '%s': integer below minimum value. Expected a value >= 1, but got %d instead.", p.name, *p.v), Param: p.name, Code: "integer_below_min_value"})
				return
			}
			maxTokens = *p.v
		}

		d, ok := a.faults(w, r, model, req.Stream)
		if !ok {
			return
		}
		text, cut := limit(Answer(model, prompt), maxTokens)
		finish := "stop"
		if cut {
			finish = "length"
		}
		usage := newOpenAIUsage(Tokens(all), Tokens(text))
		id := a.s.newID("chatcmpl-")
		created := time.Now().Unix()
		if req.Stream {
			a.stream(w, r, d, streamInfo{id: id, model: model, created: created, text: text, finish: finish,
				usage: usage, includeUsage: req.StreamOptions != nil && req.StreamOptions.IncludeUsage})
			return
		}
		a.respond(w, d, completion{
			ID: id, Object: "chat.completion", Created: created, Model: model,
			Choices: []choice{{Message: message{Role: "assistant", Content: text, Annotations: []string{}}, FinishReason: finish}},
			Usage:   usage, ServiceTier: "default", SystemFingerprint: "fp_mock",
		})
	})
}

type streamInfo struct {
	id, model    string
	created      int64
	text, finish string
	usage        *openaiUsage
	includeUsage bool
}

// stream sends a chat completion as chat.completion.chunk events ending with "data: [DONE]".
func (a openaiAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, in streamInfo) {
	type delta struct {
		Role    string  `json:"role,omitempty"`
		Content *string `json:"content,omitempty"`
		Refusal *string `json:"refusal,omitempty"`
	}
	type choice struct {
		Index        int       `json:"index"`
		Delta        delta     `json:"delta"`
		Logprobs     *struct{} `json:"logprobs"`
		FinishReason *string   `json:"finish_reason"`
	}
	type chunk struct {
		ID                string       `json:"id"`
		Object            string       `json:"object"`
		Created           int64        `json:"created"`
		Model             string       `json:"model"`
		ServiceTier       string       `json:"service_tier"`
		SystemFingerprint string       `json:"system_fingerprint"`
		Choices           []choice     `json:"choices"`
		Usage             *openaiUsage `json:"usage,omitempty"`
	}
	mk := func(choices ...choice) chunk {
		return chunk{ID: in.id, Object: "chat.completion.chunk", Created: in.created, Model: in.model,
			ServiceTier: "default", SystemFingerprint: "fp_mock", Choices: choices}
	}
	st := a.startStream(w, r, d, false)
	empty := ""
	if !st.send("", mk(choice{Delta: delta{Role: "assistant", Content: &empty}})) {
		return
	}
	more := st.deltas(tokens(in.text), func(tok string) bool {
		return st.send("", mk(choice{Delta: delta{Content: &tok}}))
	}, func() bool {
		return st.send("", map[string]any{"error": map[string]any{"message": a.msgFail, "type": "server_error", "param": nil, "code": nil}})
	})
	if !more {
		return
	}
	if !st.send("", mk(choice{FinishReason: &in.finish})) {
		return
	}
	if in.includeUsage {
		c := mk()
		c.Choices = []choice{}
		c.Usage = in.usage
		if !st.send("", c) {
			return
		}
	}
	if st.terminate() {
		st.send("", []byte("[DONE]"))
	}
}
