// Package memlimit keeps a long-running server's memory close to what it holds live. Go's collector
// lets the heap grow to twice the live heap before it collects (GOGC=100); for a mock holding a large
// OpenAPI model that doubles its footprint for nothing. Keep sets the runtime's soft memory limit from
// the live heap it measures, and follows the live heap as it grows (validators compiled on first use),
// unless the user set GOMEMLIMIT or GOGC, whose choice wins.
package memlimit

import (
	"context"
	"math"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// Policy says how far above the live heap the limit sits. The zero value means the defaults.
type Policy struct {
	// Ratio is the limit as a multiple of the live heap; 0 means 1.5.
	Ratio float64
	// Headroom is the least the limit sits above the live heap, so a small heap is not collected
	// continuously; 0 means 48 MiB.
	Headroom uint64
	// Every is how often the live heap is read again; 0 means one second.
	Every time.Duration
}

// Limit is the memory limit for a live heap of live bytes.
func (p Policy) Limit(live uint64) uint64 {
	ratio, headroom := p.Ratio, p.Headroom
	if ratio <= 0 {
		ratio = 1.5
	}
	if headroom == 0 {
		headroom = 48 << 20
	}
	limit := uint64(math.Ceil(float64(live) * ratio))
	if limit < live+headroom {
		limit = live + headroom
	}
	return limit
}

// Applies reports whether the policy may set the limit: not when GOMEMLIMIT or GOGC is set in the
// environment getenv reads (nil reads nothing, so the policy applies).
func Applies(getenv func(string) string) bool {
	if getenv == nil {
		return true
	}
	return getenv("GOMEMLIMIT") == "" && getenv("GOGC") == ""
}

// Keep sets the soft memory limit from the live heap now and then every p.Every until ctx ends,
// when it restores the limit it found. It returns at once without doing anything when Applies
// is false for getenv.
func Keep(ctx context.Context, getenv func(string) string, p Policy) {
	if !Applies(getenv) {
		return
	}
	every := p.Every
	if every <= 0 {
		every = time.Second
	}
	previous := debug.SetMemoryLimit(-1)
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	set := func() {
		metrics.Read(sample)
		if sample[0].Value.Kind() == metrics.KindUint64 {
			if live := sample[0].Value.Uint64(); live > 0 {
				debug.SetMemoryLimit(int64(p.Limit(live)))
			}
		}
	}
	set()
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				debug.SetMemoryLimit(previous)
				return
			case <-t.C:
				set()
			}
		}
	}()
}
