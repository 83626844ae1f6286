package providers

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ultra-kit/ultra/spec"
)

// maxSchemas bounds the compiled-schema cache; when full it is emptied and refilled.
const maxSchemas = 256

// schemas caches the JSON Schemas callers send (tool parameters, structured output), compiled by
// spec.CompileSchema, keyed by their bytes. A compile error is cached too.
type schemas struct {
	mu sync.Mutex
	m  map[string]compiled
}

type compiled struct {
	s   *spec.Schema
	err error
}

// get returns raw compiled. Library panics on odd schemas become errors.
func (c *schemas) get(raw []byte) (s *spec.Schema, err error) {
	key := string(raw)
	c.mu.Lock()
	if e, ok := c.m[key]; ok {
		c.mu.Unlock()
		return e.s, e.err
	}
	c.mu.Unlock()
	func() {
		defer func() {
			if r := recover(); r != nil {
				s, err = nil, fmt.Errorf("%w: %v", spec.ErrBadSchema, r)
			}
		}()
		s, err = spec.CompileSchema(raw)
	}()
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= maxSchemas {
		c.m = make(map[string]compiled)
	}
	c.m[key] = compiled{s, err}
	return s, err
}

// generate returns a JSON value valid against raw (an empty or null schema allows any object: {}),
// the same for the same seed.
func (c *schemas) generate(raw []byte, seed int64) ([]byte, error) {
	if isEmptyJSON(raw) {
		return []byte("{}"), nil
	}
	s, err := c.get(raw)
	if err != nil {
		return nil, err
	}
	v, err := func() (v []byte, err error) {
		defer func() {
			if r := recover(); r != nil {
				v, err = nil, fmt.Errorf("no value could be generated: %v", r)
			}
		}()
		return s.Generate(seed)
	}()
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if json.Compact(&buf, v) == nil {
		v = buf.Bytes()
	}
	return v, nil
}

// isEmptyJSON reports whether raw is absent, null or {}.
func isEmptyJSON(raw []byte) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null" || string(t) == "{}"
}

// errNotStrict is wrapped by checkStrict.
var errNotStrict = errors.New("schema is not valid for strict mode")

// checkStrict applies the rules OpenAI's strict mode imposes on a schema: every object sets
// additionalProperties false and lists every property as required. The error names the first
// offending place ("properties.address").
func checkStrict(raw []byte) error {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("%w: not JSON", errNotStrict)
	}
	return strictWalk(v, "")
}

// strictWalk checks the schema v found at path at, then the schemas it holds.
func strictWalk(v any, at string) error {
	t, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	props, hasProps := t["properties"].(map[string]any)
	if hasProps || t["type"] == "object" {
		if ap, set := t["additionalProperties"]; !set || ap != false {
			return fmt.Errorf("%w: In context=(%s), 'additionalProperties' is required to be supplied and to be false", errNotStrict, at)
		}
		req := map[string]bool{}
		list, _ := t["required"].([]any)
		for _, r := range list {
			if s, ok := r.(string); ok {
				req[s] = true
			}
		}
		for _, name := range sortedNames(props) {
			if !req[name] {
				return fmt.Errorf("%w: In context=(%s), 'required' is required to be supplied and to be an array including every key in properties. Missing '%s'", errNotStrict, at, name)
			}
		}
	}
	join := func(k string) string { return strings.TrimPrefix(at+"."+k, ".") }
	for _, k := range []string{"properties", "$defs", "definitions"} {
		m, _ := t[k].(map[string]any)
		for _, name := range sortedNames(m) {
			if err := strictWalk(m[name], join(k+"."+name)); err != nil {
				return err
			}
		}
	}
	for _, k := range []string{"items", "additionalProperties", "not"} {
		if err := strictWalk(t[k], join(k)); err != nil {
			return err
		}
	}
	for _, k := range []string{"anyOf", "allOf", "oneOf", "prefixItems"} {
		list, _ := t[k].([]any)
		for i, e := range list {
			if err := strictWalk(e, fmt.Sprintf("%s[%d]", join(k), i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedNames(m map[string]any) []string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}
