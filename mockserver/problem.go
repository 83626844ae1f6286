package mockserver

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/spec"
)

// This file is the one place where errors become HTTP statuses and RFC 9457 problem documents.

// notAcceptableError means the Accept header rules out every media type of the chosen response.
type notAcceptableError struct {
	accept string
	offers []string
}

func (e *notAcceptableError) Error() string {
	return fmt.Sprintf("Accept %q matches none of %s", e.accept, strings.Join(e.offers, ", "))
}

// preferenceError is a Prefer header or __ query parameter asking for something the operation does
// not document.
type preferenceError struct{ err error }

func (e *preferenceError) Error() string { return e.err.Error() }
func (e *preferenceError) Unwrap() error { return e.err }

// faultStatusError is a fault forcing a status the operation documents no response for.
type faultStatusError struct{ status int }

func (e *faultStatusError) Error() string {
	return fmt.Sprintf("fault injected: status %d", e.status)
}

// badRequestError is an admin request that cannot be used (bad JSON, an invalid fault).
type badRequestError struct{ err error }

func (e *badRequestError) Error() string { return e.err.Error() }
func (e *badRequestError) Unwrap() error { return e.err }

// Sentinel errors of the admin API.
var (
	errFaultNotFound = errors.New("no such fault")
	errAdminNotFound = errors.New("no such admin endpoint")
)

// classify maps an error to a status and a problem code.
func classify(err error) (int, string) {
	var ves spec.ValidationErrors
	var mna *spec.MethodNotAllowedError
	var na *notAcceptableError
	var pe *preferenceError
	var fs *faultStatusError
	switch {
	case errors.Is(err, spec.ErrOperationNotFound):
		return http.StatusNotFound, "not_found"
	case errors.As(err, &mna):
		return http.StatusMethodNotAllowed, "method_not_allowed"
	case errors.As(err, &ves) && ves.Has(spec.InSecurity):
		return http.StatusUnauthorized, "unauthorized"
	case errors.As(err, &ves) && ves.Has(spec.InContentType):
		return http.StatusUnsupportedMediaType, "unsupported_media_type"
	case errors.As(err, &ves):
		return http.StatusUnprocessableEntity, "validation_failed"
	case errors.As(err, &na):
		return http.StatusNotAcceptable, "not_acceptable"
	case errors.As(err, &pe):
		return http.StatusBadRequest, "undocumented_preference"
	case errors.As(err, &fs):
		return fs.status, "injected_fault"
	case errors.As(err, new(*badRequestError)):
		return http.StatusBadRequest, "bad_request"
	case errors.Is(err, errFaultNotFound):
		return http.StatusNotFound, "fault_not_found"
	case errors.Is(err, errFixtureNotFound):
		return http.StatusNotFound, "fixture_not_found"
	case errors.Is(err, errAdminNotFound):
		return http.StatusNotFound, "not_found"
	case errors.Is(err, spec.ErrNoExample):
		return http.StatusInternalServerError, "no_example"
	default:
		return http.StatusInternalServerError, "internal_error"
	}
}

// fail answers a request that cannot get a normal mock response. When the operation documents its own
// response (with an example) for the status, that is served instead of a problem document.
func (s *Server) fail(w *recorder, r *http.Request, st *opState, err error) {
	status, _ := classify(err)
	h := w.Header()
	var mna *spec.MethodNotAllowedError
	if errors.As(err, &mna) {
		h.Set("Allow", strings.Join(mna.Allowed, ", "))
	}
	if status == http.StatusUnauthorized && st != nil {
		if c := challenge(st.op); c != "" {
			h.Set("WWW-Authenticate", c)
		}
	}
	if st != nil && s.documentedError(w, r, st, status) {
		return
	}
	p := problemFor(err, h.Get("X-Request-Id"))
	if mna != nil {
		p.Allowed = mna.Allowed
	}
	if ves, ok := errors.AsType[spec.ValidationErrors](err); ok {
		p.Errors = problem.FieldErrors(ves)
	}
	problem.Write(w, r, p)
}

// adminFail answers an admin API request with a problem document.
func adminFail(w http.ResponseWriter, r *http.Request, err error) {
	problem.Write(w, r, problemFor(err, w.Header().Get("X-Request-Id")))
}

// problemFor builds the problem document of an error, without field errors.
func problemFor(err error, requestID string) problem.Problem {
	status, code := classify(err)
	return problem.Problem{
		Type: problem.TypeURI(code), Title: http.StatusText(status),
		Status: status, Detail: detail(err), Code: code, RequestID: requestID,
	}
}

func detail(err error) string {
	var ves spec.ValidationErrors
	if errors.As(err, &ves) {
		if len(ves) == 1 {
			return ves[0].Error()
		}
		return fmt.Sprintf("the request breaks the contract in %d places (see errors)", len(ves))
	}
	var mna *spec.MethodNotAllowedError
	if errors.As(err, &mna) {
		return fmt.Sprintf("%s is not allowed here; allowed: %s", mna.Method, strings.Join(mna.Allowed, ", "))
	}
	if errors.Is(err, spec.ErrOperationNotFound) {
		return "no operation of the mocked documents matches this path"
	}
	return err.Error()
}

// documentedError serves the operation's own response for an error status, when it documents one
// with an example (a 422 case also takes a documented 400). It reports whether it answered.
func (s *Server) documentedError(w *recorder, r *http.Request, st *opState, status int) bool {
	codes := []int{status}
	if status == http.StatusUnprocessableEntity {
		codes = append(codes, http.StatusBadRequest)
	}
	for _, code := range codes {
		i := st.responseIndex(code)
		if i < 0 || st.op.Responses[i].Status == "default" || len(st.op.Responses[i].MediaTypes) == 0 {
			continue
		}
		c := st.static(strconv.Itoa(code), "", "")
		if c.err != nil || c.generated {
			continue
		}
		s.write(w, r, c, nil)
		return true
	}
	return false
}

// challenge builds the WWW-Authenticate value for an operation's first security alternative.
func challenge(op *spec.Operation) string {
	var parts []string
	for _, req := range op.Security {
		for _, sc := range req {
			switch {
			case sc.Type == "http" && sc.Scheme == "basic":
				parts = append(parts, `Basic realm="mock"`)
			case sc.Type == "http" && sc.Scheme != "":
				parts = append(parts, strings.ToUpper(sc.Scheme[:1])+sc.Scheme[1:]+` realm="mock"`)
			case sc.Type == "apiKey":
				parts = append(parts, fmt.Sprintf(`ApiKey realm="mock", in=%q, name=%q`, sc.In, sc.Param))
			case sc.Type == "oauth2" || sc.Type == "openIdConnect":
				parts = append(parts, `Bearer realm="mock"`)
			}
		}
		if len(parts) > 0 {
			break
		}
	}
	return strings.Join(parts, ", ")
}
