package harness

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/gateway"
)

// Real is an in-process gateway calling the real providers with the keys from the environment.
type Real struct {
	secret string
	gw     *gateway.Gateway
	srv    *server
	keys   []string
}

// StartReal starts a gateway with USE_MOCK=false, the default provider base URLs and the keys
// of every provider of the table (OPENAI_API_KEY, ANTHROPIC_API_KEY...) read through getenv. It returns a target error
// naming the missing keys when any is unset: real-provider scenarios never run half-configured.
func StartReal(ctx context.Context, getenv func(string) string, logger *slog.Logger) (*Real, error) {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	var missing, keys []string
	env := map[string]string{"ENVIRONMENT": "testing", "USE_MOCK": "false", "LOG_LEVEL": "error"}
	for _, k := range providerKeyVars() {
		v := getenv(k)
		if v == "" {
			missing = append(missing, k)
		}
		env[k] = v
		keys = append(keys, v)
	}
	if len(missing) > 0 {
		return nil, TargetError("the real-providers target needs %s in the environment", strings.Join(missing, ", "))
	}
	t := &Real{secret: RandomSecret(24), keys: keys}
	env["JWT_SECRET"], env["JWT_AUDIENCE"] = t.secret, TestAudience
	cfg, err := gateway.LoadConfig(getenvFrom(env))
	if err != nil {
		return nil, TargetError("gateway configuration: %w", err)
	}
	t.gw, err = gateway.New(cfg, gateway.Deps{Logger: logger})
	if err != nil {
		return nil, TargetError("start the gateway: %w", err)
	}
	if t.srv, err = serve(t.gw); err != nil {
		t.gw.Close()
		return nil, TargetError("start the gateway: %w", err)
	}
	t.gw.Start(context.WithoutCancel(ctx))
	if err := waitReady(ctx, t.srv.url, 10*time.Second); err != nil {
		t.Close()
		return nil, err
	}
	return t, nil
}

// Name is "real providers".
func (t *Real) Name() string { return "real providers" }

// BaseURL is the gateway's root URL.
func (t *Real) BaseURL() string { return t.srv.url }

// AdminURL is "": the providers are real, faults cannot be injected.
func (t *Real) AdminURL() string { return "" }

// Token mints tokens with the gateway's secret.
func (t *Real) Token(sub string, opts ...TokenOption) (string, error) {
	return Minter{Secret: t.secret, Audience: TestAudience}.Token(sub, opts...)
}

// Capabilities: real providers and token minting.
func (t *Real) Capabilities() Capabilities {
	return Capabilities{MintTokens: true, Audience: true, RealProviders: true, ProviderKeys: t.keys}
}

// Close stops the gateway.
func (t *Real) Close() error {
	if t.srv != nil {
		t.srv.close()
	}
	if t.gw != nil {
		t.gw.Close()
	}
	return nil
}
