package harness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"

	"github.com/onsi/gomega"
	"github.com/tidwall/gjson"
)

// The steps of this file know the Ultra contract: its analyze endpoint, test mode, models and
// breakers.

func (st *steps) gatewayRunning(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	s.base = st.target.BaseURL()
	x, err := st.send(ctx, Request{Method: http.MethodGet, Path: "/api/health/live"})
	if err != nil {
		return err
	}
	if x.Status != 200 {
		return fmt.Errorf("expected GET /api/health/live to answer 200, got %d\n  exchange: %s", x.Status, x)
	}
	return nil
}

func (st *steps) sendWithRightTestMode(ctx context.Context, method, path string) error {
	secret := st.target.Capabilities().TestModeSecret
	if secret == "" {
		return fmt.Errorf("expected the target to know its TEST_MODE_SECRET, got none")
	}
	return st.sendWithTestMode(ctx, method, path, secret)
}

func (st *steps) sendWithTestMode(ctx context.Context, method, path, secret string) error {
	_, err := st.send(ctx, Request{Method: method, Path: path, NonConforming: true, Header: http.Header{"X-Test-Mode": {secret}}})
	return err
}

func (st *steps) requestAnalysis(ctx context.Context, pattern, prompt, models, ultra string) error {
	_, err := st.send(ctx, analyzeRequest(pattern, prompt, models, ultra))
	return err
}

func (st *steps) requestAnalysesUntil(ctx context.Context, pattern, prompt, models, ultra string, status, most int) error {
	return st.until(ctx, analyzeRequest(pattern, prompt, models, ultra), status, most)
}

func (st *steps) tripBreaker(ctx context.Context, pattern, model, provider string) error {
	x, err := st.send(ctx, Request{Method: http.MethodGet, Path: "/api/health/circuit-breakers"})
	if err != nil {
		return err
	}
	n := int(gjson.GetBytes(x.Body, "breakers."+provider+".failure_threshold").Int())
	if n < 1 || n > 50 {
		return fmt.Errorf("expected a failure threshold between 1 and 50 for %s, got %d\n  exchange: %s", provider, n, x)
	}
	for i := 0; i < n; i++ {
		if _, err := st.send(ctx, analyzeRequest(pattern, "Trip the breaker: answer with one word.", model, model)); err != nil {
			return err
		}
	}
	return nil
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

func (st *steps) noProviderKeys(ctx context.Context) error {
	return withLast(ctx, "secrets", func(s *scenario, g gomega.Gomega) {
		for _, k := range st.target.Capabilities().ProviderKeys {
			if k != "" {
				g.Expect(string(s.last.Body)).NotTo(gomega.ContainSubstring(k), "the body leaks a provider API key")
			}
		}
	})
}

func (st *steps) everyModelHas(ctx context.Context, path, key, literal string) error {
	var want any
	if err := json.Unmarshal([]byte(literal), &want); err != nil {
		return fmt.Errorf("step: %s is not a JSON value: %w", literal, err)
	}
	return withJSON(ctx, path, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		items := j.Get(path).Array()
		g.Expect(items).NotTo(gomega.BeEmpty())
		for _, m := range items {
			g.Expect(m.Get(key).Value()).To(gomega.Equal(want), "%s of %s", key, m.Get("name").String())
		}
	})
}

func (st *steps) modelServedBy(ctx context.Context, name, provider, providerModel string) error {
	return withJSON(ctx, "model "+name, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		m := modelEntry(j, name)
		g.Expect(m.Exists()).To(gomega.BeTrue(), "model %s is listed", name)
		g.Expect(m.Get("provider").String()).To(gomega.Equal(provider))
		g.Expect(m.Get("provider_model").String()).To(gomega.Equal(providerModel))
	})
}

func (st *steps) providerUnavailable(ctx context.Context, provider, status string) error {
	return withJSON(ctx, "models of "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		ms := providerModels(j, provider)
		g.Expect(ms).NotTo(gomega.BeEmpty(), "provider %s has models", provider)
		for _, m := range ms {
			g.Expect(m.Get("available").Value()).To(gomega.Equal(false), "available of %s", m.Get("name"))
			g.Expect(m.Get("status").String()).To(gomega.Equal(status), "status of %s", m.Get("name"))
		}
	})
}

func (st *steps) providerAvailable(ctx context.Context, provider string) error {
	return withJSON(ctx, "models of "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		ms := providerModels(j, provider)
		g.Expect(ms).NotTo(gomega.BeEmpty(), "provider %s has models", provider)
		for _, m := range ms {
			g.Expect(m.Get("available").Value()).To(gomega.Equal(true), "available of %s", m.Get("name"))
			g.Expect(m.Get("status").String()).To(gomega.Equal("ready"), "status of %s", m.Get("name"))
		}
	})
}

func (st *steps) everyModelAnswered(ctx context.Context) error {
	return withJSON(ctx, "model responses", func(s *scenario, j gjson.Result, g gomega.Gomega) {
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
}

func (st *steps) breakerRecovers(ctx context.Context, provider string) error {
	return withJSON(ctx, "breaker "+provider, func(s *scenario, j gjson.Result, g gomega.Gomega) {
		b := j.Get("breakers." + provider)
		g.Expect(b.Get("state").String()).To(gomega.Equal("open"))
		exp := b.Get("expected_recovery_seconds")
		g.Expect(exp.Type).To(gomega.Equal(gjson.Number), "expected_recovery_seconds is a number, got %s", exp.Raw)
		g.Expect(exp.Float()).To(gomega.And(gomega.BeNumerically(">=", 0), gomega.BeNumerically("<=", b.Get("recovery_timeout_seconds").Float())))
		g.Expect(b.Get("failure_count").Int()).To(gomega.BeNumerically(">=", b.Get("failure_threshold").Int()))
		g.Expect(b.Get("last_failure_at").Type).To(gomega.Equal(gjson.String), "last_failure_at is set")
	})
}

func (st *steps) scenarioConformed(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
	}
	return conformed(s.exchanges)
}

func (st *steps) runConformed(ctx context.Context) error { return conformed(st.journal.Exchanges()) }

func (st *steps) everyOperationExercised(ctx context.Context) error {
	s, err := stateFrom(ctx)
	if err != nil {
		return err
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
		return fmt.Errorf("expected every operation to be exercised, got none for %s", strings.Join(missing, ", "))
	}
	return nil
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
