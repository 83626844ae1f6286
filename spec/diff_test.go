package spec_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// TestDiffGolden compares every pair in testdata/diff/<case>/{old,new}.yaml and checks the rendered
// report against the golden files. A case named breaking-<rule> must report that rule as breaking; a
// case named nonbreaking-* must report no breaking change.
func TestDiffGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/diff/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no diff cases in testdata/diff (err %v)", err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		t.Run(name, func(t *testing.T) {
			old := mustLoad(t, filepath.Join(dir, "old.yaml"))
			nw := mustLoad(t, filepath.Join(dir, "new.yaml"))
			changes, err := spec.Diff(old, nw)
			if err != nil {
				t.Fatalf("Diff: %v", err)
			}
			if len(changes.Changes) == 0 {
				t.Fatal("no changes found")
			}
			switch {
			case strings.HasPrefix(name, "breaking-"):
				rule := strings.TrimPrefix(name, "breaking-")
				found := false
				for _, c := range changes.Breaking() {
					if strings.HasPrefix(rule, c.Rule) { // breaking-operation-removed-method checks operation-removed
						found = true
					}
				}
				if !found {
					t.Errorf("expected a breaking change with rule %s, got %+v", rule, changes.Changes)
				}
			case strings.HasPrefix(name, "nonbreaking-"):
				if b := changes.Breaking(); len(b) > 0 {
					t.Errorf("expected no breaking change, got %+v", b)
				}
			}
			for _, format := range []string{"text", "json", "markdown"} {
				var buf bytes.Buffer
				if err := changes.Write(&buf, format); err != nil {
					t.Fatalf("Write %s: %v", format, err)
				}
				ext := map[string]string{"text": "txt", "json": "json", "markdown": "md"}[format]
				golden(t, filepath.Join(dir, "want."+ext), buf.Bytes())
			}
		})
	}
}

func TestDiffLocations(t *testing.T) {
	dir := "testdata/diff/breaking-response-removed"
	changes, err := spec.Diff(mustLoad(t, dir+"/old.yaml"), mustLoad(t, dir+"/new.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b := changes.Breaking()
	if len(b) != 1 {
		t.Fatalf("expected one breaking change, got %+v", b)
	}
	got := b[0]
	want := spec.Change{Breaking: true, Kind: spec.ChangeRemoved, Method: "GET", Path: "/pets/{id}",
		Pointer: "/paths/~1pets~1{id}/get/responses", Property: "codes", Rule: "response-removed"}
	if got.Method != want.Method || got.Path != want.Path || got.Pointer != want.Pointer || got.Property != want.Property ||
		got.Rule != want.Rule || got.Kind != want.Kind {
		t.Errorf("expected %+v, got %+v", want, got)
	}
	if got.Line == 0 {
		t.Errorf("expected the line of the removed response in the old document, got 0")
	}
}

func TestDiffIdentical(t *testing.T) {
	doc := mustLoad(t, "testdata/diff/breaking-type-changed/old.yaml")
	changes, err := spec.Diff(doc, mustLoad(t, "testdata/diff/breaking-type-changed/old.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(changes.Changes) != 0 || changes.HasBreaking() {
		t.Errorf("expected no changes, got %+v", changes.Changes)
	}
	var buf bytes.Buffer
	if err := changes.Write(&buf, "json"); err != nil {
		t.Fatal(err)
	}
	var out struct {
		Changes []spec.Change `json:"changes"`
	}
	if err := json.Unmarshal(buf.Bytes(), &out); err != nil || out.Changes == nil {
		t.Errorf("expected an empty changes array in JSON, got %s (%v)", buf.String(), err)
	}
}

func TestDiffMajorVersion(t *testing.T) {
	dir := "testdata/diff/major-version-bump"
	changes, err := spec.Diff(mustLoad(t, dir+"/old.yaml"), mustLoad(t, dir+"/new.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if !changes.HasBreaking() || !changes.MajorChanged() {
		t.Errorf("expected breaking changes with a major version change, got breaking=%v major=%v", changes.HasBreaking(), changes.MajorChanged())
	}
}

func TestDiffUnknownFormat(t *testing.T) {
	if err := (&spec.Changes{}).Write(&bytes.Buffer{}, "yaml"); err == nil {
		t.Error("expected an error for an unknown format")
	}
}

func mustLoad(tb testing.TB, path string) *spec.Document {
	tb.Helper()
	doc, err := spec.LoadFile(path)
	if err != nil {
		tb.Fatalf("load %s: %v", path, err)
	}
	return doc
}

func golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("golden file missing (run go test -update): %v", err)
	}
	if !bytes.Equal(want, got) {
		tb.Errorf("%s differs from the output (run go test -update to accept):\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}
