package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"regexp"
	"slices"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	"github.com/pb33f/libopenapi/renderer"
)

// The renderer is good at producing plausible leaves but ignores much of JSON Schema: it copies schema
// examples even when they break their own schema, merges the first renderable oneOf branch into its
// parent, leaves const and formats to chance, and drops required properties it cannot render. repairer
// walks a rendered value together with its schema and fixes what the renderer got wrong, asking the
// renderer again for any sub-value it has to replace. Validation stays the final judge.

// repairMaxDepth bounds the walk on circular schemas; the renderer has its own depth budget.
const repairMaxDepth = 24

// repairMaxNodes bounds the schema nodes one repair visits, so a huge document cannot make it slow.
const repairMaxNodes = 20000

type repairer struct {
	render *renderer.SchemaRenderer
	rnd    *rand.Rand
	// random makes oneOf/anyOf pick a random branch instead of the one the renderer chose.
	random bool
	nodes  int
}

// value renders a schema into plain JSON values (map[string]any, []any, string, float64, bool, nil).
func (g *repairer) value(s *base.Schema) any {
	v, err := g.render.RenderSchemaWithError(s)
	if err != nil {
		return nil
	}
	return normalize(v)
}

// normalize turns the renderer's Go values into what encoding/json decodes, so the walk sees one set of types.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func decodeNode(n *yaml.Node) any {
	var v any
	if n == nil || n.Decode(&v) != nil {
		return nil
	}
	return normalize(v)
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

func typeAllowed(v any, types []string) bool {
	if len(types) == 0 {
		return true
	}
	t := jsonType(v)
	for _, want := range types {
		if want == t || (want == "number" && t == "integer") {
			return true
		}
	}
	return false
}

// types is the schema's type list with null added for the 3.0 keyword nullable.
func types(s *base.Schema) []string {
	if s.Nullable != nil && *s.Nullable && len(s.Type) > 0 && !slices.Contains(s.Type, "null") {
		return append(slices.Clone(s.Type), "null")
	}
	return s.Type
}

func (g *repairer) fix(s *base.Schema, v any, depth int) any {
	if s == nil || depth > repairMaxDepth || g.nodes > repairMaxNodes {
		return v
	}
	g.nodes++
	if s.Const != nil {
		return decodeNode(s.Const)
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if equalJSON(decodeNode(e), v) {
				return v
			}
		}
		return decodeNode(s.Enum[0])
	}
	for _, p := range s.AllOf {
		v = g.fix(p.Schema(), v, depth+1)
	}
	if len(s.OneOf) > 0 {
		v = g.branch(s, s.OneOf, v, depth)
	}
	if len(s.AnyOf) > 0 {
		v = g.branch(s, s.AnyOf, v, depth)
	}
	if m, ok := v.(map[string]any); ok && s.Not != nil {
		avoidRequired(s, s.Not.Schema(), m)
	}
	ts := types(s)
	if !typeAllowed(v, ts) {
		v = g.retype(s, ts, v)
	}
	switch x := v.(type) {
	case map[string]any:
		return g.fixObject(s, x, depth)
	case []any:
		return g.fixArray(s, x, depth)
	case string:
		return g.fixString(s, x)
	case float64:
		return fixNumber(s, x)
	}
	return v
}

// retype replaces a value of the wrong type: a fresh rendering when that has the right type, else the
// smallest value of the first allowed type (later passes add required properties and items).
func (g *repairer) retype(s *base.Schema, ts []string, v any) any {
	if r := g.value(s); typeAllowed(r, ts) && r != nil {
		return r
	}
	switch {
	case jsonType(v) == "integer" && slices.Contains(ts, "string"):
		return fmt.Sprint(v)
	}
	for _, t := range ts {
		switch t {
		case "object":
			return map[string]any{}
		case "array":
			return []any{}
		case "string":
			return "string"
		case "integer", "number":
			return float64(0)
		case "boolean":
			return true
		case "null":
			return nil
		}
	}
	return v
}

func (g *repairer) fixObject(s *base.Schema, m map[string]any, depth int) any {
	if s.Properties != nil {
		for name, p := range s.Properties.FromOldest() {
			if val, ok := m[name]; ok {
				m[name] = g.fix(p.Schema(), val, depth+1)
			}
		}
	}
	for _, name := range s.Required {
		if _, ok := m[name]; ok {
			continue
		}
		var ps *base.Schema
		if s.Properties != nil {
			if p := s.Properties.GetOrZero(name); p != nil {
				ps = p.Schema()
			}
		}
		if ps == nil && s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
			ps = s.AdditionalProperties.A.Schema()
		}
		if ps == nil {
			m[name] = "value"
			continue
		}
		m[name] = g.fix(ps, g.value(ps), depth+1)
	}
	if ap := s.AdditionalProperties; ap != nil {
		for k, val := range m {
			if hasProperty(s, k) || matchesPatternProperty(s, k) {
				continue
			}
			switch {
			case ap.IsB() && !ap.B:
				delete(m, k)
			case ap.IsA():
				m[k] = g.fix(ap.A.Schema(), val, depth+1)
			}
		}
	}
	if s.MaxProperties != nil {
		for k := range m {
			if int64(len(m)) <= *s.MaxProperties {
				break
			}
			if !slices.Contains(s.Required, k) {
				delete(m, k)
			}
		}
	}
	return m
}

func matchesPatternProperty(s *base.Schema, name string) bool {
	if s.PatternProperties == nil {
		return false
	}
	for p := range s.PatternProperties.KeysFromOldest() {
		if re, err := regexp.Compile(p); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

func (g *repairer) fixArray(s *base.Schema, a []any, depth int) any {
	var items *base.Schema
	if s.Items != nil && s.Items.IsA() {
		items = s.Items.A.Schema()
	}
	for i := range a {
		switch {
		case i < len(s.PrefixItems):
			a[i] = g.fix(s.PrefixItems[i].Schema(), a[i], depth+1)
		case items != nil:
			a[i] = g.fix(items, a[i], depth+1)
		}
	}
	if s.UniqueItems != nil && *s.UniqueItems {
		var uniq []any
		for _, x := range a {
			if !slices.ContainsFunc(uniq, func(y any) bool { return equalJSON(x, y) }) {
				uniq = append(uniq, x)
			}
		}
		a = uniq
	}
	if s.MinItems != nil && items != nil {
		for tries := 0; int64(len(a)) < *s.MinItems && tries < int(*s.MinItems)*4+4; tries++ {
			x := g.fix(items, g.value(items), depth+1)
			if s.UniqueItems != nil && *s.UniqueItems && slices.ContainsFunc(a, func(y any) bool { return equalJSON(x, y) }) {
				continue
			}
			a = append(a, x)
		}
	}
	if s.MaxItems != nil && int64(len(a)) > *s.MaxItems {
		a = a[:*s.MaxItems]
	}
	if a == nil {
		a = []any{}
	}
	return a
}

// avoidRequired handles the common "not: {required: [a, b]}" (not both at once) by dropping the last of
// those properties the schema itself does not require.
func avoidRequired(s, not *base.Schema, m map[string]any) {
	if not == nil || len(not.Required) == 0 {
		return
	}
	for _, name := range not.Required {
		if _, ok := m[name]; !ok {
			return
		}
	}
	for i := len(not.Required) - 1; i >= 0; i-- {
		if name := not.Required[i]; !slices.Contains(s.Required, name) {
			delete(m, name)
			return
		}
	}
}
