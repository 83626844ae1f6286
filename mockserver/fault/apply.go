package fault

import (
	"context"
	"net"
	"net/http"
	"time"
)

// This file is what a server does with a Decision: wait out its latency, break the connection, and
// pick the status of an error answer. The spec mocks and the provider mocks both call it.

// Sleep waits d for a latency fault. It reports false when ctx ends first (the client went away),
// and returns at once when skip is closed (the server is shutting down and skips its delays),
// reporting whether ctx is still alive. A d of zero or less does not wait. A nil skip never closes.
func Sleep(ctx context.Context, d time.Duration, skip <-chan struct{}) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-skip:
		return ctx.Err() == nil
	case <-ctx.Done():
		return false
	}
}

// Abort closes the client's connection without finishing the response: abruptly (a TCP reset, with
// nothing flushed first) when reset is true, else with a normal close after flushing what was
// written, so the client sees the body end early. When the connection cannot be hijacked
// (HTTP/2) it panics with http.ErrAbortHandler, which net/http turns into a stream reset without
// logging. w reaches the connection through http.ResponseController (Hijack or Unwrap).
func Abort(w http.ResponseWriter, reset bool) {
	rc := http.NewResponseController(w)
	if !reset {
		_ = rc.Flush()
	}
	conn, _, err := rc.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok && reset {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// StatusFor is the status an error answer of the decision has: the fault's own Status when it set
// one, else its kind's: 429 for rate_limit, overloaded for overloaded (a provider's own: 529 for
// Anthropic, 503 for the others and the spec mocks), 401 for unauthorized, and fallback for the rest
// (the spec mocks pass a documented error status, the providers 500).
func (d Decision) StatusFor(fallback, overloaded int) int {
	if d.Status != 0 {
		return d.Status
	}
	switch d.Kind {
	case KindRateLimit:
		return http.StatusTooManyRequests
	case KindOverloaded:
		return overloaded
	case KindUnauthorized:
		return http.StatusUnauthorized
	}
	return fallback
}

// Answers reports whether the decision replaces the whole response with an error answer (error,
// rate_limit, overloaded, unauthorized), as opposed to answering normally, resetting, or breaking
// a body or stream mid-way.
func (d Decision) Answers() bool {
	switch d.Kind {
	case KindError, KindRateLimit, KindOverloaded, KindUnauthorized:
		return true
	}
	return false
}
