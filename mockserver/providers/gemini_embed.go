package providers

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// geminiEmbedDims is the default vector size of a Google embedding model: 3072 for
// gemini-embedding-001, 768 for text-embedding-004, embedding-001 and the others.
func geminiEmbedDims(model string) int {
	if model == "gemini-embedding-001" {
		return 3072
	}
	return 768
}

type geminiEmbedRequest struct {
	Model                string         `json:"model"`
	Content              *geminiContent `json:"content"`
	OutputDimensionality *int           `json:"outputDimensionality"`
	OutputDimsSnake      *int           `json:"output_dimensionality"`
}

type geminiEmbedding struct {
	Values []float32 `json:"values"`
}

// vector embeds one request's content; a non-empty problem is a 400's message.
func (e geminiEmbedRequest) vector(model string) (geminiEmbedding, int, string) {
	if e.Content == nil || len(e.Content.Parts) == 0 {
		return geminiEmbedding{}, 0, "* EmbedContentRequest.content: content is not specified"
	}
	dims := geminiEmbedDims(model)
	for _, d := range []*int{e.OutputDimensionality, e.OutputDimsSnake} {
		if d == nil {
			continue
		}
		if *d < 1 || *d > dims {
			return geminiEmbedding{}, 0, fmt.Sprintf("* EmbedContentRequest.output_dimensionality: must be between 1 and %d, got %d", dims, *d)
		}
		dims = *d
	}
	var texts []string
	for _, p := range e.Content.Parts {
		if p.Text != nil {
			texts = append(texts, *p.Text)
		}
	}
	text := strings.Join(texts, "\n")
	return geminiEmbedding{Values: embed(text, dims)}, Tokens(text), ""
}

func (a geminiAPI) embedContent(w http.ResponseWriter, r *http.Request, model string, body []byte) {
	var req geminiEmbedRequest
	if err := json.Unmarshal(body, &req); err != nil {
		_, msg := jsonProblem(err)
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "Invalid JSON payload received. " + msg})
		return
	}
	v, _, problem := req.vector(model)
	if problem != "" {
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: problem})
		return
	}
	d, ok := a.faults(w, r, model, false)
	if !ok {
		return
	}
	a.respond(w, d, map[string]geminiEmbedding{"embedding": v})
}

func (a geminiAPI) batchEmbed(w http.ResponseWriter, r *http.Request, model string, body []byte) {
	var req struct {
		Requests []geminiEmbedRequest `json:"requests"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		_, msg := jsonProblem(err)
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "Invalid JSON payload received. " + msg})
		return
	}
	if len(req.Requests) == 0 || len(req.Requests) > 100 {
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "* BatchEmbedContentsRequest.requests: between 1 and 100 requests are allowed"})
		return
	}
	out := make([]geminiEmbedding, len(req.Requests))
	for i, e := range req.Requests {
		if e.Model != "" && strings.TrimPrefix(e.Model, "models/") != model {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("* BatchEmbedContentsRequest.requests[%d].model: model %q differs from the batch's models/%s", i, e.Model, model)})
			return
		}
		v, _, problem := e.vector(model)
		if problem != "" {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: fmt.Sprintf("requests[%d]: %s", i, problem)})
			return
		}
		out[i] = v
	}
	d, ok := a.faults(w, r, model, false)
	if !ok {
		return
	}
	a.respond(w, d, map[string][]geminiEmbedding{"embeddings": out})
}

// countTokens answers {"totalTokens"} for contents, or for a wrapped generateContentRequest.
func (a geminiAPI) countTokens(w http.ResponseWriter, r *http.Request, model string, body []byte) {
	var wrapped struct {
		GenerateContentRequest json.RawMessage `json:"generateContentRequest"`
	}
	if json.Unmarshal(body, &wrapped) == nil && !isNull(wrapped.GenerateContentRequest) {
		body = wrapped.GenerateContentRequest
	}
	q, conv, problem := decodeGenerate(model, body)
	if problem != "" {
		a.writeError(w, apiError{Status: http.StatusBadRequest, Message: problem})
		return
	}
	d, ok := a.faults(w, r, model, false)
	if !ok {
		return
	}
	a.respond(w, d, map[string]int{"totalTokens": Tokens(conv.all + anthropicToolText(q.tools))})
}
