package main

import (
	"context"
	"errors"
)

func runVerify(ctx context.Context, args []string, e env) error {
	return errors.New("verify: not built yet")
}
