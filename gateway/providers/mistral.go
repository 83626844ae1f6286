package providers

import (
	"context"
	"net/http"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// Mistral calls the Mistral chat completions API (POST {base}/chat/completions), which is
// OpenAI-shaped: messages in, choices out, Bearer auth. It is safe for concurrent use.
type Mistral struct{ caller }

// NewMistral returns a Mistral client; see Config for the defaults (base https://api.mistral.ai/v1).
func NewMistral(cfg Config) *Mistral {
	return &Mistral{newCaller(table.Mistral, cfg)}
}

// Name returns "mistral".
func (c *Mistral) Name() string { return table.Mistral }

// Endpoint is the URL Complete posts to ({base}/chat/completions).
func (c *Mistral) Endpoint() string { return c.base + "/chat/completions" }

type mistralRequest struct {
	Model       string          `json:"model"`
	Messages    []openAIMessage `json:"messages"`
	Temperature *float64        `json:"temperature,omitempty"`
	MaxTokens   int             `json:"max_tokens,omitempty"`
}

type mistralResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// Complete sends r as a system + user chat (MaxTokens as max_tokens) and returns the first choice.
// Failures are *Error (ErrNoAPIKey without a key; CodeInvalidResponse for a malformed answer or one
// without choices or content).
func (c *Mistral) Complete(ctx context.Context, r Request) (*Response, error) {
	body := mistralRequest{Model: r.Model, Temperature: r.Temperature, MaxTokens: r.MaxTokens}
	if r.System != "" {
		body.Messages = append(body.Messages, openAIMessage{Role: "system", Content: r.System})
	}
	body.Messages = append(body.Messages, openAIMessage{Role: "user", Content: r.Prompt})
	status, raw, err := c.do(ctx, call{
		method: http.MethodPost, path: "/chat/completions", body: body,
		header: c.authHeader(), retries: c.maxRetries,
	})
	if err != nil {
		return nil, err
	}
	var out mistralResponse
	if err := c.decode(status, raw, &out); err != nil {
		return nil, err
	}
	if len(out.Choices) == 0 {
		return nil, c.invalid(status, "response has no choices")
	}
	if out.Choices[0].Message.Content == nil {
		return nil, c.invalid(status, "first choice has no content")
	}
	return &Response{
		Text:         *out.Choices[0].Message.Content,
		InputTokens:  out.Usage.PromptTokens,
		OutputTokens: out.Usage.CompletionTokens,
		Status:       status,
	}, nil
}

// Check lists the models (GET {base}/models) to prove the key works; it does not retry. Failures are *Error.
func (c *Mistral) Check(ctx context.Context) error {
	_, _, err := c.do(ctx, call{method: http.MethodGet, path: "/models", header: c.authHeader()})
	return err
}

func (c *Mistral) authHeader() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.key}}
}
