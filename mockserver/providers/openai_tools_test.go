package providers_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/shared"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
	"github.com/ultra-kit/ultra/spec"
)

// weatherSchema and timeSchema are tool parameter schemas with the constraints generated arguments
// must honour: required properties, enums, bounds, closed objects, nested objects and arrays.
const weatherSchema = `{"type":"object","properties":{
	"city":{"type":"string","minLength":2,"maxLength":40},
	"unit":{"type":"string","enum":["celsius","fahrenheit"]},
	"days":{"type":"integer","minimum":1,"maximum":7},
	"where":{"type":"object","properties":{"lat":{"type":"number","minimum":-90,"maximum":90},"lon":{"type":"number","minimum":-180,"maximum":180}},"required":["lat","lon"],"additionalProperties":false},
	"fields":{"type":"array","minItems":1,"maxItems":3,"items":{"type":"string","enum":["temp","wind","rain"]}}},
	"required":["city","unit","days","where","fields"],"additionalProperties":false}`

const timeSchema = `{"type":"object","properties":{"zone":{"type":"string","enum":["UTC","CET","PST"]}},"required":["zone"],"additionalProperties":false}`

func mustSchema(tb testing.TB, raw string) *spec.Schema {
	tb.Helper()
	s, err := spec.CompileSchema([]byte(raw))
	if err != nil {
		tb.Fatalf("compile schema: %v", err)
	}
	return s
}

func functionTool(tb testing.TB, name, desc, schema string) openai.ChatCompletionToolUnionParam {
	tb.Helper()
	var params map[string]any
	if err := json.Unmarshal([]byte(schema), &params); err != nil {
		tb.Fatal(err)
	}
	return openai.ChatCompletionFunctionTool(shared.FunctionDefinitionParam{
		Name: name, Description: openai.String(desc), Parameters: params, Strict: openai.Bool(true)})
}

func TestOpenAITools(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	schemas := map[string]*spec.Schema{"get_weather": mustSchema(t, weatherSchema), "get_time": mustSchema(t, timeSchema)}
	tools := []openai.ChatCompletionToolUnionParam{
		functionTool(t, "get_weather", "Current weather forecast for a city", weatherSchema),
		functionTool(t, "get_time", "Current local time in a time zone", timeSchema),
	}
	named := openai.ToolChoiceOptionFunctionToolChoice(openai.ChatCompletionNamedToolChoiceFunctionParam{Name: "get_time"})
	auto := func(s string) openai.ChatCompletionToolChoiceOptionUnionParam {
		return openai.ChatCompletionToolChoiceOptionUnionParam{OfAuto: openai.String(s)}
	}
	cases := []struct {
		name     string
		prompt   string
		choice   openai.ChatCompletionToolChoiceOptionUnionParam
		parallel *bool
		want     []string // tools called, in order; nil means a text answer
	}{
		{"AutoPicksMatchingTool", "What is the weather in Paris?", openai.ChatCompletionToolChoiceOptionUnionParam{}, nil, []string{"get_weather"}},
		{"AutoAnswersUnrelatedPromptInText", "Write a haiku about autumn", auto("auto"), nil, nil},
		{"NoneNeverCalls", "What is the weather in Paris?", auto("none"), nil, nil},
		{"RequiredCallsOne", "Write a haiku about autumn", auto("required"), nil, []string{"?"}},
		{"NamedCallsThatTool", "What is the weather in Paris?", named, nil, []string{"get_time"}},
		{"Parallel", "The weather forecast and the local time zone please", auto("auto"), nil, []string{"get_time", "get_weather"}},
		{"NotParallel", "The weather forecast and the local time zone please", auto("auto"), new(false), []string{"get_time"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := chatParams("gpt-4o", c.prompt)
			params.Tools, params.ToolChoice = tools, c.choice
			if c.parallel != nil {
				params.ParallelToolCalls = openai.Bool(*c.parallel)
			}
			got, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			msg := got.Choices[0].Message
			if c.want == nil {
				if len(msg.ToolCalls) != 0 || msg.Content == "" || got.Choices[0].FinishReason != "stop" {
					t.Fatalf("expected a text answer, got %+v (finish %s)", msg, got.Choices[0].FinishReason)
				}
				return
			}
			if got.Choices[0].FinishReason != "tool_calls" || len(msg.ToolCalls) != len(c.want) {
				t.Fatalf("expected finish tool_calls with %v, got %s %+v", c.want, got.Choices[0].FinishReason, msg.ToolCalls)
			}
			for i, tc := range msg.ToolCalls {
				if c.want[i] != "?" && tc.Function.Name != c.want[i] {
					t.Errorf("call %d: expected %s, got %s", i, c.want[i], tc.Function.Name)
				}
				if !strings.HasPrefix(tc.ID, "call_") || tc.Type != "function" {
					t.Errorf("call %d: expected a call_ id of type function, got %q %q", i, tc.ID, tc.Type)
				}
				s, ok := schemas[tc.Function.Name]
				if !ok {
					t.Fatalf("call of unknown tool %q", tc.Function.Name)
				}
				if err := s.Validate([]byte(tc.Function.Arguments)); err != nil {
					t.Errorf("arguments %s do not validate against %s: %v", tc.Function.Arguments, tc.Function.Name, err)
				}
			}
			again, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil || again.Choices[0].Message.ToolCalls[0].Function.Arguments != msg.ToolCalls[0].Function.Arguments {
				t.Errorf("expected the same arguments for the same model and prompt, got %v %v", err, again.Choices[0].Message.ToolCalls)
			}
		})
	}

	t.Run("AnswersTextAfterToolResult", func(t *testing.T) {
		params := chatParams("gpt-4o", "What is the weather in Paris?")
		params.Tools = tools
		first, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil || len(first.Choices[0].Message.ToolCalls) == 0 {
			t.Fatalf("expected a tool call first, got %v %+v", err, first)
		}
		call := first.Choices[0].Message.ToolCalls[0]
		params.Messages = append(params.Messages, first.Choices[0].Message.ToParam(), openai.ToolMessage(`{"temp":21}`, call.ID))
		got, err := client.Chat.Completions.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if got.Choices[0].FinishReason != "stop" || len(got.Choices[0].Message.ToolCalls) != 0 || !strings.Contains(got.Choices[0].Message.Content, "temp") {
			t.Errorf("expected a text answer about the tool result, got %+v", got.Choices[0])
		}
	})

	t.Run("Streamed", func(t *testing.T) {
		params := chatParams("gpt-4o", "The weather forecast and the local time zone please")
		params.Tools = tools
		stream := client.Chat.Completions.NewStreaming(t.Context(), params)
		defer stream.Close()
		var acc openai.ChatCompletionAccumulator
		argChunks := 0
		for stream.Next() {
			chunk := stream.Current()
			acc.AddChunk(chunk)
			for _, ch := range chunk.Choices {
				for _, tc := range ch.Delta.ToolCalls {
					if tc.ID != "" && (tc.Function.Name == "" || tc.Function.Arguments != "") {
						t.Errorf("expected the first delta of a call to carry id and name only, got %+v", tc)
					}
					if tc.ID == "" && tc.Function.Arguments != "" {
						argChunks++
					}
				}
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		calls := acc.Choices[0].Message.ToolCalls
		if acc.Choices[0].FinishReason != "tool_calls" || len(calls) != 2 || argChunks < 4 {
			t.Fatalf("expected two calls streamed in pieces ending tool_calls, got %s %+v (%d pieces)", acc.Choices[0].FinishReason, calls, argChunks)
		}
		for _, tc := range calls {
			if err := schemas[tc.Function.Name].Validate([]byte(tc.Function.Arguments)); err != nil {
				t.Errorf("streamed arguments %s do not validate: %v", tc.Function.Arguments, err)
			}
		}
	})
}

func TestOpenAIToolStreamDropped(t *testing.T) {
	srv := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "openai", Kind: fault.KindStreamDrop})})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	params := chatParams("gpt-4o", "What is the weather in Paris?")
	params.Tools = []openai.ChatCompletionToolUnionParam{functionTool(t, "get_weather", "weather forecast", weatherSchema)}
	stream := client.Chat.Completions.NewStreaming(t.Context(), params)
	defer stream.Close()
	var acc openai.ChatCompletionAccumulator
	for stream.Next() {
		acc.AddChunk(stream.Current())
	}
	if stream.Err() == nil {
		t.Error("expected the SDK to report the dropped stream as an error")
	}
	if len(acc.Choices) == 0 || len(acc.Choices[0].Message.ToolCalls) != 1 {
		t.Fatalf("expected the call's first deltas before the drop, got %+v", acc.Choices)
	}
	if acc.Choices[0].FinishReason != "" || json.Valid([]byte(acc.Choices[0].Message.ToolCalls[0].Function.Arguments)) {
		t.Errorf("expected the stream to end mid-arguments, got finish %q args %s", acc.Choices[0].FinishReason, acc.Choices[0].Message.ToolCalls[0].Function.Arguments)
	}
}
