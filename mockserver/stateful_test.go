package mockserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/spec"
)

func bookshop(tb testing.TB) *spec.Document {
	tb.Helper()
	return mustLoad(tb, "../examples/bookshop/openapi.yaml")
}

func decode(tb testing.TB, body []byte) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil {
		tb.Fatalf("expected a JSON object, got %s: %v", body, err)
	}
	return m
}

// TestStatefulCRUD walks one book through create, read, patch, replace, list, delete and the
// document's own 404, checking every answer against the document.
func TestStatefulCRUD(t *testing.T) {
	doc := bookshop(t)
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}, Stateful: true})
	ct := []string{"Content-Type", "application/json"}

	resp, body := call(t, ts, "POST", "/books", `{"title":"Dune","authorId":"7","year":1965}`, ct...)
	if resp.StatusCode != 201 {
		t.Fatalf("create: expected 201, got %d %s", resp.StatusCode, body)
	}
	book := decode(t, body)
	id, _ := book["id"].(string)
	if id == "" || book["title"] != "Dune" || book["createdAt"] == nil {
		t.Fatalf("create: expected a fresh id, the request's fields and a createdAt, got %v", book)
	}
	if loc := resp.Header.Get("Location"); loc != "/books/"+id {
		t.Errorf("create: expected Location /books/%s, got %q", id, loc)
	}
	_, body2 := call(t, ts, "POST", "/books", `{"title":"Emma","authorId":"2"}`, ct...)
	if other := decode(t, body2)["id"]; other == id {
		t.Fatalf("expected two creates to get two ids, got %v twice", id)
	}

	resp, body = call(t, ts, "GET", "/books/"+id, "")
	if got := decode(t, body); resp.StatusCode != 200 || got["title"] != "Dune" || got["authorId"] != "7" || got["year"] != 1965.0 {
		t.Fatalf("read: expected the created book, got %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, ts, "PATCH", "/books/"+id, `{"year":1966}`, ct...)
	if got := decode(t, body); resp.StatusCode != 200 || got["year"] != 1966.0 || got["title"] != "Dune" || got["id"] != id {
		t.Fatalf("patch: expected year 1966 and the rest kept, got %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, ts, "PUT", "/books/"+id, `{"title":"Dune Messiah","authorId":"7"}`, ct...)
	if got := decode(t, body); resp.StatusCode != 200 || got["title"] != "Dune Messiah" || got["year"] != nil || got["createdAt"] != book["createdAt"] {
		t.Fatalf("put: expected the replacement with createdAt kept, got %d %s", resp.StatusCode, body)
	}
	resp, body = call(t, ts, "GET", "/books", "")
	list := decode(t, body)
	if items, _ := list["items"].([]any); resp.StatusCode != 200 || len(items) != 2 || list["total"] != 2.0 {
		t.Fatalf("list: expected the 2 created books and total 2, got %d %s", resp.StatusCode, body)
	}
	resp, _ = call(t, ts, "DELETE", "/books/"+id, "")
	if resp.StatusCode != 204 {
		t.Fatalf("delete: expected 204, got %d", resp.StatusCode)
	}
	resp, body = call(t, ts, "GET", "/books/"+id, "")
	if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/problem+json") || decode(t, body)["detail"] != "No resource has this id." {
		t.Fatalf("read after delete: expected the document's own 404, got %d %s", resp.StatusCode, body)
	}
	resp, _ = call(t, ts, "DELETE", "/books/"+id, "")
	if resp.StatusCode != 404 {
		t.Errorf("second delete: expected 404, got %d", resp.StatusCode)
	}
}

// TestStatefulAdmin lists, bounds and resets the state through /__admin/state.
func TestStatefulAdmin(t *testing.T) {
	_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: bookshop(t)}}, Stateful: true, StateLimit: 2})
	for _, name := range []string{"A", "B", "C"} {
		if resp, body := call(t, ts, "POST", "/authors", `{"name":"`+name+`"}`, "Content-Type", "application/json"); resp.StatusCode != 201 {
			t.Fatalf("create %s: %d %s", name, resp.StatusCode, body)
		}
	}
	_, body := call(t, ts, "GET", "/__admin/state", "")
	st := decode(t, body)
	res, _ := st["resources"].([]any)
	if len(res) != 2 || st["evicted"] != 1.0 || st["limit"] != 2.0 {
		t.Fatalf("expected 2 resources kept of 3 with one evicted, got %s", body)
	}
	if first := res[0].(map[string]any)["resource"].(map[string]any)["name"]; first != "B" {
		t.Errorf("expected the oldest (A) evicted and B first, got %v", first)
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/state", ""); resp.StatusCode != 204 {
		t.Fatalf("reset: expected 204, got %d", resp.StatusCode)
	}
	_, body = call(t, ts, "GET", "/authors", "")
	if strings.TrimSpace(string(body)) != "[]" {
		t.Errorf("expected no authors after the reset, got %s", body)
	}
}

// TestStatefulUnpaired names the operations without a collection and item path; without
// --stateful the examples answer as before.
func TestStatefulUnpaired(t *testing.T) {
	doc := ultraDoc(t)
	srv, _ := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}, Stateful: true})
	un := srv.Unpaired()
	if len(un) == 0 || !strings.Contains(strings.Join(un, "\n"), "POST /api/analyze: no item path /api/analyze/{id}") {
		t.Fatalf("expected POST /api/analyze to be named unpaired, got %v", un)
	}
	if got := len(srv.Unpaired()); got != len(doc.Operations()) {
		t.Errorf("expected every Ultra operation unpaired (it has no CRUD paths), got %d of %d", got, len(doc.Operations()))
	}
	plain, pts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: bookshop(t)}}})
	if plain.Unpaired() != nil {
		t.Error("expected no pairing report without Stateful")
	}
	resp, body := call(t, pts, "GET", "/books/42", "")
	if resp.StatusCode != 200 || decode(t, body)["title"] != "Dune" {
		t.Errorf("expected the example without Stateful, got %d %s", resp.StatusCode, body)
	}
}
