package spec

// An internal test: it compares the fast path with the full validator it stands in for, which the
// external tests cannot reach.

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const fastBigAPI = "../internal/testdocs/bigapi/bigapi.yaml"

// TestFastValidAgreesWithValidator checks that the fast path says "valid" for valid JSON bodies it
// can check, says nothing otherwise, and never disagrees with the full validator.
func TestFastValidAgreesWithValidator(t *testing.T) {
	doc, err := LoadFile(fastBigAPI)
	if err != nil {
		t.Fatal(err)
	}
	const account = `{"display_name":"Acme","status":"draft","owner_email":"ops@example.com","price":{"value":"10.00","currency":"EUR"}}`
	tests := []struct {
		name, path, ct, auth, body string
		fast, valid                bool
	}{
		{"ValidJSON", "/accounts", "application/json", "Bearer t", account, true, true},
		{"ValidJSONCharset", "/accounts", "application/json; charset=utf-8", "Bearer t", account, true, true},
		{"ValidTrailingSpace", "/accounts", "application/json", "Bearer t", account + " \n", true, true},
		{"MissingRequired", "/accounts", "application/json", "Bearer t", `{"display_name":"Acme"}`, false, false},
		{"WrongType", "/accounts", "application/json", "Bearer t", strings.Replace(account, `"Acme"`, `7`, 1), false, false},
		{"TrailingValue", "/accounts", "application/json", "Bearer t", account + ` {}`, false, false},
		{"NotJSON", "/accounts", "application/json", "Bearer t", `{"display_name":`, false, false},
		{"WhitespaceOnly", "/accounts", "application/json", "Bearer t", "  ", false, false},
		{"Empty", "/accounts", "application/json", "Bearer t", "", false, false},
		{"NoCredentials", "/accounts", "application/json", "", account, false, false},
		{"OtherMediaType", "/accounts", "text/plain", "Bearer t", account, false, false},
		// the search filter is circular: precompile leaves it to the validator, which compiles and caches
		// it; the fast path then checks against that same compiled schema
		{"CircularSchema", "/accounts/search", "application/json", "Bearer t", `{"query":"blue","filter":{"op":"not","filter":{"op":"eq","field":"status","value":"active"}}}`, true, true},
		{"CircularSchemaInvalid", "/accounts/search", "application/json", "Bearer t", `{"query":"blue","filter":{"op":"not","filter":{"op":"eq","field":"status"}}}`, false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			newReq := func() *http.Request {
				r := httptest.NewRequest(http.MethodPost, "http://api.test"+tc.path, strings.NewReader(tc.body))
				r.Header.Set("Content-Type", tc.ct)
				if tc.auth != "" {
					r.Header.Set("Authorization", tc.auth)
				}
				return r
			}
			m, err := doc.Find(http.MethodPost, tc.path)
			if err != nil {
				t.Fatal(err)
			}
			op := m.Operation
			sv := op.requestValidator()
			full, _ := sv.v.ValidateHttpRequestSyncWithPathItem(newReq(), sv.item, op.validatorPath)
			if full != tc.valid {
				t.Fatalf("full validator: expected valid=%v, got %v", tc.valid, full)
			}
			r := newReq()
			if got := op.fastValid(sv, r); got != tc.fast {
				t.Fatalf("fast path: expected %v, got %v", tc.fast, got)
			}
			if rest, _ := io.ReadAll(r.Body); string(rest) != tc.body {
				t.Fatalf("body after the fast path: expected %q, got %q", tc.body, rest)
			}
			if err := op.ValidateRequest(newReq()); (err == nil) != tc.valid {
				t.Fatalf("ValidateRequest: expected valid=%v, got %v", tc.valid, err)
			}
		})
	}
}

type failingReader struct {
	data []byte
	err  error
}

func (f *failingReader) Read(p []byte) (int, error) {
	if len(f.data) == 0 {
		return 0, f.err
	}
	n := copy(p, f.data)
	f.data = f.data[n:]
	return n, nil
}

// TestReplayBodyKeepsReadError checks that a body that fails part way reads the same afterwards:
// the bytes that arrived, then the same error.
func TestReplayBodyKeepsReadError(t *testing.T) {
	boom := errors.New("connection reset")
	r := httptest.NewRequest(http.MethodPost, "/", nil)
	r.Body = io.NopCloser(&failingReader{data: []byte(`{"a":`), err: boom})
	if got := replayBody(r); got != nil {
		t.Fatalf("expected no body from a failed read, got %q", got)
	}
	got, err := io.ReadAll(r.Body)
	if !bytes.Equal(got, []byte(`{"a":`)) || !errors.Is(err, boom) {
		t.Fatalf(`expected {"a": then %v, got %q, %v`, boom, got, err)
	}
}
