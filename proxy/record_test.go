package proxy_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/proxy"
	"github.com/ultra-kit/ultra/spec"
)

// TestRecordWritesExamples: valid exchanges become the first named examples of a copy of the
// document that keeps its comments and passes lint; invalid ones are reported, never written; secrets
// never reach the folder.
func TestRecordWritesExamples(t *testing.T) {
	raw, err := os.ReadFile("testdata/pets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	rec, err := proxy.NewRecorder(proxy.RecordConfig{Doc: mustDoc(t), Raw: raw, Dir: dir, FileName: "pets.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	up := newUpstream(t)
	p, srv, _ := start(t, up.URL, proxy.Config{Observe: rec.Observe})
	traffic(t, p, srv.URL)
	do(t, "GET", srv.URL+"/pets?limit=2", "") // the same answer again: not a second example
	do(t, "POST", srv.URL+"/pets", `{"name":"Tom","api_token":"tok-123"}`, "Content-Type", "application/json")
	journal(t, p, 9)
	res, err := rec.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(filepath.Join(dir, "pets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	if !strings.Contains(text, "# the pets, listed and created") {
		t.Error("the comment was lost")
	}
	lines, _ := os.ReadFile(filepath.Join(dir, proxy.ExchangesFile))
	for _, secret := range []string{"hunter2", "sk-very-secret", "tok-123"} {
		if strings.Contains(text, secret) || strings.Contains(string(lines), secret) {
			t.Errorf("%q reached the record folder", secret)
		}
	}
	if n := strings.Count(string(lines), "\n"); n != 9 {
		t.Errorf("%d exchange lines, want 9", n)
	}
	if !strings.Contains(strings.Join(res.Skipped, "\n"), "GET /pets/2 -> 200: the response violates the contract") {
		t.Errorf("the invalid response was not reported: %q", res.Skipped)
	}
	doc, err := spec.LoadFile(filepath.Join(dir, "pets.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pr := range doc.Lint() {
		if pr.Severity == "error" {
			t.Errorf("lint: %v", pr)
		}
	}
	first := func(id, status string) (string, string) {
		op, _ := doc.Operation(id)
		for _, r := range op.Responses {
			if r.Status == status {
				media := r.Model.Content.GetOrZero(r.MediaTypes[0])
				if media.Examples == nil || media.Examples.Len() == 0 {
					return "", ""
				}
				e := media.Examples.First()
				var v any
				_ = e.Value().Value.Decode(&v)
				return e.Key(), strings.TrimSpace(toJSON(v))
			}
		}
		return "", ""
	}
	for _, tc := range []struct{ id, status, name, value string }{
		{"listPets", "200", "recorded", `[{"id":1,"name":"Rex"}]`},
		{"getPet", "200", "recorded", `{"id":1,"name":"Rex"}`},
		{"getPet", "404", "recorded", `{"code":"not_found"}`},
		{"createPet", "201", "recorded", `{"id":7,"name":"Tom"}`},
	} {
		if name, value := first(tc.id, tc.status); name != tc.name || value != tc.value {
			t.Errorf("%s %s: first example %s = %s, want %s = %s", tc.id, tc.status, name, value, tc.name, tc.value)
		}
	}
	if !strings.Contains(text, "documented:") || !strings.Contains(text, "no_such_pet") {
		t.Error("the 404's single example was not kept as the named example \"documented\"")
	}
	if strings.Contains(text, "recorded-2:") {
		t.Error("a repeated answer was recorded twice")
	}
	if !strings.Contains(text, "recorded-201:") || !strings.Contains(text, `api_token: REDACTED`) {
		t.Errorf("the valid request body is not a redacted request example:\n%s", text)
	}
	if strings.Contains(text, "no name") {
		t.Error("the invalid request body was written as an example")
	}
}
