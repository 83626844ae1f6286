package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/tidwall/gjson"
)

const methods = `(GET|POST|PUT|PATCH|DELETE)`

func (st *steps) registerHTTP(sc *godog.ScenarioContext) {
	sc.Step(`^the Ultra gateway is running$`, st.gatewayRunning)
	sc.Step(`^I send `+methods+` "([^"]*)"$`, func(ctx context.Context, method, path string) (context.Context, error) {
		_, err := st.send(ctx, Request{Method: method, Path: path})
		return ctx, err
	})
	sc.Step(`^I send `+methods+` "([^"]*)" with the header "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, method, path, name, value string) (context.Context, error) {
		_, err := st.send(ctx, Request{Method: method, Path: path, Header: http.Header{http.CanonicalHeaderKey(name): {value}}})
		return ctx, err
	})
	sc.Step(`^I send `+methods+` "([^"]*)" with:$`, func(ctx context.Context, method, path string, body *godog.DocString) (context.Context, error) {
		_, err := st.send(ctx, Request{Method: method, Path: path, Body: []byte(body.Content)})
		return ctx, err
	})
	// Deliberately invalid requests: the request is not checked against the contract (it is meant to
	// violate it), the response is.
	sc.Step(`^I send the non-conforming request `+methods+` "([^"]*)" with:$`, func(ctx context.Context, method, path string, body *godog.DocString) (context.Context, error) {
		_, err := st.send(ctx, Request{Method: method, Path: path, Body: []byte(body.Content), NonConforming: true})
		return ctx, err
	})
	sc.Step(`^I send the non-conforming request `+methods+` "([^"]*)" without credentials$`, func(ctx context.Context, method, path string) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		s.auth = ""
		_, err = st.send(ctx, Request{Method: method, Path: path, NonConforming: true})
		return ctx, err
	})
	sc.Step(`^I send the non-conforming request `+methods+` "([^"]*)" with the right test-mode secret$`, func(ctx context.Context, method, path string) (context.Context, error) {
		secret := st.target.Capabilities().TestModeSecret
		if secret == "" {
			return ctx, fmt.Errorf("expected the target to know its TEST_MODE_SECRET, got none")
		}
		_, err := st.send(ctx, Request{Method: method, Path: path, NonConforming: true, Header: http.Header{"X-Test-Mode": {secret}}})
		return ctx, err
	})
	sc.Step(`^I send the non-conforming request `+methods+` "([^"]*)" with the test-mode secret "([^"]*)"$`, func(ctx context.Context, method, path, secret string) (context.Context, error) {
		_, err := st.send(ctx, Request{Method: method, Path: path, NonConforming: true, Header: http.Header{"X-Test-Mode": {secret}}})
		return ctx, err
	})
	sc.Step(`^I request an? "([^"]*)" analysis of "([^"]*)" by "([^"]*)" synthesized by "([^"]*)"$`, func(ctx context.Context, pattern, prompt, models, ultra string) (context.Context, error) {
		_, err := st.send(ctx, analyzeRequest(pattern, prompt, models, ultra))
		return ctx, err
	})
	sc.Step(`^I request "([^"]*)" analyses of "([^"]*)" by "([^"]*)" synthesized by "([^"]*)" until one answers (\d+), at most (\d+) times$`, func(ctx context.Context, pattern, prompt, models, ultra string, status, most int) (context.Context, error) {
		return ctx, st.until(ctx, analyzeRequest(pattern, prompt, models, ultra), status, most)
	})
	sc.Step(`^I request "([^"]*)" analyses by "([^"]*)" as many times as the "([^"]*)" breaker's failure threshold$`, func(ctx context.Context, pattern, model, provider string) (context.Context, error) {
		x, err := st.send(ctx, Request{Method: http.MethodGet, Path: "/api/health/circuit-breakers"})
		if err != nil {
			return ctx, err
		}
		n := int(gjson.GetBytes(x.Body, "breakers."+provider+".failure_threshold").Int())
		if n < 1 || n > 50 {
			return ctx, fmt.Errorf("expected a failure threshold between 1 and 50 for %s, got %d\n  exchange: %s", provider, n, x)
		}
		for i := 0; i < n; i++ {
			if _, err := st.send(ctx, analyzeRequest(pattern, "Trip the breaker: answer with one word.", model, model)); err != nil {
				return ctx, err
			}
		}
		return ctx, nil
	})
	sc.Step(`^I send `+methods+` "([^"]*)" until it answers (\d+), at most (\d+) times$`, func(ctx context.Context, method, path string, status, most int) (context.Context, error) {
		return ctx, st.until(ctx, Request{Method: method, Path: path}, status, most)
	})
	sc.Step(`^I wait for the Retry-After time of the last 429$`, func(ctx context.Context) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		if s.last429 == nil {
			return ctx, fmt.Errorf("expected an earlier 429 response in this scenario, got none")
		}
		secs, err := strconv.Atoi(s.last429.Header.Get("Retry-After"))
		if err != nil || secs < 0 {
			return ctx, fmt.Errorf("expected Retry-After to be a number of seconds, got %q\n  exchange: %s", s.last429.Header.Get("Retry-After"), s.last429)
		}
		if secs > 120 {
			return ctx, fmt.Errorf("expected a Retry-After of at most 120 seconds for this suite, got %d", secs)
		}
		return ctx, sleep(ctx, time.Duration(secs)*time.Second+100*time.Millisecond)
	})
	sc.Step(`^within (\d+) seconds GET "([^"]*)" answers (\d+)$`, func(ctx context.Context, secs int, path string, status int) (context.Context, error) {
		return ctx, st.eventually(ctx, secs, path, fmt.Sprintf("status %d", status), func(x *Exchange) bool { return x.Status == status })
	})
	sc.Step(`^within (\d+) seconds GET "([^"]*)" has "([^"]*)" equal to one of "([^"]*)"$`, func(ctx context.Context, secs int, path, field, options string) (context.Context, error) {
		want := list(options)
		return ctx, st.eventually(ctx, secs, path, fmt.Sprintf("%s one of %s", field, options), func(x *Exchange) bool {
			return x.Status == 200 && slices.Contains(want, gjson.GetBytes(x.Body, field).String())
		})
	})
	sc.Step(`^within (\d+) seconds GET "([^"]*)" has "([^"]*)" equal to `+jsonLiteral+`$`, func(ctx context.Context, secs int, path, field, literal string) (context.Context, error) {
		var want any
		if err := json.Unmarshal([]byte(literal), &want); err != nil {
			return ctx, fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
		}
		return ctx, st.eventually(ctx, secs, path, fmt.Sprintf("%s = %s", field, literal), func(x *Exchange) bool {
			return x.Status == 200 && jsonEqual(gjson.GetBytes(x.Body, field).Value(), want)
		})
	})
}

func (st *steps) gatewayRunning(ctx context.Context) (context.Context, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	s.base = st.target.BaseURL()
	x, err := st.send(ctx, Request{Method: http.MethodGet, Path: "/api/health/live"})
	if err != nil {
		return ctx, err
	}
	if x.Status != 200 {
		return ctx, fmt.Errorf("expected GET /api/health/live to answer 200, got %d\n  exchange: %s", x.Status, x)
	}
	return ctx, nil
}

func analyzeRequest(pattern, prompt, models, ultra string) Request {
	body, _ := json.Marshal(map[string]any{ // a map of strings and a string slice always marshals
		"prompt":          prompt,
		"selected_models": list(models),
		"ultra_model":     ultra,
		"pattern":         pattern,
	})
	return Request{Method: http.MethodPost, Path: "/api/analyze", Body: body}
}

// list splits "a, b, c" into its trimmed, non-empty items.
func list(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// until repeats r until it answers status, at most n times; the matching exchange is the last one.
func (st *steps) until(ctx context.Context, r Request, status, n int) error {
	var statuses []int
	for i := 0; i < n; i++ {
		x, err := st.send(ctx, r)
		if err != nil {
			return err
		}
		if x.Status == status {
			return nil
		}
		statuses = append(statuses, x.Status)
	}
	return fmt.Errorf("expected %s %s to answer %d within %d requests, got %s", r.Method, r.Path, status, n, summarizeStatuses(statuses))
}

func summarizeStatuses(ss []int) string {
	counts := map[int]int{}
	var order []int
	for _, s := range ss {
		if counts[s] == 0 {
			order = append(order, s)
		}
		counts[s]++
	}
	var parts []string
	for _, s := range order {
		parts = append(parts, fmt.Sprintf("%d×%d", counts[s], s))
	}
	return strings.Join(parts, ", ")
}

// eventually polls GET path on the scenario's gateway until ok accepts a response or secs pass; the
// accepted exchange becomes the last one.
func (st *steps) eventually(ctx context.Context, secs int, path, want string, ok func(*Exchange) bool) error {
	deadline := time.Now().Add(time.Duration(secs) * time.Second)
	for {
		x, err := st.send(ctx, Request{Method: http.MethodGet, Path: path})
		if err != nil {
			return err
		}
		if ok(x) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("expected GET %s to show %s within %d seconds, got it still not so\n  exchange: %s", path, want, secs, x)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// jsonEqual compares a decoded JSON value with an expected one (numbers as float64).
func jsonEqual(got, want any) bool {
	g, err1 := json.Marshal(got)
	w, err2 := json.Marshal(want)
	return err1 == nil && err2 == nil && string(g) == string(w)
}

func openBreakers(body []byte) []string {
	var open []string
	gjson.GetBytes(body, "breakers").ForEach(func(k, v gjson.Result) bool {
		if v.Get("state").String() != "closed" {
			open = append(open, k.String()+"="+v.Get("state").String())
		}
		return true
	})
	return open
}
