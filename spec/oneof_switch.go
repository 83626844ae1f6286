package spec

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"math/big"

	"github.com/pb33f/jsonschema/v6"
	"github.com/pb33f/jsonschema/v6/kind"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/openapi_vocabulary"
)

// switchKeyword is the keyword exclusiveOneOf puts in place of a oneOf whose branches exclude each
// other: {"property": P, "cases": {value: schema}} picks the case by the string in property P;
// without "property", {"cases": {type: schema}} picks it by the instance's JSON type. An instance
// with no case is invalid; otherwise it is valid exactly when its case's schema holds.
const switchKeyword = "x-ultra-switch"

// exclusive is a request body schema compiled with its exclusive oneOfs rewritten (exclusiveChecker).
type exclusive struct{ *jsonschema.Schema }

// switchVocabulary compiles switchKeyword, its cases compiled as subschemas.
func switchVocabulary() *jsonschema.Vocabulary {
	return &jsonschema.Vocabulary{
		URL:        "https://ultra-kit.dev/vocab/exclusive-oneof",
		Subschemas: []jsonschema.SchemaPath{{jsonschema.Prop(switchKeyword), jsonschema.Prop("cases"), jsonschema.AllProp{}}},
		Compile:    compileSwitch,
	}
}

type exclusiveSwitch struct {
	property string // "" switches on the JSON type
	cases    map[string]*jsonschema.Schema
}

func compileSwitch(ctx *jsonschema.CompilerContext, obj map[string]any) (jsonschema.SchemaExt, error) {
	v, ok := obj[switchKeyword]
	if !ok {
		return nil, nil
	}
	m, _ := v.(map[string]any)
	cases, _ := m["cases"].(map[string]any)
	property, _ := m["property"].(string)
	if len(cases) == 0 {
		return nil, errors.New(switchKeyword + " needs cases")
	}
	sw := &exclusiveSwitch{property: property, cases: make(map[string]*jsonschema.Schema, len(cases))}
	for name := range cases {
		sw.cases[name] = ctx.Enqueue([]string{switchKeyword, "cases", name})
	}
	return sw, nil
}

func (s *exclusiveSwitch) Validate(ctx *jsonschema.ValidatorContext, v any) {
	var sch *jsonschema.Schema
	if s.property != "" {
		if obj, ok := v.(map[string]any); ok {
			if value, ok := obj[s.property].(string); ok {
				sch = s.cases[value]
			}
		}
	} else {
		sch = s.byType(v)
	}
	if sch == nil {
		ctx.AddError(&kind.OneOf{})
		return
	}
	if err := ctx.Validate(sch, v, nil); err != nil {
		ctx.AddErr(err)
	}
}

// byType is the case for v's JSON type. A whole number is an "integer" when the cases have that
// type, a "number" otherwise (they never have both).
func (s *exclusiveSwitch) byType(v any) *jsonschema.Schema {
	switch t := v.(type) {
	case nil:
		return s.cases["null"]
	case bool:
		return s.cases["boolean"]
	case string:
		return s.cases["string"]
	case map[string]any:
		return s.cases["object"]
	case []any:
		return s.cases["array"]
	case float64, json.Number, int, int64:
		if sch, ok := s.cases["number"]; ok {
			return sch
		}
		if whole(t) {
			return s.cases["integer"]
		}
	}
	return nil
}

func whole(v any) bool {
	switch t := v.(type) {
	case float64:
		return !math.IsInf(t, 0) && t == math.Trunc(t)
	case json.Number:
		r, ok := new(big.Rat).SetString(string(t))
		return ok && r.IsInt()
	case int, int64:
		return true
	}
	return false
}

// compileExclusive compiles rendered, a body schema rewritten by exclusiveOneOf, as
// libopenapi-validator compiles the original (helpers.NewCompiledSchemaWithVersion), plus the switch
// vocabulary. For OpenAPI 3.0 the caller has already applied the library's 3.0 rewrite
// (oas30Keywords), which the library would otherwise apply here.
func compileExclusive(name string, rendered []byte, version float32) (*jsonschema.Schema, error) {
	opts := config.NewValidationOptions(config.WithFormatAssertions())
	if !opts.OpenAPIMode || opts.AllowScalarCoercion {
		return nil, errors.New("exclusive oneOf compiles only OpenAPI mode without coercion")
	}
	c := helpers.NewCompilerWithOptions(opts)
	c.UseLoader(helpers.NewCompilerLoader())
	vocab := openapi_vocabulary.Version30
	switch {
	case version >= 3.15:
		vocab = openapi_vocabulary.Version32
	case version >= 3.05:
		vocab = openapi_vocabulary.Version31
	}
	c.RegisterVocabulary(openapi_vocabulary.NewOpenAPIVocabularyWithCoercion(vocab, false))
	c.RegisterVocabulary(switchVocabulary())
	c.AssertVocabs()
	decoded, err := jsonschema.UnmarshalJSON(bytes.NewReader(rendered))
	if err != nil {
		return nil, err
	}
	if err := c.AddResource(name, decoded); err != nil {
		return nil, err
	}
	return c.Compile(name)
}
