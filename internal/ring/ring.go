// Package ring is the bounded journal both the mock server and the proxy keep: a fixed-size ring of the
// latest entries, so memory stays flat under load, listed newest first.
package ring

import "sync"

// Ring is a bounded, concurrency-safe list of the latest entries of type T. Create it with New.
type Ring[T any] struct {
	mu    sync.Mutex
	buf   []T
	next  int // where the next entry goes
	count int
	total int64 // entries ever added
}

// New returns a ring that keeps the latest size entries; size <= 0 means def.
func New[T any](size, def int) *Ring[T] {
	if size <= 0 {
		size = def
	}
	if size <= 0 {
		size = 1
	}
	return &Ring[T]{buf: make([]T, size)}
}

// Add keeps e, dropping the oldest entry when the ring is full.
func (r *Ring[T]) Add(e T) {
	r.mu.Lock()
	r.buf[r.next] = e
	r.next = (r.next + 1) % len(r.buf)
	if r.count < len(r.buf) {
		r.count++
	}
	r.total++
	r.mu.Unlock()
}

// List returns the kept entries, newest first; never nil.
func (r *Ring[T]) List() []T {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]T, 0, r.count)
	for i := 1; i <= r.count; i++ {
		out = append(out, r.buf[(r.next-i+len(r.buf))%len(r.buf)])
	}
	return out
}

// Dropped is how many entries were added but are no longer kept.
func (r *Ring[T]) Dropped() int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.total - int64(r.count)
}

// Clear forgets every entry.
func (r *Ring[T]) Clear() {
	r.mu.Lock()
	clear(r.buf)
	r.next, r.count, r.total = 0, 0, 0
	r.mu.Unlock()
}
