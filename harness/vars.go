package harness

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// placeholder matches {NAME}, {env:VAR}, {uuid} and {now}. JSON ({"a": 1}) never matches: a name
// starts with a letter or underscore and holds no quote.
var placeholder = regexp.MustCompile(`\{(env:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_.-]*)\}`)

// interpolate replaces the placeholders of text: {NAME} by the scenario's saved variable, {env:VAR}
// by the variable read through getenv, {uuid} by a fresh random UUID and {now} by the current UTC
// time in RFC 3339. A saved variable named uuid or now wins over the built-in. It returns an error
// naming the variables that exist when one is unknown, and naming the environment variable when it is
// unset.
func (s *scenario) interpolate(text string) (string, error) {
	if !strings.Contains(text, "{") {
		return text, nil
	}
	var err error
	out := placeholder.ReplaceAllStringFunc(text, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := s.vars[name]; ok {
			return v
		}
		if env, ok := strings.CutPrefix(name, "env:"); ok {
			v := ""
			if s.getenv != nil {
				v = s.getenv(env)
			}
			if v == "" && err == nil {
				err = fmt.Errorf("expected the environment variable %s to be set for {%s}, got it unset or empty", env, name)
			}
			return v
		}
		switch name {
		case "uuid":
			return uuid.NewString()
		case "now":
			return time.Now().UTC().Format(time.RFC3339)
		}
		if err == nil {
			err = fmt.Errorf("expected a saved variable for {%s}, got none by that name (saved: %s)", name, s.varNames())
		}
		return m
	})
	return out, err
}

// varNames lists the saved variables for error messages.
func (s *scenario) varNames() string {
	if len(s.vars) == 0 {
		return "none; save one with: I save the response field \"PATH\" as \"NAME\""
	}
	return strings.Join(slices.Sorted(maps.Keys(s.vars)), ", ")
}

// interpolateAll interpolates each string in place, stopping at the first error.
func (s *scenario) interpolateAll(ps ...*string) error {
	for _, p := range ps {
		v, err := s.interpolate(*p)
		if err != nil {
			return err
		}
		*p = v
	}
	return nil
}
