package providers_test

import (
	"log/slog"
	"strings"
	"testing"

	"github.com/openai/openai-go/v3"
	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/internal/syncbuf"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

// validOrder is valid against orderSchema, compact with sorted keys as the mock sends it.
const validOrder = `{"lines":[{"qty":2,"sku":"ABC-1"}],"note":null,"status":"shipped","total":19.5}`

func TestScriptedJSON(t *testing.T) {
	var logs syncbuf.Buffer
	script := "- match: {contains: \"order 42\"}\n  json: " + validOrder + "\n" +
		"- match: {contains: \"order 43\"}\n  json: {status: lost}\n"
	srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, script), Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	gc := genaiClient(t, srv.URL, "")
	const warning = "scripted json does not match the request's response schema"
	cases := []struct {
		name, prompt, want string
		warns              bool
	}{
		{"Valid", "Summarise order 42", validOrder, false},
		{"InvalidSentWithWarning", "Summarise order 43", `{"status":"lost"}`, true},
	}
	for _, c := range cases {
		t.Run("openai/"+c.name, func(t *testing.T) {
			before := strings.Count(logs.String(), warning)
			params := chatParams("gpt-4o", c.prompt)
			params.ResponseFormat = jsonSchemaFormat(t, orderSchema, true)
			got, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil || got.Choices[0].Message.Content != c.want {
				t.Fatalf("expected %s, got %v %+v", c.want, err, got)
			}
			if warned := strings.Count(logs.String(), warning) > before; warned != c.warns {
				t.Fatalf("warned %v, want %v; logs:\n%s", warned, c.warns, logs.String())
			}
		})
		t.Run("gemini/"+c.name, func(t *testing.T) {
			before := strings.Count(logs.String(), warning)
			cfg := &genai.GenerateContentConfig{ResponseMIMEType: "application/json", ResponseJsonSchema: rawSchema(t, orderSchema)}
			got, err := gc.Models.GenerateContent(t.Context(), "gemini-2.0-flash", genai.Text(c.prompt), cfg)
			if err != nil || got.Text() != c.want {
				t.Fatalf("expected %s, got %v %q", c.want, err, got.Text())
			}
			if warned := strings.Count(logs.String(), warning) > before; warned != c.warns {
				t.Fatalf("warned %v, want %v; logs:\n%s", warned, c.warns, logs.String())
			}
		})
	}
	t.Run("NoSchemaNoWarning", func(t *testing.T) {
		before := strings.Count(logs.String(), warning)
		got, err := client.Chat.Completions.New(t.Context(), chatParams("gpt-4o", "Summarise order 43"))
		if err != nil || got.Choices[0].Message.Content != `{"status":"lost"}` || strings.Count(logs.String(), warning) != before {
			t.Fatalf("expected the json as text without a warning, got %v %+v\n%s", err, got, logs.String())
		}
	})
}

func TestScriptedTextMaxTokens(t *testing.T) {
	srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, "- text: "+scriptedWords+"\n")})
	client := openaiClient(srv.URL, srv.Client(), "sk-test")
	cases := []struct {
		name   string
		max    int64
		finish string
	}{
		{"Cut", 3, "length"},
		{"RoomEnough", 100, "stop"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			params := chatParams("gpt-4o", "anything")
			params.MaxCompletionTokens = openai.Int(c.max)
			got, err := client.Chat.Completions.New(t.Context(), params)
			if err != nil {
				t.Fatal(err)
			}
			text := got.Choices[0].Message.Content
			if got.Choices[0].FinishReason != c.finish || !strings.HasPrefix(scriptedWords, text) || (c.finish == "stop") != (text == scriptedWords) {
				t.Fatalf("expected finish %s with a prefix of the scripted text, got %s %q", c.finish, got.Choices[0].FinishReason, text)
			}
		})
	}
}
