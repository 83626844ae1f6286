package providers

import "net/http"

// routes registers every endpoint. Paths are the full paths under the provider prefixes; anything else
// under a prefix gets a 404 in that provider's error format.
func (s *Server) routes() {
	oa := s.openai()
	s.mux.Handle("POST /openai/v1/chat/completions", oa.handleChat())
	s.mux.Handle("GET /openai/v1/models", oa.handleModels())
	s.mux.Handle("/openai/", oa.handleUnknown())

	an := s.anthropic()
	s.mux.Handle("POST /anthropic/v1/messages", an.handleMessages())
	s.mux.Handle("GET /anthropic/v1/models", an.handleModels())
	s.mux.Handle("/anthropic/", an.handleUnknown())

	ge := s.gemini()
	s.mux.Handle("POST /gemini/v1beta/models/{action}", ge.handleGenerate())
	s.mux.Handle("GET /gemini/v1beta/models", ge.handleModels())
	s.mux.Handle("/gemini/", ge.handleUnknown())

	s.mux.Handle("/", http.NotFoundHandler())
}
