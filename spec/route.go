package spec

import (
	"fmt"
	"net/url"
	"regexp"
	"sort"
	"strings"
)

// Match is the result of routing a request: the operation and the path parameters' values.
type Match struct {
	Operation  *Operation
	PathParams map[string]string
}

type segKind int

const (
	segLiteral segKind = iota // /pets
	segMixed                  // /{model}:generateContent
	segParam                  // /{petId}
)

type segment struct {
	kind    segKind
	literal string
	param   string
	re      *regexp.Regexp // for segMixed
	names   []string       // for segMixed
}

type route struct {
	template string
	segs     []segment
	ops      map[string]*Operation
}

type router struct {
	bySegs map[int][]*route // routes by segment count, most specific first
}

var templateParamRE = regexp.MustCompile(`\{([^{}]+)\}`)

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func (r *router) add(template string, ops map[string]*Operation) error {
	if r.bySegs == nil {
		r.bySegs = map[int][]*route{}
	}
	rt := &route{template: template, ops: ops}
	for _, s := range splitPath(template) {
		locs := templateParamRE.FindAllStringSubmatchIndex(s, -1)
		switch {
		case len(locs) == 0:
			rt.segs = append(rt.segs, segment{kind: segLiteral, literal: s})
		case len(locs) == 1 && locs[0][0] == 0 && locs[0][1] == len(s):
			rt.segs = append(rt.segs, segment{kind: segParam, param: s[locs[0][2]:locs[0][3]]})
		default:
			var b strings.Builder
			b.WriteString("^")
			last := 0
			seg := segment{kind: segMixed}
			for _, l := range locs {
				b.WriteString(regexp.QuoteMeta(s[last:l[0]]))
				b.WriteString("(.+?)")
				seg.names = append(seg.names, s[l[2]:l[3]])
				last = l[1]
			}
			b.WriteString(regexp.QuoteMeta(s[last:]))
			b.WriteString("$")
			re, err := regexp.Compile(b.String())
			if err != nil {
				return fmt.Errorf("path %s: %w", template, err)
			}
			seg.re = re
			rt.segs = append(rt.segs, seg)
		}
	}
	n := len(rt.segs)
	for _, other := range r.bySegs[n] {
		if sameShape(other, rt) {
			return fmt.Errorf("paths %s and %s are the same template", other.template, template)
		}
	}
	r.bySegs[n] = append(r.bySegs[n], rt)
	sort.SliceStable(r.bySegs[n], func(i, j int) bool { return moreSpecific(r.bySegs[n][i], r.bySegs[n][j]) })
	return nil
}

func sameShape(a, b *route) bool {
	for i := range a.segs {
		x, y := a.segs[i], b.segs[i]
		if x.kind != y.kind || x.literal != y.literal {
			return false
		}
		if x.kind == segMixed && templateParamRE.ReplaceAllString(x.re.String(), "") != templateParamRE.ReplaceAllString(y.re.String(), "") {
			return false
		}
	}
	return true
}

// moreSpecific orders routes so that a concrete segment beats a templated one at the first position
// where they differ: /pets/mine before /pets/{id}.
func moreSpecific(a, b *route) bool {
	for i := range a.segs {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind < b.segs[i].kind
		}
	}
	return false
}

func (rt *route) match(parts []string) (map[string]string, bool) {
	var params map[string]string
	for i, s := range rt.segs {
		part := parts[i]
		switch s.kind {
		case segLiteral:
			if part != s.literal {
				return nil, false
			}
		case segParam:
			if part == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s.param] = unescape(part)
		case segMixed:
			m := s.re.FindStringSubmatch(part)
			if m == nil {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			for j, name := range s.names {
				params[name] = unescape(m[j+1])
			}
		}
	}
	return params, true
}

func unescape(s string) string {
	if u, err := url.PathUnescape(s); err == nil {
		return u
	}
	return s
}

// Find routes a method and an escaped request path (as in URL.EscapedPath, relative to the document's
// server) to an operation. It prefers concrete segments over templated ones. Errors: ErrOperationNotFound
// when no path matches, a *MethodNotAllowedError (matching ErrMethodNotAllowed) when paths match but none
// has the method.
func (d *Document) Find(method, path string) (*Match, error) {
	parts := splitPath(path)
	method = strings.ToUpper(method)
	// The most specific matching template decides, as OpenAPI says concrete paths match before
	// templated ones: DELETE /pets/mine is 405 when /pets/mine has only GET, even if /pets/{id} has DELETE.
	for _, rt := range d.router.bySegs[len(parts)] {
		params, ok := rt.match(parts)
		if !ok {
			continue
		}
		if op, ok := rt.ops[method]; ok {
			return &Match{Operation: op, PathParams: params}, nil
		}
		if method == "HEAD" {
			if op, ok := rt.ops["GET"]; ok {
				return &Match{Operation: op, PathParams: params}, nil
			}
		}
		return nil, &MethodNotAllowedError{Method: method, Path: path, Allowed: sortedKeys(rt.ops)}
	}
	return nil, fmt.Errorf("%s %s: %w", method, path, ErrOperationNotFound)
}
