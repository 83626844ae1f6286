package providers_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3/packages/ssestream"

	"github.com/ultra-kit/ultra/spec"
)

// fuzzSeeds covers every request shape the provider mocks read: chat with tools, tool_choice,
// response_format and n, embeddings, Responses, Anthropic tools and count_tokens, Gemini function
// calling, JSON answers, embedContent, batchEmbedContents and countTokens, and broken bodies.
func fuzzSeeds() []string {
	return []string{
		`{"model":"gpt-4o","messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":[{"type":"text","text":"hi"}]}],"stream":true,"stream_options":{"include_usage":true}}`,
		`{"model":"claude-3-opus-20240229","max_tokens":5,"system":"be brief","messages":[{"role":"user","content":"hi"}],"stream":true}`,
		`{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":3}}`,
		`{"model":null,"messages":null}`,
		`{"model":"x","messages":[{"role":"user","content":{"a":1}}],"max_tokens":-1}`,
		`{"model":"x","max_tokens":0,"messages":[{"role":"assistant","content":null}]}`,
		`{"model":"gpt-4o","n":2,"messages":[{"role":"user","content":"weather"}],"tool_choice":"required","parallel_tool_calls":false,"tools":[{"type":"function","function":{"name":"get_weather","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string","enum":["a","b"]}},"required":["city"],"additionalProperties":false}}}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tool_choice":{"type":"function","function":{"name":"f"}},"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"n":{"$ref":"#/$defs/N"}},"$defs":{"N":{"type":"integer","minimum":3,"maximum":2}}}}}]}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","strict":true,"schema":{"type":"object","properties":{"a":{"type":"array","items":{"type":"string"}}},"required":["a"],"additionalProperties":false}}}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":{"type":"nonsense","properties":7}}}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"},{"role":"assistant","content":null,"tool_calls":[]},{"role":"tool","tool_call_id":"c","content":"21"}],"stream":true}`,
		`{"model":"text-embedding-3-small","input":["a cat",""],"dimensions":3,"encoding_format":"base64"}`,
		`{"model":"text-embedding-ada-002","input":[[1,2,3],[4]]}`,
		`{"model":"claude-3-opus-20240229","max_tokens":50,"tool_choice":{"type":"any","disable_parallel_tool_use":true},"tools":[{"name":"get_weather","input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}],"messages":[{"role":"user","content":"weather"}],"stream":true}`,
		`{"model":"claude-3-opus-20240229","max_tokens":50,"messages":[{"role":"user","content":"w"},{"role":"assistant","content":[{"type":"tool_use","id":"t","name":"f","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t","content":[{"type":"text","text":"21"}]}]}]}`,
		`{"contents":[{"role":"user","parts":[{"text":"weather"}]}],"tools":[{"functionDeclarations":[{"name":"get_weather","parameters":{"type":"OBJECT","properties":{"city":{"type":"STRING","nullable":true,"minLength":"2"}},"required":["city"]}}]}],"toolConfig":{"functionCallingConfig":{"mode":"ANY","allowedFunctionNames":["get_weather"]}}}`,
		`{"contents":[{"role":"user","parts":[{"text":"x"}]},{"role":"model","parts":[{"functionCall":{"name":"f","args":{}}}]},{"role":"user","parts":[{"functionResponse":{"name":"f","response":{"t":1}}}]}],"generationConfig":{"responseMimeType":"application/json","responseJsonSchema":{"type":"object","properties":{"a":{"type":"integer"}},"required":["a"]}}}`,
		`{"requests":[{"model":"models/text-embedding-004","content":{"parts":[{"text":"a cat"}]},"outputDimensionality":8}],"content":{"parts":[{"text":"x"}]}}`,
		`{"model":"gpt-4o","instructions":"x","input":[{"role":"user","content":[{"type":"input_text","text":"weather"}]},{"type":"function_call_output","call_id":"c","output":"21"}],"tools":[{"type":"function","name":"f","parameters":{"type":"object"}}],"stream":true}`,
		`{"model":"gpt-4o","input":"x","max_output_tokens":16,"text":{"format":{"type":"json_schema","name":"o","schema":{"type":"object","properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false},"strict":true}}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"weather"}],"stream":true,"tool_choice":"auto","tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"days":{"type":"array","minItems":1,"items":{"type":"integer","minimum":1}}},"required":["days"]}}},{"type":"function","function":{"name":"noop"}}]}`,
		`{"model":"gpt-4o","n":3,"max_completion_tokens":2,"messages":[{"role":"user","content":"x"}],"response_format":{"type":"json_object"}}`,
		`{"model":"gpt-4o","messages":[{"role":"user","content":"x"}],"tool_choice":"none","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"anyOf":[{"type":"string"},{"type":"null"}]}},"required":["a"],"additionalProperties":false}}}]}`,
		`{"model":"mistral-large-latest","messages":[{"role":"user","content":"x"}],"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object","properties":{"a":{"type":"boolean"}}}}}]}`,
		`{"model":"text-embedding-3-large","input":"a cat sat","encoding_format":"float"}`,
		`{"model":"mistral-embed","input":["a","b"]}`,
		`{"model":"gpt-4o","input":[{"type":"message","role":"developer","content":"be brief"},{"role":"user","content":"weather"}],"tool_choice":{"type":"function","name":"f"},"parallel_tool_calls":true,"tools":[{"type":"function","name":"f","strict":true,"parameters":{"type":"object","properties":{"city":{"type":"string","enum":["a"]}},"required":["city"],"additionalProperties":false}},{"type":"web_search"}],"store":false}`,
		`{"model":"gpt-4o","input":"x","text":{"format":{"type":"json_object"}},"stream":true}`,
		`{"model":"claude-3-opus-20240229","system":[{"type":"text","text":"be brief"}],"tools":[{"name":"f","input_schema":{"type":"object","properties":{"n":{"type":"integer","maximum":3}}}}],"messages":[{"role":"user","content":"count"}]}`,
		`{"model":"claude-3-opus-20240229","max_tokens":2,"tool_choice":{"type":"tool","name":"f"},"tools":[{"name":"f","input_schema":{"type":"object","properties":{"items":{"type":"array","items":{"type":"object","properties":{"q":{"type":"number"}},"required":["q"]}}},"required":["items"]}}],"messages":[{"role":"user","content":"x"}]}`,
		`{"model":"claude-3-opus-20240229","max_tokens":50,"tool_choice":{"type":"none"},"tools":[{"name":"f","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"x"}],"stream":true}`,
		`{"contents":[{"role":"user","parts":[{"text":"x"}]}],"tools":[{"functionDeclarations":[{"name":"f","parametersJsonSchema":{"type":"object","properties":{"a":{"type":"string","format":"date"}},"required":["a"]}},{"name":"g"}]}],"toolConfig":{"functionCallingConfig":{"mode":"AUTO"}}}`,
		`{"contents":[{"role":"user","parts":[{"text":"x"}]}],"toolConfig":{"functionCallingConfig":{"mode":"NONE"}},"generationConfig":{"responseMimeType":"application/json","responseSchema":{"type":"ARRAY","items":{"type":"OBJECT","properties":{"n":{"type":"INTEGER","format":"int32"}},"propertyOrdering":["n"]}}}}`,
		`{"contents":[{"parts":[{"text":"count me"}]}],"systemInstruction":{"parts":[{"text":"s"}]},"generateContentRequest":{"model":"models/gemini-1.5-pro","contents":[{"parts":[{"text":"y"}]}]}}`,
		`{"model":"models/text-embedding-004","content":{"parts":[{"text":"a cat"},{"text":"a dog"}]},"taskType":"RETRIEVAL_QUERY","outputDimensionality":16}`,
		`{"requests":[{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"x"}]},"outputDimensionality":3072},{"model":"models/gemini-embedding-001","content":{"parts":[{"text":"y"}]},"taskType":"SEMANTIC_SIMILARITY"}]}`,
		`[]`, `null`, `"str"`, `{`, ``, "\x00\xff",
	}
}

// checkAnswer is FuzzRequestBodies' property for one endpoint's answer rec to body.
func checkAnswer(ep fuzzEndpoint, body []byte, rec *httptest.ResponseRecorder) error {
	got := rec.Body.Bytes()
	switch {
	case rec.Code == http.StatusOK && strings.HasPrefix(rec.Header().Get("Content-Type"), "text/event-stream"):
		return checkEventData(got)
	case rec.Code == http.StatusOK:
		if !json.Valid(got) {
			return fmt.Errorf("200 body is not JSON")
		}
		if ep.chat {
			return checkChatSchemas(body, got)
		}
		return nil
	case rec.Code >= 400 && rec.Code < 500:
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			return fmt.Errorf("%d with Content-Type %q", rec.Code, ct)
		}
		var b map[string]any
		if err := json.Unmarshal(got, &b); err != nil || !ep.errShape(b, rec.Code) {
			return fmt.Errorf("%d body is not the provider's error format", rec.Code)
		}
		return nil
	}
	return fmt.Errorf("expected 200 or 4xx, got %d", rec.Code)
}

// checkEventData decodes an SSE body as openai-go does and checks every event's data is JSON (or
// OpenAI's [DONE]) and that there is at least one event.
func checkEventData(body []byte) error {
	res := &http.Response{Header: http.Header{"Content-Type": {"text/event-stream"}}, Body: io.NopCloser(bytes.NewReader(body))}
	dec := ssestream.NewDecoder(res)
	n := 0
	for ; dec.Next(); n++ {
		data := bytes.TrimSpace(dec.Event().Data)
		if string(data) != "[DONE]" && !json.Valid(data) {
			return fmt.Errorf("event %d (%s) data is not JSON: %q", n, dec.Event().Type, data)
		}
	}
	if err := dec.Err(); err != nil || n == 0 {
		return fmt.Errorf("expected a stream of events, got %d (%v)", n, err)
	}
	return nil
}

// checkChatSchemas checks a 200 chat completion against the request: every tool call names an
// offered tool and its arguments validate against that tool's parameters; content answering a
// json_schema response_format validates against the schema, json_object content is JSON.
func checkChatSchemas(reqBody, respBody []byte) error {
	var req struct {
		Tools []struct {
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		ResponseFormat *struct {
			Type       string `json:"type"`
			JSONSchema struct {
				Schema json.RawMessage `json:"schema"`
			} `json:"json_schema"`
		} `json:"response_format"`
	}
	var resp struct {
		Choices []struct {
			FinishReason string `json:"finish_reason"`
			Message      struct {
				Content   *string `json:"content"`
				ToolCalls []struct {
					Function struct{ Name, Arguments string } `json:"function"`
				} `json:"tool_calls"`
			} `json:"message"`
		} `json:"choices"`
	}
	if json.Unmarshal(reqBody, &req) != nil || json.Unmarshal(respBody, &resp) != nil {
		return nil // the mock read a body this subset cannot: nothing to compare
	}
	params := map[string][]json.RawMessage{} // a name offered twice may be either
	for _, t := range req.Tools {
		params[t.Function.Name] = append(params[t.Function.Name], t.Function.Parameters)
	}
	for i, c := range resp.Choices {
		for _, tc := range c.Message.ToolCalls {
			schemas, offered := params[tc.Function.Name]
			if !offered {
				return fmt.Errorf("choice %d calls %q, which the request does not offer", i, tc.Function.Name)
			}
			var err error
			for _, schema := range schemas {
				if err = validAgainst(schema, tc.Function.Arguments); err == nil {
					break
				}
			}
			if err != nil {
				return fmt.Errorf("choice %d: arguments of %s: %w", i, tc.Function.Name, err)
			}
		}
		if req.ResponseFormat == nil || c.Message.Content == nil || len(c.Message.ToolCalls) > 0 || c.FinishReason != "stop" {
			continue
		}
		switch req.ResponseFormat.Type {
		case "json_object":
			if !json.Valid([]byte(*c.Message.Content)) {
				return fmt.Errorf("choice %d: json_object content is not JSON", i)
			}
		case "json_schema":
			if err := validAgainst(req.ResponseFormat.JSONSchema.Schema, *c.Message.Content); err != nil {
				return fmt.Errorf("choice %d: structured content: %w", i, err)
			}
		}
	}
	return nil
}

// validAgainst validates value against schema (absent, null or {} allows any JSON object). A schema
// that does not compile is an error too: the mock answers those 400.
func validAgainst(schema json.RawMessage, value string) (err error) {
	if t := bytes.TrimSpace(schema); len(t) == 0 || string(t) == "null" || string(t) == "{}" {
		var obj map[string]any
		if json.Unmarshal([]byte(value), &obj) != nil {
			return fmt.Errorf("%q is not a JSON object", value)
		}
		return nil
	}
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("compiling %s panicked: %v", schema, r)
		}
	}()
	s, cerr := spec.CompileSchema(schema)
	if cerr != nil {
		return fmt.Errorf("answered for a schema that does not compile: %w", cerr)
	}
	if verr := s.Validate([]byte(value)); verr != nil {
		return fmt.Errorf("%s does not validate against %s: %w", value, schema, verr)
	}
	return nil
}

// TestFuzzPropertyRejects feeds checkAnswer answers the mocks must never give, and two they may.
func TestFuzzPropertyRejects(t *testing.T) {
	chat := fuzzEndpoints()[0]
	gemini := fuzzEndpoints()[7]
	weather := `{"model":"gpt-4o","messages":[],"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]}`
	structured := `{"model":"gpt-4o","messages":[],"response_format":{"type":"json_schema","json_schema":{"name":"o","schema":{"type":"object","required":["a"]}}}}`
	answer := func(content, calls string) string {
		return `{"choices":[{"finish_reason":"stop","message":{"content":` + content + `,"tool_calls":` + calls + `}}]}`
	}
	cases := []struct {
		name        string
		ep          fuzzEndpoint
		req         string
		status      int
		ctype, body string
	}{
		{"ServerError", chat, `{}`, 500, "application/json", `{"error":{"message":"x","type":"server_error","param":null,"code":null}}`},
		{"NotJSON", chat, `{}`, 200, "application/json", `{"id":`},
		{"WrongErrorShape", chat, `{}`, 400, "application/json", `{"message":"bad"}`},
		{"ErrorAsText", chat, `{}`, 400, "text/plain", `{"error":{"message":"x","type":"t","param":null,"code":null}}`},
		{"GoogleCodeDiffers", gemini, `{}`, 404, "application/json", `{"error":{"code":400,"message":"x","status":"INVALID_ARGUMENT"}}`},
		{"StreamDataNotJSON", chat, `{}`, 200, "text/event-stream", "data: {\"id\":1}\n\ndata: {oops\n\n"},
		{"EmptyStream", chat, `{}`, 200, "text/event-stream", ""},
		{"ToolNotOffered", chat, weather, 200, "application/json", answer(`null`, `[{"function":{"name":"other","arguments":"{}"}}]`)},
		{"ArgumentsInvalid", chat, weather, 200, "application/json", answer(`null`, `[{"function":{"name":"get_weather","arguments":"{\"town\":1}"}}]`)},
		{"StructuredInvalid", chat, structured, 200, "application/json", answer(`"{\"b\":1}"`, `[]`)},
	}
	for _, c := range cases {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", c.ctype)
		rec.WriteHeader(c.status)
		rec.WriteString(c.body)
		if err := checkAnswer(c.ep, []byte(c.req), rec); err == nil {
			t.Errorf("%s: expected checkAnswer to reject %d %s", c.name, c.status, c.body)
		}
	}
	for req, body := range map[string]string{
		weather:    answer(`null`, `[{"function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}}]`),
		structured: answer(`"{\"a\":1}"`, `[]`),
	} {
		rec := httptest.NewRecorder()
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteString(body)
		if err := checkAnswer(chat, []byte(req), rec); err != nil {
			t.Errorf("expected %s to pass, got %v", body, err)
		}
	}
}
