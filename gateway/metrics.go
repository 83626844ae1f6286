package gateway

import (
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the gateway's Prometheus collectors, registered on the gateway's own registry.
type metrics struct {
	reg               *prometheus.Registry
	requests          *prometheus.CounterVec
	latency           *prometheus.HistogramVec
	providerCalls     *prometheus.CounterVec
	providerLatency   *prometheus.HistogramVec
	breakerState      *prometheus.GaugeVec
	breakerChanges    *prometheus.CounterVec
	rateLimited       *prometheus.CounterVec
	contractViolation *prometheus.CounterVec
	storeUp           *prometheus.GaugeVec
	storeErrors       *prometheus.CounterVec
	storeLatency      *prometheus.HistogramVec
}

func newMetrics() *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_http_requests_total", Help: "Total HTTP requests handled by the gateway.",
		}, []string{"method", "route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ultra_http_request_duration_seconds", Help: "Latency of HTTP requests handled by the gateway.",
			Buckets: []float64{.0005, .001, .005, .01, .05, .1, .5, 1, 5, 15, 30, 60},
		}, []string{"method", "route"}),
		providerCalls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_llm_requests_total", Help: "Upstream LLM calls by provider and outcome (ok, error, timeout, circuit_open, canceled).",
		}, []string{"provider", "outcome"}),
		providerLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ultra_llm_request_duration_seconds", Help: "Latency of upstream LLM calls.",
			Buckets: []float64{.05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60},
		}, []string{"provider"}),
		breakerState: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ultra_circuit_breaker_state", Help: "Circuit breaker state (0=closed, 1=half_open, 2=open).",
		}, []string{"provider"}),
		breakerChanges: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_circuit_breaker_transitions_total", Help: "Circuit breaker state changes.",
		}, []string{"provider", "from", "to"}),
		rateLimited: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_rate_limit_rejections_total", Help: "Requests rejected with 429 by route class.",
		}, []string{"class"}),
		contractViolation: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_contract_violations_total", Help: "Responses that did not match openapi.yaml (development and testing only).",
		}, []string{"operation"}),
		storeUp: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "ultra_rate_limit_store_up", Help: "1 while the rate-limit store (memory or redis) answers, 0 while it fails.",
		}, []string{"store"}),
		storeErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "ultra_rate_limit_store_errors_total", Help: "Rate-limit store calls that failed or timed out.",
		}, []string{"store"}),
		storeLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "ultra_rate_limit_store_duration_seconds", Help: "Latency of rate-limit store calls.",
			Buckets: []float64{.00001, .0001, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"store"}),
	}
	for _, class := range []string{classAnalyze, classDefault} {
		m.rateLimited.WithLabelValues(class) // exported at 0, so increase() sees the first rejection
	}
	m.reg.MustRegister(m.requests, m.latency, m.providerCalls, m.providerLatency, m.breakerState, m.breakerChanges,
		m.rateLimited, m.contractViolation, m.storeUp, m.storeErrors, m.storeLatency,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// storeStarted exports the store's series at their zero values and marks it up.
func (m *metrics) storeStarted(store string) {
	m.storeUp.WithLabelValues(store).Set(1)
	m.storeErrors.WithLabelValues(store)
	m.storeLatency.WithLabelValues(store)
}
