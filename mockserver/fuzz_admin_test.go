package mockserver_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
)

// FuzzAdminFaults sends arbitrary bodies to PUT and POST /__admin/faults: the answer is a success or a
// 4xx problem+json, never a 5xx or a panic, and what GET /__admin/faults then lists can be PUT back
// unchanged (the list an admin API shows is one it accepts).
func FuzzAdminFaults(f *testing.F) {
	for _, s := range []struct{ method, body string }{
		{"POST", `{"target":"listPets","status":500}`},
		{"POST", `{"target":"openai:gpt-4o","kind":"stream_drop","ttft":"5ms","inter_token":0.001,"times":2}`},
		{"POST", `{"target":"*","p50":"10ms","p99":"1s","error_rate":0.5,"kind":"rate_limit","retry_after":3}`},
		{"POST", "target: getPet\nlatency: 1ms\nlatency_max: 2ms"},
		{"POST", `{"target":"a"}, {"target":"b"}`},
		{"POST", `{"target":"a"}]` + "\nextra: ["},
		{"PUT", `{"faults":[{"target":"getPet","status":404,"times":1},{"target":"listPets","kind":"error"}]}`},
		{"PUT", `[{"target":"GET /pets","kind":"truncate"}]`},
		{"PUT", "- target: x\n  kind: overloaded\n  id: f9\n"},
		{"PUT", `{"faults":[{"target":""}]}`},
		{"PUT", `{"faults":[{"target":"x","latency":"-1s"}]}`},
		{"PUT", ``}, {"POST", `null`}, {"PUT", `{"faults":null}`}, {"POST", "\xff"},
	} {
		f.Add(s.method == "PUT", s.body)
	}
	srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(f, "testdata/pets.yaml")}}})
	if err != nil {
		f.Fatal(err)
	}
	defer srv.Close()
	do := func(method, body string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, httptest.NewRequest(method, "/__admin/faults", strings.NewReader(body)))
		return rec
	}
	f.Fuzz(func(t *testing.T, put bool, body string) {
		method := "POST"
		if put {
			method = "PUT"
		}
		do("DELETE", "")
		rec := do(method, body)
		switch {
		case rec.Code == http.StatusOK || rec.Code == http.StatusCreated:
		case rec.Code >= 400 && rec.Code < 500:
			var p map[string]any
			if ct := rec.Header().Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(rec.Body.Bytes(), &p) != nil || p["status"] != float64(rec.Code) {
				t.Fatalf("%s %q: %d is not a problem document (%s): %s", method, body, rec.Code, ct, rec.Body)
			}
			return
		default:
			t.Fatalf("%s %q: expected a success or a 4xx, got %d: %s", method, body, rec.Code, rec.Body)
		}
		listed := do("GET", "")
		back := do("PUT", listed.Body.String())
		if back.Code != http.StatusOK {
			t.Fatalf("%s %q: PUT of the listed faults %s was refused: %d %s", method, body, listed.Body, back.Code, back.Body)
		}
		if again := do("GET", ""); !sameJSON(listed.Body.Bytes(), again.Body.Bytes()) {
			t.Fatalf("%s %q: listed\n%s\nput back, listed\n%s", method, body, listed.Body, again.Body)
		}
	})
}

// sameJSON reports whether a and b hold the same JSON value.
func sameJSON(a, b []byte) bool {
	var x, y any
	return json.Unmarshal(a, &x) == nil && json.Unmarshal(b, &y) == nil && reflect.DeepEqual(x, y)
}
