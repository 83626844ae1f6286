package verify_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/spec"
	"github.com/ultra-kit/ultra/verify"
)

// TestMockServerPassesBig verifies the mock serving the project's own large document, on a few of its
// resources (one per security scheme the mock can be given credentials for) so it stays quick.
func TestMockServerPassesBig(t *testing.T) {
	doc, err := spec.LoadFile("../internal/testdocs/bigapi/bigapi.yaml")
	if err != nil {
		t.Fatal(err)
	}
	mock, err := mockserver.New(mockserver.Config{Mounts: []mockserver.Mount{{Doc: doc}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(mock.Close)
	srv := httptest.NewServer(mock)
	t.Cleanup(srv.Close)
	rep, err := verify.Run(context.Background(), doc, verify.Options{
		Target: srv.URL, Client: srv.Client(), Seed: 7, MaxExamples: 3,
		Include: []string{"Account", "User", "Issue", "Comment", "getHealth"},
		Header:  http.Header{"Authorization": {"Bearer mock-token"}, "X-Api-Key": {"k"}, "Cookie": {"sid=k"}},
		Phases:  []string{verify.PhaseExamples, verify.PhasePositive, verify.PhaseNegative},
	})
	if err != nil {
		t.Fatal(err)
	}
	requireClean(t, rep)
}
