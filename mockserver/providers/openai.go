package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// openaiAPI mocks an OpenAI-compatible API: OpenAI's own under /openai/v1 (chat completions with
// tools and structured output, embeddings, the Responses API, models), and the providers whose API is
// OpenAI-shaped (Mistral) with their own models, ids and error format.
type openaiAPI struct {
	*provider
	models  []openaiModel
	ownedBy string
	// embedDims is the default vector size per embedding model; embedDefault for other models.
	embedDims    map[string]int
	embedDefault int
	responses    *responseStore // the Responses API's store; nil: no Responses API
}

type openaiModel struct {
	ID      string
	Created int64
}

func (s *Server) openai() openaiAPI {
	return openaiAPI{models: openaiModels(), ownedBy: "openai", responses: s.responses,
		embedDims:    map[string]int{"text-embedding-3-small": 1536, "text-embedding-3-large": 3072, "text-embedding-ada-002": 1536},
		embedDefault: 1536, provider: &provider{
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
func openaiModels() []openaiModel {
	return []openaiModel{
		{"gpt-4o", 1715367049}, {"gpt-4o-mini", 1721172741}, {"gpt-4-turbo", 1712361441}, {"gpt-3.5-turbo", 1677610602},
		{"text-embedding-3-small", 1705948997}, {"text-embedding-3-large", 1705953180}, {"text-embedding-ada-002", 1671217299},
	}
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
		out := list{Object: "list", Data: make([]model, 0, len(a.models))}
		for _, m := range a.models {
			out.Data = append(out.Data, model{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: a.ownedBy})
		}
		a.respond(w, d, out)
	})
}

type openaiMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// conversation is what the mocks read from a request's messages.
type conversation struct {
	prompt     string // the last user message's text, which the answer is derived from
	all        string // the text of every message, for usage
	toolResult string // the text of the tool results after the last user or assistant turn
	afterTool  bool   // the conversation ends with tool results
}

// openaiPrompt validates the messages and reads the conversation. A non-nil apiError is a 400.
func openaiPrompt(raw json.RawMessage) (conversation, *apiError) {
	bad := func(param, code, format string, args ...any) (conversation, *apiError) {
		return conversation{}, &apiError{Status: http.StatusBadRequest, Param: param, Code: code, Message: fmt.Sprintf(format, args...)}
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
	var c conversation
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
		switch m.Role {
		case "user":
			c.prompt = text
			c.afterTool, c.toolResult = false, ""
		case "tool", "function":
			c.afterTool = true
			c.toolResult = strings.TrimSpace(c.toolResult + "\n" + text)
		case "assistant":
			c.afterTool, c.toolResult = false, ""
		}
		b.WriteString(text)
		b.WriteString("\n")
	}
	c.all = b.String()
	return c, nil
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

// acceptBody starts an OpenAI-shaped POST: the request-id header, the bearer key, then the bounded body.
// On failure it has answered and returns ok false.
func (a openaiAPI) acceptBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	a.begin(w)
	if !a.authorize(w, bearer(r)) {
		return nil, false
	}
	return a.readBody(w, r)
}
