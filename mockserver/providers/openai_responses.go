package providers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// maxStoredResponses bounds the Responses API store; the oldest are forgotten first.
const maxStoredResponses = 1000

// responseStore keeps the responses created with store (the default) for GET /responses/{id}.
type responseStore struct {
	mu    sync.Mutex
	byID  map[string]json.RawMessage
	order []string
}

func (rs *responseStore) put(id string, body json.RawMessage) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	if rs.byID == nil {
		rs.byID = map[string]json.RawMessage{}
	}
	if len(rs.order) >= maxStoredResponses {
		delete(rs.byID, rs.order[0])
		rs.order = rs.order[1:]
	}
	rs.byID[id] = body
	rs.order = append(rs.order, id)
}

func (rs *responseStore) get(id string) (json.RawMessage, bool) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	b, ok := rs.byID[id]
	return b, ok
}

// responsesRequest is the part of a Responses API request the mock reads.
type responsesRequest struct {
	Model             *string         `json:"model"`
	Input             json.RawMessage `json:"input"`
	Instructions      *string         `json:"instructions"`
	Tools             json.RawMessage `json:"tools"`
	ToolChoice        json.RawMessage `json:"tool_choice"`
	ParallelToolCalls *bool           `json:"parallel_tool_calls"`
	Text              *struct {
		Format json.RawMessage `json:"format"`
	} `json:"text"`
	MaxOutputTokens *int  `json:"max_output_tokens"`
	Stream          bool  `json:"stream"`
	Store           *bool `json:"store"`
}

// responsesInput reads input (a string, or a list of items: messages with string or part
// content, function_call and function_call_output items) into a conversation.
func responsesInput(raw json.RawMessage, instructions string) (conversation, *apiError) {
	c := conversation{all: instructions + "\n"}
	if isNull(raw) {
		return c, badParam("input", "missing_required_parameter", "Missing required parameter: 'input'.")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		c.prompt, c.all = s, c.all+s
		return c, nil
	}
	var items []struct {
		Type    string          `json:"type"`
		Role    string          `json:"role"`
		Content json.RawMessage `json:"content"`
		Output  json.RawMessage `json:"output"`
	}
	if err := json.Unmarshal(raw, &items); err != nil {
		return c, badParam("input", "invalid_type", "Invalid type for 'input': expected a string or an array of input items.")
	}
	for i, it := range items {
		switch {
		case it.Type == "function_call_output":
			out, _ := contentText(it.Output)
			if out == "" {
				out = string(it.Output)
			}
			c.afterTool, c.toolResult = true, strings.TrimSpace(c.toolResult+"\n"+out)
			c.all += out + "\n"
		case it.Type == "function_call", it.Type == "reasoning":
			c.afterTool = false
		case it.Type == "" || it.Type == "message":
			text, ok := responsesContent(it.Content)
			if !ok {
				return c, badParam(fmt.Sprintf("input[%d].content", i), "invalid_type", "Invalid type for 'input[%d].content': expected a string or an array of content parts.", i)
			}
			switch it.Role {
			case "user":
				c.prompt, c.afterTool, c.toolResult = text, false, ""
			case "assistant", "system", "developer":
				c.afterTool = false
			default:
				return c, badParam(fmt.Sprintf("input[%d].role", i), "invalid_value", "Invalid value: '%s'. Supported values are: 'assistant', 'system', 'developer', and 'user'.", it.Role)
			}
			c.all += text + "\n"
		default:
			return c, badParam(fmt.Sprintf("input[%d].type", i), "invalid_value", "Invalid value: '%s'.", it.Type)
		}
	}
	return c, nil
}

// responsesContent reads message content: a string or parts of type input_text, output_text or text.
func responsesContent(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var parts []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	}
	if json.Unmarshal(raw, &parts) != nil {
		return "", false
	}
	var texts []string
	for _, p := range parts {
		if p.Type == "input_text" || p.Type == "output_text" || p.Type == "text" {
			texts = append(texts, p.Text)
		}
	}
	return strings.Join(texts, "\n"), true
}

// responsesTools reads function tools ({"type":"function","name","parameters",...}); other tool
// types (web search, file search...) are accepted and never called.
func responsesTools(raw json.RawMessage) ([]tool, *apiError) {
	if isNull(raw) {
		return nil, nil
	}
	var list []struct {
		Type string `json:"type"`
		openaiFunction
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badParam("tools", "invalid_type", "Invalid type for 'tools': expected an array of tool objects.")
	}
	var tools []tool
	for i, t := range list {
		if t.Type != "function" {
			continue
		}
		tl, e := t.check(fmt.Sprintf("tools[%d]", i))
		if e != nil {
			return nil, e
		}
		tools = append(tools, tl)
	}
	return tools, nil
}

// responsesFormat reads text.format ({"type":"text"|"json_object"|"json_schema","name","schema","strict"}).
func responsesFormat(raw json.RawMessage) (format, json.RawMessage, *apiError) {
	if isNull(raw) {
		return formatText, nil, nil
	}
	var f struct {
		Type   string          `json:"type"`
		Name   string          `json:"name"`
		Schema json.RawMessage `json:"schema"`
		Strict *bool           `json:"strict"`
	}
	if err := json.Unmarshal(raw, &f); err != nil {
		return 0, nil, badParam("text.format", "invalid_type", "Invalid type for 'text.format': expected an object.")
	}
	switch f.Type {
	case "text":
		return formatText, nil, nil
	case "json_object":
		return formatJSON, nil, nil
	case "json_schema":
		return schemaFormat("text.format", f.Name, f.Schema, f.Strict != nil && *f.Strict)
	}
	return 0, nil, badParam("text.format.type", "invalid_value", "Invalid value: '%s'. Supported values are: 'text', 'json_object', and 'json_schema'.", f.Type)
}

// responsesAsk is a decoded, validated Responses API request.
type responsesAsk struct {
	ask
	req  responsesRequest
	conv conversation
}

func decodeResponses(body []byte) (responsesAsk, *apiError) {
	var q responsesAsk
	if err := json.Unmarshal(body, &q.req); err != nil {
		field, msg := jsonProblem(err)
		return q, &apiError{Status: http.StatusBadRequest, Message: msg, Param: field, Code: "invalid_type"}
	}
	req := &q.req
	if req.Model == nil || *req.Model == "" {
		return q, badParam("model", "missing_required_parameter", "Missing required parameter: 'model'.")
	}
	instructions := ""
	if req.Instructions != nil {
		instructions = *req.Instructions
	}
	var e *apiError
	if q.conv, e = responsesInput(req.Input, instructions); e != nil {
		return q, e
	}
	q.ask = ask{provider: OpenAI, model: *req.Model, prompt: q.conv.prompt, toolResult: q.conv.toolResult, afterTool: q.conv.afterTool}
	if req.MaxOutputTokens != nil {
		if *req.MaxOutputTokens < 16 {
			return q, badParam("max_output_tokens", "integer_below_min_value", "Invalid 'max_output_tokens': integer below minimum value. Expected a value >= 16, but got %d instead.", *req.MaxOutputTokens)
		}
		q.maxTokens = *req.MaxOutputTokens
	}
	if q.tools, e = responsesTools(req.Tools); e != nil {
		return q, e
	}
	if q.choice, e = openaiToolChoice(req.ToolChoice, q.tools, req.ParallelToolCalls, false); e != nil {
		return q, e
	}
	if req.Text != nil {
		if q.format, q.schema, e = responsesFormat(req.Text.Format); e != nil {
			return q, e
		}
	}
	return q, nil
}

func (a openaiAPI) handleResponses() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.acceptBody(w, r)
		if !ok {
			return
		}
		q, e := decodeResponses(body)
		if e != nil {
			a.writeError(w, *e)
			return
		}
		rep, err := a.s.answer(q.ask)
		if err != nil {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: err.Error(), Code: "invalid_request_error"})
			return
		}
		d, ok := a.admit(w, r, q.model, q.req.Stream, rep)
		if !ok {
			return
		}
		resp := a.newResponse(q, rep)
		if q.req.Store == nil || *q.req.Store {
			if b, err := json.Marshal(resp); err == nil {
				a.responses.put(resp.ID, b)
			}
		}
		if q.req.Stream {
			a.streamResponse(w, r, d, resp)
			return
		}
		a.respond(w, d, resp)
	})
}

func (a openaiAPI) handleGetResponse() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorize(w, bearer(r)) {
			return
		}
		d, ok := a.faults(w, r, "", false)
		if !ok {
			return
		}
		id := r.PathValue("id")
		b, found := a.responses.get(id)
		if !found {
			a.writeError(w, apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("Response with id '%s' not found.", id), Param: "response_id"})
			return
		}
		a.respond(w, d, b)
	})
}

// createdNow is the created_at of a new response.
func createdNow() int64 { return time.Now().Unix() }
