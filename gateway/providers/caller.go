package providers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	table "github.com/ultra-kit/ultra/internal/provider"
)

const (
	// maxBodyBytes bounds how much of a provider's answer is read.
	maxBodyBytes = 8 << 20
	// defaultMaxRetries is used when Config.MaxRetries is 0.
	defaultMaxRetries = 2
	// backoffBase and backoffMax shape the exponential backoff used when the provider gives no Retry-After.
	backoffBase = 500 * time.Millisecond
	backoffMax  = 8 * time.Second
	// maxRetryAfter is the longest Retry-After we are willing to wait inside one call; longer waits end the
	// call with the provider's error (its RetryAfter tells the caller how long to back off).
	maxRetryAfter = 60 * time.Second
)

// caller is the transport shared by the clients: one place that sends, retries and maps errors.
type caller struct {
	provider    string
	errorFormat string // the row's ErrorFormat: how statusError reads the provider's error bodies
	base        string
	key         string
	client      *http.Client
	maxRetries  int
	logger      *slog.Logger

	// sleep waits d or until ctx is done; now is the clock. Both are replaced in tests (export_test.go).
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

// newCaller builds the transport of the table's provider name. Its base is cfg.BaseURL in either SDK
// convention (with or without the API version; see internal/provider's APIRoot), or the public URL.
func newCaller(provider string, cfg Config) caller {
	p, _ := table.Lookup(provider)
	base := p.APIRoot(cfg.BaseURL)
	client := cfg.HTTPClient
	if client == nil {
		client = DefaultHTTPClient()
	}
	retries := cfg.MaxRetries
	switch {
	case retries == 0:
		retries = defaultMaxRetries
	case retries < 0:
		retries = 0
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return caller{
		provider:    provider,
		errorFormat: p.ErrorFormat,
		base:        base,
		key:         cfg.APIKey,
		client:      client,
		maxRetries:  retries,
		logger:      logger.With("provider", provider),
		sleep:       sleepCtx,
		now:         time.Now,
	}
}

// DefaultHTTPClient returns a new client for provider calls, used when Config.HTTPClient (or the
// gateway's Deps.HTTPClient) is nil: its own transport (not http.DefaultTransport) with bounded dial,
// TLS and header waits. The overall bound is the caller's context.
func DefaultHTTPClient() *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	return &http.Client{Transport: &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: 2 * time.Minute,
		ExpectContinueTimeout: time.Second,
		IdleConnTimeout:       90 * time.Second,
		MaxIdleConnsPerHost:   16,
	}}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call is one logical request to the provider.
type call struct {
	method  string
	path    string      // appended to the base URL
	body    any         // JSON-encoded when non-nil
	header  http.Header // auth and version headers
	retries int         // how many retries are allowed
}

// do sends c, retrying transient failures, and returns the answer's status and body when it is 2xx. Every
// failure is an *Error.
func (cl *caller) do(ctx context.Context, c call) (int, []byte, error) {
	if cl.key == "" {
		return 0, nil, &Error{Provider: cl.provider, Code: CodeNoAPIKey, Message: ErrNoAPIKey.Error(), err: ErrNoAPIKey}
	}
	var payload []byte
	if c.body != nil {
		var err error
		if payload, err = json.Marshal(c.body); err != nil {
			return 0, nil, &Error{Provider: cl.provider, Code: "invalid_request", Message: "encode request: " + err.Error(), err: err}
		}
	}
	url := cl.base + c.path
	for attempt := 0; ; attempt++ {
		status, body, perr, retry := cl.once(ctx, c, url, payload)
		if perr == nil {
			return status, body, nil
		}
		if !retry || attempt >= c.retries {
			cl.logFailure(ctx, perr, attempt)
			return 0, nil, perr
		}
		wait := perr.RetryAfter
		if wait == 0 {
			wait = backoff(attempt)
		}
		if wait > maxRetryAfter {
			cl.logFailure(ctx, perr, attempt)
			return 0, nil, perr
		}
		if deadline, ok := ctx.Deadline(); ok && !cl.now().Add(wait).Before(deadline) {
			// Waiting would outlive the caller: give up now with what the provider said.
			cl.logFailure(ctx, perr, attempt)
			return 0, nil, perr
		}
		cl.logger.LogAttrs(ctx, slog.LevelWarn, "provider call failed, retrying",
			slog.Int("attempt", attempt+1), slog.Int("status", perr.Status), slog.String("code", perr.Code),
			slog.Duration("wait", wait))
		if err := cl.sleep(ctx, wait); err != nil {
			return 0, nil, cl.ctxError(ctx, err)
		}
	}
}

// once sends one attempt. It returns the status and body on 2xx, else the error and whether a retry may help.
func (cl *caller) once(ctx context.Context, c call, url string, payload []byte) (int, []byte, *Error, bool) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, c.method, url, rd)
	if err != nil {
		return 0, nil, &Error{Provider: cl.provider, Code: "invalid_request", Message: "build request: " + err.Error(), err: err}, false
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}

	resp, err := cl.client.Do(req)
	if err != nil {
		e := cl.transportError(ctx, err)
		return 0, nil, e, e.Code == CodeConnection
	}
	defer resp.Body.Close()

	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		e := cl.transportError(ctx, err)
		e.Status = resp.StatusCode
		return 0, nil, e, e.Code == CodeConnection
	}
	if len(body) > maxBodyBytes {
		return 0, nil, &Error{Provider: cl.provider, Status: resp.StatusCode, Code: CodeInvalidResponse,
			Message: "response body larger than 8 MiB"}, false
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return resp.StatusCode, body, nil, false
	}

	e := cl.statusError(resp, body)
	retry := e.Status == http.StatusTooManyRequests || e.Status >= 500
	// OpenAI and Anthropic may say explicitly whether a retry is worthwhile.
	switch resp.Header.Get("X-Should-Retry") {
	case "true":
		retry = true
	case "false":
		retry = false
	}
	return 0, nil, e, retry
}

// transportError maps an error without an HTTP answer: deadline and network timeouts → Timeout, caller
// cancellation → CodeCanceled, everything else → CodeConnection.
func (cl *caller) transportError(ctx context.Context, err error) *Error {
	if ctx.Err() != nil || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		cerr := ctx.Err()
		if cerr == nil {
			cerr = err
		}
		return cl.ctxError(ctx, cerr)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return &Error{Provider: cl.provider, Code: CodeTimeout, Message: cl.redact(err.Error()), Timeout: true, err: err}
	}
	return &Error{Provider: cl.provider, Code: CodeConnection, Message: cl.redact(err.Error()), err: err}
}

// redact removes the API key from text that came from outside (providers echo keys in error messages), so
// that neither our logs nor callers' error messages carry it.
func (cl *caller) redact(s string) string {
	if cl.key == "" || !strings.Contains(s, cl.key) {
		return s
	}
	return strings.ReplaceAll(s, cl.key, "[redacted]")
}

func (cl *caller) ctxError(ctx context.Context, err error) *Error {
	if errors.Is(err, context.DeadlineExceeded) {
		return &Error{Provider: cl.provider, Code: CodeTimeout, Message: "deadline exceeded", Timeout: true, err: context.DeadlineExceeded}
	}
	if cause := context.Cause(ctx); cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause
	}
	return &Error{Provider: cl.provider, Code: CodeCanceled, Message: "request canceled", err: err}
}

// statusError builds the *Error for a non-2xx answer from the provider's error body.
func (cl *caller) statusError(resp *http.Response, body []byte) *Error {
	code, msg := parseErrorBody(cl.errorFormat, body)
	msg = cl.redact(msg)
	if msg == "" {
		msg = snippet(body)
	}
	if msg == "" {
		msg = http.StatusText(resp.StatusCode)
	}
	return &Error{
		Provider:   cl.provider,
		Status:     resp.StatusCode,
		Code:       code,
		Message:    msg,
		RetryAfter: retryAfter(resp.Header, cl.now()),
	}
}

// errorEnvelope covers the providers' error bodies, by the table's ErrorFormat:
//
//	openai    {"error":{"message":"...","type":"invalid_request_error","code":"invalid_api_key"}}
//	anthropic {"type":"error","error":{"type":"overloaded_error","message":"..."}}
//	google    {"error":{"code":429,"message":"...","status":"RESOURCE_EXHAUSTED","details":[{"reason":"..."}]}}
//	mistral   {"object":"error","message":"...","type":"invalid_request_error","code":null}
type errorEnvelope struct {
	// Message, Type and Code are the top-level fields of the mistral format.
	Message string          `json:"message"`
	Type    string          `json:"type"`
	Code    json.RawMessage `json:"code"`

	Error struct {
		Message string          `json:"message"`
		Type    string          `json:"type"`
		Code    json.RawMessage `json:"code"` // OpenAI: string or null; Google: number
		Status  string          `json:"status"`
		Details []struct {
			Reason string `json:"reason"`
		} `json:"details"`
	} `json:"error"`
}

// parseErrorBody extracts the most specific code and the message from a provider error body in the
// given ErrorFormat. It returns empty strings when the body is not of that shape.
func parseErrorBody(format string, body []byte) (code, msg string) {
	body = bytes.TrimSpace(body)
	var env errorEnvelope
	if len(body) > 0 && body[0] == '[' { // Google sometimes wraps the error in an array
		var list []errorEnvelope
		if json.Unmarshal(body, &list) != nil || len(list) == 0 {
			return "", ""
		}
		env = list[0]
	} else if json.Unmarshal(body, &env) != nil {
		return "", ""
	}
	e := env.Error
	if format == table.ErrorFormatMistral { // the fields are at the top level
		e.Message, e.Type, e.Code = env.Message, env.Type, env.Code
	}
	var s string
	if len(e.Code) > 0 && e.Code[0] == '"' {
		_ = json.Unmarshal(e.Code, &s)
	}
	for _, d := range e.Details {
		if d.Reason != "" {
			return d.Reason, e.Message // Google's ErrorInfo reason, e.g. API_KEY_INVALID
		}
	}
	switch {
	case s != "":
		code = s
	case e.Status != "":
		code = e.Status
	default:
		code = e.Type
	}
	return code, e.Message
}

// snippet is a short, single-line excerpt of a non-JSON error body.
func snippet(body []byte) string {
	s := strings.Join(strings.Fields(string(body)), " ")
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return s
}

// retryAfter reads retry-after-ms (OpenAI, Anthropic) or Retry-After in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := strings.TrimSpace(h.Get("Retry-After"))
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs <= 0 {
			return 0
		}
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// backoff is the wait before retry number attempt+1: exponential from backoffBase, capped at backoffMax,
// with "equal jitter" (half fixed, half random) so that clients don't retry in lockstep.
func backoff(attempt int) time.Duration {
	d := backoffBase << min(attempt, 10)
	d = min(d, backoffMax)
	half := d / 2
	return half + rand.N(half+1)
}

func (cl *caller) logFailure(ctx context.Context, e *Error, attempt int) {
	if e.Code == CodeCanceled || e.Code == CodeNoAPIKey {
		return
	}
	cl.logger.LogAttrs(ctx, slog.LevelWarn, "provider call failed",
		slog.Int("attempts", attempt+1), slog.Int("status", e.Status), slog.String("code", e.Code),
		slog.Bool("timeout", e.Timeout), slog.String("error", e.Message))
}

// decode unmarshals a 2xx body; a malformed body is an *Error with CodeInvalidResponse.
func (cl *caller) decode(status int, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return &Error{Provider: cl.provider, Status: status, Code: CodeInvalidResponse, Message: "decode response: " + err.Error(), err: err}
	}
	return nil
}

func (cl *caller) invalid(status int, msg string) *Error {
	return &Error{Provider: cl.provider, Status: status, Code: CodeInvalidResponse, Message: msg}
}
