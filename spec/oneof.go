package spec

import "slices"

// A oneOf costs its validator every branch: to know that exactly one matches, each is tried, and the
// branches tried before the match collect their full error trees. In LLM APIs the common case is a
// list of messages or content parts, each a oneOf of five or six object shapes told apart by one
// property ("role", "type"), so a valid request of two messages pays for a dozen failed validations.
//
// exclusiveOneOf rewrites, in a decoded JSON Schema, each oneOf whose branches exclude each other by
// construction into a switch (the keyword x-ultra-switch, oneof_switch.go) that accepts exactly the
// same instances and validates only the one branch an instance can match. Two shapes qualify:
//
//   - by property: every branch is {"type": "object"}, requires the same property P and pins it to
//     one string (an enum of one value, or const), a different string in each branch. An instance
//     can match only the branch whose string it carries in P, so the oneOf holds exactly when that
//     branch holds; an instance that is not an object, lacks P or carries another value matches none.
//   - by type: every branch has a single "type", no two the same, and not both "integer" and
//     "number" (an integer is also a number). An instance has one JSON type, so at most one branch
//     can match: the one of its type.
//
// The keywords beside the oneOf (a discriminator among them) stay as they were. A branch with
// "nullable" is left alone (OpenAPI 3.0's nullable widens its type), and so is a whole schema using
// unevaluatedProperties or unevaluatedItems, whose results depend on which subschemas were
// evaluated, or references and identifiers. The rewritten schema only ever says "valid" quickly
// (fastValid): a request it rejects still goes through the original schema, which reports the errors
// it always did.
func exclusiveOneOf(schema any) (any, bool) {
	if usesEvaluation(schema) {
		return schema, false
	}
	changed := false
	out := rewriteSchema(schema, &changed)
	return out, changed
}

// Keywords whose value is a schema, a list of schemas, or a map of names to schemas.
var (
	subschemaKeys     = []string{"items", "not", "if", "then", "else", "additionalProperties", "contains", "propertyNames"}
	subschemaListKeys = []string{"allOf", "anyOf", "oneOf", "prefixItems"}
	subschemaMapKeys  = []string{"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)

// rewriteSchema returns s with its subschemas rewritten, then its own oneOf. Keywords holding data
// (enum, const, default, examples…) are copied as they are.
func rewriteSchema(s any, changed *bool) any {
	m, ok := s.(map[string]any)
	if !ok {
		return s
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		switch {
		case slices.Contains(subschemaKeys, k):
			out[k] = rewriteSchema(v, changed)
		case slices.Contains(subschemaListKeys, k):
			out[k] = rewriteList(v, changed)
		case slices.Contains(subschemaMapKeys, k):
			out[k] = rewriteMap(v, changed)
		default:
			out[k] = v
		}
	}
	branches, ok := out["oneOf"].([]any)
	if !ok || len(branches) < 2 {
		return out
	}
	sw := byProperty(branches, discriminatorName(out))
	if sw == nil {
		sw = byType(branches)
	}
	if sw != nil {
		delete(out, "oneOf")
		out[switchKeyword] = sw
		*changed = true
	}
	return out
}

func rewriteList(v any, changed *bool) any {
	list, ok := v.([]any)
	if !ok {
		return v
	}
	out := make([]any, len(list))
	for i, e := range list {
		out[i] = rewriteSchema(e, changed)
	}
	return out
}

func rewriteMap(v any, changed *bool) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := make(map[string]any, len(m))
	for k, e := range m {
		out[k] = rewriteSchema(e, changed)
	}
	return out
}

// discriminatorName is the discriminator's propertyName beside a oneOf, or "".
func discriminatorName(s map[string]any) string {
	d, _ := s["discriminator"].(map[string]any)
	name, _ := d["propertyName"].(string)
	return name
}

// byProperty returns the by-property switch of branches ({"property": P, "cases": {value: branch}}),
// or nil when they do not qualify. It tries the discriminator's property first, then each property
// the first branch requires.
func byProperty(branches []any, hint string) map[string]any {
	first, _ := branches[0].(map[string]any)
	candidates := []string{}
	if hint != "" {
		candidates = append(candidates, hint)
	}
	for _, r := range asList(first["required"]) {
		if name, ok := r.(string); ok && name != hint {
			candidates = append(candidates, name)
		}
	}
	for _, p := range candidates {
		values, ok := pinnedValues(branches, p)
		if !ok {
			continue
		}
		cases := make(map[string]any, len(branches))
		for i, b := range branches {
			cases[values[i]] = b
		}
		return map[string]any{"property": p, "cases": cases}
	}
	return nil
}

// pinnedValues returns, for each branch, the one string it pins property p to, when every branch is
// a non-nullable object schema requiring p and no two branches pin the same string.
func pinnedValues(branches []any, p string) ([]string, bool) {
	values := make([]string, len(branches))
	for i, b := range branches {
		m, ok := b.(map[string]any)
		if !ok || m["type"] != "object" || m["nullable"] != nil || !slices.Contains(asList(m["required"]), any(p)) {
			return nil, false
		}
		props, _ := m["properties"].(map[string]any)
		v, ok := pinnedString(props[p])
		if !ok || slices.Contains(values[:i], v) {
			return nil, false
		}
		values[i] = v
	}
	return values, true
}

// pinnedString is the one string a property schema allows: {"const": "x"} or {"enum": ["x"]}.
func pinnedString(s any) (string, bool) {
	m, ok := s.(map[string]any)
	if !ok {
		return "", false
	}
	if c, ok := m["const"].(string); ok {
		if e, has := m["enum"]; has && !slices.Contains(asList(e), any(c)) {
			return "", false // const and enum disagree: the branch matches nothing; leave it alone
		}
		return c, true
	}
	if e := asList(m["enum"]); len(e) == 1 {
		v, ok := e[0].(string)
		return v, ok
	}
	return "", false
}

// byType returns the by-type switch of branches ({"cases": {type: branch}}), or nil when they do not
// qualify.
func byType(branches []any) map[string]any {
	cases := make(map[string]any, len(branches))
	for _, b := range branches {
		m, ok := b.(map[string]any)
		if !ok || m["nullable"] != nil {
			return nil
		}
		t, ok := m["type"].(string)
		if _, seen := cases[t]; !ok || !typeName(t) || seen {
			return nil
		}
		cases[t] = b
	}
	_, integer := cases["integer"]
	_, number := cases["number"]
	if integer && number {
		return nil
	}
	return map[string]any{"cases": cases}
}

func typeName(t string) bool {
	switch t {
	case "string", "number", "integer", "boolean", "object", "array", "null":
		return true
	}
	return false
}

func asList(v any) []any {
	l, _ := v.([]any)
	return l
}

// usesEvaluation reports whether s uses a keyword anywhere whose result depends on which subschemas
// were evaluated, or a reference the rewrite could move out of its scope.
func usesEvaluation(s any) bool {
	switch t := s.(type) {
	case map[string]any:
		for k, v := range t {
			switch k {
			case "unevaluatedProperties", "unevaluatedItems", "$dynamicRef", "$dynamicAnchor", "$recursiveRef", "$ref", "$id", "$anchor":
				return true
			}
			if usesEvaluation(v) {
				return true
			}
		}
	case []any:
		for _, v := range t {
			if usesEvaluation(v) {
				return true
			}
		}
	}
	return false
}
