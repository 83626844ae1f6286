package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/pb33f/libopenapi-validator/content"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// A valid request is the common case under load, and for a JSON body libopenapi-validator spends a
// good part of each request around the schema check itself: it builds fresh validation options and
// a decoder registry, copies the body, decodes it through a json.Decoder, copies the decoded value
// again (content.Canonicalize, a no-op copy for what encoding/json returns) and hashes the whole body
// schema to find it in the cache, and every allocation makes the collector run more often over the
// document's large model. fastValid says "valid" for such a request without that work, checking the
// same things: the parameters and credentials go through a validator of the same path item built
// without body validation (the library's own checks, unchanged), and the body is decoded once and
// checked against the very compiled schema the library would use, taken from the document's cache,
// or, when that schema has oneOfs whose branches exclude each other (oneof.go), against the same
// schema with those oneOfs turned into switches that validate only the branch that can match.
// In every other case (no compiled schema cached, a media type other than application/json, an empty
// or undecodable body, any violation at all) it says nothing, and the request goes through the full
// validator, which reports exactly what it always did.

// schemaChecker is the one method of a compiled JSON Schema (jsonschema.Schema) the fast path uses.
type schemaChecker interface{ Validate(v any) error }

// noChecker marks a media type whose body schema is not in the cache, so it is looked up once.
type noChecker struct{}

func (noChecker) Validate(any) error { return nil }

// fastValid reports whether r, routed to op, is valid, when it can tell cheaply; false means "not
// known", not "invalid". sv is op's request validator; r's body is read and replaced.
func (op *Operation) fastValid(sv *subValidator, r *http.Request) bool {
	params := sv.params
	if params == nil {
		return false
	}
	o := helpers.ExtractOperation(r, sv.item)
	if o == nil || o.RequestBody == nil {
		return false
	}
	ct := r.Header.Get(helpers.ContentTypeHeader)
	if media, _ := content.NormalizeMediaType(ct); media != "application/json" {
		return false // the library picks a decoder by media type: only this one is known to be encoding/json
	}
	mt, ok := helpers.FindMediaType(o.RequestBody.Content, ct)
	if !ok || mt == nil || mt.Schema == nil {
		return false
	}
	check := op.doc.bodyChecker(mt)
	if _, none := check.(noChecker); none {
		return false
	}
	if ok, _ := params.ValidateHttpRequestSyncWithPathItem(r, sv.item, op.validatorPath); !ok {
		return false
	}
	body := replayBody(r)
	if len(body) == 0 {
		return false
	}
	var v any
	if json.Unmarshal(body, &v) != nil {
		return false
	}
	return check.Validate(v) == nil
}

// bodyChecker returns the compiled request body schema of mt from the document's cache, under the key
// libopenapi-validator looks it up with (its exclusive-oneOf rewrite when it has one), or noChecker
// when it is not there. The answer is kept per
// media type: request body schemas are compiled (precompile) before the first request is checked.
func (d *Document) bodyChecker(mt *v3.MediaType) schemaChecker {
	if c, ok := d.checkers.Load(mt); ok {
		return c.(schemaChecker)
	}
	var check schemaChecker = noChecker{}
	if s := mt.Schema.Schema(); s != nil && s.GoLow() != nil {
		key := schema_validation.SchemaCacheKey(s.GoLow().Hash(), helpers.VersionToFloat(d.effective),
			schema_validation.SchemaValidationPurposeRequestBody)
		if e, ok := d.schemas.Load(key); ok && e != nil && e.CompiledSchema != nil {
			check = e.CompiledSchema
			if fast := d.exclusiveChecker(e.RenderedJSON, s.GoLow().Hash()); fast != nil {
				check = fast
			}
		}
	}
	d.checkers.Store(mt, check)
	return check
}

// exclusiveChecker compiles rendered, a body schema as libopenapi-validator renders it, with its
// mutually exclusive oneOfs rewritten (exclusiveOneOf), or returns nil when there is none to rewrite
// or it does not compile. Numbers are decoded as written, so bounds and enums keep every digit.
func (d *Document) exclusiveChecker(rendered []byte, hash uint64) schemaChecker {
	if len(rendered) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(rendered))
	dec.UseNumber()
	var schema any
	if dec.Decode(&schema) != nil {
		return nil
	}
	version := helpers.VersionToFloat(d.effective)
	if version < 3.05 {
		schema = oas30Keywords(schema)
	}
	rewritten, changed := exclusiveOneOf(schema)
	if !changed {
		return nil
	}
	data, err := json.Marshal(rewritten)
	if err != nil {
		return nil
	}
	compiled, err := compileExclusive(fmt.Sprintf("%x-exclusive", hash), data, version)
	if err != nil {
		return nil
	}
	return exclusive{compiled}
}

// replayBody reads r's body and puts back a reader of the same bytes, followed by the same read
// error if reading failed, so whoever reads it next (the full validator, a handler) sees what the
// client sent. It returns nil when reading failed or there is no body.
func replayBody(r *http.Request) []byte {
	if r.Body == nil || r.Body == http.NoBody {
		return nil
	}
	body, err := io.ReadAll(r.Body)
	_ = r.Body.Close()
	if err != nil {
		r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), errReader{err}))
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }
