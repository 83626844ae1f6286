package proxy_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/proxy"
	"github.com/ultra-kit/ultra/spec"
)

// upstream is a pet service with planted mistakes: GET /pets/2 answers a pet without its name,
// GET /pets/3 an undocumented 500, everything else follows the document.
type upstream struct {
	*httptest.Server
	hits atomic.Int64
}

func newUpstream(t *testing.T) *upstream {
	t.Helper()
	u := &upstream{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /pets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Upstream", "pets")
		io.WriteString(w, `[ {"id": 1,  "name":"Rex"} ]`)
	})
	mux.HandleFunc("POST /pets", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		io.WriteString(w, `{"id":7,"name":"Tom"}`)
	})
	mux.HandleFunc("GET /pets/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.PathValue("id") {
		case "1":
			io.WriteString(w, `{"id":1,"name":"Rex"}`)
		case "2":
			io.WriteString(w, `{"id":2}`)
		case "3":
			w.WriteHeader(http.StatusInternalServerError)
			io.WriteString(w, `{"oops":true}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"code":"not_found"}`)
		}
	})
	mux.HandleFunc("GET /undocumented", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello")
	})
	u.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.hits.Add(1)
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(u.Close)
	return u
}

func mustDoc(tb testing.TB) *spec.Document {
	tb.Helper()
	doc, err := spec.LoadFile("testdata/pets.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return doc
}

// start returns a proxy in front of target, served on a test server, and its log.
func start(t *testing.T, target string, cfg proxy.Config) (*proxy.Proxy, *httptest.Server, *syncbuf.Buffer) {
	t.Helper()
	logs := &syncbuf.Buffer{}
	u, err := url.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Doc == nil {
		cfg.Doc = mustDoc(t)
	}
	cfg.Target = u
	cfg.Logger = slog.New(slog.NewTextHandler(logs, nil))
	p, err := proxy.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv, logs
}

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, body string, header ...string) answer {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, resp.Header, string(b)}
}

// only returns the journal's single exchange.
func only(t *testing.T, p *proxy.Proxy) proxy.Exchange {
	t.Helper()
	x := journal(t, p, 1)
	if s := p.Summary(); s.Exchanges != 1 {
		t.Fatalf("summary has %d exchanges, want 1", s.Exchanges)
	}
	return x[0]
}

// journal returns the journal, newest first, once it holds n exchanges: a client can read the whole
// answer a moment before the proxy's handler returns and journals it.
func journal(t *testing.T, p *proxy.Proxy, n int) []proxy.Exchange {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, httptest.NewRequest("GET", "/__admin/requests", nil))
		var out struct{ Requests []proxy.Exchange }
		if err := jsonDecode(rec.Body, &out); err != nil {
			t.Fatal(err)
		}
		if len(out.Requests) >= n {
			return out.Requests
		}
		if time.Now().After(deadline) {
			t.Fatalf("the journal holds %d exchanges, want %d", len(out.Requests), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func jsonDecode(b *bytes.Buffer, v any) error { return jsonUnmarshal(b.Bytes(), v) }
