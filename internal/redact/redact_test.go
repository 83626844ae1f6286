package redact_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/internal/redact"
)

func TestSecret(t *testing.T) {
	var rd redact.Redactor
	for name, want := range map[string]bool{
		"Authorization": true, "x-api-key": true, "x-goog-api-key": true, "api-key": true, "Cookie": true,
		"key": true, "KEY": true, "access_token": true,
		"alt": false, "monkey": false, "Content-Type": false, "anthropic-version": false, "max_tokens": true,
	} {
		if got := rd.Secret(name); got != want {
			t.Errorf("Secret(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestQueryAndHeader(t *testing.T) {
	var rd redact.Redactor
	if q := rd.Query("alt=sse&key=AIza-secret"); strings.Contains(q, "AIza-secret") || !strings.Contains(q, "alt=sse") {
		t.Errorf("query %q", q)
	}
	if q := rd.Query("alt=sse"); q != "alt=sse" {
		t.Errorf("a query without secrets changed: %q", q)
	}
	h := rd.Header(http.Header{"X-Goog-Api-Key": {"g"}, "Accept": {"*/*"}})
	if h.Get("X-Goog-Api-Key") != redact.Redacted || h.Get("Accept") != "*/*" {
		t.Errorf("header %v", h)
	}
}
