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
	Text             *string                 `json:"text,omitempty"`
	FunctionCall     *geminiFunctionCall     `json:"functionCall,omitempty"`
	FunctionResponse *geminiFunctionResponse `json:"functionResponse,omitempty"`
}

func textPart(text string) geminiPart { return geminiPart{Text: &text} }

type geminiContent struct {
	Parts []geminiPart `json:"parts"`
	Role  string       `json:"role,omitempty"`
}

// geminiRequest is the part of a GenerateContentRequest the mock reads. Google accepts both the
// camelCase and snake_case spellings of field names.
type geminiRequest struct {
	Contents          json.RawMessage   `json:"contents"`
	SystemInstruction *geminiContent    `json:"systemInstruction"`
	SystemSnake       *geminiContent    `json:"system_instruction"`
	GenerationConfig  *geminiConfig     `json:"generationConfig"`
	ConfigSnake       *geminiConfig     `json:"generation_config"`
	Tools             []geminiTool      `json:"tools"`
	ToolConfig        *geminiToolConfig `json:"toolConfig"`
	ToolConfigSnake   *geminiToolConfig `json:"tool_config"`
}

type geminiConfig struct {
	MaxOutputTokens      *int            `json:"maxOutputTokens"`
	MaxOutputTokensSnake *int            `json:"max_output_tokens"`
	ResponseMimeType     string          `json:"responseMimeType"`
	ResponseMimeSnake    string          `json:"response_mime_type"`
	ResponseSchema       json.RawMessage `json:"responseSchema"`
	ResponseSchemaSnake  json.RawMessage `json:"response_schema"`
	ResponseJSONSchema   json.RawMessage `json:"responseJsonSchema"`
	ResponseJSONSnake    json.RawMessage `json:"response_json_schema"`
}

// geminiPrompt validates contents and reads the conversation: the last user turn's text, the
// function responses that end it, and all text (for usage). A non-empty problem is a 400's message.
func geminiPrompt(req *geminiRequest) (c conversation, problem string) {
	if len(req.Contents) == 0 || bytes.Equal(req.Contents, []byte("null")) {
		return c, "* GenerateContentRequest.contents: contents is not specified"
	}
	var contents []geminiContent
	if err := json.Unmarshal(req.Contents, &contents); err != nil {
		return c, "Invalid JSON payload received. Invalid value at 'contents': " + err.Error()
	}
	if len(contents) == 0 {
		return c, "* GenerateContentRequest.contents: contents is not specified"
	}
	var b strings.Builder
	for _, sys := range []*geminiContent{req.SystemInstruction, req.SystemSnake} {
		if sys != nil {
			for _, p := range sys.Parts {
				if p.Text != nil {
					b.WriteString(*p.Text)
				}
				b.WriteString("\n")
			}
		}
	}
	for i, turn := range contents {
		if turn.Role != "" && turn.Role != "user" && turn.Role != "model" && turn.Role != "function" {
			return c, fmt.Sprintf("Please use a valid role: user, model. (contents[%d].role is %q)", i, turn.Role)
		}
		if len(turn.Parts) == 0 {
			return c, fmt.Sprintf("* GenerateContentRequest.contents[%d].parts: contents.parts must not be empty.", i)
		}
		texts := make([]string, 0, len(turn.Parts))
		var results []string
		for _, p := range turn.Parts {
			if p.Text != nil {
				texts = append(texts, *p.Text)
			}
			if p.FunctionResponse != nil {
				results = append(results, string(p.FunctionResponse.Response))
			}
		}
		text := strings.Join(texts, "\n")
		c.afterTool, c.toolResult = len(results) > 0 && turn.Role != "model", strings.Join(results, "\n")
		if turn.Role != "model" && (len(texts) > 0 || len(results) == 0) {
			c.prompt = text
		}
		b.WriteString(text)
		b.WriteString("\n")
		b.WriteString(c.toolResult)
	}
	c.all = b.String()
	return c, ""
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

// handleModelAction answers POST /models/{model}:{method}: generateContent,
// streamGenerateContent, countTokens, embedContent and batchEmbedContents.
func (a geminiAPI) handleModelAction() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.begin(w)
		model, method, found := strings.Cut(r.PathValue("action"), ":")
		actions := map[string]func(http.ResponseWriter, *http.Request, string, []byte){
			"generateContent": a.generate, "streamGenerateContent": a.generate, "countTokens": a.countTokens,
			"embedContent": a.embedContent, "batchEmbedContents": a.batchEmbed,
		}
		act, known := actions[method]
		if !found || !known {
			a.writeError(w, apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("Invalid URL (%s %s)", r.Method, r.URL.Path)})
			return
		}
		if !a.authorize(w, a.key(r)) {
			return
		}
		if model == "" {
			a.writeError(w, apiError{Status: http.StatusBadRequest, Message: "* GenerateContentRequest.model: unexpected model name format"})
			return
		}
		body, ok := a.readBody(w, r)
		if !ok {
			return
		}
		act(w, r, model, body)
	})
}

// decodeGenerate validates a GenerateContentRequest and reads it. A non-empty problem is a 400's
// message.
func decodeGenerate(model string, body []byte) (ask, conversation, string) {
	var req geminiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		_, msg := jsonProblem(err)
		return ask{}, conversation{}, "Invalid JSON payload received. " + msg
	}
	conv, problem := geminiPrompt(&req)
	if problem != "" {
		return ask{}, conv, problem
	}
	q := ask{provider: Gemini, model: model, prompt: conv.prompt, toolResult: conv.toolResult, afterTool: conv.afterTool,
		maxTokens: req.maxTokens()}
	if q.tools, problem = geminiTools(req.Tools); problem != "" {
		return ask{}, conv, problem
	}
	tc := req.ToolConfig
	if tc == nil {
		tc = req.ToolConfigSnake
	}
	if q.choice, problem = geminiChoice(tc, q.tools); problem != "" {
		return ask{}, conv, problem
	}
	if q.format, q.schema, problem = req.responseFormat(); problem != "" {
		return ask{}, conv, problem
	}
	return q, conv, ""
}

func (a geminiAPI) generate(w http.ResponseWriter, r *http.Request, model string, body []byte) {
	bad := func(msg string) { a.writeError(w, apiError{Status: http.StatusBadRequest, Message: msg}) }
	q, conv, problem := decodeGenerate(model, body)
	if problem != "" {
		bad(problem)
		return
	}
	rep, err := a.s.answer(q)
	if err != nil {
		bad("* GenerateContentRequest: " + err.Error())
		return
	}
	streaming := strings.HasSuffix(r.PathValue("action"), ":streamGenerateContent")
	d, ok := a.admit(w, r, model, streaming, rep)
	if !ok {
		return
	}
	finish := "STOP"
	if rep.cut {
		finish = "MAX_TOKENS"
	}
	var parts []geminiPart
	for _, c := range rep.calls {
		parts = append(parts, geminiPart{FunctionCall: &geminiFunctionCall{Name: c.name, Args: c.args}})
	}
	if len(rep.calls) == 0 {
		parts = []geminiPart{textPart(rep.text)}
	}
	resp := geminiResponse{
		Candidates:    []geminiCandidate{{Content: geminiContent{Parts: parts, Role: "model"}, FinishReason: finish}},
		UsageMetadata: geminiUsage{PromptTokenCount: Tokens(conv.all + anthropicToolText(q.tools)), CandidatesTokenCount: Tokens(rep.completionText())},
		ModelVersion:  model,
		ResponseID:    a.s.newID(""),
	}
	resp.UsageMetadata.TotalTokenCount = resp.UsageMetadata.PromptTokenCount + resp.UsageMetadata.CandidatesTokenCount
	if streaming {
		a.stream(w, r, d, resp, r.URL.Query().Get("alt") != "sse")
		return
	}
	a.respond(w, d, resp)
}

// stream sends the response as GenerateContentResponse chunks, one per token of a text (function
// calls come whole in one chunk, as the real API sends them), the last one carrying the finish
// reason and the full usage. Gemini has no terminator event: stream_no_terminator drops that last
// chunk.
func (a geminiAPI) stream(w http.ResponseWriter, r *http.Request, d fault.Decision, full geminiResponse, array bool) {
	parts, finish := full.Candidates[0].Content.Parts, full.Candidates[0].FinishReason
	chunk := func(p geminiPart, finish string, usage geminiUsage) geminiResponse {
		return geminiResponse{
			Candidates:    []geminiCandidate{{Content: geminiContent{Parts: []geminiPart{p}, Role: "model"}, FinishReason: finish}},
			UsageMetadata: usage, ModelVersion: full.ModelVersion, ResponseID: full.ResponseID,
		}
	}
	var pieces []geminiPart
	if parts[0].Text != nil {
		for _, tok := range tokens(*parts[0].Text) {
			pieces = append(pieces, textPart(tok))
		}
	} else {
		pieces = parts
	}
	partial := geminiUsage{PromptTokenCount: full.UsageMetadata.PromptTokenCount, TotalTokenCount: full.UsageMetadata.PromptTokenCount}
	st := a.startStream(w, r, d, array)
	more := st.steps(len(pieces), func(i int) bool {
		return st.send("", chunk(pieces[i], "", partial))
	}, func() bool {
		return st.send("", geminiError(http.StatusInternalServerError, a.msgFail))
	})
	if more && st.terminate() {
		st.send("", chunk(textPart(""), finish, full.UsageMetadata))
	}
	if more {
		st.end()
	}
}
