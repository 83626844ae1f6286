package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

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
	req, err := http.NewRequestWithContext(ctx, c.op.Method, u, body)
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

// execute sends one case and records every enabled check's verdict.
func (r *runner) execute(ctx context.Context, res *OperationResult, c *testCase) {
	req, err := r.build(ctx, r.base.String(), c, true)
	if err != nil {
		res.Notes = append(res.Notes, err.Error())
		return
	}
	curl := curlFor(req, c)
	if r.limiter != nil {
		if err := r.limiter.Wait(ctx); err != nil {
			return
		}
	}
	start := time.Now()
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return
		}
		res.Requests++
		res.record(CheckServerError, false, Failure{Phase: c.phase, Reason: "request failed: " + unwrapURLError(err).Error(),
			Mutation: c.mutation, Curl: curl, Seed: r.opts.Seed})
		return
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	elapsed := time.Since(start)
	res.Requests++
	fail := func(check, pointer, reason string) Failure {
		return Failure{Phase: c.phase, Status: resp.StatusCode, Pointer: pointer, Reason: reason,
			Mutation: c.mutation, Curl: curl, Seed: r.opts.Seed}
	}
	if err != nil {
		res.record(CheckServerError, false, fail(CheckServerError, "", "reading the response failed: "+err.Error()))
		return
	}
	if r.checkEnabled(CheckServerError) {
		res.record(CheckServerError, resp.StatusCode < 500, fail(CheckServerError, "", fmt.Sprintf("server error %d", resp.StatusCode)))
	}
	if r.checkEnabled(CheckResponseTime) {
		res.record(CheckResponseTime, elapsed <= r.opts.MaxResponseTime,
			fail(CheckResponseTime, "", fmt.Sprintf("answered in %s, more than %s", elapsed.Round(time.Millisecond), r.opts.MaxResponseTime)))
	}
	switch c.phase {
	case PhaseNegative:
		if r.checkEnabled(CheckNegativeData) {
			ok := resp.StatusCode >= 400 && resp.StatusCode < 500
			res.record(CheckNegativeData, ok, fail(CheckNegativeData, "",
				fmt.Sprintf("invalid request (%s) answered %d, want 4xx", c.mutation, resp.StatusCode)))
		}
	case PhaseAuth:
		if r.checkEnabled(CheckIgnoredAuth) {
			ok := resp.StatusCode < 200 || resp.StatusCode >= 300
			what := "without credentials"
			if c.auth == "bad" {
				what = "with invalid credentials"
			}
			res.record(CheckIgnoredAuth, ok, fail(CheckIgnoredAuth, "", fmt.Sprintf("secured operation answered %d %s", resp.StatusCode, what)))
		}
	}
	docReq, err := r.docRequest(c)
	if err != nil {
		return
	}
	verr := c.op.ValidateResponseParts(docReq, resp.StatusCode, resp.Header, body)
	var ve spec.ValidationErrors
	if verr != nil && !errors.As(verr, &ve) {
		ve = spec.ValidationErrors{{In: spec.InBody, Reason: verr.Error()}}
	}
	byCheck := map[string][]*spec.ValidationError{}
	for _, e := range ve {
		check, e := checkFor(e)
		byCheck[check] = append(byCheck[check], e)
	}
	for _, check := range []string{CheckStatusCode, CheckContentType, CheckResponseSchema, CheckResponseHeaders} {
		if !r.checkEnabled(check) {
			continue
		}
		errs := byCheck[check]
		if len(errs) == 0 {
			res.record(check, true, Failure{})
			continue
		}
		for i, e := range errs {
			reason := e.Reason
			if check == CheckContentType {
				reason = fmt.Sprintf("%s (got %q)", reason, resp.Header.Get("Content-Type"))
			}
			if check == CheckStatusCode {
				reason = fmt.Sprintf("status %d is not documented", resp.StatusCode)
			}
			f := fail(check, e.Pointer, reason)
			if i == 0 {
				res.record(check, false, f)
			} else {
				res.addFailure(check, f)
			}
		}
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
	var b strings.Builder
	b.WriteString("curl -sS -i -X " + req.Method + " " + shellQuote(req.URL.String()))
	keys := make([]string, 0, len(req.Header))
	for k := range req.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range req.Header[k] {
			b.WriteString(" -H " + shellQuote(k+": "+v))
		}
	}
	if c.hasBody {
		b.WriteString(" --data-raw " + shellQuote(string(c.body)))
	}
	return b.String()
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
