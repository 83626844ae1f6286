package spec_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// sharedSpecs is where CI and the dev machines keep the real-world documents, relative to this folder.
const sharedSpecs = "../../shared/specs"

// documentsUnderTest lists every document the property tests run over: testdata and the shared specs.
// A missing shared folder is a failure, never a skip.
func documentsUnderTest(tb testing.TB) []string {
	tb.Helper()
	var paths []string
	for _, pattern := range []string{"testdata/*.yaml", "testdata/*.json", filepath.Join(sharedSpecs, "*.yaml")} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, m...)
	}
	for _, want := range []string{"openai.yaml", "train-travel.yaml"} {
		if _, err := os.Stat(filepath.Join(sharedSpecs, want)); err != nil {
			tb.Fatalf("shared document missing: %v (the shared/ folder must sit beside the repository)", err)
		}
	}
	return paths
}

func TestGeneratedExamplesValidate(t *testing.T) {
	for _, path := range documentsUnderTest(t) {
		t.Run(filepath.Base(path), func(t *testing.T) {
			doc, err := spec.LoadFile(path)
			if err != nil {
				t.Skipf("not loadable (an invalid-document fixture): %v", err)
			}
			failures := 0
			for _, op := range doc.Operations() {
				for _, r := range op.Responses {
					for _, mt := range r.MediaTypes {
						_, err := op.Example(spec.ExampleQuery{Status: r.Status, MediaType: mt, Dynamic: true})
						if err != nil {
							failures++
							t.Errorf("%s %s %s: %v", op.ID, r.Status, mt, err)
						}
					}
				}
			}
			t.Logf("%d failures", failures)
		})
	}
}
