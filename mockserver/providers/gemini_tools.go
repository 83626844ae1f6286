package providers

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// This file reads the parts of a Gemini GenerateContentRequest that shape the answer: function
// declarations, the function-calling config and the JSON response mode with its schema.

type geminiFunctionCall struct {
	Name string          `json:"name"`
	Args json.RawMessage `json:"args"`
}

type geminiFunctionResponse struct {
	Name     string          `json:"name"`
	Response json.RawMessage `json:"response"`
}

type geminiTool struct {
	FunctionDeclarations      []geminiDeclaration `json:"functionDeclarations"`
	FunctionDeclarationsSnake []geminiDeclaration `json:"function_declarations"`
}

type geminiDeclaration struct {
	Name                 string          `json:"name"`
	Description          string          `json:"description"`
	Parameters           json.RawMessage `json:"parameters"`
	ParametersJSONSchema json.RawMessage `json:"parametersJsonSchema"`
}

type geminiToolConfig struct {
	FunctionCallingConfig *struct {
		Mode                 string   `json:"mode"`
		AllowedFunctionNames []string `json:"allowedFunctionNames"`
	} `json:"functionCallingConfig"`
}

// geminiTools reads the function declarations of tools; a declaration's parameters (Google's
// OpenAPI-style Schema) are turned into JSON Schema, parametersJsonSchema is used as it is.
func geminiTools(list []geminiTool) ([]tool, string) {
	var tools []tool
	for i, t := range list {
		decls := append(t.FunctionDeclarations, t.FunctionDeclarationsSnake...)
		for j, d := range decls {
			if !functionName.MatchString(d.Name) {
				return nil, fmt.Sprintf("* GenerateContentRequest.tools[%d].function_declarations[%d].name: Invalid function name. Must start with a letter or an underscore. Must be alphameric (a-z, A-Z, 0-9), underscores (_), dots (.) or dashes (-), with a maximum length of 64.", i, j)
			}
			schema := d.ParametersJSONSchema
			if isNull(schema) && !isNull(d.Parameters) {
				var err error
				if schema, err = googleSchema(d.Parameters); err != nil {
					return nil, fmt.Sprintf("* GenerateContentRequest.tools[%d].function_declarations[%d].parameters: %v", i, j, err)
				}
			}
			tools = append(tools, tool{name: d.Name, description: d.Description, schema: schema})
		}
	}
	return tools, ""
}

// geminiChoice reads functionCallingConfig (mode AUTO, ANY, NONE, VALIDATED; allowedFunctionNames).
func geminiChoice(tc *geminiToolConfig, tools []tool) (toolChoice, string) {
	c := toolChoice{mode: toolsAuto, parallel: true}
	if tc == nil || tc.FunctionCallingConfig == nil {
		return c, ""
	}
	fc := tc.FunctionCallingConfig
	switch strings.ToUpper(fc.Mode) {
	case "", "AUTO", "MODE_UNSPECIFIED", "VALIDATED":
	case "ANY":
		c.mode = toolsRequired
	case "NONE":
		c.mode = toolsNone
	default:
		return c, fmt.Sprintf("Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), %q", fc.Mode)
	}
	known := map[string]bool{}
	for _, t := range tools {
		known[t.name] = true
	}
	for _, n := range fc.AllowedFunctionNames {
		if !known[n] {
			return c, fmt.Sprintf("* GenerateContentRequest.tool_config.function_calling_config.allowed_function_names: function %q is not declared", n)
		}
	}
	c.allowed = fc.AllowedFunctionNames
	return c, ""
}

// googleSchema turns Google's Schema (types in upper case, "nullable", int64 bounds as strings,
// format "enum") into the JSON Schema it means.
func googleSchema(raw json.RawMessage) (json.RawMessage, error) {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("expected a Schema object")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("expected a Schema object")
	}
	return json.Marshal(googleSchemaValue(v))
}

// intKeys are Schema fields Google sends as int64, which proto JSON may spell as strings.
var intKeys = map[string]bool{"minItems": true, "maxItems": true, "minLength": true, "maxLength": true, "minProperties": true, "maxProperties": true}

func googleSchemaValue(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		switch {
		case k == "type":
			if s, ok := e.(string); ok {
				e = strings.ToLower(s)
			}
		case intKeys[k]:
			if s, ok := e.(string); ok {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					e = n
				}
			}
		case k == "format" && e == "enum", k == "propertyOrdering", k == "nullable", k == "example":
			continue
		case k == "properties":
			props, _ := e.(map[string]any)
			conv := make(map[string]any, len(props))
			for name, p := range props {
				conv[name] = googleSchemaValue(p)
			}
			e = conv
		case k == "items":
			e = googleSchemaValue(e)
		case k == "anyOf":
			list, _ := e.([]any)
			conv := make([]any, len(list))
			for i, p := range list {
				conv[i] = googleSchemaValue(p)
			}
			e = conv
		}
		out[k] = e
	}
	if m["nullable"] == true {
		if t, ok := out["type"].(string); ok {
			out["type"] = []any{t, "null"}
		}
	}
	return out
}

// responseFormat reads responseMimeType and responseSchema (Google's Schema) or
// responseJsonSchema (JSON Schema).
func (req *geminiRequest) responseFormat() (format, json.RawMessage, string) {
	for _, c := range []*geminiConfig{req.GenerationConfig, req.ConfigSnake} {
		if c == nil {
			continue
		}
		mime := c.ResponseMimeType + c.ResponseMimeSnake
		js := firstSet(c.ResponseJSONSchema, c.ResponseJSONSnake)
		gs := firstSet(c.ResponseSchema, c.ResponseSchemaSnake)
		if (js != nil || gs != nil) && mime != "application/json" {
			return 0, nil, "* GenerateContentRequest.generation_config.response_mime_type: response_mime_type must be application/json when a response schema is set"
		}
		switch {
		case js != nil:
			return formatSchema, js, ""
		case gs != nil:
			schema, err := googleSchema(gs)
			if err != nil {
				return 0, nil, "* GenerateContentRequest.generation_config.response_schema: " + err.Error()
			}
			return formatSchema, schema, ""
		case mime == "application/json":
			return formatJSON, nil, ""
		}
	}
	return formatText, nil, ""
}

func firstSet(raws ...json.RawMessage) json.RawMessage {
	for _, r := range raws {
		if !isNull(r) {
			return r
		}
	}
	return nil
}
