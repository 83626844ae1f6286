package main

import (
	"context"
	"errors"
)

func runFeatures(ctx context.Context, args []string, e env) error {
	return errors.New("features: not built yet")
}
