package verify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
)

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
		{bugRejectsValid, "createItem", verify.CheckPositiveData, ""},
		{bugIgnoresTenant, "listOrders", verify.CheckMissingHeader, ""},
		{bugAnyMethod, "getVersion", verify.CheckUnsupportedMethod, ""},
		{bugWrongAllow, "getHealth", verify.CheckAllowHeader, ""},
		{bugLosesCreated, "getItem", verify.CheckResourceAvailable, ""},
		{bugKeepsDeleted, "getItem", verify.CheckUseAfterFree, ""},
		{bugZeroLimit, "listOrders", verify.CheckServerError, ""},
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
	// Every phase ran: each check saw responses wherever it applies, so no check was vacuous.
	for _, op := range rep.Operations {
		for _, c := range op.Checks {
			if c.Passed == 0 && applies(op.ID, c.Check) {
				t.Errorf("%s: check %s never ran:\n%s", op.ID, c.Check, buf.String())
			}
		}
	}
}

// applies says where a check has something to judge in the shop.
func applies(op, check string) bool {
	public := op == "getHealth" || op == "getVersion" || op == "listOrders"
	// Undocumented methods are tried once per path, by its first operation (methods sort alphabetically).
	firstOfPath := op == "getHealth" || op == "getVersion" || op == "listItems" || op == "deleteItem" || op == "listOrders"
	switch check {
	case verify.CheckIgnoredAuth:
		return !public
	case verify.CheckNegativeData:
		return op != "getHealth" && op != "getVersion"
	case verify.CheckMissingHeader:
		return op == "listOrders"
	case verify.CheckUnsupportedMethod, verify.CheckAllowHeader:
		return firstOfPath
	case verify.CheckResourceAvailable, verify.CheckUseAfterFree:
		return op == "getItem"
	}
	return true
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
