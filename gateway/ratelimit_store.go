package gateway

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Rate-limit stores (RATE_LIMIT_STORE) and failure policies (RATE_LIMIT_REDIS_FAILURE).
const (
	StoreMemory   = "memory"
	FailureOpen   = "open"
	FailureClosed = "closed"
)

// defaultStoreTimeout bounds one store call when RATE_LIMIT_REDIS_TIMEOUT is unset.
const defaultStoreTimeout = 100 * time.Millisecond

// limitStore keeps the token buckets: the process's memory (rateLimiter) or Redis (redisStore),
// where every replica draws from the same bucket per identity and route class.
type limitStore interface {
	// take spends one token of k's bucket, or reports when the next one is due.
	take(ctx context.Context, k limitKey, cl classLimit) (limitResult, error)
	// ping checks that the store answers.
	ping(ctx context.Context) error
	close() error
}

// errStoreUnavailable is the store failing under RATE_LIMIT_REDIS_FAILURE=closed: the request is
// refused with 503.
var errStoreUnavailable = errors.New("rate-limit store unavailable")

// storeState is what the last store call or ping saw.
type storeState struct {
	up     bool
	reason string // why not up
	since  time.Time
}

// limiter applies the limits through a store with a bounded timeout per call, exports the store's
// metrics, keeps its state for health and readiness, and applies the failure policy when it fails.
type limiter struct {
	store    limitStore
	kind     string // memory or redis
	failOpen bool
	timeout  time.Duration
	classes  map[string]classLimit
	metrics  *metrics
	logger   *slog.Logger
	now      func() time.Time

	mu    sync.Mutex
	state storeState
}

// newLimiter builds the limiter of cfg.RateLimitStore ("" means memory). Connecting to Redis is
// lazy: an unreachable Redis does not stop the gateway from starting, it is reported like any outage.
func newLimiter(cfg Config, now func() time.Time, m *metrics, logger *slog.Logger) (*limiter, error) {
	l := &limiter{
		kind: StoreMemory, failOpen: cfg.RateLimitRedisFailure != FailureClosed, timeout: cfg.RateLimitRedisTimeout,
		classes: map[string]classLimit{
			classAnalyze: {cfg.AnalyzeRPM, cfg.AnalyzeBurst},
			classDefault: {cfg.DefaultRPM, cfg.DefaultBurst},
		},
		metrics: m, logger: logger, now: now,
		state: storeState{up: true, since: now()},
	}
	if l.timeout <= 0 {
		l.timeout = defaultStoreTimeout
	}
	switch cfg.RateLimitStore {
	case "", StoreMemory:
		l.store = newRateLimiter(cfg, now)
	default:
		s, err := newRedisStore(cfg.RateLimitStore, l.timeout)
		if err != nil {
			return nil, err
		}
		l.store, l.kind = s, storeRedis
	}
	m.storeStarted(l.kind)
	return l, nil
}

// allow decides one request of id in class. When the store fails it returns, under the open policy,
// an allowed result without headers (unknown: true), and under the closed policy errStoreUnavailable.
func (l *limiter) allow(ctx context.Context, id, class string) (limitResult, error) {
	cl := l.classes[class]
	cctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	start := time.Now()
	res, err := l.store.take(cctx, limitKey{id, class}, cl)
	l.metrics.storeLatency.WithLabelValues(l.kind).Observe(time.Since(start).Seconds())
	if err != nil && ctx.Err() != nil {
		return limitResult{}, ctx.Err() // the client went away: not the store's fault
	}
	l.record(err)
	switch {
	case err == nil:
		return res, nil
	case l.failOpen:
		return limitResult{allowed: true, unknown: true, limit: cl.burst, rpm: cl.rpm}, nil
	default:
		return limitResult{limit: cl.burst, rpm: cl.rpm, retryAfter: time.Second}, fmt.Errorf("%w: %v", errStoreUnavailable, err)
	}
}

// ping checks the store in the background (the health loop), so its state is known without traffic.
func (l *limiter) ping(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	err := l.store.ping(cctx)
	if err != nil && ctx.Err() != nil {
		return // shutting down
	}
	l.record(err)
}

// record updates the state, the up gauge and the error counter, and logs each change once.
func (l *limiter) record(err error) {
	if err != nil {
		l.metrics.storeErrors.WithLabelValues(l.kind).Inc()
	}
	l.mu.Lock()
	prev := l.state
	switch {
	case err == nil && !prev.up:
		l.state = storeState{up: true, since: l.now()}
	case err != nil:
		reason := storeFailureReason(err, l.timeout)
		if prev.up {
			l.state = storeState{up: false, reason: reason, since: l.now()}
		} else {
			l.state.reason = reason
		}
	}
	cur := l.state
	l.mu.Unlock()
	if cur.up == prev.up {
		return
	}
	if cur.up {
		l.metrics.storeUp.WithLabelValues(l.kind).Set(1)
		l.logger.Info("rate-limit store reachable again", "store", l.kind)
		return
	}
	l.metrics.storeUp.WithLabelValues(l.kind).Set(0)
	l.logger.Error("rate-limit store unreachable", "store", l.kind, "reason", cur.reason, "policy", l.policy())
}

func storeFailureReason(err error, timeout time.Duration) string {
	if errors.Is(err, context.DeadlineExceeded) {
		return fmt.Sprintf("no answer within %s", timeout)
	}
	return redactStoreError(err)
}

func (l *limiter) policy() string {
	if l.failOpen {
		return FailureOpen
	}
	return FailureClosed
}

// storeReport is the contract's RateLimitStore, in /api/health.
type storeReport struct {
	Store         string    `json:"store"`
	Status        string    `json:"status"`
	FailurePolicy string    `json:"failure_policy"`
	Reason        string    `json:"reason,omitempty"`
	Since         time.Time `json:"since"`
}

func (l *limiter) report() storeReport {
	l.mu.Lock()
	st := l.state
	l.mu.Unlock()
	r := storeReport{Store: l.kind, Status: "healthy", FailurePolicy: l.policy(), Since: st.since.UTC()}
	if !st.up {
		r.Status, r.Reason = "unavailable", st.reason
	}
	return r
}

// readiness says whether the store lets the gateway serve, and why not or what is degraded.
func (l *limiter) readiness() (ready bool, reason string) {
	r := l.report()
	if r.Status == "healthy" {
		return true, ""
	}
	if l.failOpen {
		return true, fmt.Sprintf("rate-limit store %s unavailable (%s): requests are allowed without limits (RATE_LIMIT_REDIS_FAILURE=open)", r.Store, r.Reason)
	}
	return false, fmt.Sprintf("rate-limit store %s unavailable (%s): limited requests are refused (RATE_LIMIT_REDIS_FAILURE=closed)", r.Store, r.Reason)
}

func (l *limiter) close() error { return l.store.close() }

// degrade lowers an overall health status while the store fails: degraded under the open policy
// (limits are not enforced), unavailable under the closed one (limited requests are refused).
func (l *limiter) degrade(status string) string {
	if l.report().Status == "healthy" || status == "unavailable" {
		return status
	}
	if l.failOpen {
		return "degraded"
	}
	return "unavailable"
}
