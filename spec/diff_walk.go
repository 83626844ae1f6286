package spec

import (
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/what-changed/model"
)

type flattener struct {
	out   []Change
	seen  map[string]bool
	usage map[string]*usage // component schema name → where it is used
	// oldDoc and newDoc answer what a change's rules need to know of the documents (readOnly, the
	// schema's type list, whether it had an enum, its composed allOf).
	oldDoc, newDoc *Document
}

// usage records where a component schema is reachable from: requests, responses, and which operations.
type usage struct {
	request, response bool
	ops               []string
}

// schemaUsage maps each component schema to the sides of the exchanges that reach it in either document,
// so a change reported under components can be judged as a request or a response change.
func schemaUsage(docs ...*Document) map[string]*usage {
	out := map[string]*usage{}
	for _, d := range docs {
		for _, op := range d.Operations() {
			key := op.Method + " " + op.Path
			var req []*base.SchemaProxy
			params := op.Model.Parameters
			if item, ok := d.model.Paths.PathItems.Get(op.Path); ok && item != nil {
				params = append(append([]*v3.Parameter(nil), params...), item.Parameters...)
			}
			for _, p := range params {
				if p != nil && p.Schema != nil {
					req = append(req, p.Schema)
				}
			}
			if rb := op.Model.RequestBody; rb != nil && rb.Content != nil {
				for c := rb.Content.First(); c != nil; c = c.Next() {
					req = append(req, c.Value().Schema)
				}
			}
			var resp []*base.SchemaProxy
			for _, r := range op.Responses {
				if r.Model == nil {
					continue
				}
				for c := r.Model.Content.First(); c != nil; c = c.Next() {
					resp = append(resp, c.Value().Schema)
				}
				for h := r.Model.Headers.First(); h != nil; h = h.Next() {
					if h.Value() != nil {
						resp = append(resp, h.Value().Schema)
					}
				}
			}
			for _, side := range []struct {
				request bool
				roots   []*base.SchemaProxy
			}{{true, req}, {false, resp}} {
				seen := map[string]bool{}
				for _, sp := range side.roots {
					collectRefs(sp, seen, 0)
				}
				for name := range seen {
					u := out[name]
					if u == nil {
						u = &usage{}
						out[name] = u
					}
					if side.request {
						u.request = true
					} else {
						u.response = true
					}
					if !slices.Contains(u.ops, key) {
						u.ops = append(u.ops, key)
					}
				}
			}
		}
	}
	for _, u := range out {
		sort.Strings(u.ops)
	}
	return out
}

// collectRefs adds the names of the component schemas a schema reaches.
func collectRefs(sp *base.SchemaProxy, seen map[string]bool, depth int) {
	if sp == nil || depth > 64 {
		return
	}
	if sp.IsReference() {
		ref := sp.GetReference()
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			return
		}
		if seen[name] {
			return
		}
		seen[name] = true
	}
	s := sp.Schema()
	if s == nil {
		return
	}
	for _, list := range [][]*base.SchemaProxy{s.AllOf, s.OneOf, s.AnyOf, s.PrefixItems} {
		for _, c := range list {
			collectRefs(c, seen, depth+1)
		}
	}
	collectRefs(s.Not, seen, depth+1)
	if s.Items != nil && s.Items.IsA() {
		collectRefs(s.Items.A, seen, depth+1)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
		collectRefs(s.AdditionalProperties.A, seen, depth+1)
	}
	for p := s.Properties.First(); p != nil; p = p.Next() {
		collectRefs(p.Value(), seen, depth+1)
	}
}

var (
	propertyChangesType = reflect.TypeOf(model.PropertyChanges{})
	changeType          = reflect.TypeOf(&model.Change{})
)

// segmentFor maps a what-changed JSON field name to the OpenAPI key it stands for; "" means the field
// is a map whose keys are the segments themselves.
func segmentFor(owner, field string) string {
	switch field {
	case "pathItems", "response":
		return ""
	case "requestBodies":
		return "requestBody"
	case "securityRequirements":
		return "security"
	case "schemas":
		if owner == "ComponentsChanges" {
			return "schemas"
		}
		return "schema"
	}
	return field
}

// walk visits a what-changed struct: its own changes at segs, then its children.
func (f *flattener) walk(v reflect.Value, segs []string) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Pointer && sf.Type.Elem() == propertyChangesType {
			if !fv.IsNil() {
				for _, c := range fv.Interface().(*model.PropertyChanges).Changes {
					f.add(c, segs)
				}
			}
			continue
		}
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		seg := segmentFor(t.Name(), name)
		child := segs
		if seg != "" {
			child = append(append([]string(nil), segs...), seg)
		}
		switch fv.Kind() {
		case reflect.Pointer:
			f.walk(fv, child)
		case reflect.Map:
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, k := range keys {
				f.walk(fv.MapIndex(k), append(append([]string(nil), child...), k.String()))
			}
		case reflect.Slice:
			if fv.Type() == reflect.SliceOf(changeType) {
				for j := 0; j < fv.Len(); j++ {
					f.add(fv.Index(j).Interface().(*model.Change), child)
				}
				continue
			}
			for j := 0; j < fv.Len(); j++ {
				item := fv.Index(j)
				key := strconv.Itoa(j)
				if el := reflect.Indirect(item); el.IsValid() && el.Kind() == reflect.Struct {
					if n := el.FieldByName("Name"); n.IsValid() && n.Kind() == reflect.String && n.String() != "" {
						key = n.String()
					}
				}
				f.walk(item, append(append([]string(nil), child...), key))
			}
		}
	}
}

func (f *flattener) add(c *model.Change, segs []string) {
	if c == nil {
		return
	}
	ch := Change{Breaking: c.Breaking, Property: c.Property, Original: c.Original, New: c.New}
	switch c.ChangeType {
	case model.PropertyAdded, model.ObjectAdded:
		ch.Kind = ChangeAdded
	case model.PropertyRemoved, model.ObjectRemoved:
		ch.Kind = ChangeRemoved
	default:
		ch.Kind = ChangeModified
	}
	if ctx := c.Context; ctx != nil {
		if ch.Kind != ChangeRemoved && ctx.NewLine != nil {
			ch.Line = *ctx.NewLine
			if ctx.NewColumn != nil {
				ch.Column = *ctx.NewColumn
			}
		} else if ctx.OriginalLine != nil {
			ch.Line = *ctx.OriginalLine
			if ctx.OriginalColumn != nil {
				ch.Column = *ctx.OriginalColumn
			}
		}
	}
	if len(segs) >= 2 && segs[0] == "paths" {
		ch.Path = segs[1]
		if len(segs) >= 3 && isMethod(segs[2]) {
			ch.Method = strings.ToUpper(segs[2])
		}
	} else if len(segs) == 1 && segs[0] == "paths" && strings.HasPrefix(c.Property, "/") {
		ch.Path = c.Property
	}
	if ch.Method == "" && ch.Path != "" && len(segs) == 2 && isMethod(c.Property) {
		ch.Method = strings.ToUpper(c.Property)
	}
	ch.Pointer = pointer(segs)
	// A schema reached through a $ref is reported under every operation using it and under components:
	// keep the first (operations are walked before components).
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s\x00%d:%d", ch.Location(), c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)
	if strings.HasPrefix(ch.Pointer, "/components/") {
		key = fmt.Sprintf("\x00%d\x00%s\x00%s\x00%s\x00%d:%d", c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)
		if f.seen[key] {
			return
		}
	}
	if f.seen[key] {
		return
	}
	f.seen[key] = true
	f.seen[fmt.Sprintf("\x00%d\x00%s\x00%s\x00%s\x00%d:%d", c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)] = true
	sides := []string{side(segs)}
	if len(segs) >= 3 && segs[0] == "components" && segs[1] == "schemas" {
		if u := f.usage[segs[2]]; u != nil {
			sides = nil
			if u.request {
				sides = append(sides, "request")
			}
			if u.response {
				sides = append(sides, "response")
			}
			defer func() { f.out[len(f.out)-1].Message += " (used by " + strings.Join(u.ops, ", ") + ")" }()
		}
	}
	// A schema used on both sides is judged by the stricter verdict.
	best := ch
	for i, sd := range sides {
		c := ch
		classifyIn(&c, segs, sd, f.oldDoc, f.newDoc)
		if i == 0 || (c.Breaking && !best.Breaking) {
			best = c
		}
	}
	f.out = append(f.out, best)
}

// side says which part of an exchange a location is in: "request", "response" or "" (components).
func side(segs []string) string {
	for _, s := range segs {
		switch s {
		case "responses":
			return "response"
		case "requestBody", "parameters":
			return "request"
		}
	}
	return ""
}
