package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/spec"
)

// Error kinds raised inside the gateway; problemFor is the one place that turns them into statuses.
var (
	errBodyTooLarge   = errors.New("request body too large")
	errAnalyzeTimeout = errors.New("analysis timed out")
)

// fieldError is one entry of a problem's errors array.
type fieldError = problem.FieldError

// jsonError is a body that is not JSON.
type jsonError struct{ err error }

func (e *jsonError) Error() string { return "invalid json: " + e.err.Error() }
func (e *jsonError) Unwrap() error { return e.err }

// mediaTypeError is a body sent with an undocumented Content-Type.
type mediaTypeError struct{ got string }

func (e *mediaTypeError) Error() string { return "unsupported media type " + e.got }

// unknownModelError names models that are not configured.
type unknownModelError struct {
	errors []fieldError
	names  []string
	valid  []string
}

func (e *unknownModelError) Error() string { return "unknown model " + strings.Join(e.names, ", ") }

// rateLimitError is a caller over its limit.
type rateLimitError struct {
	rpm        int
	retryAfter time.Duration
}

func (e *rateLimitError) Error() string { return "rate limited" }

// allFailedError is every selected model failing (or the synthesis failing).
type allFailedError struct {
	detail string
	code   string
}

func (e *allFailedError) Error() string { return e.detail }

// circuitOpenError is every needed breaker open.
type circuitOpenError struct {
	providers []string
	recovery  time.Duration
}

func (e *circuitOpenError) Error() string {
	return "circuit open for " + strings.Join(e.providers, ", ")
}

// problemFor is the one place that turns the gateway's error kinds into problems. Type is left empty
// where it is the code's own type URI (see writeProblem).
func problemFor(err error) problem.Problem {
	var (
		ae  *authError
		rl  *rateLimitError
		je  *jsonError
		mt  *mediaTypeError
		um  *unknownModelError
		af  *allFailedError
		co  *circuitOpenError
		ve  spec.ValidationErrors
		ip  *invalidPatternError
		mna *spec.MethodNotAllowedError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &ae):
		return problem.Problem{Status: 401, Code: ae.code, Type: problem.TypeURI("unauthorized"), Title: "Unauthorized", Detail: ae.detail}
	case errors.As(err, &rl):
		secs := ceilSeconds(rl.retryAfter)
		return problem.Problem{Status: 429, Code: "rate_limited", Title: "Too many requests",
			Detail: fmt.Sprintf("Rate limit of %d requests per minute exceeded; retry in %d seconds.", rl.rpm, secs)}
	case errors.Is(err, errStoreUnavailable):
		return problem.Problem{Status: 503, Code: "rate_limit_store_unavailable", Title: "Service unavailable",
			Detail: "The rate-limit store cannot be reached and RATE_LIMIT_REDIS_FAILURE is closed; retry shortly."}
	case errors.Is(err, errBodyTooLarge), errors.As(err, &mbe):
		return problem.Problem{Status: 413, Code: "payload_too_large", Title: "Payload too large", Detail: err.Error()}
	case errors.As(err, &mt):
		return problem.Problem{Status: 415, Code: "unsupported_media_type", Title: "Unsupported media type",
			Detail: fmt.Sprintf("Content-Type %q is not supported; use application/json.", mt.got)}
	case errors.As(err, &je):
		return problem.Problem{Status: 400, Code: "invalid_json", Title: "Malformed JSON body", Detail: je.err.Error()}
	case errors.As(err, &ip):
		return invalidPattern(fmt.Sprintf("Pattern %q is not supported", ip.name))
	case errors.As(err, &ve) && len(ve) == 1 && ve[0].In == spec.InBody && ve[0].Pointer == "/pattern":
		return invalidPattern("The pattern is not supported")
	case errors.As(err, &ve):
		p := problem.Problem{Status: 400, Code: "validation_failed", Title: "Request validation failed", Errors: problem.FieldErrors(ve)}
		p.Detail = fmt.Sprintf("The request has %d invalid field(s).", len(p.Errors))
		return p
	case errors.As(err, &um):
		return problem.Problem{Status: 400, Code: "unknown_model", Title: "Unknown model", Errors: um.errors, ValidModels: um.valid,
			Detail: fmt.Sprintf("Model %s is not available. Choose one of the valid models.", quoteAll(um.names))}
	case errors.As(err, &af):
		return problem.Problem{Status: 502, Code: af.code, Title: "All providers failed", Detail: af.detail}
	case errors.As(err, &co):
		d := fmt.Sprintf("Circuit breakers are open for %s; expected recovery in %d seconds.", strings.Join(co.providers, ", "), ceilSeconds(co.recovery))
		return problem.Problem{Status: 503, Code: "circuit_open", Title: "Service unavailable", Detail: d}
	case errors.Is(err, errAnalyzeTimeout), errors.Is(err, context.DeadlineExceeded):
		return problem.Problem{Status: 504, Code: "upstream_timeout", Title: "Gateway timeout", Detail: err.Error()}
	case errors.As(err, &mna):
		return problem.Problem{Status: 405, Code: "method_not_allowed", Title: "Method not allowed",
			Detail: fmt.Sprintf("Use %s.", strings.Join(mna.Allowed, " or "))}
	case errors.Is(err, spec.ErrOperationNotFound):
		return problem.Problem{Status: 404, Code: "not_found", Title: "Not found", Detail: "No operation of the Ultra API has this path."}
	default:
		return problem.Problem{Status: 500, Code: "internal_error", Title: "Internal server error",
			Detail: "An unexpected error occurred; quote the request ID when reporting it."}
	}
}

func invalidPattern(what string) problem.Problem {
	names := make([]string, 0, 6)
	for _, p := range patterns() {
		names = append(names, p.Name)
	}
	list := strings.Join(names, ", ")
	return problem.Problem{Status: 400, Code: "invalid_pattern", Title: "Invalid analysis pattern",
		Detail: what + "; use one of " + list + ".",
		Errors: []fieldError{{Pointer: "/pattern", Reason: "must be one of " + list, In: "body"}}}
}

// writeError maps err to a problem and writes it; 5xx are logged with the request ID.
func writeError(w http.ResponseWriter, r *http.Request, logger *slog.Logger, err error) {
	p := problemFor(err)
	if p.Status >= 500 {
		logger.ErrorContext(r.Context(), "request failed", "status", p.Status, "code", p.Code, "err", err)
	}
	var mna *spec.MethodNotAllowedError
	if errors.As(err, &mna) {
		w.Header().Set("Allow", strings.Join(mna.Allowed, ", "))
	}
	if p.Status == 401 {
		w.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="ultra", error="invalid_token", error_description=%q`, p.Code))
	}
	writeProblem(w, r, p, retryAfter(err))
}

// writeProblem writes p with the gateway's members: the code's type URI when p has no Type, the
// request path as instance, the request ID, and Retry-After when retryAfter is positive.
func writeProblem(w http.ResponseWriter, r *http.Request, p problem.Problem, retryAfter time.Duration) {
	if p.Type == "" {
		p.Type = problem.TypeURI(p.Code)
	}
	p.Instance = r.URL.Path
	p.RequestID = requestIDFrom(r.Context())
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ceilSeconds(retryAfter)))
	}
	problem.Write(w, r, p)
}

// retryAfter is how long a client should wait before retrying after err; 0 when it need not.
func retryAfter(err error) time.Duration {
	if rl, ok := errors.AsType[*rateLimitError](err); ok {
		return rl.retryAfter
	}
	if co, ok := errors.AsType[*circuitOpenError](err); ok {
		return co.recovery
	}
	if errors.Is(err, errStoreUnavailable) {
		return time.Second
	}
	return 0
}

// writeJSON writes v as an application/json response.
func writeJSON(w http.ResponseWriter, status int, v any) { problem.WriteJSON(w, status, v) }

func ceilSeconds(d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int((d + time.Second - 1) / time.Second)
}

func quoteAll(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
