package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// This file reads the parts of an Anthropic Messages request that shape the answer: content blocks
// (text, tool_use, tool_result), tools and tool_choice; and answers count_tokens.

// anthropicBlock is one content block, of a request or of an answer.
type anthropicBlock struct {
	Type  string          `json:"type"`
	Text  *string         `json:"text,omitempty"`
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result blocks of a request
	ToolUseID string          `json:"tool_use_id,omitempty"`
	Content   json.RawMessage `json:"content,omitempty"`
}

func textBlock(text string) anthropicBlock { return anthropicBlock{Type: "text", Text: &text} }

// anthropicTurn reads one message's content (a string or a list of blocks) into its text and the
// text of its tool_result blocks; ok is false when it is neither.
func anthropicTurn(raw json.RawMessage) (text, results string, hasResults, ok bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, "", false, true
	}
	var blocks []anthropicBlock
	if json.Unmarshal(raw, &blocks) != nil {
		return "", "", false, false
	}
	var texts, res []string
	for _, b := range blocks {
		switch b.Type {
		case "text":
			if b.Text != nil {
				texts = append(texts, *b.Text)
			}
		case "tool_result":
			hasResults = true
			if t, ok := contentText(b.Content); ok {
				res = append(res, t)
			}
		}
	}
	return strings.Join(texts, "\n"), strings.Join(res, "\n"), hasResults, true
}

// anthropicTools reads tools ([{"name","description","input_schema"}]); server tools (with a type
// other than custom) are accepted and never called.
func anthropicTools(raw json.RawMessage) ([]tool, string) {
	if isNull(raw) {
		return nil, ""
	}
	var list []struct {
		Type        string          `json:"type"`
		Name        string          `json:"name"`
		Description string          `json:"description"`
		InputSchema json.RawMessage `json:"input_schema"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, "tools: Input should be a valid list"
	}
	var tools []tool
	for i, t := range list {
		if t.Type != "" && t.Type != "custom" {
			continue
		}
		if !functionName.MatchString(t.Name) {
			return nil, fmt.Sprintf("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,64}$'", i)
		}
		var obj map[string]any
		if json.Unmarshal(t.InputSchema, &obj) != nil || obj == nil {
			return nil, fmt.Sprintf("tools.%d.custom.input_schema: Field required", i)
		}
		tools = append(tools, tool{name: t.Name, description: t.Description, schema: t.InputSchema})
	}
	return tools, ""
}

// anthropicToolChoice reads tool_choice ({"type":"auto"|"any"|"tool"|"none","name",
// "disable_parallel_tool_use"}).
func anthropicToolChoice(raw json.RawMessage, tools []tool) (toolChoice, string) {
	c := toolChoice{mode: toolsAuto, parallel: true}
	if isNull(raw) {
		return c, ""
	}
	var tc struct {
		Type                   string `json:"type"`
		Name                   string `json:"name"`
		DisableParallelToolUse bool   `json:"disable_parallel_tool_use"`
	}
	if err := json.Unmarshal(raw, &tc); err != nil {
		return c, "tool_choice: Input should be a valid dictionary"
	}
	c.parallel = !tc.DisableParallelToolUse
	switch tc.Type {
	case "auto":
	case "none":
		c.mode = toolsNone
	case "any":
		c.mode = toolsRequired
	case "tool":
		c.mode, c.name = toolsNamed, tc.Name
		for _, t := range tools {
			if t.name == tc.Name {
				return c, ""
			}
		}
		return c, fmt.Sprintf("tool_choice.tool.name: Tool '%s' not found in provided tools", tc.Name)
	default:
		return c, "tool_choice: Input tag '" + tc.Type + "' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'"
	}
	if c.mode == toolsRequired && len(tools) == 0 {
		return c, "tool_choice: tool_choice.type 'any' requires tools"
	}
	return c, ""
}

// anthropicToolText is the text of the tools' definitions, counted as input tokens.
func anthropicToolText(tools []tool) string {
	var b bytes.Buffer
	for _, t := range tools {
		b.WriteString(t.name + " " + t.description + " ")
		b.Write(t.schema)
		b.WriteString("\n")
	}
	return b.String()
}

func (a anthropicAPI) handleCountTokens() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorized(w, r) {
			return
		}
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		req, problem := decodeAnthropic(body, false)
		if problem != "" {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: problem})
			return
		}
		d, ok := a.faults(w, r, req.model, false)
		if !ok {
			return
		}
		a.respond(w, d, map[string]int{"input_tokens": Tokens(req.all + anthropicToolText(req.tools))})
	})
}
