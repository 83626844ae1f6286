package gateway

// RateLimitEntries exposes the number of live rate-limiter entries to the external tests.
func RateLimitEntries(g *Gateway) int { return g.limiter.size() }
