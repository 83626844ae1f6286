package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var yamlLineRE = regexp.MustCompile(`line (\d+)(?:, column (\d+))?: (.*)`)

// syntaxError reparses a document that libopenapi refused, to say where its JSON or YAML is broken.
func syntaxError(data []byte) *LoadError {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		var v any
		err := json.Unmarshal(data, &v)
		var se *json.SyntaxError
		if errors.As(err, &se) {
			line, col := position(data, int(se.Offset))
			return &LoadError{Line: line, Column: col, Reason: "invalid JSON: " + se.Error()}
		}
		if err != nil {
			return &LoadError{Line: 1, Column: 1, Reason: "invalid JSON: " + err.Error()}
		}
		return nil
	}
	var n yaml.Node
	err := yaml.Unmarshal(data, &n)
	if err == nil {
		return nil
	}
	msg := strings.TrimPrefix(firstLine(err.Error()), "yaml: ")
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		col := 1
		if m[2] != "" {
			col, _ = strconv.Atoi(m[2])
		}
		return &LoadError{Line: line, Column: col, Reason: "invalid YAML: " + m[3]}
	}
	return &LoadError{Line: 1, Column: 1, Reason: "invalid YAML: " + msg}
}

// position converts a byte offset into a 1-based line and column.
func position(data []byte, offset int) (int, int) {
	if offset > len(data) {
		offset = len(data)
	}
	before := data[:offset]
	line := bytes.Count(before, []byte("\n")) + 1
	col := offset - bytes.LastIndexByte(before, '\n')
	return line, col
}
