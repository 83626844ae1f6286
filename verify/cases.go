package verify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

// testCase is one request to send and what it is meant to show.
type testCase struct {
	phase       string
	op          *spec.Operation
	path        string // expanded, relative to the document's server
	query       url.Values
	header      http.Header // the operation's own header parameters
	body        []byte
	hasBody     bool
	contentType string
	mutation    string // negative cases: what was made invalid
	auth        string // auth phase: "none" or "bad"
	seed        int64
	// valid says the request conforms to the contract, so positive_data_acceptance judges it.
	valid bool
	// missingHeader names the required header deliberately left out (missing_required_header).
	missingHeader string
	// method, when set, is an HTTP method the path does not document (unsupported_method).
	method string
	// note says what a coverage or stateful case is about.
	note string
	// step is the case's place in a stateful sequence; history holds the earlier steps as curls, with
	// the values captured from their responses.
	step    string
	history []string
}

// sentMethod is the HTTP method the case is sent with.
func (c *testCase) sentMethod() string {
	if c.method != "" {
		return c.method
	}
	return c.op.Method
}

func (c *testCase) key() string {
	var h strings.Builder
	keys := make([]string, 0, len(c.header))
	for k := range c.header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h.WriteString(k + "=" + strings.Join(c.header[k], ",") + ";")
	}
	return c.sentMethod() + " " + c.path + "?" + c.query.Encode() + "\x00" + h.String() + "\x00" + c.contentType + "\x00" + string(c.body) + "\x00" + c.auth
}

// reserved headers are set by verify itself, never generated from parameters.
var reserved = map[string]bool{"Authorization": true, "Content-Type": true, "Accept": true, "Content-Length": true, "Cookie": true}

// casesFor builds the requests of one phase for an operation, with notes on what was skipped.
func (r *runner) casesFor(op *spec.Operation, phase string) ([]*testCase, []string) {
	switch phase {
	case PhaseExamples:
		return r.exampleCases(op)
	case PhaseCoverage:
		return r.coverageCases(op)
	case PhasePositive:
		return r.positiveCases(op)
	case PhaseNegative:
		return r.negativeCases(op)
	case PhaseAuth:
		return r.authCases(op)
	}
	return nil, nil
}

// jsonMediaType picks the request media type verify can build bodies for.
func jsonMediaType(op *spec.Operation) (string, *base.Schema) {
	if op.Model.RequestBody == nil || op.Model.RequestBody.Content == nil {
		return "", nil
	}
	for c := op.Model.RequestBody.Content.First(); c != nil; c = c.Next() {
		if strings.Contains(strings.ToLower(c.Key()), "json") {
			var s *base.Schema
			if c.Value().Schema != nil {
				s = c.Value().Schema.Schema()
			}
			return c.Key(), s
		}
	}
	return "", nil
}

// baseCase fills in parameters; withOptional adds the optional ones, examples prefers documented values.
func (r *runner) baseCase(op *spec.Operation, phase string, seed int64, withOptional, examples bool) (*testCase, error) {
	c := &testCase{phase: phase, op: op, query: url.Values{}, header: http.Header{}, seed: seed}
	path := op.Path
	for i, p := range op.Parameters {
		if !p.Required && !withOptional {
			continue
		}
		if p.In == "header" && (reserved[http.CanonicalHeaderKey(p.Name)] || r.opts.Header.Get(p.Name) != "") {
			continue
		}
		if p.In == "cookie" {
			continue
		}
		vals, err := r.paramValues(op, p, seed+int64(i)*31, examples)
		if err != nil {
			if !p.Required {
				continue
			}
			return nil, fmt.Errorf("parameter %s: %w", p.Name, err)
		}
		switch p.In {
		case "path":
			path = strings.ReplaceAll(path, "{"+p.Name+"}", url.PathEscape(strings.Join(vals, ",")))
		case "query":
			c.query[p.Name] = vals
		case "header":
			c.header.Set(p.Name, strings.Join(vals, ","))
		}
	}
	c.path = path
	return c, nil
}

// paramValues gives a parameter's value: --param, a documented example, or one generated from its schema.
func (r *runner) paramValues(op *spec.Operation, p spec.Parameter, seed int64, examples bool) ([]string, error) {
	if v, ok := r.opts.Params[p.Name]; ok {
		return []string{v}, nil
	}
	if examples {
		for _, mp := range op.Model.Parameters {
			if mp == nil || mp.Name != p.Name || mp.In != p.In {
				continue
			}
			if mp.Example != nil && mp.Example.Value != "" {
				return []string{mp.Example.Value}, nil
			}
			if mp.Examples != nil {
				for e := mp.Examples.First(); e != nil; e = e.Next() {
					if e.Value() != nil && e.Value().Value != nil && e.Value().Value.Value != "" {
						return []string{e.Value().Value.Value}, nil
					}
				}
			}
		}
	}
	if p.Schema == nil {
		return nil, errors.New("no schema to generate a value from")
	}
	b, err := r.doc.Generate(p.Schema, seed)
	if err != nil {
		return nil, err
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, scalar(e))
		}
		return out, nil
	case map[string]any:
		return nil, errors.New("object parameters are not supported")
	default:
		return []string{scalar(x)}, nil
	}
}

func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// valid re-validates a built request with spec, ignoring missing credentials (supplied by the caller's
// headers or deliberately absent). It returns nil or the violations.
func (r *runner) valid(c *testCase) error {
	req, err := r.docRequest(c)
	if err != nil {
		return err
	}
	err = c.op.ValidateRequest(req)
	var ve spec.ValidationErrors
	if errors.As(err, &ve) {
		if rest := ve.Without(spec.InSecurity); len(rest) > 0 {
			return rest
		}
		return nil
	}
	return err
}

func (r *runner) exampleCases(op *spec.Operation) ([]*testCase, []string) {
	var out []*testCase
	var notes []string
	seed := seedFor(r.opts.Seed, op.ID, PhaseExamples)
	mt, _ := jsonMediaType(op)
	var bodies []spec.Example
	if op.RequestBody != nil {
		exs, err := op.RequestExamples(seed)
		if err != nil {
			notes = append(notes, fmt.Sprintf("examples: %v", err))
		}
		for _, e := range exs {
			if e.MediaType == mt && !e.Generated {
				bodies = append(bodies, e)
			}
		}
		if len(bodies) == 0 {
			notes = append(notes, "examples: no documented request example")
			if op.RequestBody.Required {
				return nil, notes
			}
		}
	}
	if len(bodies) == 0 {
		bodies = []spec.Example{{}}
	}
	for i, b := range bodies {
		c, err := r.baseCase(op, PhaseExamples, seed+int64(i), true, true)
		if err != nil {
			notes = append(notes, fmt.Sprintf("examples: %v", err))
			continue
		}
		if b.Body != nil {
			c.body, c.hasBody, c.contentType = b.Body, true, b.MediaType
		}
		if err := r.valid(c); err != nil {
			notes = append(notes, fmt.Sprintf("examples: example %q does not match the contract, not sent: %v", b.Name, err))
			continue
		}
		c.valid = true
		out = append(out, c)
	}
	return out, notes
}

func (r *runner) positiveCases(op *spec.Operation) ([]*testCase, []string) {
	return r.generated(op, r.max)
}

// generated builds up to n distinct valid requests from the schemas.
func (r *runner) generated(op *spec.Operation, n int) ([]*testCase, []string) {
	var out []*testCase
	var notes []string
	seen := map[string]bool{}
	mt, schema := jsonMediaType(op)
	if op.RequestBody != nil && op.RequestBody.Required && schema == nil {
		return nil, []string{"positive: no JSON request schema to generate a body from"}
	}
	for i := 0; i < n; i++ {
		seed := seedFor(r.opts.Seed, op.ID, PhasePositive, strconv.Itoa(i))
		c, err := r.baseCase(op, PhasePositive, seed, i%2 == 1, false)
		if err != nil {
			notes = append(notes, fmt.Sprintf("positive: %v", err))
			continue
		}
		if schema != nil {
			b, err := r.doc.Generate(schema, seed)
			if err != nil {
				notes = append(notes, fmt.Sprintf("positive: request body: %v", err))
				continue
			}
			c.body, c.hasBody, c.contentType = b, true, mt
		}
		if seen[c.key()] {
			continue
		}
		seen[c.key()] = true
		if err := r.valid(c); err != nil {
			notes = append(notes, fmt.Sprintf("positive: generated request does not match the contract, skipped: %v", err))
			continue
		}
		c.valid = true
		out = append(out, c)
	}
	return out, notes
}

// validBase is the first valid request for an operation: a documented example, else a generated one.
func (r *runner) validBase(op *spec.Operation) *testCase {
	if cs, _ := r.exampleCases(op); len(cs) > 0 {
		return cs[0]
	}
	cs, _ := r.generated(op, 3)
	if len(cs) > 0 {
		return cs[0]
	}
	return nil
}
