package proxy

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

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

// secretWords are substrings of header, query parameter and field names whose values are redacted.
var secretWords = []string{"authorization", "cookie", "api-key", "apikey", "api_key", "token", "secret", "password", "passwd", "session", "credential", "signature"}

// Redactor says which header, query parameter and body field names hold secrets. The zero value
// redacts the names containing one of secretWords (Authorization, Cookie, X-Api-Key, access_token...);
// Extra adds exact names (case-insensitive).
type Redactor struct {
	Extra []string
}

// Secret reports whether a value under name must not be written anywhere.
func (rd Redactor) Secret(name string) bool {
	n := strings.ToLower(name)
	for _, e := range rd.Extra {
		if strings.EqualFold(e, name) {
			return true
		}
	}
	for _, w := range secretWords {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// Redacted is what a secret value is replaced with.
const Redacted = "REDACTED"

// Header returns a copy of h with secret values replaced by Redacted.
func (rd Redactor) Header(h http.Header) http.Header {
	out := make(http.Header, len(h))
	for k, vs := range h {
		if rd.Secret(k) {
			out[k] = []string{Redacted}
			continue
		}
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Query returns raw with secret parameter values replaced by Redacted, in a stable order.
func (rd Redactor) Query(raw string) string {
	if raw == "" {
		return ""
	}
	q, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	changed := false
	for k := range q {
		if rd.Secret(k) {
			q[k] = []string{Redacted}
			changed = true
		}
	}
	if !changed {
		return raw
	}
	return q.Encode()
}

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

// Body returns a JSON body with the values of secret-looking fields replaced by Redacted, at any
// depth; other bodies, and JSON that names no secret word, are returned unchanged.
func (rd Redactor) Body(contentType string, body []byte) []byte {
	if len(body) == 0 || !strings.Contains(strings.ToLower(contentType), "json") || !rd.mentionsSecret(body) {
		return body
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return body
	}
	if !rd.redactValue(v) {
		return body
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body
	}
	return out
}

func (rd Redactor) mentionsSecret(body []byte) bool {
	low := bytes.ToLower(body)
	for _, w := range secretWords {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	for _, e := range rd.Extra {
		if bytes.Contains(low, []byte(strings.ToLower(e))) {
			return true
		}
	}
	return false
}

func (rd Redactor) redactValue(v any) bool {
	changed := false
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if _, isString := e.(string); isString && rd.Secret(k) {
				t[k] = Redacted
				changed = true
				continue
			}
			changed = rd.redactValue(e) || changed
		}
	case []any:
		for _, e := range t {
			changed = rd.redactValue(e) || changed
		}
	}
	return changed
}
