package proxy_test

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/proxy"
)

// TestStreamPassesEventByEvent: the first event reaches the client while the upstream is still
// holding the stream open (it finishes only after the client saw that event), so nothing buffers.
func TestStreamPassesEventByEvent(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		io.WriteString(w, "event: pet\ndata: {\"id\":1}\n\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-time.After(20 * time.Second):
		}
		io.WriteString(w, "event: done\ndata: {}\n\n")
	}))
	defer up.Close()
	p, srv, _ := start(t, up.URL, proxy.Config{Mode: proxy.Enforce})
	resp, err := (&http.Client{}).Get(srv.URL + "/feed")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	first := make(chan string, 1)
	br := bufio.NewReader(resp.Body)
	go func() {
		var b strings.Builder
		for {
			line, err := br.ReadString('\n')
			b.WriteString(line)
			if err != nil || line == "\n" {
				first <- b.String()
				return
			}
		}
	}()
	select {
	case ev := <-first:
		if ev != "event: pet\ndata: {\"id\":1}\n\n" {
			t.Fatalf("first event %q", ev)
		}
	case <-time.After(15 * time.Second):
		close(release)
		t.Fatal("the first event did not arrive while the upstream held the stream: the proxy buffers")
	}
	close(release)
	rest, _ := io.ReadAll(br)
	if string(rest) != "event: done\ndata: {}\n\n" {
		t.Fatalf("rest of the stream %q", rest)
	}
	resp.Body.Close()
	srv.Close() // waits for the handler, so the exchange is journaled
	x := journal(t, p, 1)[0]
	if !x.Stream || !x.Valid || !strings.Contains(x.Response.Body, "event: done") {
		t.Fatalf("journal: stream %v valid %v body %q errors %v", x.Stream, x.Valid, x.Response.Body, x.Errors)
	}
}

// TestStreamStatusAndMediaChecked: a stream with an undocumented status, and a JSON answer where a
// stream is documented, are violations; enforce mode replaces them.
func TestStreamStatusAndMediaChecked(t *testing.T) {
	for _, tc := range []struct {
		name, contentType string
		status            int
		in                string
	}{
		{"UndocumentedStatus", "text/event-stream", 201, "status"},
		{"WrongMediaType", "application/json", 200, "content-type"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				w.WriteHeader(tc.status)
				io.WriteString(w, "data: {}\n\n")
			}))
			defer up.Close()
			p, srv, _ := start(t, up.URL, proxy.Config{})
			if got := do(t, "GET", srv.URL+"/feed", ""); got.status != tc.status || got.body != "data: {}\n\n" {
				t.Fatalf("report mode changed the stream: %d %q", got.status, got.body)
			}
			x := journal(t, p, 1)[0]
			if x.Valid {
				t.Fatalf("%s not flagged", tc.name)
			}
			found := false
			for _, v := range x.Errors {
				found = found || string(v.In) == tc.in || (tc.in == "content-type" && strings.Contains(v.Reason, "application/json"))
			}
			if !found {
				t.Fatalf("want a %s violation, got %+v", tc.in, x.Errors)
			}
			_, enf, _ := start(t, up.URL, proxy.Config{Mode: proxy.Enforce})
			if got := do(t, "GET", enf.URL+"/feed", ""); got.status != 502 {
				t.Fatalf("enforce mode let it through: %d", got.status)
			}
		})
	}
}

// TestGzipResponseValidated: a gzip body passes compressed, as sent, and is validated decompressed.
func TestGzipResponseValidated(t *testing.T) {
	gz := func(s string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		io.WriteString(zw, s)
		zw.Close()
		return b.Bytes()
	}
	good, bad := gz(`{"id":1,"name":"Rex"}`), gz(`{"id":"one"}`)
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		if r.PathValue("x") == "" && strings.HasSuffix(r.URL.Path, "/2") {
			w.Write(bad)
			return
		}
		w.Write(good)
	}))
	defer up.Close()
	p, srv, _ := start(t, up.URL, proxy.Config{})
	req, _ := http.NewRequest("GET", srv.URL+"/pets/1", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(raw, good) {
		t.Fatal("the gzip body was not passed as sent")
	}
	if x := journal(t, p, 1)[0]; !x.Valid {
		t.Fatalf("a valid gzip body was flagged: %+v", x.Errors)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/pets/2", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err = (&http.Client{}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if x := journal(t, p, 2)[0]; x.Valid {
		t.Fatal("an invalid gzip body passed validation")
	}
}
