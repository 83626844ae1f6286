package main

import (
	"context"
	"errors"
)

func runGateway(ctx context.Context, args []string, e env) error {
	return errors.New("gateway: not built yet")
}
