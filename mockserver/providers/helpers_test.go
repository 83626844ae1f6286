package providers_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// mustServer starts the mocks on a loopback httptest server with cfg and returns its URL.
func mustServer(tb testing.TB, cfg providers.Config) *httptest.Server {
	tb.Helper()
	p := providers.New(cfg)
	srv := httptest.NewServer(p)
	tb.Cleanup(func() {
		p.Close()
		srv.Close()
	})
	return srv
}

// mustFaults returns a fault set holding faults.
func mustFaults(tb testing.TB, faults ...fault.Fault) *fault.Set {
	tb.Helper()
	set := &fault.Set{}
	if _, err := set.Replace(faults); err != nil {
		tb.Fatalf("faults: %v", err)
	}
	return set
}

// call sends method url with body (JSON-encoded unless it is a string or nil) and headers, and
// returns the response with its body read.
func call(tb testing.TB, client *http.Client, method, url string, body any, headers map[string]string) (*http.Response, []byte) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = bytes.NewBufferString(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(data)
	}
	req, err := http.NewRequestWithContext(tb.Context(), method, url, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp, data
}

// decode unmarshals data into a map, failing the test with the body when it is not JSON.
func decode(tb testing.TB, data []byte) map[string]any {
	tb.Helper()
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		tb.Fatalf("body is not a JSON object: %v\n%s", err, data)
	}
	return v
}

// dig walks a decoded JSON value by object keys and array indexes.
func dig(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			a, ok := v.([]any)
			if !ok || k >= len(a) {
				return nil
			}
			v = a[k]
		}
	}
	return v
}
