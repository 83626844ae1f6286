package verify

// The cases meant to be refused: missing or bad credentials, and requests that break the contract.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

func (r *runner) authCases(op *spec.Operation) ([]*testCase, []string) {
	if op.Public() {
		return nil, nil
	}
	b := r.validBase(op)
	if b == nil {
		return nil, []string{"auth: no valid request to start from"}
	}
	var out []*testCase
	for _, mode := range []string{"none", "bad"} {
		c := *b
		c.phase, c.auth, c.header, c.valid = PhaseAuth, mode, b.header.Clone(), false
		c.query = cloneValues(b.query)
		if mode == "bad" {
			r.badCredentials(op, &c)
		}
		out = append(out, &c)
	}
	return out, nil
}

// badCredentials puts obviously invalid credentials of the operation's first security requirement in.
func (r *runner) badCredentials(op *spec.Operation, c *testCase) {
	for _, s := range op.Security[0] {
		switch {
		case s.Type == "apiKey" && s.In == "header":
			c.header.Set(s.Param, "invalid-api-key")
		case s.Type == "apiKey" && s.In == "query":
			c.query.Set(s.Param, "invalid-api-key")
		case s.Type == "apiKey" && s.In == "cookie":
			c.header.Set("Cookie", s.Param+"=invalid-api-key")
		case s.Type == "http" && s.Scheme == "basic":
			c.header.Set("Authorization", "Basic aW52YWxpZDppbnZhbGlk")
		default:
			c.header.Set("Authorization", "Bearer invalid.bearer.token")
		}
	}
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = slices.Clone(vs)
	}
	return out
}

// negativeCases makes a valid request invalid in one known way per case, keeping only those spec
// confirms are invalid.
func (r *runner) negativeCases(op *spec.Operation) ([]*testCase, []string) {
	b := r.validBase(op)
	if b == nil {
		return nil, []string{"negative: no valid request to start from"}
	}
	var cands []*testCase
	add := func(mutation string, f func(c *testCase)) {
		c := *b
		c.phase, c.mutation, c.valid = PhaseNegative, mutation, false
		c.header, c.query = b.header.Clone(), cloneValues(b.query)
		f(&c)
		cands = append(cands, &c)
	}
	for _, p := range op.Parameters {
		if p.In != "query" && p.In != "path" && p.In != "header" {
			continue
		}
		if p.Required && p.In != "path" {
			add(fmt.Sprintf("required %s parameter %s missing", p.In, p.Name), func(c *testCase) {
				c.query.Del(p.Name)
				c.header.Del(p.Name)
				if p.In == "header" {
					c.missingHeader = p.Name
				}
			})
		}
		if p.Schema == nil {
			continue
		}
		var bad string
		switch {
		case len(p.Schema.Enum) > 0:
			bad = "not-an-enum-value"
		case typeOf(p.Schema) == "integer" || typeOf(p.Schema) == "number":
			bad = "not-a-number"
		case typeOf(p.Schema) == "boolean":
			bad = "not-a-boolean"
		default:
			continue
		}
		add(fmt.Sprintf("%s parameter %s set to %q", p.In, p.Name, bad), func(c *testCase) {
			switch p.In {
			case "query":
				c.query.Set(p.Name, bad)
			case "header":
				c.header.Set(p.Name, bad)
			case "path":
				c.path = replaceParam(op.Path, b.path, p.Name, bad)
			}
		})
	}
	if _, schema := jsonMediaType(op); schema != nil && b.hasBody {
		var doc any
		if err := json.Unmarshal(b.body, &doc); err == nil {
			for _, m := range mutations(schema, doc, "", 0) {
				add(m.what, func(c *testCase) { c.body = m.body })
			}
		}
		add("malformed JSON body", func(c *testCase) { c.body = []byte(`{"unterminated": `) })
		if op.RequestBody.Required {
			add("required request body empty", func(c *testCase) { c.body = []byte{} })
		}
	}
	rng := rand.New(rand.NewPCG(uint64(seedFor(r.opts.Seed, op.ID, PhaseNegative)), 0))
	rng.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	var out []*testCase
	var notes []string
	for _, c := range cands {
		if len(out) >= r.max {
			break
		}
		if r.valid(c) == nil {
			notes = append(notes, fmt.Sprintf("negative: %s turned out valid, not sent", c.mutation))
			continue
		}
		out = append(out, c)
	}
	return out, notes
}

// replaceParam substitutes one path parameter of an already expanded path.
func replaceParam(template, expanded, name, value string) string {
	ts, es := strings.Split(template, "/"), strings.Split(expanded, "/")
	if len(ts) != len(es) {
		return expanded
	}
	for i := range ts {
		if ts[i] == "{"+name+"}" {
			es[i] = url.PathEscape(value)
		}
	}
	return strings.Join(es, "/")
}

func typeOf(s *base.Schema) string {
	for _, t := range s.Type {
		if t != "null" {
			return t
		}
	}
	return ""
}
