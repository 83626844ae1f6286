package spec

import (
	"reflect"
	"slices"
	"strings"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
)

// webhookRule: a webhook removed stops callbacks receivers rely on (oasdiff's webhook-removed).
func webhookRule(in *ruleInput) bool {
	if in.ch.Property != "webhooks" || in.ch.Kind == ChangeModified || len(in.segs) > 0 {
		return false
	}
	if in.ch.Kind == ChangeRemoved {
		return in.set(true, "webhook-removed", "webhook %s removed", in.value)
	}
	return in.set(false, "webhook-added", "webhook %s added", in.value)
}

// mediaTypeRule: a media type removed from a request body refuses clients sending it; one removed
// from a response leaves clients asking for it (Accept) without an answer.
func mediaTypeRule(in *ruleInput) bool {
	if in.ch.Property != "content" || in.ch.Kind == ChangeModified || in.inSchema {
		return false
	}
	where := "response"
	if in.last == "requestBody" {
		where = "request"
	}
	if in.ch.Kind == ChangeRemoved {
		return in.set(true, where+"-media-type-removed", "%s: %s media type %s removed", in.where, where, in.value)
	}
	return in.set(false, where+"-media-type-added", "%s: %s media type %s added", in.where, where, in.value)
}

// allOfRestructuredRule judges changes inside an allOf by the composed schema, not branch by branch:
// when the branches, merged, describe the same schema before and after (a property moved from one
// branch to another, branches split or joined), nothing changed for clients. oasdiff compares the
// branches one at a time unless asked to flatten them.
func allOfRestructuredRule(in *ruleInput) bool {
	i := slices.Index(in.segs, "allOf")
	if in.ch.Property == "allOf" {
		i = len(in.segs)
	} else if i < 0 {
		return false
	}
	owner := in.segs[:i]
	old, nw := schemaAt(in.oldDoc, owner), schemaAt(in.newDoc, owner)
	if old == nil || nw == nil || len(old.AllOf)+len(nw.AllOf) == 0 {
		return false
	}
	mo, mn := composed(old, 0), composed(nw, 0)
	if mo == nil || mn == nil || !reflect.DeepEqual(mo, mn) {
		return false
	}
	return in.set(false, "all-of-restructured", "%s: allOf branches rearranged; the composed schema is unchanged", in.where)
}

// composed renders a schema with its allOf branches merged into one map: properties joined, required
// joined as a set, other keywords kept (the same keyword in two branches kept as a list of values).
// nil when a branch cannot be rendered.
func composed(s *base.Schema, depth int) map[string]any {
	if s == nil || depth > 16 {
		return nil
	}
	raw, err := s.Render()
	if err != nil {
		return nil
	}
	var out map[string]any
	if err := yaml.Unmarshal(raw, &out); err != nil || out == nil {
		out = map[string]any{}
	}
	delete(out, "allOf")
	for _, sp := range s.AllOf {
		var branch map[string]any
		if sp != nil && sp.IsReference() {
			branch = map[string]any{"$ref": sp.GetReference()}
		} else if sp != nil {
			branch = composed(sp.Schema(), depth+1)
		}
		if branch == nil {
			return nil
		}
		mergeInto(out, branch)
	}
	if req, ok := out["required"].([]any); ok {
		names := make([]string, 0, len(req))
		for _, r := range req {
			if s, ok := r.(string); ok && !slices.Contains(names, s) {
				names = append(names, s)
			}
		}
		slices.Sort(names)
		out["required"] = names
	}
	return out
}

func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		cur, ok := dst[k]
		switch {
		case !ok:
			dst[k] = v
		case k == "properties":
			a, _ := cur.(map[string]any)
			b, _ := v.(map[string]any)
			if a == nil {
				a = map[string]any{}
			}
			for name, p := range b {
				a[name] = p
			}
			dst[k] = a
		case k == "required":
			a, _ := cur.([]any)
			b, _ := v.([]any)
			dst[k] = append(append([]any(nil), a...), b...)
		case !reflect.DeepEqual(cur, v):
			dst[k] = []any{cur, v}
		}
	}
}

// compositionRule judges branches added to or removed from allOf, oneOf and anyOf: an allOf branch
// adds constraints; a oneOf/anyOf branch adds alternatives. Adding constraints or removing alternatives
// breaks requests; the reverse breaks responses.
func compositionRule(in *ruleInput) bool {
	kw := in.ch.Property
	if (kw != "allOf" && kw != "oneOf" && kw != "anyOf") || in.ch.Kind == ChangeModified {
		return false
	}
	old, nw := in.schemas()
	count := func(s *base.Schema) int {
		if s == nil {
			return 0
		}
		return len(map[string][]*base.SchemaProxy{"allOf": s.AllOf, "oneOf": s.OneOf, "anyOf": s.AnyOf}[kw])
	}
	added := in.ch.Kind == ChangeAdded
	restricts := added == (kw == "allOf")
	name := strings.ToLower(kw[:len(kw)-2]) + "-of-" + string(in.ch.Kind)
	return in.restricts(restricts, name, "%s: %s branch %s (%d → %d branches)", in.where, kw, in.ch.Kind, count(old), count(nw))
}

// mediaSchemaRule: a media type gaining a schema restricts what it carries; losing one lifts that
// (oasdiff's *-media-type-schema-added/removed).
func mediaSchemaRule(in *ruleInput) bool {
	n := len(in.segs)
	if in.ch.Property != "schema" || in.ch.Kind == ChangeModified || n < 2 || in.segs[n-2] != "content" {
		return false
	}
	return in.restricts(in.ch.Kind == ChangeAdded, "media-type-schema-"+string(in.ch.Kind), "%s: media type %s schema %s", in.where, in.last, in.ch.Kind)
}

// wrappedRule: a schema replaced by a oneOf/anyOf that has the old schema as one of its branches
// accepts everything it did and more: every change reported at that schema is one widening (oasdiff's
// *-wrapped-in-one-of for responses). Requests are unaffected; responses may now carry the new branches.
func wrappedRule(in *ruleInput) bool {
	if !in.inSchema {
		return false
	}
	old, nw := in.schemas()
	if old == nil || nw == nil || len(old.OneOf)+len(old.AnyOf) > 0 {
		return false
	}
	kw, branches := "oneOf", nw.OneOf
	if len(branches) == 0 {
		kw, branches = "anyOf", nw.AnyOf
	}
	before := composed(old, 0)
	for _, b := range branches {
		if b == nil || b.IsReference() || before == nil {
			continue
		}
		if reflect.DeepEqual(composed(b.Schema(), 0), before) {
			return in.restricts(false, "wrapped-in-"+strings.ToLower(kw[:len(kw)-2])+"-of",
				"%s: wrapped in %s with the old schema as one branch (%d branches)", in.where, kw, len(branches))
		}
	}
	return false
}

// extensibleEnumRule: x-extensible-enum (a list clients must expect to grow) still promises its values
// to requests: a value removed breaks them (oasdiff's *-x-extensible-enum-value-removed); added values
// break nobody.
func extensibleEnumRule(in *ruleInput) bool {
	if in.ch.Property != "x-extensible-enum" || in.last != "extensions" {
		return false
	}
	segs := in.segs[:len(in.segs)-1]
	values := func(d *Document) []string {
		s := schemaAt(d, segs)
		if s == nil || s.Extensions == nil {
			return nil
		}
		node := lookup(s.Extensions, "x-extensible-enum")
		var out []string
		if node != nil {
			for _, c := range node.Content {
				out = append(out, c.Value)
			}
		}
		return out
	}
	nw := values(in.newDoc)
	var removed []string
	for _, v := range values(in.oldDoc) {
		if !slices.Contains(nw, v) {
			removed = append(removed, v)
		}
	}
	if len(removed) == 0 {
		return in.set(false, "x-extensible-enum-value-added", "%s: x-extensible-enum values added", in.where)
	}
	return in.set(in.side != "response", "x-extensible-enum-value-removed", "%s: x-extensible-enum values %s removed", in.where, strings.Join(removed, ", "))
}
