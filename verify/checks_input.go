package verify

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/ultra-kit/ultra/spec"
)

// positiveDataAcceptance: a request that conforms to the contract is not refused with 4xx. As in
// Schemathesis, 401, 403, 404 and 409 are accepted when the operation documents them (missing
// credentials, a resource that does not exist, a conflict: refusals explained by state, not by the
// data), 429 and Options.AcceptStatuses always; 5xx is not_a_server_error's to report.
func positiveDataAcceptance(r *runner, x *exchange) []verdict {
	if !x.c.valid || x.c.method != "" {
		return nil
	}
	if x.status < 400 || x.status >= 500 || x.status == http.StatusTooManyRequests || slices.Contains(r.opts.AcceptStatuses, x.status) {
		return pass()
	}
	switch x.status {
	case http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound, http.StatusConflict:
		if documents(x.c.op.Responses, x.status) {
			return pass()
		}
	}
	what := "valid request"
	if x.c.note != "" {
		what += " (" + x.c.note + ")"
	}
	return failWith(fmt.Sprintf("%s refused with %d", what, x.status))
}

// documents reports whether a status is among the documented responses (exactly or as 4XX).
func documents(responses []spec.Response, status int) bool {
	code := strconv.Itoa(status)
	for _, r := range responses {
		if r.Status == code || strings.EqualFold(r.Status, code[:1]+"XX") {
			return true
		}
	}
	return false
}

// missingRequiredHeader: dropping a required header gets 4xx; as in Schemathesis, 400, 401, 403, 406,
// 415 or 422, and 401 for Authorization.
func missingRequiredHeader(_ *runner, x *exchange) []verdict {
	if x.c.missingHeader == "" {
		return nil
	}
	want := []int{400, 401, 403, 406, 415, 422}
	if strings.EqualFold(x.c.missingHeader, "Authorization") {
		want = []int{401}
	}
	return judge(slices.Contains(want, x.status), "required header %s missing answered %d, want one of %v",
		x.c.missingHeader, x.status, want)
}

// unsupportedMethod: a method the path does not document gets 405 Method Not Allowed with an Allow
// header (RFC 9110 §15.5.6). OPTIONS is sent too but not judged here: servers answer it for CORS.
func unsupportedMethod(_ *runner, x *exchange) []verdict {
	if x.c.method == "" || x.c.method == http.MethodOptions {
		return nil
	}
	if x.status != http.StatusMethodNotAllowed {
		return failWith(fmt.Sprintf("undocumented method %s answered %d, want 405 Method Not Allowed", x.c.method, x.status))
	}
	return judge(x.header.Get("Allow") != "", "405 for undocumented method %s has no Allow header", x.c.method)
}

// allowHeaderConformance: the Allow header, where a response to an undocumented method carries one,
// lists exactly the path's documented methods; HEAD and OPTIONS are ignored on both sides.
func allowHeaderConformance(r *runner, x *exchange) []verdict {
	if x.c.method == "" || len(x.header.Values("Allow")) == 0 {
		return nil
	}
	got := map[string]bool{}
	for _, v := range x.header.Values("Allow") {
		for _, m := range strings.Split(v, ",") {
			if m = strings.ToUpper(strings.TrimSpace(m)); m != "" && m != http.MethodHead && m != http.MethodOptions {
				got[m] = true
			}
		}
	}
	var missing, extra []string
	documented := r.pathMethods(x.c.op.Path)
	for _, m := range documented {
		if !got[m] && m != http.MethodHead && m != http.MethodOptions {
			missing = append(missing, m)
		}
	}
	for m := range got {
		if !slices.Contains(documented, m) {
			extra = append(extra, m)
		}
	}
	sort.Strings(extra)
	if len(missing) == 0 && len(extra) == 0 {
		return pass()
	}
	return failWith(fmt.Sprintf("Allow %q does not match the documented methods %v (missing %v, undocumented %v)",
		strings.Join(x.header.Values("Allow"), ", "), documented, missing, extra))
}

// pathMethods lists the methods a path template documents, sorted.
func (r *runner) pathMethods(path string) []string {
	var out []string
	for _, op := range r.doc.Operations() {
		if op.Path == path {
			out = append(out, op.Method)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// methodCases tries, once per path (on its first operation), every common method the path does not
// document, plus OPTIONS, without a body.
func (r *runner) methodCases(op *spec.Operation, b *testCase) []*testCase {
	if b == nil {
		return nil
	}
	documented := r.pathMethods(op.Path)
	for _, other := range r.doc.Operations() {
		if other.Path == op.Path {
			if other != op {
				return nil // the path's first operation tries them
			}
			break
		}
	}
	var out []*testCase
	for _, m := range []string{http.MethodGet, http.MethodPut, http.MethodPost, http.MethodDelete, http.MethodPatch, http.MethodOptions} {
		if slices.Contains(documented, m) {
			continue
		}
		c := b.derive(PhaseCoverage)
		c.method, c.query, c.body, c.hasBody, c.contentType = m, url.Values{}, nil, false, ""
		c.note = "undocumented method " + m
		out = append(out, c)
	}
	return out
}
