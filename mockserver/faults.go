package mockserver

import (
	"net"
	"net/http"
	"time"
)

// sleep waits d for a latency fault. It returns false when the client went away, and true at once
// when the server is closing.
func (s *Server) sleep(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-s.closing:
		return true
	case <-r.Context().Done():
		return false
	}
}

// reset closes the client's connection: abruptly (a TCP reset) when hard, else with a normal close
// so the client sees the body end early. Over HTTP/2, which cannot be hijacked, it aborts the stream.
func (s *Server) reset(w *recorder, hard bool) {
	conn, _, err := w.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok && hard {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}
