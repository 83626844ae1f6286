package providers

import (
	"net/http"

	"github.com/ultra-kit/ultra/internal/problem"
	table "github.com/ultra-kit/ultra/internal/provider"
)

// mistralAPI mocks the Mistral chat completions and models APIs under /mistral/v1. Mistral's chat API
// is OpenAI-shaped, so the chat handler is the OpenAI mock's, answering in Mistral's error format.
type mistralAPI struct{ *provider }

func (s *Server) mistral() mistralAPI {
	return mistralAPI{&provider{
		s: s, name: table.Mistral, idHeader: "mistral-correlation-id", idPrefix: "",
		writeError: writeMistralError, overloaded: http.StatusServiceUnavailable,
		msgMissingKey: "Unauthorized",
		msgBadKey:     "Unauthorized: invalid API key %s",
		msgRateLimit:  "Requests rate limit exceeded",
		msgOverloaded: "Service unavailable: the model is overloaded, please retry later",
		msgFail:       "Internal server error",
	}}
}

// mistralModels is what GET /models lists.
var mistralModels = [...]struct {
	ID      string
	Created int64
}{
	{"mistral-large-latest", 1731628800}, {"mistral-small-latest", 1726704000}, {"open-mistral-nemo", 1721001600},
}

func (a mistralAPI) endpoints() []route {
	return []route{{"POST", "/chat/completions", openaiAPI(a).handleChat()}, {"GET", "/models", a.handleModels()}}
}

func (a mistralAPI) handleModels() http.Handler {
	type model struct {
		ID      string `json:"id"`
		Object  string `json:"object"`
		Created int64  `json:"created"`
		OwnedBy string `json:"owned_by"`
	}
	type list struct {
		Object string  `json:"object"`
		Data   []model `json:"data"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorize(w, bearer(r)) {
			return
		}
		d, ok := a.faults(w, r, "", false)
		if !ok {
			return
		}
		out := list{Object: "list", Data: make([]model, 0, len(mistralModels))}
		for _, m := range mistralModels {
			out.Data = append(out.Data, model{ID: m.ID, Object: "model", Created: m.Created, OwnedBy: "mistralai"})
		}
		a.respond(w, d, out)
	})
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
