package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// Schema is a standalone JSON Schema, such as the tool parameters and structured-output schemas an
// LLM API receives, compiled so that the document generator and validator work on it. It is safe for
// concurrent use.
type Schema struct {
	doc    *Document
	schema *base.Schema
}

// ErrBadSchema is returned (wrapped) by CompileSchema for input that is not a usable JSON Schema.
var ErrBadSchema = errors.New("not a usable JSON Schema")

// CompileSchema compiles raw, a JSON Schema object (draft 2020-12 as OpenAPI 3.1 uses it). Local
// references into "$defs" or "definitions" ("#/$defs/Item") are kept working. Errors wrap
// ErrBadSchema. It builds a one-schema OpenAPI document in memory, so callers compiling the same
// schema often should keep the result.
func CompileSchema(raw []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(raw, &root); err != nil || root == nil {
		return nil, fmt.Errorf("%w: expected a JSON object", ErrBadSchema)
	}
	schemas := map[string]any{}
	for _, key := range []string{"$defs", "definitions"} {
		defs, _ := root[key].(map[string]any)
		for name, def := range defs {
			schemas[defName(key, name)] = def
		}
		delete(root, key)
	}
	schemas["Root"] = root
	rewritten := rewriteRefs(schemas)
	doc := map[string]any{
		"openapi": "3.1.0", "info": map[string]any{"title": "schema", "version": "1"},
		"paths": map[string]any{}, "components": map[string]any{"schemas": rewritten},
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSchema, err)
	}
	d, err := Load(data, Options{Name: "schema"})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSchema, err)
	}
	proxy, ok := d.model.Components.Schemas.Get("Root")
	if !ok {
		return nil, fmt.Errorf("%w: no root schema", ErrBadSchema)
	}
	s, err := proxy.BuildSchema()
	if err != nil || s == nil {
		return nil, fmt.Errorf("%w: %v", ErrBadSchema, err)
	}
	return &Schema{doc: d, schema: s}, nil
}

// defName is the component name a definition is moved to: "$defs/Item" → "Item", "definitions/Item"
// → "def_Item".
func defName(key, name string) string {
	if key == "definitions" {
		return "def_" + name
	}
	return name
}

// rewriteRefs points "#/$defs/X", "#/definitions/X" and "#" at the components they were moved to.
func rewriteRefs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if s, ok := e.(string); ok && k == "$ref" {
				out[k] = rewriteRef(s)
				continue
			}
			out[k] = rewriteRefs(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = rewriteRefs(e)
		}
		return out
	}
	return v
}

func rewriteRef(ref string) string {
	switch {
	case ref == "#":
		return "#/components/schemas/Root"
	case strings.HasPrefix(ref, "#/$defs/"):
		return "#/components/schemas/" + strings.TrimPrefix(ref, "#/$defs/")
	case strings.HasPrefix(ref, "#/definitions/"):
		return "#/components/schemas/def_" + strings.TrimPrefix(ref, "#/definitions/")
	}
	return ref
}

// Generate returns a JSON value valid against the schema, the same for the same seed (see
// Document.Generate). The error lists the violations of the last attempt.
func (s *Schema) Generate(seed int64) ([]byte, error) { return s.doc.Generate(s.schema, seed) }

// Validate checks value, a JSON document, against the schema. It returns nil when it is valid,
// ValidationErrors listing the violations when not, and an error for value that is not JSON.
func (s *Schema) Validate(value []byte) error {
	if !json.Valid(bytes.TrimSpace(value)) {
		return fmt.Errorf("value is not JSON")
	}
	g := s.doc.gen()
	s.doc.render.Lock()
	defer s.doc.render.Unlock()
	ok, verrs := g.validator.ValidateSchemaBytesWithVersion(s.schema, value, versionFloat(s.doc.effective))
	if ok {
		return nil
	}
	if err := convert(verrs); err != nil {
		return err
	}
	return errors.New("value does not match the schema")
}

// ComponentSchema returns the schema components/schemas/name of d, with its $refs into the document
// kept working, so that a value the document describes outside any operation (an event in a stream,
// say) can be validated with Schema.Validate. Errors wrap ErrBadSchema when there is no such
// component or it does not build.
func (d *Document) ComponentSchema(name string) (*Schema, error) {
	if d.model.Components == nil || d.model.Components.Schemas == nil {
		return nil, fmt.Errorf("%w: %s has no components/schemas", ErrBadSchema, d.name)
	}
	proxy, ok := d.model.Components.Schemas.Get(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no components/schemas/%s", ErrBadSchema, d.name, name)
	}
	s, err := proxy.BuildSchema()
	if err != nil || s == nil {
		return nil, fmt.Errorf("%w: components/schemas/%s: %v", ErrBadSchema, name, err)
	}
	return &Schema{doc: d, schema: s}, nil
}
