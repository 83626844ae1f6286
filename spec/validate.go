package spec

import (
	"bytes"
	"errors"
	lowv3 "github.com/pb33f/libopenapi/datamodel/low/v3"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"

	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
)

// maxErrors bounds how many violations one validation reports.
const maxErrors = 50

// A validator is built on first use for the least it has to check, over a copy of the operation's path
// item trimmed to it: one per operation for requests (no responses), one per operation, response and
// media type for responses (no request side, other responses' schemas left out). Building a
// libopenapi-validator compiles every schema the item reaches, and one path of a large document can
// hold dozens of big response schemas; compiling only what is used keeps start-up and memory small.
// Compiled schemas are shared through the document's caches.
type subKey struct {
	template, method string
	response         bool
	code, media      string // the documented response key ("200", "4XX", "default") and media type
}

type subValidator struct {
	once sync.Once
	item *v3.PathItem
	v    validator.Validator
	// params, for request validators only, is v without request body validation (see fastValid).
	params validator.Validator
}

// validatorFor returns the validators and trimmed path item for k, building them on first use with trim.
func (d *Document) validatorFor(k subKey, trim func() *v3.PathItem) *subValidator {
	v, ok := d.validators.Load(k)
	if !ok {
		v, _ = d.validators.LoadOrStore(k, &subValidator{})
	}
	sv := v.(*subValidator)
	sv.once.Do(func() {
		sv.item = trim()
		sub := *d.model
		sub.Version = d.effective
		sub.Paths = &v3.Paths{PathItems: orderedmap.New[string, *v3.PathItem]()}
		sub.Paths.PathItems.Set(k.template, sv.item)
		sub.Webhooks = nil
		d.render.Lock()
		defer d.render.Unlock()
		d.precompile(sv.item, k.response)
		opts := []config.Option{
			config.WithFormatAssertions(),
			config.WithSchemaCache(d.schemas), config.WithSchemaResourceCache(d.resources),
		}
		sv.v = validator.NewValidatorFromV3Model(&sub, opts...)
		if !k.response {
			sv.params = validator.NewValidatorFromV3Model(&sub, append(opts, config.WithoutRequestBodyValidation())...)
		}
	})
	return sv
}

// onlyOperation copies item keeping only the operation for method, as edit returns it from a copy.
func onlyOperation(item *v3.PathItem, method string, edit func(*v3.Operation)) *v3.PathItem {
	if item == nil {
		return nil
	}
	c := *item
	for m, slot := range map[string]**v3.Operation{
		http.MethodGet: &c.Get, http.MethodPut: &c.Put, http.MethodPost: &c.Post, http.MethodDelete: &c.Delete,
		http.MethodOptions: &c.Options, http.MethodHead: &c.Head, http.MethodPatch: &c.Patch, http.MethodTrace: &c.Trace, "QUERY": &c.Query,
	} {
		if *slot == nil {
			continue
		}
		if m != method {
			*slot = nil
			continue
		}
		o := **slot
		o.Callbacks = nil
		edit(&o)
		*slot = &o
	}
	if item.AdditionalOperations != nil {
		c.AdditionalOperations = orderedmap.New[string, *v3.Operation]()
		for p := item.AdditionalOperations.First(); p != nil; p = p.Next() {
			if strings.EqualFold(p.Key(), method) && p.Value() != nil {
				o := *p.Value()
				o.Callbacks = nil
				edit(&o)
				c.AdditionalOperations.Set(p.Key(), &o)
			}
		}
	}
	return &c
}

func (op *Operation) requestValidator() *subValidator {
	d := op.doc
	return d.validatorFor(subKey{template: op.Path, method: op.Method}, func() *v3.PathItem {
		item, _ := d.model.Paths.PathItems.Get(op.Path)
		return onlyOperation(item, op.Method, func(o *v3.Operation) { o.Responses = nil })
	})
}

// responseValidator returns the validator for a response with this status and content type. An
// undocumented status or media type gets a validator over the response keys alone, which reports it.
func (op *Operation) responseValidator(status int, contentType string) *subValidator {
	d := op.doc
	code, resp := documentedResponse(op.Model.Responses, status)
	media := ""
	if resp != nil && resp.Content != nil {
		if mt, ok := helpers.FindMediaType(resp.Content, contentType); ok {
			for p := resp.Content.First(); p != nil; p = p.Next() {
				if p.Value() == mt {
					media = p.Key()
					break
				}
			}
		}
	}
	return d.validatorFor(subKey{template: op.Path, method: op.Method, response: true, code: code, media: media}, func() *v3.PathItem {
		item, _ := d.model.Paths.PathItems.Get(op.Path)
		c := onlyOperation(item, op.Method, func(o *v3.Operation) {
			o.Parameters, o.RequestBody, o.Security = nil, nil, nil
			o.Responses = trimResponses(o.Responses, code, media)
		})
		if c != nil {
			c.Parameters = nil
		}
		return c
	})
}

// documentedResponse finds the response key that covers status the way the validator does: the exact
// code, its range, then default. It returns "" and nil when none does.
func documentedResponse(rs *v3.Responses, status int) (string, *v3.Response) {
	if rs == nil {
		return "", nil
	}
	if rs.Codes != nil {
		code := strconv.Itoa(status)
		if r := rs.Codes.GetOrZero(code); r != nil {
			return code, r
		}
		rng := strconv.Itoa(status/100) + "XX"
		if r := rs.Codes.GetOrZero(rng); r != nil {
			return rng, r
		}
	}
	if rs.Default != nil {
		return "default", rs.Default
	}
	return "", nil
}

// trimResponses keeps every response key (so an undocumented status is still reported against the
// full list) but only the kept response's schemas: other responses and media types become empty.
func trimResponses(rs *v3.Responses, code, media string) *v3.Responses {
	if rs == nil {
		return nil
	}
	c := *rs
	c.Codes = orderedmap.New[string, *v3.Response]()
	for p := rs.Codes.First(); p != nil; p = p.Next() {
		c.Codes.Set(p.Key(), keepMedia(p.Value(), p.Key() == code, media))
	}
	if rs.Default != nil {
		c.Default = keepMedia(rs.Default, code == "default", media)
	}
	return &c
}

func keepMedia(r *v3.Response, kept bool, media string) *v3.Response {
	if r == nil {
		return nil
	}
	c := &v3.Response{Description: r.Description}
	if kept {
		c.Headers = r.Headers
	}
	if r.Content != nil {
		c.Content = orderedmap.New[string, *v3.MediaType]()
		for p := r.Content.First(); p != nil; p = p.Next() {
			mt := &v3.MediaType{}
			if kept && p.Key() == media {
				mt = p.Value()
			}
			c.Content.Set(p.Key(), mt)
		}
	}
	return c
}

// ValidateRequest checks a request against the document: route, parameters, credentials presence,
// content type and body. The request path must be relative to the document's server (strip mount
// prefixes first). The body is read and replaced, so handlers can still read it. It returns nil, an
// ErrOperationNotFound or *MethodNotAllowedError, or ValidationErrors.
func (d *Document) ValidateRequest(r *http.Request) error {
	m, err := d.Find(r.Method, r.URL.EscapedPath())
	if err != nil {
		return err
	}
	return m.Operation.ValidateRequest(r)
}

// ValidateRequest checks a request already routed to this operation. See Document.ValidateRequest.
func (op *Operation) ValidateRequest(r *http.Request) error {
	req := r
	if r.Method == http.MethodHead && op.Method == http.MethodGet {
		req = r.Clone(r.Context())
		req.Method = http.MethodGet
	}
	sv := op.requestValidator()
	if op.fastValid(sv, req) {
		return nil
	}
	ok, errs := sv.v.ValidateHttpRequestSyncWithPathItem(req, sv.item, op.validatorPath)
	if ok {
		return nil
	}
	err := convert(errs)
	var verrs ValidationErrors
	if errors.As(err, &verrs) {
		op.locateParameters(verrs)
	}
	// A missing required body shows up as an undocumented empty content type: say what it is.
	if errors.As(err, &verrs) && op.RequestBody != nil && op.RequestBody.Required && r.Header.Get("Content-Type") == "" && (r.Body == nil || r.Body == http.NoBody || r.ContentLength == 0) {
		for i, v := range verrs {
			if v.In == InContentType {
				verrs[i] = &ValidationError{In: InBody, Reason: "request body is required"}
			}
		}
	}
	return err
}

// locateParameters corrects the location of parameter violations the validator files under another
// one (a header object that fails its schema comes back as a query error): a violation whose name
// the operation documents in exactly one other location moves there.
func (op *Operation) locateParameters(verrs ValidationErrors) {
	for _, v := range verrs {
		switch v.In {
		case InPath, InQuery, InHeader, InCookie:
		default:
			continue
		}
		var found []In
		for _, p := range op.Parameters {
			if p.Name == v.Pointer || (p.In == "header" && strings.EqualFold(p.Name, v.Pointer)) {
				found = append(found, In(p.In))
			}
		}
		if len(found) == 1 && found[0] != v.In {
			v.In = found[0]
		}
	}
}

// ValidateResponse checks a response to a request: the status and content type must be documented and
// the body and headers must match their schemas. The response body is read and replaced. It returns nil,
// a routing error, or ValidationErrors.
func (d *Document) ValidateResponse(r *http.Request, resp *http.Response) error {
	m, err := d.Find(r.Method, r.URL.EscapedPath())
	if err != nil {
		return err
	}
	return m.Operation.ValidateResponse(r, resp)
}

// ValidateResponse checks a response to a request already routed to this operation.
func (op *Operation) ValidateResponse(r *http.Request, resp *http.Response) error {
	req := r
	if r.Method != op.Method {
		req = r.Clone(r.Context())
		req.Method = op.Method
	}
	if resp.Body == nil {
		resp.Body = http.NoBody
	}
	sv := op.responseValidator(resp.StatusCode, resp.Header.Get("Content-Type"))
	ok, errs := sv.v.GetResponseBodyValidator().ValidateResponseBodyWithPathItem(req, resp, sv.item, op.Path)
	if ok {
		return nil
	}
	return convert(errs)
}

// ValidateResponseParts is ValidateResponse for a response held as status, header and body, as a
// recorder or a middleware has it.
func (op *Operation) ValidateResponseParts(r *http.Request, status int, header http.Header, body []byte) error {
	resp := &http.Response{
		StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)),
		ContentLength: int64(len(body)), Request: r,
	}
	return op.ValidateResponse(r, resp)
}

func convert(errs []*liberrors.ValidationError) error {
	var out ValidationErrors
	seen := map[string]bool{}
	add := func(v *ValidationError) {
		key := string(v.In) + "\x00" + v.Pointer + "\x00" + v.Reason + "\x00" + v.Keyword
		if seen[key] {
			return
		}
		seen[key] = true
		out = append(out, v)
	}
	for _, e := range errs {
		if e == nil {
			continue
		}
		reason := e.Reason
		if reason == "" {
			reason = e.Message
		}
		if len(e.SchemaValidationErrors) > 0 && e.ValidationType != helpers.ParameterValidation {
			for _, f := range e.SchemaValidationErrors {
				if e.ValidationSubType == helpers.ParameterValidationHeader || e.ValidationSubType == lowv3.HeadersLabel {
					// a response header: missing when required, or not matching its schema
					name := f.FieldName // the name as the document spells it
					if name == "" {
						name = http.CanonicalHeaderKey(e.ParameterName)
					}
					add(&ValidationError{In: InHeader, Pointer: name, Reason: f.Reason, Keyword: f.KeywordLocation})
					continue
				}
				add(&ValidationError{In: InBody, Pointer: pointer(f.InstancePath), Reason: f.Reason, Keyword: f.KeywordLocation})
			}
			continue
		}
		switch e.ValidationType {
		case helpers.ParameterValidation:
			add(&ValidationError{In: paramIn(e.ValidationSubType), Pointer: e.ParameterName, Reason: reason})
		case helpers.SecurityValidation:
			add(&ValidationError{In: InSecurity, Pointer: e.ValidationSubType, Reason: reason})
		case helpers.RequestBodyValidation, helpers.ResponseBodyValidation, helpers.XmlValidation, helpers.URLEncodedValidation:
			switch {
			case e.ValidationSubType == helpers.RequestBodyContentType:
				add(&ValidationError{In: InContentType, Reason: e.Message})
			case e.ValidationSubType == helpers.ResponseBodyResponseCode:
				add(&ValidationError{In: InStatus, Reason: e.Message})
			case e.ValidationSubType == helpers.ParameterValidationHeader:
				add(&ValidationError{In: InHeader, Pointer: e.ParameterName, Reason: reason})
			case len(e.SchemaValidationErrors) > 0:
				for _, f := range e.SchemaValidationErrors {
					add(&ValidationError{In: InBody, Pointer: pointer(f.InstancePath), Reason: f.Reason, Keyword: f.KeywordLocation})
				}
			default:
				add(&ValidationError{In: InBody, Reason: reason})
			}
		default:
			add(&ValidationError{In: InBody, Reason: reason})
		}
	}
	if len(out) == 0 {
		return errors.New("request does not match the contract")
	}
	return dedupe(mostRelevantBranch(out, 0))
}

// dedupe drops repeats of the same violation (reached through different schema paths) and caps the
// list at maxErrors.
func dedupe(errs ValidationErrors) ValidationErrors {
	seen := map[string]bool{}
	var out ValidationErrors
	for _, e := range errs {
		key := string(e.In) + "\x00" + e.Pointer + "\x00" + e.Reason
		if seen[key] || len(out) >= maxErrors {
			continue
		}
		seen[key] = true
		out = append(out, e)
	}
	return out
}

var branchRE = regexp.MustCompile(`/(?:oneOf|anyOf)/(\d+)(?:/|$)`)

// mostRelevantBranch keeps, for each oneOf/anyOf that failed, only the errors of the branch that came
// closest to matching (the fewest errors, a wrong const or enum counting as ten: that is usually the
// discriminator), since the validator reports every branch and the others are noise to a reader.
// level is how many composition keywords of the keyword location have been resolved already.
func mostRelevantBranch(errs ValidationErrors, level int) ValidationErrors {
	locs := make(map[*ValidationError][][]int, len(errs))
	for _, e := range errs {
		locs[e] = branchRE.FindAllStringSubmatchIndex(e.Keyword, -1)
	}
	return narrowBranches(errs, level, locs)
}

// narrowBranches is mostRelevantBranch at one level, with each error's composition keyword locations
// found once (locs). Each group is narrowed once: the narrowed best groups are the answer, so a deep
// recursive schema costs linear, not exponential, time.
func narrowBranches(errs ValidationErrors, level int, locs map[*ValidationError][][]int) ValidationErrors {
	type site struct{ prefix, branch string }
	at := func(e *ValidationError) (site, bool) {
		ls := locs[e]
		if len(ls) <= level {
			return site{}, false
		}
		l := ls[level]
		return site{e.Keyword[:l[0]], e.Keyword[l[2]:l[3]]}, true
	}
	groups := map[site]ValidationErrors{}
	for _, e := range errs {
		if s, ok := at(e); ok {
			groups[s] = append(groups[s], e)
		}
	}
	if len(groups) == 0 {
		return errs
	}
	// A branch is scored by what is left of its errors once its own nested oneOf/anyOf are narrowed
	// to their best branch: a recursive schema (a filter of filters) otherwise piles every nested
	// branch's noise onto the branch that is in fact the closest.
	score := map[string]map[string]int{} // prefix -> branch -> score
	narrowed := map[site]ValidationErrors{}
	for s, group := range groups {
		if score[s.prefix] == nil {
			score[s.prefix] = map[string]int{}
		}
		narrowed[s] = narrowBranches(group, level+1, locs)
		for _, e := range narrowed[s] {
			w := 1
			if strings.HasSuffix(e.Keyword, "/const") || strings.HasSuffix(e.Keyword, "/enum") {
				w = 10
			}
			score[s.prefix][s.branch] += w
		}
	}
	best := map[string]string{}
	for prefix, branches := range score {
		for _, b := range sortedKeys(branches) {
			if cur, ok := best[prefix]; !ok || branches[b] < branches[cur] {
				best[prefix] = b
			}
		}
	}
	keep := map[*ValidationError]bool{}
	for prefix, branch := range best {
		for _, e := range narrowed[site{prefix, branch}] {
			keep[e] = true
		}
	}
	var out ValidationErrors
	for _, e := range errs {
		if _, sited := at(e); !sited || keep[e] {
			out = append(out, e)
		}
	}
	return out
}

func paramIn(sub string) In {
	switch sub {
	case helpers.ParameterValidationPath:
		return InPath
	case helpers.ParameterValidationHeader:
		return InHeader
	case helpers.ParameterValidationCookie:
		return InCookie
	default:
		return InQuery
	}
}

// pointer renders instance path segments as an RFC 6901 JSON pointer.
func pointer(parts []string) string {
	if len(parts) == 0 {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}
