package verify_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/spec"
)

// bug names one planted defect of the shop handler.
type bug string

const (
	bugUndocumentedStatus bug = "undocumented status"
	bugWrongType          bug = "field of the wrong type"
	bugMissingRequired    bug = "missing required field"
	bugAcceptsInvalid     bug = "accepts an invalid body with 2xx"
	bugIgnoresAuth        bug = "secured operation ignores auth"
	bugServerErrorOnEdge  bug = "500 on an edge value"
	bugWrongContentType   bug = "wrong content type"
	bugMissingHeader      bug = "missing documented header"
	bugRejectsValid       bug = "refuses a valid body with 400"
	bugIgnoresTenant      bug = "ignores a missing required header"
	bugAnyMethod          bug = "answers undocumented methods with 200"
	bugWrongAllow         bug = "405 with a wrong Allow header"
	bugLosesCreated       bug = "created item cannot be read back"
	bugKeepsDeleted       bug = "deleted item still readable"
	bugZeroLimit          bug = "500 only at the documented minimum limit=0"
)

const goodToken = "good-token"

// shop implements testdata/shop.yaml, with the given bugs planted. It validates requests with spec, as
// a careful service would, unless a bug says otherwise. Item 1 is a catalogue item: it is always there
// and cannot be changed (409).
type shop struct {
	doc   *spec.Document
	has   map[bug]bool
	mu    sync.Mutex
	items map[int]map[string]any
	next  int
}

func newShop(tb testing.TB, doc *spec.Document, bugs ...bug) http.Handler {
	tb.Helper()
	s := &shop{doc: doc, has: map[bug]bool{}, next: 2,
		items: map[int]map[string]any{1: {"id": 1, "name": "lamp", "price": 12.5}}}
	for _, b := range bugs {
		s.has[b] = true
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", s.health)
	if s.has[bugWrongAllow] {
		mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Allow", "GET, POST, DELETE")
			problem(w, http.StatusMethodNotAllowed, "method not allowed")
		})
	}
	version := "GET /version"
	if s.has[bugAnyMethod] {
		version = "/version"
	}
	mux.HandleFunc(version, func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if s.has[bugUndocumentedStatus] {
			status = http.StatusAccepted
		}
		writeJSON(w, status, map[string]any{"version": "1.0.0"})
	})
	mux.HandleFunc("GET /items", s.guard(true, s.listItems))
	mux.HandleFunc("POST /items", s.guard(!s.has[bugAcceptsInvalid], s.createItem))
	mux.HandleFunc("GET /items/{id}", s.guard(true, s.withItem(s.getItem)))
	mux.HandleFunc("PUT /items/{id}", s.guard(true, s.withItem(s.updateItem)))
	mux.HandleFunc("DELETE /items/{id}", s.guard(true, s.withItem(s.deleteItem)))
	mux.HandleFunc("GET /orders", s.listOrders)
	return mux
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

func problem(w http.ResponseWriter, status int, title string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"title": title, "status": status})
}

func (s *shop) invalid(r *http.Request) bool {
	err := s.doc.ValidateRequest(r)
	var ve spec.ValidationErrors
	if errors.As(err, &ve) {
		return len(ve.Without(spec.InSecurity)) > 0
	}
	return err != nil
}

// guard checks the bearer token (unless bugIgnoresAuth on listing) and, when validate, the request.
func (s *shop) guard(validate bool, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		listing := r.Method == http.MethodGet && r.URL.Path == "/items"
		if r.Header.Get("Authorization") != "Bearer "+goodToken && !(listing && s.has[bugIgnoresAuth]) {
			problem(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		if validate && s.invalid(r) {
			problem(w, http.StatusBadRequest, "bad request")
			return
		}
		next(w, r)
	}
}

func (s *shop) health(w http.ResponseWriter, r *http.Request) {
	if !s.has[bugMissingHeader] {
		w.Header().Set("X-Request-ID", "req-1")
	}
	if s.has[bugWrongContentType] {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(`{"status":"ok"}`))
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
}

func (s *shop) listItems(w http.ResponseWriter, r *http.Request) {
	if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n >= 40 && s.has[bugServerErrorOnEdge] {
		http.Error(w, "index out of range", http.StatusInternalServerError)
		return
	}
	s.mu.Lock()
	list := []any{}
	for id := 1; id < s.next; id++ {
		if item, ok := s.items[id]; ok {
			item = clone(item)
			if s.has[bugMissingRequired] {
				delete(item, "name")
			}
			list = append(list, item)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"items": list})
}

func clone(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func (s *shop) createItem(w http.ResponseWriter, r *http.Request) {
	if s.has[bugAcceptsInvalid] && s.invalid(r) {
		writeJSON(w, http.StatusCreated, map[string]any{"id": 7, "name": "lamp", "price": 12.5})
		return
	}
	var item map[string]any
	json.NewDecoder(r.Body).Decode(&item)
	if name, _ := item["name"].(string); s.has[bugRejectsValid] && len(name) > 10 {
		problem(w, http.StatusBadRequest, "name too long")
		return
	}
	s.mu.Lock()
	id := s.next
	s.next++
	item["id"] = id
	if !s.has[bugLosesCreated] {
		s.items[id] = item
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, item)
}

// withItem resolves {id} to a stored item, answering 404 for an unknown one.
func (s *shop) withItem(next func(http.ResponseWriter, *http.Request, int, map[string]any)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, _ := strconv.Atoi(r.PathValue("id"))
		s.mu.Lock()
		item, ok := s.items[id]
		s.mu.Unlock()
		if !ok {
			problem(w, http.StatusNotFound, "no such item")
			return
		}
		next(w, r, id, clone(item))
	}
}

func (s *shop) getItem(w http.ResponseWriter, r *http.Request, id int, item map[string]any) {
	if s.has[bugWrongType] {
		item["id"] = strconv.Itoa(id)
	}
	writeJSON(w, http.StatusOK, item)
}

func (s *shop) updateItem(w http.ResponseWriter, r *http.Request, id int, _ map[string]any) {
	if id == 1 {
		problem(w, http.StatusConflict, "catalogue items cannot change")
		return
	}
	var item map[string]any
	json.NewDecoder(r.Body).Decode(&item)
	item["id"] = id
	s.mu.Lock()
	s.items[id] = item
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, item)
}

func (s *shop) deleteItem(w http.ResponseWriter, r *http.Request, id int, _ map[string]any) {
	if id == 1 {
		problem(w, http.StatusConflict, "catalogue items cannot be deleted")
		return
	}
	if !s.has[bugKeepsDeleted] {
		s.mu.Lock()
		delete(s.items, id)
		s.mu.Unlock()
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *shop) listOrders(w http.ResponseWriter, r *http.Request) {
	_, present := r.Header["X-Tenant"]
	tenantMissing := !present
	if !(tenantMissing && s.has[bugIgnoresTenant]) && s.invalid(r) {
		problem(w, http.StatusBadRequest, "bad request")
		return
	}
	if r.URL.Query().Get("limit") == "0" && s.has[bugZeroLimit] {
		http.Error(w, "division by zero", http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"orders": []int{1, 2}})
}
