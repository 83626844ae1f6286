package proxy

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ultra-kit/ultra/internal/problem"
)

// metrics are the proxy's Prometheus series, on a registry of its own (GET /__admin/metrics).
type metrics struct {
	reg        *prometheus.Registry
	exchanges  *prometheus.CounterVec
	violations *prometheus.CounterVec
	duration   *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		exchanges: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ultra_proxy_exchanges_total",
			Help: "Exchanges through the proxy, by operation, status and whether they were valid."}, []string{"operation", "status", "valid"}),
		violations: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "ultra_proxy_violations_total",
			Help: "Contract violations seen, by operation, side (request or response) and part (body, header, status...)."}, []string{"operation", "side", "in"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "ultra_proxy_exchange_duration_seconds",
			Help: "Time from the request to the end of the answer, through the proxy.", Buckets: prometheus.DefBuckets}, []string{"operation"}),
	}
	m.reg.MustRegister(m.exchanges, m.violations, m.duration)
	return m
}

func (m *metrics) observe(x *Exchange) {
	op := opName(x)
	m.exchanges.WithLabelValues(op, strconv.Itoa(x.Status), strconv.FormatBool(x.Valid)).Inc()
	for _, v := range x.Errors {
		m.violations.WithLabelValues(op, v.Side, string(v.In)).Inc()
	}
	m.duration.WithLabelValues(op).Observe(x.DurationMS / 1000)
}

// routes is the admin API, the mock server's shape: health, the journal, coverage (the summary),
// and the metrics.
func (p *Proxy) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /__admin/health", func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /__admin/requests", func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, struct {
			Requests []Exchange `json:"requests"`
			Dropped  int64      `json:"dropped"`
		}{p.journal.List(), p.journal.Dropped()})
	})
	mux.HandleFunc("DELETE /__admin/requests", func(w http.ResponseWriter, r *http.Request) {
		p.journal.Clear()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /__admin/report", func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, p.Summary())
	})
	mux.HandleFunc("GET /__admin/coverage", func(w http.ResponseWriter, r *http.Request) {
		problem.WriteJSONLine(w, http.StatusOK, p.Coverage())
	})
	mux.Handle("GET /__admin/metrics", promhttp.HandlerFor(p.metrics.reg, promhttp.HandlerOpts{}))
	mux.HandleFunc("/__admin/", func(w http.ResponseWriter, r *http.Request) {
		problem.Write(w, r, problem.Problem{Type: problem.TypeURI("not_found"), Title: "No such admin endpoint", Status: http.StatusNotFound,
			Code: "not_found", Detail: fmt.Sprintf("%s %s: no such admin endpoint (see /__admin/health, requests, report, coverage, metrics)", r.Method, r.URL.Path)})
	})
	return mux
}
