package providers

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"github.com/ultra-kit/ultra/mockserver/fault"
)

// geminiAPI mocks the Gemini generateContent, streamGenerateContent and models APIs under
// /gemini/v1beta and /gemini/v1 (both versions answer alike).
type geminiAPI struct{ *provider }

func (s *Server) gemini() geminiAPI {
	return geminiAPI{&provider{
		s: s, name: Gemini, idHeader: "x-request-id", idPrefix: "",
		writeError: writeGeminiError, overloaded: http.StatusServiceUnavailable,
		msgMissingKey: "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
		msgBadKey:     "API key not valid. Please pass a valid API key.%.0s",
		msgRateLimit:  "Resource has been exhausted (e.g. check quota).",
		msgOverloaded: "The model is overloaded. Please try again later.",
		msgFail:       "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
	}}
}

// geminiModels is what GET /models lists.
var geminiModels = [...]struct{ ID, Name string }{
	{"gemini-1.5-pro", "Gemini 1.5 Pro"}, {"gemini-1.5-flash", "Gemini 1.5 Flash"}, {"gemini-2.0-flash", "Gemini 2.0 Flash"},
}

// key reads the x-goog-api-key header or, failing that, the key query parameter.
func (a geminiAPI) key(r *http.Request) string {
	if k := r.Header.Get("x-goog-api-key"); k != "" {
		return k
	}
	return r.URL.Query().Get("key")
}

func (a geminiAPI) handleModels() http.Handler {
	type model struct {
		Name                       string   `json:"name"`
		Version                    string   `json:"version"`
		DisplayName                string   `json:"displayName"`
		Description                string   `json:"description"`
		InputTokenLimit            int      `json:"inputTokenLimit"`
		OutputTokenLimit           int      `json:"outputTokenLimit"`
		SupportedGenerationMethods []string `json:"supportedGenerationMethods"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		if !a.authorize(w, a.key(r)) {
			return
		}
		d, ok := a.faults(w, r, "", false)
		if !ok {
			return
		}
		list := make([]model, 0, len(geminiModels))
		for _, m := range geminiModels {
			list = append(list, model{Name: "models/" + m.ID, Version: "001", DisplayName: m.Name,
				Description: m.Name + " (mock)", InputTokenLimit: 1048576, OutputTokenLimit: 8192,
				SupportedGenerationMethods: []string{"generateContent", "streamGenerateContent", "countTokens"}})
		}
		a.respond(w, d, map[string]any{"models": list})
	})
}

type geminiPart struct {
	Text string `json:"text"`
}

type geminiContent struct {
	Parts []geminiPart `json:"parts"`
	Role  string       `json:"role,omitempty"`
}

// geminiRequest is the part of a GenerateContentRequest the mock reads. Google accepts both the
// camelCase and snake_case spellings of field names.
type geminiRequest struct {
	Contents          json.RawMessage `json:"contents"`
	SystemInstruction *geminiContent  `json:"systemInstruction"`
	SystemSnake       *geminiContent  `json:"system_instruction"`
	GenerationConfig  *geminiConfig   `json:"generationConfig"`
	ConfigSnake       *geminiConfig   `json:"generation_config"`
}

type geminiConfig struct {
	MaxOutputTokens      *int `json:"maxOutputTokens"`
	MaxOutputTokensSnake *int `json:"max_output_tokens"`
}

// geminiPrompt validates contents and returns the last user turn's text and all text (for usage).
func geminiPrompt(req *geminiRequest) (prompt, all, problem string) {
	if len(req.Contents) == 0 || bytes.Equal(req.Contents, []byte("null")) {
		return "", "", "* GenerateContentRequest.contents: contents is not specified"
	}
	var contents []geminiContent
	if err := json.Unmarshal(req.Contents, &contents); err != nil {
		return "", "", "Invalid JSON payload received. Invalid value at 'contents': " + err.Error()
	}
	if len(contents) == 0 {
		return "", "", "* GenerateContentRequest.contents: contents is not specified"
	}
	var b strings.Builder
	for _, sys := range []*geminiContent{req.SystemInstruction, req.SystemSnake} {
		if sys != nil {
			for _, p := range sys.Parts {
				b.WriteString(p.Text)
				b.WriteString("\n")
			}
		}
	}
	for i, c := range contents {
		if c.Role != "" && c.Role != "user" && c.Role != "model" {
			return "", "", fmt.Sprintf("Please use a valid role: user, model. (contents[%d].role is %q)", i, c.Role)
		}
		if len(c.Parts) == 0 {
			return "", "", fmt.Sprintf("* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty.", i)
		}
		texts := make([]string, 0, len(c.Parts))
		for _, p := range c.Parts {
			texts = append(texts, p.Text)
		}
		text := strings.Join(texts, "\n")
		if c.Role != "model" {
			prompt = text
		}
		b.WriteString(text)
		b.WriteString("\n")
	}
	return prompt, b.String(), ""
}

func (req *geminiRequest) maxTokens() int {
	for _, c := range []*geminiConfig{req.GenerationConfig, req.ConfigSnake} {
		if c == nil {
			continue
		}
		for _, v := range []*int{c.MaxOutputTokens, c.MaxOutputTokensSnake} {
			if v != nil {
				return *v
			}
		}
	}
	return 0
}

type geminiCandidate struct {
	Content      geminiContent `json:"content"`
	FinishReason string        `json:"finishReason,omitempty"`
	Index        int           `json:"index"`
}

type geminiUsage struct {
	PromptTokenCount     int `json:"promptTokenCount"`
	CandidatesTokenCount int `json:"candidatesTokenCount,omitempty"`
	TotalTokenCount      int `json:"totalTokenCount"`
}

type geminiResponse struct {
	Candidates    []geminiCandidate `json:"candidates"`
	UsageMetadata geminiUsage       `json:"usageMetadata"`
	ModelVersion  string            `json:"modelVersion"`
	ResponseID    string            `json:"responseId"`
}

func (a geminiAPI) handleGenerate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		model, method, found := strings.Cut(r.PathValue("action"), ":")
		if !found || (method != "generateContent" && method != "streamGenerateContent") {
			a.writeError(w, apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)})
			return
		}
		if !a.authorize(w, a.key(r)) {
			return
		}
		bad := func(msg string) { a.writeError(w, apiError{Status: http.StatusBadRequest, Message: msg}) }
		if model == "" {
			bad("* GenerateContentRequest.model: unexpected model name format")
			return
		}
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		var req geminiRequest
		if err := json.Unmarshal(body, &req); err != nil {
			_, msg := jsonProblem(err)
			bad("Invalid JSON payload received. " + msg)
			return
		}
		prompt, all, problem := geminiPrompt(&req)
		if problem != "" {
			bad(problem)
			return
		}
		streaming := method == "streamGenerateContent"
		d, ok := a.faults(w, r, model, streaming)
		if !ok {
			return
		}
		text, cut := limit(Answer(model, prompt), req.maxTokens())
		finish := "STOP"
		if cut {
			finish = "MAX_TOKENS"
		}
		resp := geminiResponse{
			Candidates: []geminiCandidate{{Content: geminiContent{Parts: []geminiPart{{Text: text}}, Role: "model"},
				FinishReason: finish}},
			UsageMetadata: geminiUsage{PromptTokenCount: Tokens(all), CandidatesTokenCount: Tokens(text)},
			ModelVersion:  model,
			ResponseID:    a.s.newID(""),
		}
		resp.UsageMetadata.TotalTokenCount = resp.UsageMetadata.PromptTokenCount + resp.UsageMetadata.CandidatesTokenCount
		if streaming {
			a.stream(w, r, d, resp, r.URL.Query().Get("alt") != "sse")
			return
		}
		a.respond(w, d, resp)
	})
}

// stream sends the response as GenerateContentResponse chunks, one per token, the last one carrying
// the finish reason and the full usage. Gemini has no terminator event: stream_no_terminator drops
// that last chunk.
func (a geminiAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, full geminiResponse, array bool) {
	text, finish := full.Candidates[0].Content.Parts[0].Text, full.Candidates[0].FinishReason
	chunk := func(tok, finish string, usage geminiUsage) geminiResponse {
		return geminiResponse{
			Candidates:    []geminiCandidate{{Content: geminiContent{Parts: []geminiPart{{Text: tok}}, Role: "model"}, FinishReason: finish}},
			UsageMetadata: usage, ModelVersion: full.ModelVersion, ResponseID: full.ResponseID,
		}
	}
	partial := geminiUsage{PromptTokenCount: full.UsageMetadata.PromptTokenCount, TotalTokenCount: full.UsageMetadata.PromptTokenCount}
	st := a.startStream(w, r, d, array)
	more := st.deltas(tokens(text), func(tok string) bool {
		return st.send("", chunk(tok, "", partial))
	}, func() bool {
		return st.send("", geminiError(http.StatusInternalServerError, a.msgFail))
	})
	if more && st.terminate() {
		st.send("", chunk("", finish, full.UsageMetadata))
	}
	if more {
		st.end()
	}
}
