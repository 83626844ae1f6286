package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/ultra-kit/ultra/gateway/providers"
	"github.com/ultra-kit/ultra/internal/provider"
)

// checkTimeout bounds one background provider check: 5s, or half the check interval when shorter
// (at least 100ms), so a hung provider never delays the next round.
func (h *health) checkTimeout() time.Duration {
	return min(5*time.Second, max(h.interval/2, 100*time.Millisecond))
}

// providerState is what the background check last saw of one provider.
type providerState struct {
	checked    bool
	ok         bool
	keyValid   *bool
	lastStatus *int
	latencyMS  *float64
	checkedAt  time.Time
	message    string
	reason     string // model status when not usable: api_key_invalid, provider_unavailable
}

// health runs the background checks and answers "is this provider usable".
type health struct {
	providers map[string]Provider
	keyed     map[string]bool // providers with an API key configured
	breakers  map[string]*breaker
	interval  time.Duration // HEALTH_CHECK_INTERVAL, which bounds one check
	now       func() time.Time
	logger    *slog.Logger

	mu     sync.RWMutex
	states map[string]providerState
}

func newHealth(cfg Config, providers map[string]Provider, breakers map[string]*breaker, now func() time.Time, logger *slog.Logger) *health {
	keyed := map[string]bool{}
	for _, name := range provider.Names() {
		keyed[name] = cfg.APIKey(name) != ""
	}
	return &health{providers: providers, keyed: keyed, breakers: breakers, interval: cfg.HealthCheckInterval,
		now: now, logger: logger, states: map[string]providerState{}}
}

// callable reports whether the provider has a client and an API key.
func (h *health) callable(name string) bool {
	_, ok := h.providers[name]
	return ok && h.keyed[name]
}

// checkAll checks every provider that has a key, concurrently, each bounded by healthCheckTimeout.
func (h *health) checkAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, name := range provider.Names() {
		p := h.providers[name]
		if !h.callable(name) {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.checkOne(ctx, name, p)
		}()
	}
	wg.Wait()
}

func (h *health) checkOne(ctx context.Context, name string, p Provider) {
	timeout := h.checkTimeout()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := h.now()
	err := p.Check(ctx)
	if errors.Is(ctx.Err(), context.Canceled) && err != nil {
		return // shutting down
	}
	lat := float64(h.now().Sub(start).Microseconds()) / 1000
	st := providerState{checked: true, checkedAt: h.now(), latencyMS: &lat}
	var pe *providers.Error
	switch {
	case err == nil:
		st.ok, st.keyValid, st.lastStatus, st.message = true, boolPtr(true), intPtr(200), "reachable"
	case errors.As(err, &pe) && pe.KeyRejected():
		st.keyValid, st.lastStatus = boolPtr(false), intPtr(pe.Status)
		st.message, st.reason = fmt.Sprintf("API key rejected by provider (HTTP %d)", pe.Status), "api_key_invalid"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &pe) && pe.Timeout:
		st.message, st.reason = fmt.Sprintf("health check timed out after %s", timeout), "provider_unavailable"
	case errors.As(err, &pe) && pe.Status != 0:
		st.lastStatus = intPtr(pe.Status)
		if pe.Status < 500 && pe.Status != 429 {
			st.keyValid = boolPtr(true)
		}
		st.message, st.reason = fmt.Sprintf("provider answered HTTP %d", pe.Status), "provider_unavailable"
	default:
		st.message, st.reason = "provider unreachable (connection failed)", "provider_unavailable"
	}
	if st.lastStatus != nil && (*st.lastStatus < 100 || *st.lastStatus > 599) {
		st.lastStatus = nil
	}
	if !st.ok {
		h.logger.Warn("provider health check failed", "provider", name, "message", st.message)
	}
	h.mu.Lock()
	h.states[name] = st
	h.mu.Unlock()
}

// modelStatus is the availability status of a provider's models (the ModelAvailability status enum):
// ready, circuit_open, no_api_key, api_key_invalid or provider_unavailable.
func (h *health) modelStatus(name string) string {
	if !h.callable(name) {
		return "no_api_key"
	}
	if b := h.breakers[name]; b != nil && b.open() {
		return "circuit_open"
	}
	h.mu.RLock()
	st := h.states[name]
	h.mu.RUnlock()
	if st.checked && !st.ok {
		return st.reason
	}
	return "ready"
}

func (h *health) usable(name string) bool { return h.modelStatus(name) == "ready" }

// providerHealth is the contract's ProviderHealth.
type providerHealth struct {
	Status           string     `json:"status"`
	Message          string     `json:"message"`
	APIKeyConfigured bool       `json:"api_key_configured"`
	APIKeyValid      *bool      `json:"api_key_valid"`
	LastStatusCode   *int       `json:"last_status_code"`
	LatencyMS        *float64   `json:"latency_ms"`
	CheckedAt        *time.Time `json:"checked_at"`
	CircuitState     string     `json:"circuit_state"`
}

func (h *health) report(name string) providerHealth {
	h.mu.RLock()
	st := h.states[name]
	h.mu.RUnlock()
	b := h.breakers[name]
	ph := providerHealth{
		APIKeyConfigured: h.keyed[name],
		CircuitState:     "closed",
	}
	if b != nil {
		ph.CircuitState = b.status().State
	}
	if st.checked {
		ph.APIKeyValid, ph.LastStatusCode, ph.LatencyMS, ph.CheckedAt = st.keyValid, st.lastStatus, st.latencyMS, timePtr(st.checkedAt)
	}
	switch status := h.modelStatus(name); {
	case status == "no_api_key":
		ph.Status, ph.Message = "unavailable", "no API key configured"
	case status == "circuit_open":
		ph.Status, ph.Message = "degraded", "circuit breaker open after repeated upstream errors"
	case st.checked && !st.ok:
		ph.Status, ph.Message = "unavailable", st.message
	case ph.CircuitState == "half_open":
		ph.Status, ph.Message = "degraded", "circuit breaker half-open: probing the provider"
	case st.checked:
		ph.Status, ph.Message = "ok", st.message
	default:
		ph.Status, ph.Message = "ok", "not checked yet"
	}
	return ph
}

func handleHealth(cfg Config, now func() time.Time, started time.Time, h *health, lim *limiter) http.Handler {
	type response struct {
		Status           string            `json:"status"`
		Environment      string            `json:"environment"`
		Version          string            `json:"version"`
		UptimeSeconds    float64           `json:"uptime_seconds"`
		Timestamp        time.Time         `json:"timestamp"`
		MockMode         bool              `json:"mock_mode"`
		Services         map[string]string `json:"services"`
		DegradedServices []string          `json:"degraded_services"`
		RateLimitStore   storeReport       `json:"rate_limit_store"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := now()
		resp := response{
			Environment: cfg.Environment, Version: cfg.Version, MockMode: cfg.UseMock,
			UptimeSeconds: max(0, t.Sub(started).Seconds()), Timestamp: t.UTC(),
			Services: map[string]string{}, DegradedServices: []string{},
		}
		configured, usable := 0, 0
		for _, name := range provider.Names() {
			rep := h.report(name)
			state := map[string]string{"ok": "healthy", "degraded": "degraded", "unavailable": "unavailable"}[rep.Status]
			resp.Services[name] = state
			if state != "healthy" {
				resp.DegradedServices = append(resp.DegradedServices, name)
			}
			if rep.APIKeyConfigured {
				configured++
				if h.usable(name) {
					usable++
				}
			}
		}
		switch {
		case usable == 0:
			resp.Status = "unavailable"
		case usable < configured:
			resp.Status = "degraded"
		default:
			resp.Status = "ok"
		}
		resp.RateLimitStore, resp.Status = lim.report(), lim.degrade(resp.Status)
		writeJSON(w, http.StatusOK, resp)
	})
}

func handleLiveness() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
}

func handleReadiness(h *health, lim *limiter) http.Handler {
	type response struct {
		Ready  bool   `json:"ready"`
		Status string `json:"status"`
		Reason string `json:"reason,omitempty"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		storeReady, storeReason := lim.readiness()
		if !storeReady {
			writeJSON(w, http.StatusServiceUnavailable, response{Status: "not_ready", Reason: storeReason})
			return
		}
		for _, name := range provider.Names() {
			if h.usable(name) {
				writeJSON(w, http.StatusOK, response{Ready: true, Status: "ready", Reason: storeReason})
				return
			}
		}
		writeJSON(w, http.StatusServiceUnavailable, response{Status: "not_ready",
			Reason: "no LLM provider is available (all circuit breakers open, API keys missing or rejected, or providers unreachable)"})
	})
}

func handleProviderHealth(now func() time.Time, h *health) http.Handler {
	type response struct {
		Providers map[string]providerHealth `json:"providers"`
		CheckedAt time.Time                 `json:"checked_at"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := response{Providers: map[string]providerHealth{}, CheckedAt: now().UTC()}
		for _, name := range provider.Names() {
			resp.Providers[name] = h.report(name)
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

func handleCircuitBreakers(breakers map[string]*breaker) http.Handler {
	type response struct {
		Breakers map[string]breakerStatus `json:"breakers"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp := response{Breakers: map[string]breakerStatus{}}
		for _, name := range provider.Names() {
			resp.Breakers[name] = breakers[name].status()
		}
		writeJSON(w, http.StatusOK, resp)
	})
}

func boolPtr(b bool) *bool { return &b }
func intPtr(i int) *int    { return &i }
