// Package providers holds the clients the gateway uses to call the LLM providers: OpenAI (chat completions),
// Anthropic (messages) and Google Gemini (generateContent).
//
// Every client sends through the injected *http.Client, honours context cancellation and deadlines, retries
// only transient failures (429, 5xx, connection errors) with exponential backoff, jitter and the provider's
// Retry-After, and reports every failure as an *Error so callers can branch on Transient and KeyRejected.
package providers

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// ErrNoAPIKey is reported (wrapped in an *Error with Code CodeNoAPIKey) when a client has no API key: the
// provider is never called. Check with errors.Is.
var ErrNoAPIKey = errors.New("no api key configured")

// Codes set on *Error by the clients themselves (the others come from the provider's error body, e.g.
// "invalid_api_key", "overloaded_error", "RESOURCE_EXHAUSTED").
const (
	// CodeNoAPIKey means the client has no API key; no request was sent.
	CodeNoAPIKey = "no_api_key"
	// CodeTimeout means the context deadline or a network timeout expired before an answer arrived.
	CodeTimeout = "timeout"
	// CodeCanceled means the caller's context was cancelled (for example the client went away).
	CodeCanceled = "canceled"
	// CodeConnection means no HTTP answer was received (refused, reset, DNS, TLS...).
	CodeConnection = "connection_error"
	// CodeInvalidResponse means the provider answered with a body we could not use (malformed JSON, no
	// choices/candidates, too large).
	CodeInvalidResponse = "invalid_response"
	// CodeBlocked means Gemini refused the prompt (promptFeedback.blockReason) and returned no candidate.
	CodeBlocked = "blocked"
)

// Request is one completion request, independent of the provider.
type Request struct {
	// Model is the provider's model id, e.g. "gpt-4o", "claude-3-opus-20240229", "gemini-1.5-pro".
	Model string
	// System is the system prompt; empty means none is sent.
	System string
	// Prompt is the user message.
	Prompt string
	// Temperature is sent only when non-nil.
	Temperature *float64
	// MaxTokens caps the answer's tokens; 0 means the provider's default (Anthropic requires one, so the
	// Anthropic client sends 1024).
	MaxTokens int
}

// Response is the provider's answer.
type Response struct {
	// Text is the answer's text (all text parts concatenated).
	Text string
	// InputTokens and OutputTokens are the usage the provider reported (0 when it reported none).
	InputTokens, OutputTokens int
	// Status is the provider's HTTP status code (200).
	Status int
}

// Config configures a provider client. The zero value of every field means its default.
type Config struct {
	// BaseURL is the provider's base URL in either SDK convention: with the API version
	// ("https://api.openai.com/v1", "http://127.0.0.1:8086/anthropic/v1") or without it, which the
	// client then adds ("https://api.anthropic.com" → .../v1, "https://generativelanguage.googleapis.com"
	// → .../v1beta). Empty means the provider's public URL (internal/provider's DefaultBaseURL).
	BaseURL string
	// APIKey is the provider key; empty makes every call fail with ErrNoAPIKey without sending anything.
	// It is never logged.
	APIKey string
	// HTTPClient sends the requests; nil means a new client with dial, TLS and response-header timeouts
	// (never http.DefaultClient).
	HTTPClient *http.Client
	// MaxRetries is how many times a transient failure is retried: 0 means 2, negative means no retries.
	MaxRetries int
	// Logger receives retry and failure lines (never the key); nil discards them.
	Logger *slog.Logger
}

// Error is a failed provider call.
type Error struct {
	// Provider is "openai", "anthropic" or "gemini".
	Provider string
	// Status is the provider's HTTP status; 0 when no HTTP answer was received.
	Status int
	// Code is the provider's error code (OpenAI error.code or error.type, Anthropic error.type, Google
	// error.status or the ErrorInfo reason) or one of the Code* constants of this package.
	Code string
	// Message is the provider's error message, or ours when the provider gave none.
	Message string
	// RetryAfter is how long the provider asked us to wait (Retry-After or retry-after-ms); 0 if it did not say.
	RetryAfter time.Duration
	// Timeout is true when the context deadline or a network timeout expired.
	Timeout bool

	err error // wrapped cause: ErrNoAPIKey, context errors, network errors
}

// Error returns a one-line description, e.g. `openai: 401 invalid_api_key: Incorrect API key provided`.
func (e *Error) Error() string {
	s := e.Provider + ":"
	if e.Status != 0 {
		s += fmt.Sprintf(" %d", e.Status)
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Unwrap returns the underlying cause (ErrNoAPIKey, context.DeadlineExceeded, context.Canceled or a network
// error), or nil when the provider answered with an error status.
func (e *Error) Unwrap() error { return e.err }

// Transient reports whether the failure is the provider's or the network's rather than our request's: 429,
// any 5xx (including Anthropic's 529 overloaded), timeouts, connection errors and unusable answers. These
// should count against a circuit breaker; other 4xx, a missing key and cancellation should not.
func (e *Error) Transient() bool {
	switch {
	case e.Timeout, e.Status == http.StatusTooManyRequests, e.Status >= 500:
		return true
	case e.Code == CodeInvalidResponse, e.Code == CodeConnection:
		return true // also when the status arrived but the body was cut off
	case e.Status == 0:
		return e.Code != CodeCanceled && e.Code != CodeNoAPIKey
	}
	return false
}

// KeyRejected reports whether the provider refused the API key: 401 or 403, or Google's 400 API_KEY_INVALID.
func (e *Error) KeyRejected() bool {
	return e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden ||
		(e.Status == http.StatusBadRequest && e.Code == "API_KEY_INVALID")
}
