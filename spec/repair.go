package spec

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand"
	"net/mail"
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pb33f/go-yaml"
	"github.com/pb33f/libopenapi/datamodel/high/base"
	"github.com/pb33f/libopenapi/renderer"
)

// The renderer is good at producing plausible leaves but ignores much of JSON Schema: it copies schema
// examples even when they break their own schema, merges the first renderable oneOf branch into its
// parent, leaves const and formats to chance, and drops required properties it cannot render. repairer
// walks a rendered value together with its schema and fixes what the renderer got wrong, asking the
// renderer again for any sub-value it has to replace. Validation stays the final judge.

// repairMaxDepth bounds the walk on circular schemas; the renderer has its own depth budget.
const repairMaxDepth = 24

// repairMaxNodes bounds the schema nodes one repair visits, so a huge document cannot make it slow.
const repairMaxNodes = 20000

type repairer struct {
	render *renderer.SchemaRenderer
	rnd    *rand.Rand
	// random makes oneOf/anyOf pick a random branch instead of the one the renderer chose.
	random bool
	nodes  int
}

// value renders a schema into plain JSON values (map[string]any, []any, string, float64, bool, nil).
func (g *repairer) value(s *base.Schema) any {
	v, err := g.render.RenderSchemaWithError(s)
	if err != nil {
		return nil
	}
	return normalize(v)
}

// normalize turns the renderer's Go values into what encoding/json decodes, so the walk sees one set of types.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var out any
	if json.Unmarshal(b, &out) != nil {
		return nil
	}
	return out
}

func decodeNode(n *yaml.Node) any {
	var v any
	if n == nil || n.Decode(&v) != nil {
		return nil
	}
	return normalize(v)
}

func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case float64:
		if x == math.Trunc(x) && !math.IsInf(x, 0) {
			return "integer"
		}
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

func typeAllowed(v any, types []string) bool {
	if len(types) == 0 {
		return true
	}
	t := jsonType(v)
	for _, want := range types {
		if want == t || (want == "number" && t == "integer") {
			return true
		}
	}
	return false
}

// types is the schema's type list with null added for the 3.0 keyword nullable.
func types(s *base.Schema) []string {
	if s.Nullable != nil && *s.Nullable && len(s.Type) > 0 && !slices.Contains(s.Type, "null") {
		return append(slices.Clone(s.Type), "null")
	}
	return s.Type
}

func (g *repairer) fix(s *base.Schema, v any, depth int) any {
	if s == nil || depth > repairMaxDepth || g.nodes > repairMaxNodes {
		return v
	}
	g.nodes++
	if s.Const != nil {
		return decodeNode(s.Const)
	}
	if len(s.Enum) > 0 {
		for _, e := range s.Enum {
			if equalJSON(decodeNode(e), v) {
				return v
			}
		}
		return decodeNode(s.Enum[0])
	}
	for _, p := range s.AllOf {
		v = g.fix(p.Schema(), v, depth+1)
	}
	if len(s.OneOf) > 0 {
		v = g.branch(s, s.OneOf, v, depth)
	}
	if len(s.AnyOf) > 0 {
		v = g.branch(s, s.AnyOf, v, depth)
	}
	if m, ok := v.(map[string]any); ok && s.Not != nil {
		avoidRequired(s, s.Not.Schema(), m)
	}
	ts := types(s)
	if !typeAllowed(v, ts) {
		v = g.retype(s, ts, v)
	}
	switch x := v.(type) {
	case map[string]any:
		return g.fixObject(s, x, depth)
	case []any:
		return g.fixArray(s, x, depth)
	case string:
		return g.fixString(s, x)
	case float64:
		return fixNumber(s, x)
	}
	return v
}

// retype replaces a value of the wrong type: a fresh rendering when that has the right type, else the
// smallest value of the first allowed type (later passes add required properties and items).
func (g *repairer) retype(s *base.Schema, ts []string, v any) any {
	if r := g.value(s); typeAllowed(r, ts) && r != nil {
		return r
	}
	switch {
	case jsonType(v) == "integer" && slices.Contains(ts, "string"):
		return fmt.Sprint(v)
	}
	for _, t := range ts {
		switch t {
		case "object":
			return map[string]any{}
		case "array":
			return []any{}
		case "string":
			return "string"
		case "integer", "number":
			return float64(0)
		case "boolean":
			return true
		case "null":
			return nil
		}
	}
	return v
}

// branch makes v an instance of one oneOf/anyOf branch: the one a discriminator names, else the branch
// the renderer used (the first that renders), else a random one when random is set.
func (g *repairer) branch(parent *base.Schema, branches []*base.SchemaProxy, v any, depth int) any {
	pick := -1
	if d := parent.Discriminator; d != nil && d.PropertyName != "" && !g.random {
		if m, ok := v.(map[string]any); ok {
			if name, ok := m[d.PropertyName].(string); ok {
				pick = discriminated(d, branches, name)
			}
		}
	}
	if pick < 0 {
		if g.random {
			pick = g.rnd.Intn(len(branches))
		} else {
			for i, b := range branches {
				if bs := b.Schema(); bs != nil && typeAllowed(v, types(bs)) && !isNullOnly(bs) {
					pick = i
					break
				}
			}
			if pick < 0 {
				pick = 0
			}
		}
	}
	b := branches[pick].Schema()
	if b == nil {
		return v
	}
	if !typeAllowed(v, types(b)) {
		v = g.value(b)
	}
	m, isMap := v.(map[string]any)
	objectLike := slices.Contains(b.Type, "object") || b.Properties != nil || len(b.AllOf)+len(b.OneOf)+len(b.AnyOf) > 0
	if !isMap || !objectLike {
		return g.fix(b, v, depth+1)
	}
	// Keep what the parent and its siblings rendered, drop properties only the other branches define,
	// and add what the chosen branch renders.
	own := propertyNames(b)
	out := make(map[string]any, len(m))
	for k, val := range m {
		out[k] = val
	}
	for i, other := range branches {
		if i == pick {
			continue
		}
		for k := range propertyNames(other.Schema()) {
			if !own[k] && !hasProperty(parent, k) {
				delete(out, k)
			}
		}
	}
	if fresh, ok := g.value(b).(map[string]any); ok {
		for k, val := range fresh {
			if _, have := out[k]; !have {
				out[k] = val
			}
		}
	}
	fixed := g.fix(b, out, depth+1)
	if d := parent.Discriminator; d != nil && d.PropertyName != "" {
		if fm, ok := fixed.(map[string]any); ok {
			if name := discriminatorValue(d, branches[pick]); name != "" {
				if ps := propertySchema(b, d.PropertyName); ps == nil || (ps.Const == nil && len(ps.Enum) == 0) {
					fm[d.PropertyName] = name
				}
			}
		}
	}
	return fixed
}

func isNullOnly(s *base.Schema) bool { return len(s.Type) == 1 && s.Type[0] == "null" }

// discriminated finds the branch a discriminator value selects: through mapping, else by schema name.
func discriminated(d *base.Discriminator, branches []*base.SchemaProxy, name string) int {
	ref := ""
	if d.Mapping != nil {
		ref, _ = d.Mapping.Get(name)
	}
	for i, b := range branches {
		r := b.GetReference()
		if r == "" {
			continue
		}
		if (ref != "" && (r == ref || strings.HasSuffix(r, "/"+strings.TrimPrefix(ref, "#/components/schemas/")))) ||
			(ref == "" && r[strings.LastIndexByte(r, '/')+1:] == name) {
			return i
		}
	}
	return -1
}

// discriminatorValue is the value that selects a branch: its mapping key, else its schema name.
func discriminatorValue(d *base.Discriminator, b *base.SchemaProxy) string {
	r := b.GetReference()
	if r == "" {
		return ""
	}
	if d.Mapping != nil {
		for k, v := range d.Mapping.FromOldest() {
			if v == r || strings.HasSuffix(r, "/"+strings.TrimPrefix(v, "#/components/schemas/")) {
				return k
			}
		}
	}
	return r[strings.LastIndexByte(r, '/')+1:]
}

// propertyNames lists the properties a schema defines, through allOf.
func propertyNames(s *base.Schema) map[string]bool {
	out := map[string]bool{}
	var walk func(s *base.Schema, depth int)
	walk = func(s *base.Schema, depth int) {
		if s == nil || depth > 4 {
			return
		}
		if s.Properties != nil {
			for k := range s.Properties.KeysFromOldest() {
				out[k] = true
			}
		}
		for _, p := range s.AllOf {
			walk(p.Schema(), depth+1)
		}
	}
	walk(s, 0)
	return out
}

func hasProperty(s *base.Schema, name string) bool {
	return s.Properties != nil && s.Properties.GetOrZero(name) != nil
}

func propertySchema(s *base.Schema, name string) *base.Schema {
	if s.Properties == nil {
		return nil
	}
	if p := s.Properties.GetOrZero(name); p != nil {
		return p.Schema()
	}
	return nil
}

func (g *repairer) fixObject(s *base.Schema, m map[string]any, depth int) any {
	if s.Properties != nil {
		for name, p := range s.Properties.FromOldest() {
			if val, ok := m[name]; ok {
				m[name] = g.fix(p.Schema(), val, depth+1)
			}
		}
	}
	for _, name := range s.Required {
		if _, ok := m[name]; ok {
			continue
		}
		var ps *base.Schema
		if s.Properties != nil {
			if p := s.Properties.GetOrZero(name); p != nil {
				ps = p.Schema()
			}
		}
		if ps == nil && s.AdditionalProperties != nil && s.AdditionalProperties.IsA() {
			ps = s.AdditionalProperties.A.Schema()
		}
		if ps == nil {
			m[name] = "value"
			continue
		}
		m[name] = g.fix(ps, g.value(ps), depth+1)
	}
	if ap := s.AdditionalProperties; ap != nil {
		for k, val := range m {
			if hasProperty(s, k) || matchesPatternProperty(s, k) {
				continue
			}
			switch {
			case ap.IsB() && !ap.B:
				delete(m, k)
			case ap.IsA():
				m[k] = g.fix(ap.A.Schema(), val, depth+1)
			}
		}
	}
	if s.MaxProperties != nil {
		for k := range m {
			if int64(len(m)) <= *s.MaxProperties {
				break
			}
			if !slices.Contains(s.Required, k) {
				delete(m, k)
			}
		}
	}
	return m
}

func matchesPatternProperty(s *base.Schema, name string) bool {
	if s.PatternProperties == nil {
		return false
	}
	for p := range s.PatternProperties.KeysFromOldest() {
		if re, err := regexp.Compile(p); err == nil && re.MatchString(name) {
			return true
		}
	}
	return false
}

func (g *repairer) fixArray(s *base.Schema, a []any, depth int) any {
	var items *base.Schema
	if s.Items != nil && s.Items.IsA() {
		items = s.Items.A.Schema()
	}
	for i := range a {
		switch {
		case i < len(s.PrefixItems):
			a[i] = g.fix(s.PrefixItems[i].Schema(), a[i], depth+1)
		case items != nil:
			a[i] = g.fix(items, a[i], depth+1)
		}
	}
	if s.UniqueItems != nil && *s.UniqueItems {
		var uniq []any
		for _, x := range a {
			if !slices.ContainsFunc(uniq, func(y any) bool { return equalJSON(x, y) }) {
				uniq = append(uniq, x)
			}
		}
		a = uniq
	}
	if s.MinItems != nil && items != nil {
		for tries := 0; int64(len(a)) < *s.MinItems && tries < int(*s.MinItems)*4+4; tries++ {
			x := g.fix(items, g.value(items), depth+1)
			if s.UniqueItems != nil && *s.UniqueItems && slices.ContainsFunc(a, func(y any) bool { return equalJSON(x, y) }) {
				continue
			}
			a = append(a, x)
		}
	}
	if s.MaxItems != nil && int64(len(a)) > *s.MaxItems {
		a = a[:*s.MaxItems]
	}
	if a == nil {
		a = []any{}
	}
	return a
}

func (g *repairer) fixString(s *base.Schema, str string) any {
	if !validFormat(s.Format, str) {
		str = g.formatted(s.Format)
	}
	if s.Pattern != "" {
		if re, err := regexp.Compile(s.Pattern); err == nil && !re.MatchString(str) {
			// Rendering the schema without its examples makes the renderer generate from the pattern.
			c := *s
			c.Example, c.Examples = nil, nil
			if r, ok := g.value(&c).(string); ok && re.MatchString(r) {
				str = r
			}
		}
	}
	n := int64(utf8.RuneCountInString(str))
	if s.MinLength != nil && n < *s.MinLength {
		str += strings.Repeat("x", int(*s.MinLength-n))
	}
	if s.MaxLength != nil && n > *s.MaxLength {
		str = string([]rune(str)[:*s.MaxLength])
	}
	return str
}

// formatted returns a valid value for a string format.
func (g *repairer) formatted(format string) string {
	switch format {
	case "date-time":
		return "2025-01-01T12:00:00Z"
	case "date":
		return "2025-01-01"
	case "time":
		return "12:00:00Z"
	case "email":
		return "user@example.com"
	case "uri", "url", "iri":
		return "https://example.com/"
	case "uri-reference", "iri-reference":
		return "/example"
	case "hostname":
		return "example.com"
	case "ipv4":
		return "192.0.2.1"
	case "ipv6":
		return "2001:db8::1"
	case "uuid":
		b := make([]byte, 16)
		g.rnd.Read(b)
		b[6] = b[6]&0x0f | 0x40
		b[8] = b[8]&0x3f | 0x80
		return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	}
	return ""
}

// validFormat checks the formats the validator asserts; unknown formats are always valid.
func validFormat(format, s string) bool {
	var err error
	switch format {
	case "date-time":
		_, err = time.Parse(time.RFC3339, s)
	case "date":
		_, err = time.Parse("2006-01-02", s)
	case "time":
		_, err = time.Parse("15:04:05Z07:00", s)
	case "email":
		var a *mail.Address
		a, err = mail.ParseAddress(s)
		if err == nil && a.Address != s {
			return false
		}
	case "uri", "url", "iri":
		var u *url.URL
		u, err = url.Parse(s)
		if err == nil && !u.IsAbs() {
			return false
		}
	case "uri-reference", "iri-reference":
		_, err = url.Parse(s)
	case "hostname":
		return s != "" && !strings.ContainsAny(s, " /:@_") && len(s) <= 253
	case "ipv4":
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		return err == nil && a.Is4()
	case "ipv6":
		var a netip.Addr
		a, err = netip.ParseAddr(s)
		return err == nil && a.Is6()
	case "uuid":
		return uuidRE.MatchString(s)
	}
	return err == nil
}

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

func fixNumber(s *base.Schema, f float64) any {
	integer := slices.Contains(s.Type, "integer") && !slices.Contains(s.Type, "number")
	if integer {
		f = math.Round(f)
	}
	step := 1.0
	if !integer {
		step = 0.5
	}
	if s.Minimum != nil && f < *s.Minimum {
		f = *s.Minimum
	}
	if s.Maximum != nil && f > *s.Maximum {
		f = *s.Maximum
	}
	if e := s.ExclusiveMinimum; e != nil {
		if e.IsB() && f <= e.B {
			f = e.B + step
		} else if e.IsA() && e.A && s.Minimum != nil && f <= *s.Minimum {
			f = *s.Minimum + step
		}
	}
	if e := s.ExclusiveMaximum; e != nil {
		if e.IsB() && f >= e.B {
			f = e.B - step
		} else if e.IsA() && e.A && s.Maximum != nil && f >= *s.Maximum {
			f = *s.Maximum - step
		}
	}
	if integer {
		f = math.Ceil(f)
		if s.Maximum != nil && f > *s.Maximum {
			f = math.Floor(*s.Maximum)
		}
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		q := math.Ceil(f / *m) * *m
		if s.Maximum != nil && q > *s.Maximum {
			q = math.Floor(f / *m) * *m
		}
		f = q
	}
	return f
}

func equalJSON(a, b any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}

// avoidRequired handles the common "not: {required: [a, b]}" (not both at once) by dropping the last of
// those properties the schema itself does not require.
func avoidRequired(s, not *base.Schema, m map[string]any) {
	if not == nil || len(not.Required) == 0 {
		return
	}
	for _, name := range not.Required {
		if _, ok := m[name]; !ok {
			return
		}
	}
	for i := len(not.Required) - 1; i >= 0; i-- {
		if name := not.Required[i]; !slices.Contains(s.Required, name) {
			delete(m, name)
			return
		}
	}
}
