package gateway

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// invalidPatternError is an analysis pattern the gateway does not know.
type invalidPatternError struct{ name string }

func (e *invalidPatternError) Error() string { return "invalid pattern " + e.name }

func (a *analyzer) resolveModels(req analyzeRequest) ([]Model, Model, error) {
	var ue unknownModelError
	selected := make([]Model, 0, len(req.SelectedModels))
	for i, name := range req.SelectedModels {
		m, ok := a.modelsByName[name]
		if !ok {
			ue.names = append(ue.names, name)
			ue.errors = append(ue.errors, fieldError{Pointer: fmt.Sprintf("/selected_models/%d", i), Reason: fmt.Sprintf("unknown model %q", name), In: "body"})
			continue
		}
		selected = append(selected, m)
	}
	ultra, ok := a.modelsByName[req.UltraModel]
	if !ok {
		ue.names = append(ue.names, req.UltraModel)
		ue.errors = append(ue.errors, fieldError{Pointer: "/ultra_model", Reason: fmt.Sprintf("unknown model %q", req.UltraModel), In: "body"})
	}
	if len(ue.names) > 0 {
		ue.valid = a.modelNames()
		return nil, Model{}, &ue
	}
	if len(selected) == 0 {
		return nil, Model{}, &unknownModelError{names: []string{""}, valid: a.modelNames(),
			errors: []fieldError{{Pointer: "/selected_models", Reason: "must contain at least 1 item", In: "body"}}}
	}
	return selected, ultra, nil
}

func (a *analyzer) modelNames() []string {
	names := make([]string, len(a.models))
	for i, m := range a.models {
		names[i] = m.Name
	}
	return names
}

// circuitsUsable fails fast, calling nobody, when the ultra model's breaker or every selected model's
// breaker is open.
func (a *analyzer) circuitsUsable(selected []Model, ultra Model) error {
	if a.breakers[ultra.Provider].open() {
		return a.openCircuitError([]Model{ultra})
	}
	for _, m := range selected {
		if !a.breakers[m.Provider].open() {
			return nil
		}
	}
	return a.openCircuitError(selected)
}

func (a *analyzer) openCircuitError(models []Model) error {
	e := &circuitOpenError{}
	seen := map[string]bool{}
	for _, m := range models {
		if seen[m.Provider] {
			continue
		}
		seen[m.Provider] = true
		e.providers = append(e.providers, m.Provider)
		if d := a.breakers[m.Provider].recoveryIn(); e.recovery == 0 || d > 0 && d < e.recovery {
			e.recovery = d
		}
	}
	return e
}

// callModel calls one model through its provider's breaker, bounded by PROVIDER_TIMEOUT.
func (a *analyzer) callModel(ctx context.Context, m Model, req providers.Request) (*providers.Response, error) {
	p, ok := a.providers[m.Provider]
	if !ok || !a.keyed[m.Provider] {
		a.metrics.providerCalls.WithLabelValues(m.Provider, "no_api_key").Inc()
		return nil, &providers.Error{Provider: m.Provider, Code: providers.CodeNoAPIKey, Message: "no API key configured"}
	}
	ctx, cancel := context.WithTimeout(ctx, a.callTimeout)
	defer cancel()
	t0 := a.now()
	resp, err := a.breakers[m.Provider].call(func() (*providers.Response, error) {
		resp, err := p.Complete(ctx, req)
		if err == nil && resp == nil {
			err = &providers.Error{Provider: m.Provider, Code: providers.CodeInvalidResponse, Message: "empty response"}
		}
		return resp, err
	})
	outcome := "ok"
	var pe *providers.Error
	switch {
	case err == nil:
	case isCircuitOpen(err):
		outcome = "circuit_open"
	case errors.Is(err, context.Canceled):
		outcome = "canceled"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &pe) && pe.Timeout:
		outcome = "timeout"
	default:
		outcome = "error"
	}
	a.metrics.providerCalls.WithLabelValues(m.Provider, outcome).Inc()
	if outcome != "circuit_open" {
		a.metrics.providerLatency.WithLabelValues(m.Provider).Observe(a.now().Sub(t0).Seconds())
	}
	return resp, err
}

// modelErrorFor describes a failed call without secrets (provider bodies can echo masked keys).
func modelErrorFor(err error) *modelError {
	var pe *providers.Error
	switch {
	case isCircuitOpen(err):
		return &modelError{Code: "circuit_open", Message: "circuit breaker open; the provider was not called"}
	case errors.As(err, &pe) && pe.Code == providers.CodeNoAPIKey:
		return &modelError{Code: "no_api_key", Message: "no API key configured for " + pe.Provider}
	case errors.As(err, &pe) && pe.Timeout, errors.Is(err, context.DeadlineExceeded):
		return &modelError{Code: "provider_timeout", Message: "the provider did not answer in time"}
	case errors.As(err, &pe) && pe.KeyRejected():
		return &modelError{Code: "provider_auth_failed", Message: fmt.Sprintf("%s rejected the API key (HTTP %d)", pe.Provider, pe.Status), Status: statusPtr(pe.Status)}
	case errors.As(err, &pe) && pe.Status == http.StatusTooManyRequests:
		return &modelError{Code: "provider_rate_limited", Message: fmt.Sprintf("%s returned HTTP 429 (rate limited)", pe.Provider), Status: statusPtr(pe.Status)}
	case errors.As(err, &pe):
		msg := pe.Error()
		if len(msg) > 300 {
			msg = msg[:300]
		}
		return &modelError{Code: "provider_error", Message: msg, Status: statusPtr(pe.Status)}
	case errors.Is(err, context.Canceled):
		return &modelError{Code: "canceled", Message: "the call was cancelled"}
	}
	return &modelError{Code: "provider_error", Message: "provider call failed"}
}

func failureSummary(e *modelError) string {
	if e.Status != nil {
		return fmt.Sprintf("HTTP %d %s", *e.Status, e.Code)
	}
	return e.Code
}

func statusPtr(s int) *int {
	if s < 100 || s > 599 {
		return nil
	}
	return &s
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
