package ring_test

import (
	"slices"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/internal/ring"
)

func TestRingKeepsTheLatestNewestFirst(t *testing.T) {
	r := ring.New[int](3, 10)
	if got := r.List(); got == nil || len(got) != 0 {
		t.Fatalf("empty ring lists %v, want an empty non-nil slice", got)
	}
	for i := 1; i <= 5; i++ {
		r.Add(i)
	}
	if got, want := r.List(), []int{5, 4, 3}; !slices.Equal(got, want) {
		t.Fatalf("List() = %v, want %v", got, want)
	}
	if got := r.Dropped(); got != 2 {
		t.Fatalf("Dropped() = %d, want 2", got)
	}
	r.Clear()
	if got := r.List(); len(got) != 0 || r.Dropped() != 0 {
		t.Fatalf("after Clear: %v, dropped %d", got, r.Dropped())
	}
}

func TestRingDefaultSize(t *testing.T) {
	r := ring.New[int](0, 2)
	for i := range 4 {
		r.Add(i)
	}
	if got := len(r.List()); got != 2 {
		t.Fatalf("size 0 with default 2 keeps %d entries", got)
	}
}

func TestRingConcurrent(t *testing.T) {
	r := ring.New[int](100, 0)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 100 {
				r.Add(g*100 + i)
				_ = r.List()
			}
		})
	}
	wg.Wait()
	if got := len(r.List()); got != 100 {
		t.Fatalf("kept %d, want 100", got)
	}
}
