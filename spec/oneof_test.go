package spec

import (
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
)

// Two message shapes told apart by "role", as in LLM chat APIs; content is a string or a list.
const messagesSchema = `{"type":"object","required":["messages"],"properties":{"messages":{"type":"array","minItems":1,
 "items":{"discriminator":{"propertyName":"role"},"oneOf":[
  {"type":"object","required":["role","content"],"additionalProperties":false,"properties":{
    "role":{"type":"string","enum":["system"]},"content":{"type":"string","minLength":1},"name":{"type":"string"}}},
  {"type":"object","required":["role","content"],"properties":{
    "role":{"type":"string","enum":["user"]},
    "content":{"oneOf":[{"type":"string"},{"type":"array","minItems":1,"items":{"oneOf":[
      {"type":"object","required":["type","text"],"properties":{"type":{"const":"text"},"text":{"type":"string"}}},
      {"type":"object","required":["type","image_url"],"properties":{"type":{"const":"image_url"},"image_url":{"type":"string","format":"uri"}}}]}}]}}},
  {"type":"object","required":["role"],"properties":{"role":{"const":"tool"},"tool_call_id":{"type":"string"}}}]}}}}`

func TestExclusiveOneOfRewrites(t *testing.T) {
	tests := []struct {
		name, schema string
		want         bool
	}{
		{"ByDiscriminator", messagesSchema, true},
		{"ByRequiredConstWithoutDiscriminator", `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"}}},{"type":"object","required":["kind"],"properties":{"kind":{"enum":["b"]}}}]}`, true},
		{"ByType", `{"oneOf":[{"type":"string"},{"type":"array","items":{"type":"string"}},{"type":"null"}]}`, true},
		{"NestedUnderProperty", `{"type":"object","properties":{"x":{"oneOf":[{"type":"string"},{"type":"boolean"}]}}}`, true},
		{"PropertyNamedOneOfIsNotAKeyword", `{"type":"object","properties":{"oneOf":{"type":"string"}}}`, false},
		{"BranchNotTypedObject", `{"oneOf":[{"required":["kind"],"properties":{"kind":{"const":"a"}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}]}`, false},
		{"PropertyNotRequired", `{"oneOf":[{"type":"object","properties":{"kind":{"const":"a"}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}]}`, false},
		{"SameValueTwice", `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"}}}]}`, false},
		{"EnumOfTwo", `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"enum":["a","c"]}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}]}`, false},
		{"ConstAndEnumDisagree", `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"const":"a","enum":["z"]}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}]}`, false},
		{"IntegerAndNumber", `{"oneOf":[{"type":"integer"},{"type":"number"}]}`, false},
		{"SameTypeTwice", `{"oneOf":[{"type":"string","maxLength":3},{"type":"string","minLength":2}]}`, false},
		{"TypeList", `{"oneOf":[{"type":["string","null"]},{"type":"integer"}]}`, false},
		{"Nullable", `{"oneOf":[{"type":"string","nullable":true},{"type":"integer"}]}`, false},
		{"UnevaluatedProperties", `{"unevaluatedProperties":false,"oneOf":[{"type":"string"},{"type":"integer"}]}`, false},
		{"OneBranch", `{"oneOf":[{"type":"string"}]}`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s any
			if err := json.Unmarshal([]byte(tc.schema), &s); err != nil {
				t.Fatal(err)
			}
			_, changed := exclusiveOneOf(s)
			if changed != tc.want {
				t.Fatalf("rewritten = %v, want %v", changed, tc.want)
			}
		})
	}
}

// TestExclusiveOneOfAgrees compiles each schema as it is and rewritten, and checks that the two
// accept exactly the same instances, for valid and invalid ones, in OpenAPI 3.1 and 3.0 mode.
func TestExclusiveOneOfAgrees(t *testing.T) {
	msg := func(parts ...string) string { return `{"messages":[` + strings.Join(parts, ",") + `]}` }
	cases := map[string][]string{
		messagesSchema: {
			msg(`{"role":"system","content":"Be terse."}`, `{"role":"user","content":"Hello"}`),
			msg(`{"role":"user","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":"https://x.test/a.png"}]}`),
			msg(`{"role":"tool"}`),
			msg(`{"role":"system","content":""}`),
			msg(`{"role":"system","content":"x","extra":1}`),
			msg(`{"role":"user"}`),
			msg(`{"role":"assistant","content":"x"}`),
			msg(`{"content":"x"}`),
			msg(`{"role":7,"content":"x"}`),
			msg(`"system"`),
			msg(`null`),
			msg(`{"role":"user","content":[]}`),
			msg(`{"role":"user","content":[{"type":"video","text":"x"}]}`),
			msg(`{"role":"user","content":[{"type":"image_url","image_url":"not a uri"}]}`),
			msg(`{"role":"user","content":7}`),
			msg(),
			`{}`,
			`[]`,
		},
		`{"oneOf":[{"type":"string","minLength":2},{"type":"array","items":{"type":"integer"}},{"type":"null"},{"type":"integer","minimum":0}]}`: {
			`"ab"`, `"a"`, `[1,2]`, `[1.5]`, `null`, `3`, `-1`, `2.5`, `true`, `{}`,
		},
		`{"oneOf":[{"type":"boolean"},{"type":"object","required":["distance"],"properties":{"distance":{"type":"integer","minimum":1}}}]}`: {
			`true`, `{"distance":2}`, `{"distance":0}`, `{}`, `"x"`, `null`,
		},
	}
	// OpenAPI 3.0 only: a boolean exclusiveMinimum and nullable
	only30 := `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"},"n":{"type":"number","minimum":0,"exclusiveMinimum":true},"m":{"type":"integer","nullable":true}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"},"s":{"type":"string","nullable":true}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"c"}}}]}`
	cases30 := []string{
		`{"kind":"a","n":1,"m":null}`, `{"kind":"a","n":0}`, `{"kind":"a","m":1.5}`, `null`, `{"kind":"b","s":null}`, `{"kind":"b","s":"x"}`, `{"kind":"b","s":1}`,
		`{"kind":"c"}`, `{"kind":"d"}`, `{}`, `"a"`,
	}
	for _, version := range []float32{3.0, 3.1, 3.2} {
		n := 0
		all := maps.Clone(cases)
		if version < 3.05 {
			all[only30] = cases30
		}
		for schema, instances := range all {
			n++
			t.Run(fmt.Sprintf("%.1f/%d", version, n), func(t *testing.T) {
				original, rewritten := compileBoth(t, schema, version)
				disagreements, valid, invalid := compare(t, original, rewritten, instances)
				for _, d := range disagreements {
					t.Errorf("%s", d)
				}
				if valid == 0 || invalid == 0 {
					t.Fatalf("the instances must include valid and invalid ones: %d valid, %d invalid", valid, invalid)
				}
			})
		}
	}
}

// TestExclusiveOneOfAgreementCatchesAWrongRewrite is the check's negative test: a rewrite without
// the enum guard (so an unknown role passes) must be caught as a disagreement.
func TestExclusiveOneOfAgreementCatchesAWrongRewrite(t *testing.T) {
	const schema = `{"oneOf":[{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"}}},{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}]}`
	const wrong = `{"type":"object","allOf":[{"if":{"properties":{"kind":{"const":"a"}}},"then":{"type":"object","required":["kind"],"properties":{"kind":{"const":"a"}}}},{"if":{"properties":{"kind":{"const":"b"}}},"then":{"type":"object","required":["kind"],"properties":{"kind":{"const":"b"}}}}]}`
	original, err := compileBodySchema("original", []byte(schema), 3.1)
	if err != nil {
		t.Fatal(err)
	}
	broken, err := compileBodySchema("wrong", []byte(wrong), 3.1)
	if err != nil {
		t.Fatal(err)
	}
	disagreements, _, _ := compare(t, original, broken, []string{`{"kind":"a"}`, `{"kind":"c"}`})
	if len(disagreements) == 0 {
		t.Fatal("a rewrite that accepts an unknown kind was not caught")
	}
}

func compileBoth(t *testing.T, schema string, version float32) (schemaChecker, schemaChecker) {
	t.Helper()
	var s any
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		t.Fatal(err)
	}
	if version < 3.05 {
		s = oas30Keywords(s)
	}
	rewritten, changed := exclusiveOneOf(s)
	if !changed {
		t.Fatal("expected the schema to be rewritten")
	}
	data, err := json.Marshal(rewritten)
	if err != nil {
		t.Fatal(err)
	}
	original, err := compileBodySchema("original", []byte(schema), version)
	if err != nil {
		t.Fatal(err)
	}
	fast, err := compileExclusive("rewritten", data, version)
	if err != nil {
		t.Fatalf("the rewritten schema does not compile: %v\n%s", err, data)
	}
	return original, fast
}

// compare validates each instance against both schemas; it returns the instances they disagree on,
// and how many the original accepts and rejects.
func compare(t *testing.T, original, other schemaChecker, instances []string) (disagreements []string, valid, invalid int) {
	t.Helper()
	for _, inst := range instances {
		var v any
		if err := json.Unmarshal([]byte(inst), &v); err != nil {
			t.Fatalf("instance %s: %v", inst, err)
		}
		want, got := original.Validate(v) == nil, other.Validate(v) == nil
		if want {
			valid++
		} else {
			invalid++
		}
		if want != got {
			disagreements = append(disagreements, fmt.Sprintf("%s: original valid=%v, rewritten valid=%v", inst, want, got))
		}
	}
	return disagreements, valid, invalid
}

// TestOAS30KeywordsMatchesTheLibrary compiles OpenAPI 3.0 schemas as libopenapi-validator does and
// through oas30Keywords and compileExclusive, with nothing to rewrite, and checks that both accept
// the same instances: the fast path's copy of the library's 3.0 rewrite has not drifted from it.
func TestOAS30KeywordsMatchesTheLibrary(t *testing.T) {
	cases := map[string][]string{
		`{"type":"string","nullable":true,"enum":["a","b"]}`:                                              {`"a"`, `null`, `"c"`, `1`},
		`{"type":"integer","minimum":1,"exclusiveMinimum":true,"maximum":5,"exclusiveMaximum":false}`:     {`1`, `2`, `5`, `6`, `0`},
		`{"type":"number","maximum":5,"exclusiveMaximum":true}`:                                           {`4.9`, `5`, `5.1`},
		`{"nullable":true,"allOf":[{"type":"object","required":["a"]}]}`:                                  {`{"a":1}`, `null`, `{}`, `1`},
		`{"type":"object","properties":{"p":{"type":"array","nullable":true,"items":{"type":"string"}}}}`: {`{"p":null}`, `{"p":["x"]}`, `{"p":[1]}`, `{"p":1}`},
		`{"type":"object","nullable":false,"properties":{"x":{"type":"boolean"}}}`:                        {`{"x":true}`, `null`, `{"x":1}`},
	}
	n := 0
	for schema, instances := range cases {
		n++
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			var s any
			if err := json.Unmarshal([]byte(schema), &s); err != nil {
				t.Fatal(err)
			}
			data, err := json.Marshal(oas30Keywords(s))
			if err != nil {
				t.Fatal(err)
			}
			library, err := compileBodySchema("library", []byte(schema), 3.0)
			if err != nil {
				t.Fatal(err)
			}
			ours, err := compileExclusive("ours", data, 3.0)
			if err != nil {
				t.Fatal(err)
			}
			disagreements, valid, invalid := compare(t, library, ours, instances)
			for _, d := range disagreements {
				t.Errorf("%s", d)
			}
			if valid == 0 || invalid == 0 {
				t.Fatalf("the instances must include valid and invalid ones: %d valid, %d invalid", valid, invalid)
			}
		})
	}
}
