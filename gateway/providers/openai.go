package providers

import (
	"context"
	"net/http"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// OpenAI calls an OpenAI-shaped Chat Completions API (POST {base}/chat/completions, Bearer auth,
// messages in, choices out): OpenAI's own, or an OpenAI-compatible service such as Mistral's (a row of
// internal/provider whose API is APIOpenAICompatible). It is safe for concurrent use.
type OpenAI struct {
	caller
	// compatible sends max_tokens, which compatible services accept, instead of OpenAI's
	// max_completion_tokens.
	compatible bool
}

// NewOpenAI returns an OpenAI client; see Config for the defaults (base https://api.openai.com/v1).
func NewOpenAI(cfg Config) *OpenAI {
	return &OpenAI{caller: newCaller(table.OpenAI, cfg)}
}

// NewOpenAICompatible returns a client for the OpenAI-compatible provider called name (a row of
// internal/provider's table; its base URL default and error format come from the row).
func NewOpenAICompatible(name string, cfg Config) *OpenAI {
	return &OpenAI{caller: newCaller(name, cfg), compatible: true}
}

// NewMistral returns the Mistral client: OpenAI-compatible, base https://api.mistral.ai/v1.
func NewMistral(cfg Config) *OpenAI { return NewOpenAICompatible(table.Mistral, cfg) }

// Endpoint is the URL Complete posts to ({base}/chat/completions).
func (c *OpenAI) Endpoint() string { return c.base + "/chat/completions" }

// Name returns the provider's name (openai, mistral).
func (c *OpenAI) Name() string { return c.provider }

type openAIMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type openAIRequest struct {
	Model       string          `json:"model"`
	Messages    []openAIMessage `json:"messages"`
	Temperature *float64        `json:"temperature,omitempty"`
	// MaxTokens is what compatible services take; OpenAI deprecated it for max_completion_tokens,
	// which its o-series models require.
	MaxTokens           int `json:"max_tokens,omitempty"`
	MaxCompletionTokens int `json:"max_completion_tokens,omitempty"`
}

type openAIResponse struct {
	Choices []struct {
		Message struct {
			Content *string `json:"content"`
			Refusal *string `json:"refusal"`
		} `json:"message"`
	} `json:"choices"`
	Usage struct {
		PromptTokens     int `json:"prompt_tokens"`
		CompletionTokens int `json:"completion_tokens"`
	} `json:"usage"`
}

// Complete sends r as a system + user chat and returns the first choice. Failures are *Error (ErrNoAPIKey
// without a key; CodeInvalidResponse for a malformed answer or one without choices or content;
// "refusal" when OpenAI refused).
func (c *OpenAI) Complete(ctx context.Context, r Request) (*Response, error) {
	body := openAIRequest{Model: r.Model, Temperature: r.Temperature}
	if c.compatible {
		body.MaxTokens = r.MaxTokens
	} else {
		body.MaxCompletionTokens = r.MaxTokens
	}
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
	var out openAIResponse
	if err := c.decode(status, raw, &out); err != nil {
		return nil, err
	}
	if len(out.Choices) == 0 {
		return nil, c.invalid(status, "response has no choices")
	}
	msg := out.Choices[0].Message
	if msg.Content == nil {
		if msg.Refusal != nil {
			return nil, &Error{Provider: c.provider, Status: status, Code: "refusal", Message: *msg.Refusal}
		}
		return nil, c.invalid(status, "first choice has no content")
	}
	return &Response{
		Text:         *msg.Content,
		InputTokens:  out.Usage.PromptTokens,
		OutputTokens: out.Usage.CompletionTokens,
		Status:       status,
	}, nil
}

// Check lists the models (GET {base}/models) to prove the key works; it does not retry. Failures are *Error.
func (c *OpenAI) Check(ctx context.Context) error {
	_, _, err := c.do(ctx, call{method: http.MethodGet, path: "/models", header: c.authHeader()})
	return err
}

func (c *OpenAI) authHeader() http.Header {
	return http.Header{"Authorization": {"Bearer " + c.key}}
}
