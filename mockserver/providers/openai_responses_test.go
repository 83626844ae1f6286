package providers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func TestOpenAIResponsesAPI(t *testing.T) {
	srv := mustServer(t, providers.Config{})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	weatherTool := responses.ToolUnionParam{OfFunction: &responses.FunctionToolParam{Name: "get_weather",
		Description: openai.String("Current weather forecast for a city"), Parameters: rawSchema(t, weatherSchema), Strict: openai.Bool(true)}}

	t.Run("TextAndGet", func(t *testing.T) {
		got, err := client.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o",
			Instructions: openai.String("Be brief."), Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Compare the two proposals")}})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if want := providers.Answer("gpt-4o", "Compare the two proposals"); got.OutputText() != want || got.Status != "completed" || got.Object != "response" {
			t.Fatalf("expected completed %q, got %s %q", want, got.Status, got.OutputText())
		}
		if got.Usage.InputTokens <= 0 || got.Usage.TotalTokens != got.Usage.InputTokens+got.Usage.OutputTokens {
			t.Errorf("implausible usage %+v", got.Usage)
		}
		again, err := client.Responses.Get(t.Context(), got.ID, responses.ResponseGetParams{})
		if err != nil || again.OutputText() != got.OutputText() {
			t.Errorf("expected GET to return the stored response, got %v", err)
		}
		_, err = client.Responses.Get(t.Context(), "resp_nope", responses.ResponseGetParams{})
		if apiErr, ok := errors.AsType[*openai.Error](err); !ok || apiErr.StatusCode != 404 {
			t.Errorf("expected 404 for an unknown id, got %v", err)
		}
	})

	t.Run("FunctionCallThenOutput", func(t *testing.T) {
		input := responses.ResponseInputParam{responses.ResponseInputItemParamOfMessage("What is the weather in Paris?", responses.EasyInputMessageRoleUser)}
		got, err := client.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o", Tools: []responses.ToolUnionParam{weatherTool},
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input}})
		if err != nil {
			t.Fatalf("create: %v", err)
		}
		if len(got.Output) != 1 || got.Output[0].Type != "function_call" || got.Output[0].Name != "get_weather" {
			t.Fatalf("expected one function_call, got %+v", got.Output)
		}
		if err := mustSchema(t, weatherSchema).Validate([]byte(got.Output[0].Arguments.OfString)); err != nil {
			t.Errorf("arguments %q do not validate: %v", got.Output[0].Arguments.OfString, err)
		}
		out := responses.ResponseInputItemParamOfFunctionCallOutput(`{"temp":21}`)
		out.OfFunctionCallOutput.CallID = openai.String(got.Output[0].CallID)
		input = append(input, out)
		next, err := client.Responses.New(t.Context(), responses.ResponseNewParams{Model: "gpt-4o", Tools: []responses.ToolUnionParam{weatherTool},
			Input: responses.ResponseNewParamsInputUnion{OfInputItemList: input}})
		if err != nil || !strings.Contains(next.OutputText(), "temp") {
			t.Errorf("expected a text answer about the output, got %v %q", err, next.OutputText())
		}
	})

	t.Run("JSONSchemaStreamed", func(t *testing.T) {
		params := responses.ResponseNewParams{Model: "gpt-4o", Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Summarise order 42")},
			Text: responses.ResponseTextConfigParam{Format: responses.ResponseFormatTextConfigUnionParam{OfJSONSchema: &responses.ResponseFormatTextJSONSchemaConfigParam{
				Name: "order", Schema: rawSchema(t, orderSchema), Strict: openai.Bool(true)}}}}
		stream := client.Responses.NewStreaming(t.Context(), params)
		defer stream.Close()
		var types []string
		var text strings.Builder
		var final responses.Response
		for stream.Next() {
			ev := stream.Current()
			if n := len(types); n == 0 || types[n-1] != ev.Type {
				types = append(types, ev.Type)
			}
			if ev.Type == "response.output_text.delta" {
				text.WriteString(ev.Delta)
			}
			if ev.Type == "response.completed" {
				final = ev.Response
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatalf("stream: %v", err)
		}
		want := []string{"response.created", "response.in_progress", "response.output_item.added", "response.content_part.added",
			"response.output_text.delta", "response.output_text.done", "response.content_part.done", "response.output_item.done", "response.completed"}
		if strings.Join(types, " ") != strings.Join(want, " ") {
			t.Errorf("expected events\n%v\ngot\n%v", want, types)
		}
		if err := mustSchema(t, orderSchema).Validate([]byte(text.String())); err != nil || final.OutputText() != text.String() {
			t.Errorf("streamed %s does not validate (%v) or differs from the completed response", text.String(), err)
		}
	})
}

func TestOpenAIResponsesStreamDropped(t *testing.T) {
	srv := mustServer(t, providers.Config{Faults: mustFaults(t, fault.Fault{Target: "openai", Kind: fault.KindStreamDrop})})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	stream := client.Responses.NewStreaming(t.Context(), responses.ResponseNewParams{Model: "gpt-4o",
		Input: responses.ResponseNewParamsInputUnion{OfString: openai.String("Compare the two proposals")}})
	defer stream.Close()
	completed, deltas := false, 0
	for stream.Next() {
		switch stream.Current().Type {
		case "response.output_text.delta":
			deltas++
		case "response.completed":
			completed = true
		}
	}
	if completed || deltas == 0 || stream.Err() == nil {
		t.Errorf("expected some deltas, no response.completed and an error, got %d deltas, completed %v, err %v", deltas, completed, stream.Err())
	}
}
