package gateway

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/ultra-kit/ultra/internal/provider"
)

// Environments a gateway runs in.
const (
	EnvDevelopment = "development"
	EnvTesting     = "testing"
	EnvProduction  = "production"
)

// Config is the whole gateway configuration. LoadConfig fills it from the environment; the zero value
// of every field means the default given in its comment (New applies them).
type Config struct {
	// Environment is development (the default), testing or production.
	Environment string
	// Addr is the listen address (ULTRA_ADDR, default 127.0.0.1:8000).
	Addr string
	// UseMock says the provider base URLs point at in-process mocks (USE_MOCK; default true in
	// development, false elsewhere). The gateway itself only reports it; cmd/ultra does the wiring.
	UseMock bool

	// APIKeys are the provider API keys by provider name (the rows of internal/provider: openai,
	// anthropic, gemini), read from each provider's key variable (OPENAI_API_KEY...); a missing or
	// empty entry means not configured.
	APIKeys map[string]string
	// BaseURLs are the provider base URLs by provider name, read from each provider's base-URL
	// variable (OPENAI_BASE_URL...) in either convention: with the API version, as OpenAI's SDKs
	// spell it, or without, as Anthropic's and Google's do (see BaseURL). A missing or empty entry
	// means the provider's public API.
	BaseURLs map[string]string

	// JWTSecret is the HS256 secret. Empty in development and testing (with no public key) means a
	// random one is generated and JWTSecretGenerated is set.
	JWTSecret string
	// JWTSecretGenerated reports that JWTSecret was generated for this process.
	JWTSecretGenerated bool
	// JWTPublicKeyFile is a PEM public key (RSA or EC) for RS256/ES256 tokens.
	JWTPublicKeyFile string
	// JWKSURL is a JWKS document with the RS256/ES256 verification keys.
	JWKSURL string
	// JWTAlgorithm is HS256, RS256 or ES256; empty means inferred from the key material.
	JWTAlgorithm string
	// JWTIssuer and JWTAudience, when set, must match the token's iss and aud claims.
	JWTIssuer, JWTAudience string

	// CORSOrigins are the allowed browser origins; empty means no CORS headers.
	CORSOrigins []string

	// AnalyzeRPM and AnalyzeBurst limit POST /api/analyze per identity (defaults 60 and 10).
	AnalyzeRPM, AnalyzeBurst int
	// DefaultRPM and DefaultBurst limit the other authenticated operations (defaults 600 and 50).
	DefaultRPM, DefaultBurst int
	// RateLimitStore keeps the buckets: "memory" (RATE_LIMIT_STORE; the default, per process) or a
	// redis://HOST:PORT/DB or rediss:// URL shared by every replica. RateLimitRedisFailure is what
	// limited requests get while Redis fails: "open" (the default; allowed) or "closed" (503).
	// RateLimitRedisTimeout bounds one store call (default 100ms).
	RateLimitStore, RateLimitRedisFailure string
	RateLimitRedisTimeout                 time.Duration

	// BreakerFailureThreshold is how many consecutive transient failures open a breaker (default 3).
	BreakerFailureThreshold int
	// BreakerRecoveryTimeout is how long a breaker stays open before one probe (default 5m; 5s in testing).
	BreakerRecoveryTimeout time.Duration
	// ProviderTimeout bounds one model call (default 30s).
	ProviderTimeout time.Duration
	// AnalyzeTimeout bounds one analysis unless the request sets options.timeout_seconds (default 60s).
	AnalyzeTimeout time.Duration
	// HealthCheckInterval is the period of the background provider checks (default 30s; 1s in testing).
	HealthCheckInterval time.Duration
	// MaxBodyBytes limits request bodies (default 1 MiB).
	MaxBodyBytes int64

	// TestModeSecret enables the X-Test-Mode header outside production; empty disables it.
	TestModeSecret string
	// LogLevel is debug, info (default), warn or error; LogFormat is text (default) or json.
	LogLevel, LogFormat string
	// ModelsFile is a YAML models file; empty means the embedded default.
	ModelsFile string
	// Models are the models loaded from ModelsFile (or the embedded default when nil).
	Models []Model

	// Version is reported by /api/health; empty means "dev".
	Version string
}

// BaseURL returns the base URL a provider's client calls under: the configured one (or the
// provider's public one) with the API version added when it was given without (ANTHROPIC_BASE_URL=
// https://api.anthropic.com → https://api.anthropic.com/v1; GEMINI_BASE_URL=https://generativelanguage.googleapis.com
// → .../v1beta; a trailing /v1 or /v1beta is kept). It is "" for a name that is not in the table.
func (c Config) BaseURL(name string) string {
	p, ok := provider.Lookup(name)
	if !ok {
		return ""
	}
	return p.APIRoot(c.BaseURLs[name])
}

// APIKey returns the configured API key of a provider, "" when none.
func (c Config) APIKey(name string) string { return c.APIKeys[name] }

// SetProvider sets a provider's base URL and API key, allocating the maps of a zero Config.
func (c *Config) SetProvider(name, baseURL, key string) {
	if c.BaseURLs == nil {
		c.BaseURLs = map[string]string{}
	}
	if c.APIKeys == nil {
		c.APIKeys = map[string]string{}
	}
	c.BaseURLs[name], c.APIKeys[name] = baseURL, key
}

// ConfigError is every problem found in a configuration, one sentence each.
type ConfigError struct {
	Environment string
	Problems    []string
}

func (e *ConfigError) Error() string {
	var b strings.Builder
	noun := "problems"
	if len(e.Problems) == 1 {
		noun = "problem"
	}
	fmt.Fprintf(&b, "invalid %s configuration (%d %s):", e.Environment, len(e.Problems), noun)
	for _, p := range e.Problems {
		b.WriteString("\n  - ")
		b.WriteString(p)
	}
	return b.String()
}

// knownDefaultSecrets are secrets that appear in templates and tutorials; production refuses them.
func knownDefaultSecrets() []string {
	return []string{
		"secret", "changeme", "change-me", "changeit", "dev-secret", "development-secret", "your-secret-key",
		"your-256-bit-secret", "jwt-secret", "supersecret", "ultra-dev-secret", "replace-me-with-32-random-bytes-or-more",
	}
}

// LoadConfig reads the configuration through getenv (nil means an empty environment) and reads no
// file but MODELS_FILE and JWT_PUBLIC_KEY_FILE: wrap getenv with DotenvGetenv for the .env.<ENVIRONMENT>
// layer. Values that cannot be parsed, and in production every insecure setting, come back together as
// a *ConfigError.
func LoadConfig(getenv func(string) string) (Config, error) {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	envName := environmentName(getenv)
	switch envName {
	case EnvDevelopment, EnvTesting, EnvProduction:
	default:
		return Config{}, &ConfigError{Environment: envName, Problems: []string{
			fmt.Sprintf("ENVIRONMENT must be development, testing or production, not %q", envName)}}
	}
	l := &loader{get: func(k string) string { return strings.TrimSpace(getenv(k)) }}
	c := readConfig(envName, l)
	problems := append(l.problems, c.validate()...)
	if len(problems) > 0 {
		return c, &ConfigError{Environment: envName, Problems: problems}
	}
	if c.JWTSecret == "" && c.JWTPublicKeyFile == "" && c.JWKSURL == "" {
		// development and testing only: production failed above.
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return c, fmt.Errorf("generate development secret: %w", err)
		}
		c.JWTSecret = hex.EncodeToString(b[:])
		c.JWTSecretGenerated = true
		if c.JWTAlgorithm == "" {
			c.JWTAlgorithm = "HS256"
		}
	}
	return c, nil
}

// readConfig fills a Config of environment envName from l, whose problems collect the unparsable values.
func readConfig(envName string, l *loader) Config {
	get := l.get
	testing := envName == EnvTesting
	c := Config{Environment: envName}
	c.Addr = l.str("ULTRA_ADDR", "127.0.0.1:8000")
	c.UseMock = l.boolean("USE_MOCK", envName == EnvDevelopment)
	c.APIKeys, c.BaseURLs = map[string]string{}, map[string]string{}
	for _, p := range provider.All() {
		if v := get(p.KeyVar); v != "" {
			c.APIKeys[p.Name] = v
		}
		if v := get(p.BaseURLVar); v != "" {
			c.BaseURLs[p.Name] = v
		}
	}
	c.JWTSecret, c.JWTPublicKeyFile, c.JWKSURL = get("JWT_SECRET"), get("JWT_PUBLIC_KEY_FILE"), get("JWKS_URL")
	c.JWTAlgorithm = strings.ToUpper(get("JWT_ALGORITHM"))
	c.JWTIssuer, c.JWTAudience = get("JWT_ISSUER"), get("JWT_AUDIENCE")
	for _, o := range strings.Split(get("CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o != "" {
			c.CORSOrigins = append(c.CORSOrigins, o)
		}
	}
	c.AnalyzeRPM = l.positive("RATE_LIMIT_ANALYZE_RPM", 60)
	c.AnalyzeBurst = l.positive("RATE_LIMIT_ANALYZE_BURST", 10)
	c.DefaultRPM = l.positive("RATE_LIMIT_DEFAULT_RPM", 600)
	c.DefaultBurst = l.positive("RATE_LIMIT_DEFAULT_BURST", 50)
	c.RateLimitStore, c.RateLimitRedisFailure = l.str("RATE_LIMIT_STORE", StoreMemory), strings.ToLower(l.str("RATE_LIMIT_REDIS_FAILURE", FailureOpen))
	c.RateLimitRedisTimeout = l.duration("RATE_LIMIT_REDIS_TIMEOUT", defaultStoreTimeout)
	c.BreakerFailureThreshold = l.positive("BREAKER_FAILURE_THRESHOLD", 3)
	c.BreakerRecoveryTimeout = l.duration("BREAKER_RECOVERY_TIMEOUT", pickDur(testing, 5*time.Second, 5*time.Minute))
	c.ProviderTimeout = l.duration("PROVIDER_TIMEOUT", 30*time.Second)
	c.AnalyzeTimeout = l.duration("ANALYZE_TIMEOUT", 60*time.Second)
	c.HealthCheckInterval = l.duration("HEALTH_CHECK_INTERVAL", pickDur(testing, time.Second, 30*time.Second))
	c.MaxBodyBytes = int64(l.positive("MAX_BODY_BYTES", 1<<20))
	c.TestModeSecret = get("TEST_MODE_SECRET")
	c.LogLevel = strings.ToLower(l.str("LOG_LEVEL", "info"))
	c.LogFormat = strings.ToLower(l.str("LOG_FORMAT", "text"))
	c.ModelsFile = get("MODELS_FILE")
	return c
}

// validate loads the models file, infers JWT_ALGORITHM and returns every problem of the settings,
// the production ones included when c.Environment is production.
func (c *Config) validate() []string {
	var problems []string
	prod := c.Environment == EnvProduction
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		problems = append(problems, fmt.Sprintf("LOG_LEVEL must be debug, info, warn or error, not %q", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, fmt.Sprintf("LOG_FORMAT must be text or json, not %q", c.LogFormat))
	}
	models, err := LoadModels(c.ModelsFile)
	if err != nil {
		problems = append(problems, err.Error())
	}
	c.Models = models
	problems = append(problems, c.checkJWT()...)
	problems = append(problems, c.rateLimitStoreProblems(prod)...)
	problems = append(problems, c.urlProblems(prod)...)
	if prod {
		problems = append(problems, c.productionProblems()...)
	}
	return problems
}

// urlProblems checks JWKS_URL and the provider base URLs: absolute http(s), https in production.
func (c Config) urlProblems(prod bool) []string {
	var problems []string
	urls := []struct{ name, v string }{{"JWKS_URL", c.JWKSURL}}
	for _, p := range provider.All() {
		urls = append(urls, struct{ name, v string }{p.BaseURLVar, c.BaseURLs[p.Name]})
	}
	for _, p := range urls {
		if p.v == "" {
			continue
		}
		u, err := url.Parse(p.v)
		switch {
		case err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https"):
			problems = append(problems, fmt.Sprintf("%s must be an absolute http(s) URL, not %q", p.name, p.v))
		case prod && u.Scheme != "https":
			problems = append(problems, fmt.Sprintf("%s must use https in production, not %q", p.name, p.v))
		}
	}
	return problems
}

// checkJWT infers JWT_ALGORITHM and reports contradictory key settings.
func (c *Config) checkJWT() []string {
	var problems []string
	asym := c.JWTPublicKeyFile != "" || c.JWKSURL != ""
	if c.JWTPublicKeyFile != "" && c.JWKSURL != "" {
		problems = append(problems, "set only one of JWT_PUBLIC_KEY_FILE and JWKS_URL")
	}
	switch c.JWTAlgorithm {
	case "":
		switch {
		case asym && c.JWTPublicKeyFile != "":
			alg, err := publicKeyAlgorithm(c.JWTPublicKeyFile)
			if err != nil {
				problems = append(problems, err.Error())
			}
			c.JWTAlgorithm = alg
		case asym:
			c.JWTAlgorithm = "RS256"
		default:
			c.JWTAlgorithm = "HS256"
		}
	case "HS256":
		if asym {
			problems = append(problems, "JWT_ALGORITHM HS256 uses JWT_SECRET; unset JWT_PUBLIC_KEY_FILE and JWKS_URL")
		}
	case "RS256", "ES256":
		if !asym {
			problems = append(problems, fmt.Sprintf("JWT_ALGORITHM %s needs JWT_PUBLIC_KEY_FILE or JWKS_URL", c.JWTAlgorithm))
		}
	default:
		problems = append(problems, fmt.Sprintf("JWT_ALGORITHM must be HS256, RS256 or ES256, not %q", c.JWTAlgorithm))
	}
	return problems
}

func (c Config) productionProblems() []string {
	var p []string
	if c.JWTPublicKeyFile == "" && c.JWKSURL == "" {
		switch s := c.JWTSecret; {
		case s == "":
			p = append(p, "JWT_SECRET is not set (or set JWT_PUBLIC_KEY_FILE or JWKS_URL)")
		case isKnownDefault(s):
			p = append(p, "JWT_SECRET is a well-known default value; generate a random one (openssl rand -hex 32)")
		case len(s) < 32:
			p = append(p, fmt.Sprintf("JWT_SECRET is %d bytes; it must be at least 32 bytes", len(s)))
		}
	}
	if len(c.CORSOrigins) == 0 {
		p = append(p, "CORS_ORIGINS is empty; list the allowed origins")
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			p = append(p, "CORS_ORIGINS must not contain *")
		}
	}
	if c.UseMock {
		p = append(p, "USE_MOCK is true; production must call the real providers")
	}
	var keyVars []string
	anyKey := false
	for _, pr := range provider.All() {
		keyVars = append(keyVars, pr.KeyVar)
		anyKey = anyKey || c.APIKey(pr.Name) != ""
	}
	if !anyKey {
		last := len(keyVars) - 1
		p = append(p, "no provider API key is set ("+strings.Join(keyVars[:last], ", ")+" or "+keyVars[last]+")")
	}
	if c.TestModeSecret != "" {
		p = append(p, "TEST_MODE_SECRET is set; test mode is not allowed in production")
	}
	return p
}

func isKnownDefault(s string) bool {
	l := strings.ToLower(s)
	for _, d := range knownDefaultSecrets() {
		if l == d {
			return true
		}
	}
	return strings.Contains(l, "changeme") || strings.Contains(l, "change-me") || strings.Contains(l, "replace-me")
}

func pickDur(cond bool, a, b time.Duration) time.Duration {
	if cond {
		return a
	}
	return b
}

// loader parses typed values and collects the problems.
type loader struct {
	get      func(string) string
	problems []string
}

func (l *loader) str(k, def string) string {
	if v := l.get(k); v != "" {
		return v
	}
	return def
}

func (l *loader) boolean(k string, def bool) bool {
	v := l.get(k)
	if v == "" {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		l.problems = append(l.problems, fmt.Sprintf("%s must be true or false, not %q", k, v))
		return def
	}
	return b
}

func (l *loader) positive(k string, def int) int {
	v := l.get(k)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		l.problems = append(l.problems, fmt.Sprintf("%s must be a positive integer, not %q", k, v))
		return def
	}
	return n
}

// duration accepts Go syntax ("5s", "1m30s") or bare seconds ("5", "0.5").
func (l *loader) duration(k string, def time.Duration) time.Duration {
	v := l.get(k)
	if v == "" {
		return def
	}
	d, err := parseDuration(v)
	if err != nil || d <= 0 {
		l.problems = append(l.problems, fmt.Sprintf("%s must be a positive duration like 5s or a number of seconds, not %q", k, v))
		return def
	}
	return d
}

func parseDuration(v string) (time.Duration, error) {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		return time.Duration(f * float64(time.Second)), nil
	}
	return time.ParseDuration(v)
}
