package providers

import (
	"net/http"
	"strconv"
	"time"

	"github.com/ultra-kit/ultra/internal/problem"
)

// apiError is one error answer before a provider renders it in its own format.
type apiError struct {
	Status  int
	Message string
	Param   string // OpenAI only: the offending parameter
	Code    string // OpenAI only: a machine-readable code
	// RetryAfter, when positive, adds Retry-After (seconds, rounded up) and retry-after-ms headers.
	RetryAfter time.Duration
}

func setRetryAfter(h http.Header, d time.Duration) {
	if d <= 0 {
		return
	}
	h.Set("Retry-After", strconv.FormatInt(int64((d+time.Second-1)/time.Second), 10))
	h.Set("retry-after-ms", strconv.FormatInt(d.Milliseconds(), 10))
}

// nullable renders "" as JSON null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// writeOpenAIError writes {"error":{"message","type","param","code"}}.
func writeOpenAIError(w http.ResponseWriter, e apiError) {
	type body struct {
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}
	typ := "invalid_request_error"
	switch {
	case e.Status == http.StatusTooManyRequests:
		typ = "requests"
	case e.Status == http.StatusServiceUnavailable:
		typ = "server_error"
	case e.Status >= 500:
		typ = "server_error"
	case e.Status == http.StatusForbidden:
		typ = "permission_error"
	}
	setRetryAfter(w.Header(), e.RetryAfter)
	problem.WriteJSON(w, e.Status, map[string]body{"error": {Message: e.Message, Type: typ, Param: nullable(e.Param), Code: nullable(e.Code)}})
}

// anthropicErrorType is the error.type Anthropic uses for a status.
func anthropicErrorType(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return "invalid_request_error"
	case http.StatusUnauthorized:
		return "authentication_error"
	case http.StatusForbidden:
		return "permission_error"
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "not_found_error"
	case http.StatusRequestEntityTooLarge:
		return "request_too_large"
	case http.StatusTooManyRequests:
		return "rate_limit_error"
	case 529:
		return "overloaded_error"
	case http.StatusGatewayTimeout:
		return "timeout_error"
	}
	if status >= 500 {
		return "api_error"
	}
	return "invalid_request_error"
}

// anthropicError is the body of an Anthropic error answer and of a stream's error event.
func anthropicError(status int, message string) any {
	type inner struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	}
	return struct {
		Type  string `json:"type"`
		Error inner  `json:"error"`
	}{"error", inner{anthropicErrorType(status), message}}
}

// writeAnthropicError writes {"type":"error","error":{"type","message"}}.
func writeAnthropicError(w http.ResponseWriter, e apiError) {
	setRetryAfter(w.Header(), e.RetryAfter)
	problem.WriteJSON(w, e.Status, anthropicError(e.Status, e.Message))
}

// googleStatus is the google.rpc.Code name Google APIs use for an HTTP status.
func googleStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "INVALID_ARGUMENT"
	case http.StatusUnauthorized:
		return "UNAUTHENTICATED"
	case http.StatusForbidden:
		return "PERMISSION_DENIED"
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return "NOT_FOUND"
	case http.StatusConflict:
		return "ABORTED"
	case http.StatusRequestEntityTooLarge:
		return "INVALID_ARGUMENT"
	case http.StatusTooManyRequests:
		return "RESOURCE_EXHAUSTED"
	case http.StatusNotImplemented:
		return "UNIMPLEMENTED"
	case http.StatusServiceUnavailable:
		return "UNAVAILABLE"
	case http.StatusGatewayTimeout:
		return "DEADLINE_EXCEEDED"
	}
	if status >= 500 {
		return "INTERNAL"
	}
	return "FAILED_PRECONDITION"
}

// geminiError is the body of a Google API error answer and of a stream's error chunk.
func geminiError(status int, message string) any {
	type detail struct {
		Type   string `json:"@type"`
		Reason string `json:"reason"`
		Domain string `json:"domain"`
	}
	type inner struct {
		Code    int      `json:"code"`
		Message string   `json:"message"`
		Status  string   `json:"status"`
		Details []detail `json:"details,omitempty"`
	}
	in := inner{Code: status, Message: message, Status: googleStatus(status)}
	if status == http.StatusUnauthorized {
		in.Details = []detail{{Type: "type.googleapis.com/google.rpc.ErrorInfo", Reason: "API_KEY_INVALID", Domain: "googleapis.com"}}
	}
	return map[string]inner{"error": in}
}

// writeGeminiError writes {"error":{"code","message","status"}}.
func writeGeminiError(w http.ResponseWriter, e apiError) {
	setRetryAfter(w.Header(), e.RetryAfter)
	problem.WriteJSON(w, e.Status, geminiError(e.Status, e.Message))
}
