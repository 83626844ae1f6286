// Package problem is the one home of RFC 9457 problem documents: the Problem type both servers answer
// with, its field errors built from spec validation errors, writing it as application/problem+json,
// and parsing it back (the harness and tests read problems through Parse, never by JSON path). Each
// server keeps its own mapping from errors to statuses and codes; this package only knows the shape.
package problem

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/spec"
)

// MediaType is the Content-Type of a problem document.
const MediaType = "application/problem+json"

// TypeBase is the prefix of every problem type URI the servers use; see TypeURI.
const TypeBase = "https://ultra.dev/problems/"

// maxBody bounds the body Parse reads.
const maxBody = 1 << 20

// ErrNotProblem is returned (wrapped) by Parse and ParseBody for a response that is not a problem
// document: another Content-Type, a body that is not a JSON object, or one without a status.
var ErrNotProblem = errors.New("not a problem document")

// FieldError is one entry of a problem's errors array: what is wrong (Reason) and where (Pointer, an
// RFC 6901 pointer into the body or a parameter name, and In, the part of the request).
type FieldError struct {
	Pointer string `json:"pointer"`
	Reason  string `json:"reason"`
	In      string `json:"in,omitempty"`
}

// Problem is an RFC 9457 problem document with the extension members the Ultra servers use: a
// machine-readable Code, the RequestID, field Errors, and ValidModels (gateway) or Allowed methods
// (mock server). Empty optional members are left out of the JSON; Type, Title, Status and Code are
// always written. A *Problem is an error, so a parsed answer can be returned and matched with errors.As.
type Problem struct {
	Type        string       `json:"type"`
	Title       string       `json:"title"`
	Status      int          `json:"status"`
	Detail      string       `json:"detail,omitempty"`
	Instance    string       `json:"instance,omitempty"`
	Code        string       `json:"code"`
	RequestID   string       `json:"request_id,omitempty"`
	Errors      []FieldError `json:"errors,omitempty"`
	ValidModels []string     `json:"valid_models,omitempty"`
	Allowed     []string     `json:"allowed,omitempty"`
}

// Error reads "status code: detail" (the title when there is no detail).
func (p *Problem) Error() string {
	what := p.Detail
	if what == "" {
		what = p.Title
	}
	return fmt.Sprintf("%d %s: %s", p.Status, p.Code, what)
}

// Pointers returns the pointers of the field errors, in order; nil when there are none.
func (p *Problem) Pointers() []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Pointer)
	}
	return out
}

// TypeURI is the type URI of a problem code: TypeBase followed by the code with "_" spelled "-"
// ("validation_failed" becomes ".../validation-failed").
func TypeURI(code string) string { return TypeBase + strings.ReplaceAll(code, "_", "-") }

// FieldErrors turns spec validation errors into field errors, one each in order. In is kept for the
// request parts a client can fix (path, query, header, cookie, body) and left empty otherwise. A nil
// or empty input gives nil.
func FieldErrors(ves spec.ValidationErrors) []FieldError {
	var out []FieldError
	for _, v := range ves {
		fe := FieldError{Pointer: v.Pointer, Reason: v.Reason}
		switch v.In {
		case spec.InPath, spec.InQuery, spec.InHeader, spec.InCookie, spec.InBody:
			fe.In = string(v.In)
		}
		out = append(out, fe)
	}
	return out
}

// Write answers with p as application/problem+json, with a Content-Length and p.Status as the status
// (no body for HEAD requests; r may be nil). Headers already set on w (Allow, Retry-After, ...) go out
// with it.
func Write(w http.ResponseWriter, r *http.Request, p Problem) {
	body, _ := json.Marshal(p) // strings, ints and slices of them: cannot fail
	h := w.Header()
	h.Set("Content-Type", MediaType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.Status)
	if r == nil || r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// WriteJSON answers with v as compact application/json, with a Content-Length. It is the servers'
// one JSON writer (see WriteJSONLine for bodies read in a terminal). When v cannot be encoded it
// answers a 500 internal_error problem instead.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v, false) }

// WriteJSONLine is WriteJSON with a line break after the JSON, so that an admin answer printed by
// curl ends its line.
func WriteJSONLine(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v, true) }

func writeJSON(w http.ResponseWriter, status int, v any, newline bool) {
	body, err := json.Marshal(v)
	if err != nil {
		Write(w, nil, Problem{Type: TypeURI("internal_error"), Title: "Internal server error", Status: http.StatusInternalServerError,
			Detail: "the response could not be encoded", Code: "internal_error"})
		return
	}
	if newline {
		body = append(body, '\n')
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// Parse reads a response as a problem document. It closes nothing: the caller owns resp.Body. It
// returns an error wrapping ErrNotProblem when the response is not one (see ParseBody) or when its
// status member differs from the HTTP status, and the read error when the body cannot be read.
func Parse(resp *http.Response) (*Problem, error) {
	if resp == nil {
		return nil, fmt.Errorf("%w: no response", ErrNotProblem)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("read problem body: %w", err)
	}
	p, err := ParseBody(resp.Header.Get("Content-Type"), body)
	if err != nil {
		return nil, err
	}
	if p.Status != resp.StatusCode {
		return nil, fmt.Errorf("%w: status member %d differs from the HTTP status %d", ErrNotProblem, p.Status, resp.StatusCode)
	}
	return p, nil
}

// ParseBody reads a problem document from its Content-Type and body. The error wraps ErrNotProblem
// when the media type is not application/problem+json, the body is not a JSON object of the Problem
// shape, or it has no status.
func ParseBody(contentType string, body []byte) (*Problem, error) {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil || mt != MediaType {
		return nil, fmt.Errorf("%w: Content-Type is %q, want %s", ErrNotProblem, contentType, MediaType)
	}
	var p Problem
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: %v; body: %s", ErrNotProblem, err, excerpt(body))
	}
	if p.Status == 0 {
		return nil, fmt.Errorf("%w: no status member; body: %s", ErrNotProblem, excerpt(body))
	}
	return &p, nil
}

func excerpt(b []byte) string {
	const n = 200
	if len(b) > n {
		return strconv.Quote(string(b[:n])) + "..."
	}
	return strconv.Quote(string(b))
}
