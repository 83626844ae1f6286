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

// New returns the client of the provider called name (a row of internal/provider's table), and false
// when the table names a provider this package has no client for. It is the one place that maps a
// provider name to its client.
func New(name string, cfg Config) (Client, bool) {
	switch name {
	case table.OpenAI:
		return NewOpenAI(cfg), true
	case table.Anthropic:
		return NewAnthropic(cfg), true
	case table.Gemini:
		return NewGemini(cfg), true
	case table.Mistral:
		return NewMistral(cfg), true
	}
	return nil, false
}
