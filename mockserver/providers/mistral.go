package providers

import (
	"net/http"

	"github.com/ultra-kit/ultra/internal/problem"
	table "github.com/ultra-kit/ultra/internal/provider"
)

// mistral mocks Mistral's API under /mistral/v1. It is OpenAI-shaped, so it is the OpenAI-compatible
// mock (chat with tools and structured output, embeddings, models) with Mistral's models, request-id
// header and error format.
func (s *Server) mistral() openaiAPI {
	return openaiAPI{ownedBy: "mistralai", embedDims: map[string]int{"mistral-embed": 1024}, embedDefault: 1024,
		models: []openaiModel{
			{"mistral-large-latest", 1731628800}, {"mistral-small-latest", 1726704000}, {"open-mistral-nemo", 1721001600},
			{"mistral-embed", 1704067200},
		},
		provider: &provider{
			s: s, name: table.Mistral, idHeader: "mistral-correlation-id", idPrefix: "",
			writeError: writeMistralError, overloaded: http.StatusServiceUnavailable,
			msgMissingKey: "Unauthorized",
			msgBadKey:     "Unauthorized: invalid API key %s",
			msgRateLimit:  "Requests rate limit exceeded",
			msgOverloaded: "Service unavailable: the model is overloaded, please retry later",
			msgFail:       "Internal server error",
		}}
}

// writeMistralError writes {"object":"error","message","type","param","code"}, Mistral's error body.
func writeMistralError(w http.ResponseWriter, e apiError) {
	type body struct {
		Object  string  `json:"object"`
		Message string  `json:"message"`
		Type    string  `json:"type"`
		Param   *string `json:"param"`
		Code    *string `json:"code"`
	}
	typ := "invalid_request_error"
	switch {
	case e.Status == http.StatusUnauthorized:
		typ = "authentication_error"
	case e.Status == http.StatusTooManyRequests:
		typ = "rate_limit_error"
	case e.Status >= 500:
		typ = "api_error"
	}
	setRetryAfter(w.Header(), e.RetryAfter)
	problem.WriteJSON(w, e.Status, body{Object: "error", Message: e.Message, Type: typ, Param: nullable(e.Param), Code: nullable(e.Code)})
}
