package harness

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"

	"github.com/tidwall/gjson"

	"github.com/ultra-kit/ultra/internal/redistest"
)

// replicaBurst and replicaRPM are the default-class limits of the @replicas gateways: a burst small
// enough to exhaust in a few requests, a refill slow enough (one token per 10 s) not to blur it.
const (
	replicaBurst = 4
	replicaRPM   = 6
)

// replicaSet is two gateways of one scenario sharing one Redis; redis is nil when the harness does
// not control it.
type replicaSet struct {
	urls  []string
	redis RedisControl
}

type replicasKey struct{}

// replicasUnsupported adds to out why the target cannot run the @replicas tags: the in-process target
// needs redis-server (it starts Redis and the replicas per scenario); another target needs replicas
// given to it, and runs only the scenarios of their failure policy, and the Redis-stop ones only
// when the harness controls their Redis.
func replicasUnsupported(c Capabilities, out map[string]string) {
	switch {
	case len(c.Replicas) >= 2:
		if c.Redis == nil {
			out[TagRedisControl] = "the replicas' Redis was not started by the harness, so the scenario cannot stop and restart it"
		}
		for tag, policy := range map[string]string{TagRedisFailsOpen: FailOpen, TagRedisFailsClosed: FailClosed} {
			if c.ReplicaPolicy != policy {
				out[tag] = fmt.Sprintf("the replicas fail %q (RATE_LIMIT_REDIS_FAILURE) and the scenario needs %q", c.ReplicaPolicy, policy)
			}
		}
	case !c.InProcess:
		out[TagReplicas] = "the scenario needs two gateway replicas on one Redis: the in-process target starts them, another target is given them with " + ReplicaURLsEnv
	default:
		if _, err := redistest.Available(); err != nil && os.Getenv(redistest.RequireEnv) != "1" {
			out[TagReplicas] = err.Error() + "; " + redistest.RequireEnv + "=1 makes this a failure"
		}
	}
}

// Failure policies of RATE_LIMIT_REDIS_FAILURE.
const (
	FailOpen   = "open"
	FailClosed = "closed"
	// ReplicaURLsEnv lists the base URLs of two gateway replicas sharing one Redis, comma-separated,
	// for @replicas against an external target.
	ReplicaURLsEnv = "ULTRA_REPLICA_URLS"
)

// vocabReplicas is the @replicas vocabulary: two in-process gateways sharing one Redis rate-limit store.
func (st *steps) vocabReplicas() []stepDef {
	return []stepDef{
		def(GroupUltra, `^two gateway replicas share one Redis rate-limit store(?:, failing "(open|closed)")?$`, `Given two gateway replicas share one Redis rate-limit store, failing "open" (without the policy: any)`, st.twoReplicas),
		def(GroupUltra, `^I use replica (\d+)$`, `When I use replica 2`, st.useReplica),
		def(GroupUltra, `^the Redis rate-limit store stops$`, `When the Redis rate-limit store stops`, st.stopRedis),
		def(GroupUltra, `^the Redis rate-limit store restarts$`, `When the Redis rate-limit store restarts`, st.restartRedis),
		def(GroupAssertions, `^the response header `+quoted+` is absent$`, `And the response header "RateLimit-Limit" is absent`, st.headerAbsent),
	}
}

// RedisControl stops and restarts the Redis a set of replicas shares, for the scenarios that take
// it away (*redistest.Server is one). Only a harness that started that Redis has one.
type RedisControl interface {
	// Stop makes Redis unreachable; stopping a stopped one does nothing.
	Stop() error
	// Restart brings it back on the same address and waits until it answers.
	Restart(ctx context.Context) error
}

// ReplicaEnv is the environment of one @replicas gateway: TestingEnv with RATE_LIMIT_STORE at
// redisURL, the failure policy, a 250 ms store timeout and the default-class burst of 4, one token
// per 10 s, that the replicas feature expects.
func ReplicaEnv(jwtSecret, testModeSecret, mockURL, redisURL, policy string) map[string]string {
	env := TestingEnv(jwtSecret, testModeSecret, mockURL)
	env["RATE_LIMIT_STORE"] = redisURL
	env["RATE_LIMIT_REDIS_FAILURE"] = policy
	env["RATE_LIMIT_REDIS_TIMEOUT"] = "250ms"
	env["RATE_LIMIT_DEFAULT_BURST"] = strconv.Itoa(replicaBurst)
	env["RATE_LIMIT_DEFAULT_RPM"] = strconv.Itoa(replicaRPM)
	return env
}

// twoReplicas gives the scenario two gateways on one Redis with the given failure policy ("" for
// any; in-process replicas then fail open) and uses replica 1: the in-process target starts a redis-server and two gateways for the scenario; an
// external target uses the replicas it was given (Capabilities.Replicas).
func (st *steps) twoReplicas(ctx context.Context, policy string) (context.Context, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	var set *replicaSet
	if c := st.target.Capabilities(); len(c.Replicas) >= 2 {
		set, err = st.externalReplicas(ctx, s, c, policy)
	} else {
		set, err = st.startReplicas(ctx, s, policy)
	}
	if err != nil {
		return ctx, err
	}
	s.base = set.urls[0]
	return context.WithValue(ctx, replicasKey{}, set), nil
}

func (st *steps) startReplicas(ctx context.Context, s *scenario, policy string) (*replicaSet, error) {
	starter, ok := st.target.(GatewayStarter)
	secret, ok2 := st.target.(interface{ JWTSecret() string })
	if !ok || !ok2 {
		return nil, fmt.Errorf("expected a target that can start gateways with its JWT secret (in-process) or one given two replicas (ULTRA_REPLICA_URLS), got %s", st.target.Name())
	}
	rs, err := redistest.Start(ctx)
	if err != nil {
		return nil, TargetError("%w", err)
	}
	s.cleanups = append(s.cleanups, func() { rs.Close() })
	if policy == "" {
		policy = FailOpen
	}
	env := ReplicaEnv(secret.JWTSecret(), st.target.Capabilities().TestModeSecret, st.target.AdminURL(), rs.URL(), policy)
	set := &replicaSet{redis: rs}
	for range 2 {
		base, stop, err := starter.StartGateway(ctx, env)
		if err != nil {
			return nil, fmt.Errorf("expected a gateway replica on %s to start, got %w", rs.URL(), err)
		}
		s.cleanups = append(s.cleanups, stop)
		set.urls = append(set.urls, base)
	}
	return set, nil
}

// externalReplicas checks that the given replicas have the scenario's failure policy and the
// default-class burst the feature expects, and restarts their Redis after the scenario if the
// harness controls it.
func (st *steps) externalReplicas(ctx context.Context, s *scenario, c Capabilities, policy string) (*replicaSet, error) {
	set := &replicaSet{urls: c.Replicas[:2], redis: c.Redis}
	for i, base := range set.urls {
		x, err := st.client.Do(ctx, Request{Base: base, Method: http.MethodGet, Path: "/api/health"})
		if err != nil {
			return nil, TargetError("replica %d: %w", i+1, err)
		}
		if got := gjson.GetBytes(x.Body, "rate_limit_store.failure_policy").String(); policy != "" && got != policy {
			return nil, fmt.Errorf("expected replica %d to fail %q (RATE_LIMIT_REDIS_FAILURE), got %q\n  exchange: %s", i+1, policy, got, x)
		}
		if got := gjson.GetBytes(x.Body, "rate_limit_store.store").String(); got != "redis" {
			return nil, fmt.Errorf("expected replica %d to keep its limits in Redis, got store %q\n  exchange: %s", i+1, got, x)
		}
	}
	if err := st.checkReplicaBurst(ctx, s, set.urls[0]); err != nil {
		return nil, err
	}
	if c.Redis != nil {
		s.cleanups = append(s.cleanups, func() { _ = c.Redis.Restart(context.WithoutCancel(ctx)) })
	}
	return set, nil
}

func replicasFrom(ctx context.Context) (*replicaSet, error) {
	set, ok := ctx.Value(replicasKey{}).(*replicaSet)
	if !ok {
		return nil, errors.New("step: no replicas in this scenario (start them with: two gateway replicas share one Redis rate-limit store)")
	}
	return set, nil
}

// useReplica sends the scenario's next requests to replica n (1 or 2).
func (st *steps) useReplica(ctx context.Context, n int) (context.Context, error) {
	set, err := replicasFrom(ctx)
	if err != nil {
		return ctx, err
	}
	if n < 1 || n > len(set.urls) {
		return ctx, fmt.Errorf("step: replica %d does not exist; there are %d", n, len(set.urls))
	}
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	s.base = set.urls[n-1]
	return ctx, nil
}

func (st *steps) stopRedis(ctx context.Context) (context.Context, error) {
	set, err := replicasFrom(ctx)
	if err != nil {
		return ctx, err
	}
	if set.redis == nil {
		return ctx, errNoRedisControl
	}
	return ctx, set.redis.Stop()
}

var errNoRedisControl = errors.New("expected the harness to control the replicas' Redis, got a Redis it did not start (tag the scenario @redis-control)")

func (st *steps) restartRedis(ctx context.Context) (context.Context, error) {
	set, err := replicasFrom(ctx)
	if err != nil {
		return ctx, err
	}
	if set.redis == nil {
		return ctx, errNoRedisControl
	}
	if err := set.redis.Restart(ctx); err != nil {
		return ctx, TargetError("%w", err)
	}
	return ctx, nil
}

func (st *steps) headerAbsent(ctx context.Context, name string) (context.Context, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	if s.last == nil {
		return ctx, errors.New("expected a response, got none (no request was sent in this scenario)")
	}
	if v := s.last.Header.Get(name); v != "" {
		return ctx, fmt.Errorf("expected no %s header, got %q\n  exchange: %s", name, v, s.last)
	}
	return ctx, nil
}

// checkReplicaBurst spends one token of a probe identity to read the default-class limit, which the
// scenarios count on.
func (st *steps) checkReplicaBurst(ctx context.Context, s *scenario, base string) error {
	tok, err := st.target.Token(s.identity("replica-probe"))
	if err != nil {
		return fmt.Errorf("expected a token to probe the replicas' limits, got %w", err)
	}
	x, err := st.client.Do(ctx, Request{Base: base, Method: http.MethodGet, Path: "/api/patterns",
		Header: http.Header{"Authorization": {"Bearer " + tok}}})
	if err != nil {
		return TargetError("%w", err)
	}
	if got := x.Header.Get("RateLimit-Limit"); got != strconv.Itoa(replicaBurst) {
		return fmt.Errorf("expected replicas configured with RATE_LIMIT_DEFAULT_BURST=%d and RATE_LIMIT_DEFAULT_RPM=%d, got RateLimit-Limit %q\n  exchange: %s",
			replicaBurst, replicaRPM, got, x)
	}
	return nil
}
