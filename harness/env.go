package harness

// Provider API keys the harness configures in the gateway and makes the mock server accept.
const (
	OpenAIKey    = "sk-harness-openai-0123456789"
	AnthropicKey = "sk-ant-harness-0123456789"
	GoogleKey    = "AIza-harness-0123456789"
	// Audience is the JWT_AUDIENCE of the gateways the harness starts.
	TestAudience = "ultra-api"
)

// ProviderKeys are the keys per provider as mockserver.Config.ProviderKeys takes them.
func ProviderKeys() map[string][]string {
	return map[string][]string{"openai": {OpenAIKey}, "anthropic": {AnthropicKey}, "gemini": {GoogleKey}}
}

// TestingEnv is the environment of a gateway under test: testing mode, the given secrets, provider
// base URLs under mockURL (the mock server's root, e.g. http://127.0.0.1:8086), fast health checks
// and breakers, and rate limits small enough for the rate-limiting feature.
func TestingEnv(jwtSecret, testModeSecret, mockURL string) map[string]string {
	return map[string]string{
		"ENVIRONMENT":               "testing",
		"USE_MOCK":                  "false",
		"JWT_SECRET":                jwtSecret,
		"JWT_AUDIENCE":              TestAudience,
		"TEST_MODE_SECRET":          testModeSecret,
		"OPENAI_API_KEY":            OpenAIKey,
		"ANTHROPIC_API_KEY":         AnthropicKey,
		"GOOGLE_API_KEY":            GoogleKey,
		"OPENAI_BASE_URL":           mockURL + "/openai/v1",
		"ANTHROPIC_BASE_URL":        mockURL + "/anthropic/v1",
		"GEMINI_BASE_URL":           mockURL + "/gemini/v1beta",
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
}

// SecureProductionEnv is a production environment with nothing insecure in it: a random 48-character
// secret, explicit CORS origins, real-provider mode and three (fake) keys. Provider base URLs are
// left to their https defaults; StartGateway points them at the mock server's TLS listener.
func SecureProductionEnv() map[string]string {
	return map[string]string{
		"ENVIRONMENT":       "production",
		"USE_MOCK":          "false",
		"JWT_SECRET":        RandomSecret(24),
		"JWT_AUDIENCE":      TestAudience,
		"CORS_ORIGINS":      "https://app.ultra.example",
		"OPENAI_API_KEY":    OpenAIKey,
		"ANTHROPIC_API_KEY": AnthropicKey,
		"GOOGLE_API_KEY":    GoogleKey,
		"LOG_LEVEL":         "error",
	}
}

// getenvFrom returns a getenv reading only m.
func getenvFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}
