// Package proxy is the validating reverse proxy behind `ultra proxy`: every request and response
// between a client and a service is checked against an OpenAPI document with spec, the same
// validation as everywhere else in the kit. In report mode traffic passes unchanged and violations
// are logged, counted, journaled and summarised (JUnit, JSON); in enforce mode an invalid request is
// answered with a 422 problem and never forwarded, and an invalid response is replaced by a 502
// problem naming the violation. Streams (text/event-stream) pass event by event, unbuffered.
package proxy

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/coverage"
	"github.com/ultra-kit/ultra/internal/ring"
	"github.com/ultra-kit/ultra/internal/statuswriter"
	"github.com/ultra-kit/ultra/spec"
)

// Mode says what the proxy does with a violation.
type Mode string

// The modes: Report passes traffic unchanged, Enforce blocks invalid requests and responses.
const (
	Report  Mode = "report"
	Enforce Mode = "enforce"
)

// Defaults of Config's zero values.
const (
	DefaultMaxBody     = 16 << 20 // bodies validated in full up to this size
	DefaultJournalSize = 1000
	DefaultJournalBody = 16 << 10 // bytes of each body the journal keeps
)

// ViolationsHeader is the response header --annotate adds: the number of violations, then each.
const ViolationsHeader = "Ultra-Contract-Violations"

// Config configures New. Doc and Target are required; every other zero value means the default
// given in its comment.
type Config struct {
	Doc    *spec.Document
	Target *url.URL // the service; request paths are appended to its path
	Mode   Mode     // "" means Report
	// Annotate adds the ViolationsHeader to answers of exchanges that violated the contract.
	Annotate bool
	// Logger gets one line per violation; nil discards.
	Logger *slog.Logger
	// Transport calls the upstream; nil means a clone of http.DefaultTransport's settings that
	// never adds Accept-Encoding (so bodies pass byte for byte).
	Transport http.RoundTripper
	// MaxBody bounds the request and response bodies validated (larger ones pass unvalidated,
	// with a note in the journal); 0 means DefaultMaxBody.
	MaxBody int64
	// JournalSize bounds the journal (0: DefaultJournalSize); JournalBody the bytes of each body
	// it keeps (0: DefaultJournalBody).
	JournalSize int
	JournalBody int
	// Redact says which names hold secrets; the zero value redacts the usual ones.
	Redact Redactor
	// Observe, when set, is called with every finished exchange (the full bodies, secrets not yet
	// redacted in them; the journal's copy is redacted). Coverage and recording hang off it.
	Observe func(*Exchange, []byte, []byte)
}

// Proxy is the validating reverse proxy; it is an http.Handler. Create it with New.
type Proxy struct {
	cfg     Config
	log     *slog.Logger
	rp      *httputil.ReverseProxy
	journal *ring.Ring[Exchange]
	tally   *tally
	metrics *metrics
	cov     *coverage.Recorder
	admin   http.Handler
}

// New returns a proxy to cfg.Target checking traffic against cfg.Doc. It fails when either is
// missing or the mode is unknown.
func New(cfg Config) (*Proxy, error) {
	if cfg.Doc == nil || cfg.Target == nil {
		return nil, errors.New("proxy: a document and a target are required")
	}
	if cfg.Target.Scheme != "http" && cfg.Target.Scheme != "https" || cfg.Target.Host == "" {
		return nil, fmt.Errorf("proxy: target %q is not an http(s) URL", cfg.Target)
	}
	switch cfg.Mode {
	case "":
		cfg.Mode = Report
	case Report, Enforce:
	default:
		return nil, fmt.Errorf("proxy: mode must be report or enforce, got %q", cfg.Mode)
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.JournalBody <= 0 {
		cfg.JournalBody = DefaultJournalBody
	}
	if cfg.Transport == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.DisableCompression = true
		t.MaxIdleConnsPerHost = 256
		cfg.Transport = t
	}
	p := &Proxy{cfg: cfg, log: cfg.Logger, journal: ring.New[Exchange](cfg.JournalSize, DefaultJournalSize),
		tally: newTally(cfg.Doc), metrics: newMetrics(), cov: coverage.New("proxy", coverage.Mount{Doc: cfg.Doc})}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	target := cfg.Target
	p.rp = &httputil.ReverseProxy{
		Rewrite:        func(pr *httputil.ProxyRequest) { pr.SetURL(target); pr.Out.Host = "" },
		Transport:      cfg.Transport,
		FlushInterval:  -1,
		ModifyResponse: p.checkResponse,
		ErrorHandler:   p.upstreamError,
		ErrorLog:       slog.NewLogLogger(p.log.Handler(), slog.LevelWarn),
	}
	p.admin = p.routes()
	return p, nil
}

// ctxKey holds the in-flight exchange in the request context, for ModifyResponse.
type ctxKey struct{}

// flight is what the proxy knows about an exchange while it is in flight.
type flight struct {
	x        Exchange
	op       *spec.Operation
	reqBody  []byte
	respBody []byte
	capture  *capture // for streams: what passed, as it passes
}

// ServeHTTP proxies one request, or answers the admin API under /__admin/.
func (p *Proxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/__admin/") {
		p.admin.ServeHTTP(w, r)
		return
	}
	f := &flight{x: Exchange{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, StartedAt: time.Now()}}
	f.x.Request.Header = r.Header.Clone()
	body, complete, rest, err := captured(r.Body, p.cfg.MaxBody)
	r.Body = rest
	f.reqBody = body
	if err != nil {
		f.x.Error = "read request body: " + err.Error()
		p.finish(f)
		return
	}
	p.checkRequest(r, f, complete)
	if p.cfg.Mode == Enforce && len(f.x.Errors) > 0 {
		f.x.Blocked = true
		p.writeProblem(w, r, f, requestProblem(f))
		p.finish(f)
		return
	}
	rec := statuswriter.New(w)
	p.rp.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), ctxKey{}, f)))
	if f.x.Status == 0 {
		f.x.Status = rec.Status
	}
	if f.capture != nil {
		f.respBody = f.capture.buf.Bytes()
		f.x.Response.Truncated = f.capture.cut
	}
	p.finish(f)
}

// checkRequest routes and validates the request, replacing its body so it can still be forwarded.
func (p *Proxy) checkRequest(r *http.Request, f *flight, complete bool) {
	m, err := p.cfg.Doc.Find(r.Method, r.URL.EscapedPath())
	if err != nil {
		f.x.Errors = append(f.x.Errors, Violation{Side: SideRequest, ValidationError: spec.ValidationError{In: spec.InPath, Pointer: r.URL.Path, Reason: routeReason(err)}})
		return
	}
	f.op = m.Operation
	f.x.OperationID, f.x.Template = m.Operation.ID, m.Operation.Path
	if !complete {
		f.x.Error = fmt.Sprintf("request body larger than %d bytes: not validated", p.cfg.MaxBody)
		return
	}
	forward := r.Body
	r.Body = io.NopCloser(bytes.NewReader(f.reqBody))
	err = m.Operation.ValidateRequest(r)
	r.Body = forward
	f.x.Errors = append(f.x.Errors, violations(SideRequest, err)...)
}

// violations turns a validation result into violations of one side.
func violations(side string, err error) []Violation {
	if err == nil {
		return nil
	}
	var ves spec.ValidationErrors
	if !errors.As(err, &ves) {
		return []Violation{{Side: side, ValidationError: spec.ValidationError{In: spec.InBody, Reason: err.Error()}}}
	}
	out := make([]Violation, 0, len(ves))
	for _, v := range ves {
		out = append(out, Violation{Side: side, ValidationError: *v})
	}
	return out
}

func routeReason(err error) string {
	var mna *spec.MethodNotAllowedError
	if errors.As(err, &mna) {
		return fmt.Sprintf("method %s is not documented for this path (documented: %s)", mna.Method, strings.Join(mna.Allowed, ", "))
	}
	return "no operation of the document matches the path"
}

// finish completes an exchange: one log line per violation, tally, metrics, coverage, Observe, and the
// journal last, so whoever sees an exchange in the journal also finds it counted, covered and recorded.
func (p *Proxy) finish(f *flight) {
	x := &f.x
	x.DurationMS = float64(time.Since(x.StartedAt).Microseconds()) / 1000
	x.Valid = len(x.Errors) == 0
	if x.Errors == nil {
		x.Errors = []Violation{}
	}
	for _, v := range x.Errors {
		p.log.Warn("contract violation", "side", v.Side, "operation", opName(x), "method", x.Method, "path", x.Path,
			"status", x.Status, "in", string(v.In), "pointer", v.Pointer, "reason", v.Reason)
	}
	if x.Error != "" {
		p.log.Warn("proxy error", "operation", opName(x), "method", x.Method, "path", x.Path, "error", x.Error)
	}
	j := *x
	rd := p.cfg.Redact
	j.Query = rd.Query(x.Query)
	j.Request = p.journalMessage(x.Request.Header, f.reqBody, false)
	j.Response = p.journalMessage(x.Response.Header, f.respBody, x.Response.Truncated)
	j.Curl = curl(p.cfg.Target, &j)
	p.tally.add(&j)
	p.metrics.observe(&j)
	if x.UpstreamStatus != 0 || x.Blocked {
		// what the service was asked and answered; a blocked request reached no service
		cx := coverage.Exchange{Method: x.Method, Path: x.Path, RawQuery: x.Query, Header: x.Request.Header, Body: f.reqBody,
			Status: x.UpstreamStatus, ContentType: x.Response.Header.Get("Content-Type")}
		if x.UpstreamStatus == 0 {
			cx.ContentType = ""
		}
		p.cov.Record(cx)
	}
	if p.cfg.Observe != nil {
		p.cfg.Observe(&j, f.reqBody, f.respBody)
	}
	p.journal.Add(j)
}

// Coverage is the coverage of the document by the traffic so far (GET /__admin/coverage).
func (p *Proxy) Coverage() *coverage.Report { return p.cov.Report() }

func (p *Proxy) journalMessage(h http.Header, body []byte, truncated bool) Message {
	m := Message{Header: p.cfg.Redact.Header(h), Truncated: truncated}
	if m.Header == nil {
		m.Header = http.Header{}
	}
	b := p.cfg.Redact.Body(h.Get("Content-Type"), body)
	if len(b) > p.cfg.JournalBody {
		b, m.Truncated = b[:p.cfg.JournalBody], true
	}
	m.Body = string(b)
	return m
}

func opName(x *Exchange) string {
	if x.OperationID != "" {
		return x.OperationID
	}
	return "(undocumented)"
}
