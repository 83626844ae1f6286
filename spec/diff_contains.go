package spec

import (
	"bytes"
	"strconv"

	"github.com/pb33f/libopenapi/datamodel/high/base"
	v3 "github.com/pb33f/libopenapi/datamodel/high/v3"
	"github.com/pb33f/libopenapi/orderedmap"
	"github.com/pb33f/libopenapi/what-changed/model"
)

// containsChanges reports minContains and maxContains changes, which libopenapi's what-changed does not
// compare, by walking the schemas both documents have at the same place: component schemas and the
// inline schemas of operations (a $ref is followed through its component, not again inline).
// Documents that never name either keyword are not walked at all.
func (f *flattener) containsChanges() {
	uses := func(d *Document) bool {
		return bytes.Contains(d.raw, []byte("minContains")) || bytes.Contains(d.raw, []byte("maxContains"))
	}
	if !uses(f.oldDoc) && !uses(f.newDoc) {
		return
	}
	old, nw := f.oldDoc.model, f.newDoc.model
	if old.Components != nil && nw.Components != nil {
		for p := old.Components.Schemas.First(); p != nil; p = p.Next() {
			if n := lookup(nw.Components.Schemas, p.Key()); n != nil {
				f.containsPair([]string{"components", "schemas", p.Key()}, p.Value().Schema(), n.Schema(), 0)
			}
		}
	}
	if old.Paths == nil || nw.Paths == nil {
		return
	}
	for p := old.Paths.PathItems.First(); p != nil; p = p.Next() {
		ni := lookup(nw.Paths.PathItems, p.Key())
		if ni == nil {
			continue
		}
		for o := p.Value().GetOperations().First(); o != nil; o = o.Next() {
			if no := lookup(ni.GetOperations(), o.Key()); no != nil {
				f.containsOperation([]string{"paths", p.Key(), o.Key()}, o.Value(), no)
			}
		}
	}
}

func (f *flattener) containsOperation(segs []string, old, nw *v3.Operation) {
	at := func(more ...string) []string { return append(append([]string(nil), segs...), more...) }
	for _, op := range old.Parameters {
		for _, np := range nw.Parameters {
			if op != nil && np != nil && op.Name == np.Name && op.In == np.In {
				f.containsProxy(at("parameters", op.Name, "schema"), op.Schema, np.Schema)
			}
		}
	}
	if old.RequestBody != nil && nw.RequestBody != nil {
		f.containsContent(at("requestBody"), old.RequestBody.Content, nw.RequestBody.Content)
	}
	if old.Responses == nil || nw.Responses == nil {
		return
	}
	for r := old.Responses.Codes.First(); r != nil; r = r.Next() {
		if nr := lookup(nw.Responses.Codes, r.Key()); nr != nil && r.Value() != nil {
			f.containsContent(at("responses", r.Key()), r.Value().Content, nr.Content)
		}
	}
}

func (f *flattener) containsContent(segs []string, old, nw *orderedmap.Map[string, *v3.MediaType]) {
	for m := old.First(); m != nil; m = m.Next() {
		if nm := lookup(nw, m.Key()); nm != nil && m.Value() != nil {
			f.containsProxy(append(append([]string(nil), segs...), "content", m.Key(), "schema"), m.Value().Schema, nm.Schema)
		}
	}
}

// containsProxy compares two schemas unless either is a $ref (its component is compared on its own).
func (f *flattener) containsProxy(segs []string, old, nw *base.SchemaProxy) {
	if old == nil || nw == nil || old.IsReference() || nw.IsReference() {
		return
	}
	f.containsPair(segs, old.Schema(), nw.Schema(), 0)
}

func (f *flattener) containsPair(segs []string, old, nw *base.Schema, depth int) {
	if old == nil || nw == nil || depth > 32 {
		return
	}
	at := func(more ...string) []string { return append(append([]string(nil), segs...), more...) }
	f.containsKeyword(segs, "minContains", old.MinContains, nw.MinContains)
	f.containsKeyword(segs, "maxContains", old.MaxContains, nw.MaxContains)
	for p := old.Properties.First(); p != nil; p = p.Next() {
		f.containsProxy(at("properties", p.Key()), p.Value(), lookup(nw.Properties, p.Key()))
	}
	if old.Items != nil && nw.Items != nil && old.Items.IsA() && nw.Items.IsA() {
		f.containsProxy(at("items"), old.Items.A, nw.Items.A)
	}
	for kw, lists := range map[string][2][]*base.SchemaProxy{"allOf": {old.AllOf, nw.AllOf}, "oneOf": {old.OneOf, nw.OneOf}, "anyOf": {old.AnyOf, nw.AnyOf}} {
		for i := 0; i < len(lists[0]) && i < len(lists[1]); i++ {
			f.containsProxy(at(kw, strconv.Itoa(i)), lists[0][i], lists[1][i])
		}
	}
}

func (f *flattener) containsKeyword(segs []string, keyword string, old, nw *int64) {
	str := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	o, n := str(old), str(nw)
	if o == n {
		return
	}
	kind := model.Modified
	switch {
	case o == "":
		kind = model.PropertyAdded
	case n == "":
		kind = model.PropertyRemoved
	}
	f.add(&model.Change{ChangeType: kind, Property: keyword, Original: o, New: n}, segs)
}
