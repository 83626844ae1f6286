package coverage_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/spec"
)

func mustDoc(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := spec.LoadFile("testdata/pets.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// pets answers as the document says, except an undocumented 500 for /pets/3 and text for /pets/4.
var pets = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path == "/pets/3":
		w.WriteHeader(500)
	case r.URL.Path == "/pets/4":
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, "four")
	case r.Method == "POST":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(201)
		io.WriteString(w, `{"id":1,"name":"Rex"}`)
	default:
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[]`)
	}
})

func find(t *testing.T, r *coverage.Report, id string) coverage.Operation {
	t.Helper()
	for _, op := range r.Documents[0].Operations {
		if op.OperationID == id {
			return op
		}
	}
	t.Fatalf("no operation %s", id)
	return coverage.Operation{}
}

func TestHandlerRecords(t *testing.T) {
	rec := coverage.New("mock", coverage.Mount{Prefix: "/api", Doc: mustDoc(t)})
	srv := httptest.NewServer(rec.Handler(http.StripPrefix("/api", pets)))
	defer srv.Close()
	c := &http.Client{}
	for _, u := range []string{"/api/pets?limit=2", "/api/pets/1", "/api/pets/3", "/api/pets/4", "/elsewhere"} {
		resp, err := c.Get(srv.URL + u)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := c.Post(srv.URL+"/api/pets", "application/json", strings.NewReader(`{"name":"Rex","extra":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rep := rec.Report()
	list := find(t, rep, "listPets")
	if list.Path != "/api/pets" || list.Requests != 1 || list.Responses[0].Seen != 1 || list.Parameters[0].Seen != 1 {
		t.Fatalf("listPets: %+v", list)
	}
	create := find(t, rep, "createPet")
	if create.Responses[0].Status != "201" || create.Responses[0].Seen != 1 || create.Responses[0].MediaTypes[0].Seen != 1 {
		t.Fatalf("createPet 201 with charset not counted: %+v", create.Responses)
	}
	if create.Responses[1].Seen != 0 {
		t.Fatalf("createPet 422 counted without being seen")
	}
	props := map[string]int64{}
	for _, p := range create.BodyProperties {
		props[p.Name] = p.Seen
	}
	if props["/name"] != 1 || props["/tag"] != 0 || len(props) != 2 {
		t.Fatalf("body properties %v (the undocumented /extra must not be listed)", props)
	}
	get := find(t, rep, "getPet")
	if len(get.Undocumented) != 2 || get.Undocumented[0].Status != 200 || get.Undocumented[0].MediaType != "text/plain" || get.Undocumented[1].Status != 500 {
		t.Fatalf("undocumented: %+v", get.Undocumented)
	}
	tot := rep.Totals()
	// documented: listPets 200, createPet 201 + 422, getPet 200 + 404, feed 200 = 6; seen 3
	if tot.Responses != 6 || tot.ResponsesSeen != 3 || tot.Percent() != 50 {
		t.Fatalf("totals %+v (%.1f%%)", tot, tot.Percent())
	}
}

func TestTransportRecordsAndMerge(t *testing.T) {
	srv := httptest.NewServer(http.StripPrefix("/v1", pets))
	defer srv.Close()
	doc := mustDoc(t)
	a, b := coverage.New("verify", coverage.Mount{Doc: doc}), coverage.New("proxy", coverage.Mount{Doc: doc})
	ca := &http.Client{Transport: a.Transport(http.DefaultTransport, srv.URL+"/v1")}
	if resp, err := ca.Get(srv.URL + "/v1/pets"); err == nil {
		resp.Body.Close()
	}
	b.Record(coverage.Exchange{Method: "GET", Path: "/pets", Status: 200, ContentType: "application/json"})
	b.Record(coverage.Exchange{Method: "GET", Path: "/pets/9", Status: 404, ContentType: "application/json"})
	var buf bytes.Buffer
	if err := a.Report().Write(&buf); err != nil {
		t.Fatal(err)
	}
	ra, err := coverage.Read(&buf)
	if err != nil {
		t.Fatal(err)
	}
	m := coverage.Merge(ra, b.Report())
	if got := find(t, m, "listPets").Responses[0].Seen; got != 2 {
		t.Fatalf("merged listPets 200 seen %d, want 2", got)
	}
	if strings.Join(m.Sources, ",") != "proxy,verify" {
		t.Fatalf("sources %v", m.Sources)
	}
	if tot := m.Totals(); tot.ResponsesSeen != 2 {
		t.Fatalf("merged totals %+v", tot)
	}
	var text, html bytes.Buffer
	if err := m.WriteText(&text); err != nil || !strings.Contains(text.String(), "operation×status coverage: 2/6 (33.3%)") {
		t.Fatalf("text (%v):\n%s", err, text.String())
	}
	if err := m.WriteHTML(&html); err != nil || !strings.Contains(html.String(), `<b id="percent">33.3%</b>`) {
		t.Fatalf("html (%v)", err)
	}
}

func TestReadRejectsOtherFiles(t *testing.T) {
	for _, in := range []string{`{"operations": 3}`, `not json`, `{"$schema":"https://example.com/other"}`} {
		if _, err := coverage.Read(strings.NewReader(in)); err == nil || !strings.Contains(err.Error(), "not a coverage report") {
			t.Errorf("Read(%q) = %v", in, err)
		}
	}
}
