package sse_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/sse"
)

func TestAppendEvent(t *testing.T) {
	for _, tc := range []struct{ event, data, want string }{
		{"", `{"a":1}`, "data: {\"a\":1}\n\n"},
		{"ping", "x", "event: ping\ndata: x\n\n"},
		{"a\nb", "1\r\n2\r3\n", "event: ab\ndata: 1\ndata: 2\ndata: 3\ndata: \n\n"},
		{"", "", "data: \n\n"},
	} {
		if got := string(sse.AppendEvent(nil, tc.event, []byte(tc.data))); got != tc.want {
			t.Errorf("AppendEvent(%q, %q) = %q, want %q", tc.event, tc.data, got, tc.want)
		}
	}
}

// serve runs one streamed answer of three tokens through a real server and returns what the client
// read and the read error.
func serve(t *testing.T, d fault.Decision) (string, http.Header, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st := sse.Start(w, r, 200, "text/event-stream", d, nil)
		for i, tok := range []string{"a", "b", "c"} {
			if !st.Wait(i) || !st.Event("", []byte(tok)) {
				return
			}
			if i == 0 && st.Break(func() { st.Event("error", []byte("boom")) }) {
				if st.Event("", []byte("after")) || st.Err() == nil {
					t.Error("a broken stream must refuse further events and report why")
				}
				return
			}
		}
		if st.Terminate() {
			st.Event("", []byte("[DONE]"))
		}
	}))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	if err != nil {
		return "", nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), resp.Header, err
}

func TestStreamFaults(t *testing.T) {
	full := "data: a\n\ndata: b\n\ndata: c\n\ndata: [DONE]\n\n"
	for _, tc := range []struct {
		name    string
		d       fault.Decision
		want    string
		wantErr bool
	}{
		{"Normal", fault.Decision{}, full, false},
		{"StreamError", fault.Decision{Kind: fault.KindStreamError}, "data: a\n\nevent: error\ndata: boom\n\n", false},
		{"StreamDrop", fault.Decision{Kind: fault.KindStreamDrop}, "data: a\n\n", true},
		{"Truncate", fault.Decision{Kind: fault.KindTruncate}, "data: a\n\n", true},
		{"NoTerminator", fault.Decision{Kind: fault.KindStreamNoTerminator}, strings.TrimSuffix(full, "data: [DONE]\n\n"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, h, err := serve(t, tc.d)
			if got != tc.want || (err != nil) != tc.wantErr {
				t.Fatalf("got %q (err %v), want %q (error %v)", got, err, tc.want, tc.wantErr)
			}
			if h.Get("Cache-Control") != "no-cache" || h.Get("X-Accel-Buffering") != "no" || h.Get("Content-Type") != "text/event-stream" {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func TestStreamPacing(t *testing.T) {
	const ttft, gap = 40 * time.Millisecond, 15 * time.Millisecond
	start := time.Now()
	got, _, err := serve(t, fault.Decision{TTFT: ttft, InterToken: gap})
	if err != nil || !strings.HasSuffix(got, "[DONE]\n\n") {
		t.Fatalf("got %q, %v", got, err)
	}
	if el := time.Since(start); el < ttft+2*gap {
		t.Fatalf("stream took %v, want at least TTFT + 2 gaps = %v", el, ttft+2*gap)
	}
}

func TestStreamStopsWhenClientLeaves(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	r := httptest.NewRequest("GET", "/", nil).WithContext(ctx)
	rec := httptest.NewRecorder()
	st := sse.Start(rec, r, 200, "", fault.Decision{InterToken: time.Hour}, nil)
	if st.Wait(1) || st.Event("", []byte("x")) || st.Err() == nil {
		t.Fatal("a stream whose client left must stop")
	}
	if rec.Body.Len() != 0 {
		t.Fatalf("wrote %q after the client left", rec.Body)
	}
}
