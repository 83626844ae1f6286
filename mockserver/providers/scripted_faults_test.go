package providers_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/anthropics/anthropic-sdk-go/v2"
	"github.com/openai/openai-go/v3"
	"google.golang.org/genai"

	"github.com/ultra-kit/ultra/mockserver/fault"
	"github.com/ultra-kit/ultra/mockserver/providers"
)

func TestScriptedError(t *testing.T) {
	const script = `
- match: {contains: "expensive"}
  error: {status: 429, message: "Quota exceeded for this project."}
- match: {contains: "forbidden"}
  error: {status: 403}
`
	srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, script)})
	// check says what is wrong with err for status and message in the SDK's own error type, or "".
	check := map[string]func(err error, status int, message string) string{
		"openai": func(err error, status int, message string) string {
			e, ok := errors.AsType[*openai.Error](err)
			if !ok || e.StatusCode != status || e.Message != message {
				return "want *openai.Error"
			}
			return ""
		},
		"anthropic": func(err error, status int, message string) string {
			e, ok := errors.AsType[*anthropic.Error](err)
			if !ok || e.StatusCode != status || !strings.Contains(e.Error(), message) {
				return "want *anthropic.Error"
			}
			if status == 429 && string(e.Type()) != "rate_limit_error" {
				return "want type rate_limit_error, got " + string(e.Type())
			}
			return ""
		},
		"gemini": func(err error, status int, message string) string {
			e, ok := errors.AsType[genai.APIError](err)
			if !ok || e.Code != status || e.Message != message {
				return "want genai.APIError"
			}
			if status == 429 && e.Status != "RESOURCE_EXHAUSTED" {
				return "want status RESOURCE_EXHAUSTED, got " + e.Status
			}
			return ""
		},
	}
	cases := []struct {
		name, prompt, message string
		status                int // 0: no error
	}{
		{"RateLimited", "This is expensive", "Quota exceeded for this project.", 429},
		{"DefaultMessage", "That is forbidden", "Forbidden", 403},
		{"NotMatching", "This is cheap", "", 0},
	}
	for name, ask := range sdkTexts(t, srv.URL, srv.Client()) {
		provider, _, _ := strings.Cut(name, "/")
		for _, c := range cases {
			t.Run(name+"/"+c.name, func(t *testing.T) {
				_, err := ask(models[provider], c.prompt)
				if c.status == 0 {
					if err != nil {
						t.Fatalf("a prompt no fixture matches must be answered, got %v", err)
					}
					return
				}
				if problem := check[provider](err, c.status, c.message); problem != "" {
					t.Fatalf("%s (%d %q), got %T %v", problem, c.status, c.message, err, err)
				}
			})
		}
	}
}

func TestScriptedTimesAndOrder(t *testing.T) {
	const script = `
- match: {contains: "Tell me"}
  text: "first, once"
  times: once
- match: {regex: "Tell me (a|the) story"}
  text: "second, twice"
  times: 2
- match: {contains: "Tell me"}
  text: "third, every time"
`
	want := []string{"first, once", "second, twice", "second, twice", "third, every time", "third, every time"}
	for _, name := range textEndpoints {
		t.Run(name, func(t *testing.T) {
			srv := mustServer(t, providers.Config{Fixtures: mustFixtures(t, script)})
			ask := sdkTexts(t, srv.URL, srv.Client())[name]
			provider, _, _ := strings.Cut(name, "/")
			for i, w := range want {
				got, err := ask(models[provider], "Tell me a story")
				if err != nil || got != w {
					t.Fatalf("request %d: expected %q, got %q %v", i+1, w, got, err)
				}
			}
			got, err := ask(models[provider], "Tell them nothing")
			if err != nil || got != providers.Answer(models[provider], "Tell them nothing") {
				t.Fatalf("a prompt no fixture matches must get the generated answer, got %q %v", got, err)
			}
		})
	}
}

// scriptedWords is a text long enough that a stream cut mid-way shows its first word only.
const scriptedWords = "SCRIPTED alpha beta gamma delta epsilon zeta eta theta iota"

func TestScriptedWithFaults(t *testing.T) {
	script := "- match: {contains: \"Assess\"}\n  text: " + scriptedWords + "\n" +
		"- match: {contains: \"Refuse\"}\n  error: {status: 402, message: \"Pay first.\"}\n"
	for _, tg := range targets() {
		t.Run(tg.provider, func(t *testing.T) {
			cases := []struct {
				name   string
				fault  fault.Fault
				stream bool
				check  func(t *testing.T, resp *http.Response, body string, err error)
			}{
				{"NoFault", fault.Fault{}, true, func(t *testing.T, resp *http.Response, body string, err error) {
					wantStatus(200)(t, resp, body, err)
					if !tg.terminated(body) || !strings.Contains(body, "SCRIPTED") || !strings.Contains(body, "iota") {
						t.Fatalf("expected the whole scripted stream, got\n%s", body)
					}
				}},
				{"LatencyThenFixture", fault.Fault{Latency: fault.Duration(time.Millisecond)}, false, func(t *testing.T, resp *http.Response, body string, err error) {
					wantStatus(200)(t, resp, body, err)
					if !strings.Contains(body, scriptedWords) {
						t.Fatalf("expected the scripted text after the latency, got %s", body)
					}
				}},
				{"FaultErrorWins", fault.Fault{Kind: fault.KindError}, false, wantStatus(500)},
				{"StreamDropCutsScriptedStream", fault.Fault{Kind: fault.KindStreamDrop}, true, func(t *testing.T, resp *http.Response, body string, err error) {
					wantBodyError(t, resp, body, err)
					if !strings.Contains(body, "SCRIPTED") || strings.Contains(body, "iota") || tg.terminated(body) {
						t.Fatalf("expected the scripted stream cut mid-way, got\n%s", body)
					}
				}},
				{"StreamErrorInScriptedStream", fault.Fault{Kind: fault.KindStreamError}, true, func(t *testing.T, resp *http.Response, body string, err error) {
					wantStatus(200)(t, resp, body, err)
					if !strings.Contains(body, "SCRIPTED") || !tg.streamError(body) || tg.terminated(body) {
						t.Fatalf("expected an error event in the scripted stream, got\n%s", body)
					}
				}},
			}
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					faults := mustFaults(t)
					if c.fault != (fault.Fault{}) {
						f := c.fault
						f.Target, f.Times = tg.provider, 1
						faults = mustFaults(t, f)
					}
					srv := mustServer(t, providers.Config{Faults: faults, Fixtures: mustFixtures(t, script)})
					url, body, headers := tg.request(srv.URL, c.stream)
					resp, got, err := send(t, t.Context(), srv.Client(), url, body, headers)
					c.check(t, resp, got, err)
					if len(faults.List()) != 0 {
						t.Fatalf("the fault was not applied: %+v", faults.List())
					}
				})
			}
			t.Run("LatencyThenScriptedError", func(t *testing.T) {
				faults := mustFaults(t, fault.Fault{Target: tg.provider, Latency: fault.Duration(time.Millisecond), Times: 1})
				srv := mustServer(t, providers.Config{Faults: faults, Fixtures: mustFixtures(t, script)})
				url, body, headers := tg.request(srv.URL, false)
				refuse := strings.ReplaceAll(string(mustJSON(t, body)), "Assess the risk", "Refuse it")
				resp, got, err := send(t, t.Context(), srv.Client(), url, json.RawMessage(refuse), headers)
				wantStatus(402)(t, resp, got, err)
				if !strings.Contains(got, "Pay first.") || len(faults.List()) != 0 {
					t.Fatalf("expected the scripted error after the latency fault, got %s (faults left %d)", got, len(faults.List()))
				}
			})
		})
	}
}

func TestScriptedToolCallStreamDrop(t *testing.T) {
	faults := mustFaults(t, fault.Fault{Target: "openai", Kind: fault.KindStreamDrop})
	script := "- match: {contains: \"Lyon\"}\n  tool_call: {name: get_weather, arguments: " + scriptedArgs + "}\n"
	srv := mustServer(t, providers.Config{Faults: faults, Fixtures: mustFixtures(t, script)})
	body := map[string]any{"model": "gpt-4o", "stream": true, "messages": []any{map[string]any{"role": "user", "content": "Lyon"}}}
	resp, got, err := send(t, t.Context(), srv.Client(), srv.URL+"/openai/v1/chat/completions", body, map[string]string{"Authorization": "Bearer k"})
	wantBodyError(t, resp, got, err)
	if !strings.Contains(got, `"name":"get_weather"`) || strings.Contains(got, "[DONE]") {
		t.Fatalf("expected the scripted tool-call stream cut mid-way, got\n%s", got)
	}
}

func TestScriptedChoices(t *testing.T) {
	set := mustFixtures(t, "- match: {contains: \"Pick\"}\n  text: Picked.\n  times: 2\n")
	srv := mustServer(t, providers.Config{Fixtures: set})
	body := map[string]any{"model": "gpt-4o", "n": 3, "messages": []any{map[string]any{"role": "user", "content": "Pick one"}}}
	resp, got := call(t, srv.Client(), "POST", srv.URL+"/openai/v1/chat/completions", body, map[string]string{"Authorization": "Bearer k"})
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, got)
	}
	v := decode(t, got)
	for i := range 3 {
		if text := dig(v, "choices", i, "message", "content"); text != "Picked." {
			t.Fatalf("choice %d: expected the scripted text, got %v", i, text)
		}
	}
	if left := *set.List()[0].Remaining; left != 1 {
		t.Fatalf("n=3 must spend one use, %d left", left)
	}
}
