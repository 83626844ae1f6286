// Package providers serves wire-compatible mocks of the LLM provider HTTP APIs of the provider table
// (internal/provider: OpenAI, Anthropic, Gemini), so the
// official SDKs and the gateway's provider clients work against it with only their base URL changed.
// Answers are deterministic for a model and prompt, and faults from a shared fault.Set (latency, errors,
// rate limits, broken streams) are applied per provider and per model. Config.Record forwards calls to
// the real providers and records them as cassettes (package cassette); Config.Replay serves them.
package providers

import (
	"io"
	"log/slog"
	"net/http"
	"sync"

	table "github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/internal/requestid"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/fixture"
)

// Provider names, used as keys of Config.Keys and as fault targets ("openai", "openai:gpt-4o").
const (
	OpenAI    = table.OpenAI
	Anthropic = table.Anthropic
	Gemini    = table.Gemini
)

// maxBodyBytes bounds a request body; bigger bodies get a 413 in the provider's format.
const maxBodyBytes = 8 << 20

// Config configures the provider mocks. The zero value serves every provider of the table, accepts any
// non-empty API key and injects no faults.
type Config struct {
	// Keys lists the accepted API keys per provider name ("openai", "mistral"...). A provider with
	// no entry (or an empty list) accepts any non-empty key; a missing key is always a 401.
	Keys map[string][]string
	// Faults are the active fault rules, read on every request. Nil means no faults.
	Faults *fault.Set
	// Logger receives debug lines about applied faults and aborted streams. Nil discards them.
	Logger *slog.Logger
	// Record, when not nil, forwards the calls of the providers it names to their real APIs and
	// records each exchange as a cassette (see Record). It wins over Replay.
	Record *Record
	// Replay, when not nil, answers the provider calls from recorded cassettes (see Replay).
	Replay *Replay
	// Fixtures are the scripted answers, read on every request (see package fixture and
	// scripted.go). Nil means none: every answer is generated.
	Fixtures *fixture.Set
}

// Server is the http.Handler serving the provider mocks under each provider's mount and API versions
// (/openai/v1, /anthropic/v1, /gemini/v1beta and /gemini/v1). It is safe for concurrent use.
type Server struct {
	mux      *http.ServeMux
	handler  http.Handler // mux, behind record or replay when configured
	keys     map[string]map[string]bool
	faults   *fault.Set
	fixtures *fixture.Set
	log      *slog.Logger

	ids       *requestid.Source
	schemas   *schemas       // compiled caller schemas (tool parameters, structured output)
	responses *responseStore // OpenAI Responses API responses kept for GET /responses/{id}

	closeOnce sync.Once
	closing   chan struct{}
}

// New builds the provider mocks from cfg (see Config for what zero values mean).
func New(cfg Config) *Server {
	s := &Server{
		mux:       http.NewServeMux(),
		keys:      map[string]map[string]bool{},
		faults:    cfg.Faults,
		fixtures:  cfg.Fixtures,
		log:       cfg.Logger,
		ids:       requestid.NewSource(),
		schemas:   &schemas{},
		responses: &responseStore{},
		closing:   make(chan struct{}),
	}
	if s.faults == nil {
		s.faults = &fault.Set{}
	}
	if s.log == nil {
		s.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	for provider, keys := range cfg.Keys {
		if len(keys) == 0 {
			continue
		}
		set := make(map[string]bool, len(keys))
		for _, k := range keys {
			set[k] = true
		}
		s.keys[provider] = set
	}
	s.routes()
	s.handler = s.withTape(cfg, s.mux)
	return s
}

// ServeHTTP answers one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close makes in-flight and later requests skip every injected delay, so that during a graceful
// shutdown open streams run to their normal end (terminator included) at once and the handler
// returns. It is safe to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() { close(s.closing) })
}

// newID returns a unique id such as "chatcmpl-3f2a9c1b7d4e00000001".
func (s *Server) newID(prefix string) string { return s.ids.Next(prefix) }
