package problem_test

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/spec"
)

// TestWireFormat pins the member order and omissions both servers have always written.
func TestWireFormat(t *testing.T) {
	cases := []struct {
		name string
		p    problem.Problem
		want string
	}{
		{"Minimal", problem.Problem{Type: problem.TypeURI("not_found"), Title: "Not Found", Status: 404, Code: "not_found"},
			`{"type":"https://ultra.dev/problems/not-found","title":"Not Found","status":404,"code":"not_found"}`},
		{"Gateway", problem.Problem{Type: problem.TypeURI("unknown_model"), Title: "Unknown model", Status: 400, Detail: "d", Instance: "/api/analyze",
			Code: "unknown_model", RequestID: "r1", Errors: []problem.FieldError{{Pointer: "/ultra_model", Reason: "unknown", In: "body"}}, ValidModels: []string{"a"}},
			`{"type":"https://ultra.dev/problems/unknown-model","title":"Unknown model","status":400,"detail":"d","instance":"/api/analyze",` +
				`"code":"unknown_model","request_id":"r1","errors":[{"pointer":"/ultra_model","reason":"unknown","in":"body"}],"valid_models":["a"]}`},
		{"Mock", problem.Problem{Type: problem.TypeURI("method_not_allowed"), Title: "Method Not Allowed", Status: 405, Detail: "d",
			Code: "method_not_allowed", Errors: []problem.FieldError{{Pointer: "x", Reason: "y"}}, Allowed: []string{"GET", "POST"}},
			`{"type":"https://ultra.dev/problems/method-not-allowed","title":"Method Not Allowed","status":405,"detail":"d",` +
				`"code":"method_not_allowed","errors":[{"pointer":"x","reason":"y"}],"allowed":["GET","POST"]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			rec.Header().Set("Retry-After", "3")
			problem.Write(rec, httptest.NewRequest("GET", "/x", nil), tc.p)
			if rec.Code != tc.p.Status || rec.Body.String() != tc.want {
				t.Fatalf("got %d %s\nwant %d %s", rec.Code, rec.Body, tc.p.Status, tc.want)
			}
			h := rec.Header()
			if h.Get("Content-Type") != problem.MediaType || h.Get("Content-Length") != strconv.Itoa(len(tc.want)) || h.Get("Retry-After") != "3" {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func TestWriteHeadHasNoBody(t *testing.T) {
	rec := httptest.NewRecorder()
	problem.Write(rec, httptest.NewRequest("HEAD", "/x", nil), problem.Problem{Status: 404, Code: "not_found", Title: "Not Found"})
	if rec.Code != 404 || rec.Body.Len() != 0 || rec.Header().Get("Content-Length") == "" {
		t.Fatalf("got %d %q %v", rec.Code, rec.Body, rec.Header())
	}
}

func TestFieldErrors(t *testing.T) {
	ves := spec.ValidationErrors{
		{In: spec.InBody, Pointer: "/name", Reason: "required"},
		{In: spec.InQuery, Pointer: "limit", Reason: "not an integer"},
		{In: spec.InSecurity, Pointer: "", Reason: "credentials missing"},
		{In: spec.InContentType, Pointer: "", Reason: "text/plain"},
	}
	got := problem.FieldErrors(ves)
	want := []problem.FieldError{{"/name", "required", "body"}, {"limit", "not an integer", "query"}, {"", "credentials missing", ""}, {"", "text/plain", ""}}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%d: got %+v, want %+v", i, got[i], want[i])
		}
	}
	if problem.FieldErrors(nil) != nil {
		t.Error("nil input must give nil")
	}
}

func TestWriteJSON(t *testing.T) {
	rec := httptest.NewRecorder()
	problem.WriteJSON(rec, 201, map[string]int{"a": 1})
	if rec.Code != 201 || rec.Body.String() != `{"a":1}` || rec.Header().Get("Content-Type") != "application/json" || rec.Header().Get("Content-Length") != "7" {
		t.Fatalf("got %d %q %v", rec.Code, rec.Body, rec.Header())
	}
	rec = httptest.NewRecorder()
	problem.WriteJSONLine(rec, 200, []int{1})
	if rec.Body.String() != "[1]\n" || rec.Header().Get("Content-Length") != "4" {
		t.Fatalf("got %q %v", rec.Body, rec.Header())
	}
	t.Run("Unencodable", func(t *testing.T) {
		rec := httptest.NewRecorder()
		problem.WriteJSON(rec, 200, map[string]any{"f": func() {}})
		p, err := problem.ParseBody(rec.Header().Get("Content-Type"), rec.Body.Bytes())
		if err != nil || rec.Code != 500 || p.Code != "internal_error" {
			t.Fatalf("got %d %s (%v)", rec.Code, rec.Body, err)
		}
	})
}

func TestParseRoundTrip(t *testing.T) {
	want := problem.Problem{Type: problem.TypeURI("validation_failed"), Title: "Unprocessable Entity", Status: 422, Detail: "bad",
		Code: "validation_failed", RequestID: "id-1", Errors: []problem.FieldError{{Pointer: "/a", Reason: "r", In: "body"}, {Pointer: "/b", Reason: "s"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { problem.Write(w, r, want) }))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := problem.Parse(resp)
	if err != nil {
		t.Fatal(err)
	}
	if got.Code != want.Code || got.Status != 422 || got.RequestID != "id-1" || strings.Join(got.Pointers(), ",") != "/a,/b" || got.Errors[0].In != "body" {
		t.Fatalf("got %+v", got)
	}
	var asErr *problem.Problem
	if err := error(got); !errors.As(err, &asErr) || err.Error() != "422 validation_failed: bad" {
		t.Fatalf("error form %q", err)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, ctype, body string
		status            int
		want              string
	}{
		{"PlainJSON", "application/json", `{"status":400}`, 400, `Content-Type is "application/json"`},
		{"NoContentType", "", `{"status":400}`, 400, `Content-Type is ""`},
		{"NotJSON", problem.MediaType, `<html>`, 500, "invalid character"},
		{"Array", problem.MediaType, `[1]`, 400, "cannot unmarshal array"},
		{"WrongMemberType", problem.MediaType, `{"status":"400"}`, 400, "cannot unmarshal string"},
		{"NoStatus", problem.MediaType, `{"type":"x","title":"y"}`, 400, "no status member"},
		{"StatusMismatch", problem.MediaType + "; charset=utf-8", `{"status":404,"code":"x"}`, 400, "status member 404 differs from the HTTP status 400"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tc.status, Header: http.Header{"Content-Type": {tc.ctype}}, Body: io.NopCloser(strings.NewReader(tc.body))}
			p, err := problem.Parse(resp)
			if err == nil || p != nil {
				t.Fatalf("got %+v, want an error", p)
			}
			if !errors.Is(err, problem.ErrNotProblem) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q, want ErrNotProblem containing %q", err, tc.want)
			}
		})
	}
	if _, err := problem.Parse(nil); !errors.Is(err, problem.ErrNotProblem) {
		t.Fatalf("nil response: %v", err)
	}
}
