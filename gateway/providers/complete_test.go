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

func TestComplete_Success(t *testing.T) {
	for _, p := range providerTable() {
		cases := []struct {
			name     string
			req      providers.Request
			wantBody string
		}{
			{"FullRequest", p.request(), p.fullBody},
			{"MinimalRequest", providers.Request{Model: p.model, Prompt: "Hello"}, p.minimalBody},
		}
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				hc := MustMockNet(t)
				gock.New(p.host).Post(p.completePath).
					MatchHeaders(p.auth).
					MatchHeader("Content-Type", "^application/json$").
					AddMatcher(matchJSON(t, tc.wantBody)).
					Reply(http.StatusOK).SetHeader("Content-Type", "application/json").BodyString(p.okBody)

				c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
				if got := c.Name(); got != p.name {
					t.Errorf("Name() = %q, want %q", got, p.name)
				}
				resp, err := c.Complete(t.Context(), tc.req)
				if err != nil {
					t.Fatalf("Complete: %v", err)
				}
				want := providers.Response{Text: "Hi there.", InputTokens: 12, OutputTokens: 3, Status: http.StatusOK}
				if *resp != want {
					t.Errorf("response = %+v, want %+v", *resp, want)
				}
			})
		}
	}
}

// reply is one upstream answer in a scenario: an HTTP status with a body and headers, or a transport error.
type reply struct {
	status  int
	body    string
	header  map[string]string
	connErr bool
}

func TestComplete_Failures(t *testing.T) {
	for _, p := range providerTable() {
		ok := reply{status: 200, body: p.okBody}
		errReply := func(status int, code string, header map[string]string) reply {
			return reply{status: status, body: p.errBody(status, code, "upstream says no"), header: header}
		}
		overloaded := errReply(529, p.overloadedCode, nil)
		unavailable := errReply(503, p.overloadedCode, nil)
		cases := []struct {
			name       string
			maxRetries int
			replies    []reply
			// wantErr false: the call must succeed with "Hi there.".
			wantErr         bool
			wantStatus      int
			wantCode        string
			wantTransient   bool
			wantKeyRejected bool
			wantRetryAfter  time.Duration
			// wantSleeps are the exact waits, or nil with sleepRanges for jittered backoff.
			wantSleeps  []time.Duration
			sleepRanges [][2]time.Duration
		}{
			{
				name: "KeyRejected401", replies: []reply{errReply(p.keyStatus, p.keyCode, nil)},
				wantErr: true, wantStatus: p.keyStatus, wantCode: p.keyCode, wantKeyRejected: true,
			},
			{
				name: "Forbidden403", replies: []reply{errReply(403, "permission_denied", nil)},
				wantErr: true, wantStatus: 403, wantCode: "permission_denied", wantKeyRejected: true,
			},
			{
				name: "BadRequest400NotRetried", replies: []reply{errReply(400, "invalid_request", nil)},
				wantErr: true, wantStatus: 400, wantCode: "invalid_request",
			},
			{
				name:       "RateLimitedRetryAfterSecondsThenOK",
				replies:    []reply{errReply(429, "rate_limit_exceeded", map[string]string{"Retry-After": "2"}), ok},
				wantSleeps: []time.Duration{2 * time.Second},
			},
			{
				name:       "RateLimitedRetryAfterMsThenOK",
				replies:    []reply{errReply(429, "rate_limit_exceeded", map[string]string{"Retry-After-Ms": "150", "Retry-After": "1"}), ok},
				wantSleeps: []time.Duration{150 * time.Millisecond},
			},
			{
				name:        "ServerErrorThenOK",
				replies:     []reply{errReply(500, "internal_error", nil), ok},
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}},
			},
			{
				name:        "Overloaded529ThenOK",
				replies:     []reply{overloaded, ok},
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}},
			},
			{
				name:        "ConnectionErrorThenOK",
				replies:     []reply{{connErr: true}, ok},
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}},
			},
			{
				name: "RetriesExhausted", replies: []reply{unavailable, unavailable, unavailable},
				wantErr: true, wantStatus: 503, wantCode: p.overloadedCode, wantTransient: true,
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}, {500 * time.Millisecond, time.Second}},
			},
			{
				name: "Overloaded529Exhausted", replies: []reply{overloaded, overloaded, overloaded},
				wantErr: true, wantStatus: 529, wantCode: p.overloadedCode, wantTransient: true,
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}, {500 * time.Millisecond, time.Second}},
			},
			{
				name: "RateLimitedExhaustedKeepsRetryAfter", maxRetries: 1,
				replies: []reply{
					errReply(429, "rate_limit_exceeded", map[string]string{"Retry-After": "3"}),
					errReply(429, "rate_limit_exceeded", map[string]string{"Retry-After": "4"}),
				},
				wantErr: true, wantStatus: 429, wantCode: "rate_limit_exceeded", wantTransient: true,
				wantRetryAfter: 4 * time.Second, wantSleeps: []time.Duration{3 * time.Second},
			},
			{
				name: "NegativeMaxRetriesMeansNone", maxRetries: -1, replies: []reply{errReply(500, "internal_error", nil)},
				wantErr: true, wantStatus: 500, wantCode: "internal_error", wantTransient: true,
			},
			{
				name:    "ShouldRetryFalseHeader",
				replies: []reply{errReply(500, "internal_error", map[string]string{"X-Should-Retry": "false"})},
				wantErr: true, wantStatus: 500, wantCode: "internal_error", wantTransient: true,
			},
			{
				name: "ConnectionErrorsExhausted", maxRetries: 1, replies: []reply{{connErr: true}, {connErr: true}},
				wantErr: true, wantCode: providers.CodeConnection, wantTransient: true,
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}},
			},
			{
				name: "MalformedJSONNotRetried", replies: []reply{{status: 200, body: `{"choices": [`}},
				wantErr: true, wantStatus: 200, wantCode: providers.CodeInvalidResponse, wantTransient: true,
			},
			{
				name: "EmptyObjectAnswer", replies: []reply{{status: 200, body: `{}`}},
				wantErr: true, wantStatus: 200, wantCode: providers.CodeInvalidResponse, wantTransient: true,
			},
			{
				name: "HTMLErrorPage", replies: []reply{{status: 502, body: "<html><body>Bad Gateway</body></html>"}, ok},
				sleepRanges: [][2]time.Duration{{250 * time.Millisecond, 500 * time.Millisecond}},
			},
		}
		for _, tc := range cases {
			t.Run(p.name+"/"+tc.name, func(t *testing.T) {
				hc := MustMockNet(t)
				for _, r := range tc.replies {
					m := gock.New(p.host).Post(p.completePath).MatchHeaders(p.auth).AddMatcher(matchJSON(t, p.fullBody))
					if r.connErr {
						m.ReplyError(errors.New("connection reset by peer"))
						continue
					}
					m.Reply(r.status).SetHeaders(r.header).SetHeader("Content-Type", "application/json").BodyString(r.body)
				}
				c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc, MaxRetries: tc.maxRetries})
				slept := recordSleeps(c)

				resp, err := c.Complete(t.Context(), p.request())

				if !tc.wantErr {
					if err != nil {
						t.Fatalf("Complete: %v", err)
					}
					if resp.Text != "Hi there." {
						t.Errorf("Text = %q, want %q", resp.Text, "Hi there.")
					}
				} else {
					pe := mustProviderError(t, err)
					if pe.Provider != p.name || pe.Status != tc.wantStatus || pe.Code != tc.wantCode {
						t.Errorf("error = {%s %d %q}, want {%s %d %q} (%v)", pe.Provider, pe.Status, pe.Code, p.name, tc.wantStatus, tc.wantCode, pe)
					}
					if pe.Transient() != tc.wantTransient {
						t.Errorf("Transient() = %v, want %v", pe.Transient(), tc.wantTransient)
					}
					if pe.KeyRejected() != tc.wantKeyRejected {
						t.Errorf("KeyRejected() = %v, want %v", pe.KeyRejected(), tc.wantKeyRejected)
					}
					if pe.RetryAfter != tc.wantRetryAfter {
						t.Errorf("RetryAfter = %v, want %v", pe.RetryAfter, tc.wantRetryAfter)
					}
					if pe.Timeout {
						t.Errorf("Timeout = true, want false")
					}
				}
				got := slept.get()
				if tc.sleepRanges != nil {
					if len(got) != len(tc.sleepRanges) {
						t.Fatalf("slept %v, want %d waits", got, len(tc.sleepRanges))
					}
					for i, r := range tc.sleepRanges {
						if got[i] < r[0] || got[i] > r[1] {
							t.Errorf("wait %d = %v, want within [%v, %v]", i, got[i], r[0], r[1])
						}
					}
				} else if !equalDurations(got, tc.wantSleeps) {
					t.Errorf("slept %v, want %v", got, tc.wantSleeps)
				}
			})
		}
	}
}

func equalDurations(a, b []time.Duration) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestComplete_MissingKeySendsNothing(t *testing.T) {
	for _, p := range providerTable() {
		t.Run(p.name, func(t *testing.T) {
			hc := MustMockNet(t) // no mocks: any request would be unmatched (and noNetwork fails the test)
			c := p.newClient(providers.Config{HTTPClient: hc})
			calls := map[string]func() error{
				"Complete": func() error { _, err := c.Complete(t.Context(), p.request()); return err },
				"Check":    func() error { return c.Check(t.Context()) },
			}
			for name, call := range calls {
				err := call()
				if !errors.Is(err, providers.ErrNoAPIKey) {
					t.Fatalf("%s: error = %v, want ErrNoAPIKey", name, err)
				}
				pe := mustProviderError(t, err)
				if pe.Code != providers.CodeNoAPIKey || pe.Transient() || pe.KeyRejected() || pe.Provider != p.name {
					t.Errorf("%s: error = %+v, want no_api_key, not transient, not key-rejected", name, pe)
				}
			}
		})
	}
}

func TestComplete_ContextDeadlineIsTimeout(t *testing.T) {
	for _, p := range providerTable() {
		t.Run(p.name, func(t *testing.T) {
			hc := MustMockNet(t)
			gock.New(p.host).Post(p.completePath).MatchHeaders(p.auth).
				Reply(http.StatusOK).Delay(time.Minute).BodyString(p.okBody)
			c := p.newClient(providers.Config{APIKey: p.key, HTTPClient: hc})
			slept := recordSleeps(c)

			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
			defer cancel()
			_, err := c.Complete(ctx, p.request())

			pe := mustProviderError(t, err)
			if !pe.Timeout || pe.Code != providers.CodeTimeout || !pe.Transient() || pe.Status != 0 {
				t.Errorf("error = %+v, want Timeout, code timeout, transient, status 0", pe)
			}
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) = false for %v", err)
			}
			if got := slept.get(); len(got) != 0 {
				t.Errorf("slept %v after a timeout, want no retry", got)
			}
		})
	}
}
