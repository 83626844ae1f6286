package spec

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// ruleInput is what a diff rule looks at: the change, where it is, and the side of the exchange.
type ruleInput struct {
	ch       *Change
	segs     []string
	side     string // "request", "response" or "" (components reached from neither)
	where    string // the change's Location
	last     string // the last segment of its location
	value    string // the new value, or the original one for a removal
	inSchema bool   // the change is inside a schema
	oldDoc   *Document
	newDoc   *Document

	resolved   bool // oldS and newS are looked up once, by the first rule that asks
	oldS, newS *base.Schema
}

// schemas are the schema the change is in, in the old and in the new document; nil where it is absent
// or the location is not a schema.
func (in *ruleInput) schemas() (old, new *base.Schema) {
	if !in.resolved {
		in.oldS, in.newS, in.resolved = schemaAt(in.oldDoc, in.segs), schemaAt(in.newDoc, in.segs), true
	}
	return in.oldS, in.newS
}

// set decides the change and reports that the rule claimed it.
func (in *ruleInput) set(breaking bool, rule, format string, args ...any) bool {
	in.ch.Breaking, in.ch.Rule, in.ch.Message = breaking, rule, fmt.Sprintf(format, args...)
	return true
}

// diffRule claims a change by setting its verdict and returning true, or leaves it to the next rule.
type diffRule func(in *ruleInput) bool

// diffRules lists the rules in the order they are tried; the first that claims a change decides it,
// and a change no rule claims keeps libopenapi's verdict (see fallbackRule). A new rule is one entry.
func diffRules() []diffRule {
	return []diffRule{pathRule, operationRule, responseRule, webhookRule, parameterAddedRule, nowRequiredRule,
		securityScopeRule, securitySchemeRule, mediaTypeRule, mediaSchemaRule, wrappedRule, allOfRestructuredRule, compositionRule, extensibleEnumRule,
		readOnlyRequiredRule, writeOnlyRule, fieldRequiredRule, keywordMapRule, fieldRemovedRule, fieldAddedOrRemovedRule,
		becameEnumRule, enumRule, typeRule, nullableRule, schemaFalseRule, constRule, assertionRule, constraintRule}
}

// classifyIn decides Breaking, Rule and Message for a change; the documents may be nil.
func classifyIn(ch *Change, segs []string, sd string, oldDoc, newDoc *Document) {
	in := &ruleInput{ch: ch, segs: segs, side: sd, where: ch.Location(), value: ch.New,
		inSchema: strings.Contains(ch.Pointer, "/schema"), oldDoc: oldDoc, newDoc: newDoc}
	if len(segs) > 0 {
		in.last = segs[len(segs)-1]
	}
	if ch.Kind == ChangeRemoved {
		in.value = ch.Original
	}
	for _, rule := range diffRules() {
		if rule(in) {
			return
		}
	}
	fallbackRule(in)
}

func pathRule(in *ruleInput) bool {
	ch := in.ch
	if len(in.segs) != 1 || in.segs[0] != "paths" || !strings.HasPrefix(ch.Property, "/") {
		return false
	}
	if ch.Kind == ChangeRemoved {
		return in.set(true, "operation-removed", "path %s removed with all its operations", ch.Property)
	}
	return in.set(false, "operation-added", "path %s added", ch.Property)
}

func operationRule(in *ruleInput) bool {
	if len(in.segs) != 2 || in.segs[0] != "paths" || !isMethod(in.ch.Property) {
		return false
	}
	if in.ch.Kind == ChangeRemoved {
		return in.set(true, "operation-removed", "operation %s removed", in.where)
	}
	return in.set(false, "operation-added", "operation %s added", in.where)
}

func responseRule(in *ruleInput) bool {
	ch := in.ch
	if in.last != "responses" || (ch.Property != "codes" && ch.Property != "default") || ch.Kind == ChangeModified {
		return false
	}
	code := in.value
	if ch.Property == "default" {
		code = "default"
	}
	if ch.Kind == ChangeRemoved {
		return in.set(true, "response-removed", "%s: response %s removed", in.where, code)
	}
	return in.set(false, "response-added", "%s: response %s added", in.where, code)
}

func parameterAddedRule(in *ruleInput) bool {
	if in.ch.Property != "parameters" || in.ch.Kind != ChangeAdded {
		return false
	}
	if in.ch.Breaking {
		return in.set(true, "required-parameter-added", "%s: required parameter %s added", in.where, in.ch.New)
	}
	return in.set(false, "parameter-added", "%s: optional parameter %s added", in.where, in.ch.New)
}

// nowRequiredRule judges a parameter or request body becoming required or optional.
func nowRequiredRule(in *ruleInput) bool {
	if in.ch.Property != "required" || in.ch.Kind != ChangeModified || in.inSchema {
		return false
	}
	if in.side == "response" && slices.Contains(in.segs, "headers") {
		if in.ch.New == "true" {
			return in.set(false, "response-header-now-required", "%s: response header %s is now always sent", in.where, in.last)
		}
		return in.set(true, "response-header-now-optional", "%s: response header %s may now be missing", in.where, in.last)
	}
	what, rule := "parameter "+in.last, "parameter-now-required"
	if in.last == "requestBody" {
		what, rule = "request body", "request-body-now-required"
	}
	if in.ch.New == "true" {
		return in.set(true, rule, "%s: %s is now required", in.where, what)
	}
	return in.set(false, strings.Replace(rule, "required", "optional", 1), "%s: %s is now optional", in.where, what)
}

// fieldRequiredRule judges a schema's required list growing or shrinking, by side.
func fieldRequiredRule(in *ruleInput) bool {
	if in.ch.Property != "required" || !in.inSchema {
		return false
	}
	field := in.value
	switch {
	case in.ch.Kind == ChangeAdded && in.side == "response":
		return in.set(false, "response-field-now-required", "%s: response field %s is now always present", in.where, field)
	case in.ch.Kind == ChangeAdded:
		return in.set(true, "required-field-added", "%s: field %s is now required in the request", in.where, field)
	case in.side == "request":
		return in.set(false, "request-field-now-optional", "%s: request field %s is now optional", in.where, field)
	}
	return in.set(true, "response-field-removed", "%s: field %s is no longer required in the response", in.where, field)
}

func fieldRemovedRule(in *ruleInput) bool {
	if in.ch.Property != "properties" || in.ch.Kind != ChangeRemoved || in.side != "response" {
		return false
	}
	return in.set(true, "response-field-removed", "%s: response field %s removed", in.where, in.value)
}

func fieldAddedOrRemovedRule(in *ruleInput) bool {
	if in.ch.Property != "properties" || in.ch.Kind == ChangeModified {
		return false
	}
	return in.set(in.ch.Breaking, "field-"+string(in.ch.Kind), "%s: field %s %s", in.where, in.value, in.ch.Kind)
}

func enumRule(in *ruleInput) bool {
	if in.ch.Property != "enum" {
		return false
	}
	switch {
	case in.ch.Kind == ChangeRemoved && in.side != "response":
		return in.set(true, "enum-narrowed", "%s: enum value %s no longer accepted", in.where, in.value)
	case in.ch.Kind == ChangeRemoved:
		return in.set(false, "enum-value-removed", "%s: enum value %s no longer returned", in.where, in.value)
	case in.side == "response":
		return in.set(true, "response-enum-value-added", "%s: enum value %s may now be returned; clients written against the old list may not handle it (use x-extensible-enum for a growing set)", in.where, in.value)
	}
	return in.set(false, "enum-value-added", "%s: enum value %s added", in.where, in.value)
}

// constraintRule judges a validation keyword added, removed or changed: stricter breaks requests,
// looser breaks responses.
func constraintRule(in *ruleInput) bool {
	ch := in.ch
	if !in.inSchema || !hasConstraint(ch.Property) {
		return false
	}
	stricter, known := tighter(ch)
	if !known && ch.Property == "multipleOf" {
		return in.set(true, "multiple-of-changed", "%s: multipleOf changed (%s → %s): values valid before may not be now", in.where, orNone(ch.Original), orNone(ch.New))
	}
	if !known {
		return in.set(ch.Breaking, "constraint-changed", "%s: %s changed (%s → %s)", in.where, ch.Property, orNone(ch.Original), orNone(ch.New))
	}
	desc := "relaxed"
	if stricter {
		desc = "tightened"
	}
	breaking := stricter
	if in.side == "response" {
		breaking = !stricter
	}
	return in.set(breaking, "constraint-"+desc, "%s: %s %s (%s → %s)", in.where, ch.Property, desc, orNone(ch.Original), orNone(ch.New))
}

// fallbackRule keeps libopenapi's verdict and names the rule after the keyword and the kind of change.
func fallbackRule(in *ruleInput) {
	ch := in.ch
	rule := strings.ToLower(ch.Property) + "-" + string(ch.Kind)
	if ch.Property == "" {
		rule = string(ch.Kind)
	}
	if ch.Kind == ChangeModified {
		in.set(ch.Breaking, rule, "%s: %s changed from %s to %s", in.where, ch.Property, orNone(ch.Original), orNone(ch.New))
		return
	}
	in.set(ch.Breaking, rule, "%s: %s %s %s", in.where, ch.Property, orNone(in.value), ch.Kind)
}

// constraintDirection says which way a validation keyword tightens: +1 when a larger value is
// stricter, -1 when a smaller one is, 0 when it cannot be told from the values; ok is false for
// keywords that are not constraints.
func constraintDirection(p string) (dir int, ok bool) {
	switch p {
	case "minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties", "minContains":
		return +1, true
	case "maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties", "maxContains":
		return -1, true
	case "multipleOf", "pattern", "uniqueItems":
		return 0, true
	}
	return 0, false
}

func hasConstraint(p string) bool { _, ok := constraintDirection(p); return ok }

// isMethod reports whether a path item key is an HTTP method.
func isMethod(k string) bool {
	switch k {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace", "query":
		return true
	}
	return false
}

// tighter says whether a constraint change is stricter, and whether that can be told at all.
func tighter(ch *Change) (stricter, known bool) {
	switch ch.Kind {
	case ChangeAdded:
		return true, true
	case ChangeRemoved:
		return false, true
	}
	dir, _ := constraintDirection(ch.Property)
	switch ch.Property {
	case "uniqueItems":
		return ch.New == "true", true
	case "multipleOf":
		return multipleOfTighter(ch.Original, ch.New)
	}
	if dir == 0 {
		return false, false
	}
	o, err1 := strconv.ParseFloat(ch.Original, 64)
	n, err2 := strconv.ParseFloat(ch.New, 64)
	if err1 != nil || err2 != nil {
		return false, false
	}
	return (n-o)*float64(dir) > 0, true
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
