package providers_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/h2non/gock"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// client is what the three provider clients have in common (the gateway declares its own copy).
type client interface {
	providers.Hooks
	Name() string
	Complete(ctx context.Context, r providers.Request) (*providers.Response, error)
	Check(ctx context.Context) error
}

// noNetwork is the transport under gock: if gock ever lets a request through (it is not intercepting, or
// networking got enabled) the request fails here instead of reaching a real host.
type noNetwork struct{ t testing.TB }

func (n noNetwork) RoundTrip(r *http.Request) (*http.Response, error) {
	n.t.Errorf("real network access attempted: %s %s", r.Method, r.URL)
	return nil, fmt.Errorf("test: real network access to %s refused", r.URL.Host)
}

// MustMockNet returns an http.Client whose only way out is gock with networking disabled, and registers
// cleanups that fail the test on pending mocks or unmatched requests, then reset gock.
func MustMockNet(t *testing.T) *http.Client {
	t.Helper()
	gock.OffAll()
	gock.DisableNetworking()
	c := &http.Client{Transport: noNetwork{t}}
	gock.InterceptClient(c)
	if _, ok := c.Transport.(*gock.Transport); !ok {
		t.Fatalf("client transport is %T, want *gock.Transport", c.Transport)
	}
	t.Cleanup(gock.OffAll)
	t.Cleanup(func() {
		if !gock.IsDone() {
			t.Errorf("%d gock mocks were not called", len(gock.Pending()))
		}
		for _, r := range gock.GetUnmatchedRequests() {
			t.Errorf("unmatched request: %s %s", r.Method, r.URL)
		}
	})
	return c
}

// matchJSON is a gock matcher that requires the request body to equal want as JSON (not as a regexp or a
// subset, as gock's own body matcher allows). It logs the body it saw on a mismatch.
func matchJSON(t *testing.T, want string) gock.MatchFunc {
	return func(r *http.Request, _ *gock.Request) (bool, error) {
		if r.Body == nil {
			t.Logf("request has no body, want %s", want)
			return false, nil
		}
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return false, err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		var got, exp any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Logf("request body is not JSON: %s", body)
			return false, nil
		}
		if err := json.Unmarshal([]byte(want), &exp); err != nil {
			return false, fmt.Errorf("bad expected JSON: %w", err)
		}
		if !reflect.DeepEqual(got, exp) {
			t.Logf("request body\n got %s\nwant %s", body, want)
			return false, nil
		}
		return true, nil
	}
}

// sleeps records the waits a client asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func recordSleeps(c client) *sleeps {
	s := &sleeps{}
	providers.SetSleep(c, func(ctx context.Context, d time.Duration) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		s.d = append(s.d, d)
		return ctx.Err()
	})
	return s
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// mustProviderError asserts err is a *providers.Error and returns it.
func mustProviderError(t *testing.T, err error) *providers.Error {
	t.Helper()
	if err == nil {
		t.Fatal("expected an error, got nil")
	}
	var pe *providers.Error
	if !errors.As(err, &pe) {
		t.Fatalf("expected *providers.Error, got %T: %v", err, err)
	}
	return pe
}

func ptr[T any](v T) *T { return &v }
