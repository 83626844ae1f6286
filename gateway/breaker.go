package gateway

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sony/gobreaker/v2"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// breaker is one provider's circuit breaker: gobreaker's state machine (open after threshold
// consecutive transient failures, one probe when half-open after the recovery timeout, closed on a
// successful probe) plus the counts and timestamps the health endpoints report. gobreaker reads
// time.Now itself, so transitions happen on the real clock; our own timestamps use Deps.Now.
type breaker struct {
	name      string
	threshold int
	timeout   time.Duration
	cb        *gobreaker.CircuitBreaker[*providers.Response]
	now       func() time.Time
	logger    *slog.Logger
	metrics   *metrics

	mu          sync.Mutex
	failures    int // consecutive transient failures
	lastFailure time.Time
	lastSuccess time.Time
	openedAt    time.Time
}

func newBreaker(name string, cfg Config, now func() time.Time, logger *slog.Logger, m *metrics) *breaker {
	b := &breaker{name: name, threshold: cfg.BreakerFailureThreshold, timeout: cfg.BreakerRecoveryTimeout, now: now, logger: logger, metrics: m}
	b.cb = gobreaker.NewCircuitBreaker[*providers.Response](gobreaker.Settings{
		Name:        name,
		MaxRequests: 1,
		Timeout:     cfg.BreakerRecoveryTimeout,
		ReadyToTrip: func(c gobreaker.Counts) bool { return c.ConsecutiveFailures >= uint32(cfg.BreakerFailureThreshold) },
		IsSuccessful: func(err error) bool {
			return err == nil || !transient(err)
		},
		IsExcluded: func(err error) bool {
			return errors.Is(err, context.Canceled)
		},
		OnStateChange: b.onStateChange,
	})
	m.breakerState.WithLabelValues(name).Set(0)
	return b
}

// transient reports whether err should count against a breaker: providers.Error says so itself;
// deadlines and unknown errors (connection failures) count too.
func transient(err error) bool {
	var pe *providers.Error
	if errors.As(err, &pe) {
		return pe.Transient()
	}
	return !errors.Is(err, context.Canceled)
}

func (b *breaker) onStateChange(name string, from, to gobreaker.State) {
	b.mu.Lock()
	if to == gobreaker.StateOpen {
		b.openedAt = b.now()
	}
	b.mu.Unlock()
	b.logger.Warn("circuit breaker state changed", "provider", name, "from", stateName(from), "to", stateName(to))
	b.metrics.breakerState.WithLabelValues(name).Set(float64(stateGauge(to)))
	b.metrics.breakerChanges.WithLabelValues(name, stateName(from), stateName(to)).Inc()
}

// call runs fn through the breaker. It returns gobreaker.ErrOpenState or ErrTooManyRequests (both
// matched by errCircuitOpen) without calling fn when the breaker refuses.
func (b *breaker) call(fn func() (*providers.Response, error)) (*providers.Response, error) {
	resp, err := b.cb.Execute(fn)
	if errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests) {
		return nil, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	switch {
	case err == nil || !transient(err):
		if err == nil {
			b.lastSuccess = b.now()
		}
		b.failures = 0
	case errors.Is(err, context.Canceled):
	default:
		b.failures++
		b.lastFailure = b.now()
	}
	return resp, err
}

func isCircuitOpen(err error) bool {
	return errors.Is(err, gobreaker.ErrOpenState) || errors.Is(err, gobreaker.ErrTooManyRequests)
}

// open reports whether calls are refused right now (open, or half-open with its probe in flight is
// still allowed to try: only StateOpen counts).
func (b *breaker) open() bool { return b.cb.State() == gobreaker.StateOpen }

// recoveryIn is the time until an open breaker lets a probe through (0 when not open).
func (b *breaker) recoveryIn() time.Duration {
	if !b.open() {
		return 0
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return max(0, b.openedAt.Add(b.timeout).Sub(b.now()))
}

// breakerStatus is the contract's CircuitBreakerStatus.
type breakerStatus struct {
	State                   string     `json:"state"`
	FailureCount            int        `json:"failure_count"`
	FailureThreshold        int        `json:"failure_threshold"`
	RecoveryTimeoutSeconds  float64    `json:"recovery_timeout_seconds"`
	LastFailureAt           *time.Time `json:"last_failure_at"`
	LastSuccessAt           *time.Time `json:"last_success_at"`
	ExpectedRecoverySeconds *float64   `json:"expected_recovery_seconds"`
}

func (b *breaker) status() breakerStatus {
	state := b.cb.State()
	b.mu.Lock()
	defer b.mu.Unlock()
	s := breakerStatus{
		State:                  stateName(state),
		FailureCount:           b.failures,
		FailureThreshold:       b.threshold,
		RecoveryTimeoutSeconds: b.timeout.Seconds(),
		LastFailureAt:          timePtr(b.lastFailure),
		LastSuccessAt:          timePtr(b.lastSuccess),
	}
	switch state {
	case gobreaker.StateOpen:
		secs := max(0, b.openedAt.Add(b.timeout).Sub(b.now()).Seconds())
		s.ExpectedRecoverySeconds = &secs
	case gobreaker.StateHalfOpen:
		zero := 0.0
		s.ExpectedRecoverySeconds = &zero
	}
	return s
}

func stateName(s gobreaker.State) string {
	switch s {
	case gobreaker.StateOpen:
		return "open"
	case gobreaker.StateHalfOpen:
		return "half_open"
	}
	return "closed"
}

func stateGauge(s gobreaker.State) int {
	switch s {
	case gobreaker.StateOpen:
		return 2
	case gobreaker.StateHalfOpen:
		return 1
	}
	return 0
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}
