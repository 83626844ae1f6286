package providers

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strings"
	"unicode"
)

// This file is what every provider mock answers, before it is spelled in the provider's format: a
// text, a structured (JSON) text, or tool calls, decided from the request in provider-neutral terms.

// tool is one function the caller offers the model.
type tool struct {
	name, description string
	schema            json.RawMessage // JSON Schema of the arguments; empty allows any object
}

// toolMode is how the caller lets the model use its tools.
type toolMode int

const (
	toolsAuto     toolMode = iota // the model decides (OpenAI auto, Anthropic auto, Gemini AUTO)
	toolsNone                     // never call a tool
	toolsRequired                 // call at least one (OpenAI required, Anthropic any, Gemini ANY)
	toolsNamed                    // call the named tool
)

// toolChoice is the caller's tool_choice in neutral terms.
type toolChoice struct {
	mode     toolMode
	name     string   // toolsNamed: the tool to call
	allowed  []string // Gemini ANY's allowedFunctionNames; empty means all
	parallel bool     // more than one call may be made
}

// format is the shape the caller asked the text in.
type format int

const (
	formatText   format = iota
	formatJSON          // any JSON object (OpenAI json_object, Gemini application/json without schema)
	formatSchema        // JSON valid against ask.schema
)

// ask is one request to a model, in neutral terms.
type ask struct {
	provider, model string
	prompt          string // the last user turn's text
	// toolResult is the text of the tool results the caller sent after the last user turn; a
	// non-empty one makes the model answer text about it instead of calling tools again.
	toolResult string
	afterTool  bool
	tools      []tool
	choice     toolChoice
	format     format
	schema     json.RawMessage // formatSchema: the schema
	maxTokens  int             // 0: no limit
	index      int             // choice index (OpenAI n): another answer per index
}

// toolCall is one call the model makes.
type toolCall struct {
	name string
	args json.RawMessage // a JSON object valid against the tool's schema
}

// reply is what the model answers: text (cut to maxTokens when cut) or tool calls, or, scripted by
// a fixture, an error answered instead of any body (see scripted.go).
type reply struct {
	text     string
	cut      bool
	calls    []toolCall
	fail     *apiError
	scripted string // the id of the fixture that scripted it; "" for a generated answer
}

// hashOf is the deterministic seed of everything derived from a request.
func hashOf(parts ...string) uint64 {
	h := fnv.New64a()
	for _, p := range parts {
		h.Write([]byte(p))
		h.Write([]byte{0})
	}
	return h.Sum64()
}

// answer decides the reply to a: the first matching fixture's, else a generated one. An error is
// the caller's fault (a bad schema) and is answered 400.
func (s *Server) answer(a ask) (reply, error) {
	if rep, ok := s.scripted(a); ok {
		return rep, nil
	}
	if !a.afterTool && a.choice.mode != toolsNone && len(a.tools) > 0 {
		picked := pickTools(a)
		if len(picked) > 0 {
			calls := make([]toolCall, 0, len(picked))
			for _, t := range picked {
				seed := int64(hashOf(a.model, a.prompt, t.name) >> 1)
				args, err := s.schemas.generate(t.schema, seed)
				if err != nil {
					return reply{}, fmt.Errorf("invalid schema for function '%s': %w", t.name, err)
				}
				calls = append(calls, toolCall{name: t.name, args: args})
			}
			return reply{calls: calls}, nil
		}
	}
	prompt := a.prompt
	if a.afterTool {
		prompt = a.toolResult
	}
	if a.index > 0 {
		prompt = fmt.Sprintf("%s\x00%d", prompt, a.index)
	}
	var text string
	switch a.format {
	case formatSchema:
		v, err := s.schemas.generate(a.schema, int64(hashOf(a.model, prompt)>>1))
		if err != nil {
			return reply{}, fmt.Errorf("invalid schema for response_format: %w", err)
		}
		return reply{text: string(v)}, nil
	case formatJSON:
		v, _ := json.Marshal(map[string]string{"answer": answerText(a.model, prompt)})
		return reply{text: string(v)}, nil
	default:
		text = answerText(a.model, prompt)
	}
	out, cut := limit(text, a.maxTokens)
	return reply{text: out, cut: cut}, nil
}

// answerText is Answer, except that a prompt salted with a choice index ("prompt\x00 2") quotes
// the prompt alone.
func answerText(model, prompt string) string {
	if p, _, salted := strings.Cut(prompt, "\x00"); salted {
		return answerSalted(model, p, prompt)
	}
	return Answer(model, prompt)
}

// pickTools decides which tools a calls. Named picks that tool; otherwise tools are ranked by how
// many words of the prompt they share with their name and description. Auto calls the best-ranked
// tools that share a word (all of them when parallel calls are allowed, else the first), required
// calls at least one (the best, or one chosen by a hash of model and prompt).
func pickTools(a ask) []tool {
	tools := a.tools
	if len(a.choice.allowed) > 0 {
		allowed := map[string]bool{}
		for _, n := range a.choice.allowed {
			allowed[n] = true
		}
		tools = nil
		for _, t := range a.tools {
			if allowed[t.name] {
				tools = append(tools, t)
			}
		}
	}
	if a.choice.mode == toolsNamed {
		for _, t := range tools {
			if t.name == a.choice.name {
				return []tool{t}
			}
		}
		return nil
	}
	if len(tools) == 0 {
		return nil
	}
	words := wordSet(a.prompt)
	type ranked struct {
		t     tool
		score int
		i     int
	}
	rs := make([]ranked, 0, len(tools))
	for i, t := range tools {
		score := 0
		for w := range wordSet(splitName(t.name) + " " + t.description) {
			if words[w] {
				score++
			}
		}
		rs = append(rs, ranked{t, score, i})
	}
	sort.SliceStable(rs, func(i, j int) bool { return rs[i].score > rs[j].score })
	var out []tool
	for _, r := range rs {
		if r.score == 0 || (len(out) == 1 && !a.choice.parallel) {
			break
		}
		out = append(out, r.t)
	}
	if len(out) == 0 && a.choice.mode == toolsRequired {
		out = []tool{tools[hashOf(a.model, a.prompt)%uint64(len(tools))]}
	}
	return out
}

// splitName turns get_current_weather and getCurrentWeather into "get current weather".
func splitName(name string) string {
	var b strings.Builder
	for i, r := range name {
		switch {
		case r == '_' || r == '-' || r == '.':
			b.WriteByte(' ')
		case unicode.IsUpper(r) && i > 0:
			b.WriteByte(' ')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// stopWords are words too common to tie a prompt to a tool.
var stopWords = map[string]bool{"the": true, "a": true, "an": true, "of": true, "to": true, "in": true, "for": true,
	"and": true, "or": true, "is": true, "what": true, "get": true, "me": true, "please": true, "with": true, "on": true, "it": true}

// wordSet is the set of lower-case words of s of two letters or more, without stop words.
func wordSet(s string) map[string]bool {
	set := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) > 1 && !stopWords[w] {
			set[w] = true
		}
	}
	return set
}
