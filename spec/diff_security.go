package spec

import (
	"fmt"
	"slices"
	"strings"
)

// securityScopeRule: a scope added to a security requirement breaks clients whose tokens lack it
// (oasdiff's api-security-scope-added and api-global-security-scope-added); a scope removed does not.
// The scopes are named.
func securityScopeRule(in *ruleInput) bool {
	if !slices.Contains(in.segs, "security") || in.ch.Kind == ChangeModified || in.ch.Property == "" {
		return false
	}
	scheme, scope := in.ch.Property, in.value
	if in.ch.Kind == ChangeAdded {
		return in.set(true, "security-scope-added", "%s: %s now also needs scope %s", in.where, scheme, scope)
	}
	return in.set(false, "security-scope-removed", "%s: %s no longer needs scope %s", in.where, scheme, scope)
}

// readOnlyRequiredRule: a required field that is readOnly is never sent in requests, so requiring it
// breaks only responses' readers, who gain a guarantee: not breaking.
func readOnlyRequiredRule(in *ruleInput) bool {
	if in.ch.Property != "required" || in.ch.Kind != ChangeAdded || !in.inSchema {
		return false
	}
	if ro, _ := in.propertyFlags(in.value); !ro {
		return false
	}
	return in.set(false, "readonly-field-now-required", "%s: field %s is now required; it is readOnly, so only responses carry it", in.where, in.value)
}

// writeOnlyRule: a property becoming writeOnly disappears from responses (oasdiff's
// response-required-property-became-write-only); becoming readOnly means requests may no longer send it.
func writeOnlyRule(in *ruleInput) bool {
	if (in.ch.Property != "writeOnly" && in.ch.Property != "readOnly") || in.ch.New != "true" {
		return false
	}
	field := in.last
	if in.ch.Property == "writeOnly" && in.side != "request" {
		return in.set(true, "response-property-became-write-only", "%s: field %s became writeOnly: responses no longer carry it", in.where, field)
	}
	if in.ch.Property == "readOnly" && in.side != "response" {
		return in.set(true, "request-property-became-read-only", "%s: field %s became readOnly: requests may no longer send it", in.where, field)
	}
	return false
}

// propertyFlags reports readOnly and writeOnly of a property of the component schema a change is in,
// in the new document; false when it cannot be told.
func (in *ruleInput) propertyFlags(field string) (readOnly, writeOnly bool) {
	if in.newDoc == nil || len(in.segs) < 3 || in.segs[0] != "components" || in.segs[1] != "schemas" {
		return false, false
	}
	comps := in.newDoc.model.Components
	if comps == nil || comps.Schemas == nil {
		return false, false
	}
	sp, ok := comps.Schemas.Get(in.segs[2])
	if !ok || sp == nil || sp.Schema() == nil || sp.Schema().Properties == nil {
		return false, false
	}
	pp, ok := sp.Schema().Properties.Get(field)
	if !ok || pp == nil || pp.Schema() == nil {
		return false, false
	}
	s := pp.Schema()
	return s.ReadOnly != nil && *s.ReadOnly, s.WriteOnly != nil && *s.WriteOnly
}

// anonymousAccessRemoved finds operations that could be called without credentials and no longer can
// (oasdiff's api-security-anonymous-access-removed); what-changed does not report `security: []`
// disappearing, so the documents' resolved requirements are compared.
func anonymousAccessRemoved(old, new *Document) []Change {
	var out []Change
	for _, nop := range new.Operations() {
		for _, oop := range old.Operations() {
			if oop.Method != nop.Method || oop.Path != nop.Path || !oop.Public() || nop.Public() {
				continue
			}
			var names []string
			for _, req := range nop.Security {
				for _, s := range req {
					names = append(names, s.Name)
				}
			}
			out = append(out, Change{Breaking: true, Kind: ChangeModified, Method: nop.Method, Path: nop.Path,
				Pointer: pointer([]string{"paths", nop.Path, strings.ToLower(nop.Method), "security"}), Property: "security",
				Original: "anonymous", New: strings.Join(names, ", "), Rule: "security-anonymous-access-removed",
				Message: fmt.Sprintf("%s %s: no longer callable without credentials (now needs %s)", nop.Method, nop.Path, strings.Join(names, " or "))})
		}
	}
	return out
}

// securitySchemeRule: a security scheme's type, HTTP scheme, API key location or API key name changing
// makes every credential sent the old way fail (oasdiff's api-security-component-*-changed).
func securitySchemeRule(in *ruleInput) bool {
	if len(in.segs) != 3 || in.segs[0] != "components" || in.segs[1] != "securitySchemes" {
		return false
	}
	what := map[string]string{"type": "type", "scheme": "http-scheme", "in": "api-key-in", "name": "api-key-name"}[in.ch.Property]
	if what == "" {
		return false
	}
	return in.set(true, "security-scheme-"+what+"-changed", "security scheme %s: %s %s (%s → %s)", in.segs[2], in.ch.Property,
		in.ch.Kind, orNone(in.ch.Original), orNone(in.ch.New))
}
