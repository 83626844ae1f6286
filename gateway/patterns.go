package gateway

import (
	"net/http"
	"strings"
)

// pattern is one analysis pattern: what GET /api/patterns shows and what the ultra model is told.
type pattern struct {
	Name         string `json:"name"`
	Description  string `json:"description"`
	instructions string
}

// patterns returns the six analysis patterns in the contract's order.
func patterns() []pattern {
	return []pattern{
		{"gut", "Quick intuitive synthesis of the models' first reactions.",
			"Give a short, intuitive synthesis of the answers below. Lead with the single most likely answer, then one sentence on why the models lean that way."},
		{"confidence", "Weighs each answer by the models' agreement and stated confidence.",
			"Synthesize the answers below, weighing each claim by how many models agree and how confident they are. State the consensus, the points of disagreement, and an overall confidence (high, medium or low) with a reason."},
		{"critique", "Models critique each other's answers before the synthesis.",
			"Critique each answer below in turn: its strongest point and its weakest point. Then write a synthesis that keeps the strong points and fixes the weak ones."},
		{"fact_check", "Cross-checks factual claims across the model answers.",
			"List the factual claims made in the answers below. For each, say which models support or contradict it and whether it is likely true. Then give a synthesis built only on the claims that hold up."},
		{"perspective", "Contrasts the different viewpoints the models take.",
			"Identify the distinct perspectives taken in the answers below, describe each fairly with its assumptions, and end with a synthesis that explains when each perspective applies."},
		{"scenario", "Explores alternative scenarios and their likely outcomes.",
			"From the answers below, derive two to four plausible scenarios. For each, describe its triggers, likely outcome and rough likelihood, then recommend what to do given the uncertainty."},
	}
}

func findPattern(name string) (pattern, bool) {
	for _, p := range patterns() {
		if p.Name == name {
			return p, true
		}
	}
	return pattern{}, false
}

// synthesisPrompt builds the ultra model's prompt: the pattern's instructions, the question and the answers.
func synthesisPrompt(p pattern, format, prompt string, answers []namedAnswer) (system, user string) {
	var b strings.Builder
	b.WriteString(p.instructions)
	switch format {
	case "markdown":
		b.WriteString(" Format the result as Markdown.")
	case "json":
		b.WriteString(" Return the result as one JSON object.")
	default:
		b.WriteString(" Answer in plain text.")
	}
	system = b.String()
	b.Reset()
	b.WriteString("Question:\n")
	b.WriteString(prompt)
	b.WriteString("\n\nAnswers:\n")
	for _, a := range answers {
		b.WriteString("\n--- ")
		b.WriteString(a.model)
		b.WriteString(" ---\n")
		b.WriteString(a.text)
		b.WriteString("\n")
	}
	return system, b.String()
}

type namedAnswer struct{ model, text string }

func handlePatterns() http.Handler {
	type response struct {
		Patterns []pattern `json:"patterns"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, response{Patterns: patterns()})
	})
}
