// Package redistest runs a real redis-server (Debian's redis-server package) on a loopback port, for
// the tests and the in-process feature target: start it, stop it to simulate an outage, restart it on
// the same port. Nothing is persisted.
package redistest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/ultra-kit/ultra/internal/testenv"
)

// RequireEnv set to 1 makes a missing redis-server a test failure instead of a skip.
const RequireEnv = "ULTRA_REQUIRE_REDIS"

// Available returns the path of redis-server, or why it cannot be used.
func Available() (string, error) {
	path, err := exec.LookPath("redis-server")
	if err != nil {
		return "", errors.New("redis-server is not on PATH (apt-get install redis-server)")
	}
	return path, nil
}

// Server is one redis-server process on 127.0.0.1.
type Server struct {
	bin  string
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
}

// Start starts redis-server on a free loopback port and waits until it answers PING. Errors say
// what failed; Close stops the server.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Available()
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("redistest: pick a port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := &Server{bin: bin, port: port}
	if err := s.Restart(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// MustStart starts a server for tb and stops it at cleanup. Without redis-server it skips tb
// through internal/testenv (so make test counts it), or fails it when ULTRA_REQUIRE_REDIS=1.
func MustStart(tb testing.TB) *Server {
	tb.Helper()
	_, err := Available()
	testenv.Require(tb, "a Redis server (redis-server)", RequireEnv, "apt-get install redis-server", err)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s, err := Start(ctx)
	if s != nil {
		tb.Cleanup(func() { s.Close() })
	}
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// Addr is host:port.
func (s *Server) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.port)) }

// URL is the redis:// URL of database 0.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Stop kills the server (an outage, as the gateway sees it) and waits for it to exit. Stopping a
// stopped server does nothing.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return nil
	}
	_ = s.cmd.Process.Kill()
	_ = s.cmd.Wait()
	s.cmd = nil
	return nil
}

// Restart starts the server again on the same port (empty: nothing is persisted) and waits until it
// answers PING. Restarting a running server does nothing.
func (s *Server) Restart(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd != nil {
		return nil
	}
	cmd := exec.Command(s.bin, "--port", strconv.Itoa(s.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning", "--dir", os.TempDir())
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("redistest: start redis-server: %w", err)
	}
	s.cmd = cmd
	var last error
	for {
		if last = ping(ctx, s.Addr()); last == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
			s.cmd = nil
			return fmt.Errorf("redistest: redis-server on %s did not answer PING: %w", s.Addr(), last)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Close stops the server.
func (s *Server) Close() error { return s.Stop() }

// ping sends PING and expects +PONG.
func ping(ctx context.Context, addr string) error {
	d := net.Dialer{Timeout: time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return err
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err
	}
	if line != "+PONG\r\n" {
		return fmt.Errorf("answered %q", line)
	}
	return nil
}
