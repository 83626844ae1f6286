package providers_test

import (
	"net/http"
	"testing"

	"github.com/ultra-kit/ultra/gateway/providers"
)

// TestDefaultHTTPClient: the one default client (the gateway's when Deps.HTTPClient is nil) has its
// own transport with bounded dial, TLS and header waits, and a fresh one per call.
func TestDefaultHTTPClient(t *testing.T) {
	c := providers.DefaultHTTPClient()
	tr, ok := c.Transport.(*http.Transport)
	if !ok || c == http.DefaultClient || tr == http.DefaultTransport {
		t.Fatalf("transport %T: want its own *http.Transport", c.Transport)
	}
	if tr.TLSHandshakeTimeout <= 0 || tr.ResponseHeaderTimeout <= 0 || tr.DialContext == nil {
		t.Fatalf("unbounded transport: TLS %s, header %s", tr.TLSHandshakeTimeout, tr.ResponseHeaderTimeout)
	}
	if providers.DefaultHTTPClient() == c {
		t.Fatal("DefaultHTTPClient returned a shared client")
	}
}
