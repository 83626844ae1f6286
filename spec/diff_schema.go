package spec

import (
	"math"
	"strconv"
	"strings"
)

// The rules in this file judge schema keywords by the side of the exchange: a change that lets a
// request carry less (or a response carry more) than before breaks clients; the reverse does not.

// restricts decides a change that adds a restriction when added is true (or removes one when false):
// a new restriction breaks requests, a removed one breaks responses; a change on no side (a component
// nobody uses) keeps libopenapi's verdict.
func (in *ruleInput) restricts(added bool, rule, format string, args ...any) bool {
	breaking := in.ch.Breaking
	switch in.side {
	case "request":
		breaking = added
	case "response":
		breaking = !added
	}
	return in.set(breaking, rule, format, args...)
}

// becameEnumRule: values added to a schema that had no enum restrict it to a closed set (oasdiff's
// request-*-became-enum); a schema whose enum disappears may now carry any value (response-*-became-
// not-enum).
func becameEnumRule(in *ruleInput) bool {
	if in.ch.Property != "enum" || in.ch.Kind == ChangeModified {
		return false
	}
	old, nw := in.schemas()
	switch {
	case in.ch.Kind == ChangeAdded && old != nil && len(old.Enum) == 0:
		return in.restricts(true, "became-enum", "%s: now restricted to enum values (%s is one)", in.where, in.value)
	case in.ch.Kind == ChangeRemoved && nw != nil && len(nw.Enum) == 0:
		return in.restricts(false, "became-not-enum", "%s: no longer restricted to enum values (%s was one)", in.where, in.value)
	}
	return false
}

// typeRule compares the type lists of 3.1 (with 3.0's nullable folded in as "null"): types removed
// narrow the schema, types added widen it; number covers integer. A format change is a type change.
func typeRule(in *ruleInput) bool {
	ch := in.ch
	if (ch.Property != "type" && ch.Property != "format") || ch.Kind != ChangeModified {
		return false
	}
	old, nw := in.schemas()
	if ch.Property == "format" || old == nil || nw == nil {
		return in.set(true, "type-changed", "%s: %s changed from %s to %s", in.where, ch.Property, orNone(ch.Original), orNone(ch.New))
	}
	ot, nt := typeSet(old), typeSet(nw)
	removed, added := minus(ot, nt), minus(nt, ot)
	if nt["number"] {
		removed = without(removed, "integer")
	}
	if ot["number"] {
		added = without(added, "integer")
	}
	from, to := strings.Join(old.Type, ", "), strings.Join(nw.Type, ", ")
	switch {
	case len(removed) > 0 && len(added) > 0, len(removed) == 0 && len(added) == 0:
		return in.set(true, "type-changed", "%s: type changed from %s to %s", in.where, orNone(from), orNone(to))
	case len(removed) > 0 && removed[0] == "null" && len(removed) == 1:
		return in.restricts(true, "became-not-nullable", "%s: no longer nullable (type %s → %s)", in.where, from, to)
	case len(removed) > 0:
		return in.restricts(true, "list-of-types-narrowed", "%s: type narrowed from %s to %s (%s removed)", in.where, from, to, strings.Join(removed, ", "))
	case added[0] == "null" && len(added) == 1:
		return in.restricts(false, "became-nullable", "%s: now nullable (type %s → %s)", in.where, from, to)
	}
	return in.restricts(false, "list-of-types-widened", "%s: type widened from %s to %s (%s added)", in.where, from, to, strings.Join(added, ", "))
}

func without(list []string, v string) []string {
	var out []string
	for _, s := range list {
		if s != v {
			out = append(out, s)
		}
	}
	return out
}

// nullableRule: 3.0's nullable turning on widens the schema, turning off narrows it.
func nullableRule(in *ruleInput) bool {
	if in.ch.Property != "nullable" {
		return false
	}
	on := in.ch.Kind != ChangeRemoved && in.ch.New == "true"
	if on {
		return in.restricts(false, "became-nullable", "%s: now nullable", in.where)
	}
	return in.restricts(true, "became-not-nullable", "%s: no longer nullable", in.where)
}

// schemaFalseRule: a schema that became `false` accepts nothing (oasdiff's *-schema-became-false), one
// that stopped being false accepts values again.
func schemaFalseRule(in *ruleInput) bool {
	if in.ch.Property != "schema" || in.ch.Kind != ChangeModified {
		return false
	}
	switch {
	case in.ch.New == "false":
		return in.set(true, "schema-became-false", "%s: the schema became false: no value is valid any more", in.where)
	case in.ch.Original == "false":
		return in.restricts(false, "schema-became-not-false", "%s: the schema is no longer false: values may appear", in.where)
	}
	return false
}

// constRule: a const added restricts to one value, one removed lifts that; a changed const breaks both.
func constRule(in *ruleInput) bool {
	if in.ch.Property != "const" {
		return false
	}
	switch in.ch.Kind {
	case ChangeAdded:
		return in.restricts(true, "const-added", "%s: const %s added", in.where, in.value)
	case ChangeRemoved:
		return in.restricts(false, "const-removed", "%s: const %s removed", in.where, in.value)
	}
	return in.set(true, "const-changed", "%s: const changed from %s to %s", in.where, in.ch.Original, in.ch.New)
}

// assertionName gives the rule name of a JSON Schema 2020-12 keyword (OpenAPI 3.1) that restricts
// values: adding one restricts, removing one relaxes, changing one may do either and so breaks both
// sides. The content* annotations are judged as changed whichever way they move, since generators
// and validators act on them.
func assertionName(keyword string) (string, bool) {
	switch keyword {
	case "if", "then", "else", "contains", "not":
		return keyword, true
	case "propertyNames":
		return "property-names", true
	case "unevaluatedProperties":
		return "unevaluated-properties", true
	case "unevaluatedItems":
		return "unevaluated-items", true
	case "dependentRequired":
		return "dependent-required", true
	case "contentMediaType":
		return "content-media-type", true
	case "contentEncoding":
		return "content-encoding", true
	case "contentSchema":
		return "content-schema", true
	}
	return "", false
}

func assertionRule(in *ruleInput) bool {
	keyword, field := in.ch.Property, ""
	if in.last == "dependentRequired" { // reported as the dependent property's name under the keyword
		keyword, field = "dependentRequired", " "+in.ch.Property
	}
	name, ok := assertionName(keyword)
	if !ok || !in.inSchema {
		return false
	}
	switch {
	case in.ch.Kind == ChangeModified || strings.HasPrefix(name, "content-"):
		return in.set(true, name+"-changed", "%s: %s%s changed (%s → %s)", in.where, keyword, field, orNone(in.ch.Original), orNone(in.ch.New))
	case in.ch.Kind == ChangeAdded:
		return in.restricts(true, name+"-added", "%s: %s%s added", in.where, keyword, field)
	}
	return in.restricts(false, name+"-removed", "%s: %s%s removed", in.where, keyword, field)
}

// keywordMapRule: libopenapi reports keys of patternProperties and dependentSchemas as properties; a
// pattern property or dependent schema added restricts matching objects, one removed relaxes them.
func keywordMapRule(in *ruleInput) bool {
	if in.ch.Property != "properties" || in.ch.Kind == ChangeModified {
		return false
	}
	old, nw := in.schemas()
	s, other := nw, old
	if in.ch.Kind == ChangeRemoved {
		s, other = old, nw
	}
	if s == nil || lookup(s.Properties, in.value) != nil && (other == nil || lookup(other.Properties, in.value) == nil) {
		return false // a real property added or removed
	}
	name, keyword := "", ""
	switch {
	case s.PatternProperties != nil && lookup(s.PatternProperties, in.value) != nil:
		name, keyword = "pattern-property", "pattern property"
	case s.DependentSchemas != nil && lookup(s.DependentSchemas, in.value) != nil:
		name, keyword = "dependent-schema", "dependent schema for"
	default:
		return false
	}
	return in.restricts(in.ch.Kind == ChangeAdded, name+"-"+string(in.ch.Kind), "%s: %s %s %s", in.where, keyword, in.value, in.ch.Kind)
}

// multipleOfTighter: a new multipleOf that is a multiple of the old one accepts fewer values, a
// divisor of it accepts more; any other change neither (known is false, and the change breaks).
func multipleOfTighter(original, new string) (stricter, known bool) {
	o, err1 := strconv.ParseFloat(original, 64)
	n, err2 := strconv.ParseFloat(new, 64)
	if err1 != nil || err2 != nil || o <= 0 || n <= 0 {
		return false, false
	}
	whole := func(x float64) bool { return math.Abs(x-math.Round(x)) < 1e-9 }
	switch {
	case whole(n / o):
		return true, true
	case whole(o / n):
		return false, true
	}
	return false, false
}
