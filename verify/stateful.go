package verify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"

	"github.com/ultra-kit/ultra/spec"
)

// Steps of a stateful sequence, as checks see them.
const (
	stepCreate          = "create"
	stepReadAfterCreate = "read-after-create"
	stepReadListed      = "read-listed"
	stepUpdate          = "update"
	stepReadAfterUpdate = "read-after-update"
	stepDelete          = "delete"
	stepReadAfterDelete = "read-after-delete"
)

// sequence is a create (or list) operation and the item operations its responses feed.
type sequence struct {
	source            *spec.Operation // POST /things, or GET /things for a listed id
	read, update, del *spec.Operation // on /things/{param}; any may be nil
	param             string
	link              string // the OpenAPI link's runtime expression for param; "" means inferred
	listed            bool   // source is a list: its first item's id is read back
}

// sequences finds the stateful sequences of a document: from the OpenAPI links of a create
// operation's responses when it has any, else inferred from the paths (POST /things feeds
// GET/PUT/PATCH/DELETE /things/{id}; GET /things feeds GET /things/{id}).
func (r *runner) sequences(ops []*spec.Operation) []sequence {
	var out []sequence
	for _, src := range ops {
		if (src.Method != "POST" && src.Method != "GET") || strings.HasSuffix(src.Path, "}") {
			continue
		}
		s := sequence{source: src, listed: src.Method == "GET"}
		for _, op := range ops {
			param, ok := itemOf(src.Path, op.Path)
			if !ok {
				continue
			}
			s.param = param
			switch op.Method {
			case "GET":
				s.read = op
			case "PUT", "PATCH":
				if s.update == nil || op.Method == "PUT" {
					s.update = op
				}
			case "DELETE":
				s.del = op
			}
		}
		if s.listed {
			s.update, s.del = nil, nil
		}
		if s.read == nil && (s.listed || s.del == nil) {
			continue
		}
		s.link = linkExpression(src, s)
		out = append(out, s)
	}
	return out
}

// itemOf reports whether item is collection plus one path parameter, and names it.
func itemOf(collection, item string) (string, bool) {
	rest, ok := strings.CutPrefix(item, strings.TrimSuffix(collection, "/")+"/")
	if !ok || !strings.HasPrefix(rest, "{") || !strings.HasSuffix(rest, "}") || strings.Contains(rest, "/") {
		return "", false
	}
	return rest[1 : len(rest)-1], true
}

// linkExpression is the runtime expression a documented link gives the item parameter, if any.
func linkExpression(src *spec.Operation, s sequence) string {
	for _, resp := range src.Responses {
		if resp.Model == nil || !strings.HasPrefix(resp.Status, "2") || resp.Model.Links == nil {
			continue
		}
		for l := resp.Model.Links.First(); l != nil; l = l.Next() {
			link := l.Value()
			if link == nil || link.Parameters == nil {
				continue
			}
			for _, target := range []*spec.Operation{s.read, s.update, s.del} {
				if target != nil && target.ID == link.OperationId {
					if expr, ok := link.Parameters.Get(s.param); ok {
						return expr
					}
				}
			}
		}
	}
	return ""
}

// capture takes the item id from a create or list response, saying where it came from.
func (s sequence) capture(x *exchange) (string, string, bool) {
	var body any
	json.Unmarshal(x.body, &body)
	if s.link != "" {
		return evalLink(s.link, x, body)
	}
	if s.listed {
		body = firstListed(body)
	}
	obj, _ := body.(map[string]any)
	for _, name := range []string{s.param, "id", strings.TrimSuffix(strings.TrimSuffix(s.param, "Id"), "_id")} {
		if v, ok := obj[name]; ok && v != nil {
			return scalar(v), "response body /" + name, true
		}
	}
	if loc := x.header.Get("Location"); loc != "" && !s.listed {
		if u, err := url.Parse(loc); err == nil && path.Base(u.Path) != "/" {
			return path.Base(u.Path), "Location header", true
		}
	}
	return "", "", false
}

// evalLink evaluates the runtime expressions verify supports: $response.body#/ptr and
// $response.header.Name.
func evalLink(expr string, x *exchange, body any) (string, string, bool) {
	if ptr, ok := strings.CutPrefix(expr, "$response.body#"); ok {
		if v := lookup(body, ptr); v != nil {
			return scalar(v), "link " + expr, true
		}
	}
	if name, ok := strings.CutPrefix(expr, "$response.header."); ok && x.header.Get(name) != "" {
		return x.header.Get(name), "link " + expr, true
	}
	return "", "", false
}

// firstListed finds the first object of a list response: the body itself or its first array field.
func firstListed(body any) any {
	if arr, ok := body.([]any); ok && len(arr) > 0 {
		return arr[0]
	}
	if obj, ok := body.(map[string]any); ok {
		for _, v := range obj {
			if arr, ok := v.([]any); ok && len(arr) > 0 {
				return arr[0]
			}
		}
	}
	return nil
}

// runStateful runs every sequence and records each step on its own operation's result.
func (r *runner) runStateful(ctx context.Context, ops []*spec.Operation, results []*OperationResult) {
	byID := map[string]*OperationResult{}
	for _, res := range results {
		byID[res.ID] = res
	}
	for _, s := range r.sequences(ops) {
		for i := 0; i < min(r.max, 2) && ctx.Err() == nil; i++ {
			r.runSequence(ctx, s, byID, seedFor(r.opts.Seed, s.source.ID, PhaseStateful, fmt.Sprint(i)))
		}
	}
}

// runSequence runs create → read → update → read → delete → read (or list → read), stopping when a
// step that later ones depend on does not succeed.
func (r *runner) runSequence(ctx context.Context, s sequence, results map[string]*OperationResult, seed int64) {
	var history []string
	first := r.stepCase(s.source, "", "", stepCreate, seed)
	if first == nil {
		return
	}
	if s.listed {
		first.step = ""
	}
	x, curl := r.execute(ctx, results[s.source.ID], first)
	if x == nil || x.status < 200 || x.status >= 300 {
		return
	}
	id, from, ok := s.capture(x)
	if !ok {
		return
	}
	history = append(history, curl, fmt.Sprintf("# captured %s=%s from %s", s.param, id, from))
	readStep := stepReadAfterCreate
	if s.listed {
		readStep = stepReadListed
	}
	steps := []struct {
		op   *spec.Operation
		step string
	}{{s.read, readStep}, {s.update, stepUpdate}, {s.read, stepReadAfterUpdate}, {s.del, stepDelete}, {s.read, stepReadAfterDelete}}
	ran := map[string]bool{}
	for _, st := range steps {
		needs := map[string]string{stepReadAfterUpdate: stepUpdate, stepReadAfterDelete: stepDelete}[st.step]
		if st.op == nil || ctx.Err() != nil || (needs != "" && !ran[needs]) {
			continue
		}
		c := r.stepCase(st.op, s.param, id, st.step, seed)
		if c == nil {
			return
		}
		c.history = append([]string(nil), history...)
		c.note = fmt.Sprintf("%s %s with %s=%s captured from %s %s", st.op.Method, st.op.Path, s.param, id, s.source.Method, s.source.Path)
		x, curl := r.execute(ctx, results[st.op.ID], c)
		history = append(history, curl)
		// A step that did not succeed says nothing about reading the resource after it.
		ran[st.step] = x != nil && x.status >= 200 && x.status < 300
	}
}

// stepCase builds a valid request for one step, with the captured id in the item parameter.
func (r *runner) stepCase(op *spec.Operation, param, id, step string, seed int64) *testCase {
	var c *testCase
	if op.RequestBody != nil {
		c = r.validBase(op)
	} else if b, err := r.baseCase(op, PhaseStateful, seed, false, true); err == nil {
		c = b
	}
	if c == nil {
		return nil
	}
	c = c.derive(PhaseStateful)
	c.step = step
	c.valid = step != stepReadAfterDelete
	if param != "" {
		c.path = replaceParam(op.Path, c.path, param, id)
	}
	return c
}
