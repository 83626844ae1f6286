package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

type mutation struct {
	what string
	body []byte
}

// mutations lists one-change invalid versions of a valid JSON body, following object properties.
func mutations(s *base.Schema, doc any, ptr string, depth int) []mutation {
	if s == nil || depth > 3 {
		return nil
	}
	obj, ok := lookup(doc, ptr).(map[string]any)
	if !ok {
		return nil
	}
	var out []mutation
	mutate := func(what string, f func(m map[string]any)) {
		cp := deepCopy(doc)
		f(lookup(cp, ptr).(map[string]any))
		b, err := json.Marshal(cp)
		if err == nil {
			out = append(out, mutation{what: what, body: b})
		}
	}
	props, required, closed := objectShape(s)
	for _, name := range required {
		if _, present := obj[name]; present {
			mutate(fmt.Sprintf("required field %s/%s missing", ptr, name), func(m map[string]any) { delete(m, name) })
		}
	}
	if closed {
		mutate(fmt.Sprintf("unexpected field %s/x_unexpected_field where additionalProperties is false", ptr),
			func(m map[string]any) { m["x_unexpected_field"] = 1 })
	}
	names := make([]string, 0, len(props))
	for n := range props {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		ps := props[name]
		v, present := obj[name]
		if !present || ps == nil {
			continue
		}
		at := ptr + "/" + name
		if wrong, ok := wrongType(ps, v); ok {
			mutate(fmt.Sprintf("field %s has the wrong type", at), func(m map[string]any) { m[name] = wrong })
		}
		if len(ps.Enum) > 0 {
			mutate(fmt.Sprintf("field %s has an unknown enum value", at), func(m map[string]any) { m[name] = "x-not-in-enum" })
		}
		if bad, what, ok := outOfRange(ps, v); ok {
			mutate(fmt.Sprintf("field %s %s", at, what), func(m map[string]any) { m[name] = bad })
		}
		out = append(out, mutations(ps, doc, at, depth+1)...)
	}
	return out
}

// objectShape merges an object schema's properties and required lists with those of its allOf parts.
func objectShape(s *base.Schema) (map[string]*base.Schema, []string, bool) {
	props := map[string]*base.Schema{}
	var required []string
	closed := s.AdditionalProperties != nil && s.AdditionalProperties.IsB() && !s.AdditionalProperties.B
	for p := s.Properties.First(); p != nil; p = p.Next() {
		if p.Value() != nil {
			props[p.Key()] = p.Value().Schema()
		}
	}
	required = append(required, s.Required...)
	for _, part := range s.AllOf {
		if part == nil || part.Schema() == nil {
			continue
		}
		pp, pr, _ := objectShape(part.Schema())
		for k, v := range pp {
			props[k] = v
		}
		required = append(required, pr...)
	}
	if len(s.AllOf) > 0 {
		closed = false // additionalProperties false next to allOf rejects everything; do not rely on it
	}
	sort.Strings(required)
	return props, slices.Compact(required), closed
}

func wrongType(s *base.Schema, v any) (any, bool) {
	switch typeOf(s) {
	case "string":
		return 12345, true
	case "integer", "number":
		return "not-a-number", true
	case "boolean":
		return "not-a-boolean", true
	case "array":
		return "not-an-array", true
	case "object":
		return "not-an-object", true
	}
	return nil, false
}

func outOfRange(s *base.Schema, v any) (any, string, bool) {
	switch typeOf(s) {
	case "integer", "number":
		if s.Maximum != nil {
			return *s.Maximum + 1, fmt.Sprintf("above its maximum %v", *s.Maximum), true
		}
		if s.Minimum != nil {
			return *s.Minimum - 1, fmt.Sprintf("below its minimum %v", *s.Minimum), true
		}
	case "string":
		if s.MaxLength != nil && *s.MaxLength < 1<<16 {
			return strings.Repeat("x", int(*s.MaxLength)+1), fmt.Sprintf("longer than maxLength %d", *s.MaxLength), true
		}
		if s.MinLength != nil && *s.MinLength > 0 {
			return "", fmt.Sprintf("shorter than minLength %d", *s.MinLength), true
		}
	case "array":
		arr, _ := v.([]any)
		if s.MinItems != nil && *s.MinItems > 0 {
			return []any{}, fmt.Sprintf("has fewer than minItems %d", *s.MinItems), true
		}
		if s.MaxItems != nil && len(arr) > 0 && *s.MaxItems < 1000 {
			long := make([]any, *s.MaxItems+1)
			for i := range long {
				long[i] = arr[0]
			}
			return long, fmt.Sprintf("has more than maxItems %d", *s.MaxItems), true
		}
	}
	return nil, "", false
}

func lookup(doc any, ptr string) any {
	if ptr == "" {
		return doc
	}
	cur := doc
	for _, part := range strings.Split(ptr[1:], "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return cur
}

func deepCopy(v any) any {
	b, _ := json.Marshal(v)
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	d.Decode(&out)
	return out
}
