package spec_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

func TestLintGolden(t *testing.T) {
	paths, _ := filepath.Glob("testdata/lint/*.yaml")
	if len(paths) == 0 {
		t.Fatal("no lint fixtures")
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			var b strings.Builder
			for _, p := range mustLoad(t, path).Lint() {
				fmt.Fprintf(&b, "%s:%s\n", path, p)
			}
			golden(t, strings.TrimSuffix(path, ".yaml")+".golden", []byte(b.String()))
		})
	}
}

func TestLintCleanDocuments(t *testing.T) {
	for _, path := range []string{"../openapi.yaml", shared + "train-travel.yaml", shared + "openai.yaml", "testdata/petstore-3.0.yaml", "testdata/multi-file.yaml", "testdata/circular.yaml"} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, p := range mustLoad(t, docPath(t, path)).Lint() {
				if p.Severity == spec.SeverityError {
					t.Errorf("%s:%s", path, p)
				}
			}
		})
	}
}
