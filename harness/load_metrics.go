package harness

import (
	"context"
	"math"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// providerLatencyMetric is the gateway's histogram of upstream LLM calls, labelled by provider.
const providerLatencyMetric = "ultra_llm_request_duration_seconds"

// ProviderLatency is one provider's upstream latency during a load step, estimated from the
// gateway's histogram buckets the way PromQL's histogram_quantile does (linear within a bucket).
type ProviderLatency struct {
	Provider string
	Calls    int
	P50, P99 time.Duration
}

// histogram is one provider's cumulative bucket counts (by upper bound) and total count.
type histogram struct {
	bounds []float64
	counts []float64
	count  float64
}

// providerHistograms scrapes base/metrics and returns the provider latency histograms (empty before
// the first call), or nil when /metrics does not answer Prometheus text (the target is not the gateway).
func (st *steps) providerHistograms(ctx context.Context, base string) map[string]histogram {
	x, err := st.client.Do(ctx, Request{Base: base, Method: http.MethodGet, Path: "/metrics", NoContract: true})
	if err != nil || x.Status != 200 {
		return nil
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(strings.NewReader(string(x.Body)))
	if err != nil {
		return nil
	}
	out := map[string]histogram{} // no family yet: no provider was called since the gateway started
	fam, ok := fams[providerLatencyMetric]
	if !ok {
		return out
	}
	for _, m := range fam.GetMetric() {
		var provider string
		for _, l := range m.GetLabel() {
			if l.GetName() == "provider" {
				provider = l.GetValue()
			}
		}
		h := m.GetHistogram()
		if h == nil || provider == "" {
			continue
		}
		var hg histogram
		for _, b := range h.GetBucket() {
			hg.bounds = append(hg.bounds, b.GetUpperBound())
			hg.counts = append(hg.counts, float64(b.GetCumulativeCount()))
		}
		hg.count = float64(h.GetSampleCount())
		out[provider] = hg
	}
	return out
}

// providerLatencies is the p50 and p99 of each provider's calls between the two scrapes.
func providerLatencies(before, after map[string]histogram) []ProviderLatency {
	var out []ProviderLatency
	for name, a := range after {
		b := before[name]
		d := histogram{bounds: a.bounds, count: a.count - b.count}
		for i, c := range a.counts {
			if i < len(b.counts) && len(b.counts) == len(a.counts) {
				c -= b.counts[i]
			}
			d.counts = append(d.counts, c)
		}
		if d.count <= 0 {
			continue
		}
		out = append(out, ProviderLatency{Provider: name, Calls: int(d.count), P50: d.quantile(.5), P99: d.quantile(.99)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Provider < out[j].Provider })
	return out
}

// quantile interpolates linearly inside the bucket holding rank q·count, as histogram_quantile does;
// a rank in the +Inf bucket is the highest finite bound.
func (h histogram) quantile(q float64) time.Duration {
	rank := q * h.count
	lower, prev := 0.0, 0.0
	for i, upper := range h.bounds {
		c := h.counts[i]
		if c >= rank {
			if math.IsInf(upper, 1) {
				return seconds(lower)
			}
			if c == prev {
				return seconds(upper)
			}
			return seconds(lower + (upper-lower)*(rank-prev)/(c-prev))
		}
		lower, prev = upper, c
	}
	return seconds(lower)
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
