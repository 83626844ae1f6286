package spec

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"

	"github.com/pb33f/libopenapi"
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
//   - the same side rule for enums appearing or disappearing, type lists and nullability, const,
//     JSON Schema 2020-12 keywords, oneOf/anyOf/allOf branches (allOf judged by the merged schema),
//     media types and their schemas; security schemes and webhooks changed or removed break.
//
// DIFF_RULES.md maps every rule to oasdiff's ERR rules, with a golden pair for each.
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
	f := &flattener{seen: map[string]bool{}, usage: schemaUsage(old, new), oldDoc: old, newDoc: new}
	if dc != nil {
		f.walk(reflect.ValueOf(dc), nil)
	}
	f.containsChanges()
	out.Changes = append(f.out, anonymousAccessRemoved(old, new)...)
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
