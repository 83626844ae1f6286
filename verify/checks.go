package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/ultra-kit/ultra/internal/curl"
	"github.com/ultra-kit/ultra/spec"
)

// maxBody bounds how much of a response body is read and validated.
const maxBody = 10 << 20

// docRequest is the case as the contract sees it: path relative to the document's server.
func (r *runner) docRequest(c *testCase) (*http.Request, error) {
	return r.build(context.Background(), "http://contract.invalid", c, false)
}

// build makes the HTTP request for a case against base; withUser adds the caller's headers.
func (r *runner) build(ctx context.Context, base string, c *testCase, withUser bool) (*http.Request, error) {
	u := base + c.path
	if q := c.query.Encode(); q != "" {
		u += "?" + q
	}
	var body io.Reader = http.NoBody
	if c.hasBody {
		body = bytes.NewReader(c.body)
	}
	req, err := http.NewRequestWithContext(ctx, c.sentMethod(), u, body)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	if withUser && c.auth == "" {
		for k, vs := range r.opts.Header {
			req.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
		}
	}
	for k, vs := range c.header {
		req.Header[k] = append([]string(nil), vs...)
	}
	if c.hasBody && c.contentType != "" {
		req.Header.Set("Content-Type", c.contentType)
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json, application/problem+json;q=0.9, */*;q=0.8")
	}
	return req, nil
}

// exchange is one case as sent and the answer to it: everything a check looks at.
type exchange struct {
	c       *testCase
	status  int
	header  http.Header
	body    []byte
	elapsed time.Duration
	// violations are the response's contract violations, grouped by the check that reports them; nil
	// when the response could not be validated.
	violations map[string][]*spec.ValidationError
}

// verdict is one finding of a check on one exchange; reason and pointer only matter when !ok.
type verdict struct {
	ok      bool
	pointer string
	reason  string
}

func pass() []verdict                  { return []verdict{{ok: true}} }
func failWith(reason string) []verdict { return []verdict{{reason: reason}} }

// judge turns a condition into a verdict: passed when ok, else failed with the formatted reason.
func judge(ok bool, format string, args ...any) []verdict {
	if ok {
		return pass()
	}
	return failWith(fmt.Sprintf(format, args...))
}

// check is one named check: run returns its verdicts on an exchange, or none when it does not apply.
// An exchange counts once per check: failed if any verdict failed, and every failed verdict is listed.
type check struct {
	name string
	run  func(r *runner, x *exchange) []verdict
}

// checkTable lists every check in report order; adding a check is adding one entry.
func checkTable() []check {
	return []check{
		{CheckServerError, func(_ *runner, x *exchange) []verdict {
			return judge(x.status < 500, "server error %d", x.status)
		}},
		{CheckStatusCode, contractCheck(CheckStatusCode)},
		{CheckContentType, contractCheck(CheckContentType)},
		{CheckResponseSchema, contractCheck(CheckResponseSchema)},
		{CheckResponseHeaders, contractCheck(CheckResponseHeaders)},
		{CheckNegativeData, func(_ *runner, x *exchange) []verdict {
			if x.c.mutation == "" || x.c.missingHeader != "" || x.c.method != "" {
				return nil
			}
			return judge(x.status >= 400 && x.status < 500, "invalid request (%s) answered %d, want 4xx", x.c.mutation, x.status)
		}},
		{CheckIgnoredAuth, func(_ *runner, x *exchange) []verdict {
			if x.c.phase != PhaseAuth {
				return nil
			}
			what := "without credentials"
			if x.c.auth == "bad" {
				what = "with invalid credentials"
			}
			return judge(x.status < 200 || x.status >= 300, "secured operation answered %d %s", x.status, what)
		}},
		{CheckResponseTime, func(r *runner, x *exchange) []verdict {
			return judge(x.elapsed <= r.opts.MaxResponseTime, "answered in %s, more than %s",
				x.elapsed.Round(time.Millisecond), r.opts.MaxResponseTime)
		}},
		{CheckPositiveData, positiveDataAcceptance},
		{CheckMissingHeader, missingRequiredHeader},
		{CheckUnsupportedMethod, unsupportedMethod},
		{CheckAllowHeader, allowHeaderConformance},
		{CheckResourceAvailable, func(_ *runner, x *exchange) []verdict {
			if x.c.step != stepReadAfterCreate && x.c.step != stepReadListed {
				return nil
			}
			what := map[string]string{stepReadAfterCreate: "just created", stepReadListed: "just listed"}[x.c.step]
			return judge(x.status != http.StatusNotFound && x.status != http.StatusGone,
				"a resource %s answered %d: %s", what, x.status, x.c.note)
		}},
		{CheckUseAfterFree, func(_ *runner, x *exchange) []verdict {
			if x.c.step != stepReadAfterDelete {
				return nil
			}
			return judge(x.status < 200 || x.status >= 300,
				"a deleted resource answered %d, want 404 or 410: %s", x.status, x.c.note)
		}},
	}
}

// contractCheck reports the response's contract violations that belong to one check.
func contractCheck(name string) func(*runner, *exchange) []verdict {
	return func(_ *runner, x *exchange) []verdict {
		if x.violations == nil {
			return nil
		}
		errs := x.violations[name]
		if len(errs) == 0 {
			return pass()
		}
		out := make([]verdict, 0, len(errs))
		for _, e := range errs {
			reason := e.Reason
			switch name {
			case CheckContentType:
				reason = fmt.Sprintf("%s (got %q)", reason, x.header.Get("Content-Type"))
			case CheckStatusCode:
				reason = fmt.Sprintf("status %d is not documented", x.status)
			}
			out = append(out, verdict{pointer: e.Pointer, reason: reason})
		}
		return out
	}
}

// execute sends one case and records every enabled check's verdict. It returns the exchange (nil when
// no complete answer came) and the case as a curl command.
func (r *runner) execute(ctx context.Context, res *OperationResult, c *testCase) (*exchange, string) {
	req, err := r.build(ctx, r.base.String(), c, true)
	if err != nil {
		res.Notes = append(res.Notes, err.Error())
		return nil, ""
	}
	curl := curlFor(req, c)
	failure := func(status int, v verdict) Failure {
		return Failure{Phase: c.phase, Status: status, Pointer: v.pointer, Reason: v.reason,
			Mutation: c.mutation, Curl: curl, Sequence: c.history, Seed: r.opts.Seed}
	}
	x, err := r.send(ctx, req, c)
	if ctx.Err() != nil {
		return nil, curl
	}
	if x == nil {
		res.Requests++
		res.record(CheckServerError, false, failure(0, verdict{reason: "request failed: " + unwrapURLError(err).Error()}))
		return nil, curl
	}
	res.Requests++
	if err != nil {
		res.record(CheckServerError, false, failure(x.status, verdict{reason: "reading the response failed: " + err.Error()}))
		return nil, curl
	}
	if c.method == "" {
		r.validate(x)
	}
	for _, chk := range checkTable() {
		if !r.checkEnabled(chk.name) {
			continue
		}
		vs := chk.run(r, x)
		counted := false
		for _, v := range vs {
			switch {
			case !v.ok && !counted:
				res.record(chk.name, false, failure(x.status, v))
				counted = true
			case !v.ok:
				res.addFailure(chk.name, failure(x.status, v))
			}
		}
		if len(vs) > 0 && !counted {
			res.record(chk.name, true, Failure{})
		}
	}
	return x, curl
}

// send waits for the rate limiter, sends the request and reads the answer. A nil exchange means no
// answer came (the error says why); a non-nil one with an error means the body could not be read.
func (r *runner) send(ctx context.Context, req *http.Request, c *testCase) (*exchange, error) {
	if r.limiter != nil {
		if err := r.limiter.Wait(ctx); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		return nil, err
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	return &exchange{c: c, status: resp.StatusCode, header: resp.Header, body: body, elapsed: time.Since(start)}, err
}

// validate checks the response against the contract and groups the violations by check.
func (r *runner) validate(x *exchange) {
	docReq, err := r.docRequest(x.c)
	if err != nil {
		return
	}
	verr := x.c.op.ValidateResponseParts(docReq, x.status, x.header, x.body)
	var ve spec.ValidationErrors
	if verr != nil && !errors.As(verr, &ve) {
		ve = spec.ValidationErrors{{In: spec.InBody, Reason: verr.Error()}}
	}
	x.violations = map[string][]*spec.ValidationError{}
	for _, e := range ve {
		check, e := checkFor(e)
		x.violations[check] = append(x.violations[check], e)
	}
}

// checkFor maps the part of a response a violation is about to the check that reports it.
func checkFor(e *spec.ValidationError) (string, *spec.ValidationError) {
	switch e.In {
	case spec.InStatus:
		return CheckStatusCode, e
	case spec.InContentType:
		return CheckContentType, e
	case spec.InHeader:
		return CheckResponseHeaders, e
	}
	return CheckResponseSchema, e
}

// curlFor renders a ready-to-paste curl command for the request as sent.
func curlFor(req *http.Request, c *testCase) string {
	var body []byte
	if c.hasBody {
		body = []byte(string(c.body)) // non-nil even when empty: the request carried a body
	}
	return curl.Command(req.Method, req.URL.String(), req.Header, body, curl.Options{Flags: "-sS -i", DataFlag: "--data-raw"})
}
