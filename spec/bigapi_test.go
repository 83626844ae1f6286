package spec_test

import (
	"bytes"
	"errors"
	"flag"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

var bigAll = flag.Bool("big-all", false, "generate and cross-check the bodies of every operation of bigapi.yaml in TestGeneratedExamplesValidateBig, not a sample (over ten minutes under -race)")

// TestGeneratedExamplesValidateBig generates the bodies of every bigGenerate-th operation and
// cross-checks every bigCross-th through request and response validation, which compile their
// schemas; -big-all does every operation.
const (
	bigGenerate = 4
	bigCross    = 12
)

func TestLoadBig(t *testing.T) {
	doc := mustLoad(t, bigAPI)
	if doc.OpenAPI() != "3.1.0" || len(doc.Operations()) < 250 || len(doc.Raw()) < 2<<20 {
		t.Fatalf("got openapi %s, %d operations, %d bytes; want 3.1.0, at least 250 operations and 2 MB", doc.OpenAPI(), len(doc.Operations()), len(doc.Raw()))
	}
	if len(doc.Warnings()) != 1 || !strings.Contains(doc.Warnings()[0].Reason, `"nullable" in a 3.1 document`) {
		t.Errorf("want the one nullable warning, got %v", doc.Warnings())
	}
	if n := doc.CompiledSchemas(); n != 0 {
		t.Errorf("load compiled %d schemas, want none", n)
	}
	kinds := map[string]bool{}
	for _, op := range doc.Operations() {
		for _, p := range op.Parameters {
			kinds["param "+p.In] = true
		}
		for _, alt := range op.Security {
			for _, s := range alt {
				kinds["security "+s.Type+" "+s.Scheme+s.In] = true
			}
		}
		for _, r := range op.Responses {
			for _, mt := range r.MediaTypes {
				kinds["response "+mt] = true
			}
		}
	}
	for _, want := range []string{"param path", "param query", "param header", "param cookie", "security http bearer", "security http basic",
		"security apiKey header", "security apiKey query", "security apiKey cookie", "security oauth2 ", "security openIdConnect ", "response text/event-stream"} {
		if !kinds[want] {
			t.Errorf("no operation has %s", want)
		}
	}
}

// TestGeneratedExamplesValidateBig mirrors TestGeneratedExamplesValidate on the big document: every
// response and request body of a sample of operations (every one with -big-all; the sample reaches
// every resource) gets a generated value that validates against its own schema; a smaller sample is
// also generated twice to check the seed gives the same value, and passes its responses through response
// validation and its request bodies through request validation.
func TestGeneratedExamplesValidateBig(t *testing.T) {
	doc := mustLoad(t, bigAPI)
	checked, crossChecked := 0, 0
	for i, op := range doc.Operations() {
		if !*bigAll && i%bigGenerate != 0 {
			continue
		}
		cross := *bigAll || i%bigCross == 0
		for _, r := range op.Responses {
			for _, mt := range r.MediaTypes {
				ex, err := op.Example(spec.ExampleQuery{Status: r.Status, MediaType: mt, Dynamic: true, Seed: 42})
				if err != nil {
					t.Errorf("%s %s %s: %v", op.ID, r.Status, mt, err)
					continue
				}
				checked++
				if !cross {
					continue
				}
				again, err := op.Example(spec.ExampleQuery{Status: r.Status, MediaType: mt, Dynamic: true, Seed: 42})
				if err != nil || !bytes.Equal(again.Body, ex.Body) {
					t.Errorf("%s %s %s: the same seed gave another value", op.ID, r.Status, mt)
				}
				if !strings.Contains(mt, "json") {
					continue
				}
				crossChecked++
				req := httptest.NewRequest(op.Method, "http://localhost/", nil)
				if err := op.ValidateResponseParts(req, ex.Status, http.Header{"Content-Type": {mt}}, ex.Body); err != nil {
					var verrs spec.ValidationErrors
					if !errors.As(err, &verrs) || verrs.Without(spec.InHeader).Has(spec.InBody) {
						t.Errorf("%s %s %s: generated body fails response validation: %v\n%.500s", op.ID, r.Status, mt, err, ex.Body)
					}
				}
			}
		}
		if op.Model.RequestBody == nil {
			continue
		}
		for c := op.Model.RequestBody.Content.First(); c != nil; c = c.Next() {
			if c.Value().Schema == nil || c.Value().Schema.Schema() == nil {
				continue
			}
			body, err := doc.Generate(c.Value().Schema.Schema(), 7)
			if err != nil {
				t.Errorf("%s request %s: %v", op.ID, c.Key(), err)
				continue
			}
			checked++
			if !cross || !strings.Contains(c.Key(), "json") {
				continue
			}
			crossChecked++
			if err := requestBodyOnly(op, c.Key(), body); err != nil {
				t.Errorf("%s request %s: generated body fails request validation: %v\n%.500s", op.ID, c.Key(), err, body)
			}
		}
	}
	if checked == 0 || crossChecked == 0 {
		t.Fatalf("checked %d bodies, cross-checked %d", checked, crossChecked)
	}
	t.Logf("%d generated bodies validate, %d of them also through request or response validation", checked, crossChecked)
}

// requestBodyOnly validates body as op's request body and returns only the body's violations
// (parameters and credentials are not generated here).
func requestBodyOnly(op *spec.Operation, mediaType string, body []byte) error {
	req := httptest.NewRequest(op.Method, "http://localhost"+strings.NewReplacer("{id}", bigID, "{version}", ".1", "{coords}", ";coords=1,2").Replace(op.Path), bytes.NewReader(body))
	req.Header.Set("Content-Type", mediaType)
	err := op.ValidateRequest(req)
	var verrs spec.ValidationErrors
	if errors.As(err, &verrs) {
		var only spec.ValidationErrors
		for _, v := range verrs {
			if v.In == spec.InBody || v.In == spec.InContentType {
				only = append(only, v)
			}
		}
		if len(only) == 0 {
			return nil
		}
		return only
	}
	return err
}
