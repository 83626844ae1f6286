package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/ultra-kit/ultra/mockserver"
	"github.com/ultra-kit/ultra/mockserver/fixture"
)

// providerAnswers applies what decides the provider mocks' answers besides generating them: cassettes
// recorded or replayed (--record, --replay) and scripted fixtures (--llm-fixtures). It returns the
// start-up line of each.
func providerAnswers(cfg *mockserver.Config, tape *tapeFlags, fixturesFile string) (tapeLine, fixturesLine string, err error) {
	if fixturesLine, err = loadLLMFixtures(cfg, fixturesFile); err != nil {
		return "", "", err
	}
	tapeLine, err = tape.apply(cfg)
	return tapeLine, fixturesLine, err
}

// loadLLMFixtures reads the --llm-fixtures file into cfg and returns the line `ultra mock` prints
// about it at start-up ("" without the flag). A file that cannot be used is exit status 2 with one
// line: "mock: FILE:LINE: reason" (the line when the YAML gives it), naming an unknown field or a
// regular expression that does not compile.
func loadLLMFixtures(cfg *mockserver.Config, file string) (string, error) {
	if file == "" {
		return "", nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return "", usageErr("mock: --llm-fixtures: %v", err)
	}
	list, err := fixture.Parse(data)
	if err != nil {
		var le *fixture.LineError
		if errors.As(err, &le) && le.Line > 0 {
			return "", usageErr("mock: %s:%d: %v", file, le.Line, le.Err)
		}
		return "", usageErr("mock: %s: %v", file, err)
	}
	if len(list) == 0 {
		return "", usageErr("mock: %s: no fixtures (want {\"fixtures\": [...]} or a list)", file)
	}
	cfg.LLMFixtures = list
	return fixturesLine(*cfg, file), nil
}

// fixturesLine is what `ultra mock` prints at start-up about the fixtures of file.
func fixturesLine(cfg mockserver.Config, file string) string {
	if !cfg.Providers {
		return fmt.Sprintf("ultra mock: %d scripted LLM answers from %s (unused: --no-providers)\n", len(cfg.LLMFixtures), file)
	}
	return fmt.Sprintf("ultra mock: %d scripted LLM answers from %s (admin at /__admin/llm/fixtures)\n", len(cfg.LLMFixtures), file)
}
