package gateway_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/gateway"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func envFunc(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// TestGatewayConfigGolden checks LoadConfig's messages against testdata/config_*.golden.
func TestGatewayConfigGolden(t *testing.T) {
	strong := "8d3f0b2c9e7a41d6b5c8f2e1a0d9c7b6e5f4a3b2"
	cases := []struct {
		name string
		env  map[string]string
	}{
		{"production_empty", map[string]string{"ENVIRONMENT": "production"}},
		{"production_insecure", map[string]string{
			"ENVIRONMENT": "production", "JWT_SECRET": "changeme", "CORS_ORIGINS": "*", "USE_MOCK": "true",
			"TEST_MODE_SECRET": "x", "OPENAI_API_KEY": "sk-1", "OPENAI_BASE_URL": "http://api.openai.com/v1"}},
		{"production_short_secret", map[string]string{
			"ENVIRONMENT": "production", "JWT_SECRET": "too-short-secret", "CORS_ORIGINS": "https://app.example", "GOOGLE_API_KEY": "g"}},
		{"production_ok", map[string]string{
			"ENVIRONMENT": "production", "JWT_SECRET": strong, "CORS_ORIGINS": "https://app.example", "ANTHROPIC_API_KEY": "a"}},
		{"invalid_values", map[string]string{
			"ENVIRONMENT": "testing", "RATE_LIMIT_ANALYZE_RPM": "lots", "BREAKER_RECOVERY_TIMEOUT": "soon", "USE_MOCK": "maybe",
			"LOG_LEVEL": "loud", "JWT_ALGORITHM": "none", "GEMINI_BASE_URL": "ftp://x"}},
		{"unknown_environment", map[string]string{"ENVIRONMENT": "staging"}},
	}
	testdata, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Chdir(t.TempDir()) // no .env files
			_, err := gateway.LoadConfig(envFunc(c.env))
			got := "ok\n"
			if err != nil {
				got = err.Error() + "\n"
				var ce *gateway.ConfigError
				if !errors.As(err, &ce) {
					t.Fatalf("error %T, want *gateway.ConfigError", err)
				}
			}
			path := filepath.Join(testdata, "config_"+c.name+".golden")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Fatalf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestGatewayConfigDefaultsAndDotEnv(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	t.Run("DevelopmentZeroConfig", func(t *testing.T) {
		cfg, err := gateway.LoadConfig(envFunc(nil))
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Environment != "development" || !cfg.UseMock || !cfg.JWTSecretGenerated || len(cfg.JWTSecret) < 32 ||
			cfg.Addr != "127.0.0.1:8000" || cfg.AnalyzeRPM != 60 || cfg.BreakerRecoveryTimeout != 5*time.Minute || len(cfg.Models) != 8 {
			t.Fatalf("unexpected development defaults: %+v", cfg)
		}
	})
	env := "# testing\nANALYZE_TIMEOUT=7\nULTRA_ADDR=127.0.0.1:9999\nexport JWT_SECRET=\"from-file-from-file-from-file-123\"\n"
	if err := os.WriteFile(filepath.Join(dir, ".env.testing"), []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	process := envFunc(map[string]string{"ENVIRONMENT": "testing", "ULTRA_ADDR": "127.0.0.1:1234"})
	t.Run("DotEnvDoesNotOverride", func(t *testing.T) {
		getenv, err := gateway.DotenvGetenv(dir, process)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := gateway.LoadConfig(getenv)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.Addr != "127.0.0.1:1234" || cfg.AnalyzeTimeout != 7*time.Second || cfg.JWTSecret != "from-file-from-file-from-file-123" ||
			cfg.UseMock || cfg.BreakerRecoveryTimeout != 5*time.Second || cfg.HealthCheckInterval != time.Second {
			t.Fatalf("unexpected testing config: addr=%s timeout=%s secret=%q mock=%v", cfg.Addr, cfg.AnalyzeTimeout, cfg.JWTSecret, cfg.UseMock)
		}
	})
	t.Run("LoadConfigReadsNoFile", func(t *testing.T) {
		// .env.testing is in the working directory, but only DotenvGetenv reads it.
		cfg, err := gateway.LoadConfig(process)
		if err != nil {
			t.Fatal(err)
		}
		if cfg.AnalyzeTimeout != 60*time.Second || !cfg.JWTSecretGenerated {
			t.Fatalf("LoadConfig read .env.testing: timeout=%s generated=%v", cfg.AnalyzeTimeout, cfg.JWTSecretGenerated)
		}
	})
	t.Run("MalformedDotEnv", func(t *testing.T) {
		bad := t.TempDir()
		if err := os.WriteFile(filepath.Join(bad, ".env.production"), []byte("# ok\nNOEQUALS\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := gateway.DotenvGetenv(bad, envFunc(map[string]string{"ENVIRONMENT": "Production"}))
		if err == nil || !strings.HasSuffix(err.Error(), ".env.production:2: expected KEY=VALUE") {
			t.Fatalf("err = %v, want the file and line of the bad entry", err)
		}
	})
	t.Run("UnknownEnvironmentReadsNoFile", func(t *testing.T) {
		staging := t.TempDir()
		if err := os.WriteFile(filepath.Join(staging, ".env.staging"), []byte("ANALYZE_TIMEOUT=9\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		getenv, err := gateway.DotenvGetenv(staging, envFunc(map[string]string{"ENVIRONMENT": "staging"}))
		if err != nil || getenv("ANALYZE_TIMEOUT") != "" {
			t.Fatalf("getenv(ANALYZE_TIMEOUT) = %q, err = %v; want no file layer", getenv("ANALYZE_TIMEOUT"), err)
		}
	})
	t.Run("ModelsFile", func(t *testing.T) {
		path := filepath.Join(dir, "models.yaml")
		os.WriteFile(path, []byte("models:\n  - name: Bad Name\n    provider: openai\n    provider_model: x\n"), 0o600)
		_, err := gateway.LoadConfig(envFunc(map[string]string{"MODELS_FILE": path}))
		if err == nil || !strings.Contains(err.Error(), `name "Bad Name"`) {
			t.Fatalf("err = %v, want a bad model name", err)
		}
	})
}
