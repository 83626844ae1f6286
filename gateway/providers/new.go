package providers

import (
	"context"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// Client is what every provider client offers.
type Client interface {
	// Name is the provider's name in internal/provider's table.
	Name() string
	// Complete sends one prompt; failures are *Error.
	Complete(ctx context.Context, r Request) (*Response, error)
	// Check is a cheap authenticated call (the model list); it does not retry.
	Check(ctx context.Context) error
	// Endpoint is the URL Complete calls, for start-up logs.
	Endpoint() string
}

// New returns the client of the provider called name (a row of internal/provider's table), built
// from the row's API column, and false when the name is not in the table or its API has no client
// here. It is the one place that maps a provider to its client: an OpenAI-compatible provider needs
// no client of its own.
func New(name string, cfg Config) (Client, bool) {
	p, ok := table.Lookup(name)
	if !ok {
		return nil, false
	}
	switch p.API {
	case table.APIOpenAI:
		return NewOpenAI(cfg), true
	case table.APIOpenAICompatible:
		return NewOpenAICompatible(name, cfg), true
	case table.APIAnthropic:
		return NewAnthropic(cfg), true
	case table.APIGemini:
		return NewGemini(cfg), true
	}
	return nil, false
}
