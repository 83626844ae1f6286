package spec_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

const headerDoc = `openapi: 3.1.0
info: {title: headers, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      responses:
        "200":
          description: ok
          headers:
            X-Count:
              required: true
              schema: {type: integer}
          content:
            application/json:
              schema: {type: array, items: {type: string}}
`

func TestResponseHeaderViolations(t *testing.T) {
	doc, err := spec.Load([]byte(headerDoc), spec.Options{Name: "headers.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	op, _ := doc.Operation("listThings")
	req, _ := http.NewRequest(http.MethodGet, "/things", nil)
	tests := []struct {
		name   string
		header http.Header
		want   bool // a violation expected
	}{
		{"Present", http.Header{"Content-Type": {"application/json"}, "X-Count": {"2"}}, false},
		{"Missing", http.Header{"Content-Type": {"application/json"}}, true},
		{"WrongType", http.Header{"Content-Type": {"application/json"}, "X-Count": {"many"}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := op.ValidateResponseParts(req, 200, tt.header, []byte(`["a","b"]`))
			if !tt.want {
				if err != nil {
					t.Fatalf("expected no violation, got %v", err)
				}
				return
			}
			var ve spec.ValidationErrors
			if !errors.As(err, &ve) {
				t.Fatalf("expected ValidationErrors, got %v", err)
			}
			if !ve.Only(spec.InHeader) || ve[0].Pointer != "X-Count" {
				t.Fatalf("expected a header violation at X-Count, got %v", ve)
			}
		})
	}
}
