package gateway

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/subtle"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// leeway is the clock skew tolerated on exp, nbf and iat.
const leeway = 30 * time.Second

// testModeSubject is the identity of requests authenticated by the X-Test-Mode header.
const testModeSubject = "test-mode"

// authError is a rejected credential; code is one of the agreed 401 codes.
type authError struct {
	code   string
	detail string
}

func (e *authError) Error() string { return e.code + ": " + e.detail }

// identity is who made a request: the JWT subject, "test-mode", or "" (anonymous: the client IP is used).
type identity struct {
	subject  string
	testMode bool
}

type identityKey struct{}

func identityFrom(ctx context.Context) identity {
	id, _ := ctx.Value(identityKey{}).(identity)
	return id
}

// authenticator verifies bearer tokens with one pinned algorithm.
type authenticator struct {
	parser     *jwt.Parser
	keyfunc    jwt.Keyfunc
	testSecret string
	production bool
	logger     *slog.Logger
}

func newAuthenticator(cfg Config, client *http.Client, now func() time.Time, logger *slog.Logger) (*authenticator, error) {
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{cfg.JWTAlgorithm}),
		jwt.WithExpirationRequired(),
		jwt.WithLeeway(leeway),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(now),
	}
	if cfg.JWTIssuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.JWTIssuer))
	}
	if cfg.JWTAudience != "" {
		opts = append(opts, jwt.WithAudience(cfg.JWTAudience))
	}
	a := &authenticator{
		parser:     jwt.NewParser(opts...),
		testSecret: cfg.TestModeSecret,
		production: cfg.Environment == EnvProduction,
		logger:     logger,
	}
	switch {
	case cfg.JWTAlgorithm == "HS256":
		if cfg.JWTSecret == "" {
			return nil, errors.New("auth: JWT_SECRET is empty")
		}
		secret := []byte(cfg.JWTSecret)
		a.keyfunc = func(*jwt.Token) (any, error) { return secret, nil }
	case cfg.JWTPublicKeyFile != "":
		key, err := readPublicKey(cfg.JWTPublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("auth: %w", err)
		}
		if keyAlgorithm(key) != cfg.JWTAlgorithm {
			return nil, fmt.Errorf("auth: JWT_PUBLIC_KEY_FILE holds a key for %s, JWT_ALGORITHM is %s", keyAlgorithm(key), cfg.JWTAlgorithm)
		}
		a.keyfunc = func(*jwt.Token) (any, error) { return key, nil }
	case cfg.JWKSURL != "":
		j := &jwks{url: cfg.JWKSURL, client: client, now: now, alg: cfg.JWTAlgorithm}
		a.keyfunc = j.keyfunc
	default:
		return nil, errors.New("auth: no verification key configured")
	}
	return a, nil
}

// authenticate returns the caller's identity or an *authError.
func (a *authenticator) authenticate(r *http.Request) (identity, error) {
	if vals, ok := r.Header["X-Test-Mode"]; ok {
		if a.production {
			a.logger.WarnContext(r.Context(), "security: X-Test-Mode header rejected in production",
				"event", "test_mode_forbidden", "remote_addr", r.RemoteAddr, "path", r.URL.Path)
			return identity{}, &authError{"test_mode_forbidden", "The X-Test-Mode header is not accepted in production."}
		}
		got := strings.Join(vals, ",")
		if a.testSecret == "" || subtle.ConstantTimeCompare([]byte(got), []byte(a.testSecret)) != 1 {
			a.logger.WarnContext(r.Context(), "security: wrong X-Test-Mode secret", "event", "invalid_test_mode", "remote_addr", r.RemoteAddr)
			return identity{}, &authError{"invalid_test_mode", "The X-Test-Mode header does not carry the configured test-mode secret."}
		}
		return identity{subject: testModeSubject, testMode: true}, nil
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return identity{}, &authError{"missing_token", "Missing bearer token in the Authorization header."}
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" || strings.ContainsAny(tok, " \t") {
		return identity{}, &authError{"invalid_token", `The Authorization header must be "Bearer <token>".`}
	}
	claims := jwt.MapClaims{}
	_, err := a.parser.ParseWithClaims(tok, claims, a.keyfunc)
	if err != nil {
		return identity{}, classifyJWTError(err)
	}
	sub, _ := claims.GetSubject()
	return identity{subject: sub}, nil
}

func classifyJWTError(err error) *authError {
	switch {
	case errors.Is(err, jwt.ErrTokenMalformed):
		return &authError{"invalid_token", "The bearer token is malformed."}
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		return &authError{"invalid_signature", "The bearer token signature or algorithm is not accepted."}
	case errors.Is(err, jwt.ErrTokenExpired):
		return &authError{"expired_token", "The bearer token has expired."}
	case errors.Is(err, jwt.ErrTokenRequiredClaimMissing):
		return &authError{"invalid_claims", "The bearer token lacks a required claim (exp)."}
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return &authError{"invalid_claims", "The bearer token is not valid yet (nbf or iat in the future)."}
	case errors.Is(err, jwt.ErrTokenInvalidIssuer), errors.Is(err, jwt.ErrTokenInvalidAudience):
		return &authError{"invalid_claims", "The bearer token was issued by or for someone else (iss or aud)."}
	default:
		return &authError{"invalid_claims", "The bearer token claims are invalid."}
	}
}

// MintToken signs an HS256 token for sub valid for ttl (zero means one hour) with the configured
// JWT_SECRET. It refuses production and configurations that verify with a public key.
func MintToken(cfg Config, sub string, ttl time.Duration) (string, error) {
	if cfg.Environment == EnvProduction {
		return "", errors.New("mint token: not available in production")
	}
	if cfg.JWTAlgorithm != "" && cfg.JWTAlgorithm != "HS256" || cfg.JWTSecret == "" {
		return "", errors.New("mint token: needs JWT_SECRET (HS256)")
	}
	if sub == "" {
		return "", errors.New("mint token: subject is empty")
	}
	if ttl <= 0 {
		ttl = time.Hour
	}
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Subject:   sub,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
		Issuer:    cfg.JWTIssuer,
	}
	if cfg.JWTAudience != "" {
		claims.Audience = jwt.ClaimStrings{cfg.JWTAudience}
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(cfg.JWTSecret))
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return s, nil
}

func readPublicKey(path string) (crypto.PublicKey, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("JWT_PUBLIC_KEY_FILE: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("JWT_PUBLIC_KEY_FILE %s: no PEM block", path)
	}
	if key, err := x509.ParsePKIXPublicKey(block.Bytes); err == nil {
		return key, nil
	}
	if key, err := x509.ParsePKCS1PublicKey(block.Bytes); err == nil {
		return key, nil
	}
	if cert, err := x509.ParseCertificate(block.Bytes); err == nil {
		return cert.PublicKey, nil
	}
	return nil, fmt.Errorf("JWT_PUBLIC_KEY_FILE %s: not an RSA or EC public key", path)
}

func keyAlgorithm(key crypto.PublicKey) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RS256"
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return "ES256"
		}
		return "unsupported EC curve " + k.Curve.Params().Name
	}
	return fmt.Sprintf("unsupported key %T", key)
}

// publicKeyAlgorithm infers JWT_ALGORITHM from a key file.
func publicKeyAlgorithm(path string) (string, error) {
	key, err := readPublicKey(path)
	if err != nil {
		return "", err
	}
	alg := keyAlgorithm(key)
	if alg != "RS256" && alg != "ES256" {
		return "", fmt.Errorf("JWT_PUBLIC_KEY_FILE %s: %s", path, alg)
	}
	return alg, nil
}

// jwks fetches and caches the keys of a JWKS URL with the injected client. Unknown key ids trigger a
// refresh at most every jwksMinRefresh; keys are refreshed after jwksTTL.
type jwks struct {
	url    string
	alg    string
	client *http.Client
	now    func() time.Time

	mu      sync.Mutex
	keys    map[string]crypto.PublicKey
	fetched time.Time
}

const (
	jwksTTL        = 10 * time.Minute
	jwksMinRefresh = 30 * time.Second
)

func (j *jwks) keyfunc(t *jwt.Token) (any, error) {
	kid, _ := t.Header["kid"].(string)
	j.mu.Lock()
	defer j.mu.Unlock()
	now := j.now()
	key, ok := j.keys[kid]
	stale := now.Sub(j.fetched) > jwksTTL
	if (!ok || stale) && now.Sub(j.fetched) > jwksMinRefresh || j.keys == nil {
		if err := j.refresh(); err != nil && j.keys == nil {
			return nil, fmt.Errorf("%w: %v", jwt.ErrTokenUnverifiable, err)
		}
		j.fetched = now
		key, ok = j.keys[kid]
	}
	if !ok && kid == "" && len(j.keys) == 1 {
		for _, k := range j.keys {
			key, ok = k, true
		}
	}
	if !ok {
		return nil, fmt.Errorf("%w: unknown key id %q", jwt.ErrTokenUnverifiable, kid)
	}
	return key, nil
}

func (j *jwks) refresh() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, j.url, nil)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	resp, err := j.client.Do(req)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwks: HTTP %d", resp.StatusCode)
	}
	var doc struct {
		Keys []struct {
			Kid string `json:"kid"`
			Kty string `json:"kty"`
			Alg string `json:"alg"`
			Use string `json:"use"`
			N   string `json:"n"`
			E   string `json:"e"`
			Crv string `json:"crv"`
			X   string `json:"x"`
			Y   string `json:"y"`
		} `json:"keys"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&doc); err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	keys := map[string]crypto.PublicKey{}
	for _, k := range doc.Keys {
		if k.Use != "" && k.Use != "sig" || k.Alg != "" && k.Alg != j.alg {
			continue
		}
		switch {
		case k.Kty == "RSA" && j.alg == "RS256":
			n, err1 := b64int(k.N)
			e, err2 := b64int(k.E)
			if err1 != nil || err2 != nil || !e.IsInt64() {
				continue
			}
			keys[k.Kid] = &rsa.PublicKey{N: n, E: int(e.Int64())}
		case k.Kty == "EC" && k.Crv == "P-256" && j.alg == "ES256":
			x, err1 := b64int(k.X)
			y, err2 := b64int(k.Y)
			if err1 != nil || err2 != nil {
				continue
			}
			keys[k.Kid] = &ecdsa.PublicKey{Curve: elliptic.P256(), X: x, Y: y}
		}
	}
	j.keys = keys
	return nil
}

func b64int(s string) (*big.Int, error) {
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(s, "="))
	if err != nil {
		return nil, err
	}
	return new(big.Int).SetBytes(b), nil
}
