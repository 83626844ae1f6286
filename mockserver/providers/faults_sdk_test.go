package providers_test

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// dropped is a mock whose streams for provider close their connection mid-way.
func dropped(t *testing.T, provider string) *httptest.Server {
	t.Helper()
	return mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: provider, Kind: fault.KindStreamDrop})})
}

// TestToolStreamsDropped: stream_drop breaks a streamed tool call as it breaks a text stream, and
// each official SDK reports an error rather than a short answer.
func TestToolStreamsDropped(t *testing.T) {
	t.Run("ResponsesFunctionCall", func(t *testing.T) {
		srv := dropped(t, "openai")
		client := openaiClient(srv.URL, srv.Client(), "sk-test")
		stream := client.Responses.NewStreaming(t.Context(), responses.ResponseNewParams{Model: "gpt-4o",
			ToolChoice: responses.ResponseNewParamsToolChoiceUnion{OfToolChoiceMode: openai.Opt(responses.ToolChoiceOptionsRequired)},
			Tools: []responses.ToolUnionParam{{OfFunction: &responses.FunctionToolParam{Name: "get_weather",
				Parameters: rawSchema(t, weatherSchema), Strict: openai.Bool(true)}}},
			Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("What is the weather in Paris?")}})
		defer stream.Close()
		var args string
		done := false
		for stream.Next() {
			switch ev := stream.Current(); ev.Type {
			case "response.function_call_arguments.delta":
				args += ev.Delta
			case "response.function_call_arguments.done", "response.completed":
				done = true
			}
		}
		if stream.Err() == nil || args == "" || done || json.Valid([]byte(args)) {
			t.Errorf("expected an error mid-arguments, got err %v, arguments %q, done %v", stream.Err(), args, done)
		}
	})

	t.Run("AnthropicToolUse", func(t *testing.T) {
		srv := dropped(t, "anthropic")
		client := anthropicClient(srv.URL, srv.Client(), "sk-ant-test")
		params := messageParams("claude-3-5-sonnet-20241022", "What is the weather in Paris?")
		params.Tools = []anthropic.ToolUnionParam{anthropicTool(t, "get_weather", "weather forecast", weatherSchema)}
		params.ToolChoice = anthropic.ToolChoiceUnionParam{OfAny: &anthropic.ToolChoiceAnyParam{}}
		stream := client.Messages.NewStreaming(t.Context(), params)
		defer stream.Close()
		var partial string
		stopped := false
		for stream.Next() {
			ev := stream.Current()
			switch {
			case ev.Delta.Type == "input_json_delta":
				partial += ev.Delta.PartialJSON
			case ev.Type == "content_block_stop", ev.Type == "message_stop":
				stopped = true
			}
		}
		if stream.Err() == nil || partial == "" || stopped || json.Valid([]byte(partial)) {
			t.Errorf("expected an error mid-input_json_delta, got err %v, input %q, stopped %v", stream.Err(), partial, stopped)
		}
	})

	for _, version := range []string{"", "v1"} {
		t.Run("GeminiFunctionCall"+version, func(t *testing.T) {
			client := genaiClient(t, dropped(t, "gemini").URL, version)
			cfg := &genai.GenerateContentConfig{
				ToolConfig: &genai.ToolConfig{FunctionCallingConfig: &genai.FunctionCallingConfig{Mode: genai.FunctionCallingConfigModeAny}},
				Tools: []*genai.Tool{{FunctionDeclarations: []*genai.FunctionDeclaration{
					{Name: "get_weather", Description: "weather forecast", ParametersJsonSchema: rawSchema(t, weatherSchema)}}}}}
			calls, finished := 0, false
			var streamErr error
			for resp, err := range client.Models.GenerateContentStream(t.Context(), "gemini-2.0-flash", genai.Text("weather in Paris"), cfg) {
				if err != nil {
					streamErr = err
					break
				}
				calls += len(resp.FunctionCalls())
				finished = finished || (len(resp.Candidates) > 0 && resp.Candidates[0].FinishReason != "")
			}
			if streamErr == nil || calls != 1 || finished {
				t.Errorf("expected the call chunk then an error before the finish reason, got err %v, %d calls, finished %v", streamErr, calls, finished)
			}
		})
	}
}
