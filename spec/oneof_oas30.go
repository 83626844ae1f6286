package spec

// OpenAPI 3.0 schemas are compiled by libopenapi-validator after a rewrite into JSON Schema 2020-12
// (helpers.prepareSchemaForVersion, not exported): nullable becomes a "null" type (and a null enum
// value, and a oneOf of the allOf and null), and boolean exclusiveMinimum/exclusiveMaximum become
// numeric bounds. The exclusive-oneOf fast path must check what the library checks, so oas30Keywords
// applies the same rewrite, keyword for keyword, before exclusiveOneOf runs; the test
// TestOAS30KeywordsMatchesTheLibrary compiles schemas both ways and fails when the two drift apart.

// oas30Keywords returns s rewritten as the library rewrites an OpenAPI 3.0 schema: every object in
// it, at any depth, as the library does.
func oas30Keywords(s any) any {
	switch t := s.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, v := range t {
			out[k] = oas30Keywords(v)
		}
		if nullable, ok := t["nullable"].(bool); ok {
			delete(out, "nullable")
			if nullable {
				addNull(out)
			}
		}
		exclusiveBound(out, "exclusiveMinimum", "minimum")
		exclusiveBound(out, "exclusiveMaximum", "maximum")
		return out
	case []any:
		out := make([]any, len(t))
		for i, v := range t {
			out[i] = oas30Keywords(v)
		}
		return out
	}
	return s
}

// addNull lets a nullable schema accept null: in its type, as a oneOf beside its allOf, in its enum.
func addNull(s map[string]any) {
	switch t := s["type"].(type) {
	case string:
		s["type"] = []any{t, "null"}
	case []any:
		if !containsValue(t, "null") {
			s["type"] = append(append([]any{}, t...), "null")
		}
	}
	if allOf, ok := s["allOf"]; ok {
		delete(s, "allOf")
		oneOf, _ := s["oneOf"].([]any)
		s["oneOf"] = append(append([]any{}, oneOf...), map[string]any{"allOf": allOf}, map[string]any{"type": "null"})
	}
	if enum, ok := s["enum"].([]any); ok && !containsValue(enum, nil) {
		s["enum"] = append(append([]any{}, enum...), nil)
	}
}

// exclusiveBound turns a boolean exclusive bound into the numeric one: true with a bound moves the
// bound under the exclusive keyword; true without one, and false, are dropped.
func exclusiveBound(s map[string]any, exclusive, bound string) {
	on, ok := s[exclusive].(bool)
	if !ok {
		return
	}
	if b, has := s[bound]; on && has {
		s[exclusive] = b
		delete(s, bound)
		return
	}
	delete(s, exclusive)
}

func containsValue(list []any, v any) bool {
	for _, e := range list {
		if e == v {
			return true
		}
	}
	return false
}
