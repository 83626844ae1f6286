package proxy

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/redact"
	"github.com/ultra-kit/ultra/spec"
)

// Sides of an exchange a Violation is about.
const (
	SideRequest  = "request"
	SideResponse = "response"
)

// Violation is one contract violation of an exchange: the spec validation error and which side of
// the exchange it is about.
type Violation struct {
	Side string `json:"side"`
	spec.ValidationError
}

// String reads "request body /prompt: must not be empty".
func (v Violation) String() string { return v.Side + " " + v.ValidationError.Error() }

// Message is one side of a journaled exchange. Secret headers are redacted; Body holds at most
// the journal's body limit, Truncated says when it was cut.
type Message struct {
	Header    http.Header `json:"header"`
	Body      string      `json:"body,omitempty"`
	Truncated bool        `json:"truncated,omitempty"`
}

// Exchange is one request through the proxy and its answer, as GET /__admin/requests shows it (the
// mock server's journal entry, plus both messages and a curl).
type Exchange struct {
	Method      string `json:"method"`
	Path        string `json:"path"`
	Query       string `json:"query,omitempty"`
	OperationID string `json:"operation_id"` // "" when no operation of the document matches
	Template    string `json:"template,omitempty"`
	// Status is what the client got; UpstreamStatus what the upstream answered (0: not forwarded).
	Status         int         `json:"status"`
	UpstreamStatus int         `json:"upstream_status,omitempty"`
	Valid          bool        `json:"valid"`
	Blocked        bool        `json:"blocked,omitempty"` // enforce mode answered instead of the upstream
	Errors         []Violation `json:"errors"`
	// Error is a transport failure (upstream unreachable, client gone), not a contract violation.
	Error      string    `json:"error,omitempty"`
	Stream     bool      `json:"stream,omitempty"`
	StartedAt  time.Time `json:"started_at"`
	DurationMS float64   `json:"duration_ms"`
	Request    Message   `json:"request"`
	Response   Message   `json:"response"`
	Curl       string    `json:"curl"`
}

// Redactor says which header, query parameter and body field names hold secrets (internal/redact,
// shared with the provider mocks' cassettes).
type Redactor = redact.Redactor

// Redacted is what a secret value is replaced with.
const Redacted = redact.Redacted

// captured reads up to limit bytes of a body: data holds them, complete says the body ended there,
// and rest replays data and whatever followed, so a caller can forward the body unchanged.
func captured(body io.ReadCloser, limit int64) (data []byte, complete bool, rest io.ReadCloser, err error) {
	if body == nil || body == http.NoBody {
		return nil, true, http.NoBody, nil
	}
	data, err = io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return data, false, body, err
	}
	if int64(len(data)) <= limit {
		body.Close()
		return data, true, io.NopCloser(bytes.NewReader(data)), nil
	}
	return data, false, readCloser{io.MultiReader(bytes.NewReader(data), body), body}, nil
}

type readCloser struct {
	io.Reader
	io.Closer
}

// curl is a command that repeats the exchange's request against target (secrets redacted).
func curl(target *url.URL, x *Exchange) string {
	u := *target
	u.Path = strings.TrimSuffix(u.Path, "/") + x.Path
	u.RawPath = ""
	u.RawQuery = x.Query
	var b strings.Builder
	b.WriteString("curl -sS")
	if x.Method != http.MethodGet {
		b.WriteString(" -X " + x.Method)
	}
	b.WriteString(" " + shellQuote(u.String()))
	keys := make([]string, 0, len(x.Request.Header))
	for k := range x.Request.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Accept-Encoding", "User-Agent", "Connection":
			continue
		}
		for _, v := range x.Request.Header[k] {
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	if x.Request.Body != "" {
		b.WriteString(" --data-raw " + shellQuote(x.Request.Body))
	}
	return b.String()
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
