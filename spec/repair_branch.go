package spec

import (
	"slices"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// branch makes v an instance of one oneOf/anyOf branch: the one a discriminator names, else the branch
// the renderer used (the first that renders), else a random one when random is set.
func (g *repairer) branch(parent *base.Schema, branches []*base.SchemaProxy, v any, depth int) any {
	pick := -1
	if d := parent.Discriminator; d != nil && d.PropertyName != "" && !g.random {
		if m, ok := v.(map[string]any); ok {
			if name, ok := m[d.PropertyName].(string); ok {
				pick = discriminated(d, branches, name)
			}
		}
	}
	if pick < 0 {
		if g.random {
			pick = g.rnd.Intn(len(branches))
		} else {
			for i, b := range branches {
				if bs := b.Schema(); bs != nil && typeAllowed(v, types(bs)) && !isNullOnly(bs) {
					pick = i
					break
				}
			}
			if pick < 0 {
				pick = 0
			}
		}
	}
	b := branches[pick].Schema()
	if b == nil {
		return v
	}
	if !typeAllowed(v, types(b)) {
		v = g.value(b)
	}
	m, isMap := v.(map[string]any)
	objectLike := slices.Contains(b.Type, "object") || b.Properties != nil || len(b.AllOf)+len(b.OneOf)+len(b.AnyOf) > 0
	if !isMap || !objectLike {
		return g.fix(b, v, depth+1)
	}
	// Keep what the parent and its siblings rendered, drop properties only the other branches define,
	// and add what the chosen branch renders.
	own := propertyNames(b)
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = val
	}
	for i, other := range branches {
		if i == pick {
			continue
		}
		for k := range propertyNames(other.Schema()) {
			if !own[k] && !hasProperty(parent, k) {
				delete(out, k)
			}
		}
	}
	if fresh, ok := g.value(b).(map[string]any); ok {
		for k, val := range fresh {
			if _, have := out[k]; !have {
				out[k] = val
			}
		}
	}
	fixed := g.fix(b, out, depth+1)
	if d := parent.Discriminator; d != nil && d.PropertyName != "" {
		if fm, ok := fixed.(map[string]any); ok {
			if name := discriminatorValue(d, branches[pick]); name != "" {
				if ps := propertySchema(b, d.PropertyName); ps == nil || (ps.Const == nil && len(ps.Enum) == 0) {
					fm[d.PropertyName] = name
				}
			}
		}
	}
	return fixed
}

func isNullOnly(s *base.Schema) bool { return len(s.Type) == 1 && s.Type[0] == "null" }

// discriminated finds the branch a discriminator value selects: through mapping, else by schema name.
func discriminated(d *base.Discriminator, branches []*base.SchemaProxy, name string) int {
	ref := ""
	if d.Mapping != nil {
		ref, _ = d.Mapping.Get(name)
	}
	for i, b := range branches {
		r := b.GetReference()
		if r == "" {
			continue
		}
		if (ref != "" && (r == ref || strings.HasSuffix(r, "/"+strings.TrimPrefix(ref, "#/components/schemas/")))) ||
			(ref == "" && r[strings.LastIndexByte(r, '/')+1:] == name) {
			return i
		}
	}
	return -1
}

// discriminatorValue is the value that selects a branch: its mapping key, else its schema name.
func discriminatorValue(d *base.Discriminator, b *base.SchemaProxy) string {
	r := b.GetReference()
	if r == "" {
		return ""
	}
	if d.Mapping != nil {
		for k, v := range d.Mapping.FromOldest() {
			if v == r || strings.HasSuffix(r, "/"+strings.TrimPrefix(v, "#/components/schemas/")) {
				return k
			}
		}
	}
	return r[strings.LastIndexByte(r, '/')+1:]
}

// propertyNames lists the properties a schema defines, through allOf.
func propertyNames(s *base.Schema) map[string]bool {
	out := map[string]bool{}
	var walk func(s *base.Schema, depth int)
	walk = func(s *base.Schema, depth int) {
		if s == nil || depth > 4 {
			return
		}
		if s.Properties != nil {
			for k := range s.Properties.KeysFromOldest() {
				out[k] = true
			}
		}
		for _, p := range s.AllOf {
			walk(p.Schema(), depth+1)
		}
	}
	walk(s, 0)
	return out
}

func hasProperty(s *base.Schema, name string) bool {
	return s.Properties != nil && s.Properties.GetOrZero(name) != nil
}

func propertySchema(s *base.Schema, name string) *base.Schema {
	if s.Properties == nil {
		return nil
	}
	if p := s.Properties.GetOrZero(name); p != nil {
		return p.Schema()
	}
	return nil
}
