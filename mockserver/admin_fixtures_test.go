package mockserver_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/fixture"
)

func TestAdminFixtures(t *testing.T) {
	cfg := petsConfig(t)
	cfg.Providers = true
	cfg.LLMFixtures = []fixture.Fixture{{ID: "boot", Match: fixture.Match{Contains: "boot"}, Text: new("from the config")}}
	_, ts := mustServer(t, cfg)
	ask := func(prompt string) string {
		t.Helper()
		resp, body := call(t, ts, "POST", "/openai/v1/chat/completions",
			`{"model":"gpt-4o","messages":[{"role":"user","content":`+mustQuote(t, prompt)+`}]}`, "Authorization", "Bearer k")
		var out struct {
			Choices []struct {
				Message struct{ Content string } `json:"message"`
			} `json:"choices"`
		}
		if resp.StatusCode != 200 || json.Unmarshal(body, &out) != nil || len(out.Choices) != 1 {
			t.Fatalf("chat: %d %s", resp.StatusCode, body)
		}
		return out.Choices[0].Message.Content
	}
	if got := ask("boot it"); got != "from the config" {
		t.Fatalf("a Config.LLMFixtures fixture must answer, got %q", got)
	}
	resp, body := call(t, ts, "POST", "/__admin/llm/fixtures", `[{"match":{"contains":"ping"},"text":"pong","times":"once"},{"id":"mine","match":{"regex":"^ha+$"},"text":"ha!"}]`)
	var added struct {
		IDs      []string          `json:"ids"`
		Fixtures []fixture.Fixture `json:"fixtures"`
	}
	if resp.StatusCode != 201 || json.Unmarshal(body, &added) != nil || len(added.IDs) != 2 || added.IDs[1] != "mine" || added.IDs[0] == "" {
		t.Fatalf("expected 201 with two ids, got %d: %s", resp.StatusCode, body)
	}
	if got := ask("ping"); got != "pong" {
		t.Fatalf("expected the added fixture to answer, got %q", got)
	}
	if got := ask("ping"); got == "pong" {
		t.Fatal("a once fixture answered twice")
	}
	resp, body = call(t, ts, "GET", "/__admin/llm/fixtures", "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"id":"`+added.IDs[0]+`"`) || !strings.Contains(string(body), `"remaining":0,"used":1`) {
		t.Fatalf("expected the list with remaining uses, got %d: %s", resp.StatusCode, body)
	}
	if resp, body := call(t, ts, "GET", "/__admin/llm/fixtures/mine", ""); resp.StatusCode != 200 || !strings.Contains(string(body), `"regex":"^ha+$"`) {
		t.Fatalf("GET one: %d %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/llm/fixtures/mine", ""); resp.StatusCode != 204 {
		t.Fatalf("expected 204 removing, got %d", resp.StatusCode)
	}
	if got := ask("haaa"); got == "ha!" {
		t.Fatal("a removed fixture still answers")
	}
	for _, method := range []string{"GET", "DELETE"} {
		if resp, body := call(t, ts, method, "/__admin/llm/fixtures/mine", ""); resp.StatusCode != 404 || !strings.Contains(string(body), "fixture_not_found") {
			t.Fatalf("%s a missing fixture: expected a 404 problem, got %d: %s", method, resp.StatusCode, body)
		}
	}
	if resp, _ := call(t, ts, "DELETE", "/__admin/llm/fixtures", ""); resp.StatusCode != 204 {
		t.Fatalf("expected 204 clearing, got %d", resp.StatusCode)
	}
	if _, body := call(t, ts, "GET", "/__admin/llm/fixtures", ""); string(body) != "{\"fixtures\":[]}\n" {
		t.Fatalf("expected no fixtures, got %s", body)
	}
	if got := ask("boot it"); got == "from the config" {
		t.Fatal("a cleared fixture still answers")
	}
}

func TestAdminFixturesBadInput(t *testing.T) {
	cfg := petsConfig(t)
	cfg.Providers = true
	_, ts := mustServer(t, cfg)
	if resp, _ := call(t, ts, "POST", "/__admin/llm/fixtures", `{"id":"taken","text":"a"}`); resp.StatusCode != 201 {
		t.Fatalf("expected a one-object POST to be accepted, got %d", resp.StatusCode)
	}
	cases := []struct{ name, body, want string }{
		{"Empty", "", "send a fixture object"},
		{"EmptyList", "[]", "no fixtures given"},
		{"NotJSON", "{not json", "fixtures: line 1"},
		{"UnknownField", `{"text":"a","colour":"red"}`, "field colour not found"},
		{"NoAnswer", `{"match":{"contains":"x"}}`, "exactly one answer"},
		{"BadRegex", `{"match":{"regex":"a("},"text":"x"}`, `match.regex \"a(\" does not compile`},
		{"BadProvider", `{"provider":"openia","text":"x"}`, `provider \"openia\"`},
		{"BadStatus", `{"error":{"status":700}}`, "error.status 700"},
		{"DuplicateID", `{"id":"taken","text":"b"}`, "a fixture with this id exists"},
		{"OneBadInList", `[{"text":"ok"},{"times":-1,"text":"x"}]`, "times"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := call(t, ts, "POST", "/__admin/llm/fixtures", c.body)
			if resp.StatusCode != 400 || resp.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(string(body), c.want) {
				t.Fatalf("expected a 400 problem saying %q, got %d %s: %s", c.want, resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
		})
	}
	if _, body := call(t, ts, "GET", "/__admin/llm/fixtures", ""); strings.Count(string(body), `"id"`) != 1 {
		t.Fatalf("a rejected POST must add nothing, got %s", body)
	}
}

func TestNewRejectsBadLLMFixtures(t *testing.T) {
	cfg := mockserver.Config{LLMFixtures: []fixture.Fixture{{Match: fixture.Match{Regex: "a("}, Text: new("x")}}}
	if _, err := mockserver.New(cfg); err == nil || !strings.Contains(err.Error(), "llm fixtures: fixture 0: match.regex") {
		t.Fatalf("expected the bad regex named, got %v", err)
	}
}

func mustQuote(tb testing.TB, s string) string {
	tb.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}
