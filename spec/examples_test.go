package spec_test

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/spec"
)

// shared marks a table entry as a third-party document in ULTRA_SPECS_DIR (../shared/specs).
const shared = "shared/"

// docPath resolves a table entry inside its subtest: a shared document that is missing skips that
// case alone (or fails it with ULTRA_REQUIRE_SPECS=1), the repository's own documents always run.
func docPath(tb testing.TB, path string) string {
	tb.Helper()
	if name, ok := strings.CutPrefix(path, shared); ok {
		return testenv.Spec(tb, name)
	}
	return path
}

// documentsUnderTest lists every document the property tests run over: testdata and the shared specs.
func documentsUnderTest(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	for _, pattern := range []string{"testdata/*.yaml", "testdata/*.json"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, m...)
	}
	return append(paths, shared+"openai.yaml", shared+"train-travel.yaml")
}

func TestGeneratedExamplesValidate(t *testing.T) {
	for _, path := range documentsUnderTest(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, err := spec.LoadFile(docPath(t, path))
			if err != nil {
				t.Fatal(err)
			}
			checked := 0
			for _, op := range doc.Operations() {
				for _, r := range op.Responses {
					for _, mt := range r.MediaTypes {
						ex, err := op.Example(spec.ExampleQuery{Status: r.Status, MediaType: mt, Dynamic: true, Seed: 42})
						if err != nil {
							t.Errorf("%s %s %s: %v", op.ID, r.Status, mt, err)
							continue
						}
						again, err := op.Example(spec.ExampleQuery{Status: r.Status, MediaType: mt, Dynamic: true, Seed: 42})
						if err != nil || !bytes.Equal(again.Body, ex.Body) {
							t.Errorf("%s %s %s: the same seed gave another value", op.ID, r.Status, mt)
						}
						checked++
						// Response validation builds a validator per path, which costs seconds over OpenAI's
						// 3 MB document: cross-check the generated bodies through it on the smaller documents.
						if !strings.Contains(mt, "json") || len(doc.Raw()) > 1<<20 {
							continue
						}
						req := httptest.NewRequest(op.Method, "http://localhost/", nil)
						hdr := http.Header{"Content-Type": {mt}}
						if err := op.ValidateResponseParts(req, ex.Status, hdr, ex.Body); err != nil {
							var verrs spec.ValidationErrors
							if !errors.As(err, &verrs) || verrs.Without(spec.InHeader).Has(spec.InBody) {
								t.Errorf("%s %s %s: generated body fails response validation: %v\n%s", op.ID, r.Status, mt, err, ex.Body)
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
					if _, err := doc.Generate(c.Value().Schema.Schema(), 7); err != nil {
						t.Errorf("%s request %s: %v", op.ID, c.Key(), err)
					}
					checked++
				}
			}
			if checked == 0 {
				t.Fatal("no response or request body to check")
			}
			t.Logf("%d generated bodies validate", checked)
		})
	}
}
