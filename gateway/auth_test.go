package gateway_test

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/ultra-kit/ultra/gateway"
)

func sign(t *testing.T, method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(method, claims).SignedString(key)
	if err != nil {
		t.Fatalf("sign: %v", err)
	}
	return s
}

func TestGatewayAuthAttacks(t *testing.T) {
	now := time.Now()
	valid := func() jwt.MapClaims {
		return jwt.MapClaims{"sub": "alice", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "iss": "ultra-test", "aud": "ultra-api"}
	}
	with := func(k string, v any) jwt.MapClaims {
		c := valid()
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	hs := func(c jwt.MapClaims) string { return sign(t, jwt.SigningMethodHS256, []byte(testSecret), c) }
	rsaKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	pubDER, _ := x509.MarshalPKIXPublicKey(&rsaKey.PublicKey)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	noneTok := sign(t, jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, valid())
	tampered := func() string {
		parts := strings.Split(hs(valid()), ".")
		parts[1] = strings.TrimRight(jwtSegment(`{"sub":"admin","exp":`+itoa(now.Add(time.Hour).Unix())+`,"iss":"ultra-test","aud":"ultra-api"}`), "=")
		return strings.Join(parts, ".")
	}()

	cases := []struct {
		name    string
		prod    bool
		header  map[string]string
		status  int
		code    string
		logLine string
	}{
		{"Valid", false, bearer(hs(valid())), 200, "", ""},
		{"MissingToken", false, nil, 401, "missing_token", ""},
		{"MalformedHeader", false, map[string]string{"Authorization": "Token abc"}, 401, "invalid_token", ""},
		{"MalformedToken", false, bearer("not.a.jwt"), 401, "invalid_token", ""},
		{"AlgNone", false, bearer(noneTok), 401, "invalid_signature", ""},
		{"HSWithPublicKeyConfusion", false, bearer(sign(t, jwt.SigningMethodHS256, pubPEM, valid())), 401, "invalid_signature", ""},
		{"RS256WhenHS256Pinned", false, bearer(sign(t, jwt.SigningMethodRS256, rsaKey, valid())), 401, "invalid_signature", ""},
		{"TamperedSignature", false, bearer(tampered), 401, "invalid_signature", ""},
		{"WrongSecret", false, bearer(sign(t, jwt.SigningMethodHS256, []byte("another-secret-another-secret-xx"), valid())), 401, "invalid_signature", ""},
		{"Expired", false, bearer(hs(with("exp", now.Add(-time.Hour).Unix()))), 401, "expired_token", ""},
		{"ExpiredWithinLeeway", false, bearer(hs(with("exp", now.Add(-10*time.Second).Unix()))), 200, "", ""},
		{"MissingExp", false, bearer(hs(with("exp", nil))), 401, "invalid_claims", ""},
		{"FutureNbf", false, bearer(hs(with("nbf", now.Add(time.Hour).Unix()))), 401, "invalid_claims", ""},
		{"FutureIat", false, bearer(hs(with("iat", now.Add(time.Hour).Unix()))), 401, "invalid_claims", ""},
		{"WrongIssuer", false, bearer(hs(with("iss", "evil"))), 401, "invalid_claims", ""},
		{"WrongAudience", false, bearer(hs(with("aud", "other-api"))), 401, "invalid_claims", ""},
		{"TestModeRightSecret", false, map[string]string{"X-Test-Mode": "test-mode-secret"}, 200, "", ""},
		{"TestModeWrongSecret", false, map[string]string{"X-Test-Mode": "guess"}, 401, "invalid_test_mode", ""},
		{"TestModeWrongSecretWithValidToken", false, map[string]string{"X-Test-Mode": "guess", "Authorization": "Bearer " + hs(valid())}, 401, "invalid_test_mode", ""},
		{"TestModeInProduction", true, map[string]string{"X-Test-Mode": "test-mode-secret", "Authorization": "Bearer " + hs(valid())}, 401, "test_mode_forbidden", "security: X-Test-Mode header rejected in production"},
		{"ValidInProduction", true, bearer(hs(valid())), 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cfg := testConfig()
			cfg.JWTIssuer, cfg.JWTAudience = "ultra-test", "ultra-api"
			if c.prod {
				cfg.Environment, cfg.TestModeSecret = gateway.EnvProduction, ""
			}
			h := MustHarness(t, cfg, nil, nil)
			resp := h.do("GET", "/api/patterns", "", c.header)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, c.status, resp.body)
			}
			if c.status != 401 {
				return
			}
			if got := resp.json(t)["code"]; got != c.code {
				t.Fatalf("code %v, want %s", got, c.code)
			}
			if wa := resp.Header.Get("WWW-Authenticate"); !strings.HasPrefix(wa, "Bearer ") || !strings.Contains(wa, `error="invalid_token"`) {
				t.Fatalf("WWW-Authenticate = %q", wa)
			}
			if resp.Header.Get("RateLimit-Limit") == "" {
				t.Fatalf("401 without RateLimit headers")
			}
			if c.logLine != "" && !strings.Contains(h.logs.String(), c.logLine) {
				t.Fatalf("no security log line %q", c.logLine)
			}
		})
	}
}

func TestGatewayAuthPublicKey(t *testing.T) {
	dir := t.TempDir()
	ecKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&ecKey.PublicKey)
	path := filepath.Join(dir, "pub.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.JWTSecret, cfg.JWTAlgorithm, cfg.JWTPublicKeyFile = "", "ES256", path
	h := MustHarness(t, cfg, nil, nil)
	claims := jwt.MapClaims{"sub": "bob", "exp": time.Now().Add(time.Hour).Unix()}
	if resp := h.do("GET", "/api/patterns", "", bearer(sign(t, jwt.SigningMethodES256, ecKey, claims))); resp.StatusCode != 200 {
		t.Fatalf("ES256 token: %d %s", resp.StatusCode, resp.body)
	}
	// HS256 signed with the public key bytes must not pass (algorithm confusion)
	pemBytes, _ := os.ReadFile(path)
	if resp := h.do("GET", "/api/patterns", "", bearer(sign(t, jwt.SigningMethodHS256, pemBytes, claims))); resp.StatusCode != 401 {
		t.Fatalf("HS256-with-public-key token: %d, want 401", resp.StatusCode)
	}
}

func TestGatewayTokenMintRefusedInProduction(t *testing.T) {
	cfg := testConfig()
	cfg.Environment = gateway.EnvProduction
	if _, err := gateway.MintToken(cfg, "alice", time.Hour); err == nil {
		t.Fatal("MintToken in production succeeded")
	}
}

func TestGatewayAuthJWKS(t *testing.T) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	var fetches atomic.Int32
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		n := base64.RawURLEncoding.EncodeToString(key.N.Bytes())
		e := base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())
		fmt.Fprintf(w, `{"keys":[{"kty":"RSA","kid":"k1","use":"sig","alg":"RS256","n":%q,"e":%q}]}`, n, e)
	}))
	defer jwks.Close()
	cfg := testConfig()
	cfg.JWTSecret, cfg.JWTAlgorithm, cfg.JWKSURL = "", "RS256", jwks.URL
	g, err := gateway.New(cfg, gateway.Deps{Contract: MustContract(t), Providers: asProviders(fakes()), HTTPClient: jwks.Client()})
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	claims := jwt.MapClaims{"sub": "carol", "exp": time.Now().Add(time.Hour).Unix()}
	good := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	good.Header["kid"] = "k1"
	tok, _ := good.SignedString(key)
	other, _ := rsa.GenerateKey(rand.Reader, 2048)
	bad := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	bad.Header["kid"] = "k1"
	badTok, _ := bad.SignedString(other)
	cases := []struct {
		name, tok string
		status    int
	}{{"KnownKey", tok, 200}, {"CachedKey", tok, 200}, {"WrongKey", badTok, 401}}
	for _, c := range cases {
		req := httptest.NewRequest("GET", "/api/patterns", nil)
		req.Header.Set("Authorization", "Bearer "+c.tok)
		rec := httptest.NewRecorder()
		g.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Fatalf("%s: status %d, want %d: %s", c.name, rec.Code, c.status, rec.Body)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("JWKS fetched %d times, want 1 (cached)", n)
	}
}
