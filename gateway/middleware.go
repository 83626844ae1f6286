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
	"github.com/ultra-kit/ultra/internal/statuswriter"
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

func withRequestID(next http.Handler) http.Handler {
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

// withLogging logs every request and counts it in m.
func withLogging(logger *slog.Logger, m *metrics) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return logging(logger, m, next) }
}

func logging(logger *slog.Logger, m *metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := statuswriter.New(w)
		next.ServeHTTP(sw, r)
		status := sw.Status
		if status == 0 {
			status = 499 // the handler wrote nothing: the client went away
		}
		info := infoFrom(r.Context())
		d := time.Since(start)
		m.requests.WithLabelValues(r.Method, info.route, strconv.Itoa(status)).Inc()
		m.latency.WithLabelValues(r.Method, info.route).Observe(d.Seconds())
		logger.LogAttrs(r.Context(), slog.LevelInfo, "request",
			slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.String("operation", info.op),
			slog.Int("status", status), slog.Duration("duration", d), slog.String("remote_addr", r.RemoteAddr))
	})
}

// withRecover answers a handler's panic with a 500 problem and logs it.
func withRecover(logger *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					logger.ErrorContext(r.Context(), "panic recovered", "panic", fmt.Sprint(v))
					writeError(w, r, logger, fmt.Errorf("panic: %v", v))
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// withSecurityHeaders sets the security headers; prod adds HSTS.
func withSecurityHeaders(prod bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return securityHeaders(prod, next) }
}

func securityHeaders(prod bool, next http.Handler) http.Handler {
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

// withCORS allows origins; preflight requests from them are answered here.
func withCORS(origins []string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler { return cors(origins, next) }
}

func cors(origins []string, next http.Handler) http.Handler {
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
func authenticate(logger *slog.Logger, auth *authenticator, lim *limiter, m *metrics, op *spec.Operation, next http.Handler) http.Handler {
	class := classDefault
	if op.ID == "analyze" {
		class = classAnalyze
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, authErr := auth.authenticate(r)
		key := "ip:" + clientIP(r)
		if authErr == nil && id.subject != "" {
			key = "sub:" + id.subject
		}
		res, err := lim.allow(r.Context(), key, class)
		if err != nil {
			if r.Context().Err() == nil { // else the client went away
				writeError(w, r, logger, err)
			}
			return
		}
		res.setHeaders(w.Header())
		if !res.allowed {
			m.rateLimited.WithLabelValues(class).Inc()
			writeError(w, r, logger, &rateLimitError{rpm: res.rpm, retryAfter: res.retryAfter})
			return
		}
		if authErr != nil {
			writeError(w, r, logger, authErr)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), identityKey{}, id)))
	})
}

// validateRequest enforces the body limit (413), the media type (415), JSON syntax and the contract
// (400) before the handler runs.
func validateRequest(logger *slog.Logger, limit int64, op *spec.Operation, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if op.RequestBody != nil {
			if r.ContentLength > limit {
				writeError(w, r, logger, fmt.Errorf("%w: the request body exceeds the limit of %d bytes", errBodyTooLarge, limit))
				return
			}
			body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					err = fmt.Errorf("%w: the request body exceeds the limit of %d bytes", errBodyTooLarge, limit)
				}
				writeError(w, r, logger, err)
				return
			}
			r.Body = io.NopCloser(bytes.NewReader(body))
			ct := r.Header.Get("Content-Type")
			mt, _, _ := mime.ParseMediaType(ct)
			if len(body) > 0 || ct != "" {
				if !slices.Contains(op.RequestBody.MediaTypes, mt) {
					writeError(w, r, logger, &mediaTypeError{got: ct})
					return
				}
				if strings.HasSuffix(mt, "json") && !json.Valid(body) {
					writeError(w, r, logger, &jsonError{syntaxError(body)})
					return
				}
			}
		}
		err := op.ValidateRequest(r)
		var ve spec.ValidationErrors
		if errors.As(err, &ve) {
			ve = ve.Without(spec.InSecurity)
			if ve.Has(spec.InContentType) {
				writeError(w, r, logger, &mediaTypeError{got: r.Header.Get("Content-Type")})
				return
			}
			if len(ve) > 0 {
				writeError(w, r, logger, ve)
				return
			}
		} else if err != nil {
			writeError(w, r, logger, err)
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
func validateResponse(logger *slog.Logger, m *metrics, op *spec.Operation, next http.Handler) http.Handler {
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
				m.contractViolation.WithLabelValues(op.ID).Inc()
				logger.ErrorContext(r.Context(), "CONTRACT VIOLATION: response does not match openapi.yaml",
					"operation", op.ID, "status", bw.status, "violations", err.Error())
			}
		}
		w.WriteHeader(bw.status)
		w.Write(bw.body.Bytes())
	})
}
