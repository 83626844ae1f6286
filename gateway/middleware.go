package gateway

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/ultra-kit/ultra/internal/requestid"
	"github.com/ultra-kit/ultra/spec"
)

type requestIDKey struct{}

// requestInfo is filled in while a request travels down the chain and read by the logging middleware.
type requestInfo struct {
	route string
	op    string
}

type requestInfoKey struct{}

func requestIDFrom(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

func infoFrom(ctx context.Context) *requestInfo {
	i, _ := ctx.Value(requestInfoKey{}).(*requestInfo)
	return i
}

// requestIDHandler adds the request ID of the context to every log record.
type requestIDHandler struct{ slog.Handler }

func (h requestIDHandler) Handle(ctx context.Context, r slog.Record) error {
	if id := requestIDFrom(ctx); id != "" {
		r.AddAttrs(slog.String("request_id", id))
	}
	return h.Handler.Handle(ctx, r)
}

func (h requestIDHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return requestIDHandler{h.Handler.WithAttrs(as)}
}

func (h requestIDHandler) WithGroup(name string) slog.Handler {
	return requestIDHandler{h.Handler.WithGroup(name)}
}

func (g *Gateway) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-ID")
		if !requestid.Usable(id) {
			id = uuid.NewString()
			r.Header.Set("X-Request-ID", id)
		}
		w.Header().Set("X-Request-ID", id)
		ctx := context.WithValue(r.Context(), requestIDKey{}, id)
		ctx = context.WithValue(ctx, requestInfoKey{}, &requestInfo{route: "unmatched"})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// statusWriter records the status written.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (g *Gateway) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		status := sw.status
		if status == 0 {
			status = 499 // the handler wrote nothing: the client went away
		}
		info := infoFrom(r.Context())
		d := time.Since(start)
		g.metrics.requests.WithLabelValues(r.Method, info.route, strconv.Itoa(status)).Inc()
		g.metrics.latency.WithLabelValues(r.Method, info.route).Observe(d.Seconds())
		g.logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("operation", info.op),
			slog.Int("status", status), slog.Duration("duration", d), slog.String("remote_addr", r.RemoteAddr))
	})
}

func (g *Gateway) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				g.logger.ErrorContext(r.Context(), "panic recovered", "panic", fmt.Sprint(v))
				writeError(w, r, g.logger, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func (g *Gateway) withSecurityHeaders(next http.Handler) http.Handler {
	prod := g.cfg.Environment == EnvProduction
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
		h.Set("Cache-Control", "no-store")
		if prod {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		next.ServeHTTP(w, r)
	})
}

// withCORS allows the configured origins; preflight requests from them are answered here.
func (g *Gateway) withCORS(next http.Handler) http.Handler {
	origins := g.cfg.CORSOrigins
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin == "" || len(origins) == 0 {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		if !slices.Contains(origins, origin) && !slices.Contains(origins, "*") {
			next.ServeHTTP(w, r)
			return
		}
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Access-Control-Expose-Headers", "X-Request-ID, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Retry-After, WWW-Authenticate")
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
			h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Request-ID")
			h.Set("Access-Control-Max-Age", "600")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authenticate checks credentials and applies the caller's rate limit. Anonymous and rejected callers
// are limited by client IP, so token guessing is throttled too.
func (g *Gateway) authenticate(op *spec.Operation, next http.Handler) http.Handler {
	class := classDefault
	if op.ID == "analyze" {
		class = classAnalyze
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, authErr := g.auth.authenticate(r)
		key := "ip:" + clientIP(r)
		if authErr == nil && id.subject != "" {
			key = "sub:" + id.subject
		}
		res, err := g.limiter.allow(r.Context(), key, class)
		if err != nil {
			if r.Context().Err() == nil { // else the client went away
				writeError(w, r, g.logger, err)
			}
			return
		}
		res.setHeaders(w.Header())
		if !res.allowed {
			g.metrics.rateLimited.WithLabelValues(class).Inc()
			writeError(w, r, g.logger, &rateLimitError{rpm: res.rpm, retryAfter: res.retryAfter})
			return
		}
		if authErr != nil {
			writeError(w, r, g.logger, authErr)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

// validateRequest enforces the body limit (413), the media type (415), JSON syntax and the contract
// (400) before the handler runs.
func (g *Gateway) validateRequest(op *spec.Operation, next http.Handler) http.Handler {
	limit := g.cfg.MaxBodyBytes
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if op.RequestBody != nil {
			if r.ContentLength > limit {
				writeError(w, r, g.logger, fmt.Errorf("%w: the request body exceeds the limit of %d bytes", errBodyTooLarge, limit))
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					err = fmt.Errorf("%w: the request body exceeds the limit of %d bytes", errBodyTooLarge, limit)
				}
				writeError(w, r, g.logger, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			ct := r.Header.Get("Content-Type")
			mt, _, _ := mime.ParseMediaType(ct)
			if len(body) > 0 || ct != "" {
				if !slices.Contains(op.RequestBody.MediaTypes, mt) {
					writeError(w, r, g.logger, &mediaTypeError{got: ct})
					return
				}
				if strings.HasSuffix(mt, "json") && !json.Valid(body) {
					writeError(w, r, g.logger, &jsonError{syntaxError(body)})
					return
				}
			}
		}
		err := op.ValidateRequest(r)
		var ve spec.ValidationErrors
		if errors.As(err, &ve) {
			ve = ve.Without(spec.InSecurity)
			if ve.Has(spec.InContentType) {
				writeError(w, r, g.logger, &mediaTypeError{got: r.Header.Get("Content-Type")})
				return
			}
			if len(ve) > 0 {
				writeError(w, r, g.logger, ve)
				return
			}
		} else if err != nil {
			writeError(w, r, g.logger, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func syntaxError(body []byte) error {
	var v any
	err := json.Unmarshal(body, &v)
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Errorf("%s at offset %d", se.Error(), se.Offset)
	}
	if err == nil {
		return errors.New("invalid JSON")
	}
	return err
}

// bufferWriter holds a response until it has been validated.
type bufferWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferWriter) Header() http.Header { return b.header }
func (b *bufferWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}
func (b *bufferWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

// validateResponse checks every response against the contract (development and testing): a violation
// is logged at error level and counted in ultra_contract_violations_total; the response is sent as is.
func (g *Gateway) validateResponse(op *spec.Operation, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferWriter{header: w.Header()}
		next.ServeHTTP(bw, r)
		if bw.status == 0 {
			return // nothing written: the client went away
		}
		if r.Context().Err() == nil {
			if err := op.ValidateResponseParts(r, bw.status, bw.header, bw.body.Bytes()); err != nil {
				g.metrics.contractViolation.WithLabelValues(op.ID).Inc()
				g.logger.ErrorContext(r.Context(), "CONTRACT VIOLATION: response does not match openapi.yaml",
					"operation", op.ID, "status", bw.status, "violations", err.Error())
			}
		}
		w.WriteHeader(bw.status)
		w.Write(bw.body.Bytes())
	})
}
