package harness

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"
)

// External is a gateway deployed elsewhere, reached at a URL.
type External struct {
	base, admin string
	minter      Minter
	caps        Capabilities
}

// ExternalFromEnv builds the external target for baseURL from the variables read through getenv:
// ULTRA_MOCK_ADMIN_URL (the mock server behind the gateway, for @mock-providers), JWT_SECRET with
// JWT_AUDIENCE and JWT_ISSUER (to mint tokens) or ULTRA_TOKEN (a ready token), TEST_MODE_SECRET, and
// ULTRA_REAL_PROVIDERS=1 when the gateway calls the real providers, and ULTRA_REPLICA_URLS (two or
// more gateway replicas sharing one Redis, comma-separated, for @replicas). It returns a target error when
// the URL is not absolute or the gateway (or the mock admin API, or a replica) does not answer.
func ExternalFromEnv(ctx context.Context, baseURL string, getenv func(string) string) (*External, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, TargetError("%q is not an absolute http(s) URL", baseURL)
	}
	t := &External{
		base:  strings.TrimRight(baseURL, "/"),
		admin: strings.TrimRight(getenv("ULTRA_MOCK_ADMIN_URL"), "/"),
		minter: Minter{Secret: getenv("JWT_SECRET"), Audience: getenv("JWT_AUDIENCE"), Issuer: getenv("JWT_ISSUER"),
			Static: getenv("ULTRA_TOKEN")},
	}
	if t.minter.Secret == "" && t.minter.Static == "" {
		return nil, TargetError("no credentials for %s: set JWT_SECRET (the gateway's, to mint tokens) or ULTRA_TOKEN", t.base)
	}
	t.caps = Capabilities{
		MintTokens:     t.minter.CanMint(),
		Audience:       t.minter.Audience != "",
		TestModeSecret: getenv("TEST_MODE_SECRET"),
		RealProviders:  getenv("ULTRA_REAL_PROVIDERS") == "1",
	}
	for _, k := range providerKeyVars() {
		if v := getenv(k); v != "" {
			t.caps.ProviderKeys = append(t.caps.ProviderKeys, v)
		}
	}
	if err := reachable(ctx, t.base+"/api/health/live"); err != nil {
		return nil, err
	}
	if err := t.replicasFromEnv(ctx, getenv(ReplicaURLsEnv)); err != nil {
		return nil, err
	}
	if t.admin != "" {
		if err := reachable(ctx, t.admin+"/__admin/health"); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// reachable checks that url answers 200 within a few seconds.
func reachable(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return TargetError("%w", err)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return TargetError("cannot reach %s: %w", url, err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		return TargetError("GET %s answered %d, expected 200", url, resp.StatusCode)
	}
	return nil
}

// Name is the gateway's URL.
func (t *External) Name() string { return t.base }

// BaseURL is the gateway's URL.
func (t *External) BaseURL() string { return t.base }

// AdminURL is ULTRA_MOCK_ADMIN_URL ("" when unset).
func (t *External) AdminURL() string { return t.admin }

// Token mints a token with JWT_SECRET, or returns ULTRA_TOKEN for a plain token.
func (t *External) Token(sub string, opts ...TokenOption) (string, error) {
	return t.minter.Token(sub, opts...)
}

// Capabilities follow from the variables given.
func (t *External) Capabilities() Capabilities { return t.caps }

// Close does nothing: the deployment is not ours.
func (t *External) Close() error { return nil }

// IsTargetError reports whether err means the target could not be started or reached.
func IsTargetError(err error) bool {
	var te *errTarget
	return errors.As(err, &te)
}

// replicasFromEnv reads the replica URLs (none: nothing to do), checks each answers, and reads the
// failure policy of their rate-limit store from the first one's /api/health.
func (t *External) replicasFromEnv(ctx context.Context, list string) error {
	var urls []string
	for _, u := range strings.Split(list, ",") {
		if u = strings.TrimRight(strings.TrimSpace(u), "/"); u != "" {
			urls = append(urls, u)
		}
	}
	if len(urls) == 0 {
		return nil
	}
	if len(urls) < 2 {
		return TargetError("%s needs at least two gateway URLs, got %q", ReplicaURLsEnv, list)
	}
	for _, u := range urls {
		if p, err := url.Parse(u); err != nil || p.Host == "" || (p.Scheme != "http" && p.Scheme != "https") {
			return TargetError("%s: %q is not an absolute http(s) URL", ReplicaURLsEnv, u)
		}
		if err := reachable(ctx, u+"/api/health/live"); err != nil {
			return err
		}
	}
	policy, err := storePolicy(ctx, urls[0])
	if err != nil {
		return err
	}
	t.caps.Replicas, t.caps.ReplicaPolicy = urls, policy
	return nil
}

// storePolicy reads rate_limit_store.failure_policy from base/api/health.
func storePolicy(ctx context.Context, base string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/health", nil)
	if err != nil {
		return "", TargetError("%w", err)
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return "", TargetError("cannot reach %s: %w", base, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", TargetError("read %s/api/health: %w", base, err)
	}
	policy := gjson.GetBytes(body, "rate_limit_store.failure_policy").String()
	if policy != FailOpen && policy != FailClosed {
		return "", TargetError("%s/api/health has no rate_limit_store.failure_policy (open or closed), got %q", base, policy)
	}
	return policy, nil
}

// SetRedisControl gives the target a way to stop and restart its replicas' Redis, for a harness that
// started that Redis itself (tests); without it the @redis-control scenarios are skipped.
func (t *External) SetRedisControl(rc RedisControl) { t.caps.Redis = rc }
