package main

import (
	"context"
	"fmt"
	"time"

	"github.com/ultra-kit/ultra/gateway"
)

func runToken(ctx context.Context, args []string, e env) error {
	fs := newFlags("token", "--sub NAME [--ttl 1h]", e)
	sub := fs.String("sub", "", "subject (the identity rate limits are kept for); required")
	ttl := fs.Duration("ttl", time.Hour, "validity")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *sub == "" {
		return usageErr("token: --sub is required")
	}
	if *ttl <= 0 {
		return usageErr("token: --ttl must be positive")
	}
	cfg, err := loadConfig(e)
	if err != nil {
		return err
	}
	switch {
	case cfg.Environment == gateway.EnvProduction:
		return usageErr("token: not available in production; issue tokens from your identity provider")
	case cfg.JWTSecretGenerated:
		return usageErr("token: JWT_SECRET is not set, so every gateway process generates its own secret; set JWT_SECRET (in .env.%s) or use the token `ultra gateway` prints", cfg.Environment)
	}
	tok, err := gateway.MintToken(cfg, *sub, *ttl)
	if err != nil {
		return usageErr("token: %v", err)
	}
	fmt.Fprintln(e.stdout, tok)
	return nil
}
