// Package mockserver serves any OpenAPI document as a mock, the way Stoplight Prism does: it routes
// requests to the document's operations, validates them, answers with the documented examples (or values
// generated from the schemas), streams text/event-stream examples as real Server-Sent Events, injects
// faults, and keeps a journal and a coverage report behind a WireMock-style admin API under /__admin/.
// It can also mount the LLM provider mocks of package providers.
package mockserver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ultra-kit/ultra/internal/provider"
	"github.com/ultra-kit/ultra/internal/requestid"
	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/fixture"
	"github.com/ultra-kit/ultra/mockserver/providers"
	"github.com/ultra-kit/ultra/spec"
)

// Mount serves one document under a path prefix.
type Mount struct {
	// Prefix is where the document's paths start, e.g. "/pets"; "" or "/" serves them at the root.
	Prefix string
	// Doc is the document to serve; it must not be nil.
	Doc *spec.Document
}

// Config configures New. The zero value serves nothing but the admin API.
type Config struct {
	// Mounts are the documents to serve. Two mounts whose routes overlap are an error.
	Mounts []Mount
	// Providers mounts the LLM provider mocks of the provider table under their mounts (/openai/v1,
	// /anthropic/v1, /gemini/v1beta and /gemini/v1).
	Providers bool
	// ProviderKeys lists the accepted API keys per provider; nil or empty accepts any non-empty key.
	ProviderKeys map[string][]string
	// ProviderRecord, when not nil, forwards the calls of the providers it names to their real APIs
	// and records each exchange as a cassette (see providers.Record).
	ProviderRecord *providers.Record
	// ProviderReplay, when not nil, answers the provider calls from cassettes (see providers.Replay).
	ProviderReplay *providers.Replay
	// NoValidate turns request validation off: every routed request gets a documented response.
	NoValidate bool
	// NoCORS turns CORS headers and preflight answers off (they are on by default).
	NoCORS bool
	// Faults are the faults active at start-up; the admin API changes them at run time.
	Faults []fault.Fault
	// LLMFixtures are the provider mocks' scripted answers at start-up, in order (see package
	// fixture); /__admin/llm/fixtures changes them at run time.
	LLMFixtures []fixture.Fixture
	// JournalSize bounds the request journal; 0 means 1000.
	JournalSize int
	// Logger gets one line per request. Nil discards logs.
	Logger *slog.Logger
	// Stateful keeps what POST, PUT and PATCH create, per collection path and id, so reads, updates,
	// deletes and lists of the paired operations answer from it (see stateful.go and Unpaired).
	Stateful bool
	// StateLimit bounds the stateful mock's resources (the oldest goes first); 0 means 1000.
	StateLimit int
}

// providerPrefixes are the path prefixes the provider mocks answer under, one per provider of the
// table ("/openai/").
func providerPrefixes() []string {
	var out []string
	for _, p := range provider.All() {
		out = append(out, p.MockMount+"/")
	}
	return out
}

// Server is the mock server, an http.Handler safe for concurrent use. Build it with New; call Close
// when done.
type Server struct {
	cfg       Config
	log       *slog.Logger
	logOn     bool
	faults    *fault.Set
	fixtures  *fixture.Set
	journal   *journal
	providers http.Handler
	provPaths []string // providerPrefixes() when the provider mocks are on
	admin     http.Handler

	mu     sync.Mutex // serialises Reload
	mounts atomic.Pointer[mountTable]

	state *stateStore // nil unless Config.Stateful

	ids     *requestid.Source
	closing chan struct{}
	closed  sync.Once
	recs    sync.Pool
}

// New builds a mock server from cfg. It returns an error when a mount has no document, when two mounts
// serve the same route (naming both operations), or when a start-up fault is invalid.
func New(cfg Config) (*Server, error) {
	s := &Server{
		cfg:      cfg,
		log:      cfg.Logger,
		faults:   &fault.Set{},
		fixtures: &fixture.Set{},
		journal:  newJournal(cfg.JournalSize),
		closing:  make(chan struct{}),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	s.logOn = s.log.Handler().Enabled(context.Background(), slog.LevelInfo)
	if len(cfg.Faults) > 0 {
		if _, err := s.faults.Replace(cfg.Faults); err != nil {
			return nil, fmt.Errorf("faults: %w", err)
		}
	}
	if _, err := s.fixtures.Add(cfg.LLMFixtures...); err != nil {
		return nil, fmt.Errorf("llm fixtures: %w", err)
	}
	t, err := buildTable(cfg.Mounts, cfg.Providers, nil)
	if err != nil {
		return nil, err
	}
	s.mounts.Store(t)
	if cfg.Stateful {
		s.state = newStateStore(cfg.StateLimit)
	}
	if cfg.Providers {
		s.providers = newProviders(cfg, s.faults, s.fixtures, s.log)
		s.provPaths = providerPrefixes()
	}
	s.ids = requestid.NewSource()
	s.admin = s.adminRoutes()
	s.recs.New = func() any { return &recorder{} }
	return s, nil
}

// Reload replaces the document served under prefix (as given in Config.Mounts) with doc, keeping the
// others. It returns an error, and keeps serving the old document, when no mount has that prefix or
// when the new document's routes conflict with another mount's.
func (s *Server) Reload(prefix string, doc *spec.Document) error {
	if doc == nil {
		return fmt.Errorf("reload %s: no document", prefixName(prefix))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old := s.mounts.Load()
	mounts := make([]Mount, len(old.mounts))
	found := false
	for i, m := range old.mounts {
		mounts[i] = Mount{Prefix: m.prefix, Doc: m.doc}
		if m.prefix == normPrefix(prefix) {
			mounts[i].Doc = doc
			found = true
		}
	}
	if !found {
		return fmt.Errorf("reload: no document is mounted at %s", prefixName(prefix))
	}
	t, err := buildTable(mounts, s.cfg.Providers, old)
	if err != nil {
		return fmt.Errorf("reload %s: %w", prefixName(prefix), err)
	}
	s.mounts.Store(t)
	return nil
}

// Close ends open event streams early (they finish with their remaining events at once) and stops
// the provider mocks' delays, so a graceful http.Server.Shutdown completes quickly. It is safe to
// call more than once.
func (s *Server) Close() {
	s.closed.Do(func() {
		close(s.closing)
		if c, ok := s.providers.(interface{ Close() }); ok {
			c.Close()
		}
	})
}

func normPrefix(p string) string {
	p = strings.TrimRight(strings.TrimSpace(p), "/")
	if p != "" && !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	return p
}

func prefixName(p string) string {
	if p = normPrefix(p); p == "" {
		return "/"
	}
	return p
}
