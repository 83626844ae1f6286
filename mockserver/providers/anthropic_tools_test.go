package providers_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func anthropicTool(tb testing.TB, name, desc, schema string) anthropic.ToolUnionParam {
	tb.Helper()
	var s map[string]any
	if err := json.Unmarshal([]byte(schema), &s); err != nil {
		tb.Fatal(err)
	}
	var required []string
	for _, r := range s["required"].([]any) {
		required = append(required, r.(string))
	}
	return anthropic.ToolUnionParam{OfTool: &anthropic.ToolParam{Name: name, Description: anthropic.String(desc),
		InputSchema: anthropic.ToolInputSchemaParam{Properties: s["properties"], Required: required,
			ExtraFields: map[string]any{"additionalProperties": false}}}}
}

func TestAnthropicTools(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := anthropicClient(srv.URL, srv.Client(), "sk-ant-test")
	const model = "claude-3-5-sonnet-20241022"
	weather := mustSchema(t, weatherSchema)
	tools := []anthropic.ToolUnionParam{
		anthropicTool(t, "get_weather", "Current weather forecast for a city", weatherSchema),
		anthropicTool(t, "get_time", "Current local time in a time zone", timeSchema),
	}
	cases := []struct {
		name, prompt string
		choice       anthropic.ToolChoiceUnionParam
		want         string // the tool called; "" means a text answer
	}{
		{"Auto", "What is the weather in Paris?", anthropic.ToolChoiceUnionParam{OfAuto: &anthropic.ToolChoiceAutoParam{}}, "get_weather"},
		{"AutoText", "Write a haiku about autumn", anthropic.ToolChoiceUnionParam{}, ""},
		{"Any", "Write a haiku about autumn", anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}}, "?"},
		{"Tool", "What is the weather in Paris?", anthropic.ToolChoiceParamOfTool("get_time"), "get_time"},
		{"None", "What is the weather in Paris?", anthropic.ToolChoiceUnionParam{OfNone: &anthropic.ToolChoiceNoneParam{}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := messageParams(model, c.prompt)
			params.Tools, params.ToolChoice = tools, c.choice
			msg, err := client.Messages.New(t.Context(), params)
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if c.want == "" {
				if msg.StopReason != anthropic.StopReasonEndTurn || msg.Content[0].Type != "text" {
					t.Fatalf("expected a text answer, got %s %+v", msg.StopReason, msg.Content)
				}
				return
			}
			if msg.StopReason != anthropic.StopReasonToolUse || msg.Content[0].Type != "tool_use" {
				t.Fatalf("expected tool_use, got %s %+v", msg.StopReason, msg.Content)
			}
			use := msg.Content[0].AsToolUse()
			if (c.want != "?" && use.Name != c.want) || !strings.HasPrefix(use.ID, "toolu_") {
				t.Errorf("expected a toolu_ call of %s, got %s %s", c.want, use.ID, use.Name)
			}
			if use.Name == "get_weather" {
				if err := weather.Validate(use.Input); err != nil {
					t.Errorf("input %s does not validate: %v", use.Input, err)
				}
			}
		})
	}

	t.Run("ToolResultAnsweredWithText", func(t *testing.T) {
		params := messageParams(model, "What is the weather in Paris?")
		params.Tools = tools
		first, err := client.Messages.New(t.Context(), params)
		if err != nil || first.StopReason != anthropic.StopReasonToolUse {
			t.Fatalf("expected a tool_use first, got %v %+v", err, first)
		}
		params.Messages = append(params.Messages, first.ToParam(),
			anthropic.NewUserMessage(anthropic.NewToolResultBlock(first.Content[0].ID, "21 degrees and sunny", false)))
		msg, err := client.Messages.New(t.Context(), params)
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if msg.StopReason != anthropic.StopReasonEndTurn || !strings.Contains(msg.Content[0].Text, "21 degrees") {
			t.Errorf("expected a text answer about the result, got %s %+v", msg.StopReason, msg.Content)
		}
	})

	t.Run("Streamed", func(t *testing.T) {
		params := messageParams(model, "What is the weather in Paris?")
		params.Tools = tools
		stream := client.Messages.NewStreaming(t.Context(), params)
		defer stream.Close()
		var acc anthropic.Message
		jsonDeltas := 0
		for stream.Next() {
			ev := stream.Current()
			if ev.Type == "content_block_delta" && ev.Delta.Type == "input_json_delta" {
				jsonDeltas++
			}
			if err := acc.Accumulate(ev); err != nil {
				t.Fatalf("accumulate: %v", err)
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		if acc.StopReason != anthropic.StopReasonToolUse || len(acc.Content) != 1 || jsonDeltas < 2 {
			t.Fatalf("expected one tool_use streamed in input_json_delta pieces, got %s %+v (%d deltas)", acc.StopReason, acc.Content, jsonDeltas)
		}
		if err := weather.Validate(acc.Content[0].Input); err != nil {
			t.Errorf("streamed input %s does not validate: %v", acc.Content[0].Input, err)
		}
	})

	t.Run("MaxTokens", func(t *testing.T) {
		params := messageParams(model, "Compare the two proposals")
		params.MaxTokens = 3
		msg, err := client.Messages.New(t.Context(), params)
		if err != nil || msg.StopReason != anthropic.StopReasonMaxTokens || msg.Usage.OutputTokens > 3 {
			t.Errorf("expected max_tokens with at most 3 tokens, got %v %+v", err, msg)
		}
	})

	t.Run("CountTokens", func(t *testing.T) {
		base := anthropic.MessageCountTokensParams{Model: model,
			System:   anthropic.MessageCountTokensParamsSystemUnion{OfString: anthropic.String("You are terse.")},
			Messages: []anthropic.MessageParam{anthropic.NewUserMessage(anthropic.NewTextBlock("What is the weather in Paris?"))}}
		plain, err := client.Messages.CountTokens(t.Context(), base)
		if err != nil || plain.InputTokens <= 0 {
			t.Fatalf("expected a token count, got %v %+v", err, plain)
		}
		base.Tools = []anthropic.MessageCountTokensToolUnionParam{{OfTool: tools[0].OfTool}}
		withTools, err := client.Messages.CountTokens(t.Context(), base)
		if err != nil || withTools.InputTokens <= plain.InputTokens {
			t.Errorf("expected tools to add tokens: %d then %d (%v)", plain.InputTokens, withTools.InputTokens, err)
		}
		base.Messages = nil
		_, err = client.Messages.CountTokens(t.Context(), base)
		if apiErr, ok := errors.AsType[*anthropic.Error](err); !ok || apiErr.StatusCode != 400 {
			t.Errorf("expected a 400 without messages, got %v", err)
		}
	})

	t.Run("UnknownNamedTool", func(t *testing.T) {
		params := messageParams(model, "hi")
		params.Tools, params.ToolChoice = tools, anthropic.ToolChoiceParamOfTool("nope")
		_, err := client.Messages.New(t.Context(), params)
		if apiErr, ok := errors.AsType[*anthropic.Error](err); !ok || apiErr.StatusCode != 400 {
			t.Errorf("expected a 400 for an unknown tool, got %v", err)
		}
	})
}

func TestAnthropicToolStreamError(t *testing.T) {
	srv := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "anthropic", Kind: fault.KindStreamError})})
	client := anthropicClient(srv.URL, srv.Client(), "sk-ant-test")
	params := messageParams("claude-3-5-sonnet-20241022", "What is the weather in Paris?")
	params.Tools = []anthropic.ToolUnionParam{anthropicTool(t, "get_weather", "weather forecast", weatherSchema)}
	stream := client.Messages.NewStreaming(t.Context(), params)
	defer stream.Close()
	deltas := 0
	for stream.Next() {
		if stream.Current().Delta.Type == "input_json_delta" {
			deltas++
		}
	}
	if stream.Err() == nil || deltas == 0 {
		t.Errorf("expected an error event after some input_json_delta events, got err %v after %d", stream.Err(), deltas)
	}
}
