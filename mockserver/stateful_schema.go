package mockserver

import (
	"encoding/json"
	"slices"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

// schemaFlag picks readOnly or writeOnly of a schema.
type schemaFlag int

const (
	readOnly schemaFlag = iota
	writeOnly
)

func flag(sch *base.Schema, f schemaFlag) bool {
	if sch == nil {
		return false
	}
	p := sch.ReadOnly
	if f == writeOnly {
		p = sch.WriteOnly
	}
	return p != nil && *p
}

func hasType(sch *base.Schema, t string) bool { return slices.Contains(sch.Type, t) }

// propSchema is the schema of an object schema's property, nil when unknown.
func propSchema(sch *base.Schema, name string) *base.Schema {
	if sch == nil || sch.Properties == nil {
		return nil
	}
	p, ok := sch.Properties.Get(name)
	if !ok || p == nil {
		return nil
	}
	return p.Schema()
}

// props lists an object schema's properties with their schemas.
func props(sch *base.Schema) map[string]*base.Schema {
	out := map[string]*base.Schema{}
	if sch == nil || sch.Properties == nil {
		return out
	}
	for name, p := range sch.Properties.FromOldest() {
		if p != nil {
			out[name] = p.Schema()
		}
	}
	return out
}

// idField is the body field holding a created resource's id: the one the create response's links
// pass to the item path ($response.body#/field), else the item parameter's name, "id", or the first
// readOnly property ending in "id" that the schema declares; "id" when nothing says.
func idField(op *spec.Operation, status int, param string, sch *base.Schema) string {
	if resp, ok := op.Response(status); ok && resp.Model != nil && resp.Model.Links != nil {
		for _, link := range resp.Model.Links.FromOldest() {
			if link == nil || link.Parameters == nil {
				continue
			}
			for _, expr := range link.Parameters.FromOldest() {
				if f, ok := strings.CutPrefix(expr, "$response.body#/"); ok && f != "" && !strings.Contains(f, "/") {
					return f
				}
			}
		}
	}
	ps := props(sch)
	for _, c := range []string{param, "id"} {
		if _, ok := ps[c]; ok {
			return c
		}
	}
	if sch != nil && sch.Properties != nil {
		for name, p := range sch.Properties.FromOldest() {
			if p != nil && flag(p.Schema(), readOnly) && strings.HasSuffix(strings.ToLower(name), "id") {
				return name
			}
		}
	}
	return "id"
}

// fillReadOnly gives every readOnly property the body lacks a value generated from its schema.
func fillReadOnly(doc *spec.Document, body map[string]any, sch *base.Schema) {
	for name, p := range props(sch) {
		if _, set := body[name]; set || !flag(p, readOnly) {
			continue
		}
		data, err := doc.Generate(p, int64(len(name)))
		var v any
		if err == nil && json.Unmarshal(data, &v) == nil {
			body[name] = v
		}
	}
}

// keepServerOwned copies the readOnly properties (and the id) of the stored resource over next: a
// client cannot change them with PUT or PATCH.
func keepServerOwned(next, stored map[string]any, sch *base.Schema) {
	for name, p := range props(sch) {
		if v, ok := stored[name]; ok && flag(p, readOnly) {
			next[name] = v
		}
	}
	if v, ok := stored["id"]; ok {
		next["id"] = v
	}
}

// withoutWriteOnly drops the writeOnly properties (a password) a response must not echo.
func withoutWriteOnly(body map[string]any, sch *base.Schema) map[string]any {
	for name, p := range props(sch) {
		if flag(p, writeOnly) {
			delete(body, name)
		}
	}
	return body
}
