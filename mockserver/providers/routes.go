package providers

import (
	"net/http"

	table "github.com/ultra-kit/ultra/internal/provider"
)

// route is one endpoint of a provider mock, its path relative to the API root (/openai/v1).
type route struct {
	method, path string
	handler      http.Handler
}

// api is one provider's mock: its endpoints and the answer to anything else under its mount.
type api interface {
	endpoints() []route
	handleUnknown() http.Handler
}

// newAPI is the one place that maps a provider of the table to its mock.
func (s *Server) newAPI(p table.Provider) api {
	switch p.Name {
	case table.OpenAI:
		return s.openai()
	case table.Anthropic:
		return s.anthropic()
	case table.Gemini:
		return s.gemini()
	case table.Mistral:
		return s.mistral()
	}
	return nil
}

// routes registers every endpoint of every provider of the table under each of its API versions
// (/gemini/v1beta and /gemini/v1); anything else under a provider's mount gets a 404 in that
// provider's error format.
func (s *Server) routes() {
	for _, p := range table.All() {
		a := s.newAPI(p)
		if a == nil {
			continue // a table row without a mock: its mount answers a plain 404
		}
		for _, root := range p.MockRoots() {
			for _, r := range a.endpoints() {
				s.mux.Handle(r.method+" "+root+r.path, r.handler)
			}
		}
		s.mux.Handle(p.MockMount+"/", a.handleUnknown())
	}
	s.mux.Handle("/", http.NotFoundHandler())
}

func (a openaiAPI) endpoints() []route {
	rs := []route{{"POST", "/chat/completions", a.handleChat()}, {"POST", "/embeddings", a.handleEmbeddings()},
		{"GET", "/models", a.handleModels()}}
	if a.responses != nil {
		rs = append(rs, route{"POST", "/responses", a.handleResponses()}, route{"GET", "/responses/{id}", a.handleGetResponse()})
	}
	return rs
}

func (a anthropicAPI) endpoints() []route {
	return []route{{"POST", "/messages", a.handleMessages()}, {"POST", "/messages/count_tokens", a.handleCountTokens()},
		{"GET", "/models", a.handleModels()}}
}

func (a geminiAPI) endpoints() []route {
	return []route{{"POST", "/models/{action}", a.handleModelAction()}, {"GET", "/models", a.handleModels()}}
}
