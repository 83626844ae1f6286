package spec

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"

	"github.com/ultra-kit/ultra/internal/testenv"
)

// TestFastValidOpenAIChatMessages runs chat requests of every message role through OpenAI's document,
// whose messages and content parts are discriminated oneOfs: the fast path must use the rewritten
// schema, say "valid" for each valid request, and never for one the full validator rejects.
func TestFastValidOpenAIChatMessages(t *testing.T) {
	doc, err := LoadFile(testenv.Spec(t, "openai.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := doc.Find(http.MethodPost, "/chat/completions")
	if err != nil {
		t.Fatal(err)
	}
	op := m.Operation
	chat := func(messages ...string) string {
		return `{"model":"gpt-4o","messages":[` + strings.Join(messages, ",") + `]}`
	}
	tests := []struct {
		name, body string
		valid      bool
	}{
		{"SystemAndUser", chat(`{"role":"system","content":"Be terse."}`, `{"role":"user","content":"Hello!"}`), true},
		{"Developer", chat(`{"role":"developer","content":"Rules."}`, `{"role":"user","content":"Hi"}`), true},
		{"UserParts", chat(`{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}`), true},
		{"AssistantToolCall", chat(`{"role":"user","content":"Weather?"}`, `{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]}`, `{"role":"tool","tool_call_id":"call_1","content":"sunny"}`), true},
		{"UnknownRole", chat(`{"role":"narrator","content":"Once"}`), false},
		{"NoRole", chat(`{"content":"Hello"}`), false},
		{"UserWithoutContent", chat(`{"role":"user"}`), false},
		{"ToolWithoutCallID", chat(`{"role":"tool","content":"sunny"}`), false},
		{"UnknownPartType", chat(`{"role":"user","content":[{"type":"video","text":"x"}]}`), false},
		{"PartMissingField", chat(`{"role":"user","content":[{"type":"image_url"}]}`), false},
		{"RoleNotAString", chat(`{"role":1,"content":"x"}`), false},
		{"MessageNotAnObject", chat(`"hello"`), false},
		{"BadTemperature", strings.Replace(chat(`{"role":"user","content":"x"}`), `"model"`, `"temperature":9,"model"`, 1), false},
	}
	newReq := func(body string) *http.Request {
		r := httptest.NewRequest(http.MethodPost, "http://api.test/chat/completions", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Authorization", "Bearer sk-test")
		return r
	}
	sv := op.requestValidator()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			full, _ := sv.v.ValidateHttpRequestSyncWithPathItem(newReq(tc.body), sv.item, op.validatorPath)
			if full != tc.valid {
				t.Fatalf("full validator: expected valid=%v, got %v", tc.valid, full)
			}
			if got := op.fastValid(sv, newReq(tc.body)); got != tc.valid {
				t.Fatalf("fast path: expected %v, got %v", tc.valid, got)
			}
		})
	}
	mt := op.Model.RequestBody.Content.GetOrZero("application/json")
	if _, rewritten := doc.bodyChecker(mt).(exclusive); !rewritten {
		t.Fatal("the chat request body is not checked with the rewritten schema")
	}
}

// BenchmarkOpenAIChatBodySchema validates a two-message chat request body against the compiled body
// schema as libopenapi-validator compiles it and as the fast path compiles it, side by side.
func BenchmarkOpenAIChatBodySchema(b *testing.B) {
	doc, err := LoadFile(testenv.Spec(b, "openai.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	m, err := doc.Find(http.MethodPost, "/chat/completions")
	if err != nil {
		b.Fatal(err)
	}
	const body = `{"model":"gpt-4o","messages":[{"role":"system","content":"You are terse."},{"role":"user","content":"Hello!"}],"temperature":0.2}`
	r := httptest.NewRequest(http.MethodPost, "http://api.test/chat/completions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer sk-test")
	if err := m.Operation.ValidateRequest(r); err != nil { // compiles and caches the body schema
		b.Fatal(err)
	}
	s := m.Operation.Model.RequestBody.Content.GetOrZero("application/json").Schema.Schema()
	key := schema_validation.SchemaCacheKey(s.GoLow().Hash(), helpers.VersionToFloat(doc.effective), schema_validation.SchemaValidationPurposeRequestBody)
	entry, ok := doc.schemas.Load(key)
	if !ok || entry == nil || entry.CompiledSchema == nil {
		b.Fatal("the body schema is not cached")
	}
	fast := doc.exclusiveChecker(entry.RenderedJSON, s.GoLow().Hash())
	if fast == nil {
		b.Fatal("no rewritten schema")
	}
	var v any
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		check schemaChecker
	}{{"library", entry.CompiledSchema}, {"exclusive", fast}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.check.Validate(v); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
