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

func (st *steps) sendRequest(ctx context.Context, method, path string) error {
	_, err := st.send(ctx, Request{Method: method, Path: path})
	return err
}

func (st *steps) sendWithHeader(ctx context.Context, method, path, name, value string) error {
	_, err := st.send(ctx, Request{Method: method, Path: path, Header: http.Header{http.CanonicalHeaderKey(name): {value}}})
	return err
}

func (st *steps) sendWithBody(ctx context.Context, method, path string, body *godog.DocString) error {
	_, err := st.send(ctx, Request{Method: method, Path: path, Body: []byte(body.Content)})
	return err
}

// sendNonConforming sends a deliberately invalid request: the request is not checked against the
// contract (it is meant to violate it), the response is.
func (st *steps) sendNonConforming(ctx context.Context, method, path string, body *godog.DocString) error {
	_, err := st.send(ctx, Request{Method: method, Path: path, Body: []byte(body.Content), NonConforming: true})
	return err
}

func (st *steps) sendWithoutCredentials(ctx context.Context, method, path string) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	s.auth = ""
	_, err = st.send(ctx, Request{Method: method, Path: path, NonConforming: true})
	return err
}

func (st *steps) sendUntil(ctx context.Context, method, path string, status, most int) error {
	return st.until(ctx, Request{Method: method, Path: path}, status, most)
}

func (st *steps) waitRetryAfter(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	if s.last429 == nil {
		return fmt.Errorf("expected an earlier 429 response in this scenario, got none")
	}
	secs, err := strconv.Atoi(s.last429.Header.Get("Retry-After"))
	if err != nil || secs < 0 {
		return fmt.Errorf("expected Retry-After to be a number of seconds, got %q\n  exchange: %s", s.last429.Header.Get("Retry-After"), s.last429)
	}
	if secs > 120 {
		return fmt.Errorf("expected a Retry-After of at most 120 seconds for this suite, got %d", secs)
	}
	return sleep(ctx, time.Duration(secs)*time.Second+100*time.Millisecond)
}

func (st *steps) withinStatus(ctx context.Context, secs int, path string, status int) error {
	return st.eventually(ctx, secs, path, fmt.Sprintf("status %d", status), func(x *Exchange) bool { return x.Status == status })
}

func (st *steps) withinOneOf(ctx context.Context, secs int, path, field, options string) error {
	want := list(options)
	return st.eventually(ctx, secs, path, fmt.Sprintf("%s one of %s", field, options), func(x *Exchange) bool {
		return x.Status == 200 && slices.Contains(want, gjson.GetBytes(x.Body, field).String())
	})
}

func (st *steps) withinEqual(ctx context.Context, secs int, path, field, literal string) error {
	var want any
	if err := json.Unmarshal([]byte(literal), &want); err != nil {
		return fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
	}
	return st.eventually(ctx, secs, path, fmt.Sprintf("%s = %s", field, literal), func(x *Exchange) bool {
		return x.Status == 200 && jsonEqual(gjson.GetBytes(x.Body, field).Value(), want)
	})
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
