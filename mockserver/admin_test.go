package mockserver_test

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/fault"
)

func petsConfig(t *testing.T) mockserver.Config {
	return mockserver.Config{Mounts: []mockserver.Mount{{Doc: mustLoad(t, "testdata/pets.yaml")}}}
}

func TestFaults(t *testing.T) {
	cases := []struct {
		name     string
		fault    fault.Fault
		method   string
		path     string
		body     string
		headers  []string
		status   int
		contains string
		header   string
	}{
		{"ErrorAnswersDocumentedError", fault.Fault{Target: "listPets", Kind: fault.KindError}, "GET", "/pets", "", nil, 500, `"code":"boom"`, ""},
		{"ErrorRateOne", fault.Fault{Target: "GET /pets", Kind: fault.KindError, ErrorRate: 1}, "GET", "/pets", "", nil, 500, `the pet store is down`, ""},
		{"ForcedDocumentedStatus", fault.Fault{Target: "getPet", Status: 404}, "GET", "/pets/1", "", nil, 404, `"code":"not_found"`, ""},
		{"ForcedUndocumentedStatus", fault.Fault{Target: "getPet", Status: 502}, "GET", "/pets/1", "", nil, 502, `"code":"injected_fault"`, ""},
		{"Overloaded", fault.Fault{Target: "createPet", Kind: fault.KindOverloaded, RetryAfter: fault.Duration(3e9)}, "POST", "/pets", `{"name":"x"}`, []string{"Authorization", "Bearer t", "Content-Type", "application/json"}, 503, `"code":"busy"`, "Retry-After"},
		{"Latency", fault.Fault{Target: "*", Latency: fault.Duration(1e6)}, "GET", "/pets", "", nil, 200, `Rex`, ""},
		{"OtherOperationUntouched", fault.Fault{Target: "getPet", Status: 500}, "GET", "/pets", "", nil, 200, `Rex`, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := petsConfig(t)
			cfg.Faults = []fault.Fault{tc.fault}
			_, ts := mustServer(t, cfg)
			resp, body := call(t, ts, tc.method, tc.path, tc.body, tc.headers...)
			if resp.StatusCode != tc.status || !strings.Contains(string(body), tc.contains) {
				t.Fatalf("expected %d with %s, got %d: %s", tc.status, tc.contains, resp.StatusCode, body)
			}
			if tc.header != "" && resp.Header.Get(tc.header) == "" {
				t.Fatalf("expected a %s header, got %v", tc.header, resp.Header)
			}
		})
	}
	t.Run("Reset", func(t *testing.T) {
		cfg := petsConfig(t)
		cfg.Faults = []fault.Fault{{Target: "listPets", Kind: fault.KindReset}}
		_, ts := mustServer(t, cfg)
		resp, err := ts.Client().Get(ts.URL + "/pets")
		if err == nil {
			resp.Body.Close()
			t.Fatalf("expected a connection error, got %d", resp.StatusCode)
		}
	})
	t.Run("Truncate", func(t *testing.T) {
		cfg := petsConfig(t)
		cfg.Faults = []fault.Fault{{Target: "listPets", Kind: fault.KindTruncate}}
		_, ts := mustServer(t, cfg)
		resp, err := ts.Client().Get(ts.URL + "/pets")
		if err != nil {
			t.Fatalf("expected headers before the cut, got %v", err)
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		if !errors.Is(err, io.ErrUnexpectedEOF) || len(b) == 0 || int64(len(b)) >= resp.ContentLength {
			t.Fatalf("expected a body cut short with unexpected EOF, got %d of %d bytes, err %v", len(b), resp.ContentLength, err)
		}
	})
	t.Run("Times", func(t *testing.T) {
		cfg := petsConfig(t)
		cfg.Faults = []fault.Fault{{Target: "listPets", Status: 500, Times: 1}}
		_, ts := mustServer(t, cfg)
		if resp, _ := call(t, ts, "GET", "/pets", ""); resp.StatusCode != 500 {
			t.Fatalf("expected the fault once, got %d", resp.StatusCode)
		}
		if resp, _ := call(t, ts, "GET", "/pets", ""); resp.StatusCode != 200 {
			t.Fatalf("expected the fault gone, got %d", resp.StatusCode)
		}
	})
	t.Run("InvalidAtStartup", func(t *testing.T) {
		cfg := petsConfig(t)
		cfg.Faults = []fault.Fault{{Target: "listPets", ErrorRate: 2}}
		if _, err := mockserver.New(cfg); err == nil || !strings.Contains(err.Error(), "error_rate") {
			t.Fatalf("expected an error_rate error, got %v", err)
		}
	})
}

func TestAdminFaults(t *testing.T) {
	_, ts := mustServer(t, petsConfig(t))
	resp, body := call(t, ts, "POST", "/__admin/faults", `{"target":"listPets","status":500}`)
	var f fault.Fault
	if resp.StatusCode != 201 || json.Unmarshal(body, &f) != nil || f.ID == "" {
		t.Fatalf("expected 201 with an id, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "GET", "/pets", ""); resp.StatusCode != 500 {
		t.Fatalf("expected the added fault to apply, got %d", resp.StatusCode)
	}
	resp, body = call(t, ts, "GET", "/__admin/faults", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"`+f.ID+`"`) {
		t.Fatalf("expected the fault listed, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/faults/"+f.ID, ""); resp.StatusCode != 204 {
		t.Fatalf("expected 204 removing the fault, got %d", resp.StatusCode)
	}
	if resp, body := call(t, ts, "DELETE", "/__admin/faults/"+f.ID, ""); resp.StatusCode != 404 || !strings.Contains(string(body), "fault_not_found") {
		t.Fatalf("expected 404 removing it again, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "GET", "/pets", ""); resp.StatusCode != 200 {
		t.Fatalf("expected no fault, got %d", resp.StatusCode)
	}
	resp, body = call(t, ts, "PUT", "/__admin/faults", `{"faults":[{"target":"getPet","status":404},{"target":"listPets","kind":"error"}]}`)
	if resp.StatusCode != 200 || strings.Count(string(body), `"target"`) != 2 {
		t.Fatalf("expected both faults back, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "GET", "/pets/1", ""); resp.StatusCode != 404 {
		t.Fatalf("expected the replaced faults to apply, got %d", resp.StatusCode)
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/faults", ""); resp.StatusCode != 204 {
		t.Fatalf("expected 204 clearing, got %d", resp.StatusCode)
	}
	if _, body := call(t, ts, "GET", "/__admin/faults", ""); string(body) != "{\"faults\":[]}\n" {
		t.Fatalf("expected no faults, got %s", body)
	}
	for _, bad := range []struct{ method, body string }{
		{"POST", `{"target":""}`}, {"POST", `not json`}, {"POST", `{"target":"x","bogus":1}`}, {"PUT", `{"faults":[{"target":"x","kind":"explode"}]}`},
	} {
		resp, body := call(t, ts, bad.method, "/__admin/faults", bad.body)
		if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: expected a 400 problem, got %d: %s", bad.method, bad.body, resp.StatusCode, body)
		}
	}
	if resp, body := call(t, ts, "GET", "/__admin/health", ""); resp.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Fatalf("expected health ok, got %d: %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "GET", "/__admin/nope", ""); resp.StatusCode != 404 {
		t.Fatalf("expected 404 for an unknown admin path, got %d", resp.StatusCode)
	}
}

type journalEntry struct {
	Method      string            `json:"method"`
	Path        string            `json:"path"`
	OperationID string            `json:"operation_id"`
	Status      int               `json:"status"`
	Valid       bool              `json:"valid"`
	Errors      []json.RawMessage `json:"errors"`
	StartedAt   string            `json:"started_at"`
	DurationMS  float64           `json:"duration_ms"`
}

func journal(t *testing.T, ts interface{ Client() *http.Client }, url string) []journalEntry {
	t.Helper()
	resp, err := ts.Client().Get(url + "/__admin/requests")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Requests []journalEntry `json:"requests"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out.Requests
}

func TestJournal(t *testing.T) {
	cfg := petsConfig(t)
	cfg.JournalSize = 3
	_, ts := mustServer(t, cfg)
	call(t, ts, "GET", "/pets?limit=0", "")
	for i := 0; i < 4; i++ {
		call(t, ts, "GET", "/pets/1", "")
	}
	call(t, ts, "GET", "/pets", "")
	got := journal(t, ts, ts.URL)
	if len(got) != 3 {
		t.Fatalf("expected the journal bounded at 3, got %d", len(got))
	}
	if got[0].Path != "/pets" || got[0].OperationID != "listPets" || got[0].Status != 200 || !got[0].Valid || got[0].StartedAt == "" {
		t.Fatalf("expected the newest first, got %+v", got[0])
	}
	if got[1].OperationID != "getPet" {
		t.Fatalf("expected getPet second, got %+v", got[1])
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/requests", ""); resp.StatusCode != 204 {
		t.Fatalf("expected 204, got %d", resp.StatusCode)
	}
	call(t, ts, "GET", "/pets?limit=0", "")
	got = journal(t, ts, ts.URL)
	if len(got) != 1 || got[0].Valid || got[0].Status != 422 || len(got[0].Errors) == 0 {
		t.Fatalf("expected one invalid request with errors after clearing, got %+v", got)
	}
}

func TestCoverage(t *testing.T) {
	_, ts := mustServer(t, petsConfig(t))
	call(t, ts, "GET", "/pets", "")
	call(t, ts, "GET", "/pets/1", "", "Prefer", "code=404")
	call(t, ts, "GET", "/pets/1", "")
	call(t, ts, "GET", "/pets/1", "", "Prefer", "code=418")
	_, body := call(t, ts, "GET", "/__admin/coverage", "")
	var rep struct {
		Operations          int `json:"operations"`
		OperationsExercised int `json:"operations_exercised"`
		Responses           int `json:"responses"`
		ResponsesExercised  int `json:"responses_exercised"`
		Documents           []struct {
			Operations []struct {
				OperationID  string           `json:"operation_id"`
				Exercised    bool             `json:"exercised"`
				Statuses     map[string]int64 `json:"statuses"`
				Missing      []string         `json:"missing"`
				Undocumented map[string]int64 `json:"undocumented"`
			} `json:"operations"`
		} `json:"documents"`
	}
	if err := json.Unmarshal(body, &rep); err != nil {
		t.Fatalf("coverage: %v: %s", err, body)
	}
	if rep.Operations != 7 || rep.OperationsExercised != 2 || rep.ResponsesExercised != 3 {
		t.Fatalf("expected 7 operations, 2 exercised, 3 responses exercised, got %+v", rep)
	}
	for _, op := range rep.Documents[0].Operations {
		switch op.OperationID {
		case "getPet":
			if op.Statuses["200"] != 1 || op.Statuses["404"] != 1 || len(op.Missing) != 0 || op.Undocumented["400"] != 1 {
				t.Errorf("getPet: expected 200 and 404 once each and an undocumented 400, got %+v", op)
			}
		case "listPets":
			if !op.Exercised || len(op.Missing) != 1 || op.Missing[0] != "500" {
				t.Errorf("listPets: expected 500 missing, got %+v", op)
			}
		case "createPet":
			if op.Exercised {
				t.Errorf("createPet: expected unexercised, got %+v", op)
			}
		}
	}
}
