package spec

import (
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// schemaAt finds the schema a diff location names (the segments the flattener builds: components/
// schemas/<name>/..., or paths/<path>/<method>/{parameters/<name>|requestBody/content/<type>|
// responses/<code>/content/<type>}/schema/...), or nil when the location is not a schema of d.
func schemaAt(d *Document, segs []string) *base.Schema {
	if d == nil || d.model == nil || len(segs) < 3 {
		return nil
	}
	var sp *base.SchemaProxy
	var rest []string
	switch segs[0] {
	case "components":
		if segs[1] != "schemas" || d.model.Components == nil || d.model.Components.Schemas == nil {
			return nil
		}
		sp, _ = d.model.Components.Schemas.Get(segs[2])
		rest = segs[3:]
	case "paths":
		sp, rest = operationSchema(d, segs)
	}
	return walkSchema(sp, rest)
}

// operationSchema finds the root schema of a location inside an operation and the segments below it.
func operationSchema(d *Document, segs []string) (*base.SchemaProxy, []string) {
	if d.model.Paths == nil || d.model.Paths.PathItems == nil || len(segs) < 5 {
		return nil, nil
	}
	item, ok := d.model.Paths.PathItems.Get(segs[1])
	if !ok || item == nil {
		return nil, nil
	}
	op := lookup(item.GetOperations(), segs[2])
	if op == nil {
		return nil, nil
	}
	at := func(i int) string {
		if i < len(segs) {
			return segs[i]
		}
		return ""
	}
	switch segs[3] {
	case "parameters":
		params := append(append([]*v3.Parameter(nil), op.Parameters...), item.Parameters...)
		for _, p := range params {
			if p != nil && p.Name == segs[4] && at(5) == "schema" {
				return p.Schema, segs[6:]
			}
		}
	case "requestBody":
		if op.RequestBody != nil && at(4) == "content" && at(6) == "schema" {
			return mediaSchema(lookup(op.RequestBody.Content, at(5))), segs[7:]
		}
	case "responses":
		if op.Responses == nil || at(5) != "content" || at(7) != "schema" {
			return nil, nil
		}
		r := op.Responses.Default
		if segs[4] != "default" {
			r = lookup(op.Responses.Codes, segs[4])
		}
		if r != nil {
			return mediaSchema(lookup(r.Content, at(6))), segs[8:]
		}
	}
	return nil, nil
}

// lookup is Get for a map that may be nil, giving the zero value when the key is absent.
func lookup[V any](m *orderedmap.Map[string, V], k string) V {
	var zero V
	if m == nil {
		return zero
	}
	if v, ok := m.Get(k); ok {
		return v
	}
	return zero
}

func mediaSchema(mt *v3.MediaType) *base.SchemaProxy {
	if mt == nil {
		return nil
	}
	return mt.Schema
}

// walkSchema follows the segments below a schema: properties/<name>, items, allOf|oneOf|anyOf|
// prefixItems/<index>, not, additionalProperties, and the "schema" segment of inline locations.
func walkSchema(sp *base.SchemaProxy, segs []string) *base.Schema {
	for i := 0; sp != nil; i++ {
		s := sp.Schema()
		if s == nil || i >= len(segs) {
			return s
		}
		switch seg := segs[i]; seg {
		case "schema":
			continue
		case "properties", "patternProperties", "dependentSchemas":
			if i+1 >= len(segs) {
				return nil
			}
			i++
			m := s.Properties
			if seg == "patternProperties" {
				m = s.PatternProperties
			} else if seg == "dependentSchemas" {
				m = s.DependentSchemas
			}
			sp = lookup(m, segs[i])
		case "items":
			sp = nil
			if s.Items != nil && s.Items.IsA() {
				sp = s.Items.A
			}
		case "additionalProperties":
			sp = nil
			if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
				sp = s.AdditionalProperties.A
			}
		case "not":
			sp = s.Not
		case "allOf", "oneOf", "anyOf", "prefixItems":
			if i+1 >= len(segs) {
				return nil
			}
			i++
			list := map[string][]*base.SchemaProxy{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf, "prefixItems": s.PrefixItems}[seg]
			n, err := strconv.Atoi(segs[i])
			if err != nil || n < 0 || n >= len(list) {
				return nil
			}
			sp = list[n]
		default:
			return nil
		}
	}
	return nil
}

// typeSet is a schema's types with null folded in from 3.0's nullable, for comparing type lists.
func typeSet(s *base.Schema) map[string]bool {
	out := map[string]bool{}
	if s == nil {
		return out
	}
	for _, t := range s.Type {
		out[strings.ToLower(t)] = true
	}
	if s.Nullable != nil && *s.Nullable {
		out["null"] = true
	}
	return out
}

// minus lists the members of a that b lacks, in a stable order.
func minus(a, b map[string]bool) []string {
	var out []string
	for _, t := range []string{"string", "number", "integer", "boolean", "array", "object", "null"} {
		if a[t] && !b[t] {
			out = append(out, t)
		}
	}
	return out
}
