package mockserver_test

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/internal/testenv"
	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/spec"
)

// flushRecorder keeps what was written between flushes.
type flushRecorder struct {
	*httptest.ResponseRecorder
	pending bytes.Buffer
	chunks  []string
}

func (f *flushRecorder) Write(b []byte) (int, error) {
	f.pending.Write(b)
	return f.ResponseRecorder.Write(b)
}

func (f *flushRecorder) Flush() {
	if f.pending.Len() > 0 {
		f.chunks = append(f.chunks, f.pending.String())
		f.pending.Reset()
	}
}

func TestSSEEventByEvent(t *testing.T) {
	srv, err := mockserver.New(petsConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	rec := &flushRecorder{ResponseRecorder: httptest.NewRecorder()}
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/feed", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/event-stream" {
		t.Fatalf("expected a 200 event stream, got %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	want := []string{
		"event: pet\ndata: {\"id\":1,\"name\":\"Rex\"}\n\n",
		"event: pet\ndata: {\"id\":2,\"name\":\"Tom\"}\n\n",
		"event: pet\ndata: {\"id\":3,\"name\":\"Kitty\"}\n\n",
		"event: done\ndata: {}\n\n",
	}
	if strings.Join(rec.chunks, "|") != strings.Join(want, "|") {
		t.Fatalf("expected one flush per event:\n%q\ngot:\n%q", want, rec.chunks)
	}
	if rec.Header().Get("Content-Length") != "" {
		t.Fatal("a stream must not have a Content-Length")
	}
}

// TestSSEIncrementalClient reads a paced stream over HTTP line by line: the first event arrives
// while the server still holds the rest back.
func TestSSEIncrementalClient(t *testing.T) {
	cfg := petsConfig(t)
	cfg.Faults = []fault.Fault{{Target: "feed", InterToken: fault.Duration(time.Hour)}}
	srv, ts := mustServer(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", ts.URL+"/feed", nil)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	rd := bufio.NewReader(resp.Body)
	var first []string
	for len(first) < 3 {
		line, err := rd.ReadString('\n')
		if err != nil {
			t.Fatalf("reading the first event: %v (got %q)", err, first)
		}
		first = append(first, line)
	}
	if first[0] != "event: pet\n" || first[1] != "data: {\"id\":1,\"name\":\"Rex\"}\n" || first[2] != "\n" {
		t.Fatalf("expected the first event alone, got %q", first)
	}
	// Closing the server lets the held-back events go at once: the stream ends cleanly.
	srv.Close()
	var rest bytes.Buffer
	if _, err := rest.ReadFrom(rd); err != nil {
		t.Fatalf("expected a clean end after Close, got %v", err)
	}
	if strings.Count(rest.String(), "event: ") != 3 || !strings.HasSuffix(rest.String(), "event: done\ndata: {}\n\n") {
		t.Fatalf("expected the three remaining events, got %q", rest.String())
	}
}

func TestSSEFaults(t *testing.T) {
	for _, tc := range []struct {
		kind  fault.Kind
		check func(body string, err error) bool
	}{
		{fault.KindStreamError, func(b string, err error) bool {
			return err == nil && strings.Contains(b, "event: error") && !strings.Contains(b, "done")
		}},
		{fault.KindStreamDrop, func(b string, err error) bool { return err != nil && !strings.Contains(b, "done") }},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			cfg := petsConfig(t)
			cfg.Faults = []fault.Fault{{Target: "feed", Kind: tc.kind}}
			_, ts := mustServer(t, cfg)
			resp, err := ts.Client().Get(ts.URL + "/feed")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var b bytes.Buffer
			_, err = b.ReadFrom(resp.Body)
			if !tc.check(b.String(), err) {
				t.Fatalf("unexpected stream %q (err %v)", b.String(), err)
			}
		})
	}
}

func TestConflicts(t *testing.T) {
	a, b := mustLoad(t, "testdata/conflict-a.yaml"), mustLoad(t, "testdata/conflict-b.yaml")
	cases := []struct {
		name   string
		mounts []mockserver.Mount
		want   []string // "" = no error
	}{
		{"Shadowed", []mockserver.Mount{{Doc: a}, {Prefix: "/items", Doc: b}}, []string{"getItemA", "getMineB"}},
		{"SamePrefix", []mockserver.Mount{{Doc: a}, {Doc: a}}, []string{"two documents are mounted at /"}},
		{"Disjoint", []mockserver.Mount{{Doc: a}, {Prefix: "/b", Doc: b}}, nil},
		{"Admin", []mockserver.Mount{{Prefix: "/__admin", Doc: b}}, []string{"getMineB", "admin API"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := mockserver.New(mockserver.Config{Mounts: tc.mounts})
			if tc.want == nil {
				if err != nil {
					t.Fatalf("expected no error, got %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("expected an error naming %v", tc.want)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Fatalf("expected %q in %q", w, err)
				}
			}
		})
	}
	t.Run("Providers", func(t *testing.T) {
		_, err := mockserver.New(mockserver.Config{Providers: true, Mounts: []mockserver.Mount{{Prefix: "/openai/v1", Doc: b}}})
		if err == nil || !strings.Contains(err.Error(), "provider mocks") {
			t.Fatalf("expected a conflict with the provider mocks, got %v", err)
		}
	})
}

func TestWatchReload(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "api.yaml")
	good := func(body string) string {
		return "openapi: 3.0.3\ninfo: {title: W, version: '1'}\npaths:\n  /thing:\n    get:\n      operationId: getThing\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              example: {v: " + body + "}\n"
	}
	if err := os.WriteFile(path, []byte(good("one")), 0o600); err != nil {
		t.Fatal(err)
	}
	logs := &syncbuf.Buffer{}
	cfg := mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(t, path)}}, Logger: bufLogger(logs)}
	srv, ts := mustServer(t, cfg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go srv.Watch(ctx, "", path, 10*time.Millisecond)

	waitFor := func(what string, ok func() bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for !ok() {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s", what)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	body := func() string { _, b := call(t, ts, "GET", "/thing", ""); return string(b) }
	if got := body(); got != `{"v":"one"}` {
		t.Fatalf("expected the first version, got %s", got)
	}
	if err := os.WriteFile(path, []byte(good("two")), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor("the reload", func() bool { return body() == `{"v":"two"}` })

	if err := os.WriteFile(path, []byte("openapi: 3.0.3\npaths: [broken\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	waitFor("the failure to be logged", func() bool { return strings.Contains(logs.String(), "reload failed") })
	if got := body(); got != `{"v":"two"}` {
		t.Fatalf("expected the last good document kept, got %s", got)
	}
	if !strings.Contains(logs.String(), "api.yaml:") {
		t.Fatalf("expected the log to say where the document breaks, got %s", logs.String())
	}
}

func TestProvidersMounted(t *testing.T) {
	cfg := mockserver.Config{Providers: true, Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}}
	_, ts := mustServer(t, cfg)
	resp, body := call(t, ts, "GET", "/openai/v1/models", "", "Authorization", "Bearer sk-test")
	if resp.StatusCode != 200 || !strings.Contains(string(body), "gpt") {
		t.Fatalf("expected the OpenAI models list, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "GET", "/pets", ""); resp.StatusCode != 200 {
		t.Fatalf("expected the document still served, got %d", resp.StatusCode)
	}
	// One fault API for both: an admin fault on "openai" reaches the provider mocks.
	call(t, ts, "POST", "/__admin/faults", `{"target":"openai","kind":"rate_limit"}`)
	if resp, body := call(t, ts, "GET", "/openai/v1/models", "", "Authorization", "Bearer sk-test"); resp.StatusCode != 429 {
		t.Fatalf("expected the admin fault to reach the provider mock, got %d: %s", resp.StatusCode, body)
	}
}

// TestDocumentsWithClearOutcomes loads a circular document and the 3 MB openai.yaml and serves them.
func TestDocumentsWithClearOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name string
		path func(testing.TB) string // resolved in the subtest: a missing shared document skips that case alone
	}{
		{"circular.yaml", func(testing.TB) string { return "testdata/circular.yaml" }},
		{"openai.yaml", func(tb testing.TB) string { return testenv.Spec(tb, "openai.yaml") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			doc := mustLoad(t, tc.path(t))
			_, ts := mustServer(t, mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}, NoValidate: true})
			op := doc.Operations()[0]
			resp, body := call(t, ts, op.Method, concretePath(op.Path), "")
			if resp.StatusCode >= 500 {
				t.Fatalf("%s: got %d: %s", op.ID, resp.StatusCode, body)
			}
			if err := op.ValidateResponseParts(httptest.NewRequest(op.Method, concretePath(op.Path), nil), resp.StatusCode, resp.Header, body); err != nil {
				t.Fatalf("%s: served a response that breaks the document: %v", op.ID, err)
			}
		})
	}
	t.Run("Unparseable", func(t *testing.T) {
		_, err := spec.LoadFile("testdata/broken.yaml")
		if err == nil || !regexp.MustCompile(`^testdata/broken\.yaml:\d+:\d+: `).MatchString(err.Error()) || strings.Contains(err.Error(), "\n") {
			t.Fatalf("expected file:line:col, got %v", err)
		}
	})
}
