package fault_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

func TestSleep(t *testing.T) {
	bg := context.Background()
	t.Run("Waits", func(t *testing.T) {
		start := time.Now()
		if !fault.Sleep(bg, 20*time.Millisecond, nil) || time.Since(start) < 20*time.Millisecond {
			t.Fatal("expected a full wait reporting true")
		}
	})
	t.Run("ZeroWithLiveContext", func(t *testing.T) {
		if !fault.Sleep(bg, 0, nil) {
			t.Fatal("expected true")
		}
	})
	cancelled, cancel := context.WithCancel(bg)
	cancel()
	t.Run("ZeroWithEndedContext", func(t *testing.T) {
		if fault.Sleep(cancelled, 0, nil) {
			t.Fatal("expected false: the client is gone")
		}
	})
	t.Run("ContextEnds", func(t *testing.T) {
		if fault.Sleep(cancelled, time.Hour, nil) {
			t.Fatal("expected false")
		}
	})
	t.Run("SkipClosed", func(t *testing.T) {
		skip := make(chan struct{})
		close(skip)
		if !fault.Sleep(bg, time.Hour, skip) {
			t.Fatal("expected true at once when skipping with a live client")
		}
	})
}

func TestStatusFor(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    fault.Decision
		want int
	}{
		{"ErrorFallback", fault.Decision{Kind: fault.KindError}, 502},
		{"RateLimit", fault.Decision{Kind: fault.KindRateLimit}, 429},
		{"Overloaded", fault.Decision{Kind: fault.KindOverloaded}, 529},
		{"Unauthorized", fault.Decision{Kind: fault.KindUnauthorized}, 401},
		{"ForcedStatusWins", fault.Decision{Kind: fault.KindRateLimit, Status: 418}, 418},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.d.StatusFor(502, 529); got != tc.want {
				t.Fatalf("got %d, want %d", got, tc.want)
			}
		})
	}
}

func TestAnswers(t *testing.T) {
	yes := []fault.Kind{fault.KindError, fault.KindRateLimit, fault.KindOverloaded, fault.KindUnauthorized}
	no := []fault.Kind{fault.KindNone, fault.KindReset, fault.KindTruncate, fault.KindStreamError, fault.KindStreamDrop, fault.KindStreamNoTerminator}
	for _, k := range yes {
		if !(fault.Decision{Kind: k}).Answers() {
			t.Errorf("%q should answer", k)
		}
	}
	for _, k := range no {
		if (fault.Decision{Kind: k}).Answers() {
			t.Errorf("%q should not answer", k)
		}
	}
}

// TestAbort proves both closes reach the client: a reset before anything is answered, and a plain
// close after the flushed half of a body.
func TestAbort(t *testing.T) {
	for _, reset := range []bool{false, true} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !reset {
				w.Header().Set("Content-Length", "10")
				w.WriteHeader(200)
				_, _ = w.Write([]byte("hello"))
			}
			fault.Abort(w, reset)
		}))
		resp, err := srv.Client().Get(srv.URL)
		if reset {
			if err == nil {
				resp.Body.Close()
				t.Errorf("reset: expected a connection error, got %d", resp.StatusCode)
			}
		} else {
			if err != nil {
				t.Fatalf("close: %v", err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if string(b) != "hello" || err == nil {
				t.Errorf("close: got %q, %v; want the half body and an unexpected EOF", b, err)
			}
		}
		srv.Close()
	}
	t.Run("NotHijackable", func(t *testing.T) {
		defer func() {
			if v := recover(); v != http.ErrAbortHandler {
				t.Fatalf("recovered %v, want http.ErrAbortHandler", v)
			}
		}()
		fault.Abort(httptest.NewRecorder(), true)
	})
}
