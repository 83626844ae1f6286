package spec_test

import (
	"errors"
	"slices"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

func TestFind(t *testing.T) {
	doc := mustLoad(t, "testdata/petstore-3.0.yaml")
	tests := []struct {
		name    string
		method  string
		path    string
		op      string
		params  map[string]string
		err     error
		allowed []string
	}{
		{"Literal", "GET", "/pets", "listPets", nil, nil, nil},
		{"LowerCaseMethod", "post", "/pets", "createPet", nil, nil, nil},
		{"ConcreteBeatsTemplate", "GET", "/pets/mine", "myPets", nil, nil, nil},
		{"Template", "GET", "/pets/0b9e4a8e-8a5b-4c3a-9f0e-1d2c3b4a5f6e", "getPet", map[string]string{"petId": "0b9e4a8e-8a5b-4c3a-9f0e-1d2c3b4a5f6e"}, nil, nil},
		{"PercentEncodedParam", "GET", "/pets/a%2Fb%20c", "getPet", map[string]string{"petId": "a/b c"}, nil, nil},
		{"TrailingSlash", "GET", "/pets/", "listPets", nil, nil, nil},
		{"HeadFallsBackToGet", "HEAD", "/pets/x", "getPet", map[string]string{"petId": "x"}, nil, nil},
		{"MixedSegment", "POST", "/models/gemini-1.5-pro:generateContent", "generateContent", map[string]string{"model": "gemini-1.5-pro"}, nil, nil},
		{"MixedSegmentWrongSuffix", "POST", "/models/gemini:streamGenerateContent", "", nil, spec.ErrOperationNotFound, nil},
		{"NotFound", "GET", "/owners", "", nil, spec.ErrOperationNotFound, nil},
		{"TooDeep", "GET", "/pets/x/y", "", nil, spec.ErrOperationNotFound, nil},
		{"Root", "GET", "/", "", nil, spec.ErrOperationNotFound, nil},
		{"MethodNotAllowed", "PUT", "/pets/x", "", nil, spec.ErrMethodNotAllowed, []string{"DELETE", "GET"}},
		{"MethodNotAllowedOnConcrete", "DELETE", "/pets/mine", "", nil, spec.ErrMethodNotAllowed, []string{"GET"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := doc.Find(tt.method, tt.path)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("got %v, want %v", err, tt.err)
				}
				var mna *spec.MethodNotAllowedError
				if errors.As(err, &mna) && !slices.Equal(mna.Allowed, tt.allowed) {
					t.Errorf("allowed %v, want %v", mna.Allowed, tt.allowed)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if m.Operation.ID != tt.op {
				t.Errorf("got %s, want %s", m.Operation.ID, tt.op)
			}
			if len(tt.params) != len(m.PathParams) {
				t.Errorf("params %v, want %v", m.PathParams, tt.params)
			}
			for k, v := range tt.params {
				if m.PathParams[k] != v {
					t.Errorf("param %s = %q, want %q", k, m.PathParams[k], v)
				}
			}
		})
	}
}

func TestFindUltraContract(t *testing.T) {
	doc := mustLoad(t, "../openapi.yaml")
	for _, tt := range []struct{ method, path, op string }{
		{"GET", "/api/health", "getHealth"},
		{"POST", "/api/analyze", "analyze"},
	} {
		m, err := doc.Find(tt.method, tt.path)
		if err != nil {
			t.Fatalf("%s %s: %v", tt.method, tt.path, err)
		}
		if op, ok := doc.Operation(tt.op); !ok || op != m.Operation {
			t.Errorf("%s %s: got %s, want %s", tt.method, tt.path, m.Operation.ID, tt.op)
		}
	}
}
