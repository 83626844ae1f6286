package spec_test

import (
	"errors"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// TestCompileSchemaGenerateValidate generates values for the kinds of schema LLM callers send (tool
// parameters with enums, bounds, closed objects, nested arrays and $defs) and checks each validates,
// and that a wrong value does not.
func TestCompileSchemaGenerateValidate(t *testing.T) {
	cases := []struct {
		name, schema, bad string
	}{
		{"Weather", `{"type":"object","properties":{"city":{"type":"string","minLength":2},"unit":{"type":"string","enum":["c","f"]}},"required":["city","unit"],"additionalProperties":false}`,
			`{"city":"Paris","unit":"k"}`},
		{"Nested", `{"type":"object","properties":{"items":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"object","properties":{"sku":{"type":"string"},"qty":{"type":"integer","minimum":1,"maximum":9}},"required":["sku","qty"],"additionalProperties":false}}},"required":["items"],"additionalProperties":false}`,
			`{"items":[{"sku":"a","qty":0}]}`},
		{"Defs", `{"type":"object","properties":{"step":{"$ref":"#/$defs/Step"}},"required":["step"],"additionalProperties":false,"$defs":{"Step":{"type":"object","properties":{"n":{"type":"integer"}},"required":["n"],"additionalProperties":false}}}`,
			`{"step":{"n":"one"}}`},
		{"Nullable", `{"type":"object","properties":{"note":{"type":["string","null"]}},"required":["note"],"additionalProperties":false}`,
			`{}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := spec.CompileSchema([]byte(c.schema))
			if err != nil {
				t.Fatalf("compile: %v", err)
			}
			v, err := s.Generate(42)
			if err != nil {
				t.Fatalf("generate: %v", err)
			}
			if err := s.Validate(v); err != nil {
				t.Errorf("generated %s does not validate: %v", v, err)
			}
			again, _ := s.Generate(42)
			if string(again) != string(v) {
				t.Errorf("same seed gave %s then %s", v, again)
			}
			if err := s.Validate([]byte(c.bad)); err == nil {
				t.Errorf("expected %s to be rejected", c.bad)
			}
		})
	}
	if _, err := spec.CompileSchema([]byte(`[1]`)); !errors.Is(err, spec.ErrBadSchema) {
		t.Errorf("expected ErrBadSchema for an array, got %v", err)
	}
}

// TestComponentSchema validates values against a named component whose $refs point at other
// components, and rejects a missing name.
func TestComponentSchema(t *testing.T) {
	doc, err := spec.LoadFile("testdata/petstore-3.0.yaml")
	if err != nil {
		t.Fatal(err)
	}
	pet, err := doc.ComponentSchema("Pet") // oneOf $ref Cat, Dog
	if err != nil {
		t.Fatalf("component: %v", err)
	}
	if err := pet.Validate([]byte(`{"kind":"cat","id":"7f0c2d3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f","name":"Tom","lives":9}`)); err != nil {
		t.Errorf("expected a cat to validate, got %v", err)
	}
	for _, bad := range []string{`{"kind":"cat","id":"7f0c2d3e-1b2a-4c5d-8e9f-0a1b2c3d4e5f","name":"Tom","lives":10}`, `{"kind":"dog","name":"Rex"}`, `not json`} {
		if err := pet.Validate([]byte(bad)); err == nil {
			t.Errorf("expected %s to be rejected", bad)
		}
	}
	if _, err := doc.ComponentSchema("Nope"); !errors.Is(err, spec.ErrBadSchema) {
		t.Errorf("expected ErrBadSchema for a missing component, got %v", err)
	}
}
