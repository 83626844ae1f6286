package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Severity says whether a lint problem makes a document unusable for contract checks.
type Severity string

// Severities of lint problems.
const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
)

// Problem is one finding of Lint. Line and Column are 1-based, zero when unknown.
type Problem struct {
	Severity Severity `json:"severity"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Message  string   `json:"message"`
}

func (p Problem) String() string {
	return fmt.Sprintf("%d:%d: %s: %s (%s)", p.Line, p.Column, p.Severity, p.Message, p.Rule)
}

// Lint checks the document against the OpenAPI meta-schema and against what contract tools need:
// unique operationIds, documented responses, and examples that validate against their schemas.
// Load warnings are included as warnings. Problems are sorted by position.
func (d *Document) Lint() []Problem {
	var out []Problem
	for _, w := range d.warnings {
		out = append(out, Problem{Severity: SeverityWarning, Line: w.Line, Column: w.Column, Rule: "load", Message: w.Reason})
	}
	if ok, errs := schema_validation.ValidateOpenAPIDocument(d.doc); !ok {
		for _, e := range errs {
			if len(e.SchemaValidationErrors) == 0 {
				out = append(out, Problem{Severity: SeverityError, Line: e.SpecLine, Column: e.SpecCol, Rule: "oas-schema", Message: e.Reason})
				continue
			}
			for _, f := range e.SchemaValidationErrors {
				out = append(out, Problem{Severity: SeverityError, Line: f.Line, Column: f.Column, Rule: "oas-schema",
					Message: fmt.Sprintf("%s: %s", orRoot(f.FieldPath), f.Reason)})
			}
		}
	}
	for _, op := range d.ops {
		line, col := 0, 0
		if low := op.Model.GoLow(); low != nil && low.KeyNode != nil {
			line, col = low.KeyNode.Line, low.KeyNode.Column
		}
		if op.Model.OperationId == "" {
			out = append(out, Problem{Severity: SeverityWarning, Line: line, Column: col, Rule: "operation-id",
				Message: fmt.Sprintf("%s %s has no operationId", op.Method, op.Path)})
		}
		if len(op.Responses) == 0 {
			out = append(out, Problem{Severity: SeverityError, Line: line, Column: col, Rule: "responses",
				Message: fmt.Sprintf("%s %s documents no response", op.Method, op.Path)})
		}
		out = append(out, d.lintExamples(op)...)
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Line != out[j].Line {
			return out[i].Line < out[j].Line
		}
		return out[i].Column < out[j].Column
	})
	return out
}

func orRoot(p string) string {
	if p == "" {
		return "$"
	}
	return p
}

// lintExamples checks every named example of the operation's request and responses against its schema.
func (d *Document) lintExamples(op *Operation) []Problem {
	var out []Problem
	check := func(where string, media *v3.MediaType, mediaType string) {
		if media == nil || media.Schema == nil || !strings.Contains(mediaType, "json") {
			return
		}
		schema := media.Schema.Schema()
		if schema == nil {
			return
		}
		g := d.gen()
		for e := media.Examples.First(); e != nil; e = e.Next() {
			ex := e.Value()
			if ex == nil || ex.Value == nil {
				continue
			}
			body, err := nodeBody(ex.Value, mediaType)
			if err != nil {
				out = append(out, Problem{Severity: SeverityError, Line: ex.Value.Line, Column: ex.Value.Column, Rule: "example", Message: err.Error()})
				continue
			}
			d.render.Lock()
			ok, verrs := g.validator.ValidateSchemaBytesWithVersion(schema, body, versionFloat(d.effective))
			d.render.Unlock()
			if !ok {
				out = append(out, Problem{Severity: SeverityError, Line: ex.Value.Line, Column: ex.Value.Column, Rule: "example",
					Message: fmt.Sprintf("%s example %q does not match its schema: %v", where, e.Key(), convert(verrs))})
			}
		}
	}
	if rb := op.Model.RequestBody; rb != nil {
		for c := rb.Content.First(); c != nil; c = c.Next() {
			check(fmt.Sprintf("%s request %s", op.ID, c.Key()), c.Value(), c.Key())
		}
	}
	for _, r := range op.Responses {
		if r.Model == nil {
			continue
		}
		for c := r.Model.Content.First(); c != nil; c = c.Next() {
			check(fmt.Sprintf("%s response %s %s", op.ID, r.Status, c.Key()), c.Value(), c.Key())
		}
	}
	return out
}
