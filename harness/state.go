package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/ultra-kit/ultra/gateway"
	"github.com/ultra-kit/ultra/internal/problem"
)

// scenarioKey is the context key of a scenario's state, set by the Before hook.
type scenarioKey struct{}

// scenario is the state of one running scenario. Each scenario has its own; steps reach it through
// the context, so scenarios can run concurrently.
type scenario struct {
	id   string // unique per scenario, appended to identities so rate limits never leak between scenarios
	name string

	base      string      // gateway root URL for the steps (the target's, or an extra gateway's)
	auth      string      // Authorization header value; "" sends none
	headers   http.Header // sent on every later request ("the header ... is ...")
	vars      map[string]string
	getenv    func(string) string // for {env:VAR}; nil reads nothing
	exchanges []*Exchange
	last      *Exchange
	last429   *Exchange

	faultsTouched bool
	models        map[string]modelInfo // gateway model name -> provider info, from /api/available-models

	env    map[string]string // configuration scenarios
	cfg    gateway.Config
	cfgErr error
	loaded bool

	loadUsers int           // load steps mint a token per user; 0 sends the scenario's credentials
	loads     []*LoadReport // the scenario's load steps, in order

	cleanups []func()
}

type modelInfo struct{ provider, providerModel string }

func stateFrom(ctx context.Context) (*scenario, error) {
	s, ok := ctx.Value(scenarioKey{}).(*scenario)
	if !ok {
		return nil, errors.New("harness: no scenario state in the context (Before hook not run)")
	}
	return s, nil
}

// identity turns a name from a feature into a subject unique to this scenario.
func (s *scenario) identity(name string) string { return name + "-" + s.id }

func (s *scenario) record(x *Exchange) {
	if x == nil {
		return
	}
	s.exchanges = append(s.exchanges, x)
	s.last = x
	if x.Status == 429 {
		s.last429 = x
	}
}

// lastJSON returns the last response body as parsed JSON.
func (s *scenario) lastJSON() (gjson.Result, error) {
	if s.last == nil {
		return gjson.Result{}, errors.New("expected a response, got none (no request was sent in this scenario)")
	}
	if !gjson.ValidBytes(s.last.Body) {
		return gjson.Result{}, fmt.Errorf("expected a JSON response body, got %s\n  exchange: %s", excerpt(s.last.Body), s.last)
	}
	return gjson.ParseBytes(s.last.Body), nil
}

// withProblem runs gomega assertions on the last response parsed as an RFC 9457 problem document;
// a response that is not one fails the step with the reason.
func withProblem(ctx context.Context, what string, fn func(*scenario, *problem.Problem, gomega.Gomega)) error {
	return withLast(ctx, what, func(s *scenario, g gomega.Gomega) {
		p, err := problem.ParseBody(s.last.Header.Get("Content-Type"), s.last.Body)
		if err != nil {
			g.Expect(err).NotTo(gomega.HaveOccurred(), "response is a problem document")
			return
		}
		fn(s, p, g)
	})
}

// check runs gomega assertions and turns their failures into one error ("Expected X to equal Y"),
// quoting the last exchange. It never panics.
func (s *scenario) check(what string, fn func(g gomega.Gomega)) error {
	var msgs []string
	g := gomega.NewGomega(func(message string, _ ...int) { msgs = append(msgs, message) })
	fn(g)
	if len(msgs) == 0 {
		return nil
	}
	msg := what + ": " + strings.Join(msgs, "\n")
	if s.last != nil {
		msg += "\n  exchange: " + s.last.String()
	}
	return errors.New(msg)
}
