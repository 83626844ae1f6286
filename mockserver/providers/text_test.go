package providers_test

import (
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver/providers"
)

func TestAnswerDeterministic(t *testing.T) {
	tests := []struct {
		name, model, prompt string
	}{
		{"Short", "gpt-4o", "Hello!"},
		{"Long", "claude-3-opus-20240229", "Analyse the impact of rising interest rates on a mid-sized retailer over the next two years"},
		{"Empty", "gemini-1.5-pro", ""},
		{"Unicode", "gpt-4-turbo", "Résumé « quotes » 日本語 \"double\""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := providers.Answer(tt.model, tt.prompt), providers.Answer(tt.model, tt.prompt)
			if a != b {
				t.Fatalf("expected the same answer twice, got %q and %q", a, b)
			}
			if !strings.HasPrefix(a, "["+tt.model+"] ") {
				t.Errorf("expected the answer to start with the model name, got %q", a)
			}
			if n := len(strings.Fields(a)); n < 8 || n > 80 {
				t.Errorf("expected a sentence or two, got %d words: %q", n, a)
			}
		})
	}
}

func TestAnswerDiffersPerModel(t *testing.T) {
	models := []string{"gpt-4o", "gpt-4-turbo", "claude-3-opus-20240229", "claude-3-sonnet-20240229", "gemini-1.5-pro", "gemini-1.5-flash"}
	prompts := []string{"Assess the risk", "Summarise the report", "What is the outlook?"}
	for _, prompt := range prompts {
		bodies := map[string]string{}
		for _, m := range models {
			body := strings.TrimPrefix(providers.Answer(m, prompt), "["+m+"] ")
			bodies[body] = m
		}
		// model names alone make answers differ; the hash should also vary the text for most models
		if len(bodies) < len(models)/2 {
			t.Errorf("expected the text after the model name to vary across models for %q, got %d distinct", prompt, len(bodies))
		}
	}
	if providers.Answer("gpt-4o", "a") == providers.Answer("gpt-4o", "b") {
		t.Error("expected different prompts to give different answers")
	}
}

func TestTokens(t *testing.T) {
	tests := []struct {
		text string
		want int
	}{
		{"", 0},
		{"   ", 1},
		{"one", 1},
		{"one two three", 4},
		{"one two three four five six", 8},
	}
	for _, tt := range tests {
		if got := providers.Tokens(tt.text); got != tt.want {
			t.Errorf("Tokens(%q): expected %d, got %d", tt.text, tt.want, got)
		}
	}
}
