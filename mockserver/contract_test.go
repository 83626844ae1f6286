package mockserver_test

import (
	"bytes"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/spec"
)

var openaiAll = flag.Bool("openai-all", false, "check every operation of openai.yaml in TestServedResponsesValidate (minutes: each path compiles its response schemas)")

// TestServedResponsesValidate asks the mock for every documented status and media type of every
// operation of the shared documents and checks each answer against the document itself.
func TestServedResponsesValidate(t *testing.T) {
	docs := []struct {
		name string
		doc  func(testing.TB) *spec.Document
		// all asks for every documented response; otherwise only the default one (openai.yaml has
		// hundreds of operations whose responses are all generated).
		all bool
		// sample checks every n-th operation (plus chat completions and models) unless -openai-all:
		// compiling the response schemas of all 288 openai.yaml operations takes minutes.
		sample int
	}{
		{"Ultra", ultraDoc, true, 1},
		{"TrainTravel", func(tb testing.TB) *spec.Document { return mustLoad(tb, testenv.Spec(tb, "train-travel.yaml")) }, true, 1},
		{"OpenAI", func(tb testing.TB) *spec.Document { return mustLoad(tb, testenv.Spec(tb, "openai.yaml")) }, false, 16},
		{"Pets", func(tb testing.TB) *spec.Document { return mustLoad(tb, "testdata/pets.yaml") }, true, 1},
		{"Circular", func(tb testing.TB) *spec.Document { return mustLoad(tb, "testdata/circular.yaml") }, true, 1},
	}
	for _, tc := range docs {
		t.Run(tc.name, func(t *testing.T) {
			doc := tc.doc(t)
			srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}, NoValidate: true})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			checked := 0
			for i, op := range doc.Operations() {
				if !*openaiAll && tc.sample > 1 && i%tc.sample != 0 && op.ID != "createChatCompletion" && op.ID != "listModels" {
					continue
				}
				type want struct{ code, mt string }
				var wants []want
				if tc.all {
					for _, r := range op.Responses {
						if len(r.MediaTypes) == 0 {
							wants = append(wants, want{r.Status, ""})
						}
						for _, mt := range r.MediaTypes {
							wants = append(wants, want{r.Status, mt})
						}
					}
				} else {
					wants = []want{{"", ""}}
				}
				for _, w := range wants {
					req := httptest.NewRequest(op.Method, concretePath(op.Path), nil)
					if w.code != "" {
						req.Header.Set("Prefer", "code="+w.code)
					}
					if w.mt != "" {
						req.Header.Set("Accept", w.mt)
					}
					rec := httptest.NewRecorder()
					srv.ServeHTTP(rec, req)
					if rec.Code >= 500 && (w.code == "" || !strings.HasPrefix(w.code, "5") && w.code != "default") {
						t.Errorf("%s code=%s accept=%s: status %d: %s", op.ID, w.code, w.mt, rec.Code, rec.Body.String())
						continue
					}
					if rec.Header().Get("X-Request-Id") == "" {
						t.Errorf("%s: no X-Request-ID", op.ID)
					}
					vreq := httptest.NewRequest(op.Method, concretePath(op.Path), nil)
					if err := op.ValidateResponseParts(vreq, rec.Code, rec.Header(), bytes.Clone(rec.Body.Bytes())); err != nil {
						t.Errorf("%s code=%s accept=%s: served %d %s that breaks the document: %v\n%.300s",
							op.ID, w.code, w.mt, rec.Code, rec.Header().Get("Content-Type"), err, rec.Body.String())
					}
					checked++
				}
			}
			if checked == 0 {
				t.Fatal("no responses checked")
			}
			t.Logf("%d responses of %d operations validate", checked, len(doc.Operations()))
		})
	}
}

// TestExamplesServed checks that documented examples come back as written.
func TestExamplesServed(t *testing.T) {
	train := mustLoad(t, testenv.Spec(t, "train-travel.yaml"))
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{
		{Doc: ultraDoc(t)}, {Prefix: "/train", Doc: train}, {Prefix: "/pets", Doc: mustLoad(t, "testdata/pets.yaml")},
	}})
	cases := []struct {
		name, method, path string
		headers            []string
		status             int
		contains           string
	}{
		{"UltraHealth", "GET", "/api/health/live", nil, 200, `"status"`},
		{"UltraModels", "GET", "/api/available-models", []string{"Authorization", "Bearer x"}, 200, `gpt`},
		{"TrainStations", "GET", "/train/stations", []string{"Authorization", "Bearer x"}, 200, `Berlin Hauptbahnhof`},
		{"PetsFirstExample", "GET", "/pets/pets", nil, 200, `"name":"Rex"`},
		{"PetsHeaderExample", "GET", "/pets/pets", nil, 200, ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, ts, tc.method, tc.path, "", tc.headers...)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("expected %d with %q, got %d: %.400s", tc.status, tc.contains, resp.StatusCode, body)
			}
		})
	}
	resp, _ := call(t, ts, "GET", "/pets/pets", "")
	if got := resp.Header.Get("X-Total"); got != "2" {
		t.Errorf("expected the documented header X-Total: 2, got %q", got)
	}
}

// TestPreferences covers the Prefer header and the __code, __example and __dynamic parameters.
func TestPreferences(t *testing.T) {
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}})
	cases := []struct {
		name    string
		path    string
		headers []string
		status  int
		body    string // exact, or "" to skip
		ctype   string
	}{
		{"Default", "/pets", nil, 200, `[{"id":1,"name":"Rex"},{"id":2,"name":"Tom","tag":"cat"}]`, "application/json"},
		{"NamedExample", "/pets", []string{"Prefer", "example=empty"}, 200, `[]`, ""},
		{"NamedExampleQuery", "/pets?__example=empty", nil, 200, `[]`, ""},
		{"Code", "/pets/7", []string{"Prefer", "code=404"}, 404, `{"code":"not_found","message":"no such pet"}`, ""},
		{"CodeQuery", "/pets/7?__code=404", nil, 404, `{"code":"not_found","message":"no such pet"}`, ""},
		{"CodeRange", "/pets/7?__code=4XX", nil, 404, `{"code":"not_found","message":"no such pet"}`, ""},
		{"CodeAndExample", "/pets?limit=5", []string{"Prefer", "code=200, example=two"}, 200, `[{"id":1,"name":"Rex"},{"id":2,"name":"Tom","tag":"cat"}]`, ""},
		{"QueryStrippedBeforeValidation", "/pets?limit=5&__dynamic=false&__example=empty", nil, 200, `[]`, ""},
		{"AcceptXML", "/pets/1", []string{"Accept", "application/xml"}, 200, "", "application/xml"},
		{"UndocumentedCode", "/pets/1", []string{"Prefer", "code=418"}, 400, "", "application/problem+json"},
		{"UnknownExample", "/pets", []string{"Prefer", "example=nope"}, 400, "", "application/problem+json"},
		{"Generated", "/status", nil, 200, "", "application/json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, ts, "GET", tc.path, "", tc.headers...)
			if resp.StatusCode != tc.status {
				t.Fatalf("expected %d, got %d: %s", tc.status, resp.StatusCode, body)
			}
			if tc.body != "" && string(body) != tc.body {
				t.Fatalf("expected body %s, got %s", tc.body, body)
			}
			if tc.ctype != "" && resp.Header.Get("Content-Type") != tc.ctype {
				t.Fatalf("expected Content-Type %s, got %s", tc.ctype, resp.Header.Get("Content-Type"))
			}
		})
	}
	t.Run("Dynamic", func(t *testing.T) {
		doc := mustLoad(t, "testdata/pets.yaml")
		op, _ := doc.Operation("listPets")
		for i := 0; i < 5; i++ {
			resp, body := call(t, ts, "GET", "/pets", "", "Prefer", "dynamic=true")
			if resp.StatusCode != 200 {
				t.Fatalf("expected 200, got %d: %s", resp.StatusCode, body)
			}
			if err := op.ValidateResponseParts(httptest.NewRequest("GET", "/pets", nil), resp.StatusCode, resp.Header, body); err != nil {
				t.Fatalf("generated body %s breaks the schema: %v", body, err)
			}
		}
	})
}

// TestRequestValidation covers the statuses a request that breaks the document gets.
func TestRequestValidation(t *testing.T) {
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}})
	cases := []struct {
		name, method, path, body string
		headers                  []string
		status                   int
		header, headerValue      string // a response header to check
		contains                 string
	}{
		{"NoRoute", "GET", "/nope", "", nil, 404, "", "", `"code":"not_found"`},
		{"MethodNotAllowed", "PATCH", "/pets", "", nil, 405, "Allow", "GET, POST", `"code":"method_not_allowed"`},
		{"NotAcceptable", "GET", "/pets/1", "", []string{"Accept", "text/csv"}, 406, "", "", `"code":"not_acceptable"`},
		{"UnsupportedMediaType", "POST", "/pets", "name=x", []string{"Authorization", "Bearer t", "Content-Type", "application/x-www-form-urlencoded"}, 415, "", "", `"code":"unsupported_media_type"`},
		{"InvalidBody", "POST", "/pets", `{"name":"","extra":1}`, []string{"Authorization", "Bearer t", "Content-Type", "application/json"}, 422, "Content-Type", "application/problem+json", `"pointer":"/name"`},
		{"InvalidQuery", "GET", "/pets?limit=1000", "", nil, 422, "", "", `"pointer":"limit"`},
		{"InvalidPath", "GET", "/pets/abc", "", nil, 422, "", "", `"in":"path"`},
		{"MissingBearer", "POST", "/pets", `{"name":"x"}`, []string{"Content-Type", "application/json"}, 401, "WWW-Authenticate", `Bearer realm="mock"`, `"code":"unauthorized"`},
		{"MissingBasic", "DELETE", "/pets/1", "", nil, 401, "WWW-Authenticate", `Basic realm="mock"`, `"code":"unauthorized"`},
		{"MissingAPIKey", "POST", "/orders", `{"petId":1}`, []string{"Content-Type", "application/json"}, 401, "WWW-Authenticate", `ApiKey realm="mock", in="header", name="X-API-Key"`, ``},
		{"DocumentsOwn422", "POST", "/orders", `{}`, []string{"Content-Type", "application/json", "X-API-Key", "k"}, 422, "Content-Type", "application/json", `"code":"bad_order"`},
		{"Valid", "POST", "/pets", `{"name":"Kitty"}`, []string{"Authorization", "Bearer t", "Content-Type", "application/json"}, 201, "", "", `"name":"Kitty"`},
		{"ValidBasic", "DELETE", "/pets/1", "", []string{"Authorization", "Basic dTpw"}, 204, "", "", ``},
		{"Head", "HEAD", "/pets", "", nil, 200, "Content-Type", "application/json", ``},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := call(t, ts, tc.method, tc.path, tc.body, tc.headers...)
			if resp.StatusCode != tc.status {
				t.Fatalf("expected %d, got %d: %s", tc.status, resp.StatusCode, body)
			}
			if tc.header != "" && resp.Header.Get(tc.header) != tc.headerValue {
				t.Fatalf("expected %s: %s, got %q", tc.header, tc.headerValue, resp.Header.Get(tc.header))
			}
			if !strings.Contains(string(body), tc.contains) {
				t.Fatalf("expected body containing %s, got %s", tc.contains, body)
			}
			if resp.Header.Get("X-Request-Id") == "" {
				t.Fatal("no X-Request-ID")
			}
		})
	}
	t.Run("NoValidate", func(t *testing.T) {
		_, ts := mustServer(t, mockserver.Config{NoValidate: true, Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}})
		resp, body := call(t, ts, "POST", "/pets", `not json`)
		if resp.StatusCode != http.StatusCreated {
			t.Fatalf("expected 201 with validation off, got %d: %s", resp.StatusCode, body)
		}
	})
}

func TestRequestIDAndCORS(t *testing.T) {
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}})
	resp, _ := call(t, ts, "GET", "/pets", "", "X-Request-ID", "abc-123")
	if got := resp.Header.Get("X-Request-Id"); got != "abc-123" {
		t.Errorf("expected the client's X-Request-ID echoed, got %q", got)
	}
	resp, _ = call(t, ts, "GET", "/pets", "", "X-Request-ID", strings.Repeat("x", 200))
	if got := resp.Header.Get("X-Request-Id"); got == "" || len(got) > 128 {
		t.Errorf("expected a generated X-Request-ID for an unusable one, got %q", got)
	}
	resp, _ = call(t, ts, "OPTIONS", "/pets", "", "Origin", "http://app.test", "Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization")
	if resp.StatusCode != 204 || resp.Header.Get("Access-Control-Allow-Origin") != "http://app.test" || resp.Header.Get("Access-Control-Allow-Headers") != "authorization" {
		t.Errorf("expected an answered preflight, got %d %v", resp.StatusCode, resp.Header)
	}
	resp, _ = call(t, ts, "GET", "/pets", "", "Origin", "http://app.test")
	if resp.Header.Get("Access-Control-Allow-Origin") != "http://app.test" {
		t.Errorf("expected CORS headers on a simple request, got %v", resp.Header)
	}
	_, off := mustServer(t, mockserver.Config{NoCORS: true, Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}})
	resp, _ = call(t, off, "OPTIONS", "/pets", "", "Origin", "http://app.test", "Access-Control-Request-Method", "POST")
	if resp.StatusCode != 405 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("expected no CORS with NoCORS, got %d %v", resp.StatusCode, resp.Header)
	}
}
