package gateway

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
)

// handlers binds every operationId of the contract to its handler.
func (g *Gateway) handlers() map[string]http.Handler {
	return map[string]http.Handler{
		"getHealth":          g.handleHealth(),
		"getLiveness":        g.handleLiveness(),
		"getReadiness":       g.handleReadiness(),
		"getProviderHealth":  g.handleProviderHealth(),
		"getCircuitBreakers": g.handleCircuitBreakers(),
		"getAvailableModels": g.handleAvailableModels(),
		"listPatterns":       g.handlePatterns(),
		"analyze":            g.handleAnalyze(),
		"getMetrics":         g.metrics.handler(),
	}
}

// routes checks that the contract and the handlers match one to one and builds the handler tree:
// request ID → logging and metrics → panic recovery → security headers → CORS → routing by the
// contract → per operation: response validation (development, testing) → auth and rate limit
// (non-public operations) → body limit and request validation → handler.
func (g *Gateway) routes() (http.Handler, error) {
	hs := g.handlers()
	bound := map[string]http.Handler{}
	var missing []string
	for _, op := range g.doc.Operations() {
		h, ok := hs[op.ID]
		if !ok {
			missing = append(missing, op.ID)
			continue
		}
		delete(hs, op.ID)
		h = g.validateRequest(op, h)
		if !op.Public() {
			h = g.authenticate(op, h)
		}
		if g.cfg.Environment != EnvProduction {
			h = g.validateResponse(op, h)
			g.metrics.contractViolation.WithLabelValues(op.ID) // exported at 0 for every checked operation
		}
		bound[op.ID] = h
	}
	var extra []string
	for id := range hs {
		extra = append(extra, id)
	}
	sort.Strings(extra)
	switch {
	case len(missing) > 0 && len(extra) > 0:
		return nil, fmt.Errorf("routes: contract operations without handler: %s; handlers without operation: %s", strings.Join(missing, ", "), strings.Join(extra, ", "))
	case len(missing) > 0:
		return nil, fmt.Errorf("routes: contract operations without handler: %s", strings.Join(missing, ", "))
	case len(extra) > 0:
		return nil, fmt.Errorf("routes: handlers without contract operation: %s", strings.Join(extra, ", "))
	}
	dispatch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := g.doc.Find(r.Method, r.URL.EscapedPath())
		if err != nil {
			writeError(w, r, g.logger, err)
			return
		}
		if info := infoFrom(r.Context()); info != nil {
			info.route = m.Operation.Path
			info.op = m.Operation.ID
		}
		bound[m.Operation.ID].ServeHTTP(w, r)
	})
	return chain(dispatch, g.withRequestID, g.withLogging, g.withRecover, g.withSecurityHeaders, g.withCORS), nil
}

// chain wraps h so that the first middleware is the outermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
