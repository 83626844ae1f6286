package spec

import (
	"fmt"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/libopenapi-validator/cache"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// libopenapi-validator compiles a request or response body schema that holds a $ref against the
// whole document: it clones the document's YAML tree, renders it to YAML and JSON, parses that again
// and keeps the clone for error positions. On a 3 MB document that is a burst of well over 100 MB
// per compile and about 50 MB kept for good, though the schema's inline rendering (every $ref
// replaced by its target) is all a validator needs when the schema is not circular. precompile
// compiles that inline rendering itself and stores it in the document's schema cache under the key
// the validator looks up, so the validator finds it and never renders the document. Circular
// schemas, whose inline rendering keeps a $ref, are left to the validator.

// precompile stores compiled body schemas of item's operations in d.schemas: the request bodies, or
// with response set the response bodies. Callers hold d.render.
func (d *Document) precompile(item *v3.PathItem, response bool) {
	if item == nil {
		return
	}
	version := helpers.VersionToFloat(d.effective)
	for p := item.GetOperations().First(); p != nil; p = p.Next() {
		o := p.Value()
		if o == nil {
			continue
		}
		if !response && o.RequestBody != nil {
			d.precompileContent(o.RequestBody.Content, schema_validation.SchemaValidationPurposeRequestBody, version)
		}
		if response && o.Responses != nil {
			for c := o.Responses.Codes.First(); c != nil; c = c.Next() {
				if c.Value() != nil {
					d.precompileContent(c.Value().Content, schema_validation.SchemaValidationPurposeResponseBody, version)
				}
			}
			if o.Responses.Default != nil {
				d.precompileContent(o.Responses.Default.Content, schema_validation.SchemaValidationPurposeResponseBody, version)
			}
		}
	}
}

func (d *Document) precompileContent(content *orderedmap.Map[string, *v3.MediaType], purpose schema_validation.SchemaValidationPurpose, version float32) {
	for c := content.First(); c != nil; c = c.Next() {
		if c.Value() != nil {
			d.precompileSchema(c.Value().Schema, purpose, version)
		}
	}
}

// precompileSchema compiles one body schema from its inline rendering, unless it is cached already
// or its rendering still holds a $ref.
func (d *Document) precompileSchema(proxy *base.SchemaProxy, purpose schema_validation.SchemaValidationPurpose, version float32) {
	if proxy == nil {
		return
	}
	s := proxy.Schema()
	if s == nil || s.GoLow() == nil || s.GoLow().GetRootNode() == nil {
		return
	}
	hash := s.GoLow().Hash()
	key := schema_validation.SchemaCacheKey(hash, version, purpose)
	if _, ok := d.schemas.Load(key); ok {
		return
	}
	r, err := schema_validation.RenderSchemaForValidation(s, purpose)
	if err != nil || r == nil || len(r.RenderedJSON) == 0 || holdsRef(r.RenderedNode, "") {
		return
	}
	name := fmt.Sprintf("%x", hash)
	compiled, err := compileBodySchema(name, r.RenderedJSON, version)
	if err != nil {
		return // the validator compiles it again and reports the error
	}
	d.schemas.Store(key, &cache.SchemaCacheEntry{
		Schema: s, RenderedInline: r.RenderedInline, ReferenceSchema: r.ReferenceSchema, RenderedJSON: r.RenderedJSON,
		RenderedNode: r.RenderedNode, ResourceNodes: map[string]*yaml.Node{"": r.RenderedNode, name: r.RenderedNode},
		CompiledSchema: compiled,
	})
}

// holdsRef reports whether a rendered schema still holds a $ref keyword (a property named "$ref" is
// not one). parent is the key n is the value of.
func holdsRef(n *yaml.Node, parent string) bool {
	if n == nil {
		return false
	}
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if holdsRef(c, parent) {
				return true
			}
		}
	case yaml.MappingNode:
		names := parent == "properties" || parent == "patternProperties" || parent == "$defs" || parent == "definitions" || parent == "dependentSchemas"
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if k == "$ref" && !names && v.Kind == yaml.ScalarNode {
				return true
			}
			if holdsRef(v, k) {
				return true
			}
		}
	}
	return false
}

// compileBodySchema compiles a rendered body schema with the options libopenapi-validator's own
// request and response checks use.
func compileBodySchema(name string, rendered []byte, version float32) (*jsonschema.Schema, error) {
	return helpers.NewCompiledSchemaWithVersion(name, rendered, config.NewValidationOptions(config.WithFormatAssertions()), version)
}
