package coverage

import (
	"bytes"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/ultra-kit/ultra/internal/statuswriter"
)

// Handler records every exchange next serves; streams and flushing pass through unchanged.
func (r *Recorder) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body := readBody(req)
		sw := statuswriter.New(w)
		next.ServeHTTP(sw, req)
		status := sw.Status
		if status == 0 {
			status = http.StatusOK
		}
		r.Record(Exchange{Method: req.Method, Path: req.URL.Path, RawQuery: req.URL.RawQuery, Header: req.Header, Body: body,
			Status: status, ContentType: w.Header().Get("Content-Type")})
	})
}

func readBody(req *http.Request) []byte {
	if req.Body == nil || req.Body == http.NoBody {
		return nil
	}
	b, err := io.ReadAll(io.LimitReader(req.Body, maxBody+1))
	req.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), req.Body), req.Body}
	if err != nil || len(b) > maxBody {
		return nil
	}
	return b
}

// Transport records every exchange a client sends through base (nil: http.DefaultTransport). base
// URL's path, when the documents' paths hang below it (http://host/v1), is cut from request paths.
func (r *Recorder) Transport(base http.RoundTripper, baseURL string) http.RoundTripper {
	if base == nil {
		base = http.DefaultTransport
	}
	prefix := ""
	if u, err := url.Parse(baseURL); err == nil {
		prefix = strings.TrimSuffix(u.Path, "/")
	}
	return roundTripper{r: r, base: base, prefix: prefix}
}

type roundTripper struct {
	r      *Recorder
	base   http.RoundTripper
	prefix string
}

func (t roundTripper) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.GetBody != nil {
		if rc, err := req.GetBody(); err == nil {
			body, _ = io.ReadAll(io.LimitReader(rc, maxBody))
			rc.Close()
		}
	}
	resp, err := t.base.RoundTrip(req)
	x := Exchange{Method: req.Method, Path: strings.TrimPrefix(req.URL.Path, t.prefix), RawQuery: req.URL.RawQuery, Header: req.Header, Body: body}
	if err == nil {
		x.Status, x.ContentType = resp.StatusCode, resp.Header.Get("Content-Type")
	}
	t.r.Record(x)
	return resp, err
}
