package cassette

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"

	"github.com/ultra-kit/ultra/internal/redact"
)

// Chunker cuts a stream into the chunks a cassette keeps as its bytes arrive: an SSE stream after
// each event's blank line ("\n\n" or "\r\n\r\n"), a JSON array stream after each top-level element
// and after the closing bracket. Joined, the chunks are the stream byte for byte. Build it with
// NewChunker; it is not safe for concurrent use.
type Chunker struct {
	kind   string
	cur    []byte
	chunks []Chunk

	lineEnds        int  // SSE: line ends in a row
	depth           int  // JSON: nesting depth
	inString, escap bool // JSON: inside a string, after a backslash
}

// NewChunker cuts a stream of kind (StreamSSE or StreamJSONArray; any other kind is kept whole).
func NewChunker(kind string) *Chunker { return &Chunker{kind: kind} }

// Add takes the next bytes of the stream, which arrived offsetMS after the request started.
func (c *Chunker) Add(p []byte, offsetMS int64) {
	for _, b := range p {
		c.cur = append(c.cur, b)
		if c.boundary(b) {
			c.chunks = append(c.chunks, NewChunk(offsetMS, c.cur))
			c.cur = nil
		}
	}
}

// boundary reports whether b ends a chunk.
func (c *Chunker) boundary(b byte) bool {
	switch c.kind {
	case StreamSSE:
		switch b {
		case '\n':
			c.lineEnds++
			return c.lineEnds >= 2
		case '\r':
			// a CRLF counts once, at its LF
		default:
			c.lineEnds = 0
		}
	case StreamJSONArray:
		return c.jsonBoundary(b)
	}
	return false
}

func (c *Chunker) jsonBoundary(b byte) bool {
	switch {
	case c.inString:
		switch {
		case c.escap:
			c.escap = false
		case b == '\\':
			c.escap = true
		case b == '"':
			c.inString = false
		}
	case b == '"':
		c.inString = true
	case b == '{' || b == '[':
		c.depth++
	case b == '}' || b == ']':
		c.depth--
		return c.depth <= 1
	}
	return false
}

// Chunks returns the chunks, the bytes after the last boundary (a stream cut short) as a last chunk
// at offsetMS.
func (c *Chunker) Chunks(offsetMS int64) []Chunk {
	if len(c.cur) > 0 {
		c.chunks = append(c.chunks, NewChunk(offsetMS, c.cur))
		c.cur = nil
	}
	return c.chunks
}

// minSecret is the shortest value Scrub replaces: shorter ones would hit ordinary text.
const minSecret = 8

// Secrets are the secret values a request carries, to scrub from what is written: the values of its
// secret headers (and the token of an "Authorization: Bearer" one) and query parameters, those of at
// least 8 bytes.
func Secrets(h http.Header, rawQuery string) []string {
	var rd redact.Redactor
	var out []string
	add := func(v string) {
		if v = strings.TrimSpace(v); len(v) >= minSecret {
			out = append(out, v)
		}
	}
	for k, vs := range h {
		if !rd.Secret(k) {
			continue
		}
		for _, v := range vs {
			add(v)
			if scheme, token, ok := strings.Cut(v, " "); ok && scheme != "" {
				add(token)
			}
		}
	}
	if q, err := url.ParseQuery(rawQuery); err == nil {
		for k, vs := range q {
			if rd.Secret(k) {
				for _, v := range vs {
					add(v)
				}
			}
		}
	}
	return out
}

// Scrub replaces every occurrence of the secrets in b with redact.Redacted; b is returned as it is
// when none occurs.
func Scrub(b []byte, secrets []string) []byte {
	for _, s := range secrets {
		if bytes.Contains(b, []byte(s)) {
			b = bytes.ReplaceAll(b, []byte(s), []byte(redact.Redacted))
		}
	}
	return b
}
