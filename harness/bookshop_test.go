package harness_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/spec"
)

const bookshopDir = "../examples/bookshop"

// startBookshop serves the bookshop document from the stateful mock, behind wrap (nil: none).
func startBookshop(t *testing.T, wrap func(http.Handler) http.Handler) (*spec.Document, string) {
	t.Helper()
	doc, err := spec.LoadFile(bookshopDir + "/openapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}, Stateful: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(srv)
	}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	return doc, hs.URL
}

func runBookshop(t *testing.T, wrap func(http.Handler) http.Handler) *harness.Result {
	t.Helper()
	doc, url := startBookshop(t, wrap)
	target, err := harness.NewService(context.Background(), url, harness.ServiceOptions{AdminURL: url})
	if err != nil {
		t.Fatal(err)
	}
	fsys, paths, err := harness.FeatureFiles([]string{bookshopDir}, false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := harness.Run(context.Background(), harness.Options{Target: target, Contract: doc, Features: fsys,
		Paths: paths, Output: testOutput(t), NoColors: true})
	if err != nil {
		t.Fatal(err)
	}
	var sum strings.Builder
	harness.WriteSummary(&sum, target.Name(), res)
	t.Log(sum.String())
	return res
}

// TestBookshopExample runs examples/bookshop against `ultra mock --stateful`'s server.
func TestBookshopExample(t *testing.T) {
	res := runBookshop(t, nil)
	if !res.Passed() || res.Scenarios != 6 {
		t.Fatalf("expected the bookshop suite to pass, got %d of %d failed", res.Failed, res.Scenarios)
	}
}

// TestBookshopFailsAgainstBrokenServers proves the example suite notices a server that forgets a
// field on create and one whose delete does nothing.
func TestBookshopFailsAgainstBrokenServers(t *testing.T) {
	cases := []struct {
		name, scenario, step string
		wrap                 func(http.Handler) http.Handler
	}{
		{"CreateForgetsTheYear", "Create, read, update and delete a book", "the response body contains:", forgetOnCreate("year")},
		{"DeleteDoesNothing", "Create, read, update and delete a book", "the response status is 404", deleteDoesNothing},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := runBookshop(t, tc.wrap)
			if res.Passed() {
				t.Fatal("expected the bookshop suite to fail against the broken server, got it passing")
			}
			for _, f := range res.Failures {
				if f.Scenario == tc.scenario && f.Step == tc.step {
					return
				}
			}
			t.Errorf("expected %q to fail at %q, got %+v", tc.scenario, tc.step, res.Failures)
		})
	}
}

// forgetOnCreate drops a field from POST /books bodies before the server stores them.
func forgetOnCreate(field string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/books" {
				var m map[string]any
				data, _ := io.ReadAll(r.Body)
				if json.Unmarshal(data, &m) == nil {
					delete(m, field)
					data, _ = json.Marshal(m)
				}
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(data)), int64(len(data))
			}
			next.ServeHTTP(w, r)
		})
	}
}

// deleteDoesNothing answers every DELETE with 204 without deleting.
func deleteDoesNothing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}
