package mockserver

import (
	"log/slog"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/fixture"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// newProviders builds the LLM provider mocks of cfg, sharing the server's fault and fixture sets so
// /__admin/faults and /__admin/llm/fixtures reach them too.
func newProviders(cfg Config, faults *fault.Set, fixtures *fixture.Set, logger *slog.Logger) http.Handler {
	return providers.New(providers.Config{Keys: cfg.ProviderKeys, Faults: faults, Fixtures: fixtures, Logger: logger,
		Record: cfg.ProviderRecord, Replay: cfg.ProviderReplay})
}
