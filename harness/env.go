package harness

import "github.com/ultra-kit/ultra/internal/provider"

// TestAudience is the JWT_AUDIENCE of the gateways the harness starts.
const TestAudience = "ultra-api"

// ProviderKey is the API key the harness configures in the gateway and makes the mock server accept
// for the provider called name (every row of internal/provider's table gets one).
func ProviderKey(name string) string { return "sk-harness-" + name + "-0123456789" }

// AllProviderKeys are the keys of every provider of the table, in table order.
func AllProviderKeys() []string {
	var keys []string
	for _, name := range provider.Names() {
		keys = append(keys, ProviderKey(name))
	}
	return keys
}

// ProviderKeys are the keys per provider as mockserver.Config.ProviderKeys takes them.
func ProviderKeys() map[string][]string {
	out := map[string][]string{}
	for _, name := range provider.Names() {
		out[name] = []string{ProviderKey(name)}
	}
	return out
}

// TestingEnv is the environment of a gateway under test: testing mode, the given secrets, provider
// base URLs under mockURL (the mock server's root, e.g. http://127.0.0.1:8086) spelled as each
// provider's SDKs spell them, fast health checks and breakers, and rate limits small enough for the
// rate-limiting feature.
func TestingEnv(jwtSecret, testModeSecret, mockURL string) map[string]string {
	env := map[string]string{
		"ENVIRONMENT":               "testing",
		"USE_MOCK":                  "false",
		"JWT_SECRET":                jwtSecret,
		"JWT_AUDIENCE":              TestAudience,
		"TEST_MODE_SECRET":          testModeSecret,
		"BREAKER_FAILURE_THRESHOLD": "3",
		"BREAKER_RECOVERY_TIMEOUT":  "1s",
		"HEALTH_CHECK_INTERVAL":     "200ms",
		"PROVIDER_TIMEOUT":          "10s",
		"ANALYZE_TIMEOUT":           "20s",
		"RATE_LIMIT_ANALYZE_RPM":    "60",
		"RATE_LIMIT_ANALYZE_BURST":  "5",
		"RATE_LIMIT_DEFAULT_RPM":    "600",
		"RATE_LIMIT_DEFAULT_BURST":  "30",
		"LOG_LEVEL":                 "error",
	}
	for _, p := range provider.All() {
		env[p.KeyVar] = ProviderKey(p.Name)
		env[p.BaseURLVar] = p.SDKBaseURL(mockURL)
	}
	return env
}

// SecureProductionEnv is a production environment with nothing insecure in it: a random 48-character
// secret, explicit CORS origins, real-provider mode and a (fake) key per provider. Provider base URLs are
// left to their https defaults; StartGateway points them at the mock server's TLS listener.
func SecureProductionEnv() map[string]string {
	env := map[string]string{
		"ENVIRONMENT":  "production",
		"USE_MOCK":     "false",
		"JWT_SECRET":   RandomSecret(24),
		"JWT_AUDIENCE": TestAudience,
		"CORS_ORIGINS": "https://app.ultra.example",
		"LOG_LEVEL":    "error",
	}
	for _, p := range provider.All() {
		env[p.KeyVar] = ProviderKey(p.Name)
	}
	return env
}

// getenvFrom returns a getenv reading only m.
func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// providerKeyVars are the API-key variables of every provider of the table (OPENAI_API_KEY...).
func providerKeyVars() []string {
	var vars []string
	for _, p := range provider.All() {
		vars = append(vars, p.KeyVar)
	}
	return vars
}
