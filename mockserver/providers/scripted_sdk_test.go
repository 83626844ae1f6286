package providers_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"
)

// toolCaller asks for prompt with get_weather (weatherSchema) offered, tool choice auto, and
// returns the one call made, or errTextAnswer.
type toolCaller func(prompt string) (name string, args []byte, err error)

// sdkToolCalls is a toolCaller per endpoint, each through its official SDK.
func sdkToolCalls(t *testing.T, base string, hc *http.Client) map[string]toolCaller {
	oc := openaiClient(base, hc, "sk-test")
	ac := anthropicClient(base, hc, "sk-ant-test")
	gc := genaiClient(t, base, "")
	chat := func(prompt string) openai.ChatCompletionNewParams {
		p := chatParams("gpt-4o", prompt)
		p.Tools = []openai.ChatCompletionToolUnionParam{functionTool(t, "get_weather", "Current weather forecast for a city", weatherSchema)}
		return p
	}
	msgs := func(prompt string) anthropic.MessageNewParams {
		p := messageParams("claude-3-5-sonnet-20241022", prompt)
		p.Tools = []anthropic.ToolUnionParam{anthropicTool(t, "get_weather", "Current weather forecast for a city", weatherSchema)}
		return p
	}
	return map[string]toolCaller{
		"openai/chat": func(prompt string) (string, []byte, error) {
			got, err := oc.Chat.Completions.New(t.Context(), chat(prompt))
			if err != nil {
				return "", nil, err
			}
			return openaiCall(got.Choices[0].Message)
		},
		"openai/chat-stream": func(prompt string) (string, []byte, error) {
			stream := oc.Chat.Completions.NewStreaming(t.Context(), chat(prompt))
			defer stream.Close()
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				return "", nil, err
			}
			return openaiCall(acc.Choices[0].Message)
		},
		"openai/responses": func(prompt string) (string, []byte, error) {
			got, err := oc.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o",
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)},
				Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather",
					Description: openai.String("Current weather forecast for a city"), Parameters: rawSchema(t, weatherSchema), Strict: openai.Bool(true)}}}})
			if err != nil {
				return "", nil, err
			}
			for _, item := range got.Output {
				if item.Type == "function_call" {
					fc := item.AsFunctionCall()
					return fc.Name, []byte(fc.Arguments), nil
				}
			}
			return "", nil, errTextAnswer
		},
		"anthropic/messages": func(prompt string) (string, []byte, error) {
			msg, err := ac.Messages.New(t.Context(), msgs(prompt))
			if err != nil {
				return "", nil, err
			}
			return anthropicCall(*msg)
		},
		"anthropic/messages-stream": func(prompt string) (string, []byte, error) {
			stream := ac.Messages.NewStreaming(t.Context(), msgs(prompt))
			defer stream.Close()
			var acc anthropic.Message
			for stream.Next() {
				if err := acc.Accumulate(stream.Current()); err != nil {
					return "", nil, err
				}
			}
			if err := stream.Err(); err != nil {
				return "", nil, err
			}
			return anthropicCall(acc)
		},
		"gemini/generate": func(prompt string) (string, []byte, error) {
			cfg := &genai.GenerateContentConfig{Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
				{Name: "get_weather", Description: "Current weather forecast for a city", ParametersJsonSchema: rawSchema(t, weatherSchema)}}}}}
			got, err := gc.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text(prompt), cfg)
			if err != nil {
				return "", nil, err
			}
			calls := got.FunctionCalls()
			if len(calls) == 0 {
				return "", nil, errTextAnswer
			}
			args, err := json.Marshal(calls[0].Args)
			return calls[0].Name, args, err
		},
	}
}

func openaiCall(m openai.ChatCompletionMessage) (string, []byte, error) {
	if len(m.ToolCalls) == 0 {
		return "", nil, errTextAnswer
	}
	return m.ToolCalls[0].Function.Name, []byte(m.ToolCalls[0].Function.Arguments), nil
}

func anthropicCall(m anthropic.Message) (string, []byte, error) {
	for _, b := range m.Content {
		if b.Type == "tool_use" {
			return b.Name, b.Input, nil
		}
	}
	return "", nil, errTextAnswer
}
