package providers

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	table "github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/internal/redact"
	"github.com/ultra-kit/ultra/mockserver/cassette"
)

// Record configures recording (Config.Record): the calls to the providers named in Upstreams are
// forwarded there, with the caller's own key and headers, and each exchange is written as a
// cassette file (package cassette) in Dir, secrets redacted. Calls to the other providers are
// answered by the mocks as usual, faults included; forwarded calls get no faults.
type Record struct {
	// Dir is the directory the cassettes are written to; it must exist.
	Dir string
	// Upstreams maps provider names of the table to the base URL their calls are forwarded to, in
	// either of the SDKs' conventions (https://api.openai.com/v1, https://api.anthropic.com): a
	// trailing API version segment is dropped and the request's own path, version first, appended
	// (/openai/v1/chat/completions → https://api.openai.com/v1/chat/completions).
	Upstreams map[string]*url.URL
	// Client sends the forwarded calls. Nil means a client with no timeout over the default
	// transport (streams last as long as they last; the caller going away cancels the call).
	Client *http.Client
}

// hopHeaders are the hop-by-hop headers (RFC 9110 7.6.1) a forward drops, plus the ones the
// forwarding client and server set for themselves.
var hopHeaders = []string{"Connection", "Keep-Alive", "Proxy-Connection", "Proxy-Authenticate", "Proxy-Authorization",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade", "Content-Length", "Accept-Encoding", "Host"}

// copyHeaders copies src into dst without the hop-by-hop headers.
func copyHeaders(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
	for _, h := range hopHeaders {
		dst.Del(h)
	}
}

// upstreamURL is where a call whose path after the mount is rest goes: base without a trailing API
// version, then rest (which starts with the request's version) and the query.
func upstreamURL(base *url.URL, rest, rawQuery string) *url.URL {
	u := *base
	p := strings.TrimRight(u.Path, "/")
	if table.HasVersion(p) {
		p = p[:strings.LastIndexByte(p, '/')]
	}
	u.Path, u.RawPath, u.RawQuery = p+rest, "", rawQuery
	return &u
}

// handleRecord forwards a call under p's mount (rest is its path after the mount) to upstream and
// records the exchange in rec.Dir. The response reaches the caller as it arrives, flushed read by
// read; an upstream that cannot be reached is a 502 in the provider's error format.
func (s *Server) handleRecord(rec *Record, p *provider, upstream *url.URL, w http.ResponseWriter, r *http.Request, rest string) {
	body, ok := p.readBody(w, r)
	if !ok {
		return
	}
	start := time.Now()
	target := upstreamURL(upstream, rest, r.URL.RawQuery)
	out, err := http.NewRequestWithContext(r.Context(), r.Method, target.String(), bytes.NewReader(body))
	if err != nil {
		p.writeError(w, apiError{Status: http.StatusBadGateway, Message: "cannot forward to the upstream: " + err.Error()})
		return
	}
	copyHeaders(out.Header, r.Header)
	client := rec.Client
	if client == nil {
		client = &http.Client{}
	}
	resp, err := client.Do(out)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // its text repeats the URL, query (a key) included
		}
		s.log.Warn("record: upstream call failed", "provider", p.name, "url", redactedURL(target), "err", err)
		p.writeError(w, apiError{Status: http.StatusBadGateway, Message: fmt.Sprintf("upstream %s: %v", redactedURL(target), err)})
		return
	}
	defer resp.Body.Close()
	c := newCassette(p.name, r, rest, body, target, start)
	kind := streamKind(resp, rest)
	copyHeaders(w.Header(), resp.Header)
	w.WriteHeader(resp.StatusCode)
	readErr := forward(w, resp.Body, kind, start, &c.Response)
	c.Response.Status = resp.StatusCode
	c.Response.Header = scrubHeader(redact.Redactor{}.Header(resp.Header), cassette.Secrets(r.Header, r.URL.RawQuery))
	if readErr != nil {
		c.Response.Error = readErr.Error()
	}
	s.writeCassette(rec.Dir, c, cassette.Secrets(r.Header, r.URL.RawQuery))
}

// redactedURL is u without its query (which may carry a key).
func redactedURL(u *url.URL) string {
	v := *u
	v.RawQuery = ""
	return v.Redacted()
}

// streamKind says how the response is kept: an event stream, Gemini's JSON array stream (a
// successful streamGenerateContent without alt=sse), or a plain body ("").
func streamKind(resp *http.Response, rest string) string {
	switch {
	case strings.Contains(strings.ToLower(resp.Header.Get("Content-Type")), "text/event-stream"):
		return cassette.StreamSSE
	case resp.StatusCode/100 == 2 && strings.HasSuffix(rest, ":streamGenerateContent"):
		return cassette.StreamJSONArray
	}
	return ""
}

// forward copies body to w read by read, flushing each, and keeps it in out: whole in Body, or cut
// into chunks with their offsets from start for a stream. It returns the error that cut the body
// short, if any (the caller going away included).
func forward(w http.ResponseWriter, body io.Reader, kind string, start time.Time, out *cassette.Response) error {
	rc := http.NewResponseController(w)
	chunks := cassette.NewChunker(kind)
	var all bytes.Buffer
	buf := make([]byte, 32<<10)
	var readErr error
	for {
		n, err := body.Read(buf)
		if n > 0 {
			if kind == "" {
				all.Write(buf[:n])
			} else {
				chunks.Add(buf[:n], time.Since(start).Milliseconds())
			}
			if _, werr := w.Write(buf[:n]); werr != nil && readErr == nil {
				readErr = fmt.Errorf("caller went away: %w", werr)
			}
			_ = rc.Flush()
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				readErr = err
			}
			break
		}
	}
	out.ElapsedMS = time.Since(start).Milliseconds()
	out.Stream = kind
	if kind == "" {
		out.SetBody(all.Bytes())
	} else {
		out.Chunks = chunks.Chunks(out.ElapsedMS)
	}
	return readErr
}

// newCassette holds the request side of an exchange, secrets redacted.
func newCassette(name string, r *http.Request, rest string, body []byte, target *url.URL, start time.Time) *cassette.Cassette {
	var rd redact.Redactor
	secrets := cassette.Secrets(r.Header, r.URL.RawQuery)
	c := &cassette.Cassette{Provider: name, Method: r.Method, Path: rest, Query: rd.Query(r.URL.RawQuery),
		RequestHeader: rd.Header(r.Header), Upstream: redactedURL(target), RecordedAt: start.UTC()}
	for _, h := range hopHeaders {
		c.RequestHeader.Del(h)
	}
	c.RequestHeader = scrubHeader(c.RequestHeader, secrets)
	if norm, isJSON := cassette.Normalize(body); isJSON {
		c.Request = cassette.Scrub(norm, secrets)
	} else if len(body) > 0 {
		c.RequestText = string(cassette.Scrub(body, secrets))
	}
	c.Model = cassette.ModelOf(rest, c.Request)
	return c
}

// scrubHeader replaces the secrets in h's values.
func scrubHeader(h http.Header, secrets []string) http.Header {
	for k, vs := range h {
		for i, v := range vs {
			vs[i] = string(cassette.Scrub([]byte(v), secrets))
		}
		h[k] = vs
	}
	return h
}

// writeCassette scrubs the response's body and chunks of the caller's secrets and writes c in dir,
// logging a failure (the caller has its answer already).
func (s *Server) writeCassette(dir string, c *cassette.Cassette, secrets []string) {
	resp := &c.Response
	if resp.Stream == "" {
		resp.SetBody(cassette.Scrub(resp.BodyBytes(), secrets))
	}
	for i, ch := range resp.Chunks {
		resp.Chunks[i] = cassette.NewChunk(ch.OffsetMS, cassette.Scrub(ch.Bytes(), secrets))
	}
	path, err := cassette.Write(dir, c)
	if err != nil {
		s.log.Warn("record: cassette not written", "provider", c.Provider, "path", c.Path, "err", err)
		return
	}
	s.log.Debug("record: cassette written", "file", path)
}
