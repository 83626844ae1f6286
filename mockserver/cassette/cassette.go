// Package cassette is the file format of `ultra mock --record` and `--replay`: one JSON file per
// exchange with an LLM provider (the request as it is matched, the response status, headers and body,
// or a stream chunk by chunk with each chunk's offset from the start of the request), a directory of
// them loaded as a Library, and the matching of a request to the cassette that answers it or, failing
// that, to the closest one. It holds data and decisions only; the provider mocks record and serve.
//
// Secrets never reach a file: request and response headers and query parameters go through
// internal/redact, and the caller's key values are scrubbed from bodies and chunks (Scrub).
package cassette

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ultra-kit/ultra/internal/provider"
)

// Stream kinds of a Response.
const (
	// StreamSSE is a text/event-stream: one chunk per event.
	StreamSSE = "sse"
	// StreamJSONArray is Gemini's streamGenerateContent without alt=sse, one JSON array written
	// element by element: one chunk per element ("[{...}", ",\r\n{...}", "]").
	StreamJSONArray = "json-array"
)

// Cassette is one recorded exchange.
type Cassette struct {
	// Provider is the provider's name in the provider table (openai).
	Provider string `json:"provider"`
	// Method is the request's method (POST).
	Method string `json:"method"`
	// Path is the request path after the provider's mock mount, starting with the API version
	// (/v1/chat/completions, /v1beta/models/gemini-2.0-flash:streamGenerateContent).
	Path string `json:"path"`
	// Query is the raw query with secret parameters redacted ("alt=sse&key=REDACTED"); "" for none.
	Query string `json:"query,omitempty"`
	// Model is the model the request names (its body's model, or Gemini's path), "" for none.
	Model string `json:"model,omitempty"`
	// Request is the request body as it is matched: secret fields redacted, then canonical JSON
	// (see Normalize). A body that is not JSON is in RequestText instead.
	Request json.RawMessage `json:"request,omitempty"`
	// RequestText is a request body that is not JSON, secrets scrubbed.
	RequestText string `json:"request_text,omitempty"`
	// RequestHeader is the caller's headers, secrets redacted; informative, not matched.
	RequestHeader http.Header `json:"request_headers,omitempty"`
	// Upstream is the URL the request was forwarded to, informative.
	Upstream string `json:"upstream,omitempty"`
	// RecordedAt is when the exchange was recorded, informative.
	RecordedAt time.Time `json:"recorded_at"`
	// Response is what the upstream answered.
	Response Response `json:"response"`

	file string // the file it was loaded from (base name)
}

// Response is the recorded answer.
type Response struct {
	// Status is the HTTP status.
	Status int `json:"status"`
	// Header is the response headers, secrets redacted.
	Header http.Header `json:"headers,omitempty"`
	// ElapsedMS is the time from the request to the end of the response, in milliseconds.
	ElapsedMS int64 `json:"elapsed_ms"`
	// Stream is StreamSSE or StreamJSONArray for a stream (its bytes are in Chunks), "" otherwise
	// (they are in Body or BodyBase64).
	Stream string `json:"stream,omitempty"`
	// Body is a non-streamed body that is valid UTF-8, byte for byte.
	Body string `json:"body,omitempty"`
	// BodyBase64 is a non-streamed body that is not valid UTF-8, in standard base64.
	BodyBase64 string `json:"body_base64,omitempty"`
	// Chunks are a stream's bytes in the pieces they came in, each with its offset.
	Chunks []Chunk `json:"chunks,omitempty"`
	// Error says the upstream broke the response off (what was read is kept); a replay cuts the
	// connection at the same point.
	Error string `json:"error,omitempty"`
}

// Chunk is one piece of a stream.
type Chunk struct {
	// OffsetMS is when the chunk was complete, in milliseconds from the start of the request.
	OffsetMS int64 `json:"offset_ms"`
	// Data is the chunk's bytes when they are valid UTF-8 (an SSE event, a JSON array element).
	Data string `json:"data,omitempty"`
	// DataBase64 is the chunk's bytes otherwise, in standard base64.
	DataBase64 string `json:"data_base64,omitempty"`
}

// NewChunk is a chunk of b at offset ms, in Data or DataBase64 as b allows.
func NewChunk(offsetMS int64, b []byte) Chunk {
	if utf8.Valid(b) {
		return Chunk{OffsetMS: offsetMS, Data: string(b)}
	}
	return Chunk{OffsetMS: offsetMS, DataBase64: base64.StdEncoding.EncodeToString(b)}
}

// Bytes is the chunk's data.
func (c Chunk) Bytes() []byte {
	if c.DataBase64 != "" {
		b, _ := base64.StdEncoding.DecodeString(c.DataBase64) // checked by validate
		return b
	}
	return []byte(c.Data)
}

// SetBody keeps b in Body or BodyBase64 as b allows.
func (r *Response) SetBody(b []byte) {
	if utf8.Valid(b) {
		r.Body, r.BodyBase64 = string(b), ""
		return
	}
	r.Body, r.BodyBase64 = "", base64.StdEncoding.EncodeToString(b)
}

// BodyBytes is the non-streamed body.
func (r *Response) BodyBytes() []byte {
	if r.BodyBase64 != "" {
		b, _ := base64.StdEncoding.DecodeString(r.BodyBase64) // checked by validate
		return b
	}
	return []byte(r.Body)
}

// File is the base name of the file the cassette was loaded from or written to ("" for neither).
func (c *Cassette) File() string { return c.file }

// FileName is the cassette's deterministic file name: provider, path and model in readable form and
// a hash of what is matched, so the same request recorded again replaces its cassette
// (openai-v1-chat-completions-gpt-4o-1a2b3c4d.json).
func (c *Cassette) FileName() string {
	k := c.Key()
	slug := c.Provider + "-" + slugify(c.Path)
	if c.Model != "" && !strings.Contains(c.Path, c.Model) {
		slug += "-" + slugify(c.Model)
	}
	h := fnv.New32a()
	for _, part := range []string{k.Method, k.Path, k.Query, k.Model, string(k.Body)} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return fmt.Sprintf("%s-%08x.json", slug, h.Sum32())
}

// slugify keeps letters, digits and dots, and turns runs of anything else into one dash.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		if r < utf8.RuneSelf && (r == '.' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

// validate reports the first thing wrong with a cassette read from a file.
func (c *Cassette) validate() error {
	if _, ok := provider.Lookup(c.Provider); !ok {
		return fmt.Errorf("provider %q is not one of %s", c.Provider, strings.Join(provider.Names(), ", "))
	}
	if c.Method == "" || !strings.HasPrefix(c.Path, "/") {
		return errors.New("method and path (starting with /) are required")
	}
	r := c.Response
	if r.Status < 100 || r.Status > 599 {
		return fmt.Errorf("response status %d is not an HTTP status", r.Status)
	}
	switch r.Stream {
	case "", StreamSSE, StreamJSONArray:
	default:
		return fmt.Errorf("response stream %q is not %q or %q", r.Stream, StreamSSE, StreamJSONArray)
	}
	if r.BodyBase64 != "" {
		if _, err := base64.StdEncoding.DecodeString(r.BodyBase64); err != nil {
			return fmt.Errorf("response body_base64: %w", err)
		}
	}
	last := int64(0)
	for i, ch := range r.Chunks {
		if ch.OffsetMS < last {
			return fmt.Errorf("chunk %d: offset_ms %d is before the previous chunk's %d", i, ch.OffsetMS, last)
		}
		last = ch.OffsetMS
		if _, err := base64.StdEncoding.DecodeString(ch.DataBase64); err != nil {
			return fmt.Errorf("chunk %d: data_base64: %w", i, err)
		}
	}
	if len(c.Request) > 0 && !json.Valid(c.Request) {
		return errors.New("request is not JSON")
	}
	return nil
}

// Write writes c as DIR/c.FileName() (through a temporary file, so a reader never sees half of it)
// and returns the path. It sets c's file name.
func Write(dir string, c *Cassette) (string, error) {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return "", fmt.Errorf("cassette: %w", err)
	}
	name := c.FileName()
	tmp, err := os.CreateTemp(dir, ".cassette-*")
	if err != nil {
		return "", fmt.Errorf("cassette: %w", err)
	}
	_, werr := tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	path := filepath.Join(dir, name)
	if werr == nil {
		werr = os.Rename(tmp.Name(), path)
	}
	if werr != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("cassette: %w", werr)
	}
	c.file = name
	return path, nil
}

// Library is the cassettes of a directory, in file name order. It is read-only after Load and safe
// for concurrent use.
type Library struct {
	dir       string
	cassettes []*Cassette
	keys      []Key
}

// Load reads every *.json file of dir (not its subdirectories) as a cassette. It returns an error
// naming the file and the reason for a directory that cannot be read and for any file that is not a
// valid cassette; an empty directory is an empty Library.
func Load(dir string) (*Library, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	lib := &Library{dir: dir}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		if !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	for _, name := range names {
		path := filepath.Join(dir, name)
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		c := &Cassette{}
		if err := json.Unmarshal(data, c); err != nil {
			return nil, fmt.Errorf("%s: not a cassette: %w", path, err)
		}
		if err := c.validate(); err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		c.file = name
		lib.cassettes = append(lib.cassettes, c)
		lib.keys = append(lib.keys, c.Key())
	}
	return lib, nil
}

// Dir is the directory the library was loaded from.
func (l *Library) Dir() string { return l.dir }

// Len is the number of cassettes.
func (l *Library) Len() int { return len(l.cassettes) }

// All returns the cassettes in file name order (a new slice; the cassettes are shared, read-only).
func (l *Library) All() []*Cassette { return append([]*Cassette(nil), l.cassettes...) }
