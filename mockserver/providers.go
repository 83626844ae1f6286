package mockserver

import (
	"log/slog"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// newProviders builds the LLM provider mocks, sharing the server's fault set so /__admin/faults
// reaches them too.
func newProviders(keys map[string][]string, faults *fault.Set, logger *slog.Logger) http.Handler {
	return providers.New(providers.Config{Keys: keys, Faults: faults, Logger: logger})
}
