package harness_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/h2non/gock"

	ultra "github.com/ultra-kit/ultra"
	"github.com/ultra-kit/ultra/harness"
	"github.com/ultra-kit/ultra/spec"
)

func mustContract(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := ultra.LoadContract()
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// TestClientValidatesBothWays fakes a gateway with gock (not parallel: gock is global) and checks
// that the client reports contract violations with the exchange.
func TestClientValidatesBothWays(t *testing.T) {
	defer gock.Off()
	httpClient := &http.Client{}
	gock.InterceptClient(httpClient)
	defer gock.RestoreClient(httpClient)
	c := harness.NewClient(mustContract(t), httpClient, nil)
	const base = "http://gateway.test"
	ctx := context.Background()

	t.Run("ResponseMissingARequiredField", func(t *testing.T) {
		gock.New(base).Get("/api/health/live").Reply(200).JSON(map[string]any{})
		x, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodGet, Path: "/api/health/live"})
		var ce *harness.ContractError
		if !errors.As(err, &ce) || ce.Side != "response" {
			t.Fatalf("expected a response contract error, got %v", err)
		}
		if x == nil || x.Status != 200 || !strings.Contains(err.Error(), "GET http://gateway.test/api/health/live -> 200") {
			t.Errorf("expected the error to quote the exchange, got %v", err)
		}
	})
	t.Run("ConformingResponse", func(t *testing.T) {
		gock.New(base).Get("/api/health/live").Reply(200).JSON(map[string]any{"status": "ok"})
		if _, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodGet, Path: "/api/health/live"}); err != nil {
			t.Fatalf("expected no error, got %v", err)
		}
	})
	t.Run("InvalidRequestIsNotSent", func(t *testing.T) {
		_, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodPost, Path: "/api/analyze",
			Header: http.Header{"Authorization": {"Bearer x"}, "Content-Type": {"application/json"}},
			Body:   []byte(`{"prompt":"","selected_models":["gpt4o"],"ultra_model":"gpt4o"}`)})
		var ce *harness.ContractError
		if !errors.As(err, &ce) || ce.Side != "request" || !strings.Contains(err.Error(), "/prompt") {
			t.Fatalf("expected a request contract error at /prompt, got %v", err)
		}
	})
	t.Run("NonConformingRequestStillChecksTheResponse", func(t *testing.T) {
		gock.New(base).Post("/api/analyze").Reply(400).SetHeader("Content-Type", "application/problem+json").
			BodyString(`{"type":"about:blank","title":"Bad","status":400,"code":"validation_failed"}`)
		x, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodPost, Path: "/api/analyze", NonConforming: true,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{"prompt":""}`)})
		if err != nil {
			t.Fatalf("expected the documented 400 to pass, got %v", err)
		}
		if len(x.RequestViolations) == 0 {
			t.Error("expected the request's violations to be kept, got none")
		}
		gock.New(base).Post("/api/analyze").Reply(200).JSON(map[string]any{"status": "success"})
		if _, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodPost, Path: "/api/analyze", NonConforming: true,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(`{}`)}); err == nil {
			t.Error("expected an undocumented 200 body to violate the contract, got no error")
		}
	})
	t.Run("UnknownOperation", func(t *testing.T) {
		_, err := c.Do(ctx, harness.Request{Base: base, Method: http.MethodGet, Path: "/api/nope"})
		if !errors.Is(err, spec.ErrOperationNotFound) && !strings.Contains(err.Error(), "no operation") {
			t.Fatalf("expected an operation-not-found error, got %v", err)
		}
	})
}
