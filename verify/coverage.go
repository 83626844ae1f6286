package verify

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

// edge is one value at, or just outside, a schema's documented boundary.
type edge struct {
	value any
	what  string // e.g. "minimum 0", "maxLength 20 + 1"
	valid bool   // at the edge (a positive case) or just outside it (a negative one)
}

// maxEdgeLength bounds the strings and arrays built at a length edge.
const maxEdgeLength = 1 << 12

// edges lists a schema's boundary values: the edges themselves as positive cases and the values just
// outside as negative ones. Whether each really is valid is left to spec's validation afterwards.
func (r *runner) edges(s *base.Schema) []edge {
	if s == nil {
		return nil
	}
	var out []edge
	for _, n := range s.Enum {
		var v any
		if n.Decode(&v) == nil {
			out = append(out, edge{v, fmt.Sprintf("enum value %v", v), true})
		}
	}
	if len(s.Enum) > 0 {
		out = append(out, edge{"x-not-in-enum", "a value outside the enum", false})
	}
	if nullable(s) {
		out = append(out, edge{nil, "null", true})
	}
	switch typeOf(s) {
	case "integer", "number":
		out = append(out, numberEdges(s, typeOf(s) == "integer")...)
	case "string":
		out = append(out, stringEdges(s)...)
	case "boolean":
		out = append(out, edge{true, "true", true}, edge{false, "false", true})
	case "array":
		out = append(out, r.arrayEdges(s)...)
	}
	return out
}

func nullable(s *base.Schema) bool {
	return slices.Contains(s.Type, "null") || (s.Nullable != nil && *s.Nullable)
}

// numberEdges gives minimum and maximum (exclusive bounds moved by the smallest step) and the values
// just outside them.
func numberEdges(s *base.Schema, integer bool) []edge {
	step := func(v float64, up bool) float64 {
		if integer {
			if up {
				return math.Floor(v) + 1
			}
			return math.Ceil(v) - 1
		}
		if up {
			return math.Nextafter(v, math.Inf(1))
		}
		return math.Nextafter(v, math.Inf(-1))
	}
	var out []edge
	bound := func(v float64, exclusive, lower bool) {
		name := map[bool]string{true: "minimum", false: "maximum"}[lower]
		in, outside := v, step(v, !lower)
		if exclusive {
			name = "exclusive " + name
			in, outside = step(v, lower), v
		}
		out = append(out, edge{num(in, integer), fmt.Sprintf("%s %v", name, v), true},
			edge{num(outside, integer), fmt.Sprintf("just outside %s %v", name, v), false})
	}
	if em := s.ExclusiveMinimum; em != nil && em.IsB() {
		bound(em.B, true, true)
	} else if s.Minimum != nil {
		bound(*s.Minimum, em != nil && em.IsA() && em.A, true)
	}
	if em := s.ExclusiveMaximum; em != nil && em.IsB() {
		bound(em.B, true, false)
	} else if s.Maximum != nil {
		bound(*s.Maximum, em != nil && em.IsA() && em.A, false)
	}
	return out
}

func num(v float64, integer bool) any {
	if integer {
		return int64(v)
	}
	return v
}

// formatEdges are the extreme values of the formats verify knows, and a value outside each.
func formatEdges(format string) []edge {
	values := map[string][3]string{
		"date-time": {"0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "not-a-date-time"},
		"date":      {"0001-01-01", "9999-12-31", "not-a-date"},
		"uuid":      {"00000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff", "not-a-uuid"},
		"email":     {"a@b.co", "first.last+tag@example.com", "not-an-email"},
		"ipv4":      {"0.0.0.0", "255.255.255.255", "256.0.0.1"},
	}
	v, ok := values[format]
	if !ok {
		return nil
	}
	return []edge{{v[0], "format " + format + " lowest", true}, {v[1], "format " + format + " highest", true},
		{v[2], "not a " + format, false}}
}

func stringEdges(s *base.Schema) []edge {
	out := formatEdges(s.Format)
	if len(s.Enum) > 0 || s.Format != "" && len(out) > 0 {
		return out
	}
	if s.MinLength != nil && *s.MinLength <= maxEdgeLength {
		n := int(*s.MinLength)
		out = append(out, edge{strings.Repeat("a", n), fmt.Sprintf("minLength %d", n), true})
		if n > 0 {
			out = append(out, edge{strings.Repeat("a", n-1), fmt.Sprintf("minLength %d - 1", n), false})
		}
	}
	if s.MaxLength != nil && *s.MaxLength < maxEdgeLength {
		n := int(*s.MaxLength)
		out = append(out, edge{strings.Repeat("a", n), fmt.Sprintf("maxLength %d", n), true},
			edge{strings.Repeat("a", n+1), fmt.Sprintf("maxLength %d + 1", n), false})
	}
	return out
}

func (r *runner) arrayEdges(s *base.Schema) []edge {
	var item any = "a"
	if s.Items != nil && s.Items.IsA() && s.Items.A != nil {
		if b, err := r.doc.Generate(s.Items.A.Schema(), r.opts.Seed); err == nil {
			json.Unmarshal(b, &item)
		}
	}
	list := func(n int) []any {
		out := make([]any, n)
		for i := range out {
			out[i] = item
		}
		return out
	}
	var out []edge
	min := 0
	if s.MinItems != nil && *s.MinItems <= maxEdgeLength {
		min = int(*s.MinItems)
	}
	out = append(out, edge{list(min), fmt.Sprintf("minItems %d", min), true})
	if min > 0 {
		out = append(out, edge{list(min - 1), fmt.Sprintf("minItems %d - 1", min), false})
	}
	if s.MaxItems != nil && *s.MaxItems < maxEdgeLength && *s.MaxItems > 0 {
		n := int(*s.MaxItems)
		out = append(out, edge{list(n), fmt.Sprintf("maxItems %d", n), true},
			edge{list(n + 1), fmt.Sprintf("maxItems %d + 1", n), false})
	}
	return out
}

// coverageCases is the boundary phase: starting from one valid request, each parameter and body
// property is set to each of its edges in turn (one field changed per request, so the count stays
// linear in the number of fields, at most MaxExamples per field); each oneOf branch of the body is
// sent once; required headers are dropped one at a time; and the undocumented methods of the path are
// tried. Positive cases are kept only when spec confirms they are valid, negative ones only when it
// confirms they are not.
func (r *runner) coverageCases(op *spec.Operation) ([]*testCase, []string) {
	b := r.validBase(op)
	if b == nil {
		return r.methodCases(op, nil), []string{"coverage: no valid request to start from"}
	}
	var cands []*testCase
	for _, p := range op.Parameters {
		if p.In == "cookie" || (p.In == "header" && reserved[http.CanonicalHeaderKey(p.Name)]) {
			continue
		}
		if _, fixed := r.opts.Params[p.Name]; fixed || (p.In == "header" && r.opts.Header.Get(p.Name) != "") {
			continue
		}
		if p.Required && p.In == "header" {
			c := b.derive(PhaseCoverage)
			c.header.Del(p.Name)
			c.missingHeader = p.Name
			c.mutation = fmt.Sprintf("required header %s missing", p.Name)
			cands = append(cands, c)
		}
		for _, e := range limit(r.edges(p.Schema), r.max) {
			cands = append(cands, withParam(b, op, p, e))
		}
	}
	cands = append(cands, r.bodyEdgeCases(op, b)...)
	out, notes := r.confirm(cands)
	return append(out, r.methodCases(op, b)...), notes
}

func limit(es []edge, n int) []edge {
	if len(es) > n {
		return es[:n]
	}
	return es
}

// derive copies a case for another phase, with its own header and query maps.
func (c *testCase) derive(phase string) *testCase {
	d := *c
	d.phase, d.header, d.query = phase, c.header.Clone(), cloneValues(c.query)
	d.mutation, d.missingHeader, d.auth, d.note, d.step = "", "", "", "", ""
	d.valid, d.history = false, nil
	return &d
}

// withParam sets one parameter to an edge value.
func withParam(b *testCase, op *spec.Operation, p spec.Parameter, e edge) *testCase {
	c := b.derive(PhaseCoverage)
	var vals []string
	if list, ok := e.value.([]any); ok {
		for _, v := range list {
			vals = append(vals, scalar(v))
		}
	} else {
		vals = []string{scalar(e.value)}
	}
	switch p.In {
	case "query":
		c.query[p.Name] = vals
	case "header":
		c.header.Set(p.Name, strings.Join(vals, ","))
	case "path":
		c.path = replaceParam(op.Path, b.path, p.Name, strings.Join(vals, ","))
	}
	c.edge(fmt.Sprintf("%s parameter %s = %s (%s)", p.In, p.Name, jsonText(e.value), e.what), e.valid)
	return c
}

// edge records what an edge case is about; invalid ones are negative cases.
func (c *testCase) edge(what string, valid bool) {
	c.note = what
	if !valid {
		c.mutation = what
	}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || len(b) > 60 {
		return fmt.Sprintf("%.60v", v)
	}
	return string(b)
}

// bodyEdgeCases sets each top-level body property to each of its edges, and sends each oneOf branch.
func (r *runner) bodyEdgeCases(op *spec.Operation, b *testCase) []*testCase {
	mt, schema := jsonMediaType(op)
	if schema == nil || !b.hasBody {
		return nil
	}
	var doc map[string]any
	if json.Unmarshal(b.body, &doc) != nil {
		return nil
	}
	var out []*testCase
	props, _, _ := objectShape(schema)
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, name := range names {
		for _, e := range limit(r.edges(props[name]), r.max) {
			cp := deepCopy(doc).(map[string]any)
			cp[name] = e.value
			body, err := json.Marshal(cp)
			if err != nil {
				continue
			}
			c := b.derive(PhaseCoverage)
			c.body, c.contentType = body, mt
			c.edge(fmt.Sprintf("body field /%s = %s (%s)", name, jsonText(e.value), e.what), e.valid)
			out = append(out, c)
		}
	}
	for i, branch := range schema.OneOf {
		body, err := r.doc.Generate(branch.Schema(), seedFor(r.opts.Seed, op.ID, PhaseCoverage, fmt.Sprint(i)))
		if err != nil {
			continue
		}
		c := b.derive(PhaseCoverage)
		c.body, c.contentType = body, mt
		c.edge(fmt.Sprintf("body as oneOf branch %d", i), true)
		out = append(out, c)
	}
	return out
}

// confirm keeps the positive candidates spec accepts and the negative ones it rejects.
func (r *runner) confirm(cands []*testCase) ([]*testCase, []string) {
	var out []*testCase
	var notes []string
	seen := map[string]bool{}
	for _, c := range cands {
		if seen[c.key()] {
			continue
		}
		seen[c.key()] = true
		err := r.valid(c)
		switch {
		case c.mutation == "" && err != nil:
			notes = append(notes, fmt.Sprintf("coverage: %s is not valid here, not sent", c.note))
		case c.mutation != "" && err == nil:
			notes = append(notes, fmt.Sprintf("coverage: %s turned out valid, not sent", c.note))
		default:
			c.valid = c.mutation == ""
			out = append(out, c)
		}
	}
	return out, notes
}
