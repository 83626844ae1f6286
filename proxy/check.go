package proxy

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/spec"
)

// checkResponse is the ReverseProxy's ModifyResponse: it validates the upstream's answer and, in
// enforce mode, replaces an invalid one with a 502 problem. Streams are checked on status and media
// type only and pass on unbuffered.
func (p *Proxy) checkResponse(resp *http.Response) error {
	f, _ := resp.Request.Context().Value(ctxKey{}).(*flight)
	if f == nil {
		return nil
	}
	f.x.UpstreamStatus, f.x.Status = resp.StatusCode, resp.StatusCode
	f.x.Response.Header = resp.Header.Clone()
	if isEventStream(resp.Header.Get("Content-Type")) {
		f.x.Stream = true
		if f.op != nil {
			// The body is not read here: an empty one stands for it, so the status and media type are checked.
			err := f.op.ValidateResponseParts(resp.Request, resp.StatusCode, resp.Header, nil)
			f.x.Errors = append(f.x.Errors, violations(SideResponse, err)...)
		}
		f.capture = &capture{limit: p.cfg.JournalBody}
		resp.Body = readCloser{io.TeeReader(resp.Body, f.capture), resp.Body}
		return p.afterCheck(resp, f)
	}
	body, complete, rest, err := captured(resp.Body, p.cfg.MaxBody)
	resp.Body = rest
	f.respBody = body
	if err != nil {
		return fmt.Errorf("read upstream body: %w", err)
	}
	switch {
	case f.op == nil:
	case !complete:
		f.x.Error = fmt.Sprintf("response body larger than %d bytes: not validated", p.cfg.MaxBody)
		f.x.Response.Truncated = true
	default:
		plain, derr := decoded(resp.Header.Get("Content-Encoding"), body)
		if derr != nil {
			f.x.Errors = append(f.x.Errors, Violation{Side: SideResponse, ValidationError: spec.ValidationError{In: spec.InBody, Reason: derr.Error()}})
			break
		}
		h := resp.Header
		if len(plain) != len(body) {
			h = h.Clone()
			h.Del("Content-Encoding")
		}
		err := f.op.ValidateResponseParts(resp.Request, resp.StatusCode, h, plain)
		f.x.Errors = append(f.x.Errors, violations(SideResponse, err)...)
	}
	return p.afterCheck(resp, f)
}

// afterCheck annotates or, in enforce mode, replaces a response that violated the contract.
func (p *Proxy) afterCheck(resp *http.Response, f *flight) error {
	if len(f.x.Errors) == 0 {
		return nil
	}
	if p.cfg.Mode == Enforce && hasSide(f.x.Errors, SideResponse) {
		resp.Body.Close()
		f.capture = nil
		f.x.Blocked = true
		pr := responseProblem(f)
		body := problemBody(pr)
		resp.StatusCode, resp.Status = pr.Status, strconv.Itoa(pr.Status)+" "+http.StatusText(pr.Status)
		resp.Header = http.Header{"Content-Type": {problem.MediaType}, "Content-Length": {strconv.Itoa(len(body))}}
		resp.ContentLength = int64(len(body))
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.TransferEncoding = nil
		f.x.Status = pr.Status
	}
	if p.cfg.Annotate {
		resp.Header.Set(ViolationsHeader, summary(f.x.Errors))
	}
	return nil
}

// upstreamError is the ReverseProxy's ErrorHandler: the upstream could not be reached or its body
// could not be read. The client gets a 502 problem; the exchange records the error.
func (p *Proxy) upstreamError(w http.ResponseWriter, r *http.Request, err error) {
	f, _ := r.Context().Value(ctxKey{}).(*flight)
	if f == nil {
		return
	}
	f.x.Error = "upstream: " + err.Error()
	if r.Context().Err() != nil {
		f.x.Status = 499 // the client went away
		return
	}
	p.writeProblem(w, r, f, problem.Problem{Type: problem.TypeURI("upstream_unavailable"), Title: "Upstream unavailable",
		Status: http.StatusBadGateway, Code: "upstream_unavailable", Detail: "the proxy could not get an answer from the upstream: " + err.Error()})
}

func (p *Proxy) writeProblem(w http.ResponseWriter, r *http.Request, f *flight, pr problem.Problem) {
	if p.cfg.Annotate && len(f.x.Errors) > 0 {
		w.Header().Set(ViolationsHeader, summary(f.x.Errors))
	}
	problem.Write(w, r, pr)
	f.x.Status = pr.Status
}

// requestProblem is enforce mode's answer to an invalid request: 404 or 405 for a path or method the
// document does not have, else the kit's 422 validation_failed with the violated pointers.
func requestProblem(f *flight) problem.Problem {
	if f.op == nil {
		v := f.x.Errors[0]
		status, code, title := http.StatusNotFound, "not_found", "No such operation"
		if strings.HasPrefix(v.Reason, "method ") {
			status, code, title = http.StatusMethodNotAllowed, "method_not_allowed", "Method not allowed"
		}
		return problem.Problem{Type: problem.TypeURI(code), Title: title, Status: status, Code: code,
			Detail: fmt.Sprintf("%s %s: %s", f.x.Method, f.x.Path, v.Reason)}
	}
	return problem.Problem{Type: problem.TypeURI("validation_failed"), Title: "Request validation failed",
		Status: http.StatusUnprocessableEntity, Code: "validation_failed",
		Detail: fmt.Sprintf("the request violates the contract of %s; it was not forwarded", f.op.ID),
		Errors: problem.FieldErrors(specErrors(f.x.Errors, SideRequest))}
}

// responseProblem is enforce mode's answer in place of an invalid upstream response.
func responseProblem(f *flight) problem.Problem {
	return problem.Problem{Type: problem.TypeURI("contract_violation"), Title: "Upstream response violates the contract",
		Status: http.StatusBadGateway, Code: "contract_violation",
		Detail: fmt.Sprintf("the upstream's %d answer to %s violates the contract: %s", f.x.UpstreamStatus, f.op.ID, firstOf(f.x.Errors, SideResponse)),
		Errors: problem.FieldErrors(specErrors(f.x.Errors, SideResponse))}
}

func problemBody(pr problem.Problem) []byte {
	rec := &bufferWriter{h: http.Header{}}
	problem.Write(rec, nil, pr)
	return rec.buf.Bytes()
}

// bufferWriter is the least http.ResponseWriter problem.Write needs, to render a problem body.
type bufferWriter struct {
	h   http.Header
	buf bytes.Buffer
}

func (b *bufferWriter) Header() http.Header         { return b.h }
func (b *bufferWriter) WriteHeader(int)             {}
func (b *bufferWriter) Write(p []byte) (int, error) { return b.buf.Write(p) }

func specErrors(vs []Violation, side string) spec.ValidationErrors {
	var out spec.ValidationErrors
	for i := range vs {
		if vs[i].Side == side {
			v := vs[i].ValidationError
			out = append(out, &v)
		}
	}
	return out
}

func hasSide(vs []Violation, side string) bool {
	for _, v := range vs {
		if v.Side == side {
			return true
		}
	}
	return false
}

func firstOf(vs []Violation, side string) string {
	for _, v := range vs {
		if v.Side == side {
			return v.ValidationError.Error()
		}
	}
	return ""
}

// summary is the ViolationsHeader value: "2; request body /prompt: ...; response status: ...",
// on one line and at most about 1 KiB.
func summary(vs []Violation) string {
	var b strings.Builder
	b.WriteString(strconv.Itoa(len(vs)))
	for _, v := range vs {
		s := strings.Map(func(r rune) rune {
			if r < ' ' || r == 0x7f {
				return ' '
			}
			return r
		}, v.String())
		if b.Len()+len(s) > 1024 {
			b.WriteString("; ...")
			break
		}
		b.WriteString("; " + s)
	}
	return b.String()
}

func isEventStream(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "text/event-stream"
}

// decoded undoes a gzip Content-Encoding for validation; other encodings are returned as they are.
func decoded(encoding string, body []byte) ([]byte, error) {
	if !strings.EqualFold(strings.TrimSpace(encoding), "gzip") || len(body) == 0 {
		return body, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("gzip body: %w", err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("gzip body: %w", err)
	}
	return out, nil
}

// capture keeps the first limit bytes of a stream as it passes.
type capture struct {
	limit int
	buf   bytes.Buffer
	cut   bool
}

func (c *capture) Write(b []byte) (int, error) {
	room := c.limit - c.buf.Len()
	switch {
	case room <= 0:
		c.cut = c.cut || len(b) > 0
	case len(b) > room:
		c.buf.Write(b[:room])
		c.cut = true
	default:
		c.buf.Write(b)
	}
	return len(b), nil
}
