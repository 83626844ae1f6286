package spec_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// mustRequest builds a request with a body (empty for none) and header pairs.
func mustRequest(tb testing.TB, method, target, body string, header ...string) *http.Request {
	tb.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, "http://api.test"+target, r)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return req
}

// violation is what a test expects of one ValidationError; empty fields match anything.
type violation struct {
	in      spec.In
	pointer string
	reason  string
}

func checkViolations(t *testing.T, err error, want []violation) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("want valid, got %v", err)
		}
		return
	}
	var verrs spec.ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("want ValidationErrors, got %T %v", err, err)
	}
	for _, w := range want {
		found := false
		for _, e := range verrs {
			if e.In == w.in && (w.pointer == "" || e.Pointer == w.pointer) && strings.Contains(e.Reason, w.reason) {
				found = true
			}
		}
		if !found {
			t.Errorf("no violation {%s %q %q} in %v", w.in, w.pointer, w.reason, verrs)
		}
	}
}

const traceID = "0b9e4a8e-8a5b-4c3a-9f0e-1d2c3b4a5f6e"

func TestValidateRequestPetstore(t *testing.T) {
	doc := mustLoad(t, "testdata/petstore-3.0.yaml")
	cat := `{"kind":"cat","id":"` + traceID + `","name":"Tom","born":"2020-01-02T03:04:05Z","owner":"ann@example.com"}`
	tests := []struct {
		name string
		req  *http.Request
		want []violation
	}{
		{"Valid", mustRequest(t, "GET", "/pets?limit=5", "", "X-API-Key", "k", "X-Trace-Id", traceID), nil},
		{"QueryOutOfRange", mustRequest(t, "GET", "/pets?limit=500", "", "X-API-Key", "k", "X-Trace-Id", traceID), []violation{{spec.InQuery, "limit", ""}}},
		{"QueryNotInteger", mustRequest(t, "GET", "/pets?limit=lots", "", "X-API-Key", "k", "X-Trace-Id", traceID), []violation{{spec.InQuery, "limit", ""}}},
		{"MissingHeader", mustRequest(t, "GET", "/pets", "", "X-API-Key", "k"), []violation{{spec.InHeader, "X-Trace-Id", ""}}},
		{"HeaderNotUUID", mustRequest(t, "GET", "/pets", "", "X-API-Key", "k", "X-Trace-Id", "nope"), []violation{{spec.InHeader, "X-Trace-Id", ""}}},
		{"CookieTooShort", mustRequest(t, "GET", "/pets", "", "X-API-Key", "k", "X-Trace-Id", traceID, "Cookie", "session=ab"), []violation{{spec.InCookie, "session", ""}}},
		{"MissingCredentials", mustRequest(t, "GET", "/pets", "", "X-Trace-Id", traceID), []violation{{spec.InSecurity, "", ""}}},
		{"PathNotUUID", mustRequest(t, "GET", "/pets/nope", "", "X-API-Key", "k"), []violation{{spec.InPath, "petId", ""}}},
		{"PublicOperation", mustRequest(t, "GET", "/pets/mine", ""), nil},
		{"BodyValidCat", mustRequest(t, "POST", "/pets", cat, "X-API-Key", "k"), nil},
		{"BodyBadFormats", mustRequest(t, "POST", "/pets", `{"kind":"cat","id":"x","name":"Tom","born":"yesterday","owner":"nobody"}`, "X-API-Key", "k"),
			[]violation{{spec.InBody, "/id", "uuid"}, {spec.InBody, "/born", "date-time"}, {spec.InBody, "/owner", "email"}}},
		{"BodyNullableOwner", mustRequest(t, "POST", "/pets", `{"kind":"cat","id":"`+traceID+`","name":"Tom","owner":null}`, "X-API-Key", "k"), nil},
		{"BodyDiscriminatorPicksBranch", mustRequest(t, "POST", "/pets", `{"kind":"dog","id":"`+traceID+`","name":"Rex","lives":3}`, "X-API-Key", "k"),
			[]violation{{spec.InBody, "", "lives"}}},
		{"BodyMissing", mustRequest(t, "POST", "/pets", "", "X-API-Key", "k"), []violation{{spec.InBody, "", ""}}},
		{"BodyNotJSON", func() *http.Request {
			r := mustRequest(t, "POST", "/pets", "kind=cat", "X-API-Key", "k")
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			return r
		}(), []violation{{spec.InContentType, "", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkViolations(t, doc.ValidateRequest(tt.req), tt.want)
		})
	}
}

// TestValidateRequestOneOfNoise checks that a oneOf failure reports the branch the discriminator
// selects, not every branch.
func TestValidateRequestOneOfNoise(t *testing.T) {
	doc := mustLoad(t, "testdata/petstore-3.0.yaml")
	err := doc.ValidateRequest(mustRequest(t, "POST", "/pets", `{"kind":"dog","id":"`+traceID+`","name":""}`, "X-API-Key", "k"))
	var verrs spec.ValidationErrors
	if !errors.As(err, &verrs) {
		t.Fatalf("want ValidationErrors, got %v", err)
	}
	for _, e := range verrs {
		if strings.Contains(e.Reason, "'cat'") || strings.Contains(e.Keyword, "/oneOf/0/") {
			t.Errorf("reported the cat branch for a dog: %v", verrs)
		}
	}
	if !strings.Contains(verrs.Error(), "/name") {
		t.Errorf("want the /name violation, got %v", verrs)
	}
	for _, e := range verrs {
		t.Logf("%+v", *e)
	}
}

func TestValidateRequestUltraAnalyze(t *testing.T) {
	doc := mustLoad(t, "../openapi.yaml")
	auth := []string{"Authorization", "Bearer token"}
	tests := []struct {
		name string
		body string
		hdr  []string
		want []violation
	}{
		{"Valid", `{"prompt":"Why is the sky blue?","selected_models":["gpt4o","claude3opus"],"ultra_model":"gpt4o"}`, auth, nil},
		{"EmptyPrompt", `{"prompt":"","selected_models":["gpt4o"],"ultra_model":"gpt4o"}`, auth, []violation{{spec.InBody, "/prompt", ""}}},
		{"MissingModels", `{"prompt":"x","ultra_model":"gpt4o"}`, auth, []violation{{spec.InBody, "", "selected_models"}}},
		{"DuplicateModels", `{"prompt":"x","selected_models":["gpt4o","gpt4o"],"ultra_model":"gpt4o"}`, auth, []violation{{spec.InBody, "/selected_models", ""}}},
		{"BadPattern", `{"prompt":"x","selected_models":["gpt4o"],"ultra_model":"gpt4o","pattern":"vibes"}`, auth, []violation{{spec.InBody, "/pattern", ""}}},
		{"UnknownField", `{"prompt":"x","selected_models":["gpt4o"],"ultra_model":"gpt4o","extra":1}`, auth, []violation{{spec.InBody, "", "extra"}}},
		{"NoToken", `{"prompt":"x","selected_models":["gpt4o"],"ultra_model":"gpt4o"}`, nil, []violation{{spec.InSecurity, "", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkViolations(t, doc.ValidateRequest(mustRequest(t, "POST", "/api/analyze", tt.body, tt.hdr...)), tt.want)
		})
	}
}

func TestValidateResponse(t *testing.T) {
	doc := mustLoad(t, "testdata/petstore-3.0.yaml")
	cat := `{"kind":"cat","id":"` + traceID + `","name":"Tom"}`
	tests := []struct {
		name   string
		path   string
		status int
		ctype  string
		body   string
		want   []violation
	}{
		{"Valid", "/pets/x", 200, "application/json", cat, nil},
		{"ValidRange", "/pets", 0, "", "", nil},
		{"UndocumentedStatus", "/pets/x", 418, "application/json", cat, []violation{{spec.InStatus, "", ""}}},
		{"UndocumentedContentType", "/pets/x", 200, "text/html", "<p>cat</p>", []violation{{spec.InContentType, "", ""}}},
		{"BodyViolation", "/pets/x", 200, "application/json", `{"kind":"cat","id":"nope","name":"Tom"}`, []violation{{spec.InBody, "/id", "uuid"}}},
		{"ErrorResponse", "/pets/x", 404, "application/json", `{"code":404,"message":"no such pet"}`, nil},
		{"ErrorResponseBad", "/pets/x", 404, "application/json", `{"code":"404"}`, []violation{{spec.InBody, "/code", ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := mustRequest(t, "GET", tt.path, "")
			m, err := doc.Find("GET", tt.path)
			if err != nil {
				t.Fatal(err)
			}
			status, ctype, body := tt.status, tt.ctype, tt.body
			if status == 0 {
				ex, err := m.Operation.Example(spec.ExampleQuery{})
				if err != nil {
					t.Fatal(err)
				}
				status, ctype, body = ex.Status, ex.MediaType, string(ex.Body)
			}
			err = m.Operation.ValidateResponseParts(req, status, http.Header{"Content-Type": {ctype}}, []byte(body))
			checkViolations(t, err, tt.want)
		})
	}
}
