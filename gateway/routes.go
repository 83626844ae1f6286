package gateway

import (
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/ultra-kit/ultra/spec"
)

// routes checks that the contract doc and the handlers (one per operationId) match one to one and
// builds the handler tree: request ID → logging and metrics → panic recovery → security headers →
// CORS → routing by the contract → per operation: response validation (development, testing) → auth
// and rate limit (non-public operations) → body limit and request validation → handler.
func routes(doc *spec.Document, handlers map[string]http.Handler, cfg Config, logger *slog.Logger, m *metrics, auth *authenticator, lim *limiter) (http.Handler, error) {
	hs := maps.Clone(handlers)
	bound := map[string]http.Handler{}
	var missing []string
	for _, op := range doc.Operations() {
		h, ok := hs[op.ID]
		if !ok {
			missing = append(missing, op.ID)
			continue
		}
		delete(hs, op.ID)
		h = validateRequest(logger, cfg.MaxBodyBytes, op, h)
		if !op.Public() {
			h = authenticate(logger, auth, lim, m, op, h)
		}
		if cfg.Environment != EnvProduction {
			h = validateResponse(logger, m, op, h)
			m.contractViolation.WithLabelValues(op.ID) // exported at 0 for every checked operation
		}
		bound[op.ID] = h
	}
	if err := bindingError(missing, slices.Sorted(maps.Keys(hs))); err != nil {
		return nil, err
	}
	dispatch := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		match, err := doc.Find(r.Method, r.URL.EscapedPath())
		if err != nil {
			writeError(w, r, logger, err)
			return
		}
		if info := infoFrom(r.Context()); info != nil {
			info.route = match.Operation.Path
			info.op = match.Operation.ID
		}
		bound[match.Operation.ID].ServeHTTP(w, r)
	})
	return chain(dispatch, withRequestID, withLogging(logger, m), withRecover(logger),
		withSecurityHeaders(cfg.Environment == EnvProduction), withCORS(cfg.CORSOrigins)), nil
}

// bindingError reports contract operations without a handler and handlers without an operation.
func bindingError(missing, extra []string) error {
	switch {
	case len(missing) > 0 && len(extra) > 0:
		return fmt.Errorf("routes: contract operations without handler: %s; handlers without operation: %s", strings.Join(missing, ", "), strings.Join(extra, ", "))
	case len(missing) > 0:
		return fmt.Errorf("routes: contract operations without handler: %s", strings.Join(missing, ", "))
	case len(extra) > 0:
		return fmt.Errorf("routes: handlers without contract operation: %s", strings.Join(extra, ", "))
	}
	return nil
}

// chain wraps h so that the first middleware is the outermost.
func chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}
