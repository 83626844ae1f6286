package memlimit_test

import (
	"context"
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/memlimit"
)

func TestLimit(t *testing.T) {
	const mib = 1 << 20
	for _, tc := range []struct {
		name      string
		p         memlimit.Policy
		live, out uint64
	}{
		{"RatioWinsOnALargeHeap", memlimit.Policy{}, 200 * mib, 300 * mib},
		{"HeadroomWinsOnASmallHeap", memlimit.Policy{}, 10 * mib, 58 * mib},
		{"OwnRatio", memlimit.Policy{Ratio: 1.2, Headroom: 1}, 100 * mib, 120 * mib},
		{"OwnHeadroom", memlimit.Policy{Headroom: 64 * mib}, 100 * mib, 164 * mib},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.p.Limit(tc.live); got != tc.out {
				t.Fatalf("expected a limit of %d MiB for %d MiB live, got %d MiB", tc.out/mib, tc.live/mib, got/mib)
			}
		})
	}
}

func TestAppliesOnlyWithoutTheUsersSettings(t *testing.T) {
	env := func(kv map[string]string) func(string) string { return func(k string) string { return kv[k] } }
	if !memlimit.Applies(env(nil)) || !memlimit.Applies(nil) {
		t.Fatal("expected the policy to apply when neither GOMEMLIMIT nor GOGC is set")
	}
	if memlimit.Applies(env(map[string]string{"GOMEMLIMIT": "140MiB"})) {
		t.Fatal("expected GOMEMLIMIT to turn the policy off")
	}
	if memlimit.Applies(env(map[string]string{"GOGC": "50"})) {
		t.Fatal("expected GOGC to turn the policy off")
	}
}

// TestKeep sets the process-wide limit, so it does not run in parallel with anything.
func TestKeep(t *testing.T) {
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })

	ctx, cancel := context.WithCancel(context.Background())
	memlimit.Keep(ctx, func(k string) string {
		if k == "GOMEMLIMIT" {
			return "1GiB"
		}
		return ""
	}, memlimit.Policy{})
	if got := debug.SetMemoryLimit(-1); got != before {
		t.Fatalf("expected GOMEMLIMIT to leave the limit at %d, got %d", before, got)
	}

	runtime.GC() // the live heap is known after a collection
	memlimit.Keep(ctx, nil, memlimit.Policy{Every: time.Millisecond})
	got := debug.SetMemoryLimit(-1)
	if got == math.MaxInt64 || got == before {
		t.Fatalf("expected a limit derived from the live heap, got %d", got)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for debug.SetMemoryLimit(-1) != before {
		if time.Now().After(deadline) {
			t.Fatalf("expected the limit to be restored to %d when the context ends, got %d", before, debug.SetMemoryLimit(-1))
		}
		time.Sleep(time.Millisecond)
	}
}
