package harness

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/ultra-kit/ultra/spec"
)

// Bounds of one load step, so a typo in a feature cannot flood a machine.
const (
	maxLoadRate     = 2000
	maxLoadDuration = 5 * time.Minute
	maxLoadRequests = 50000
	// loadTimeout bounds each request of a load step; a request that takes longer counts as no response.
	loadTimeout = 30 * time.Second
	// loadViolationsKept bounds how many violating responses a load step keeps with their bodies.
	loadViolationsKept = 5
	// AnyHostEnv set to 1 lets load steps send to a host that is not loopback.
	AnyHostEnv = "ULTRA_LOAD_ANY_HOST"
)

// loadPlan is one load step: the request to repeat, how fast and for how long.
type loadPlan struct {
	req      Request
	rate     int
	duration time.Duration
	// auth are Authorization values sent in turn (one per user); nil sends the request's own.
	auth []string
}

// LoadReport is what one load step measured, for the steps that judge it, the summary and the HTML
// report. Latencies are vegeta's (a t-digest over every response, HDR-style percentiles).
type LoadReport struct {
	// Method and URL of the repeated request.
	Method, URL string
	// Rate (per second), Duration and Users are what the step asked for (Users 0: the scenario's
	// own credentials).
	Rate     int
	Duration time.Duration
	Users    int
	// Requests is how many were sent; Throughput how many 2xx/3xx responses arrived per second.
	Requests   int
	Throughput float64
	// Latency percentiles of every response (and of requests that got none, up to their timeout).
	P50, P90, P95, P99, Max, Mean time.Duration
	// Percentiles are the HDR plot's points: quantile and latency, from 0 to 0.9999.
	Percentiles []LoadPercentile
	// HDRPlot is vegeta's hdrplot report of the latencies (the HdrHistogram plotter's text format).
	HDRPlot string
	// Statuses counts responses by status; 0 counts requests that got no response.
	Statuses map[int]int
	// Failed counts requests with no response or a 5xx status (what the error rate is made of).
	Failed int
	// Errors are the distinct transport errors, at most a few.
	Errors []string
	// Timeline is the responses per interval of the run, by when they were sent.
	Timeline []LoadInterval
	// Providers are the upstream latencies per provider during the run, from the gateway's
	// ultra_llm_request_duration_seconds histogram (empty when the target exports none).
	Providers []ProviderLatency
	// Violations counts responses that violated the contract; Violating keeps the first few.
	Violations int
	Violating  []*Exchange
}

// LoadPercentile is one point of the latency distribution.
type LoadPercentile struct {
	Quantile float64
	Latency  time.Duration
}

// LoadInterval is one slice of the run's timeline.
type LoadInterval struct {
	// Start is the offset from the start of the run; the interval lasts LoadReport.IntervalWidth.
	Start time.Duration
	// OK and Failed count the requests sent in the interval by outcome (Failed: no response or 5xx);
	// Other counts the rest (4xx).
	OK, Other, Failed int
}

// ErrorRate is the fraction of requests that got no response or a 5xx status.
func (r *LoadReport) ErrorRate() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Failed) / float64(r.Requests)
}

// IntervalWidth is the width of each timeline interval: a fifth of a second for runs under 5 s,
// else a second.
func (r *LoadReport) IntervalWidth() time.Duration {
	if r.Duration < 5*time.Second {
		return 200 * time.Millisecond
	}
	return time.Second
}

// Summary is the report in a few lines, as the scenario output and the run summary show it.
func (r *LoadReport) Summary() string {
	var b strings.Builder
	users := "the scenario's credentials"
	if r.Users > 0 {
		users = strconv.Itoa(r.Users) + " users"
	}
	fmt.Fprintf(&b, "load: %s %s at %d/s for %s as %s: %d requests, %.1f ok/s, error rate %.2f%%\n",
		r.Method, r.URL, r.Rate, r.Duration, users, r.Requests, r.Throughput, 100*r.ErrorRate())
	fmt.Fprintf(&b, "  latency p50 %s, p90 %s, p95 %s, p99 %s, max %s, mean %s\n", ms3(r.P50), ms3(r.P90), ms3(r.P95),
		ms3(r.P99), ms3(r.Max), ms3(r.Mean))
	fmt.Fprintf(&b, "  statuses %s; %d violated the contract\n", statusList(r.Statuses), r.Violations)
	for _, p := range r.Providers {
		fmt.Fprintf(&b, "  provider %s: %d calls, p50 %s, p99 %s\n", p.Provider, p.Calls, ms3(p.P50), ms3(p.P99))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "  no response: %s\n", e)
	}
	return strings.TrimRight(b.String(), "\n")
}

func ms3(d time.Duration) string { return d.Round(100 * time.Microsecond).String() }

func statusList(m map[int]int) string {
	codes := make([]int, 0, len(m))
	for c := range m {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		name := strconv.Itoa(c)
		if c == 0 {
			name = "no response"
		}
		parts = append(parts, fmt.Sprintf("%s: %d", name, m[c]))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

// checkPlan refuses plans beyond the bounds, and hosts that are not loopback unless
// ULTRA_LOAD_ANY_HOST=1.
func checkPlan(p loadPlan, getenv func(string) string) error {
	switch {
	case p.rate < 1 || p.rate > maxLoadRate:
		return fmt.Errorf("step: a load rate must be between 1 and %d per second, got %d", maxLoadRate, p.rate)
	case p.duration <= 0 || p.duration > maxLoadDuration:
		return fmt.Errorf("step: a load must last between 1 s and %s, got %s", maxLoadDuration, p.duration)
	case float64(p.rate)*p.duration.Seconds() > maxLoadRequests:
		return fmt.Errorf("step: a load step sends at most %d requests, got %d/s for %s", maxLoadRequests, p.rate, p.duration)
	}
	u, err := url.Parse(p.req.Base)
	if err != nil {
		return fmt.Errorf("step: bad base URL %q: %w", p.req.Base, err)
	}
	if !isLoopback(u.Hostname()) && (getenv == nil || getenv(AnyHostEnv) != "1") {
		return fmt.Errorf("step: load is only sent to loopback hosts, got %s (set %s=1 to load another host)", u.Host, AnyHostEnv)
	}
	return nil
}

// isLoopback reports whether host is localhost or a loopback IP.
func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// runLoad validates the plan's request against the contract, sends it at the plan's rate with vegeta,
// and validates every response. It returns a contract error when the request itself does not conform.
func (st *steps) runLoad(ctx context.Context, p loadPlan) (*LoadReport, error) {
	rel, err := url.Parse(p.req.Path)
	if err != nil {
		return nil, fmt.Errorf("step: bad path %q: %w", p.req.Path, err)
	}
	full := strings.TrimRight(p.req.Base, "/") + p.req.Path
	u, err := url.Parse(full)
	if err != nil {
		return nil, fmt.Errorf("step: bad URL %q: %w", full, err)
	}
	m, err := st.doc.Find(p.req.Method, rel.EscapedPath())
	if err != nil {
		return nil, &ContractError{Side: "request", Exchange: &Exchange{Method: p.req.Method, URL: full}, Err: err}
	}
	op := m.Operation
	probe := p.req
	if len(p.auth) > 0 {
		probe.Header = probe.Header.Clone()
		probe.Header.Set("Authorization", p.auth[0])
	}
	if verr := op.ValidateRequest(contractRequest(ctx, probe, rel, u.Host)); verr != nil {
		var ves spec.ValidationErrors
		errors.As(verr, &ves)
		x := &Exchange{Method: p.req.Method, URL: full, RequestHeader: probe.Header, RequestBody: p.req.Body, Violations: ves}
		return nil, &ContractError{Side: "request", Exchange: x, Errs: ves, Err: verr}
	}
	before := st.providerHistograms(ctx, p.req.Base)
	results, metrics := attack(ctx, p, full)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := newLoadReport(p, full, metrics, results)
	st.checkResults(ctx, rep, op, probe, rel, u.Host, results)
	if before != nil {
		if after := st.providerHistograms(ctx, p.req.Base); after != nil {
			rep.Providers = providerLatencies(before, after)
		}
	}
	return rep, nil
}

// attack sends the plan's request at its rate for its duration and returns every result (stopping
// early when ctx ends) and vegeta's metrics over them.
func attack(ctx context.Context, p loadPlan, full string) ([]*vegeta.Result, *vegeta.Metrics) {
	var n atomic.Uint64
	targeter := func(t *vegeta.Target) error {
		t.Method, t.URL, t.Body = p.req.Method, full, p.req.Body
		t.Header = p.req.Header.Clone()
		if len(p.auth) > 0 {
			t.Header.Set("Authorization", p.auth[(n.Add(1)-1)%uint64(len(p.auth))])
		}
		return nil
	}
	a := vegeta.NewAttacker(vegeta.Timeout(loadTimeout), vegeta.KeepAlive(true), vegeta.Redirects(vegeta.NoFollow))
	done := make(chan struct{})
	defer close(done)
	go func() {
		select {
		case <-ctx.Done():
			a.Stop()
		case <-done:
		}
	}()
	var results []*vegeta.Result
	m := &vegeta.Metrics{}
	for r := range a.Attack(targeter, vegeta.Rate{Freq: p.rate, Per: time.Second}, p.duration, "ultra") {
		m.Add(r)
		results = append(results, r)
	}
	m.Close()
	return results, m
}

// hdrQuantiles are the points of the latency distribution a report keeps.
func hdrQuantiles() []float64 {
	return []float64{0, .1, .2, .3, .4, .5, .55, .6, .65, .7, .75, .8, .85, .875, .9, .925, .95, .9625, .975,
		.98125, .9875, .99, .995, .999, .9999}
}

func newLoadReport(p loadPlan, full string, m *vegeta.Metrics, results []*vegeta.Result) *LoadReport {
	rep := &LoadReport{Method: p.req.Method, URL: full, Rate: p.rate, Duration: p.duration, Users: len(p.auth),
		Requests: int(m.Requests), Throughput: m.Throughput, P50: m.Latencies.P50, P90: m.Latencies.P90,
		P95: m.Latencies.P95, P99: m.Latencies.P99, Max: m.Latencies.Max, Mean: m.Latencies.Mean, Statuses: map[int]int{}}
	for _, q := range hdrQuantiles() {
		rep.Percentiles = append(rep.Percentiles, LoadPercentile{Quantile: q, Latency: m.Latencies.Quantile(q)})
	}
	var plot strings.Builder
	if vegeta.NewHDRHistogramPlotReporter(m).Report(&plot) == nil {
		rep.HDRPlot = plot.String()
	}
	width := rep.IntervalWidth()
	rep.Timeline = make([]LoadInterval, int((p.duration+width-1)/width))
	for i := range rep.Timeline {
		rep.Timeline[i].Start = time.Duration(i) * width
	}
	seen := map[string]bool{}
	for _, r := range results {
		code := int(r.Code)
		rep.Statuses[code]++
		failed := code == 0 || code >= 500
		if failed {
			rep.Failed++
		}
		if code == 0 && !seen[r.Error] && len(rep.Errors) < 5 {
			seen[r.Error] = true
			rep.Errors = append(rep.Errors, r.Error)
		}
		i := int(r.Timestamp.Sub(m.Earliest) / width)
		if i >= 0 && i < len(rep.Timeline) {
			switch {
			case failed:
				rep.Timeline[i].Failed++
			case code < 400:
				rep.Timeline[i].OK++
			default:
				rep.Timeline[i].Other++
			}
		}
	}
	return rep
}

// checkResults validates every response against op, records each in the run's journal (bodies only
// for violating ones, to keep memory bounded) and counts the violations.
func (st *steps) checkResults(ctx context.Context, rep *LoadReport, op *spec.Operation, req Request, rel *url.URL, host string, results []*vegeta.Result) {
	hdr := req.Header.Clone()
	for _, r := range results {
		x := &Exchange{Method: req.Method, URL: rep.URL, RequestHeader: hdr, RequestBody: req.Body, Status: int(r.Code),
			Duration: r.Latency, OperationID: op.ID}
		if r.Code != 0 {
			verr := op.ValidateResponseParts(contractRequest(ctx, req, rel, host), int(r.Code), r.Headers, r.Body)
			if verr != nil {
				var ves spec.ValidationErrors
				errors.As(verr, &ves)
				if len(ves) == 0 {
					ves = spec.ValidationErrors{{In: spec.InBody, Reason: verr.Error()}}
				}
				x.Violations, x.Header, x.Body = ves, r.Headers, r.Body
				rep.Violations++
				if len(rep.Violating) < loadViolationsKept {
					rep.Violating = append(rep.Violating, x)
				}
			}
		}
		st.journal.add(x)
	}
}

// loadAuth mints one token per user (users distinct per scenario), as Authorization values.
func (st *steps) loadAuth(s *scenario, users int) ([]string, error) {
	out := make([]string, 0, users)
	for i := range users {
		tok, err := st.target.Token(s.identity("load-user-" + strconv.Itoa(i+1)))
		if err != nil {
			return nil, fmt.Errorf("expected a token for load user %d, got %w", i+1, err)
		}
		out = append(out, "Bearer "+tok)
	}
	return out, nil
}

// loadRequest expands r like send does (interpolation, the scenario's headers and credentials).
func (s *scenario) loadRequest(r Request) (Request, error) {
	if r.Base == "" {
		r.Base = s.base
	}
	if err := s.expand(&r); err != nil {
		return r, err
	}
	if s.auth != "" && r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", s.auth)
	}
	if len(r.Body) > 0 && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	return r, nil
}
