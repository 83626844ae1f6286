package gateway

import (
	"context"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Route classes with their own limits.
const (
	classAnalyze = "analyze"
	classDefault = "default"
)

// limiterSweepEvery is how often idle limiter entries are evicted.
const limiterSweepEvery = time.Minute

type limitKey struct{ identity, class string }

type limitEntry struct {
	lim      *rate.Limiter
	lastSeen time.Time
}

type classLimit struct {
	rpm   int
	burst int
}

// rateLimiter is a token bucket per identity and route class. An entry idle long enough to have
// refilled completely is indistinguishable from a new one, so sweeps drop it: memory stays bounded by
// the identities active in the last refill period.
type rateLimiter struct {
	now     func() time.Time
	classes map[string]classLimit

	mu        sync.Mutex
	entries   map[limitKey]*limitEntry
	lastSweep time.Time
}

func newRateLimiter(cfg Config, now func() time.Time) *rateLimiter {
	return &rateLimiter{
		now: now,
		classes: map[string]classLimit{
			classAnalyze: {cfg.AnalyzeRPM, cfg.AnalyzeBurst},
			classDefault: {cfg.DefaultRPM, cfg.DefaultBurst},
		},
		entries:   map[limitKey]*limitEntry{},
		lastSweep: now(),
	}
}

// limitResult is the outcome of one request against its bucket.
type limitResult struct {
	allowed    bool
	limit      int
	remaining  int
	reset      time.Duration // until the bucket is full again
	retryAfter time.Duration // until one token is available (when not allowed)
	rpm        int
	unknown    bool // the store failed and the open policy let the request through: no headers
}

func (rl *rateLimiter) allow(id, class string) limitResult {
	cl := rl.classes[class]
	now := rl.now()
	every := rate.Limit(float64(cl.rpm) / 60)
	rl.mu.Lock()
	defer rl.mu.Unlock()
	if now.Sub(rl.lastSweep) >= limiterSweepEvery {
		rl.sweep(now)
	}
	k := limitKey{id, class}
	e, ok := rl.entries[k]
	if !ok {
		e = &limitEntry{lim: rate.NewLimiter(every, cl.burst)}
		rl.entries[k] = e
	}
	e.lastSeen = now
	res := limitResult{limit: cl.burst, rpm: cl.rpm}
	res.allowed = e.lim.AllowN(now, 1)
	tokens := e.lim.TokensAt(now)
	res.remaining = max(0, int(math.Floor(tokens)))
	perToken := time.Duration(float64(time.Second) / float64(every))
	res.reset = time.Duration((float64(cl.burst) - tokens) * float64(perToken))
	if !res.allowed {
		res.retryAfter = max(time.Second, time.Duration((1-tokens)*float64(perToken)))
	}
	return res
}

// take is allow as a limitStore: the memory store never fails.
func (rl *rateLimiter) take(_ context.Context, k limitKey, _ classLimit) (limitResult, error) {
	return rl.allow(k.identity, k.class), nil
}

func (rl *rateLimiter) ping(context.Context) error { return nil }
func (rl *rateLimiter) close() error               { return nil }

// sweep drops entries idle for longer than their bucket takes to refill.
func (rl *rateLimiter) sweep(now time.Time) {
	rl.lastSweep = now
	for k, e := range rl.entries {
		cl := rl.classes[k.class]
		refill := time.Duration(float64(cl.burst) / (float64(cl.rpm) / 60) * float64(time.Second))
		if now.Sub(e.lastSeen) > refill {
			delete(rl.entries, k)
		}
	}
}

func (rl *rateLimiter) size() int {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return len(rl.entries)
}

func (res limitResult) setHeaders(h http.Header) {
	if res.unknown {
		return
	}
	h.Set("RateLimit-Limit", strconv.Itoa(res.limit))
	h.Set("RateLimit-Remaining", strconv.Itoa(res.remaining))
	h.Set("RateLimit-Reset", strconv.Itoa(ceilSeconds(res.reset)))
}

// clientIP is the peer address of the connection; forwarding headers are not trusted.
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
