package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/pb33f/go-yaml"
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
	msg := firstLine(err.Error())
	// pb33f/go-yaml: "go-yaml load error in parser (while parsing a flow mapping) at L8.C18-L9.C3: did not
	// find expected ',' or '}'": the context starts at the first mark, the problem is at the last.
	if m := yamlRangeRE.FindStringSubmatch(msg); m != nil {
		line, col := atoi(m[3]), atoi(m[4])
		if line == 0 {
			line, col = atoi(m[1]), atoi(m[2])
		}
		reason := "invalid YAML: " + m[5]
		if m[3] != "" && m[1] != m[3] {
			reason += fmt.Sprintf(" (%s started at line %s)", strings.TrimPrefix(contextOf(msg), "while parsing "), m[1])
		}
		return &LoadError{Line: line, Column: col, Reason: reason}
	}
	if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
		col := 1
		if m[2] != "" {
			col = atoi(m[2])
		}
		return &LoadError{Line: atoi(m[1]), Column: col, Reason: "invalid YAML: " + m[3]}
	}
	return &LoadError{Line: 1, Column: 1, Reason: "invalid YAML: " + msg}
}

var (
	yamlRangeRE   = regexp.MustCompile(`at L(\d+)\.C(\d+)(?:-L(\d+)\.C(\d+))?: (.*)`)
	yamlContextRE = regexp.MustCompile(`\((while parsing [^)]*)\)`)
)

func contextOf(msg string) string {
	if m := yamlContextRE.FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return "the block"
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
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
