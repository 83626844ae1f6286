package main

import (
	"context"
	"errors"
)

func runDiff(ctx context.Context, args []string, e env) error {
	return errors.New("diff: not built yet")
}
