package providers_test

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

// orderSchema is a strict structured-output schema with nesting, enums, bounds and $defs.
const orderSchema = `{"type":"object","properties":{
	"status":{"type":"string","enum":["open","shipped","closed"]},
	"total":{"type":"number","minimum":0,"maximum":1000},
	"lines":{"type":"array","minItems":1,"maxItems":4,"items":{"$ref":"#/$defs/Line"}},
	"note":{"type":["string","null"]}},
	"required":["status","total","lines","note"],"additionalProperties":false,
	"$defs":{"Line":{"type":"object","properties":{"sku":{"type":"string","minLength":3},"qty":{"type":"integer","minimum":1,"maximum":99}},"required":["sku","qty"],"additionalProperties":false}}}`

func jsonSchemaFormat(tb testing.TB, schema string, strict bool) openai.ChatCompletionNewParamsResponseFormatUnion {
	tb.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		tb.Fatal(err)
	}
	return openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONSchema: &shared.ResponseFormatJSONSchemaParam{
		JSONSchema: shared.ResponseFormatJSONSchemaJSONSchemaParam{Name: "order", Schema: s, Strict: openai.Bool(strict)}}}
}

func TestOpenAIStructuredOutput(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	order := mustSchema(t, orderSchema)

	t.Run("JSONSchema", func(t *testing.T) {
		params := chatParams("gpt-4o", "Summarise order 42")
		params.ResponseFormat = jsonSchemaFormat(t, orderSchema, true)
		got, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if err := order.Validate([]byte(got.Choices[0].Message.Content)); err != nil {
			t.Errorf("content %s does not validate: %v", got.Choices[0].Message.Content, err)
		}
	})
	t.Run("JSONSchemaStreamed", func(t *testing.T) {
		params := chatParams("gpt-4o-mini", "Summarise order 42")
		params.ResponseFormat = jsonSchemaFormat(t, orderSchema, true)
		stream := client.Chat.Completions.NewStreaming(t.Context(), params)
		defer stream.Close()
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		if err := order.Validate([]byte(acc.Choices[0].Message.Content)); err != nil {
			t.Errorf("streamed content %s does not validate: %v", acc.Choices[0].Message.Content, err)
		}
	})
	t.Run("JSONObject", func(t *testing.T) {
		params := chatParams("gpt-4o", "Answer in JSON")
		params.ResponseFormat = openai.ChatCompletionNewParamsResponseFormatUnion{OfJSONObject: &shared.ResponseFormatJSONObjectParam{}}
		got, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		var obj map[string]any
		if err := json.Unmarshal([]byte(got.Choices[0].Message.Content), &obj); err != nil {
			t.Errorf("content %q is not a JSON object: %v", got.Choices[0].Message.Content, err)
		}
	})
	t.Run("StrictRejectsOpenObject", func(t *testing.T) {
		params := chatParams("gpt-4o", "Summarise order 42")
		params.ResponseFormat = jsonSchemaFormat(t, `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, true)
		_, err := client.Chat.Completions.New(t.Context(), params)
		apiErr, ok := errors.AsType[*openai.Error](err)
		if !ok || apiErr.StatusCode != 400 || !strings.Contains(apiErr.Message, "additionalProperties") {
			t.Fatalf("expected a 400 naming additionalProperties, got %v", err)
		}
		params.ResponseFormat = jsonSchemaFormat(t, `{"type":"object","properties":{"a":{"type":"string"}},"required":["a"]}`, false)
		if _, err := client.Chat.Completions.New(t.Context(), params); err != nil {
			t.Errorf("expected the same schema accepted without strict, got %v", err)
		}
	})
	t.Run("NChoices", func(t *testing.T) {
		params := chatParams("gpt-4o", "Summarise the quarterly report")
		params.N = openai.Int(3)
		got, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if len(got.Choices) != 3 {
			t.Fatalf("expected 3 choices, got %d", len(got.Choices))
		}
		seen := map[string]bool{}
		for i, c := range got.Choices {
			if c.Index != int64(i) || c.Message.Content == "" {
				t.Errorf("choice %d: index %d content %q", i, c.Index, c.Message.Content)
			}
			seen[c.Message.Content] = true
		}
		if got.Choices[0].Message.Content != providers.Answer("gpt-4o", "Summarise the quarterly report") || len(seen) < 2 {
			t.Errorf("expected choice 0 to be the usual answer and the others to differ, got %d distinct", len(seen))
		}
		stream := client.Chat.Completions.NewStreaming(t.Context(), params)
		defer stream.Close()
		var acc openai.ChatCompletionAccumulator
		for stream.Next() {
			acc.AddChunk(stream.Current())
		}
		if err := stream.Err(); err != nil || len(acc.Choices) != 3 || acc.Choices[2].Message.Content != got.Choices[2].Message.Content {
			t.Errorf("expected the stream to carry the same 3 choices, got %v %+v", err, acc.Choices)
		}
	})
}

// TestOpenAICompatibleMistral checks that the Mistral mock, being the OpenAI-compatible one, calls
// tools and answers structured output in Mistral's format.
func TestOpenAICompatibleMistral(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	var params map[string]any
	_ = json.Unmarshal([]byte(weatherSchema), &params)
	body := map[string]any{"model": "mistral-large-latest", "tool_choice": "required",
		"messages": []any{map[string]any{"role": "user", "content": "weather in Lyon"}},
		"tools":    []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather", "parameters": params}}}}
	resp, data := call(t, srv.Client(), "POST", srv.URL+"/mistral/v1/chat/completions", body, map[string]string{"Authorization": "Bearer m"})
	if resp.StatusCode != 200 || resp.Header.Get("mistral-correlation-id") == "" {
		t.Fatalf("expected 200 with a correlation id, got %d: %s", resp.StatusCode, data)
	}
	args, _ := dig(decode(t, data), "choices", 0, "message", "tool_calls", 0, "function", "arguments").(string)
	if err := mustSchema(t, weatherSchema).Validate([]byte(args)); err != nil {
		t.Errorf("mistral arguments %q do not validate: %v", args, err)
	}
	// Mistral's "any" is OpenAI's "required"; OpenAI itself rejects it.
	body["tool_choice"] = "any"
	resp, data = call(t, srv.Client(), "POST", srv.URL+"/mistral/v1/chat/completions", body, map[string]string{"Authorization": "Bearer m"})
	if calls, _ := dig(decode(t, data), "choices", 0, "message", "tool_calls").([]any); resp.StatusCode != 200 || len(calls) == 0 {
		t.Errorf("expected tool_choice any to call a tool, got %d: %s", resp.StatusCode, data)
	}
	openaiBody := maps.Clone(body)
	openaiBody["model"] = "gpt-4o"
	resp, data = call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions", openaiBody, map[string]string{"Authorization": "Bearer sk-test"})
	if resp.StatusCode != 400 || !strings.Contains(string(data), "tool_choice") {
		t.Errorf("expected OpenAI to reject tool_choice any with a 400, got %d: %s", resp.StatusCode, data)
	}
	body["tool_choice"] = "sometimes"
	resp, data = call(t, srv.Client(), "POST", srv.URL+"/mistral/v1/chat/completions", body, map[string]string{"Authorization": "Bearer m"})
	if resp.StatusCode != 400 || decode(t, data)["object"] != "error" {
		t.Errorf("expected a 400 in Mistral's format, got %d: %s", resp.StatusCode, data)
	}
}
