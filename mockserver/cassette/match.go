package cassette

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/internal/redact"
)

// Volatile are the top-level request fields a replay may ignore: they tag or route a request (an
// end user's id, tracking metadata, a prompt-cache key) without changing what the model answers, so
// a test that sets them per run still finds its cassette. A cassette whose body matches exactly wins
// over one that matches only without them. stream and stream_options are not volatile: they change
// the answer's shape (include_usage adds a chunk).
var Volatile = []string{"user", "metadata", "safety_identifier", "prompt_cache_key"}

// Key is what a request is matched on.
type Key struct {
	Provider, Method, Path string
	// Query is the query without secret parameters, sorted ("alt=sse").
	Query string
	Model string
	// Body is the normalised body (see Normalize).
	Body []byte
}

// NewKey is the key of a request to provider: method, path after the mount, raw query and body.
func NewKey(providerName, method, path, rawQuery string, body []byte) Key {
	norm, _ := Normalize(body)
	return Key{Provider: providerName, Method: method, Path: path, Query: matchQuery(rawQuery),
		Model: ModelOf(path, norm), Body: norm}
}

// Key is the cassette's key.
func (c *Cassette) Key() Key {
	body := []byte(c.RequestText)
	if len(c.Request) > 0 {
		body = c.Request
	}
	k := NewKey(c.Provider, c.Method, c.Path, c.Query, body)
	if c.Model != "" {
		k.Model = c.Model
	}
	return k
}

// Normalize is the body as it is recorded and matched: a JSON body has its secret-looking fields
// redacted (internal/redact) and is re-encoded canonically (object keys sorted, no insignificant
// whitespace, numbers as written); ok is false, and body is returned as it is, for anything else.
func Normalize(body []byte) (norm []byte, ok bool) {
	v, ok := decode(body)
	if !ok {
		return body, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		return body, false
	}
	return out, true
}

// decode parses a JSON body, secrets redacted, numbers kept as json.Number.
func decode(body []byte) (any, bool) {
	body = redact.Redactor{}.Body("application/json", bytes.TrimSpace(body))
	if len(body) == 0 {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil || dec.More() {
		return nil, false
	}
	return v, true
}

// matchQuery drops secret parameters (the key a replay is called with differs from the recording's)
// and sorts the rest.
func matchQuery(raw string) string {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return raw
	}
	var rd redact.Redactor
	for k := range q {
		if rd.Secret(k) {
			delete(q, k)
		}
	}
	return q.Encode()
}

// ModelOf is the model a request names: its JSON body's "model", or the {model} of a Gemini path
// (/v1beta/models/{model}:action), "" for none.
func ModelOf(path string, body []byte) string {
	var m struct {
		Model string `json:"model"`
	}
	if json.Unmarshal(body, &m) == nil && m.Model != "" {
		return m.Model
	}
	if _, rest, ok := strings.Cut(path, "/models/"); ok {
		model, _, _ := strings.Cut(rest, ":")
		return model
	}
	return ""
}

// withoutVolatile is a normalised body with the Volatile fields removed.
func withoutVolatile(body []byte) []byte {
	v, ok := decode(body)
	obj, isObj := v.(map[string]any)
	if !ok || !isObj {
		return body
	}
	for _, f := range Volatile {
		delete(obj, f)
	}
	out, _ := json.Marshal(obj)
	return out
}

// sameRoute reports whether a and b are the same call but for the body.
func sameRoute(a, b Key) bool {
	return a.Provider == b.Provider && a.Method == b.Method && a.Path == b.Path && a.Query == b.Query && a.Model == b.Model
}

// Match returns the cassette answering k: the first (in file name order) whose provider, method, path,
// query and model equal k's and whose body equals k's, else the first whose body equals k's once the
// Volatile fields are dropped from both. It returns nil when there is none.
func (l *Library) Match(k Key) *Cassette {
	var loose *Cassette
	var kLoose []byte
	for i, ck := range l.keys {
		if !sameRoute(k, ck) {
			continue
		}
		if bytes.Equal(k.Body, ck.Body) {
			return l.cassettes[i]
		}
		if loose == nil {
			if kLoose == nil {
				kLoose = withoutVolatile(k.Body)
			}
			if bytes.Equal(kLoose, withoutVolatile(ck.Body)) {
				loose = l.cassettes[i]
			}
		}
	}
	return loose
}

// Closest returns the cassette of k's provider most like k (same path first, then method, model,
// query, then the share of body values in common) and a sentence saying how it differs from k. It
// returns nil and a sentence saying so when the library has no cassette of that provider.
func (l *Library) Closest(k Key) (*Cassette, string) {
	best, bestScore := -1, -1.0
	for i, ck := range l.keys {
		if ck.Provider != k.Provider {
			continue
		}
		score := similarity(leaves(k.Body), leaves(ck.Body))
		for _, same := range []struct {
			eq     bool
			weight float64
		}{{k.Path == ck.Path, 8}, {k.Method == ck.Method, 4}, {k.Model == ck.Model, 2}, {k.Query == ck.Query, 1}} {
			if same.eq {
				score += same.weight
			}
		}
		if score > bestScore {
			best, bestScore = i, score
		}
	}
	if best < 0 {
		return nil, fmt.Sprintf("%s holds no %s cassette", l.dir, k.Provider)
	}
	return l.cassettes[best], describeDiff(k, l.keys[best])
}

// describeDiff says what differs between a request and a cassette's key, field by field.
func describeDiff(k, ck Key) string {
	var diffs []string
	for _, f := range []struct{ name, sent, recorded string }{
		{"method", k.Method, ck.Method}, {"path", k.Path, ck.Path}, {"model", k.Model, ck.Model}, {"query", k.Query, ck.Query},
	} {
		if f.sent != f.recorded {
			diffs = append(diffs, fmt.Sprintf("%s %q (recorded %q)", f.name, f.sent, f.recorded))
		}
	}
	if !bytes.Equal(k.Body, ck.Body) {
		diffs = append(diffs, "body "+bodyDiff(k.Body, ck.Body))
	}
	if len(diffs) == 0 {
		return "nothing differs"
	}
	return strings.Join(diffs, "; ")
}

// bodyDiff names the first JSON pointer (in key order) where two normalised bodies differ.
func bodyDiff(sent, recorded []byte) string {
	a, okA := decode(sent)
	b, okB := decode(recorded)
	if !okA || !okB {
		return "differs"
	}
	ptr, va, vb := firstDiff("", a, b)
	return fmt.Sprintf("at %s: sent %s, recorded %s", ptrName(ptr), short(va), short(vb))
}

func ptrName(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// firstDiff walks a and b together and returns where they first differ and the two values there
// (nil for a missing one).
func firstDiff(ptr string, a, b any) (string, any, any) {
	switch ta := a.(type) {
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok {
			return ptr, a, b
		}
		keys := map[string]bool{}
		for k := range ta {
			keys[k] = true
		}
		for k := range tb {
			keys[k] = true
		}
		sorted := make([]string, 0, len(keys))
		for k := range keys {
			sorted = append(sorted, k)
		}
		sort.Strings(sorted)
		for _, k := range sorted {
			if p, x, y := firstDiff(ptr+"/"+escapePtr(k), ta[k], tb[k]); p != "" {
				return p, x, y
			}
		}
		return "", nil, nil
	case []any:
		tb, ok := b.([]any)
		if !ok {
			return ptr, a, b
		}
		for i := range max(len(ta), len(tb)) {
			var x, y any
			if i < len(ta) {
				x = ta[i]
			}
			if i < len(tb) {
				y = tb[i]
			}
			if p, x, y := firstDiff(ptr+"/"+strconv.Itoa(i), x, y); p != "" {
				return p, x, y
			}
		}
		return "", nil, nil
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if bytes.Equal(ja, jb) && (a == nil) == (b == nil) {
		return "", nil, nil
	}
	return ptrName(ptr), a, b
}

func escapePtr(k string) string { return strings.NewReplacer("~", "~0", "/", "~1").Replace(k) }

// short renders a JSON value for a message, cut at 60 bytes; a missing one reads "nothing".
func short(v any) string {
	if v == nil {
		return "nothing"
	}
	b, _ := json.Marshal(v)
	if len(b) > 60 {
		return string(b[:57]) + "..."
	}
	return string(b)
}

// leaves is the set of "pointer=value" strings of a normalised body's scalar values.
func leaves(body []byte) map[string]bool {
	v, ok := decode(body)
	if !ok {
		return map[string]bool{string(body): true}
	}
	out := map[string]bool{}
	var walk func(ptr string, v any)
	walk = func(ptr string, v any) {
		switch t := v.(type) {
		case map[string]any:
			for k, e := range t {
				walk(ptr+"/"+escapePtr(k), e)
			}
		case []any:
			for i, e := range t {
				walk(ptr+"/"+strconv.Itoa(i), e)
			}
		default:
			b, _ := json.Marshal(t)
			out[ptr+"="+string(b)] = true
		}
	}
	walk("", v)
	return out
}

// similarity is the Jaccard index of two leaf sets, 1 for two empty ones.
func similarity(a, b map[string]bool) float64 {
	if len(a) == 0 && len(b) == 0 {
		return 1
	}
	common := 0
	for k := range a {
		if b[k] {
			common++
		}
	}
	return float64(common) / float64(len(a)+len(b)-common)
}
