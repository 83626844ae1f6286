package gateway

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
)

const storeRedis = "redis"

// redisStore keeps the buckets in Redis with redis_rate's GCRA (one atomic Lua script per request),
// so every replica pointed at the same Redis shares one budget per identity and route class. Keys
// are "rate:<class>:<identity>" and expire once the bucket is full again.
type redisStore struct {
	client *redis.Client
	lim    *redis_rate.Limiter
}

// newRedisStore connects lazily to the redis:// or rediss:// URL; every call is bounded by timeout
// and never retried (a retry would only lengthen a request the policy can decide at once).
func newRedisStore(rawURL string, timeout time.Duration) (*redisStore, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("RATE_LIMIT_STORE %s: %w", redactURL(rawURL), err)
	}
	opts.DialTimeout, opts.ReadTimeout, opts.WriteTimeout, opts.PoolTimeout = timeout, timeout, timeout, timeout
	opts.ContextTimeoutEnabled = true
	opts.MaxRetries, opts.DialerRetries = -1, 1
	opts.DisableIdentity = true // no CLIENT SETINFO: older and managed Redis refuse it
	client := redis.NewClient(opts)
	return &redisStore{client: client, lim: redis_rate.NewLimiter(client)}, nil
}

func (s *redisStore) take(ctx context.Context, k limitKey, cl classLimit) (limitResult, error) {
	res, err := s.lim.Allow(ctx, k.class+":"+k.identity, redis_rate.Limit{Rate: cl.rpm, Burst: cl.burst, Period: time.Minute})
	if err != nil {
		return limitResult{}, err
	}
	out := limitResult{allowed: res.Allowed > 0, limit: cl.burst, remaining: max(0, res.Remaining), reset: max(0, res.ResetAfter), rpm: cl.rpm}
	if !out.allowed {
		out.retryAfter = max(time.Second, res.RetryAfter)
	}
	return out, nil
}

func (s *redisStore) ping(ctx context.Context) error { return s.client.Ping(ctx).Err() }

func (s *redisStore) close() error { return s.client.Close() }

// redactURL hides a URL's password.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}

// redactStoreError is a store error fit for health reports and logs. go-redis errors name the
// address and the failure, never the password.
func redactStoreError(err error) string {
	msg := err.Error()
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

// rateLimitStoreProblems checks RATE_LIMIT_STORE and RATE_LIMIT_REDIS_FAILURE. In production a
// password sent in clear (redis://) to a host other than loopback is refused, like the other
// insecure settings.
func (c Config) rateLimitStoreProblems(prod bool) []string {
	var p []string
	if c.RateLimitRedisFailure != FailureOpen && c.RateLimitRedisFailure != FailureClosed {
		p = append(p, fmt.Sprintf("RATE_LIMIT_REDIS_FAILURE must be open or closed, not %q", c.RateLimitRedisFailure))
	}
	if c.RateLimitStore == StoreMemory {
		return p
	}
	u, err := url.Parse(c.RateLimitStore)
	if err != nil || (u.Scheme != "redis" && u.Scheme != "rediss") || u.Host == "" {
		return append(p, fmt.Sprintf("RATE_LIMIT_STORE must be memory or a redis://HOST:PORT/DB or rediss:// URL, not %q", redactURL(c.RateLimitStore)))
	}
	if _, err := redis.ParseURL(c.RateLimitStore); err != nil {
		return append(p, fmt.Sprintf("RATE_LIMIT_STORE %s: %v", u.Redacted(), err))
	}
	if _, hasPassword := u.User.Password(); prod && hasPassword && u.Scheme == "redis" && !loopbackHost(u.Hostname()) {
		p = append(p, fmt.Sprintf("RATE_LIMIT_STORE sends the Redis password in clear to %s; use rediss:// (TLS) in production", u.Host))
	}
	return p
}

// loopbackHost reports localhost and 127.0.0.0/8 or ::1 addresses.
func loopbackHost(h string) bool {
	if strings.EqualFold(h, "localhost") {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}
