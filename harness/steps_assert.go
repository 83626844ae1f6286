package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/cucumber/godog"
	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"

	"github.com/ultra-kit/ultra/internal/problem"
)

// jsonLiteral matches the values a step may compare a field with.
const jsonLiteral = `("[^"]*"|true|false|null|-?\d+(?:\.\d+)?)`

func (st *steps) registerAssertions(sc *godog.ScenarioContext) {
	// The mock server, addressed directly.
	sc.Step(`^I send `+methods+` "([^"]*)" to the mock server$`, func(ctx context.Context, method, path string) (context.Context, error) {
		return ctx, st.toMock(ctx, Request{Method: method, Path: path})
	})
	sc.Step(`^I send `+methods+` "([^"]*)" to the mock server with a bearer token$`, func(ctx context.Context, method, path string) (context.Context, error) {
		return ctx, st.toMock(ctx, Request{Method: method, Path: path, Header: http.Header{"Authorization": {"Bearer any.mock.token"}}})
	})
	sc.Step(`^I send `+methods+` "([^"]*)" to the mock server with the header "([^"]*)" set to "([^"]*)"$`, func(ctx context.Context, method, path, name, value string) (context.Context, error) {
		return ctx, st.toMock(ctx, Request{Method: method, Path: path, Header: http.Header{http.CanonicalHeaderKey(name): {value}}})
	})
	sc.Step(`^I send the non-conforming request `+methods+` "([^"]*)" to the mock server with:$`, func(ctx context.Context, method, path string, body *godog.DocString) (context.Context, error) {
		return ctx, st.toMock(ctx, Request{Method: method, Path: path, Body: []byte(body.Content), NonConforming: true,
			Header: http.Header{"Authorization": {"Bearer any.mock.token"}}})
	})

	sc.Step(`^the response status is (\d+)$`, func(ctx context.Context, status int) (context.Context, error) {
		return ctx, withLast(ctx, "response status", func(s *scenario, g gomega.Gomega) {
			g.Expect(s.last.Status).To(gomega.Equal(status))
		})
	})
	sc.Step(`^the response is a problem with status (\d+) and code "([^"]*)"$`, func(ctx context.Context, status int, code string) (context.Context, error) {
		return ctx, withProblem(ctx, "problem", func(s *scenario, p *problem.Problem, g gomega.Gomega) {
			g.Expect(s.last.Status).To(gomega.Equal(status), "status")
			g.Expect(p.Status).To(gomega.Equal(status), "problem status")
			g.Expect(p.Code).To(gomega.Equal(code), "problem code")
			g.Expect(p.Title).NotTo(gomega.BeEmpty(), "problem title")
			g.Expect(p.Type).NotTo(gomega.BeEmpty(), "problem type")
		})
	})
	sc.Step(`^the problem has a field error at "([^"]*)"$`, func(ctx context.Context, pointer string) (context.Context, error) {
		return ctx, withProblem(ctx, "problem errors", func(s *scenario, p *problem.Problem, g gomega.Gomega) {
			g.Expect(p.Pointers()).To(gomega.ContainElement(pointer))
		})
	})

	// Headers.
	sc.Step(`^the response header "([^"]*)" is present$`, func(ctx context.Context, name string) (context.Context, error) {
		return ctx, withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
			g.Expect(s.last.Header.Values(name)).NotTo(gomega.BeEmpty())
		})
	})
	sc.Step(`^the response header "([^"]*)" is "([^"]*)"$`, func(ctx context.Context, name, want string) (context.Context, error) {
		return ctx, withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
			g.Expect(s.last.Header.Get(name)).To(gomega.Equal(want))
		})
	})
	sc.Step(`^the response header "([^"]*)" contains "([^"]*)"$`, func(ctx context.Context, name, want string) (context.Context, error) {
		return ctx, withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
			g.Expect(s.last.Header.Get(name)).To(gomega.ContainSubstring(want))
		})
	})
	sc.Step(`^the response header "([^"]*)" is a (positive|non-negative) integer$`, func(ctx context.Context, name, kind string) (context.Context, error) {
		return ctx, withLast(ctx, "header "+name, func(s *scenario, g gomega.Gomega) {
			v := s.last.Header.Get(name)
			n, err := strconv.Atoi(v)
			g.Expect(err).NotTo(gomega.HaveOccurred(), "header %s = %q is not an integer", name, v)
			if kind == "positive" {
				g.Expect(n).To(gomega.BeNumerically(">", 0))
			} else {
				g.Expect(n).To(gomega.BeNumerically(">=", 0))
			}
		})
	})

	// Body fields (gjson paths: "a.b", "list.#.name").
	sc.Step(`^the response field "([^"]*)" is one of "([^"]*)"$`, func(ctx context.Context, path, options string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.String()).To(gomega.BeElementOf(list(options)))
		})
	})
	sc.Step(`^the response field "([^"]*)" is a non-empty string$`, func(ctx context.Context, path string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.Type).To(gomega.Equal(gjson.String), "type of %s", v.Raw)
			g.Expect(v.String()).NotTo(gomega.BeEmpty())
		})
	})
	sc.Step(`^the response field "([^"]*)" is a number at least (-?\d+(?:\.\d+)?)$`, func(ctx context.Context, path string, min float64) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.Type).To(gomega.Equal(gjson.Number), "type of %s", v.Raw)
			g.Expect(v.Float()).To(gomega.BeNumerically(">=", min))
		})
	})
	sc.Step(`^the response field "([^"]*)" is an empty list$`, func(ctx context.Context, path string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.IsArray()).To(gomega.BeTrue(), "%s is a list", v.Raw)
			g.Expect(v.Array()).To(gomega.BeEmpty())
		})
	})
	sc.Step(`^the response field "([^"]*)" is a non-empty list$`, func(ctx context.Context, path string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.IsArray()).To(gomega.BeTrue(), "%s is a list", v.Raw)
			g.Expect(v.Array()).NotTo(gomega.BeEmpty())
		})
	})
	sc.Step(`^the response field "([^"]*)" is present$`, func(ctx context.Context, path string) (context.Context, error) {
		return ctx, withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			g.Expect(j.Get(path).Exists()).To(gomega.BeTrue(), "field %s is present", path)
		})
	})
	sc.Step(`^the response field "([^"]*)" is absent$`, func(ctx context.Context, path string) (context.Context, error) {
		return ctx, withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			g.Expect(j.Get(path).Exists()).To(gomega.BeFalse(), "field %s is absent, got %s", path, j.Get(path).Raw)
		})
	})
	sc.Step(`^the response field "([^"]*)" is `+jsonLiteral+`$`, func(ctx context.Context, path, literal string) (context.Context, error) {
		var want any
		if err := json.Unmarshal([]byte(literal), &want); err != nil {
			return ctx, fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
		}
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			if want == nil {
				g.Expect(v.Value()).To(gomega.BeNil())
				return
			}
			g.Expect(v.Value()).To(gomega.Equal(want))
		})
	})
	sc.Step(`^the response field "([^"]*)" contains "([^"]*)"$`, func(ctx context.Context, path, want string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(v.String()).To(gomega.ContainSubstring(want))
		})
	})
	sc.Step(`^the response field "([^"]*)" lists "([^"]*)"$`, func(ctx context.Context, path, items string) (context.Context, error) {
		return ctx, field(ctx, path, func(v gjson.Result, g gomega.Gomega) {
			g.Expect(strs(v)).To(gomega.ContainElements(list(items)))
		})
	})
	sc.Step(`^the response field "([^"]*)" does not list "([^"]*)"$`, func(ctx context.Context, path, items string) (context.Context, error) {
		return ctx, withJSON(ctx, "field "+path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			got := strs(j.Get(path))
			for _, it := range list(items) {
				g.Expect(got).NotTo(gomega.ContainElement(it))
			}
		})
	})
	sc.Step(`^the response body does not contain the provider API keys$`, func(ctx context.Context) (context.Context, error) {
		return ctx, withLast(ctx, "secrets", func(s *scenario, g gomega.Gomega) {
			for _, k := range st.target.Capabilities().ProviderKeys {
				if k != "" {
					g.Expect(string(s.last.Body)).NotTo(gomega.ContainSubstring(k), "the body leaks a provider API key")
				}
			}
		})
	})

	// Domain assertions.
	sc.Step(`^every model in "([^"]*)" has "([^"]*)" equal to `+jsonLiteral+`$`, func(ctx context.Context, path, key, literal string) (context.Context, error) {
		var want any
		if err := json.Unmarshal([]byte(literal), &want); err != nil {
			return ctx, fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
		}
		return ctx, withJSON(ctx, path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			items := j.Get(path).Array()
			g.Expect(items).NotTo(gomega.BeEmpty())
			for _, m := range items {
				g.Expect(m.Get(key).Value()).To(gomega.Equal(want), "%s of %s", key, m.Get("name").String())
			}
		})
	})
	sc.Step(`^the model "([^"]*)" is served by "([^"]*)" as "([^"]*)"$`, func(ctx context.Context, name, provider, providerModel string) (context.Context, error) {
		return ctx, withJSON(ctx, "model "+name, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			m := modelEntry(j, name)
			g.Expect(m.Exists()).To(gomega.BeTrue(), "model %s is listed", name)
			g.Expect(m.Get("provider").String()).To(gomega.Equal(provider))
			g.Expect(m.Get("provider_model").String()).To(gomega.Equal(providerModel))
		})
	})
	sc.Step(`^the models of provider "([^"]*)" are unavailable with status "([^"]*)"$`, func(ctx context.Context, provider, status string) (context.Context, error) {
		return ctx, withJSON(ctx, "models of "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			ms := providerModels(j, provider)
			g.Expect(ms).NotTo(gomega.BeEmpty(), "provider %s has models", provider)
			for _, m := range ms {
				g.Expect(m.Get("available").Value()).To(gomega.Equal(false), "available of %s", m.Get("name"))
				g.Expect(m.Get("status").String()).To(gomega.Equal(status), "status of %s", m.Get("name"))
			}
		})
	})
	sc.Step(`^the models of provider "([^"]*)" are available$`, func(ctx context.Context, provider string) (context.Context, error) {
		return ctx, withJSON(ctx, "models of "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			ms := providerModels(j, provider)
			g.Expect(ms).NotTo(gomega.BeEmpty(), "provider %s has models", provider)
			for _, m := range ms {
				g.Expect(m.Get("available").Value()).To(gomega.Equal(true), "available of %s", m.Get("name"))
				g.Expect(m.Get("status").String()).To(gomega.Equal("ready"), "status of %s", m.Get("name"))
			}
		})
	})
	sc.Step(`^every selected model answered with text and usage$`, func(ctx context.Context) (context.Context, error) {
		return ctx, withJSON(ctx, "model responses", func(s *scenario, j gjson.Result, g gomega.Gomega) {
			selected := strs(gjson.GetBytes(s.last.RequestBody, "selected_models"))
			responses := j.Get("model_responses").Map()
			g.Expect(keys(responses)).To(gomega.ConsistOf(selected), "model_responses keys")
			for _, m := range selected {
				r := responses[m]
				g.Expect(r.Get("status").String()).To(gomega.Equal("ok"), "status of %s", m)
				g.Expect(r.Get("text").String()).NotTo(gomega.BeEmpty(), "text of %s", m)
				g.Expect(r.Get("usage.output_tokens").Exists()).To(gomega.BeTrue(), "usage of %s", m)
				g.Expect(r.Get("error").Exists()).To(gomega.BeFalse(), "error of %s", m)
			}
		})
	})
	sc.Step(`^the breaker of "([^"]*)" expects to recover within its recovery timeout$`, func(ctx context.Context, provider string) (context.Context, error) {
		return ctx, withJSON(ctx, "breaker "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
			b := j.Get("breakers." + provider)
			g.Expect(b.Get("state").String()).To(gomega.Equal("open"))
			exp := b.Get("expected_recovery_seconds")
			g.Expect(exp.Type).To(gomega.Equal(gjson.Number), "expected_recovery_seconds is a number, got %s", exp.Raw)
			g.Expect(exp.Float()).To(gomega.And(gomega.BeNumerically(">=", 0), gomega.BeNumerically("<=", b.Get("recovery_timeout_seconds").Float())))
			g.Expect(b.Get("failure_count").Int()).To(gomega.BeNumerically(">=", b.Get("failure_threshold").Int()))
			g.Expect(b.Get("last_failure_at").Type).To(gomega.Equal(gjson.String), "last_failure_at is set")
		})
	})

	// The contract, as a whole.
	sc.Step(`^every response in this scenario conformed to the contract$`, func(ctx context.Context) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		return ctx, conformed(s.exchanges)
	})
	sc.Step(`^every response seen so far in this run conformed to the contract$`, func(ctx context.Context) (context.Context, error) {
		return ctx, conformed(st.journal.Exchanges())
	})
	sc.Step(`^every operation of the contract was exercised in this scenario$`, func(ctx context.Context) (context.Context, error) {
		s, err := stateFrom(ctx)
		if err != nil {
			return ctx, err
		}
		seen := map[string]bool{}
		for _, x := range s.exchanges {
			seen[x.OperationID] = true
		}
		var missing []string
		for _, op := range st.doc.Operations() {
			if !seen[op.ID] {
				missing = append(missing, op.ID)
			}
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return ctx, fmt.Errorf("expected every operation to be exercised, got none for %s", strings.Join(missing, ", "))
		}
		return ctx, nil
	})
}

func (st *steps) toMock(ctx context.Context, r Request) error {
	base := st.target.AdminURL()
	if base == "" {
		return fmt.Errorf("expected a mock server, got none for target %s", st.target.Name())
	}
	r.Base = base
	_, err := st.send(ctx, r)
	return err
}

func conformed(xs []*Exchange) error {
	if len(xs) == 0 {
		return fmt.Errorf("expected responses to check, got none")
	}
	var bad []string
	for _, x := range xs {
		if len(x.Violations) > 0 {
			bad = append(bad, x.String())
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("expected all %d responses to conform to the contract, got %d that did not:\n  %s", len(xs), len(bad), strings.Join(bad, "\n  "))
	}
	return nil
}

func withLast(ctx context.Context, what string, fn func(*scenario, gomega.Gomega)) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	if s.last == nil {
		return fmt.Errorf("%s: expected a response, got none (no request was sent in this scenario)", what)
	}
	return s.check(what, func(g gomega.Gomega) { fn(s, g) })
}

func withJSON(ctx context.Context, what string, fn func(*scenario, gjson.Result, gomega.Gomega)) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	j, err := s.lastJSON()
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return s.check(what, func(g gomega.Gomega) { fn(s, j, g) })
}

// field checks one field of the last JSON response, failing clearly when it is missing.
func field(ctx context.Context, path string, fn func(gjson.Result, gomega.Gomega)) error {
	return withJSON(ctx, fmt.Sprintf("response field %q", path), func(s *scenario, j gjson.Result, g gomega.Gomega) {
		v := j.Get(path)
		g.Expect(v.Exists()).To(gomega.BeTrue(), "field %s is present", path)
		if v.Exists() {
			fn(v, g)
		}
	})
}

func strs(v gjson.Result) []string {
	var out []string
	for _, e := range v.Array() {
		out = append(out, e.String())
	}
	return out
}

func keys(m map[string]gjson.Result) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func modelEntry(j gjson.Result, name string) gjson.Result {
	for _, m := range j.Get("models").Array() {
		if m.Get("name").String() == name {
			return m
		}
	}
	return gjson.Result{}
}

func providerModels(j gjson.Result, provider string) []gjson.Result {
	var out []gjson.Result
	for _, m := range j.Get("models").Array() {
		if m.Get("provider").String() == provider {
			out = append(out, m)
		}
	}
	return out
}
