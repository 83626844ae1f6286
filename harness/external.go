package harness

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
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
// ULTRA_REAL_PROVIDERS=1 when the gateway calls the real providers. It returns a target error when
// the URL is not absolute or the gateway (or the mock admin API) does not answer.
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
