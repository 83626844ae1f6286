package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/spec"
)

// Error kinds raised inside the gateway; problemFor is the one place that turns them into statuses.
var (
	errBodyTooLarge   = errors.New("request body too large")
	errAnalyzeTimeout = errors.New("analysis timed out")
)

// fieldError is one entry of a problem's errors array.
type fieldError struct {
	Pointer string `json:"pointer"`
	Reason  string `json:"reason"`
	In      string `json:"in,omitempty"`
}

// problem is an RFC 9457 problem document as the contract's Problem schema describes it.
type problem struct {
	Type        string       `json:"type"`
	Title       string       `json:"title"`
	Status      int          `json:"status"`
	Detail      string       `json:"detail,omitempty"`
	Instance    string       `json:"instance,omitempty"`
	Code        string       `json:"code"`
	RequestID   string       `json:"request_id,omitempty"`
	Errors      []fieldError `json:"errors,omitempty"`
	ValidModels []string     `json:"valid_models,omitempty"`

	retryAfter time.Duration
}

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

func problemFor(err error) problem {
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
		return problem{Status: 401, Code: ae.code, Type: "unauthorized", Title: "Unauthorized", Detail: ae.detail}
	case errors.As(err, &rl):
		secs := ceilSeconds(rl.retryAfter)
		return problem{Status: 429, Code: "rate_limited", Type: "rate-limited", Title: "Too many requests", retryAfter: rl.retryAfter,
			Detail: fmt.Sprintf("Rate limit of %d requests per minute exceeded; retry in %d seconds.", rl.rpm, secs)}
	case errors.Is(err, errStoreUnavailable):
		return problem{Status: 503, Code: "rate_limit_store_unavailable", Type: "rate-limit-store-unavailable", Title: "Service unavailable",
			retryAfter: time.Second, Detail: "The rate-limit store cannot be reached and RATE_LIMIT_REDIS_FAILURE is closed; retry shortly."}
	case errors.Is(err, errBodyTooLarge), errors.As(err, &mbe):
		return problem{Status: 413, Code: "payload_too_large", Type: "payload-too-large", Title: "Payload too large", Detail: err.Error()}
	case errors.As(err, &mt):
		return problem{Status: 415, Code: "unsupported_media_type", Type: "unsupported-media-type", Title: "Unsupported media type",
			Detail: fmt.Sprintf("Content-Type %q is not supported; use application/json.", mt.got)}
	case errors.As(err, &je):
		return problem{Status: 400, Code: "invalid_json", Type: "invalid-json", Title: "Malformed JSON body", Detail: je.err.Error()}
	case errors.As(err, &ip):
		return invalidPattern(fmt.Sprintf("Pattern %q is not supported", ip.name))
	case errors.As(err, &ve) && len(ve) == 1 && ve[0].In == spec.InBody && ve[0].Pointer == "/pattern":
		return invalidPattern("The pattern is not supported")
	case errors.As(err, &ve):
		p := problem{Status: 400, Code: "validation_failed", Type: "validation-failed", Title: "Request validation failed"}
		for _, v := range ve {
			in := string(v.In)
			switch v.In {
			case spec.InPath, spec.InQuery, spec.InHeader, spec.InCookie, spec.InBody:
			default:
				in = ""
			}
			p.Errors = append(p.Errors, fieldError{Pointer: v.Pointer, Reason: v.Reason, In: in})
		}
		p.Detail = fmt.Sprintf("The request has %d invalid field(s).", len(p.Errors))
		return p
	case errors.As(err, &um):
		return problem{Status: 400, Code: "unknown_model", Type: "unknown-model", Title: "Unknown model", Errors: um.errors, ValidModels: um.valid,
			Detail: fmt.Sprintf("Model %s is not available. Choose one of the valid models.", quoteAll(um.names))}
	case errors.As(err, &af):
		return problem{Status: 502, Code: af.code, Type: strings.ReplaceAll(af.code, "_", "-"), Title: "All providers failed", Detail: af.detail}
	case errors.As(err, &co):
		d := fmt.Sprintf("Circuit breakers are open for %s; expected recovery in %d seconds.", strings.Join(co.providers, ", "), ceilSeconds(co.recovery))
		return problem{Status: 503, Code: "circuit_open", Type: "circuit-open", Title: "Service unavailable", Detail: d, retryAfter: co.recovery}
	case errors.Is(err, errAnalyzeTimeout), errors.Is(err, context.DeadlineExceeded):
		return problem{Status: 504, Code: "upstream_timeout", Type: "upstream-timeout", Title: "Gateway timeout", Detail: err.Error()}
	case errors.As(err, &mna):
		return problem{Status: 405, Code: "method_not_allowed", Type: "method-not-allowed", Title: "Method not allowed",
			Detail: fmt.Sprintf("Use %s.", strings.Join(mna.Allowed, " or "))}
	case errors.Is(err, spec.ErrOperationNotFound):
		return problem{Status: 404, Code: "not_found", Type: "not-found", Title: "Not found", Detail: "No operation of the Ultra API has this path."}
	default:
		return problem{Status: 500, Code: "internal_error", Type: "internal-error", Title: "Internal server error",
			Detail: "An unexpected error occurred; quote the request ID when reporting it."}
	}
}

func invalidPattern(what string) problem {
	names := make([]string, 0, 6)
	for _, p := range patterns() {
		names = append(names, p.Name)
	}
	list := strings.Join(names, ", ")
	return problem{Status: 400, Code: "invalid_pattern", Type: "invalid-pattern", Title: "Invalid analysis pattern",
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
	writeProblem(w, r, p)
}

func writeProblem(w http.ResponseWriter, r *http.Request, p problem) {
	p.Type = "https://ultra.dev/problems/" + p.Type
	p.Instance = r.URL.Path
	p.RequestID = requestIDFrom(r.Context())
	if p.retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(ceilSeconds(p.retryAfter)))
	}
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.Status)
	w.Write(body)
}

// writeJSON writes v as an application/json response.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		status, body = 500, []byte(`{"type":"https://ultra.dev/problems/internal-error","title":"Internal server error","status":500,"code":"internal_error"}`)
		w.Header().Set("Content-Type", "application/problem+json")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	w.Write(body)
}

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
