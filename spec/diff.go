package spec

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/pb33f/libopenapi"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/what-changed/model"
)

// ChangeKind says whether something was added, modified or removed.
type ChangeKind string

// The kinds of change.
const (
	ChangeAdded    ChangeKind = "added"
	ChangeModified ChangeKind = "modified"
	ChangeRemoved  ChangeKind = "removed"
)

// Change is one difference between two versions of a document.
//
// Breaking starts from libopenapi's own verdict and is then adjusted for the side of the exchange the
// change is on (see Diff for the rules). Rule names the rule that decided it.
type Change struct {
	Breaking bool       `json:"breaking"`
	Kind     ChangeKind `json:"kind"`
	Method   string     `json:"method,omitempty"` // upper case, empty outside operations
	Path     string     `json:"path,omitempty"`   // the path template, empty outside paths
	Pointer  string     `json:"pointer"`          // JSON-pointer-ish location, parameters named instead of indexed
	Property string     `json:"property"`         // the changed keyword or key
	Original string     `json:"original,omitempty"`
	New      string     `json:"new,omitempty"`
	// Line and Column are in the new document, or the old one for removals; zero when unknown.
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Rule    string `json:"rule"`
	Message string `json:"message"`
}

// Location is "METHOD /path" when the change is inside an operation, else the pointer.
func (c Change) Location() string {
	switch {
	case c.Method != "":
		return c.Method + " " + c.Path
	case c.Path != "":
		return c.Path
	}
	return c.Pointer
}

// Changes is the result of Diff: every change, breaking ones first, then by location.
type Changes struct {
	OldName    string   `json:"old"`
	NewName    string   `json:"new"`
	OldVersion string   `json:"old_version"` // info.version of the old document
	NewVersion string   `json:"new_version"`
	Changes    []Change `json:"changes"`
}

// Breaking lists the breaking changes.
func (c *Changes) Breaking() []Change { return c.filter(true) }

// NonBreaking lists the changes that do not break clients.
func (c *Changes) NonBreaking() []Change { return c.filter(false) }

// HasBreaking reports whether any change breaks clients.
func (c *Changes) HasBreaking() bool { return len(c.Breaking()) > 0 }

// MajorChanged reports whether the major part of info.version differs between the documents
// ("1.4.0" → "2.0.0"), the signal that breaking changes are intended.
func (c *Changes) MajorChanged() bool {
	return majorOf(c.OldVersion) != majorOf(c.NewVersion)
}

func majorOf(v string) string {
	v = strings.TrimPrefix(strings.TrimSpace(v), "v")
	if i := strings.IndexByte(v, '.'); i >= 0 {
		return v[:i]
	}
	return v
}

func (c *Changes) filter(breaking bool) []Change {
	var out []Change
	for _, ch := range c.Changes {
		if ch.Breaking == breaking {
			out = append(out, ch)
		}
	}
	return out
}

// Diff compares two documents with libopenapi's what-changed engine and flattens its report.
//
// Breaking rules, on top of libopenapi's defaults ("request" means parameters and request bodies,
// "response" means responses; schemas reached only through components keep libopenapi's verdict):
//   - operation-removed, response-removed: always breaking; operation-added, response-added never.
//   - required-parameter-added, parameter-now-required, request-body-now-required: breaking; the reverse
//     (a parameter or body becoming optional) is not.
//   - required-field-added: breaking in a request, not in a response.
//   - response-field-removed: a property removed from, or no longer required in, a response is breaking;
//     a field no longer required in a request is not.
//   - enum-narrowed: a value removed from a request enum is breaking; enum changes in responses are not.
//   - type-changed: a changed type or format is breaking.
//   - constraint-tightened: a request constraint (minimum, maxLength, maxItems, ...) added or made
//     stricter is breaking, relaxing it is not; in responses it is the other way round.
//
// The error is non-nil only when libopenapi cannot compare the documents at all.
func Diff(old, new *Document) (*Changes, error) {
	if old == nil || new == nil {
		return nil, errors.New("diff: both documents are needed")
	}
	dc, err := libopenapi.CompareDocuments(old.Libopenapi(), new.Libopenapi())
	if dc == nil && err != nil {
		return nil, fmt.Errorf("diff %s %s: %w", old.Name(), new.Name(), err)
	}
	out := &Changes{OldName: old.Name(), NewName: new.Name(), OldVersion: old.Version(), NewVersion: new.Version()}
	if dc == nil {
		return out, nil
	}
	f := &flattener{seen: map[string]bool{}, usage: schemaUsage(old, new)}
	f.walk(reflect.ValueOf(dc), nil)
	out.Changes = f.out
	sort.SliceStable(out.Changes, func(i, j int) bool {
		a, b := out.Changes[i], out.Changes[j]
		if a.Breaking != b.Breaking {
			return a.Breaking
		}
		if a.Pointer != b.Pointer {
			return a.Pointer < b.Pointer
		}
		if a.Property != b.Property {
			return a.Property < b.Property
		}
		return a.Original+"\x00"+a.New < b.Original+"\x00"+b.New
	})
	return out, nil
}

type flattener struct {
	out   []Change
	seen  map[string]bool
	usage map[string]*usage // component schema name → where it is used
}

// usage records where a component schema is reachable from: requests, responses, and which operations.
type usage struct {
	request, response bool
	ops               []string
}

// schemaUsage maps each component schema to the sides of the exchanges that reach it in either document,
// so a change reported under components can be judged as a request or a response change.
func schemaUsage(docs ...*Document) map[string]*usage {
	out := map[string]*usage{}
	for _, d := range docs {
		for _, op := range d.Operations() {
			key := op.Method + " " + op.Path
			var req []*base.SchemaProxy
			params := op.Model.Parameters
			if item, ok := d.model.Paths.PathItems.Get(op.Path); ok && item != nil {
				params = append(append([]*v3.Parameter(nil), params...), item.Parameters...)
			}
			for _, p := range params {
				if p != nil && p.Schema != nil {
					req = append(req, p.Schema)
				}
			}
			if rb := op.Model.RequestBody; rb != nil && rb.Content != nil {
				for c := rb.Content.First(); c != nil; c = c.Next() {
					req = append(req, c.Value().Schema)
				}
			}
			var resp []*base.SchemaProxy
			for _, r := range op.Responses {
				if r.Model == nil {
					continue
				}
				for c := r.Model.Content.First(); c != nil; c = c.Next() {
					resp = append(resp, c.Value().Schema)
				}
				for h := r.Model.Headers.First(); h != nil; h = h.Next() {
					if h.Value() != nil {
						resp = append(resp, h.Value().Schema)
					}
				}
			}
			for _, side := range []struct {
				request bool
				roots   []*base.SchemaProxy
			}{{true, req}, {false, resp}} {
				seen := map[string]bool{}
				for _, sp := range side.roots {
					collectRefs(sp, seen, 0)
				}
				for name := range seen {
					u := out[name]
					if u == nil {
						u = &usage{}
						out[name] = u
					}
					if side.request {
						u.request = true
					} else {
						u.response = true
					}
					if !slices.Contains(u.ops, key) {
						u.ops = append(u.ops, key)
					}
				}
			}
		}
	}
	for _, u := range out {
		sort.Strings(u.ops)
	}
	return out
}

// collectRefs adds the names of the component schemas a schema reaches.
func collectRefs(sp *base.SchemaProxy, seen map[string]bool, depth int) {
	if sp == nil || depth > 64 {
		return
	}
	if sp.IsReference() {
		ref := sp.GetReference()
		name, ok := strings.CutPrefix(ref, "#/components/schemas/")
		if !ok {
			return
		}
		if seen[name] {
			return
		}
		seen[name] = true
	}
	s := sp.Schema()
	if s == nil {
		return
	}
	for _, list := range [][]*base.SchemaProxy{s.AllOf, s.OneOf, s.AnyOf, s.PrefixItems} {
		for _, c := range list {
			collectRefs(c, seen, depth+1)
		}
	}
	collectRefs(s.Not, seen, depth+1)
	if s.Items != nil && s.Items.IsA() {
		collectRefs(s.Items.A, seen, depth+1)
	}
	if s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
		collectRefs(s.AdditionalProperties.A, seen, depth+1)
	}
	for p := s.Properties.First(); p != nil; p = p.Next() {
		collectRefs(p.Value(), seen, depth+1)
	}
}

var (
	propertyChangesType = reflect.TypeOf(model.PropertyChanges{})
	changeType          = reflect.TypeOf(&model.Change{})
)

// segmentFor maps a what-changed JSON field name to the OpenAPI key it stands for; "" means the field
// is a map whose keys are the segments themselves.
func segmentFor(owner, field string) string {
	switch field {
	case "pathItems", "response":
		return ""
	case "requestBodies":
		return "requestBody"
	case "securityRequirements":
		return "security"
	case "schemas":
		if owner == "ComponentsChanges" {
			return "schemas"
		}
		return "schema"
	}
	return field
}

// walk visits a what-changed struct: its own changes at segs, then its children.
func (f *flattener) walk(v reflect.Value, segs []string) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return
	}
	t := v.Type()
	for i := 0; i < t.NumField(); i++ {
		sf, fv := t.Field(i), v.Field(i)
		if !sf.IsExported() {
			continue
		}
		if sf.Anonymous && sf.Type.Kind() == reflect.Pointer && sf.Type.Elem() == propertyChangesType {
			if !fv.IsNil() {
				for _, c := range fv.Interface().(*model.PropertyChanges).Changes {
					f.add(c, segs)
				}
			}
			continue
		}
		name := strings.Split(sf.Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		seg := segmentFor(t.Name(), name)
		child := segs
		if seg != "" {
			child = append(append([]string(nil), segs...), seg)
		}
		switch fv.Kind() {
		case reflect.Pointer:
			f.walk(fv, child)
		case reflect.Map:
			keys := fv.MapKeys()
			sort.Slice(keys, func(a, b int) bool { return keys[a].String() < keys[b].String() })
			for _, k := range keys {
				f.walk(fv.MapIndex(k), append(append([]string(nil), child...), k.String()))
			}
		case reflect.Slice:
			if fv.Type() == reflect.SliceOf(changeType) {
				for j := 0; j < fv.Len(); j++ {
					f.add(fv.Index(j).Interface().(*model.Change), child)
				}
				continue
			}
			for j := 0; j < fv.Len(); j++ {
				item := fv.Index(j)
				key := strconv.Itoa(j)
				if el := reflect.Indirect(item); el.IsValid() && el.Kind() == reflect.Struct {
					if n := el.FieldByName("Name"); n.IsValid() && n.Kind() == reflect.String && n.String() != "" {
						key = n.String()
					}
				}
				f.walk(item, append(append([]string(nil), child...), key))
			}
		}
	}
}

var methods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true,
	"head": true, "patch": true, "trace": true, "query": true}

func (f *flattener) add(c *model.Change, segs []string) {
	if c == nil {
		return
	}
	ch := Change{Breaking: c.Breaking, Property: c.Property, Original: c.Original, New: c.New}
	switch c.ChangeType {
	case model.PropertyAdded, model.ObjectAdded:
		ch.Kind = ChangeAdded
	case model.PropertyRemoved, model.ObjectRemoved:
		ch.Kind = ChangeRemoved
	default:
		ch.Kind = ChangeModified
	}
	if ctx := c.Context; ctx != nil {
		if ch.Kind != ChangeRemoved && ctx.NewLine != nil {
			ch.Line = *ctx.NewLine
			if ctx.NewColumn != nil {
				ch.Column = *ctx.NewColumn
			}
		} else if ctx.OriginalLine != nil {
			ch.Line = *ctx.OriginalLine
			if ctx.OriginalColumn != nil {
				ch.Column = *ctx.OriginalColumn
			}
		}
	}
	if len(segs) >= 2 && segs[0] == "paths" {
		ch.Path = segs[1]
		if len(segs) >= 3 && methods[segs[2]] {
			ch.Method = strings.ToUpper(segs[2])
		}
	} else if len(segs) == 1 && segs[0] == "paths" && strings.HasPrefix(c.Property, "/") {
		ch.Path = c.Property
	}
	if ch.Method == "" && ch.Path != "" && len(segs) == 2 && methods[c.Property] {
		ch.Method = strings.ToUpper(c.Property)
	}
	ch.Pointer = pointer(segs)
	// A schema reached through a $ref is reported under every operation using it and under components:
	// keep the first (operations are walked before components).
	key := fmt.Sprintf("%s\x00%d\x00%s\x00%s\x00%s\x00%d:%d", ch.Location(), c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)
	if strings.HasPrefix(ch.Pointer, "/components/") {
		key = fmt.Sprintf("\x00%d\x00%s\x00%s\x00%s\x00%d:%d", c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)
		if f.seen[key] {
			return
		}
	}
	if f.seen[key] {
		return
	}
	f.seen[key] = true
	f.seen[fmt.Sprintf("\x00%d\x00%s\x00%s\x00%s\x00%d:%d", c.ChangeType, ch.Property, ch.Original, ch.New, ch.Line, ch.Column)] = true
	sides := []string{side(segs)}
	if len(segs) >= 3 && segs[0] == "components" && segs[1] == "schemas" {
		if u := f.usage[segs[2]]; u != nil {
			sides = nil
			if u.request {
				sides = append(sides, "request")
			}
			if u.response {
				sides = append(sides, "response")
			}
			defer func() { f.out[len(f.out)-1].Message += " (used by " + strings.Join(u.ops, ", ") + ")" }()
		}
	}
	// A schema used on both sides is judged by the stricter verdict.
	best := ch
	for i, sd := range sides {
		c := ch
		classify(&c, segs, sd)
		if i == 0 || (c.Breaking && !best.Breaking) {
			best = c
		}
	}
	f.out = append(f.out, best)
}

// side says which part of an exchange a location is in: "request", "response" or "" (components).
func side(segs []string) string {
	for _, s := range segs {
		switch s {
		case "responses":
			return "response"
		case "requestBody", "parameters":
			return "request"
		}
	}
	return ""
}

var constraints = map[string]int{ // +1: a larger value is stricter; -1: a smaller value is stricter
	"minimum": +1, "exclusiveMinimum": +1, "minLength": +1, "minItems": +1, "minProperties": +1,
	"maximum": -1, "exclusiveMaximum": -1, "maxLength": -1, "maxItems": -1, "maxProperties": -1,
	"multipleOf": 0, "pattern": 0, "uniqueItems": 0,
}

// classify decides Breaking, Rule and Message for a change.
func classify(ch *Change, segs []string, sd string) {
	where := ch.Location()
	last := ""
	if len(segs) > 0 {
		last = segs[len(segs)-1]
	}
	value := ch.New
	if ch.Kind == ChangeRemoved {
		value = ch.Original
	}
	set := func(breaking bool, rule, format string, args ...any) {
		ch.Breaking, ch.Rule, ch.Message = breaking, rule, fmt.Sprintf(format, args...)
	}
	inSchema := strings.Contains(ch.Pointer, "/schema")
	switch {
	case len(segs) == 1 && segs[0] == "paths" && strings.HasPrefix(ch.Property, "/"):
		if ch.Kind == ChangeRemoved {
			set(true, "operation-removed", "path %s removed with all its operations", ch.Property)
		} else {
			set(false, "operation-added", "path %s added", ch.Property)
		}
	case len(segs) == 2 && segs[0] == "paths" && methods[ch.Property]:
		if ch.Kind == ChangeRemoved {
			set(true, "operation-removed", "operation %s removed", where)
		} else {
			set(false, "operation-added", "operation %s added", where)
		}
	case last == "responses" && (ch.Property == "codes" || ch.Property == "default") && ch.Kind != ChangeModified:
		code := value
		if ch.Property == "default" {
			code = "default"
		}
		if ch.Kind == ChangeRemoved {
			set(true, "response-removed", "%s: response %s removed", where, code)
		} else {
			set(false, "response-added", "%s: response %s added", where, code)
		}
	case ch.Property == "parameters" && ch.Kind == ChangeAdded:
		if ch.Breaking {
			set(true, "required-parameter-added", "%s: required parameter %s added", where, ch.New)
		} else {
			set(false, "parameter-added", "%s: optional parameter %s added", where, ch.New)
		}
	case ch.Property == "required" && ch.Kind == ChangeModified && !inSchema:
		what := "parameter " + last
		rule := "parameter-now-required"
		if last == "requestBody" {
			what, rule = "request body", "request-body-now-required"
		}
		if ch.New == "true" {
			set(true, rule, "%s: %s is now required", where, what)
		} else {
			set(false, strings.Replace(rule, "required", "optional", 1), "%s: %s is now optional", where, what)
		}
	case ch.Property == "required" && inSchema:
		field := value
		switch {
		case ch.Kind == ChangeAdded && sd == "response":
			set(false, "response-field-now-required", "%s: response field %s is now always present", where, field)
		case ch.Kind == ChangeAdded:
			set(true, "required-field-added", "%s: field %s is now required in the request", where, field)
		case sd == "request":
			set(false, "request-field-now-optional", "%s: request field %s is now optional", where, field)
		default:
			set(true, "response-field-removed", "%s: field %s is no longer required in the response", where, field)
		}
	case ch.Property == "properties" && ch.Kind == ChangeRemoved && sd == "response":
		set(true, "response-field-removed", "%s: response field %s removed", where, value)
	case ch.Property == "properties" && ch.Kind != ChangeModified:
		set(ch.Breaking, "field-"+string(ch.Kind), "%s: field %s %s", where, value, ch.Kind)
	case ch.Property == "enum":
		switch {
		case ch.Kind == ChangeRemoved && sd != "response":
			set(true, "enum-narrowed", "%s: enum value %s no longer accepted", where, value)
		case ch.Kind == ChangeRemoved:
			set(false, "enum-value-removed", "%s: enum value %s no longer returned", where, value)
		default:
			set(false, "enum-value-added", "%s: enum value %s added", where, value)
		}
	case (ch.Property == "type" || ch.Property == "format") && ch.Kind == ChangeModified:
		set(true, "type-changed", "%s: %s changed from %s to %s", where, ch.Property, ch.Original, ch.New)
	case inSchema && hasConstraint(ch.Property):
		stricter, known := tighter(ch)
		desc := "relaxed"
		if stricter {
			desc = "tightened"
		}
		if !known {
			desc = "changed"
			set(ch.Breaking, "constraint-changed", "%s: %s %s (%s → %s)", where, ch.Property, desc, orNone(ch.Original), orNone(ch.New))
			return
		}
		breaking := stricter
		if sd == "response" {
			breaking = !stricter
		}
		set(breaking, "constraint-"+desc, "%s: %s %s (%s → %s)", where, ch.Property, desc, orNone(ch.Original), orNone(ch.New))
	default:
		rule := strings.ToLower(ch.Property) + "-" + string(ch.Kind)
		if ch.Property == "" {
			rule = string(ch.Kind)
		}
		switch ch.Kind {
		case ChangeModified:
			set(ch.Breaking, rule, "%s: %s changed from %s to %s", where, ch.Property, orNone(ch.Original), orNone(ch.New))
		default:
			set(ch.Breaking, rule, "%s: %s %s %s", where, ch.Property, orNone(value), ch.Kind)
		}
	}
}

func hasConstraint(p string) bool { _, ok := constraints[p]; return ok }

// tighter says whether a constraint change is stricter, and whether that can be told at all.
func tighter(ch *Change) (stricter, known bool) {
	switch ch.Kind {
	case ChangeAdded:
		return true, true
	case ChangeRemoved:
		return false, true
	}
	dir := constraints[ch.Property]
	if ch.Property == "uniqueItems" {
		return ch.New == "true", true
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

// Formats accepted by Write.
const (
	FormatText     = "text"
	FormatJSON     = "json"
	FormatMarkdown = "markdown"
)

// Write renders the changes as text, json or markdown (markdown fits a pull-request comment).
// It returns an error for an unknown format or a failed write.
func (c *Changes) Write(w io.Writer, format string) error {
	var b strings.Builder
	breaking, other := c.Breaking(), c.NonBreaking()
	switch format {
	case FormatJSON:
		out := struct {
			*Changes
			Breaking    int  `json:"breaking"`
			NonBreaking int  `json:"non_breaking"`
			Major       bool `json:"major_version_changed"`
		}{c, len(breaking), len(other), c.MajorChanged()}
		if out.Changes.Changes == nil {
			out.Changes.Changes = []Change{}
		}
		enc := json.NewEncoder(&b)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	case FormatText, "":
		fmt.Fprintf(&b, "%s (%s) → %s (%s): %d breaking, %d non-breaking\n", c.OldName, c.OldVersion, c.NewName, c.NewVersion, len(breaking), len(other))
		for _, group := range []struct {
			title string
			list  []Change
		}{{"Breaking changes", breaking}, {"Non-breaking changes", other}} {
			if len(group.list) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n%s:\n", group.title)
			for _, ch := range group.list {
				fmt.Fprintf(&b, "  %s:%d:%d %s [%s]\n      at %s\n", c.nameFor(ch), ch.Line, ch.Column, ch.Message, ch.Rule, ch.Pointer)
			}
		}
	case FormatMarkdown:
		fmt.Fprintf(&b, "### Contract changes: `%s` %s → `%s` %s\n\n", c.OldName, c.OldVersion, c.NewName, c.NewVersion)
		if len(breaking) == 0 {
			b.WriteString("No breaking changes.\n")
		} else {
			fmt.Fprintf(&b, "**%d breaking change(s)**", len(breaking))
			if c.MajorChanged() {
				b.WriteString(" (major version changed)")
			}
			b.WriteString("\n")
		}
		for _, group := range []struct {
			title string
			list  []Change
		}{{"Breaking", breaking}, {"Non-breaking", other}} {
			if len(group.list) == 0 {
				continue
			}
			fmt.Fprintf(&b, "\n#### %s (%d)\n\n| Location | Change | Rule | Line |\n|---|---|---|---|\n", group.title, len(group.list))
			for _, ch := range group.list {
				fmt.Fprintf(&b, "| `%s` | %s | `%s` | %d |\n", mdEscape(ch.Pointer), mdEscape(ch.Message), ch.Rule, ch.Line)
			}
		}
	default:
		return fmt.Errorf("unknown format %q (use text, json or markdown)", format)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// nameFor is the document a change's line refers to.
func (c *Changes) nameFor(ch Change) string {
	if ch.Kind == ChangeRemoved {
		return c.OldName
	}
	return c.NewName
}

func mdEscape(s string) string { return strings.ReplaceAll(s, "|", `\|`) }
