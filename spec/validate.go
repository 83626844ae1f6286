package spec

import (
	"bytes"
	"errors"
	lowv3 "github.com/pb33f/libopenapi/datamodel/low/v3"
	"io"
	"net/http"
	"regexp"
	"strings"

	liberrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
)

// maxErrors bounds how many violations one validation reports.
const maxErrors = 50

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
