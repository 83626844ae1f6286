package spec

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi-validator/config"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/schema_validation"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/pb33f/libopenapi/renderer"
)

// generateAttempts is how many seeds Generate tries before giving up on a schema.
const generateAttempts = 12

// ExampleQuery selects a response example. The zero value asks for the lowest documented 2xx status,
// its first media type and its first example (generated from the schema when there is none).
type ExampleQuery struct {
	// Status is "404", "4XX" or "default"; empty means the lowest 2xx (else the lowest documented).
	Status string
	// MediaType is the exact media type; empty means the response's first one.
	MediaType string
	// Name selects a named example; empty means the first.
	Name string
	// Dynamic generates a value from the schema even when examples exist.
	Dynamic bool
	// Seed makes generation deterministic; 0 derives a seed from the operation.
	Seed int64
}

// Example is a body ready to serve.
type Example struct {
	Status    int
	MediaType string // empty when the response has no content
	Name      string // the example's name, "" for generated or unnamed
	Body      []byte // JSON for JSON media types, the text itself for text/* strings
	Generated bool
}

// Response finds the documented response for a status: the exact code, then its range ("4XX"), then
// default. ok is false when the operation documents none of them.
func (op *Operation) Response(status int) (Response, bool) {
	code := strconv.Itoa(status)
	rng := code[:1] + "XX"
	var def *Response
	for i := range op.Responses {
		r := &op.Responses[i]
		switch r.Status {
		case code:
			return *r, true
		case "default":
			def = r
		}
	}
	for _, r := range op.Responses {
		if r.Status == rng {
			return r, true
		}
	}
	if def != nil {
		return *def, true
	}
	return Response{}, false
}

// DefaultResponse is the response a mock serves by default: the lowest 2xx, else the lowest documented
// status, else default.
func (op *Operation) DefaultResponse() (Response, int, bool) {
	best, bestCode := -1, 0
	for i, r := range op.Responses {
		n := statusNumber(r.Status)
		if n == 0 {
			continue
		}
		success := n >= 200 && n < 300
		if best < 0 || (success && (bestCode < 200 || bestCode >= 300 || n < bestCode)) || (!success && (bestCode < 200 || bestCode >= 300) && n < bestCode) {
			best, bestCode = i, n
		}
	}
	if best >= 0 {
		return op.Responses[best], bestCode, true
	}
	for _, r := range op.Responses {
		if r.Status == "default" {
			return r, 200, true
		}
	}
	return Response{}, 0, false
}

// Example returns a response body for the query. Errors: ErrNoResponse when the status is not
// documented, ErrNoExample when the media type has no example and no schema, or a generation error.
func (op *Operation) Example(q ExampleQuery) (*Example, error) {
	var resp Response
	var status int
	var ok bool
	switch {
	case q.Status == "":
		resp, status, ok = op.DefaultResponse()
	case q.Status == "default":
		for _, r := range op.Responses {
			if r.Status == "default" {
				resp, status, ok = r, 500, true
			}
		}
	default:
		status = statusNumber(q.Status)
		if status >= 100 {
			resp, ok = op.Response(status)
		}
	}
	if !ok {
		return nil, fmt.Errorf("%s: status %s: %w", op.ID, q.Status, ErrNoResponse)
	}
	ex := &Example{Status: status}
	if resp.Model == nil || resp.Model.Content == nil || resp.Model.Content.Len() == 0 {
		return ex, nil
	}
	mt := q.MediaType
	if mt == "" {
		mt = resp.MediaTypes[0]
	}
	media, found := resp.Model.Content.Get(mt)
	if !found {
		return nil, fmt.Errorf("%s: status %d has no media type %s: %w", op.ID, status, mt, ErrNoResponse)
	}
	ex.MediaType = mt
	seed := q.Seed
	if seed == 0 {
		seed = seedFor(op.ID, ex.Status)
	}
	body, name, generated, err := op.doc.mediaExample(media, mt, q.Name, q.Dynamic, seed)
	if err != nil {
		return nil, fmt.Errorf("%s %d %s: %w", op.ID, status, mt, err)
	}
	ex.Body, ex.Name, ex.Generated = body, name, generated
	return ex, nil
}

// RequestExamples returns the request body examples per media type, generating one from the schema for
// media types that have none.
func (op *Operation) RequestExamples(seed int64) ([]Example, error) {
	if op.Model.RequestBody == nil || op.Model.RequestBody.Content == nil {
		return nil, nil
	}
	var out []Example
	for c := op.Model.RequestBody.Content.First(); c != nil; c = c.Next() {
		media := c.Value()
		if media.Examples != nil && media.Examples.Len() > 0 {
			for e := media.Examples.First(); e != nil; e = e.Next() {
				if e.Value() == nil || e.Value().Value == nil {
					continue
				}
				body, err := nodeBody(e.Value().Value, c.Key())
				if err != nil {
					return nil, err
				}
				out = append(out, Example{MediaType: c.Key(), Name: e.Key(), Body: body})
			}
			continue
		}
		body, name, generated, err := op.doc.mediaExample(media, c.Key(), "", false, seed)
		if err != nil {
			return nil, fmt.Errorf("%s request %s: %w", op.ID, c.Key(), err)
		}
		out = append(out, Example{MediaType: c.Key(), Name: name, Body: body, Generated: generated})
	}
	return out, nil
}

// mediaExample picks a named example, the first example, the media type's example, the schema's
// example, or a generated value, in that order (Dynamic goes straight to generation).
func (d *Document) mediaExample(media *v3.MediaType, mediaType, name string, dynamic bool, seed int64) ([]byte, string, bool, error) {
	if !dynamic {
		if media.Examples != nil && media.Examples.Len() > 0 {
			if name != "" {
				e, ok := media.Examples.Get(name)
				if !ok || e == nil {
					return nil, "", false, fmt.Errorf("example %q: %w (have %s)", name, ErrNoExample, strings.Join(exampleNames(media.Examples), ", "))
				}
				b, err := nodeBody(e.Value, mediaType)
				return b, name, false, err
			}
			for e := media.Examples.First(); e != nil; e = e.Next() {
				if e.Value() != nil && e.Value().Value != nil {
					b, err := nodeBody(e.Value().Value, mediaType)
					return b, e.Key(), false, err
				}
			}
		} else if name != "" {
			return nil, "", false, fmt.Errorf("example %q: %w", name, ErrNoExample)
		}
		if media.Example != nil {
			b, err := nodeBody(media.Example, mediaType)
			return b, "", false, err
		}
	}
	if media.Schema == nil {
		return nil, "", false, ErrNoExample
	}
	schema := media.Schema.Schema()
	if schema == nil {
		return nil, "", false, fmt.Errorf("schema: %w", ErrNoExample)
	}
	b, err := d.Generate(schema, seed)
	if err != nil {
		return nil, "", false, err
	}
	if isText(mediaType) {
		var s string
		if json.Unmarshal(b, &s) == nil {
			return []byte(s), "", true, nil
		}
	}
	return b, "", true, nil
}

func exampleNames(m *orderedmap.Map[string, *base.Example]) []string {
	var out []string
	for e := m.First(); e != nil; e = e.Next() {
		out = append(out, e.Key())
	}
	sort.Strings(out)
	return out
}

func isText(mediaType string) bool {
	mt := strings.ToLower(mediaType)
	return strings.HasPrefix(mt, "text/") && !strings.Contains(mt, "json")
}

// generator holds libopenapi's mock renderer and a schema validator; use it under Document.render.
type generator struct {
	render    *renderer.SchemaRenderer
	validator schema_validation.SchemaValidator
}

func (d *Document) gen() *generator {
	d.genOnce.Do(func() {
		r := renderer.CreateRendererUsingDictionary("") // no dictionary: deterministic on every machine
		r.DisableRequiredCheck()
		d.generator = &generator{render: r, validator: schema_validation.NewSchemaValidator(
			config.WithFormatAssertions(), config.WithSchemaCache(d.schemas), config.WithSchemaResourceCache(d.resources))}
	})
	return d.generator
}

// Generate renders a JSON value for a schema with libopenapi's mock renderer, repairs what the
// renderer gets wrong (const, formats, bounds, oneOf branches, required properties...) and checks the
// result against the schema, trying other seeds and branches until one validates. The same seed gives
// the same value. The error lists the violations of the last attempt.
func (d *Document) Generate(schema *base.Schema, seed int64) ([]byte, error) {
	g := d.gen()
	d.render.Lock()
	defer d.render.Unlock()
	version := versionFloat(d.effective)
	var lastErr error
	for i := int64(0); i < generateAttempts; i++ {
		s := seed + i*7919
		g.render.SetSeed(s)
		r := &repairer{render: g.render, rnd: rand.New(rand.NewSource(s)), random: i > 0}
		v, err := g.render.RenderSchemaWithError(schema)
		if err != nil {
			lastErr = err
			continue
		}
		b, err := json.Marshal(r.fix(schema, normalize(v), 0))
		if err != nil {
			lastErr = err
			continue
		}
		ok, verrs := g.validator.ValidateSchemaBytesWithVersion(schema, b, version)
		if ok {
			return b, nil
		}
		lastErr = convert(verrs)
	}
	return nil, fmt.Errorf("generate: no valid value in %d attempts: %w", generateAttempts, lastErr)
}

func seedFor(id string, status int) int64 {
	var h int64 = 1469598103
	for i := 0; i < len(id); i++ {
		h = h*31 + int64(id[i])
	}
	return h*1000 + int64(status)
}

// nodeBody renders an example's YAML value as JSON (keys in document order), or as raw text for text
// media types holding a string.
func nodeBody(n *yaml.Node, mediaType string) ([]byte, error) {
	if n.Kind == yaml.ScalarNode && isText(mediaType) {
		return []byte(n.Value), nil
	}
	var buf bytes.Buffer
	if err := writeJSON(&buf, n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func writeJSON(buf *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			buf.WriteString("null")
			return nil
		}
		return writeJSON(buf, n.Content[0])
	case yaml.AliasNode:
		return writeJSON(buf, n.Alias)
	case yaml.MappingNode:
		buf.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				buf.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			buf.Write(k)
			buf.WriteByte(':')
			if err := writeJSON(buf, n.Content[i+1]); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case yaml.SequenceNode:
		buf.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := writeJSON(buf, c); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			buf.WriteString("null")
		case "!!bool":
			b, err := strconv.ParseBool(strings.ToLower(n.Value))
			if err != nil {
				return fmt.Errorf("line %d: bad boolean %q", n.Line, n.Value)
			}
			buf.WriteString(strconv.FormatBool(b))
		case "!!int", "!!float":
			var num json.Number = json.Number(n.Value)
			if _, err := strconv.ParseFloat(n.Value, 64); err != nil {
				if i, err := strconv.ParseInt(n.Value, 0, 64); err == nil {
					num = json.Number(strconv.FormatInt(i, 10))
				} else {
					return fmt.Errorf("line %d: bad number %q", n.Line, n.Value)
				}
			}
			buf.WriteString(num.String())
		default:
			s, _ := json.Marshal(n.Value)
			buf.Write(s)
		}
	}
	return nil
}

func versionFloat(v string) float32 { return helpers.VersionToFloat(v) }
