package providers

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// Gemini calls the Google Gemini API (POST {base}/models/{model}:generateContent).
// It is safe for concurrent use.
type Gemini struct{ caller }

// NewGemini returns a Gemini client; see Config for the defaults (base
// https://generativelanguage.googleapis.com, as Google's genai SDK spells it; the client adds /v1beta,
// and keeps a /v1 or /v1beta the base already ends with). The key goes in the x-goog-api-key header,
// never the URL.
func NewGemini(cfg Config) *Gemini {
	return &Gemini{newCaller(table.Gemini, cfg)}
}

// Endpoint is the URL Complete posts to, with the model left as a placeholder.
func (c *Gemini) Endpoint() string { return c.base + "/models/{model}:generateContent" }

// Name returns "gemini".
func (c *Gemini) Name() string { return "gemini" }

type geminiPart struct {
	Text    string `json:"text"`
	Thought bool   `json:"thought,omitempty"`
}

type geminiContent struct {
	Role  string       `json:"role,omitempty"`
	Parts []geminiPart `json:"parts"`
}

type geminiGenerationConfig struct {
	Temperature     *float64 `json:"temperature,omitempty"`
	MaxOutputTokens int      `json:"maxOutputTokens,omitempty"`
}

type geminiRequest struct {
	Contents          []geminiContent         `json:"contents"`
	SystemInstruction *geminiContent          `json:"systemInstruction,omitempty"`
	GenerationConfig  *geminiGenerationConfig `json:"generationConfig,omitempty"`
}

type geminiResponse struct {
	Candidates []struct {
		Content      geminiContent `json:"content"`
		FinishReason string        `json:"finishReason"`
	} `json:"candidates"`
	PromptFeedback struct {
		BlockReason string `json:"blockReason"`
	} `json:"promptFeedback"`
	UsageMetadata struct {
		PromptTokenCount     int `json:"promptTokenCount"`
		CandidatesTokenCount int `json:"candidatesTokenCount"`
	} `json:"usageMetadata"`
}

// Complete sends r as one user turn (System as systemInstruction; Temperature and MaxTokens in
// generationConfig) and returns the first candidate's text parts joined (thought parts skipped). Failures
// are *Error (ErrNoAPIKey without a key; CodeBlocked when the prompt was blocked; CodeInvalidResponse for a
// malformed answer or one without candidates).
func (c *Gemini) Complete(ctx context.Context, r Request) (*Response, error) {
	body := geminiRequest{Contents: []geminiContent{{Role: "user", Parts: []geminiPart{{Text: r.Prompt}}}}}
	if r.System != "" {
		body.SystemInstruction = &geminiContent{Parts: []geminiPart{{Text: r.System}}}
	}
	if r.Temperature != nil || r.MaxTokens > 0 {
		body.GenerationConfig = &geminiGenerationConfig{Temperature: r.Temperature, MaxOutputTokens: r.MaxTokens}
	}
	model := strings.TrimPrefix(r.Model, "models/")
	status, raw, err := c.do(ctx, call{
		method: http.MethodPost, path: "/models/" + url.PathEscape(model) + ":generateContent", body: body,
		header: c.authHeader(), retries: c.maxRetries,
	})
	if err != nil {
		return nil, err
	}
	var out geminiResponse
	if err := c.decode(status, raw, &out); err != nil {
		return nil, err
	}
	if len(out.Candidates) == 0 {
		if reason := out.PromptFeedback.BlockReason; reason != "" {
			return nil, &Error{Provider: c.provider, Status: status, Code: CodeBlocked, Message: "prompt blocked: " + reason}
		}
		return nil, c.invalid(status, "response has no candidates")
	}
	var text strings.Builder
	for _, p := range out.Candidates[0].Content.Parts {
		if !p.Thought {
			text.WriteString(p.Text)
		}
	}
	return &Response{
		Text:         text.String(),
		InputTokens:  out.UsageMetadata.PromptTokenCount,
		OutputTokens: out.UsageMetadata.CandidatesTokenCount,
		Status:       status,
	}, nil
}

// Check lists the models (GET {base}/models) to prove the key works; it does not retry. Failures are *Error.
func (c *Gemini) Check(ctx context.Context) error {
	_, _, err := c.do(ctx, call{method: http.MethodGet, path: "/models", header: c.authHeader()})
	return err
}

func (c *Gemini) authHeader() http.Header {
	return http.Header{"X-Goog-Api-Key": {c.key}}
}
