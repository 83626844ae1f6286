package harness

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ultra-kit/ultra/internal/redistest"
)

// replicaBurst and replicaRPM are the default-class limits of the @replicas gateways: a burst small
// enough to exhaust in a few requests, a refill slow enough (one token per 10 s) not to blur it.
const (
	replicaBurst = 4
	replicaRPM   = 6
)

// replicaSet is two gateways of one scenario sharing the Redis it started.
type replicaSet struct {
	urls  []string
	redis *redistest.Server
}

type replicasKey struct{}

// vocabReplicas is the @replicas vocabulary: two in-process gateways sharing one Redis rate-limit store.
func (st *steps) vocabReplicas() []stepDef {
	return []stepDef{
		def(GroupUltra, `^two gateway replicas share one Redis rate-limit store, failing "(open|closed)"$`, `Given two gateway replicas share one Redis rate-limit store, failing "open"`, st.twoReplicas),
		def(GroupUltra, `^I use replica (\d+)$`, `When I use replica 2`, st.useReplica),
		def(GroupUltra, `^the Redis rate-limit store stops$`, `When the Redis rate-limit store stops`, st.stopRedis),
		def(GroupUltra, `^the Redis rate-limit store restarts$`, `When the Redis rate-limit store restarts`, st.restartRedis),
		def(GroupAssertions, `^the response header `+quoted+` is absent$`, `And the response header "RateLimit-Limit" is absent`, st.headerAbsent),
	}
}

// twoReplicas starts a redis-server and two gateways on it (in-process target), with a default-class
// burst of 4 and the given failure policy, and uses replica 1.
func (st *steps) twoReplicas(ctx context.Context, policy string) (context.Context, error) {
	s, err := stateFrom(ctx)
	if err != nil {
		return ctx, err
	}
	starter, ok := st.target.(GatewayStarter)
	secret, ok2 := st.target.(interface{ JWTSecret() string })
	if !ok || !ok2 {
		return ctx, fmt.Errorf("expected a target that can start gateways with its JWT secret (in-process), got %s", st.target.Name())
	}
	rs, err := redistest.Start(ctx)
	if err != nil {
		return ctx, TargetError("%w", err)
	}
	s.cleanups = append(s.cleanups, func() { rs.Close() })
	env := TestingEnv(secret.JWTSecret(), st.target.Capabilities().TestModeSecret, st.target.AdminURL())
	env["RATE_LIMIT_STORE"] = rs.URL()
	env["RATE_LIMIT_REDIS_FAILURE"] = policy
	env["RATE_LIMIT_REDIS_TIMEOUT"] = "250ms"
	env["RATE_LIMIT_DEFAULT_BURST"] = strconv.Itoa(replicaBurst)
	env["RATE_LIMIT_DEFAULT_RPM"] = strconv.Itoa(replicaRPM)
	set := &replicaSet{redis: rs}
	for range 2 {
		base, stop, err := starter.StartGateway(ctx, env)
		if err != nil {
			return ctx, fmt.Errorf("expected a gateway replica on %s to start, got %w", rs.URL(), err)
		}
		s.cleanups = append(s.cleanups, stop)
		set.urls = append(set.urls, base)
	}
	s.base = set.urls[0]
	return context.WithValue(ctx, replicasKey{}, set), nil
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
	return ctx, set.redis.Stop()
}

func (st *steps) restartRedis(ctx context.Context) (context.Context, error) {
	set, err := replicasFrom(ctx)
	if err != nil {
		return ctx, err
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
