package mockserver_test

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
)

// FuzzValidateRequest sends arbitrary requests through the mock: it must never panic and never
// answer a client's mistake with a 5xx (the pets document documents no 5xx the request can reach
// without a fault, except listPets' 500 on request).
func FuzzValidateRequest(f *testing.F) {
	seeds := []struct{ method, path, ctype, body, prefer string }{
		{"GET", "/pets?limit=5", "", "", ""},
		{"GET", "/pets/abc", "", "", ""},
		{"POST", "/pets", "application/json", `{"name":"x"}`, ""},
		{"POST", "/pets", "application/json", `{"name":`, ""},
		{"POST", "/pets", "text/plain", `hello`, "code=503"},
		{"POST", "/orders", "application/json", `{"petId":"x"}`, ""},
		{"DELETE", "/pets/1", "", "", "dynamic=true"},
		{"GET", "/%zz", "", "", ""},
		{"GET", "/pets/1?__code=404&__example=nope", "", "", "example=two"},
		{"PUT", "/feed", "", "", ""},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.ctype, s.body, s.prefer)
	}
	srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(f, "testdata/pets.yaml")}}})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	f.Fuzz(func(t *testing.T, method, path, ctype, body, prefer string) {
		req, err := http.NewRequest(method, "http://mock"+path, strings.NewReader(body))
		if err != nil || !strings.HasPrefix(req.URL.Path, "/") {
			return // not a request a client can send
		}
		req.Header.Set("Authorization", "Bearer t")
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		if prefer != "" {
			req.Header.Set("Prefer", prefer)
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		wantsError := strings.Contains(prefer, "code=5") || strings.Contains(path, "__code=5") || strings.Contains(path, "__code%3D5")
		if rec.Code >= 500 && !wantsError {
			t.Fatalf("%s %s (%s %q, Prefer %q): %d %s", method, path, ctype, body, prefer, rec.Code, rec.Body.String())
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Fatal("no X-Request-ID")
		}
	})
}

// FuzzSSE streams arbitrary text/event-stream examples: every event the mock sends must be a
// well-formed SSE block (field lines ending in one blank line), however odd the example.
func FuzzSSE(f *testing.F) {
	for _, s := range []string{
		"event: a\ndata: 1\n\nevent: b\ndata: 2\n",
		"data: x\r\n\r\ndata: y",
		"plain text\n\nmore text",
		`[{"a":1},{"b":[1,2]}]`,
		`{"only":"one"}`,
		"\n\n\n",
		": comment\nid: 7\nretry: 10\ndata: z\n\n",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, example string) {
		doc := "openapi: 3.1.0\ninfo: {title: S, version: '1'}\npaths:\n  /s:\n    get:\n      responses:\n        '200':\n          description: s\n          content:\n            text/event-stream:\n              schema: {type: string}\n              example: " + yamlQuote(example) + "\n"
		d, err := loadString(doc)
		if err != nil {
			return
		}
		srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: d}}})
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
		srv.ServeHTTP(rec, httptest.NewRequest("GET", "/s", nil))
		if rec.Code != 200 {
			t.Fatalf("expected 200, got %d: %s", rec.Code, rec.Body.String())
		}
		for _, chunk := range rec.chunks {
			if !strings.HasSuffix(chunk, "\n\n") || strings.Contains(strings.TrimSuffix(chunk, "\n\n"), "\n\n") {
				t.Fatalf("chunk is not one event: %q", chunk)
			}
			sc := bufio.NewScanner(strings.NewReader(strings.TrimSuffix(chunk, "\n\n")))
			for sc.Scan() {
				line := sc.Text()
				if strings.ContainsRune(line, '\r') {
					t.Fatalf("carriage return inside an event line: %q", line)
				}
				if !(strings.HasPrefix(line, ":") || strings.HasPrefix(line, "data:") || strings.HasPrefix(line, "event:") || strings.HasPrefix(line, "id:") || strings.HasPrefix(line, "retry:")) {
					t.Fatalf("line %q of event %q is not an SSE field", line, chunk)
				}
			}
		}
	})
}
