package providers

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
)

// maxEmbedInputs is how many inputs one embeddings request may hold, as on the real API.
const maxEmbedInputs = 2048

// embedRequest is an OpenAI-shaped embeddings request.
type embedRequest struct {
	Model          *string         `json:"model"`
	Input          json.RawMessage `json:"input"`
	EncodingFormat string          `json:"encoding_format"`
	Dimensions     *int            `json:"dimensions"`
}

// embedInputs reads input: a string, an array of strings, an array of token ids or an array of
// token-id arrays (token ids are embedded as the words "t<id>").
func embedInputs(raw json.RawMessage) ([]string, *apiError) {
	bad := badParam("input", "invalid_value", "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.")
	if isNull(raw) {
		return nil, badParam("input", "missing_required_parameter", "Missing required parameter: 'input'.")
	}
	var one string
	if json.Unmarshal(raw, &one) == nil {
		if one == "" {
			return nil, bad
		}
		return []string{one}, nil
	}
	var many []string
	if json.Unmarshal(raw, &many) == nil {
		for _, s := range many {
			if s == "" {
				return nil, bad
			}
		}
		return many, nil
	}
	var toks []int
	if json.Unmarshal(raw, &toks) == nil {
		return []string{tokenWords(toks)}, nil
	}
	var tokLists [][]int
	if json.Unmarshal(raw, &tokLists) == nil {
		out := make([]string, len(tokLists))
		for i, t := range tokLists {
			out[i] = tokenWords(t)
		}
		return out, nil
	}
	return nil, bad
}

func tokenWords(toks []int) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = "t" + strconv.Itoa(t)
	}
	return strings.Join(parts, " ")
}

// decodeEmbed validates an embeddings request and returns the model, inputs, vector size and whether
// vectors are sent as base64.
func (a openaiAPI) decodeEmbed(body []byte) (model string, inputs []string, dims int, b64 bool, e *apiError) {
	var req embedRequest
	if err := json.Unmarshal(body, &req); err != nil {
		field, msg := jsonProblem(err)
		return "", nil, 0, false, &apiError{Status: http.StatusBadRequest, Message: msg, Param: field, Code: "invalid_type"}
	}
	if req.Model == nil || *req.Model == "" {
		return "", nil, 0, false, badParam("model", "missing_required_parameter", "you must provide a model parameter")
	}
	model = *req.Model
	if inputs, e = embedInputs(req.Input); e != nil {
		return "", nil, 0, false, e
	}
	if len(inputs) == 0 || len(inputs) > maxEmbedInputs {
		return "", nil, 0, false, badParam("input", "invalid_value", "Invalid 'input': expected between 1 and %d inputs, got %d.", maxEmbedInputs, len(inputs))
	}
	switch req.EncodingFormat {
	case "", "float":
	case "base64":
		b64 = true
	default:
		return "", nil, 0, false, badParam("encoding_format", "invalid_value", "Invalid value: '%s'. Supported values are: 'float' and 'base64'.", req.EncodingFormat)
	}
	dims, known := a.embedDims[model]
	if !known {
		dims = a.embedDefault
	}
	if req.Dimensions != nil {
		if model == "text-embedding-ada-002" {
			return "", nil, 0, false, badParam("dimensions", "invalid_value", "This model does not support specifying dimensions.")
		}
		if *req.Dimensions < 1 || *req.Dimensions > dims {
			return "", nil, 0, false, badParam("dimensions", "invalid_value", "Invalid 'dimensions': expected a value between 1 and %d, got %d.", dims, *req.Dimensions)
		}
		dims = *req.Dimensions
	}
	return model, inputs, dims, b64, nil
}

func (a openaiAPI) handleEmbeddings() http.Handler {
	type item struct {
		Object    string `json:"object"`
		Index     int    `json:"index"`
		Embedding any    `json:"embedding"` // []float32, or a base64 string
	}
	type usage struct {
		PromptTokens int `json:"prompt_tokens"`
		TotalTokens  int `json:"total_tokens"`
	}
	type list struct {
		Object string `json:"object"`
		Data   []item `json:"data"`
		Model  string `json:"model"`
		Usage  usage  `json:"usage"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := a.acceptBody(w, r)
		if !ok {
			return
		}
		model, inputs, dims, b64, e := a.decodeEmbed(body)
		if e != nil {
			a.writeError(w, *e)
			return
		}
		d, ok := a.faults(w, r, model, false)
		if !ok {
			return
		}
		out := list{Object: "list", Model: model, Data: make([]item, len(inputs))}
		for i, in := range inputs {
			var v any = embed(in, dims)
			if b64 {
				v = embeddingBase64(v.([]float32))
			}
			out.Data[i] = item{Object: "embedding", Index: i, Embedding: v}
			out.Usage.PromptTokens += Tokens(in)
		}
		out.Usage.TotalTokens = out.Usage.PromptTokens
		a.respond(w, d, out)
	})
}
