package coverage

import (
	"encoding/json"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi/datamodel/high/base"

	"github.com/ultra-kit/ultra/spec"
)

// maxBody bounds the request body Handler and Transport read to find the properties sent.
const maxBody = 1 << 20

// propertyDepth bounds how deep documented body properties are listed (/a/b/c).
const propertyDepth = 3

// Mount is a document served or checked under a path prefix ("" for the root).
type Mount struct {
	Prefix string
	Doc    *spec.Document
}

// Exchange is what a Recorder needs of one request and its answer. Path is the request path as sent
// (mount prefixes included); Body is the request body, nil when unknown.
type Exchange struct {
	Method      string
	Path        string
	RawQuery    string
	Header      http.Header
	Body        []byte
	Status      int
	ContentType string // of the response
}

// Recorder counts exchanges against documents; it is safe for concurrent use. Create it with New.
type Recorder struct {
	source string
	mounts []Mount
	mu     sync.Mutex
	ops    map[*spec.Operation]*opCount
}

type opCount struct {
	requests     int64
	responses    map[string]int64 // documented status key -> seen
	media        map[[2]string]int64
	undocumented map[Undocumented]int64 // Seen left zero in the key
	params       map[[2]string]int64    // in, name
	props        map[string]int64
}

// New returns a recorder for source ("proxy", "mock", "verify", "features") over the mounted
// documents. Requests no document routes are not counted.
func New(source string, mounts ...Mount) *Recorder {
	ms := append([]Mount(nil), mounts...)
	sort.SliceStable(ms, func(i, j int) bool { return len(ms[i].Prefix) > len(ms[j].Prefix) })
	return &Recorder{source: source, mounts: ms, ops: map[*spec.Operation]*opCount{}}
}

// Record counts one exchange.
func (r *Recorder) Record(x Exchange) {
	op := r.route(x.Method, x.Path)
	if op == nil {
		return
	}
	var body any
	if len(x.Body) > 0 && isJSON(x.Header.Get("Content-Type")) {
		_ = json.Unmarshal(x.Body, &body)
	}
	query, _ := url.ParseQuery(x.RawQuery)
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.ops[op]
	if c == nil {
		c = &opCount{responses: map[string]int64{}, media: map[[2]string]int64{}, undocumented: map[Undocumented]int64{},
			params: map[[2]string]int64{}, props: map[string]int64{}}
		r.ops[op] = c
	}
	c.requests++
	for _, p := range op.Parameters {
		if sent(p, x.Header, query) {
			c.params[[2]string{p.In, p.Name}]++
		}
	}
	for _, ptr := range presentPointers(body, "", 0) {
		c.props[ptr]++
	}
	if x.Status == 0 {
		return
	}
	key, resp := Documented(op, x.Status)
	if resp == nil {
		c.undocumented[Undocumented{Status: x.Status, MediaType: baseType(x.ContentType)}]++
		return
	}
	c.responses[key]++
	mt := baseType(x.ContentType)
	if m := MediaType(resp, x.ContentType); m != "" {
		c.media[[2]string{key, m}]++
		return
	}
	if mt != "" || len(resp.MediaTypes) > 0 {
		c.undocumented[Undocumented{Status: x.Status, MediaType: mt}]++
	}
}

func (r *Recorder) route(method, path string) *spec.Operation {
	for _, m := range r.mounts {
		p := path
		if m.Prefix != "" && m.Prefix != "/" {
			if p != m.Prefix && !strings.HasPrefix(p, strings.TrimSuffix(m.Prefix, "/")+"/") {
				continue
			}
			p = strings.TrimPrefix(p, strings.TrimSuffix(m.Prefix, "/"))
		}
		if match, err := m.Doc.Find(method, p); err == nil {
			return match.Operation
		}
	}
	return nil
}

func sent(p spec.Parameter, h http.Header, q url.Values) bool {
	switch p.In {
	case "path":
		return true
	case "query":
		_, ok := q[p.Name]
		return ok
	case "header":
		return h.Get(p.Name) != ""
	case "cookie":
		for _, c := range (&http.Request{Header: h}).Cookies() {
			if c.Name == p.Name {
				return true
			}
		}
	}
	return false
}

// presentPointers lists the pointers of the object members in v, down to propertyDepth.
func presentPointers(v any, prefix string, depth int) []string {
	obj, ok := v.(map[string]any)
	if !ok || depth >= propertyDepth {
		return nil
	}
	var out []string
	for k, e := range obj {
		ptr := prefix + "/" + strings.ReplaceAll(strings.ReplaceAll(k, "~", "~0"), "/", "~1")
		out = append(out, ptr)
		out = append(out, presentPointers(e, ptr, depth+1)...)
	}
	return out
}

// Documented finds the response covering status as the validator does: the exact code, its range,
// then default. It returns the response's key ("200", "4XX", "default") and nil when none does.
func Documented(op *spec.Operation, status int) (string, *spec.Response) {
	code, rng := strconv.Itoa(status), strconv.Itoa(status/100)+"XX"
	var byRange, byDefault *spec.Response
	for i := range op.Responses {
		rs := &op.Responses[i]
		switch strings.ToUpper(rs.Status) {
		case code:
			return rs.Status, rs
		case rng:
			byRange = rs
		case "DEFAULT":
			byDefault = rs
		}
	}
	if byRange != nil {
		return byRange.Status, byRange
	}
	if byDefault != nil {
		return byDefault.Status, byDefault
	}
	return "", nil
}

func baseType(ct string) string {
	if ct == "" {
		return ""
	}
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		return strings.ToLower(strings.TrimSpace(ct))
	}
	return mt
}

// MediaType is the documented media type of resp that covers a Content-Type, "" when none does.
func MediaType(resp *spec.Response, contentType string) string {
	mt := baseType(contentType)
	for _, m := range resp.MediaTypes {
		if matches(m, mt) {
			return m
		}
	}
	return ""
}

// matches reports whether a documented media type (maybe a range like text/* or */*) covers mt.
func matches(documented, mt string) bool {
	d := strings.ToLower(documented)
	if d == mt || d == "*/*" {
		return true
	}
	if strings.HasSuffix(d, "/*") {
		return strings.HasPrefix(mt, strings.TrimSuffix(d, "*"))
	}
	return false
}

func isJSON(ct string) bool {
	mt := baseType(ct)
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// documentedProperties lists the pointers of the JSON request body's documented properties.
func documentedProperties(op *spec.Operation) []string {
	if op.Model == nil || op.Model.RequestBody == nil || op.Model.RequestBody.Content == nil {
		return nil
	}
	for p := op.Model.RequestBody.Content.First(); p != nil; p = p.Next() {
		if isJSON(p.Key()) && p.Value() != nil && p.Value().Schema != nil {
			return schemaPointers(p.Value().Schema.Schema(), "", 0)
		}
	}
	return nil
}

func schemaPointers(s *base.Schema, prefix string, depth int) []string {
	if s == nil || depth >= propertyDepth {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	add := func(list []string) {
		for _, p := range list {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
			}
		}
	}
	if s.Properties != nil {
		for p := s.Properties.First(); p != nil; p = p.Next() {
			ptr := prefix + "/" + strings.ReplaceAll(strings.ReplaceAll(p.Key(), "~", "~0"), "/", "~1")
			add([]string{ptr})
			if p.Value() != nil {
				add(schemaPointers(p.Value().Schema(), ptr, depth+1))
			}
		}
	}
	for _, sub := range s.AllOf {
		if sub != nil {
			add(schemaPointers(sub.Schema(), prefix, depth))
		}
	}
	return out
}

// Report is what has been recorded, every operation of every document listed.
func (r *Recorder) Report() *Report {
	rep := &Report{Schema: SchemaID, Sources: []string{r.source}, Documents: []Document{}}
	mounts := append([]Mount(nil), r.mounts...)
	sort.SliceStable(mounts, func(i, j int) bool { return mounts[i].Prefix < mounts[j].Prefix })
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, m := range mounts {
		d := Document{Name: m.Doc.Name(), Operations: []Operation{}}
		for _, op := range m.Doc.Operations() {
			d.Operations = append(d.Operations, r.operation(m.Prefix, op))
		}
		rep.Documents = append(rep.Documents, d)
	}
	return rep
}

func (r *Recorder) operation(prefix string, op *spec.Operation) Operation {
	c := r.ops[op]
	if c == nil {
		c = &opCount{}
	}
	o := Operation{OperationID: op.ID, Method: op.Method, Path: strings.TrimSuffix(prefix, "/") + op.Path, Requests: c.requests,
		Responses: []Response{}, Undocumented: []Undocumented{}, Parameters: []Item{}, BodyProperties: []Item{}}
	for _, rs := range op.Responses {
		out := Response{Status: rs.Status, Seen: c.responses[rs.Status], MediaTypes: []Item{}}
		for _, m := range rs.MediaTypes {
			out.MediaTypes = append(out.MediaTypes, Item{Name: m, Seen: c.media[[2]string{rs.Status, m}]})
		}
		o.Responses = append(o.Responses, out)
	}
	for u, n := range c.undocumented {
		u.Seen = n
		o.Undocumented = append(o.Undocumented, u)
	}
	sort.Slice(o.Undocumented, func(i, j int) bool {
		a, b := o.Undocumented[i], o.Undocumented[j]
		return a.Status < b.Status || a.Status == b.Status && a.MediaType < b.MediaType
	})
	for _, p := range op.Parameters {
		o.Parameters = append(o.Parameters, Item{Name: p.Name, In: p.In, Seen: c.params[[2]string{p.In, p.Name}]})
	}
	for _, ptr := range documentedProperties(op) {
		o.BodyProperties = append(o.BodyProperties, Item{Name: ptr, Seen: c.props[ptr]})
	}
	return o
}
