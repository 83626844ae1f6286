// Package redact is the one place that decides which header, query parameter and JSON field names hold
// secrets, and replaces their values: the proxy's journal and recordings and the provider mocks'
// cassettes write nothing else. It imports only the standard library.
package redact

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
)

// secretWords are substrings of header, query parameter and field names whose values are redacted.
var secretWords = []string{"authorization", "cookie", "api-key", "apikey", "api_key", "token", "secret", "password", "passwd", "session", "credential", "signature"}

// secretNames are whole names (case-insensitive) whose values are redacted: Google APIs take the API
// key as the key query parameter.
var secretNames = []string{"key"}

// Redactor says which header, query parameter and body field names hold secrets. The zero value
// redacts the names containing one of secretWords (Authorization, Cookie, X-Api-Key, access_token...)
// and the names of secretNames (key); Extra adds exact names (case-insensitive).
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
	for _, e := range secretNames {
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
