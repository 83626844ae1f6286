package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/cucumber/godog"

	"github.com/ultra-kit/ultra/spec"
)

// steps holds what every scenario shares: the target, the validating client and the run's journal.
// Per-scenario state lives in the context (see scenario).
type steps struct {
	target  Target
	client  *Client
	doc     *spec.Document
	journal *Journal
	getenv  func(string) string // for {env:VAR}; nil reads nothing
}

// breakerSettle bounds how long the After hook waits for the breakers to close again after a scenario
// that injected faults.
const breakerSettle = 30 * time.Second

func (st *steps) register(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, p *godog.Scenario) (context.Context, error) {
		s := &scenario{id: RandomSecret(4), name: p.Name, base: st.target.BaseURL(), vars: map[string]string{},
			headers: http.Header{}, getenv: st.getenv}
		return context.WithValue(ctx, scenarioKey{}, s), nil
	})
	sc.After(func(ctx context.Context, p *godog.Scenario, err error) (context.Context, error) {
		s, serr := stateFrom(ctx)
		if serr != nil {
			return ctx, nil
		}
		for i := len(s.cleanups) - 1; i >= 0; i-- {
			s.cleanups[i]()
		}
		if s.faultsTouched {
			// Leave the system as we found it: no faults, every breaker closed, ready.
			if cerr := st.clearFaults(ctx); cerr != nil {
				return ctx, cerr
			}
			if werr := st.settle(ctx, s); werr != nil {
				return ctx, fmt.Errorf("after the scenario: %w", werr)
			}
		}
		return ctx, nil
	})
	st.registerVocabulary(sc)
}

// settle waits until every breaker of the target's gateway is closed and it is ready again. A breaker
// that is half-open after its recovery timeout is closed by one probe: an analysis with one of its
// provider's models, as a client would send.
func (st *steps) settle(ctx context.Context, s *scenario) error {
	deadline := time.Now().Add(breakerSettle)
	var last string
	probed := map[string]time.Time{}
	for {
		x, err := st.client.Do(ctx, Request{Base: st.target.BaseURL(), Method: http.MethodGet, Path: "/api/health/circuit-breakers"})
		switch {
		case err != nil:
			last = err.Error()
		case x.Status != 200:
			last = fmt.Sprintf("GET /api/health/circuit-breakers answered %d", x.Status)
		default:
			open := openBreakers(x.Body)
			if len(open) == 0 {
				r, rerr := st.client.Do(ctx, Request{Base: st.target.BaseURL(), Method: http.MethodGet, Path: "/api/health/ready"})
				if rerr == nil && r.Status == 200 {
					return nil
				}
				last = "not ready yet"
				break
			}
			last = "breakers still not closed: " + strings.Join(open, ", ")
			for _, o := range open {
				provider, state, _ := strings.Cut(o, "=")
				if state == "half_open" && time.Since(probed[provider]) > time.Second {
					probed[provider] = time.Now()
					st.probe(ctx, s, provider)
				}
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("expected the gateway to recover within %s after the faults were cleared, got %s", breakerSettle, last)
		}
		if err := sleep(ctx, 100*time.Millisecond); err != nil {
			return err
		}
	}
}

// probe sends one analysis with a model of provider, ignoring the outcome.
func (st *steps) probe(ctx context.Context, s *scenario, provider string) {
	if _, err := st.modelTarget(ctx, ""); err != nil && s.models == nil {
		return
	}
	tok, err := st.target.Token(s.identity("probe"))
	if err != nil {
		return
	}
	for name, m := range s.models {
		if m.provider == provider {
			r := analyzeRequest("gut", "Probe: answer with one word.", name, name)
			r.Base = st.target.BaseURL()
			r.Header = http.Header{"Authorization": {"Bearer " + tok}, "Content-Type": {"application/json"}}
			_, _ = st.client.Do(ctx, r)
			return
		}
	}
}

// expand interpolates the request's path, body and header values and adds the scenario's headers
// it does not set itself.
func (s *scenario) expand(r *Request) error {
	if err := s.interpolateAll(&r.Path); err != nil {
		return err
	}
	if len(r.Body) > 0 {
		b, err := s.interpolate(string(r.Body))
		if err != nil {
			return err
		}
		r.Body = []byte(b)
	}
	h := http.Header{}
	for k, vs := range r.Header {
		for _, v := range vs {
			v, err := s.interpolate(v)
			if err != nil {
				return err
			}
			h.Add(k, v)
		}
	}
	for k, vs := range s.headers {
		if _, set := h[k]; !set {
			h[k] = vs
		}
	}
	r.Header = h
	return nil
}

// send sends a request to the scenario's gateway with its credentials, records it and returns the
// exchange; contract violations and transport errors are step errors.
func (st *steps) send(ctx context.Context, r Request) (*Exchange, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return nil, err
	}
	if r.Base == "" {
		r.Base = s.base
	}
	if err := s.expand(&r); err != nil {
		return nil, err
	}
	if s.auth != "" && r.Header.Get("Authorization") == "" && r.Header.Get("X-Test-Mode") == "" {
		r.Header.Set("Authorization", s.auth)
	}
	if len(r.Body) > 0 && r.Header.Get("Content-Type") == "" {
		r.Header.Set("Content-Type", "application/json")
	}
	x, err := st.client.Do(ctx, r)
	s.record(x)
	if err != nil {
		var ce *ContractError
		if errors.As(err, &ce) {
			return x, err
		}
		return x, TargetError("%w", err)
	}
	return x, nil
}
