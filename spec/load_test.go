package spec_test

import (
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/spec"
)

func TestLoadInvalidDocuments(t *testing.T) {
	paths, _ := filepath.Glob("testdata/invalid/*.yaml")
	more, _ := filepath.Glob("testdata/invalid/*.json")
	paths = append(paths, more...)
	if len(paths) < 7 {
		t.Fatalf("expected the invalid fixtures, found %d", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			_, err := spec.LoadFile(path)
			var le *spec.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want a *spec.LoadError, got %T %v", err, err)
			}
			if le.File != path || le.Line < 1 || le.Column < 1 {
				t.Errorf("want file %s with a line and column, got %q %d:%d", path, le.File, le.Line, le.Column)
			}
			golden(t, strings.TrimSuffix(path, filepath.Ext(path))+".golden", []byte(err.Error()+"\n"))
		})
	}
}

func TestLoadErrors(t *testing.T) {
	multi, err := os.ReadFile("testdata/multi-file.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data string
		opts spec.Options
		want string
	}{
		{"Empty", "  \n", spec.Options{}, "openapi:1:1: document is empty"},
		{"NameDefault", "openapi: 3.1.0\ninfo: [", spec.Options{}, "openapi:3:1: invalid YAML: did not find expected node content"},
		{"FileRefWithoutBaseDir", string(multi), spec.Options{Name: "multi.yaml"}, `multi.yaml:13:19: $ref "./schemas/common.yaml#/components/schemas/Id": file references need a document loaded from a file`},
		{"DuplicateOperationID", "openapi: 3.0.3\ninfo: {title: t, version: v}\npaths:\n  /a: {get: {operationId: x, responses: {'200': {description: ok}}}}\n  /b: {get: {operationId: x, responses: {'200': {description: ok}}}}\n", spec.Options{Name: "dup.yaml"}, `dup.yaml: operationId "x" is used by both`},
		{"MissingFile", "", spec.Options{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			if tt.name == "MissingFile" {
				_, err = spec.LoadFile("testdata/nope.yaml")
				tt.want = "testdata/nope.yaml: no such file or directory"
			} else {
				_, err = spec.Load([]byte(tt.data), tt.opts)
			}
			var le *spec.LoadError
			if !errors.As(err, &le) {
				t.Fatalf("want a *spec.LoadError, got %T %v", err, err)
			}
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("got %q, want prefix %q", err, tt.want)
			}
		})
	}
}

func TestLoadValidDocuments(t *testing.T) {
	tests := []struct {
		path    string
		openapi string
		ops     int
		warning string
	}{
		{"testdata/petstore-3.0.yaml", "3.0.3", 6, ""},
		{"testdata/multi-file.yaml", "3.1.0", 1, ""},
		{"testdata/circular.yaml", "3.1.0", 3, ""},
		{"testdata/circular/impossible.yaml", "3.1.0", 1, ""},
		{"../openapi.yaml", "3.1.0", 9, ""},
		{shared + "train-travel.yaml", "3.1.0", 7, "getting-started.md"},
		{shared + "openai.yaml", "3.1.0", 288, `"nullable" in a 3.1 document`},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			doc := mustLoad(t, docPath(t, tt.path))
			if doc.OpenAPI() != tt.openapi || len(doc.Operations()) != tt.ops {
				t.Errorf("got openapi %s with %d operations, want %s with %d", doc.OpenAPI(), len(doc.Operations()), tt.openapi, tt.ops)
			}
			if tt.warning != "" {
				found := false
				for _, w := range doc.Warnings() {
					found = found || strings.Contains(w.Reason, tt.warning)
				}
				if !found {
					t.Errorf("no warning mentions %q in %v", tt.warning, doc.Warnings())
				}
			}
		})
	}
}

// TestCircularReferencesTerminate generates and validates values for cyclic schemas: every call must
// return, with a value or with an error, never hang or overflow the stack.
func TestCircularReferencesTerminate(t *testing.T) {
	for _, path := range []string{"testdata/circular.yaml", "testdata/circular/impossible.yaml"} {
		doc := mustLoad(t, path)
		for _, op := range doc.Operations() {
			done := make(chan error, 1)
			go func() {
				_, err := op.Example(spec.ExampleQuery{Dynamic: true})
				done <- err
			}()
			select {
			case err := <-done:
				if path == "testdata/circular.yaml" && err != nil {
					t.Errorf("%s %s: %v", path, op.ID, err)
				}
			case <-time.After(time.Minute):
				t.Fatalf("%s %s: generation did not return", path, op.ID)
			}
		}
	}
}

func TestLoadIsLazy(t *testing.T) {
	doc := mustLoad(t, testenv.Spec(t, "openai.yaml"))
	if n := doc.CompiledSchemas(); n != 0 {
		t.Fatalf("load compiled %d schemas, want none", n)
	}
	op, ok := doc.Operation("createChatCompletion")
	if !ok {
		t.Fatal("no createChatCompletion")
	}
	_ = op.ValidateRequest(mustRequest(t, "POST", "/chat/completions", `{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`, "Authorization", "Bearer k"))
	if n := doc.CompiledSchemas(); n == 0 {
		t.Fatal("validation compiled no schema")
	}
}

// Validating a response compiles that response's schemas only: a path's other operations and
// responses wait until they are used.
func TestValidationCompilesOnlyWhatItChecks(t *testing.T) {
	doc := mustLoad(t, "testdata/petstore-3.0.yaml")
	m, err := doc.Find("GET", "/pets/"+traceID)
	if err != nil {
		t.Fatal(err)
	}
	req := mustRequest(t, "GET", "/pets/"+traceID, "")
	validate := func(status int, body string) int {
		t.Helper()
		if err := m.Operation.ValidateResponseParts(req, status, http.Header{"Content-Type": {"application/json"}}, []byte(body)); err != nil {
			t.Fatalf("%d: %v", status, err)
		}
		return doc.CompiledSchemas()
	}
	ok := validate(200, `{"kind":"cat","id":"`+traceID+`","name":"Tom"}`)
	if ok == 0 {
		t.Fatal("validating a 200 compiled no schema")
	}
	if again := validate(200, `{"kind":"dog","id":"`+traceID+`","name":"Rex"}`); again != ok {
		t.Errorf("validating the 200 again compiled %d more schemas", again-ok)
	}
	if notFound := validate(404, `{"code":404,"message":"no such pet"}`); notFound <= ok {
		t.Errorf("the 404's schema was compiled with the 200's (%d schemas after the 200, %d after the 404)", ok, notFound)
	}
}
