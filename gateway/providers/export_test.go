package providers

import (
	"context"
	"time"
)

// Hooks lets the external tests replace a client's sleep and clock so that retry waits are recorded
// instead of slept, and HTTP-date Retry-After values are computed against a fixed time.
type Hooks interface{ hooks() *caller }

func (c *caller) hooks() *caller { return c }

// SetSleep replaces the client's wait between retries.
func SetSleep(h Hooks, sleep func(ctx context.Context, d time.Duration) error) {
	h.hooks().sleep = sleep
}

// SetNow replaces the client's clock.
func SetNow(h Hooks, now func() time.Time) { h.hooks().now = now }
