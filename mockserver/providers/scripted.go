package providers

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/fixture"
)

// This file answers requests from scripted fixtures (package fixture) instead of generating the
// answer. A fixture's answer goes through the same path as a generated one: faults first (latency,
// errors, resets), then the provider's own body or stream, so a stream fault cuts a scripted stream.
//
// What a scripted answer becomes:
//   - text: the message text, cut to the request's max tokens like a generated text (finish reason
//     length / max_tokens / MAX_TOKENS then).
//   - json: the value, compact, as the message text; never cut, like a generated structured answer.
//     When the caller sent a response schema the value does not satisfy, a warning is logged.
//   - tool_call: one call of the named tool with exactly the fixture's arguments. When the caller
//     offered no such tool, forbade tool calls, or the arguments do not validate against the tool's
//     schema, the call is still sent as scripted (a test may want to see its client cope) and a
//     warning is logged.
//   - error: the status and message in the provider's error format, answered after the faults'
//     latency and instead of any body.
//
// An OpenAI chat request with n > 1 gets the scripted answer in every choice for one use. An
// Anthropic request with max_tokens 0 (a cache warm-up that answers no text) consults no fixture.

// scripted returns the reply of the first fixture matching a, spending one of its uses, and false
// when none matches (or for a choice index above 0, which copies choice 0's scripted reply).
func (s *Server) scripted(a ask) (reply, bool) {
	if a.index > 0 {
		return reply{}, false
	}
	f, ok := s.fixtures.Take(fixture.Query{Provider: a.provider, Model: a.model, Prompt: a.prompt, AfterTool: a.afterTool})
	if !ok {
		return reply{}, false
	}
	s.log.Debug("scripted answer", "provider", a.provider, "model", a.model, "fixture", f.ID)
	rep := reply{scripted: f.ID}
	switch {
	case f.Error != nil:
		rep.fail = &apiError{Status: f.Error.Status, Message: f.Error.Message}
	case f.ToolCall != nil:
		call := toolCall{name: f.ToolCall.Name, args: f.ToolCall.Args()}
		if problem := s.checkCall(a, call); problem != "" {
			s.log.Warn("scripted tool call does not fit the request's tools; sending it as scripted",
				"fixture", f.ID, "tool", call.name, "problem", problem)
		}
		rep.calls = []toolCall{call}
	case f.JSON != nil:
		b, _ := json.Marshal(f.JSON) // Validate marshalled it already
		if a.format == formatSchema {
			if problem := s.check(a.schema, b); problem != "" {
				s.log.Warn("scripted json does not match the request's response schema; sending it as scripted",
					"fixture", f.ID, "problem", problem)
			}
		}
		rep.text = string(b)
	default:
		rep.text, rep.cut = limit(*f.Text, a.maxTokens)
	}
	return rep, true
}

// checkCall says what is wrong with a scripted call for a's tools, or "".
func (s *Server) checkCall(a ask, call toolCall) string {
	if a.choice.mode == toolsNone && len(a.tools) > 0 {
		return "the request's tool choice forbids tool calls"
	}
	for _, t := range a.tools {
		if t.name == call.name {
			return s.check(t.schema, call.args)
		}
	}
	return fmt.Sprintf("the request offers no tool named %q", call.name)
}

// check says how value fails the schema raw (an empty schema allows anything), or "".
func (s *Server) check(raw json.RawMessage, value []byte) string {
	if isEmptyJSON(raw) {
		return ""
	}
	sch, err := s.schemas.get(raw)
	if err != nil {
		return "the schema does not compile: " + err.Error()
	}
	if err := sch.Validate(value); err != nil {
		return err.Error()
	}
	return ""
}

// admit applies the request's faults (see provider.faults), then answers a scripted error; it
// returns the fault decision and whether the handler goes on to answer rep.
func (p *provider) admit(w http.ResponseWriter, r *http.Request, model string, streaming bool, rep reply) (fault.Decision, bool) {
	d, ok := p.faults(w, r, model, streaming)
	if !ok {
		return d, false
	}
	if rep.fail != nil {
		p.writeError(w, *rep.fail)
		return d, false
	}
	return d, true
}
