package mockserver

import (
	"log/slog"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// newProviders builds the LLM provider mocks of cfg, sharing the server's fault set so
// /__admin/faults reaches them too.
func newProviders(cfg Config, faults *fault.Set, logger *slog.Logger) http.Handler {
	return providers.New(providers.Config{Keys: cfg.ProviderKeys, Faults: faults, Logger: logger,
		Record: cfg.ProviderRecord, Replay: cfg.ProviderReplay})
}
