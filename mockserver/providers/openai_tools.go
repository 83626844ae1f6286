package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
)

// This file reads the parts of an OpenAI-shaped chat request that shape the answer: tools,
// tool_choice, parallel_tool_calls and response_format.

// functionName is what OpenAI accepts as a function name.
var functionName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)

func badParam(param, code, format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Param: param, Code: code, Message: fmt.Sprintf(format, args...)}
}

// openaiFunction is a function definition as chat tools and Responses tools spell it.
type openaiFunction struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

// check validates f, found at param, and turns it into a tool.
func (f openaiFunction) check(param string) (tool, *apiError) {
	if f.Name == "" {
		return tool{}, badParam(param+".name", "missing_required_parameter", "Missing required parameter: '%s.name'.", param)
	}
	if !functionName.MatchString(f.Name) {
		return tool{}, badParam(param+".name", "invalid_value", "Invalid '%s.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.", param)
	}
	if !isEmptyJSON(f.Parameters) {
		var obj map[string]any
		if json.Unmarshal(f.Parameters, &obj) != nil {
			return tool{}, badParam(param+".parameters", "invalid_type", "Invalid type for '%s.parameters': expected an object.", param)
		}
		if f.Strict != nil && *f.Strict {
			if err := checkStrict(f.Parameters); err != nil {
				return tool{}, badParam(param+".parameters", "invalid_function_parameters", "Invalid schema for function '%s': %v.", f.Name, err)
			}
		}
	}
	return tool{name: f.Name, description: f.Description, schema: f.Parameters}, nil
}

// openaiTools reads chat tools ([{"type":"function","function":{...}}]).
func openaiTools(raw json.RawMessage) ([]tool, *apiError) {
	if isNull(raw) {
		return nil, nil
	}
	var list []struct {
		Type     string          `json:"type"`
		Function *openaiFunction `json:"function"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, badParam("tools", "invalid_type", "Invalid type for 'tools': expected an array of tool objects.")
	}
	tools := make([]tool, 0, len(list))
	for i, t := range list {
		param := fmt.Sprintf("tools[%d]", i)
		if t.Type != "function" {
			return nil, badParam(param+".type", "invalid_value", "Invalid value: '%s'. Supported values are: 'function' and 'custom'.", t.Type)
		}
		if t.Function == nil {
			return nil, badParam(param+".function", "missing_required_parameter", "Missing required parameter: '%s.function'.", param)
		}
		tl, e := t.Function.check(param + ".function")
		if e != nil {
			return nil, e
		}
		tools = append(tools, tl)
	}
	return tools, nil
}

// openaiToolChoice reads tool_choice ("none", "auto", "required" or {"type":"function",
// "function":{"name"}}; the Responses API spells the last {"type":"function","name"}) against tools.
// With orAny (Mistral's API), "any" is accepted as Mistral documents it: the same as "required".
func openaiToolChoice(raw json.RawMessage, tools []tool, parallel *bool, orAny bool) (toolChoice, *apiError) {
	c := toolChoice{mode: toolsAuto, parallel: parallel == nil || *parallel}
	if isNull(raw) {
		return c, nil
	}
	if len(tools) == 0 {
		return c, badParam("tool_choice", "invalid_value", "Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.")
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		switch s {
		case "none":
			c.mode = toolsNone
		case "auto":
		case "required":
			c.mode = toolsRequired
		case "any":
			if !orAny {
				return c, badParam("tool_choice", "invalid_value", "Invalid value: '%s'. Supported values are: 'none', 'auto', and 'required'.", s)
			}
			c.mode = toolsRequired
		default:
			if orAny {
				return c, badParam("tool_choice", "invalid_value", "Invalid value: '%s'. Supported values are: 'auto', 'none', 'any' and 'required'.", s)
			}
			return c, badParam("tool_choice", "invalid_value", "Invalid value: '%s'. Supported values are: 'none', 'auto', and 'required'.", s)
		}
		return c, nil
	}
	var named struct {
		Type     string `json:"type"`
		Name     string `json:"name"`
		Function *struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if err := json.Unmarshal(raw, &named); err != nil || named.Type != "function" {
		return c, badParam("tool_choice", "invalid_value", "Invalid value for 'tool_choice': expected 'none', 'auto', 'required' or a function object.")
	}
	if named.Function != nil {
		named.Name = named.Function.Name
	}
	for _, t := range tools {
		if t.name == named.Name {
			c.mode, c.name = toolsNamed, named.Name
			return c, nil
		}
	}
	return c, badParam("tool_choice", "invalid_value", "Invalid value for 'tool_choice': function '%s' is not among the 'tools'.", named.Name)
}

// openaiFormat reads response_format ({"type":"text"|"json_object"|"json_schema","json_schema":
// {"name","schema","strict"}}) into a format and, for json_schema, its schema.
func openaiFormat(raw json.RawMessage) (format, json.RawMessage, *apiError) {
	if isNull(raw) {
		return formatText, nil, nil
	}
	var rf struct {
		Type       string `json:"type"`
		JSONSchema *struct {
			Name   string          `json:"name"`
			Schema json.RawMessage `json:"schema"`
			Strict *bool           `json:"strict"`
		} `json:"json_schema"`
	}
	if err := json.Unmarshal(raw, &rf); err != nil {
		return 0, nil, badParam("response_format", "invalid_type", "Invalid type for 'response_format': expected an object.")
	}
	switch rf.Type {
	case "text":
		return formatText, nil, nil
	case "json_object":
		return formatJSON, nil, nil
	case "json_schema":
		if rf.JSONSchema == nil {
			return 0, nil, badParam("response_format.json_schema", "missing_required_parameter", "Missing required parameter: 'response_format.json_schema'.")
		}
		js := rf.JSONSchema
		return schemaFormat("response_format.json_schema", js.Name, js.Schema, js.Strict != nil && *js.Strict)
	}
	return 0, nil, badParam("response_format.type", "invalid_value", "Invalid value: '%s'. Supported values are: 'json_object', 'json_schema', and 'text'.", rf.Type)
}

// schemaFormat checks a named structured-output schema found at param.
func schemaFormat(param, name string, schema json.RawMessage, strict bool) (format, json.RawMessage, *apiError) {
	if name == "" {
		return 0, nil, badParam(param+".name", "missing_required_parameter", "Missing required parameter: '%s.name'.", param)
	}
	if isEmptyJSON(schema) {
		return formatJSON, nil, nil
	}
	var obj map[string]any
	if json.Unmarshal(schema, &obj) != nil {
		return 0, nil, badParam(param+".schema", "invalid_type", "Invalid type for '%s.schema': expected an object.", param)
	}
	if strict {
		if err := checkStrict(schema); err != nil {
			return 0, nil, badParam(param+".schema", "invalid_json_schema", "Invalid schema for response_format '%s': %v.", name, err)
		}
	}
	return formatSchema, schema, nil
}

// isNull reports whether raw is absent or JSON null.
func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}
