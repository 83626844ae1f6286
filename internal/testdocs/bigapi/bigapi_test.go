package bigapi_test

import (
	"bytes"
	"flag"
	"os"
	"testing"

	"github.com/ultra-kit/ultra/internal/testdocs/bigapi"
)

var update = flag.Bool("update", false, "rewrite bigapi.yaml from Generate")

// TestCommittedMatchesGenerator fails when bigapi.yaml is not what Generate writes: edit the generator,
// then run `go test ./internal/testdocs/bigapi -update`.
func TestCommittedMatchesGenerator(t *testing.T) {
	got := bigapi.Generate()
	if !bytes.Equal(got, bigapi.Generate()) {
		t.Fatal("Generate is not deterministic")
	}
	if *update {
		if err := os.WriteFile("bigapi.yaml", got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile("bigapi.yaml")
	if err != nil {
		t.Fatalf("%v (run go test ./internal/testdocs/bigapi -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("bigapi.yaml (%d bytes) differs from Generate (%d bytes): run go test ./internal/testdocs/bigapi -update", len(want), len(got))
	}
	if len(got) < 2<<20 {
		t.Errorf("the document is %d bytes, want at least 2 MB", len(got))
	}
}
