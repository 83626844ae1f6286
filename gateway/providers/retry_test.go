package providers_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/h2non/gock"

	"github.com/ultra-kit/ultra/gateway/providers"
)

func TestComplete_RetryWaitBoundedByDeadline(t *testing.T) {
	for _, p := range providerTable() {
		t.Run(p.name, func(t *testing.T) {
			hc := MustMockNet(t)
			// Only one answer is mocked: a retry would be an unmatched request and fail the test.
			gock.New(p.host).Post(p.completePath).
				Reply(http.StatusTooManyRequests).SetHeader("Retry-After", "30").
				BodyString(p.errBody(429, "rate_limit_exceeded", "slow down"))
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
			slept := recordSleeps(c)

			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			_, err := c.Complete(ctx, p.request())

			pe := mustProviderError(t, err)
			if pe.Status != 429 || pe.RetryAfter != 30*time.Second || !pe.Transient() || pe.Timeout {
				t.Errorf("error = %+v, want the provider's 429 with RetryAfter 30s", pe)
			}
			if got := slept.get(); len(got) != 0 {
				t.Errorf("slept %v, want no wait past the deadline", got)
			}
		})
	}
}

func TestComplete_RetryAfterTooLongGivesUp(t *testing.T) {
	p := providerTable()[0]
	hc := MustMockNet(t)
	gock.New(p.host).Post(p.completePath).
		Reply(http.StatusTooManyRequests).SetHeader("Retry-After", "3600").
		BodyString(p.errBody(429, "rate_limit_exceeded", "quota"))
	c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
	slept := recordSleeps(c)

	_, err := c.Complete(t.Context(), p.request()) // no deadline at all

	if pe := mustProviderError(t, err); pe.RetryAfter != time.Hour {
		t.Errorf("RetryAfter = %v, want 1h", pe.RetryAfter)
	}
	if got := slept.get(); len(got) != 0 {
		t.Errorf("slept %v, want none for an hour-long Retry-After", got)
	}
}

func TestComplete_RetryAfterHTTPDate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, p := range providerTable() {
		t.Run(p.name, func(t *testing.T) {
			hc := MustMockNet(t)
			gock.New(p.host).Post(p.completePath).
				Reply(http.StatusServiceUnavailable).
				SetHeader("Retry-After", now.Add(7*time.Second).Format(http.TimeFormat)).
				BodyString(p.errBody(503, p.overloadedCode, "busy"))
			gock.New(p.host).Post(p.completePath).Reply(http.StatusOK).BodyString(p.okBody)
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
			providers.SetNow(c, func() time.Time { return now })
			slept := recordSleeps(c)

			if _, err := c.Complete(t.Context(), p.request()); err != nil {
				t.Fatalf("Complete: %v", err)
			}
			if got := slept.get(); !equalDurations(got, []time.Duration{7 * time.Second}) {
				t.Errorf("slept %v, want [7s]", got)
			}
		})
	}
}

func TestComplete_Canceled(t *testing.T) {
	for _, p := range providerTable() {
		t.Run(p.name+"/DuringRequest", func(t *testing.T) {
			hc := MustMockNet(t)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			gock.New(p.host).Post(p.completePath).Reply(http.StatusOK).BodyString(p.okBody).
				Map(func(r *http.Response) *http.Response { cancel(); return r }) // the client goes away mid-call
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})

			_, err := c.Complete(ctx, p.request())

			assertCanceled(t, err)
		})
		t.Run(p.name+"/DuringRetryWait", func(t *testing.T) {
			hc := MustMockNet(t)
			gock.New(p.host).Post(p.completePath).Reply(http.StatusInternalServerError).
				BodyString(p.errBody(500, "internal_error", "oops"))
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			providers.SetSleep(c, func(ctx context.Context, _ time.Duration) error {
				cancel()
				return ctx.Err()
			})

			_, err := c.Complete(ctx, p.request())

			assertCanceled(t, err)
		})
	}
}

func assertCanceled(t *testing.T, err error) {
	t.Helper()
	pe := mustProviderError(t, err)
	if pe.Code != providers.CodeCanceled || pe.Transient() || pe.Timeout {
		t.Errorf("error = %+v, want code canceled, not transient, not timeout", pe)
	}
	if !errors.Is(err, context.Canceled) {
		t.Errorf("errors.Is(err, context.Canceled) = false for %v", err)
	}
}

func TestCheck(t *testing.T) {
	for _, p := range providerTable() {
		cases := []struct {
			name            string
			status          int
			body            string
			wantErr         bool
			wantKeyRejected bool
			wantTransient   bool
		}{
			{name: "OK", status: 200, body: `{"data":[],"models":[]}`},
			{name: "KeyRejected", status: p.keyStatus, body: p.errBody(p.keyStatus, p.keyCode, "bad key"), wantErr: true, wantKeyRejected: true},
			// Health checks report the state as it is: no retry, so only one 500 is mocked.
			{name: "ServerErrorNotRetried", status: 500, body: p.errBody(500, "internal_error", "oops"), wantErr: true, wantTransient: true},
		}
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				hc := MustMockNet(t)
				gock.New(p.host).Get(p.modelsPath + "$").MatchHeaders(p.auth).Reply(tc.status).BodyString(tc.body)
				c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
				slept := recordSleeps(c)

				err := c.Check(t.Context())

				if !tc.wantErr {
					if err != nil {
						t.Fatalf("Check: %v", err)
					}
					return
				}
				pe := mustProviderError(t, err)
				if pe.Status != tc.status || pe.KeyRejected() != tc.wantKeyRejected || pe.Transient() != tc.wantTransient {
					t.Errorf("error = %+v (KeyRejected %v, Transient %v), want status %d KeyRejected %v Transient %v",
						pe, pe.KeyRejected(), pe.Transient(), tc.status, tc.wantKeyRejected, tc.wantTransient)
				}
				if got := slept.get(); len(got) != 0 {
					t.Errorf("Check slept %v, want no retries", got)
				}
			})
		}
	}
}
