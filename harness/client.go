package harness

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/ultra-kit/ultra/spec"
)

// bodyExcerpt bounds how much of a body a failure message quotes.
const bodyExcerpt = 600

// Request is one request a step sends.
type Request struct {
	// Base is the server root URL (a gateway's or the mock server's).
	Base string
	// Method and Path (relative to Base and to the contract's server, e.g. /api/health, with query).
	Method, Path string
	Header       http.Header
	Body         []byte
	// NonConforming marks a request that deliberately violates the contract (no credentials, an empty
	// prompt, broken JSON): its request is not validated, its response still is.
	NonConforming bool
	// NoContract skips validation both ways (the mock server's admin API is not in the contract).
	NoContract bool
}

// Exchange is one request and its response as the suite saw them.
type Exchange struct {
	Method, URL   string
	RequestHeader http.Header
	RequestBody   []byte
	Status        int
	Header        http.Header
	Body          []byte
	Duration      time.Duration
	OperationID   string
	NonConforming bool
	// Violations are the contract violations of the response (and of the request unless NonConforming).
	Violations spec.ValidationErrors
	// RequestViolations are the request's violations when they were expected (NonConforming).
	RequestViolations spec.ValidationErrors
}

// String is a short description for failure messages: the request line, status, body excerpt and the
// violated pointers.
func (x *Exchange) String() string {
	if x == nil {
		return "(no exchange)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s -> %d (%s)", x.Method, x.URL, x.Status, x.Duration.Round(time.Millisecond))
	if len(x.RequestBody) > 0 {
		fmt.Fprintf(&b, "\n    request body: %s", excerpt(x.RequestBody))
	}
	fmt.Fprintf(&b, "\n    response body: %s", excerpt(x.Body))
	for _, v := range x.Violations {
		fmt.Fprintf(&b, "\n    violates %s", describe(v))
	}
	return b.String()
}

func describe(v *spec.ValidationError) string {
	where := string(v.In)
	if v.Pointer != "" || v.In == spec.InBody {
		where += " " + quotePointer(v.Pointer)
	}
	return where + ": " + v.Reason
}

func quotePointer(p string) string {
	if p == "" {
		return `""`
	}
	return p
}

func excerpt(b []byte) string {
	s := strings.TrimSpace(string(b))
	if s == "" {
		return "(empty)"
	}
	if len(s) > bodyExcerpt {
		s = s[:bodyExcerpt] + fmt.Sprintf("... (%d bytes)", len(b))
	}
	return s
}

// ContractError is a request or response that violates the contract.
type ContractError struct {
	Side     string // "request" or "response"
	Exchange *Exchange
	Errs     spec.ValidationErrors
	Err      error // routing error (operation not in the contract) when Errs is empty
}

func (e *ContractError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "expected the %s to conform to the contract, got ", e.Side)
	if len(e.Errs) == 0 {
		fmt.Fprintf(&b, "%v", e.Err)
	} else {
		fmt.Fprintf(&b, "%d violation(s)", len(e.Errs))
		for _, v := range e.Errs {
			fmt.Fprintf(&b, "\n    %s", describe(v))
		}
	}
	fmt.Fprintf(&b, "\n  exchange: %s", e.Exchange)
	return b.String()
}

// Journal records every exchange of a run; it is safe for concurrent use.
type Journal struct {
	mu        sync.Mutex
	exchanges []*Exchange
}

func (j *Journal) add(x *Exchange) {
	j.mu.Lock()
	j.exchanges = append(j.exchanges, x)
	j.mu.Unlock()
}

// Exchanges returns a copy of the recorded exchanges, oldest first.
func (j *Journal) Exchanges() []*Exchange {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]*Exchange(nil), j.exchanges...)
}

// Client sends the steps' requests and validates every request and response against the contract.
type Client struct {
	doc     *spec.Document
	http    *http.Client
	journal *Journal
}

// NewClient returns a client validating against doc. A nil httpClient means a client with a 60 s
// timeout; a nil journal means a fresh one.
func NewClient(doc *spec.Document, httpClient *http.Client, journal *Journal) *Client {
	if httpClient == nil {
		httpClient = &http.Client{Timeout: 60 * time.Second}
	}
	if journal == nil {
		journal = &Journal{}
	}
	return &Client{doc: doc, http: httpClient, journal: journal}
}

// Do sends r and returns the exchange. It returns a *ContractError (with the exchange) when the
// request (unless NonConforming) or the response violates the contract, and a plain error when the
// request could not be sent.
func (c *Client) Do(ctx context.Context, r Request) (*Exchange, error) {
	full := strings.TrimRight(r.Base, "/") + r.Path
	u, err := url.Parse(full)
	if err != nil {
		return nil, fmt.Errorf("bad request URL %q: %w", full, err)
	}
	x := &Exchange{Method: r.Method, URL: full, RequestHeader: r.Header.Clone(), RequestBody: r.Body, NonConforming: r.NonConforming}
	// The contract's view of the request: the path relative to the server root.
	rel, err := url.Parse(r.Path)
	if err != nil {
		return nil, fmt.Errorf("bad request path %q: %w", r.Path, err)
	}
	contractReq := func() *http.Request { return contractRequest(ctx, r, rel, u.Host) }
	var op *spec.Operation
	if !r.NoContract {
		m, err := c.doc.Find(r.Method, rel.EscapedPath())
		if err != nil {
			return x, &ContractError{Side: "request", Exchange: x, Err: err}
		}
		op = m.Operation
		x.OperationID = op.ID
		if verr := op.ValidateRequest(contractReq()); verr != nil {
			var ves spec.ValidationErrors
			errors.As(verr, &ves)
			if r.NonConforming {
				x.RequestViolations = ves
			} else {
				x.Violations = ves
				return x, &ContractError{Side: "request", Exchange: x, Errs: ves, Err: verr}
			}
		}
	}

	req, err := http.NewRequestWithContext(ctx, r.Method, full, bytes.NewReader(r.Body))
	if err != nil {
		return x, fmt.Errorf("build request: %w", err)
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		return x, fmt.Errorf("%s %s: %w", r.Method, full, err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	x.Duration = time.Since(start)
	x.Status, x.Header, x.Body = resp.StatusCode, resp.Header, body
	if err != nil {
		return x, fmt.Errorf("read response of %s %s: %w", r.Method, full, err)
	}
	if op != nil {
		defer c.journal.add(x) // after the violations are set
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if verr := op.ValidateResponse(contractReq(), resp); verr != nil {
			var ves spec.ValidationErrors
			errors.As(verr, &ves)
			x.Violations = ves
			return x, &ContractError{Side: "response", Exchange: x, Errs: ves, Err: verr}
		}
	}
	return x, nil
}

// contractRequest is the contract's view of r: its path relative to the server root (rel), on host.
func contractRequest(ctx context.Context, r Request, rel *url.URL, host string) *http.Request {
	q := &http.Request{Method: r.Method, URL: rel, Header: r.Header.Clone(), Host: host}
	if q.Header == nil {
		q.Header = http.Header{}
	}
	q.Body = io.NopCloser(bytes.NewReader(r.Body))
	q.ContentLength = int64(len(r.Body))
	return q.WithContext(ctx)
}

// Unwrap returns the routing or validation error behind the violation.
func (e *ContractError) Unwrap() error { return e.Err }
