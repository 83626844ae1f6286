package spec

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
)

// Operation is one method on one path template of a document.
type Operation struct {
	ID          string // operationId; "METHOD /path" when the document gives none
	Method      string // upper case
	Path        string // the path template, e.g. /pets/{petId}
	Summary     string
	Tags        []string
	Deprecated  bool
	Parameters  []Parameter // path-level and operation-level, operation-level winning
	RequestBody *RequestBody
	Responses   []Response // in document order
	// Security lists the alternative requirements; the operation is public when it is empty or one of the
	// alternatives is the empty requirement.
	Security []SecurityRequirement
	// Model is libopenapi's operation, for details this type does not carry.
	Model *v3.Operation

	doc *Document
	// validatorPath is Path with label and matrix path parameters spelled the way libopenapi-validator
	// recognises their style ({.name}, {;name}, a trailing * when exploded); see styledTemplate.
	validatorPath string
}

// Parameter is a documented path, query, header or cookie parameter.
type Parameter struct {
	Name     string
	In       string
	Required bool
	Schema   *base.Schema // nil when the parameter uses content instead of schema
}

// RequestBody describes what an operation accepts.
type RequestBody struct {
	Required   bool
	MediaTypes []string
}

// Response is a documented response. Status is "200", "4XX" or "default".
type Response struct {
	Status      string
	Description string
	MediaTypes  []string
	Headers     []string
	Model       *v3.Response
}

// SecurityRequirement is one alternative of an operation's security: every scheme in it is needed.
type SecurityRequirement []SecurityScheme

// SecurityScheme is a resolved security scheme of a requirement.
type SecurityScheme struct {
	Name   string // the key under components.securitySchemes
	Type   string // apiKey, http, oauth2, openIdConnect, mutualTLS
	Scheme string // for http: bearer, basic...
	In     string // for apiKey: header, query, cookie
	Param  string // for apiKey: the header, query or cookie name
	Scopes []string
}

// Public reports whether the operation can be called without credentials.
func (op *Operation) Public() bool {
	if len(op.Security) == 0 {
		return true
	}
	for _, r := range op.Security {
		if len(r) == 0 {
			return true
		}
	}
	return false
}

// Document is the document the operation belongs to.
func (op *Operation) Document() *Document { return op.doc }

// Operations lists every operation, sorted by path then method.
func (d *Document) Operations() []*Operation { return d.ops }

// Operation returns the operation with the given operationId (or "METHOD /path" key).
func (d *Document) Operation(id string) (*Operation, bool) {
	op, ok := d.byID[id]
	return op, ok
}

// index builds the operation list, the id map and the router.
func (d *Document) index() error {
	d.byID = map[string]*Operation{}
	d.router = &router{}
	if d.model.Paths == nil || d.model.Paths.PathItems == nil {
		return nil
	}
	for p := d.model.Paths.PathItems.First(); p != nil; p = p.Next() {
		path, item := p.Key(), p.Value()
		if item == nil {
			continue
		}
		methods := methodsOf(item)
		pathOps := map[string]*Operation{}
		for _, method := range sortedKeys(methods) {
			o := methods[method]
			op := &Operation{
				ID: o.OperationId, Method: method, Path: path, Summary: o.Summary, Tags: o.Tags,
				Model: o, doc: d,
			}
			if o.Deprecated != nil {
				op.Deprecated = *o.Deprecated
			}
			if op.ID == "" {
				op.ID = method + " " + path
			}
			if prev, dup := d.byID[op.ID]; dup {
				return fmt.Errorf("operationId %q is used by both %s %s and %s %s", op.ID, prev.Method, prev.Path, method, path)
			}
			op.Parameters = mergeParams(item.Parameters, o.Parameters)
			op.validatorPath = styledTemplate(path, item.Parameters, o.Parameters)
			if o.RequestBody != nil {
				rb := &RequestBody{}
				if o.RequestBody.Required != nil {
					rb.Required = *o.RequestBody.Required
				}
				for c := o.RequestBody.Content.First(); c != nil; c = c.Next() {
					rb.MediaTypes = append(rb.MediaTypes, c.Key())
				}
				op.RequestBody = rb
			}
			if o.Responses != nil {
				for c := o.Responses.Codes.First(); c != nil; c = c.Next() {
					op.Responses = append(op.Responses, newResponse(c.Key(), c.Value()))
				}
				if o.Responses.Default != nil {
					op.Responses = append(op.Responses, newResponse("default", o.Responses.Default))
				}
			}
			sec := d.model.Security
			if o.Security != nil {
				sec = o.Security
			}
			op.Security = d.resolveSecurity(sec)
			d.ops = append(d.ops, op)
			pathOps[method] = op
			d.byID[op.ID] = op
			if op.ID != method+" "+path {
				d.byID[method+" "+path] = op
			}
		}
		if err := d.router.add(path, pathOps); err != nil {
			return err
		}
	}
	sort.SliceStable(d.ops, func(i, j int) bool {
		if d.ops[i].Path != d.ops[j].Path {
			return d.ops[i].Path < d.ops[j].Path
		}
		return d.ops[i].Method < d.ops[j].Method
	})
	return nil
}

func newResponse(status string, r *v3.Response) Response {
	resp := Response{Status: strings.ToUpper(status), Model: r}
	if status == "default" {
		resp.Status = "default"
	}
	if r == nil {
		return resp
	}
	resp.Description = r.Description
	for c := r.Content.First(); c != nil; c = c.Next() {
		resp.MediaTypes = append(resp.MediaTypes, c.Key())
	}
	for h := r.Headers.First(); h != nil; h = h.Next() {
		resp.Headers = append(resp.Headers, h.Key())
	}
	return resp
}

func mergeParams(pathLevel, opLevel []*v3.Parameter) []Parameter {
	var out []Parameter
	seen := map[string]bool{}
	for _, list := range [][]*v3.Parameter{opLevel, pathLevel} {
		for _, p := range list {
			if p == nil || seen[p.In+"\x00"+p.Name] {
				continue
			}
			seen[p.In+"\x00"+p.Name] = true
			par := Parameter{Name: p.Name, In: p.In}
			if p.Required != nil {
				par.Required = *p.Required
			}
			if p.Schema != nil {
				par.Schema = p.Schema.Schema()
			}
			out = append(out, par)
		}
	}
	return out
}

func (d *Document) resolveSecurity(reqs []*base.SecurityRequirement) []SecurityRequirement {
	var out []SecurityRequirement
	for _, r := range reqs {
		if r == nil {
			continue
		}
		req := SecurityRequirement{}
		if r.Requirements != nil {
			for s := r.Requirements.First(); s != nil; s = s.Next() {
				sc := SecurityScheme{Name: s.Key(), Scopes: s.Value()}
				if d.model.Components != nil && d.model.Components.SecuritySchemes != nil {
					if def, ok := d.model.Components.SecuritySchemes.Get(s.Key()); ok && def != nil {
						sc.Type, sc.Scheme, sc.In, sc.Param = def.Type, strings.ToLower(def.Scheme), def.In, def.Name
					}
				}
				req = append(req, sc)
			}
		}
		out = append(out, req)
	}
	return out
}

// styledTemplate rewrites the path parameters of template whose style is label or matrix into the
// RFC 6570 operators libopenapi-validator reads the style from: {v} becomes {.v} (label) or {;v}
// (matrix), with a * when exploded. Without it the validator parses "/versions/.3" as the integer
// ".3" and rejects every well-formed label or matrix value. Operation-level parameters win.
func styledTemplate(template string, pathLevel, opLevel []*v3.Parameter) string {
	out := template
	seen := map[string]bool{}
	for _, list := range [][]*v3.Parameter{opLevel, pathLevel} {
		for _, p := range list {
			if p == nil || p.In != "path" || seen[p.Name] {
				continue
			}
			seen[p.Name] = true
			op := map[string]string{"label": ".", "matrix": ";"}[p.Style]
			if op == "" {
				continue
			}
			star := ""
			if p.Explode != nil && *p.Explode {
				star = "*"
			}
			out = strings.Replace(out, "{"+p.Name+"}", "{"+op+p.Name+star+"}", 1)
		}
	}
	return out
}
