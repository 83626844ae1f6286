package harness

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// TokenOption shapes a token minted by a Target.
type TokenOption func(*tokenShape)

type tokenShape struct {
	expired, wrongKey, algNone bool
	audience                   *string
}

// Expired makes a token that expired two hours ago (well past any clock leeway).
func Expired() TokenOption { return func(s *tokenShape) { s.expired = true } }

// WrongKey signs the token with a random key the gateway does not know.
func WrongKey() TokenOption { return func(s *tokenShape) { s.wrongKey = true } }

// AlgNone makes an unsigned token with the header alg "none".
func AlgNone() TokenOption { return func(s *tokenShape) { s.algNone = true } }

// Audience sets the aud claim instead of the gateway's audience.
func Audience(aud string) TokenOption { return func(s *tokenShape) { s.audience = &aud } }

// Minter mints HS256 tokens the way the gateway expects them. The zero value cannot mint.
type Minter struct {
	// Secret is the gateway's JWT_SECRET.
	Secret string
	// Audience and Issuer are the gateway's JWT_AUDIENCE and JWT_ISSUER ("" = claim omitted).
	Audience, Issuer string
	// Static, when set, is returned for every plain request (a ready ULTRA_TOKEN) and variants fail.
	Static string
}

// CanMint reports whether the minter can mint every variant.
func (m Minter) CanMint() bool { return m.Secret != "" }

// Token mints a token for sub shaped by opts. It returns an error when the minter has no secret
// (except for a plain token with Static set) or sub is empty.
func (m Minter) Token(sub string, opts ...TokenOption) (string, error) {
	var s tokenShape
	for _, o := range opts {
		o(&s)
	}
	plain := !s.expired && !s.wrongKey && !s.algNone && s.audience == nil
	if m.Secret == "" {
		if plain && m.Static != "" {
			return m.Static, nil
		}
		return "", errors.New("cannot mint tokens: the gateway's JWT_SECRET is unknown")
	}
	if sub == "" {
		return "", errors.New("mint token: empty subject")
	}
	now := time.Now()
	claims := jwt.RegisteredClaims{
		Subject:   sub,
		Issuer:    m.Issuer,
		IssuedAt:  jwt.NewNumericDate(now),
		NotBefore: jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(time.Hour)),
	}
	if s.expired {
		claims.IssuedAt = jwt.NewNumericDate(now.Add(-3 * time.Hour))
		claims.NotBefore = claims.IssuedAt
		claims.ExpiresAt = jwt.NewNumericDate(now.Add(-2 * time.Hour))
	}
	aud := m.Audience
	if s.audience != nil {
		aud = *s.audience
	}
	if aud != "" {
		claims.Audience = jwt.ClaimStrings{aud}
	}
	if s.algNone {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodNone, claims).SignedString(jwt.UnsafeAllowNoneSignatureType)
		if err != nil {
			return "", fmt.Errorf("mint alg none token: %w", err)
		}
		return tok, nil
	}
	key := []byte(m.Secret)
	if s.wrongKey {
		key = []byte(RandomSecret(32))
	}
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(key)
	if err != nil {
		return "", fmt.Errorf("mint token: %w", err)
	}
	return tok, nil
}

// RandomSecret returns n random bytes, hex-encoded (2n characters).
func RandomSecret(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails on supported platforms
	return hex.EncodeToString(b)
}
