// Package harness runs the Ultra feature suites (features/*.feature, embedded in the binary) against a
// target: an in-process gateway with in-process mock providers, the gateway and the mock server in two
// containers, or an external deployment. Every request and response the steps exchange is validated
// against the Ultra contract; a violation fails the step that saw it.
package harness

import (
	"context"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// Target is a running Ultra gateway the suite talks to over HTTP.
type Target interface {
	// Name says what the target is, for the output ("in-process", "container", the URL).
	Name() string
	// BaseURL is the gateway's root URL, without a trailing slash.
	BaseURL() string
	// AdminURL is the root URL of the mock server behind the gateway (its admin API is under
	// /__admin/), or "" when the providers are not our mock.
	AdminURL() string
	// Token returns a bearer token for the subject, shaped by the options (expired, wrong key, ...).
	// It returns an error when the target cannot mint tokens of that shape.
	Token(sub string, opts ...TokenOption) (string, error)
	// Capabilities says which tagged scenarios the target can run.
	Capabilities() Capabilities
	// Close stops what the target started. It is safe to call more than once.
	Close() error
}

// GatewayStarter is implemented by targets that can start extra gateways with their own environment
// (the in-process target); scenarios tagged @in-process-only need it.
type GatewayStarter interface {
	// StartGateway starts a gateway from the variables in env (nothing else is read) with its provider
	// base URLs pointed at the target's mock server (https ones when ENVIRONMENT is production). It
	// returns the gateway's base URL and a function that stops it.
	StartGateway(ctx context.Context, env map[string]string) (baseURL string, stop func(), err error)
}

// Capabilities describes what a target supports. The zero value supports only untagged scenarios.
type Capabilities struct {
	// MintTokens: Token can mint every variant (expired, wrong key, alg none).
	MintTokens bool
	// Audience: the gateway checks the aud claim, so a wrong-audience token must be refused.
	Audience bool
	// TestModeSecret is the gateway's TEST_MODE_SECRET; "" means the test-mode scenarios cannot run.
	TestModeSecret string
	// InProcess: the target implements GatewayStarter.
	InProcess bool
	// RealProviders: the gateway calls the real providers with real keys.
	RealProviders bool
	// Container: the gateway runs in a container.
	Container bool
	// ProviderKeys are the API keys the gateway sends to the providers (so a step can check that no
	// response leaks them); empty when unknown.
	ProviderKeys []string
	// Replicas are the base URLs of two or more gateway replicas sharing one Redis rate-limit store,
	// for @replicas on a target that cannot start them; ReplicaPolicy is their
	// RATE_LIMIT_REDIS_FAILURE; Redis stops and restarts their Redis (nil: the harness does not
	// control it, and @redis-control scenarios cannot run).
	Replicas      []string
	ReplicaPolicy string
	Redis         RedisControl
}

// Tags of scenarios that need something of the target.
const (
	TagMockProviders = "mock-providers"
	TagRealProviders = "real-providers"
	TagContainer     = "container"
	TagInProcessOnly = "in-process-only"
	TagSlow          = "slow"
	TagTokenMinting  = "token-minting"
	TagJWTAudience   = "jwt-audience"
	TagTestMode      = "test-mode"
	TagReplicas      = "replicas"
	TagLoad          = "load"
	// TagRedisControl scenarios stop and restart the replicas' Redis; TagRedisFailsOpen and
	// TagRedisFailsClosed need replicas with that RATE_LIMIT_REDIS_FAILURE.
	TagRedisControl     = "redis-control"
	TagRedisFailsOpen   = "redis-fails-open"
	TagRedisFailsClosed = "redis-fails-closed"
)

// Unsupported returns, for every tag the target cannot run, why (tag without "@").
func Unsupported(t Target) map[string]string {
	c := t.Capabilities()
	out := map[string]string{}
	if t.AdminURL() == "" {
		out[TagMockProviders] = "the target's providers are not our mock server (set ULTRA_MOCK_ADMIN_URL)"
	}
	if !c.RealProviders {
		out[TagRealProviders] = "the target does not call the real providers (needs USE_MOCK=false and " + strings.Join(providerKeyVars(), ", ") + ")"
	}
	if !c.Container {
		out[TagContainer] = "the target is not the container deployment"
	}
	if !c.InProcess {
		out[TagInProcessOnly] = "the scenario starts gateways with their own configuration, which only the in-process target can"
	}
	if !c.MintTokens {
		out[TagTokenMinting] = "the target's signing key is unknown (set JWT_SECRET to mint tokens)"
	}
	if !c.Audience || !c.MintTokens {
		out[TagJWTAudience] = "the gateway's JWT_AUDIENCE is unknown or unset"
	}
	replicasUnsupported(c, out)
	if u, err := url.Parse(t.BaseURL()); err != nil || !isLoopback(u.Hostname()) {
		out[TagLoad] = "the target is not on a loopback address; load scenarios only run against 127.0.0.1, ::1 or localhost"
	}
	if c.TestModeSecret == "" {
		out[TagTestMode] = "the gateway's TEST_MODE_SECRET is unknown (set TEST_MODE_SECRET)"
	}
	return out
}

// tagFilter combines a user tag expression (godog syntax: "," is or, "&&" is and, "~" is not) with the
// exclusion of every tag in skip.
func tagFilter(user string, skip []string) string {
	sort.Strings(skip)
	var not []string
	for _, t := range skip {
		not = append(not, "~@"+strings.TrimPrefix(t, "@"))
	}
	if len(not) == 0 {
		return user
	}
	excl := strings.Join(not, " && ")
	if strings.TrimSpace(user) == "" {
		return excl
	}
	var ors []string
	for _, alt := range strings.Split(user, ",") {
		if alt = strings.TrimSpace(alt); alt != "" {
			ors = append(ors, alt+" && "+excl)
		}
	}
	return strings.Join(ors, ",")
}

// errTarget is a target that could not be started or reached: exit status 2 for `ultra features`.
type errTarget struct{ err error }

func (e *errTarget) Error() string { return "target: " + e.err.Error() }
func (e *errTarget) Unwrap() error { return e.err }

// TargetError wraps err as a target error (IsTargetError reports true for it).
func TargetError(format string, args ...any) error {
	return &errTarget{err: fmt.Errorf(format, args...)}
}
