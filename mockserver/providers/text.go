package providers

import (
	"hash/fnv"
	"strings"
	"unicode/utf8"
)

// openers and findings are the sentence bank answers are drawn from; which ones an answer uses is a
// function of a hash of the model and the prompt.
var openers = [...]string{
	"Here is a concise analysis of the request.",
	"The question can be answered in a few steps.",
	"A short assessment follows.",
	"Looking at this from first principles gives a clear picture.",
	"There are two angles worth considering here.",
	"The key points are summarised below.",
	"This is a well-defined problem with a direct answer.",
	"Several factors shape the answer.",
}

var findings = [...]string{
	"The main driver is consistency between inputs and expected outputs.",
	"The most likely outcome is positive, with moderate confidence.",
	"Risks are limited and can be mitigated with routine checks.",
	"The data points toward a gradual rather than sudden change.",
	"Costs stay predictable as long as usage grows linearly.",
	"The trade-off favours simplicity over raw performance.",
	"Evidence from similar cases supports this conclusion.",
	"A follow-up review after one iteration is recommended.",
	"The sentiment is broadly neutral with a slight positive lean.",
	"Edge cases exist but do not change the overall recommendation.",
	"Latency and accuracy can both be improved with caching.",
	"The strongest signal comes from the most recent observations.",
}

// Answer returns the mock's deterministic reply to prompt from model: the model name in brackets, a
// short quote of the prompt, and two or three sentences chosen by a hash of the model and the prompt,
// so the same request always gets the same answer and different models visibly answer differently.
func Answer(model, prompt string) string { return answerSalted(model, prompt, prompt) }

// answerSalted is Answer quoting shown, its sentences chosen by a hash of model and hashed (another
// choice of the same request hashes the prompt with its index).
func answerSalted(model, shown, hashed string) string {
	h := fnv.New64a()
	h.Write([]byte(model))
	h.Write([]byte{0})
	h.Write([]byte(hashed))
	x := h.Sum64()

	var b strings.Builder
	b.WriteString("[")
	b.WriteString(model)
	b.WriteString("] ")
	if q := quote(shown, 8); q != "" {
		b.WriteString("On \"")
		b.WriteString(q)
		b.WriteString("\": ")
	}
	b.WriteString(openers[x%uint64(len(openers))])
	x /= uint64(len(openers))
	first := x % uint64(len(findings))
	x /= uint64(len(findings))
	b.WriteString(" ")
	b.WriteString(findings[first])
	if x%2 == 1 {
		second := (first + 1 + (x/2)%uint64(len(findings)-1)) % uint64(len(findings))
		b.WriteString(" ")
		b.WriteString(findings[second])
	}
	return b.String()
}

// quote returns up to n words of s on one line, with an ellipsis when words were dropped.
func quote(s string, n int) string {
	words := strings.Fields(strings.ToValidUTF8(s, "\uFFFD"))
	cut := len(words) > n
	if cut {
		words = words[:n]
	}
	q := strings.Join(words, " ")
	q = strings.ReplaceAll(q, "\"", "'")
	if utf8.RuneCountInString(q) > 80 {
		q = string([]rune(q)[:80])
		cut = true
	}
	if cut {
		q += "…"
	}
	return q
}

// Tokens estimates the token count of s the way the mock reports usage: about four tokens for every
// three words, and at least one for non-empty text.
func Tokens(s string) int {
	words := len(strings.Fields(s))
	if words == 0 {
		if s == "" {
			return 0
		}
		return 1
	}
	return max(1, (words*4+1)/3) // words*4/3, rounded to nearest
}

// tokens splits an answer into stream deltas: the first word, then each following word with its
// leading space, so the deltas concatenate back to the text.
func tokens(text string) []string {
	var out []string
	start := 0
	for i := 1; i < len(text); i++ {
		if text[i] == ' ' && text[i-1] != ' ' {
			out = append(out, text[start:i])
			start = i
		}
	}
	if start < len(text) {
		out = append(out, text[start:])
	}
	return out
}

// limit cuts text to at most maxTokens (as counted by Tokens) and reports whether it cut; maxTokens
// <= 0 means no limit.
func limit(text string, maxTokens int) (string, bool) {
	if maxTokens <= 0 || Tokens(text) <= maxTokens {
		return text, false
	}
	parts := tokens(text)
	words := max(1, maxTokens*3/4)
	for words > 1 && Tokens(strings.Join(parts[:min(words, len(parts))], "")) > maxTokens {
		words--
	}
	return strings.Join(parts[:min(words, len(parts))], ""), true
}
