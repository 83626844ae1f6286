// Package verify checks a live HTTP service against its OpenAPI contract with requests built from the
// contract itself: the documented examples, valid requests generated from the schemas, requests made
// invalid in one known way, and secured operations called without valid credentials. Every response is
// checked by named checks (not_a_server_error, status_code_conformance...). It imports spec and the
// standard library only, so it can verify any service, not just ours.
package verify

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/ultra-kit/ultra/spec"
)

// Phases of a run, each selectable with Options.Phases.
const (
	PhaseExamples = "examples" // every documented request example
	PhaseCoverage = "coverage" // deterministic: each field at its schema's edges and just outside, undocumented methods
	PhasePositive = "positive" // valid requests generated from the schemas
	PhaseNegative = "negative" // requests made invalid in one known way
	PhaseAuth     = "auth"     // secured operations without credentials and with bad ones
	PhaseStateful = "stateful" // create → read → update → read → delete → read, following links or inferred ones
)

// Phases lists the phases in the order they run; each call returns a fresh slice the caller may keep.
func Phases() []string {
	return []string{PhaseExamples, PhaseCoverage, PhasePositive, PhaseNegative, PhaseAuth, PhaseStateful}
}

// Check names, as reported.
const (
	CheckServerError     = "not_a_server_error"
	CheckStatusCode      = "status_code_conformance"
	CheckContentType     = "content_type_conformance"
	CheckResponseSchema  = "response_schema_conformance"
	CheckResponseHeaders = "response_headers_conformance"
	CheckNegativeData    = "negative_data_rejection"
	CheckIgnoredAuth     = "ignored_auth"
	CheckResponseTime    = "max_response_time"
	// The checks below have Schemathesis's names and meanings (its docs/reference/checks.md).
	CheckPositiveData      = "positive_data_acceptance"
	CheckMissingHeader     = "missing_required_header"
	CheckUnsupportedMethod = "unsupported_method"
	CheckAllowHeader       = "allow_header_conformance"
	CheckResourceAvailable = "ensure_resource_availability"
	CheckUseAfterFree      = "use_after_free"
)

// Checks lists every check in the order they are judged and reported; max_response_time only runs when
// Options.MaxResponseTime is set. Each call returns a fresh slice the caller may keep.
func Checks() []string {
	table := checkTable()
	names := make([]string, len(table))
	for i, c := range table {
		names[i] = c.name
	}
	return names
}

// ErrUnreachable means the target did not answer at all; a run that cannot connect never passes.
var ErrUnreachable = errors.New("target unreachable")

// Options configure Run. The zero value (apart from Target and Client) runs every phase and check with
// seed 0, 10 generated requests per operation and phase, 2 requests in flight and no rate limit.
type Options struct {
	// Target is the service's base URL; operation paths are appended to it (e.g. http://127.0.0.1:8000).
	Target string
	// Client sends the requests. Required: the caller sets timeouts and transports.
	Client *http.Client
	// Phases to run; nil means every phase (see Phases).
	Phases []string
	// Checks to run; nil means every check (see Checks).
	Checks []string
	// Seed makes generation deterministic: the same seed sends the same requests.
	Seed int64
	// MaxExamples bounds the generated requests per operation and phase. 0 means 10.
	MaxExamples int
	// Include keeps only operations matching one entry (operationId, path template or tag); nil keeps all.
	Include []string
	// Exclude drops operations matching one entry (operationId, path template or tag).
	Exclude []string
	// Header is sent with every request except where the auth phase removes credentials.
	Header http.Header
	// Params supplies parameter values by name (path parameters naming existing resources, mostly).
	Params map[string]string
	// RateLimit is the most requests per second; 0 means unlimited.
	RateLimit float64
	// Concurrency is how many operations are verified at once. 0 means 2.
	Concurrency int
	// AcceptStatuses are extra statuses positive_data_acceptance accepts for valid requests, like
	// Schemathesis's expected-statuses: for example 400 where the valid values of a field depend on the
	// server's configuration rather than on the schema. nil adds none.
	AcceptStatuses []int
	// MaxResponseTime enables the max_response_time check when positive.
	MaxResponseTime time.Duration
	// Progress receives one line per operation as it completes; nil discards them.
	Progress io.Writer
}

// Run verifies the target against doc. It returns a report (check failures are in the report, not the
// error); the error is ErrUnreachable (wrapped) when the target cannot be reached, a usage error for bad
// options, or the context's error when cancelled.
func Run(ctx context.Context, doc *spec.Document, opts Options) (*Report, error) {
	r, err := newRunner(doc, opts)
	if err != nil {
		return nil, err
	}
	if err := r.probe(ctx); err != nil {
		return nil, err
	}
	ops := r.operations()
	if len(ops) == 0 {
		return nil, errors.New("no operation left after --include/--exclude")
	}
	results := make([]*OperationResult, len(ops))
	sem := make(chan struct{}, r.concurrency)
	var wg sync.WaitGroup
	var progressMu sync.Mutex
	for i, op := range ops {
		select {
		case sem <- struct{}{}:
		case <-ctx.Done():
			wg.Wait()
			return nil, ctx.Err()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res := r.verifyOperation(ctx, op)
			results[i] = res
			if r.opts.Progress != nil {
				progressMu.Lock()
				fmt.Fprintln(r.opts.Progress, res.progressLine())
				progressMu.Unlock()
			}
		}()
	}
	wg.Wait()
	if slices.Contains(r.phases, PhaseStateful) {
		r.runStateful(ctx, ops, results)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Target: r.opts.Target, Spec: doc.Name(), Seed: r.opts.Seed, Phases: r.phases, Checks: r.checks, Operations: results}
	rep.summarize()
	return rep, nil
}

type runner struct {
	doc         *spec.Document
	opts        Options
	base        *url.URL
	phases      []string
	checks      []string
	limiter     *rate.Limiter
	concurrency int
	max         int
}

func newRunner(doc *spec.Document, opts Options) (*runner, error) {
	if doc == nil {
		return nil, errors.New("no contract")
	}
	if opts.Client == nil {
		return nil, errors.New("no HTTP client")
	}
	base, err := url.Parse(opts.Target)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("target %q: want an http(s) URL", opts.Target)
	}
	base.Path = strings.TrimSuffix(base.Path, "/")
	r := &runner{doc: doc, opts: opts, base: base, phases: opts.Phases, checks: opts.Checks,
		concurrency: opts.Concurrency, max: opts.MaxExamples}
	allPhases, allChecks := Phases(), Checks()
	if r.phases == nil {
		r.phases = allPhases
	}
	for _, p := range r.phases {
		if !slices.Contains(allPhases, p) {
			return nil, fmt.Errorf("unknown phase %q (use %s)", p, strings.Join(allPhases, ", "))
		}
	}
	if r.checks == nil {
		r.checks = allChecks
	}
	for _, c := range r.checks {
		if !slices.Contains(allChecks, c) {
			return nil, fmt.Errorf("unknown check %q (use %s)", c, strings.Join(allChecks, ", "))
		}
	}
	if opts.MaxResponseTime <= 0 {
		r.checks = slices.DeleteFunc(slices.Clone(r.checks), func(c string) bool { return c == CheckResponseTime })
	}
	if r.concurrency <= 0 {
		r.concurrency = 2
	}
	if r.max <= 0 {
		r.max = 10
	}
	if opts.RateLimit > 0 {
		burst := int(opts.RateLimit)
		if burst < 1 {
			burst = 1
		}
		r.limiter = rate.NewLimiter(rate.Limit(opts.RateLimit), burst)
	}
	return r, nil
}

// probe sends one request to the target's base URL: any HTTP answer means it is reachable.
func (r *runner) probe(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base.String()+"/", nil)
	if err != nil {
		return err
	}
	resp, err := r.opts.Client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("%s: %w: %v", r.opts.Target, ErrUnreachable, unwrapURLError(err))
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	return nil
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// operations lists the operations left after Include and Exclude, in document order.
func (r *runner) operations() []*spec.Operation {
	var out []*spec.Operation
	for _, op := range r.doc.Operations() {
		if len(r.opts.Include) > 0 && !matches(op, r.opts.Include) {
			continue
		}
		if matches(op, r.opts.Exclude) {
			continue
		}
		out = append(out, op)
	}
	return out
}

func matches(op *spec.Operation, list []string) bool {
	for _, s := range list {
		if s == op.ID || s == op.Path || s == op.Method+" "+op.Path || slices.Contains(op.Tags, s) {
			return true
		}
	}
	return false
}

// seedFor derives a per-operation, per-phase seed from the run's seed.
func seedFor(seed int64, parts ...string) int64 {
	h := fnv.New64a()
	fmt.Fprint(h, seed)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	return int64(h.Sum64() >> 1)
}

func (r *runner) checkEnabled(name string) bool { return slices.Contains(r.checks, name) }

// verifyOperation runs every phase for one operation.
func (r *runner) verifyOperation(ctx context.Context, op *spec.Operation) *OperationResult {
	res := newOperationResult(op, r.checks)
	for _, phase := range r.phases {
		cases, notes := r.casesFor(op, phase)
		res.Notes = append(res.Notes, notes...)
		for _, c := range cases {
			if ctx.Err() != nil {
				return res
			}
			r.execute(ctx, res, c)
		}
	}
	sort.Strings(res.Notes)
	res.Notes = slices.Compact(res.Notes)
	return res
}
