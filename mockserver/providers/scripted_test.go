package providers_test

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/responses"
	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/mockserver/fixture"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// mustFixtures returns a fixture set holding the fixtures of a YAML document.
func mustFixtures(tb testing.TB, src string) *fixture.Set {
	tb.Helper()
	list, err := fixture.Parse([]byte(src))
	if err != nil {
		tb.Fatalf("fixtures: %v", err)
	}
	set := &fixture.Set{}
	if _, err := set.Add(list...); err != nil {
		tb.Fatalf("fixtures: %v", err)
	}
	return set
}

// sdkTexts asks each text endpoint through its official SDK and returns the answer text, streams
// accumulated.
func sdkTexts(t *testing.T, base string, hc *http.Client) map[string]func(model, prompt string) (string, error) {
	oc := openaiClient(base, hc, "sk-test")
	ac := anthropicClient(base, hc, "sk-ant-test")
	gc := genaiClient(t, base, "")
	return map[string]func(model, prompt string) (string, error){
		"openai/chat": func(model, prompt string) (string, error) {
			got, err := oc.Chat.Completions.New(t.Context(), chatParams(model, prompt))
			if err != nil {
				return "", err
			}
			return got.Choices[0].Message.Content, nil
		},
		"openai/chat-stream": func(model, prompt string) (string, error) {
			stream := oc.Chat.Completions.NewStreaming(t.Context(), chatParams(model, prompt))
			defer stream.Close()
			var acc openai.ChatCompletionAccumulator
			for stream.Next() {
				acc.AddChunk(stream.Current())
			}
			if err := stream.Err(); err != nil {
				return "", err
			}
			return acc.Choices[0].Message.Content, nil
		},
		"openai/responses": func(model, prompt string) (string, error) {
			got, err := oc.Responses.New(t.Context(), responses.ResponseNewParams{Model: model,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)}})
			if err != nil {
				return "", err
			}
			return got.OutputText(), nil
		},
		"openai/responses-stream": func(model, prompt string) (string, error) {
			stream := oc.Responses.NewStreaming(t.Context(), responses.ResponseNewParams{Model: model,
				Input: responses.ResponseNewParamsInputUnion{OfString: openai.String(prompt)}})
			defer stream.Close()
			var text strings.Builder
			for stream.Next() {
				if ev := stream.Current(); ev.Type == "response.output_text.delta" {
					text.WriteString(ev.Delta)
				}
			}
			return text.String(), stream.Err()
		},
		"anthropic/messages": func(model, prompt string) (string, error) {
			msg, err := ac.Messages.New(t.Context(), messageParams(model, prompt))
			if err != nil {
				return "", err
			}
			return msg.Content[0].Text, nil
		},
		"anthropic/messages-stream": func(model, prompt string) (string, error) {
			stream := ac.Messages.NewStreaming(t.Context(), messageParams(model, prompt))
			defer stream.Close()
			var acc anthropic.Message
			for stream.Next() {
				if err := acc.Accumulate(stream.Current()); err != nil {
					return "", err
				}
			}
			if err := stream.Err(); err != nil {
				return "", err
			}
			return acc.Content[0].Text, nil
		},
		"gemini/generate": func(model, prompt string) (string, error) {
			got, err := gc.Models.GenerateContent(t.Context(), model, genai.Text(prompt), nil)
			if err != nil {
				return "", err
			}
			return got.Text(), nil
		},
		"gemini/generate-stream": func(model, prompt string) (string, error) {
			var text strings.Builder
			for resp, err := range gc.Models.GenerateContentStream(t.Context(), model, genai.Text(prompt), nil) {
				if err != nil {
					return "", err
				}
				text.WriteString(resp.Text())
			}
			return text.String(), nil
		},
	}
}

// textEndpoints are the names of sdkTexts' endpoints.
var textEndpoints = []string{"openai/chat", "openai/chat-stream", "openai/responses", "openai/responses-stream",
	"anthropic/messages", "anthropic/messages-stream", "gemini/generate", "gemini/generate-stream"}

// models is the model each endpoint is asked for.
var models = map[string]string{"openai": "gpt-4o", "anthropic": "claude-3-5-sonnet-20241022", "gemini": "gemini-2.0-flash"}

func TestScriptedText(t *testing.T) {
	const script = `
- match: {contains: "Say the line"}
  text: "The scripted line, word for word."
- match: {regex: '^Quote \d+$'}
  text: "Quoted by regex."
- provider: anthropic
  match: {contains: "Only Claude"}
  text: "Claude only."
- model: gemini-2.0-flash
  match: {contains: "Only Flash"}
  text: "Flash only."
`
	srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, script)})
	cases := []struct {
		name, prompt string
		want         func(provider string) string // "" means the generated answer
	}{
		{"Contains", "Please Say the line now", func(string) string { return "The scripted line, word for word." }},
		{"Regex", "Quote 42", func(string) string { return "Quoted by regex." }},
		{"RegexMustMatchWhole", "Quote 42 please", func(string) string { return "" }},
		{"NotMatching", "Summarise the quarterly report", func(string) string { return "" }},
		{"ContainsIsCaseSensitive", "please say the line", func(string) string { return "" }},
		{"ProviderFilter", "Only Claude", func(p string) string { return map[string]string{"anthropic": "Claude only."}[p] }},
		{"ModelFilter", "Only Flash", func(p string) string { return map[string]string{"gemini": "Flash only."}[p] }},
	}
	for name, ask := range sdkTexts(t, srv.URL, srv.Client()) {
		provider, _, _ := strings.Cut(name, "/")
		model := models[provider]
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				got, err := ask(model, c.prompt)
				if err != nil {
					t.Fatalf("ask: %v", err)
				}
				want := c.want(provider)
				if want == "" {
					want = providers.Answer(model, c.prompt)
				}
				if got != want {
					t.Fatalf("expected %q, got %q", want, got)
				}
			})
		}
	}
}

// scriptedArgs are valid against weatherSchema.
const scriptedArgs = `{"city":"Lyon","days":2,"fields":["temp"],"unit":"celsius","where":{"lat":45.7,"lon":4.8}}`

func TestScriptedToolCall(t *testing.T) {
	var logs syncbuf.Buffer
	script := `
- match: {contains: "Lyon"}
  tool_call: {name: get_weather, arguments: ` + scriptedArgs + `}
- match: {contains: "nonsense"}
  tool_call: {name: get_weather, arguments: {city: 7}}
`
	srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, script), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	calls := sdkToolCalls(t, srv.URL, srv.Client())
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			// "Write a haiku" alone would be answered in text: the fixture makes it a call.
			gotName, gotArgs, err := call("Write a haiku about Lyon")
			if err != nil {
				t.Fatalf("ask: %v", err)
			}
			if gotName != "get_weather" || !jsonEqual(t, gotArgs, scriptedArgs) {
				t.Fatalf("expected get_weather(%s), got %s(%s)", scriptedArgs, gotName, gotArgs)
			}
			if _, _, err := call("Write a haiku about autumn"); err != errTextAnswer {
				t.Fatalf("a prompt no fixture matches must get the generated text answer, got %v", err)
			}
		})
	}
	t.Run("Warnings", func(t *testing.T) {
		tools := []any{map[string]any{"type": "function", "function": map[string]any{"name": "get_weather", "parameters": json.RawMessage(weatherSchema)}}}
		cases := []struct {
			name, prompt string
			tools        []any
			choice       any
			args         string
			warns        bool
		}{
			{"ValidArguments", "Lyon", tools, nil, scriptedArgs, false},
			{"InvalidArguments", "nonsense", tools, nil, `{"city":7}`, true},
			{"ToolNotOffered", "Lyon", nil, nil, scriptedArgs, true},
			{"ToolChoiceNone", "Lyon", tools, "none", scriptedArgs, true},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before := strings.Count(logs.String(), "scripted tool call does not fit")
				body := map[string]any{"model": "gpt-4o", "messages": []any{map[string]any{"role": "user", "content": c.prompt}}}
				if c.tools != nil {
					body["tools"] = c.tools
				}
				if c.choice != nil {
					body["tool_choice"] = c.choice
				}
				resp, got := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions", body, map[string]string{"Authorization": "Bearer k"})
				args, _ := dig(decode(t, got), "choices", 0, "message", "tool_calls", 0, "function", "arguments").(string)
				if resp.StatusCode != 200 || !jsonEqual(t, []byte(args), c.args) {
					t.Fatalf("expected the scripted call %s as written, got %d %s", c.args, resp.StatusCode, got)
				}
				if warned := strings.Count(logs.String(), "scripted tool call does not fit") > before; warned != c.warns {
					t.Fatalf("warned %v, want %v; logs:\n%s", warned, c.warns, logs.String())
				}
			})
		}
	})
}

// errTextAnswer is what an sdkToolCalls function returns when the model answered text.
var errTextAnswer = errors.New("answered text, not a tool call")

func jsonEqual(tb testing.TB, got []byte, want string) bool {
	tb.Helper()
	var a, b any
	if json.Unmarshal(got, &a) != nil || json.Unmarshal([]byte(want), &b) != nil {
		return false
	}
	return string(mustJSON(tb, a)) == string(mustJSON(tb, b))
}
