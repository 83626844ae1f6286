package gateway

// RateLimitEntries exposes the number of live rate-limiter entries to the external tests.
// It is -1 when the store is not the process's memory.
func RateLimitEntries(g *Gateway) int {
	if rl, ok := g.limiter.store.(*rateLimiter); ok {
		return rl.size()
	}
	return -1
}
