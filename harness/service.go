package harness

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Service is any HTTP service reached at a URL: the target of QA's own feature files. It can mint no
// Ultra tokens and starts nothing, so scenarios tagged for those abilities are reported as not run.
type Service struct {
	base, admin string
}

// ServiceOptions configure NewService. The zero value has no mock admin API.
type ServiceOptions struct {
	// AdminURL is the root of a mock server's admin API (/__admin/) when the service is our mock
	// (`ultra mock`), "" otherwise. The mock-control steps need it.
	AdminURL string
	// HTTPClient checks that the service answers; nil means a client with a 5 s timeout.
	HTTPClient *http.Client
}

// NewService returns the target for the service at baseURL after checking that it answers HTTP at
// all (any status will do). It returns a target error when the URL is not absolute http(s) or
// nothing answers there.
func NewService(ctx context.Context, baseURL string, opts ServiceOptions) (*Service, error) {
	u, err := url.Parse(baseURL)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, TargetError("%q is not an absolute http(s) URL", baseURL)
	}
	c := opts.HTTPClient
	if c == nil {
		c = &http.Client{Timeout: 5 * time.Second}
	}
	t := &Service{base: strings.TrimRight(baseURL, "/"), admin: strings.TrimRight(opts.AdminURL, "/")}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, t.base+"/", nil)
	if err != nil {
		return nil, TargetError("%w", err)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, TargetError("cannot reach %s: %w", t.base, err)
	}
	resp.Body.Close()
	return t, nil
}

// Name is the service's URL.
func (t *Service) Name() string { return t.base }

// BaseURL is the service's URL.
func (t *Service) BaseURL() string { return t.base }

// AdminURL is ServiceOptions.AdminURL.
func (t *Service) AdminURL() string { return t.admin }

// errNoMinting is Service.Token's error.
var errNoMinting = errors.New("the target is a plain service: it mints no Ultra tokens (use the bearer, basic or API-key steps with a variable)")

// Token always fails: a plain service has no Ultra signing key.
func (t *Service) Token(string, ...TokenOption) (string, error) { return "", errNoMinting }

// Capabilities are none: only untagged scenarios run.
func (t *Service) Capabilities() Capabilities { return Capabilities{} }

// Close does nothing: the service is not ours.
func (t *Service) Close() error { return nil }
