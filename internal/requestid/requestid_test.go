package requestid_test

import (
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/ultra-kit/ultra/internal/requestid"
)

func TestUsable(t *testing.T) {
	for _, tc := range []struct {
		id   string
		want bool
	}{
		{"abc-123", true},
		{"qa-health-check-0001", true},
		{strings.Repeat("x", 128), true},
		{"", false},
		{strings.Repeat("x", 129), false},
		{"has space", false},
		{"tab\there", false},
		{"new\nline", false},
		{"caf\u00e9", false},
		{"\x7f", false},
	} {
		if got := requestid.Usable(tc.id); got != tc.want {
			t.Errorf("Usable(%q) = %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestSourceIsUniqueAndShaped(t *testing.T) {
	s := requestid.NewSource()
	shape := regexp.MustCompile(`^req_[0-9a-f]{12}[0-9a-f]{8,}$`)
	const workers, each = 8, 500
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				id := s.Next("req_")
				mu.Lock()
				if seen[id] {
					t.Errorf("duplicate id %s", id)
				}
				seen[id] = true
				mu.Unlock()
				if !shape.MatchString(id) || !requestid.Usable(id) {
					t.Errorf("id %q does not have the documented shape", id)
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Fatalf("got %d ids, want %d", len(seen), workers*each)
	}
	if a, b := requestid.NewSource().Next(""), requestid.NewSource().Next(""); a == b {
		t.Fatalf("two sources gave the same first id %s", a)
	}
	if got := s.Next(""); len(got) != 20 {
		t.Fatalf("Next(\"\") = %q, want 12 random + 8 counter digits", got)
	}
}
