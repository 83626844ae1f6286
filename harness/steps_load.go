package harness

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/ultra-kit/ultra/internal/provider"
)

// GroupLoad is the group of the load and SLO steps.
const GroupLoad = "load"

// vocabLoad is the load vocabulary: send a request at a rate for a while with vegeta, then judge the
// latency percentiles, error rate, status counts and contract of every response.
func (st *steps) vocabLoad() []stepDef {
	const load = `^I send (\d+) requests per second of ` + methods + ` ` + quoted + ` for (\d+) seconds?`
	return []stepDef{
		def(GroupLoad, `^the load is spread over (\d+) users$`, `Given the load is spread over 40 users`, st.loadUsers),
		def(GroupLoad, load+`$`, `When I send 30 requests per second of GET "/api/patterns" for 10 seconds`, st.sendLoad),
		def(GroupLoad, load+` with:$`, `When I send 30 requests per second of POST "/api/analyze" for 10 seconds with: (and a """ doc string body)`, st.sendLoadWithBody),
		def(GroupLoad, `^the (p50|p90|p95|p99|max) latency is under (\d+) ms$`, `Then the p99 latency is under 800 ms`, st.latencyUnder),
		def(GroupLoad, `^the error rate is under (\d+(?:\.\d+)?)%$`, `Then the error rate is under 1% (no response or 5xx)`, st.errorRateUnder),
		def(GroupLoad, `^no response violated the contract$`, `Then no response violated the contract (of the scenario's load steps)`, st.noLoadViolation),
		def(GroupLoad, `^the status counts are:$`, `Then the status counts are: (and a | status | count | table; a count may be "at least N" or "at most N")`, st.statusCounts),
		def(GroupMock, `^every mock provider answers with a p50 latency of (\d+) ms and a p99 of (\d+) ms$`, `Given every mock provider answers with a p50 latency of 40 ms and a p99 of 250 ms`, st.providersLatency),
	}
}

func (st *steps) loadUsers(ctx context.Context, n int) (context.Context, error) {
	if n < 1 || n > 10000 {
		return ctx, fmt.Errorf("step: between 1 and 10000 users, got %d", n)
	}
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	s.loadUsers = n
	return ctx, nil
}

func (st *steps) sendLoad(ctx context.Context, rate int, method, path string, secs int) (context.Context, error) {
	return st.load(ctx, rate, secs, Request{Method: method, Path: path})
}

func (st *steps) sendLoadWithBody(ctx context.Context, rate int, method, path string, secs int, body *godog.DocString) (context.Context, error) {
	return st.load(ctx, rate, secs, Request{Method: method, Path: path, Body: []byte(body.Content)})
}

func (st *steps) load(ctx context.Context, rate, secs int, r Request) (context.Context, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	if r, err = s.loadRequest(r); err != nil {
		return ctx, err
	}
	p := loadPlan{req: r, rate: rate, duration: time.Duration(secs) * time.Second}
	if err := checkPlan(p, st.getenv); err != nil {
		return ctx, err
	}
	if s.loadUsers > 0 {
		if p.auth, err = st.loadAuth(s, s.loadUsers); err != nil {
			return ctx, err
		}
	}
	rep, err := st.runLoad(ctx, p)
	if err != nil {
		return ctx, err
	}
	s.loads = append(s.loads, rep)
	return godog.Attach(ctx, godog.Attachment{Body: []byte(rep.Summary()), FileName: "load.txt", MediaType: "text/plain"},
		godog.Attachment{Body: []byte(rep.HDRPlot), FileName: "latency.hdr", MediaType: "text/plain"}), nil
}

var errNoLoad = errors.New("expected a load step before this one, got none (When I send 30 requests per second of ...)")

// lastLoad is the report of the scenario's last load step.
func lastLoad(ctx context.Context) (*LoadReport, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return nil, err
	}
	if len(s.loads) == 0 {
		return nil, errNoLoad
	}
	return s.loads[len(s.loads)-1], nil
}

func (st *steps) latencyUnder(ctx context.Context, which string, limit int) error {
	rep, err := lastLoad(ctx)
	if err != nil {
		return err
	}
	got := map[string]time.Duration{"p50": rep.P50, "p90": rep.P90, "p95": rep.P95, "p99": rep.P99, "max": rep.Max}[which]
	if want := time.Duration(limit) * time.Millisecond; got >= want {
		return fmt.Errorf("expected the %s latency under %s, got %s\n  %s", which, want, ms3(got), indent(rep.Summary()))
	}
	return nil
}

func (st *steps) errorRateUnder(ctx context.Context, pct string) error {
	rep, err := lastLoad(ctx)
	if err != nil {
		return err
	}
	limit, err := strconv.ParseFloat(pct, 64)
	if err != nil {
		return fmt.Errorf("step: %s is not a percentage: %w", pct, err)
	}
	if got := 100 * rep.ErrorRate(); got >= limit {
		return fmt.Errorf("expected an error rate (no response or 5xx) under %s%%, got %.2f%% (%d of %d)\n  %s", pct, got, rep.Failed,
			rep.Requests, indent(rep.Summary()))
	}
	return nil
}

func (st *steps) noLoadViolation(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	if len(s.loads) == 0 {
		return errNoLoad
	}
	var msgs []string
	for _, rep := range s.loads {
		if rep.Violations == 0 {
			continue
		}
		msgs = append(msgs, fmt.Sprintf("%d of %d responses of %s %s violated it", rep.Violations, rep.Requests, rep.Method, rep.URL))
		for _, x := range rep.Violating {
			msgs = append(msgs, "  "+strings.ReplaceAll(x.String(), "\n", "\n  "))
		}
	}
	if len(msgs) > 0 {
		return fmt.Errorf("expected every response of the load to conform to the contract, got:\n  %s", strings.Join(msgs, "\n  "))
	}
	return nil
}

// countRule is one row of a status-count table.
type countRule struct {
	status   int
	min, max int
	text     string
}

func parseCountRule(status, count string) (countRule, error) {
	code, err := strconv.Atoi(strings.TrimSpace(status))
	if err != nil || (code != 0 && (code < 100 || code > 599)) {
		return countRule{}, fmt.Errorf("step: %q is not a status (100-599, or 0 for no response)", status)
	}
	count = strings.TrimSpace(count)
	r := countRule{status: code, max: -1, text: count}
	word, num := "", count
	if rest, ok := strings.CutPrefix(count, "at least "); ok {
		word, num = "min", rest
	} else if rest, ok := strings.CutPrefix(count, "at most "); ok {
		word, num = "max", rest
	}
	n, err := strconv.Atoi(strings.TrimSpace(num))
	if err != nil || n < 0 {
		return countRule{}, fmt.Errorf("step: count %q is not N, \"at least N\" or \"at most N\"", count)
	}
	switch word {
	case "min":
		r.min = n
	case "max":
		r.max = n
	default:
		r.min, r.max = n, n
	}
	return r, nil
}

// statusCounts checks the last load's statuses against a | status | count | table: every status seen
// must be listed, and every listed status must match its count.
func (st *steps) statusCounts(ctx context.Context, table *godog.Table) error {
	rep, err := lastLoad(ctx)
	if err != nil {
		return err
	}
	rules := map[int]countRule{}
	for i, row := range table.Rows {
		if len(row.Cells) != 2 {
			return fmt.Errorf("step: each row is | status | count |, row %d has %d cells", i+1, len(row.Cells))
		}
		if i == 0 && strings.EqualFold(strings.TrimSpace(row.Cells[0].Value), "status") {
			continue
		}
		r, err := parseCountRule(row.Cells[0].Value, row.Cells[1].Value)
		if err != nil {
			return err
		}
		rules[r.status] = r
	}
	var bad []string
	for code, n := range rep.Statuses {
		if _, listed := rules[code]; !listed {
			bad = append(bad, fmt.Sprintf("%d responses with status %d, which the table does not list", n, code))
		}
	}
	for code, r := range rules {
		n := rep.Statuses[code]
		if n < r.min || (r.max >= 0 && n > r.max) {
			bad = append(bad, fmt.Sprintf("status %d: expected %s, got %d", code, r.text, n))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("expected the status counts of the table, got:\n  %s\n  %s", strings.Join(bad, "\n  "), indent(rep.Summary()))
	}
	return nil
}

func (st *steps) providersLatency(ctx context.Context, p50, p99 int) error {
	if p99 < p50 {
		return fmt.Errorf("step: the p99 (%d ms) is below the p50 (%d ms)", p99, p50)
	}
	for _, name := range provider.Names() {
		f := map[string]any{"target": name, "p50": fmt.Sprintf("%dms", p50), "p99": fmt.Sprintf("%dms", p99)}
		if err := st.addFault(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

func indent(s string) string { return strings.ReplaceAll(s, "\n", "\n  ") }
