package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
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
)

const goodToken = "good-token"

// newShop implements testdata/shop.yaml, with the given bugs planted. It validates requests with spec, as
// a careful service would, unless a bug says otherwise.
func newShop(tb testing.TB, doc *spec.Document, bugs ...bug) http.Handler {
	tb.Helper()
	has := map[bug]bool{}
	for _, b := range bugs {
		has[b] = true
	}
	writeJSON := func(w http.ResponseWriter, status int, v any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(v)
	}
	problem := func(w http.ResponseWriter, status int, title string) {
		w.Header().Set("Content-Type", "application/problem+json")
		w.WriteHeader(status)
		json.NewEncoder(w).Encode(map[string]any{"title": title, "status": status})
	}
	authorized := func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+goodToken }
	invalid := func(r *http.Request) bool {
		err := doc.ValidateRequest(r)
		var ve spec.ValidationErrors
		if errors.As(err, &ve) {
			return len(ve.Without(spec.InSecurity)) > 0
		}
		return err != nil
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		if !has[bugMissingHeader] {
			w.Header().Set("X-Request-ID", "req-1")
		}
		if has[bugWrongContentType] {
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte(`{"status":"ok"}`))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok"})
	})
	mux.HandleFunc("GET /version", func(w http.ResponseWriter, r *http.Request) {
		status := http.StatusOK
		if has[bugUndocumentedStatus] {
			status = http.StatusAccepted
		}
		writeJSON(w, status, map[string]any{"version": "1.0.0"})
	})
	mux.HandleFunc("GET /items", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) && !has[bugIgnoresAuth] {
			problem(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		if invalid(r) {
			problem(w, http.StatusBadRequest, "bad request")
			return
		}
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n >= 40 && has[bugServerErrorOnEdge] {
			http.Error(w, "index out of range", http.StatusInternalServerError)
			return
		}
		item := map[string]any{"id": 1, "name": "lamp", "price": 12.5}
		if has[bugMissingRequired] {
			delete(item, "name")
		}
		writeJSON(w, http.StatusOK, map[string]any{"items": []any{item}})
	})
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			problem(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		if !has[bugAcceptsInvalid] && invalid(r) {
			problem(w, http.StatusBadRequest, "bad request")
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"id": 7, "name": "lamp", "price": 12.5})
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		if !authorized(r) {
			problem(w, http.StatusUnauthorized, "unauthorized")
			return
		}
		if invalid(r) {
			problem(w, http.StatusBadRequest, "bad request")
			return
		}
		id, _ := strconv.Atoi(r.PathValue("id"))
		var idValue any = id
		if has[bugWrongType] {
			idValue = strconv.Itoa(id)
		}
		writeJSON(w, http.StatusOK, map[string]any{"id": idValue, "name": "lamp", "price": 12.5})
	})
	return mux
}

func mustShopDoc(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := spec.LoadFile("testdata/shop.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

func runAgainst(t *testing.T, doc *spec.Document, h http.Handler, opts verify.Options) *verify.Report {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	opts.Target = srv.URL
	opts.Client = srv.Client()
	if opts.Header == nil {
		opts.Header = http.Header{"Authorization": {"Bearer " + goodToken}}
	}
	rep, err := verify.Run(context.Background(), doc, opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return rep
}

// TestPlantedBugs checks that each planted bug is reported by its check name, on its operation, and
// that no other check fails because of it.
func TestPlantedBugs(t *testing.T) {
	doc := mustShopDoc(t)
	tests := []struct {
		bug       bug
		operation string
		check     string
		pointer   string
	}{
		{bugUndocumentedStatus, "getVersion", verify.CheckStatusCode, ""},
		{bugWrongType, "getItem", verify.CheckResponseSchema, "/id"},
		{bugMissingRequired, "listItems", verify.CheckResponseSchema, "/items/0"},
		{bugAcceptsInvalid, "createItem", verify.CheckNegativeData, ""},
		{bugIgnoresAuth, "listItems", verify.CheckIgnoredAuth, ""},
		{bugServerErrorOnEdge, "listItems", verify.CheckServerError, ""},
		{bugWrongContentType, "getHealth", verify.CheckContentType, ""},
		{bugMissingHeader, "getHealth", verify.CheckResponseHeaders, "X-Request-ID"},
	}
	for _, tt := range tests {
		t.Run(strings.ReplaceAll(string(tt.bug), " ", "_"), func(t *testing.T) {
			rep := runAgainst(t, doc, newShop(t, doc, tt.bug), verify.Options{Seed: 1})
			if rep.OK() {
				t.Fatalf("expected %s to be reported, the run passed", tt.bug)
			}
			found := false
			for _, f := range rep.Failures() {
				if f.Operation == tt.operation && f.Check == tt.check && f.Pointer == tt.pointer {
					found = true
					if !strings.HasPrefix(f.Curl, "curl ") || f.Seed != 1 {
						t.Errorf("expected a curl command and seed 1, got %q seed %d", f.Curl, f.Seed)
					}
				}
				// The 500 also has no documented status: that is a second, honest finding.
				if f.Operation != tt.operation && !(tt.bug == bugIgnoresAuth && f.Check == verify.CheckIgnoredAuth) {
					t.Errorf("unexpected failure elsewhere: %+v", f)
				}
			}
			if !found {
				var buf bytes.Buffer
				rep.WriteText(&buf)
				t.Errorf("expected %s on %s (pointer %q), got:\n%s", tt.check, tt.operation, tt.pointer, buf.String())
			}
		})
	}
}

func TestCleanShopPasses(t *testing.T) {
	doc := mustShopDoc(t)
	rep := runAgainst(t, doc, newShop(t, doc), verify.Options{Seed: 1, MaxResponseTime: time.Minute})
	var buf bytes.Buffer
	if err := rep.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	if !rep.OK() {
		t.Fatalf("expected a clean run, got:\n%s", buf.String())
	}
	// Every phase ran: the negative and auth checks saw responses, and no check was vacuous.
	for _, op := range rep.Operations {
		for _, c := range op.Checks {
			secured := op.ID != "getHealth" && op.ID != "getVersion"
			if c.Passed == 0 && (c.Check != verify.CheckIgnoredAuth || secured) && (c.Check != verify.CheckNegativeData || op.ID != "getHealth" && op.ID != "getVersion") {
				t.Errorf("%s: check %s never ran:\n%s", op.ID, c.Check, buf.String())
			}
		}
	}
}

func TestDeterministicForASeed(t *testing.T) {
	doc := mustShopDoc(t)
	var outs [2]string
	for i := range outs {
		rep := runAgainst(t, doc, newShop(t, doc, bugAcceptsInvalid, bugServerErrorOnEdge), verify.Options{Seed: 42, Concurrency: 3})
		var buf bytes.Buffer
		for _, f := range rep.Failures() {
			f.Curl = f.Curl[strings.Index(f.Curl, "/"):] // the port differs between servers
			f.Curl = f.Curl[strings.Index(f.Curl[2:], "/")+2:]
			json.NewEncoder(&buf).Encode(f)
		}
		outs[i] = buf.String()
	}
	if outs[0] != outs[1] || outs[0] == "" {
		t.Errorf("expected the same failures for the same seed, got\n%s\nand\n%s", outs[0], outs[1])
	}
}

func TestUnreachableTarget(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	_, err := verify.Run(context.Background(), mustShopDoc(t), verify.Options{Target: url, Client: &http.Client{Timeout: 2 * time.Second}})
	if !errors.Is(err, verify.ErrUnreachable) {
		t.Errorf("expected ErrUnreachable, got %v", err)
	}
}

func TestOptionsErrors(t *testing.T) {
	doc := mustShopDoc(t)
	client := &http.Client{}
	tests := []struct {
		name string
		opts verify.Options
	}{
		{"NoClient", verify.Options{Target: "http://127.0.0.1:1"}},
		{"BadTarget", verify.Options{Target: "ftp://x", Client: client}},
		{"UnknownPhase", verify.Options{Target: "http://127.0.0.1:1", Client: client, Phases: []string{"fuzz"}}},
		{"UnknownCheck", verify.Options{Target: "http://127.0.0.1:1", Client: client, Checks: []string{"vibes"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := verify.Run(context.Background(), doc, tt.opts); err == nil || errors.Is(err, verify.ErrUnreachable) {
				t.Errorf("expected an options error, got %v", err)
			}
		})
	}
}

func TestIncludeExcludeAndReports(t *testing.T) {
	doc := mustShopDoc(t)
	rep := runAgainst(t, doc, newShop(t, doc, bugIgnoresAuth), verify.Options{Include: []string{"/items"}, Exclude: []string{"createItem"}, Phases: []string{verify.PhaseAuth}})
	if len(rep.Operations) != 1 || rep.Operations[0].ID != "listItems" {
		t.Fatalf("expected only listItems, got %d operations", len(rep.Operations))
	}
	var junit bytes.Buffer
	if err := rep.WriteJUnit(&junit); err != nil {
		t.Fatal(err)
	}
	var parsed struct {
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(junit.Bytes(), &parsed); err != nil || parsed.Failures != 1 {
		t.Errorf("expected JUnit with 1 failure, got %d (%v):\n%s", parsed.Failures, err, junit.String())
	}
	var js bytes.Buffer
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back verify.Report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || back.Failed != rep.Failed || back.OK() {
		t.Errorf("expected the JSON report to round-trip with failures, got %v", err)
	}
}

func TestProgressLines(t *testing.T) {
	doc := mustShopDoc(t)
	var progress bytes.Buffer
	runAgainst(t, doc, newShop(t, doc), verify.Options{Progress: &progress, Phases: []string{verify.PhaseExamples}})
	if n := strings.Count(progress.String(), "\n"); n != len(doc.Operations()) {
		t.Errorf("expected one progress line per operation (%d), got %d:\n%s", len(doc.Operations()), n, progress.String())
	}
}

func TestCancelled(t *testing.T) {
	doc := mustShopDoc(t)
	srv := httptest.NewServer(newShop(t, doc))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := verify.Run(ctx, doc, verify.Options{Target: srv.URL, Client: srv.Client()})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("expected context.Canceled, got %v", err)
	}
}
