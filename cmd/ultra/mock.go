package main

import (
	"context"
	"errors"
)

func runMock(ctx context.Context, args []string, e env) error {
	return errors.New("mock: not built yet")
}
