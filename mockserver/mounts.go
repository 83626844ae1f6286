package mockserver

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ultra-kit/ultra/spec"
)

// mountTable is the immutable set of mounted documents; a reload swaps the whole table.
type mountTable struct {
	mounts []*mount // longest prefix first
}

// mount is one document under a prefix, with per-operation state built once.
type mount struct {
	prefix string
	doc    *spec.Document
	ops    map[*spec.Operation]*opState
	list   []*opState // the document's order
}

// opState is what the server keeps per operation: cached example bodies and coverage counters.
type opState struct {
	op    *spec.Operation
	key   string // "METHOD /path" (the document's template, without the mount prefix)
	mount *mount

	cache sync.Map // bodyKey -> *cached
	def   atomic.Pointer[cached]

	hits     []atomic.Int64 // per op.Responses index
	requests atomic.Int64
	otherMu  sync.Mutex
	other    map[int]int64 // statuses the operation does not document
}

// count records that the operation answered status.
func (st *opState) count(status int) {
	st.requests.Add(1)
	if status == 0 {
		return
	}
	if i := st.responseIndex(status); i >= 0 {
		st.hits[i].Add(1)
		return
	}
	st.otherMu.Lock()
	if st.other == nil {
		st.other = map[int]int64{}
	}
	st.other[status]++
	st.otherMu.Unlock()
}

// responseIndex finds the documented response a status falls under: exact, range, then default.
func (st *opState) responseIndex(status int) int {
	var code [3]byte
	if status < 100 || status > 599 {
		return -1
	}
	code[0], code[1], code[2] = byte('0'+status/100), byte('0'+status/10%10), byte('0'+status%10)
	rng, def := -1, -1
	for i, r := range st.op.Responses {
		switch {
		case r.Status == string(code[:]):
			return i
		case len(r.Status) == 3 && r.Status[0] == code[0] && (r.Status[1] == 'X' || r.Status[1] == 'x'):
			rng = i
		case r.Status == "default":
			def = i
		}
	}
	if rng >= 0 {
		return rng
	}
	return def
}

// find returns the mount serving an escaped path and the path relative to the mount.
func (t *mountTable) find(path string) (*mount, string) {
	for _, m := range t.mounts {
		if m.prefix == "" {
			return m, path
		}
		if strings.HasPrefix(path, m.prefix) {
			rest := path[len(m.prefix):]
			if rest == "" {
				return m, "/"
			}
			if rest[0] == '/' {
				return m, rest
			}
		}
	}
	return nil, ""
}

// buildTable indexes the mounts and checks that no two serve the same route. Operation state of
// documents already in old is kept, so coverage survives the reload of another document.
func buildTable(mounts []Mount, providers bool, old *mountTable) (*mountTable, error) {
	t := &mountTable{}
	seen := map[string]bool{}
	for i, m := range mounts {
		if m.Doc == nil {
			return nil, fmt.Errorf("mount %d (%s): no document", i, prefixName(m.Prefix))
		}
		p := normPrefix(m.Prefix)
		if seen[p] {
			return nil, fmt.Errorf("two documents are mounted at %s: give each its own prefix", prefixName(p))
		}
		seen[p] = true
		if old != nil {
			if prev := old.byDoc(p, m.Doc); prev != nil {
				t.mounts = append(t.mounts, prev)
				continue
			}
		}
		t.mounts = append(t.mounts, newMount(p, m.Doc))
	}
	sort.SliceStable(t.mounts, func(i, j int) bool { return len(t.mounts[i].prefix) > len(t.mounts[j].prefix) })
	if err := t.conflicts(providers); err != nil {
		return nil, err
	}
	return t, nil
}

func (t *mountTable) byDoc(prefix string, doc *spec.Document) *mount {
	for _, m := range t.mounts {
		if m.prefix == prefix && m.doc == doc {
			return m
		}
	}
	return nil
}

func newMount(prefix string, doc *spec.Document) *mount {
	m := &mount{prefix: prefix, doc: doc, ops: map[*spec.Operation]*opState{}}
	for _, op := range doc.Operations() {
		st := &opState{op: op, key: op.Method + " " + op.Path, mount: m, hits: make([]atomic.Int64, len(op.Responses))}
		m.ops[op] = st
		m.list = append(m.list, st)
	}
	return m
}

// conflicts reports the first route served by two mounts, or claimed by the admin API or the
// provider mocks.
func (t *mountTable) conflicts(providers bool) error {
	var provPaths []string
	if providers {
		provPaths = providerPrefixes()
	}
	for _, a := range t.mounts {
		for _, st := range a.list {
			full := a.prefix + st.op.Path
			if strings.HasPrefix(full, "/__admin") {
				return fmt.Errorf("route conflict: %s %s (operation %s in %s) is under /__admin/, the admin API", st.op.Method, full, st.op.ID, a.doc.Name())
			}
			for _, pp := range provPaths {
				if strings.HasPrefix(full+"/", pp) {
					return fmt.Errorf("route conflict: %s %s (operation %s in %s) is under %s, served by the provider mocks: mount the document elsewhere or turn the provider mocks off",
						st.op.Method, full, st.op.ID, a.doc.Name(), pp)
				}
			}
			for _, b := range t.mounts {
				if b == a {
					continue
				}
				owner, rest := (&mountTable{mounts: []*mount{b}}).find(full)
				if owner == nil {
					continue
				}
				match, err := b.doc.Find(st.op.Method, rest)
				if err != nil {
					if errors.Is(err, spec.ErrOperationNotFound) || errors.Is(err, spec.ErrMethodNotAllowed) {
						continue
					}
					return err
				}
				other := match.Operation
				return fmt.Errorf("route conflict: %s %s is served by operation %s of %s (mounted at %s) and by operation %s of %s (mounted at %s)",
					st.op.Method, full, st.op.ID, a.doc.Name(), prefixName(a.prefix), other.ID, b.doc.Name(), prefixName(b.prefix))
			}
		}
	}
	return nil
}
