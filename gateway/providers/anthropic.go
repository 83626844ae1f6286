package providers

import (
	"context"
	"net/http"
	"strings"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// anthropicVersion is the API version header value every request carries.
const anthropicVersion = "2023-06-01"

// anthropicDefaultMaxTokens is sent when Request.MaxTokens is 0, because the Messages API requires one.
const anthropicDefaultMaxTokens = 1024

// Anthropic calls the Anthropic Messages API (POST {base}/messages).
// It is safe for concurrent use.
type Anthropic struct{ caller }

// NewAnthropic returns an Anthropic client; see Config for the defaults (base https://api.anthropic.com,
// as Anthropic's SDKs spell it; the client adds /v1).
func NewAnthropic(cfg Config) *Anthropic {
	return &Anthropic{newCaller(table.Anthropic, cfg)}
}

// Endpoint is the URL Complete posts to (https://api.anthropic.com/v1/messages by default).
func (c *Anthropic) Endpoint() string { return c.base + "/messages" }

// Name returns "anthropic".
func (c *Anthropic) Name() string { return "anthropic" }

type anthropicMessage struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

type anthropicRequest struct {
	Model       string             `json:"model"`
	MaxTokens   int                `json:"max_tokens"`
	System      string             `json:"system,omitempty"`
	Messages    []anthropicMessage `json:"messages"`
	Temperature *float64           `json:"temperature,omitempty"`
}

type anthropicResponse struct {
	Content []struct {
		Type string `json:"type"`
		Text string `json:"text"`
	} `json:"content"`
	Usage struct {
		InputTokens  int `json:"input_tokens"`
		OutputTokens int `json:"output_tokens"`
	} `json:"usage"`
}

// Complete sends r as one user message (System as the top-level system prompt; MaxTokens 0 → 1024) and
// returns the text blocks joined. Failures are *Error (ErrNoAPIKey without a key; CodeInvalidResponse for a
// malformed answer or one without content).
func (c *Anthropic) Complete(ctx context.Context, r Request) (*Response, error) {
	body := anthropicRequest{
		Model:       r.Model,
		MaxTokens:   r.MaxTokens,
		System:      r.System,
		Messages:    []anthropicMessage{{Role: "user", Content: r.Prompt}},
		Temperature: r.Temperature,
	}
	if body.MaxTokens <= 0 {
		body.MaxTokens = anthropicDefaultMaxTokens
	}
	status, raw, err := c.do(ctx, call{
		method: http.MethodPost, path: "/messages", body: body,
		header: c.authHeader(), retries: c.maxRetries,
	})
	if err != nil {
		return nil, err
	}
	var out anthropicResponse
	if err := c.decode(status, raw, &out); err != nil {
		return nil, err
	}
	if out.Content == nil {
		return nil, c.invalid(status, "response has no content")
	}
	var text strings.Builder
	for _, b := range out.Content {
		if b.Type == "text" {
			text.WriteString(b.Text)
		}
	}
	return &Response{
		Text:         text.String(),
		InputTokens:  out.Usage.InputTokens,
		OutputTokens: out.Usage.OutputTokens,
		Status:       status,
	}, nil
}

// Check lists the models (GET {base}/models) to prove the key works; it does not retry. Failures are *Error.
func (c *Anthropic) Check(ctx context.Context) error {
	_, _, err := c.do(ctx, call{method: http.MethodGet, path: "/models", header: c.authHeader()})
	return err
}

func (c *Anthropic) authHeader() http.Header {
	return http.Header{"X-Api-Key": {c.key}, "Anthropic-Version": {anthropicVersion}}
}
