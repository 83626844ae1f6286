package mockserver

import (
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"

	"github.com/ultra-kit/ultra/internal/problem"
	"github.com/ultra-kit/ultra/spec"
)

// defaultStateLimit bounds the stateful mock's resources when Config.StateLimit is 0.
const defaultStateLimit = 1000

// role is what a paired operation does to the state.
type role int

const (
	roleCreate role = iota + 1
	roleList
	roleRead
	roleReplace
	rolePatch
	roleDelete
)

// pairing says how one operation takes part in the state: its role and the name of the item path's
// id parameter (e.g. bookId for /books/{bookId}).
type pairing struct {
	role  role
	param string
}

// docPairs is the pairing of one document's operations, computed once per document.
type docPairs struct {
	ops      map[*spec.Operation]pairing
	unpaired []string // "METHOD /path: why"
}

// resource is one stored item.
type resource struct {
	key, collection, id string
	body                map[string]any
}

// stateStore holds what creates made, keyed by mount prefix, concrete collection path and id. It is
// safe for concurrent use.
type stateStore struct {
	limit int

	mu      sync.Mutex
	order   []string // keys, oldest first
	items   map[string]*resource
	evicted int
	nextID  uint64
	pairs   map[*spec.Document]*docPairs
}

func newStateStore(limit int) *stateStore {
	if limit <= 0 {
		limit = defaultStateLimit
	}
	return &stateStore{limit: limit, items: map[string]*resource{}, pairs: map[*spec.Document]*docPairs{}}
}

func stateKey(prefix, collection, id string) string { return prefix + collection + "\x00" + id }

// pairing returns how op takes part in the state, computing its document's pairs on first use.
func (ss *stateStore) pairing(op *spec.Operation) (pairing, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	dp := ss.pairsLocked(op.Document())
	p, ok := dp.ops[op]
	return p, ok
}

func (ss *stateStore) pairsLocked(doc *spec.Document) *docPairs {
	if dp, ok := ss.pairs[doc]; ok {
		return dp
	}
	dp := pairDocument(doc)
	ss.pairs[doc] = dp
	return dp
}

// Unpaired lists, for the documents of the mounts, the operations the stateful mock could not pair
// with a collection and an item path, and why; they answer with their examples as without
// --stateful.
func (ss *stateStore) unpaired(mounts []*mount) []string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	var out []string
	for _, m := range mounts {
		for _, u := range ss.pairsLocked(m.doc).unpaired {
			out = append(out, prefixJoin(m.prefix, u))
		}
	}
	return out
}

func prefixJoin(prefix, u string) string {
	method, rest, _ := strings.Cut(u, " ")
	return method + " " + prefix + rest
}

// pairDocument pairs collection paths (/books: POST creates, GET lists) with item paths
// (/books/{id}: GET reads, PUT replaces, PATCH patches, DELETE deletes). An item path pairs when its
// collection has a POST or the item path itself has a PUT.
func pairDocument(doc *spec.Document) *docPairs {
	byPath := map[string]map[string]*spec.Operation{}
	for _, op := range doc.Operations() {
		if byPath[op.Path] == nil {
			byPath[op.Path] = map[string]*spec.Operation{}
		}
		byPath[op.Path][op.Method] = op
	}
	dp := &docPairs{ops: map[*spec.Operation]pairing{}}
	for item, ops := range byPath {
		collection, param, ok := itemPath(item)
		if !ok {
			continue
		}
		coll := byPath[collection]
		if coll["POST"] == nil && ops["PUT"] == nil {
			continue
		}
		add := func(op *spec.Operation, r role) {
			if op != nil {
				dp.ops[op] = pairing{role: r, param: param}
			}
		}
		add(coll["POST"], roleCreate)
		add(coll["GET"], roleList)
		add(ops["GET"], roleRead)
		add(ops["PUT"], roleReplace)
		add(ops["PATCH"], rolePatch)
		add(ops["DELETE"], roleDelete)
	}
	for _, op := range doc.Operations() {
		if _, ok := dp.ops[op]; ok || op.Method == http.MethodHead || op.Method == http.MethodOptions {
			continue
		}
		dp.unpaired = append(dp.unpaired, op.Method+" "+op.Path+": "+whyUnpaired(op))
	}
	sort.Strings(dp.unpaired)
	return dp
}

func whyUnpaired(op *spec.Operation) string {
	if collection, param, ok := itemPath(op.Path); ok {
		return fmt.Sprintf("no POST %s and no PUT %s to create its items (id {%s})", collection, op.Path, param)
	}
	return fmt.Sprintf("no item path %s/{id} to pair it with", strings.TrimRight(op.Path, "/"))
}

// itemPath splits /books/{bookId} into /books and bookId; ok is false unless the last segment is
// exactly one template parameter and a collection path remains.
func itemPath(p string) (collection, param string, ok bool) {
	i := strings.LastIndexByte(p, '/')
	if i <= 0 {
		return "", "", false
	}
	last := p[i+1:]
	if len(last) < 3 || last[0] != '{' || last[len(last)-1] != '}' || strings.ContainsAny(last[1:len(last)-1], "{}") {
		return "", "", false
	}
	return p[:i], last[1 : len(last)-1], true
}

// put stores a copy of r, evicting the oldest resource when the store is full.
func (ss *stateStore) put(r *resource) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, exists := ss.items[r.key]; !exists {
		for len(ss.order) >= ss.limit {
			delete(ss.items, ss.order[0])
			ss.order = ss.order[1:]
			ss.evicted++
		}
		ss.order = append(ss.order, r.key)
	}
	ss.items[r.key] = &resource{key: r.key, collection: r.collection, id: r.id, body: deepCopy(r.body)}
}

// get returns a copy of the resource at key.
func (ss *stateStore) get(key string) (*resource, bool) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	r, ok := ss.items[key]
	if !ok {
		return nil, false
	}
	return &resource{key: r.key, collection: r.collection, id: r.id, body: deepCopy(r.body)}, true
}

// remove deletes the resource at key and reports whether there was one.
func (ss *stateStore) remove(key string) bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if _, ok := ss.items[key]; !ok {
		return false
	}
	delete(ss.items, key)
	for i, k := range ss.order {
		if k == key {
			ss.order = append(ss.order[:i], ss.order[i+1:]...)
			break
		}
	}
	return true
}

// list returns copies of the resources of a collection, oldest first.
func (ss *stateStore) list(prefix, collection string) []map[string]any {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	out := []map[string]any{}
	for _, k := range ss.order {
		if r := ss.items[k]; strings.HasPrefix(k, prefix+collection+"\x00") {
			out = append(out, deepCopy(r.body))
		}
	}
	return out
}

// newID returns the next id of the store (1, 2, ...).
func (ss *stateStore) newID() uint64 {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.nextID++
	return ss.nextID
}

// stateEntry is one resource as GET /__admin/state lists it.
type stateEntry struct {
	Collection string         `json:"collection"`
	ID         string         `json:"id"`
	Resource   map[string]any `json:"resource"`
}

func (ss *stateStore) snapshot() (entries []stateEntry, evicted int) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	entries = []stateEntry{}
	for _, k := range ss.order {
		r := ss.items[k]
		entries = append(entries, stateEntry{Collection: r.collection, ID: r.id, Resource: deepCopy(r.body)})
	}
	return entries, ss.evicted
}

func (ss *stateStore) reset() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.items, ss.order, ss.evicted = map[string]*resource{}, nil, 0
}

// handleStateList answers GET /__admin/state: the stored resources, the bound, how many were evicted
// and the operations that could not be paired.
func (s *Server) handleStateList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.state == nil {
			problem.WriteJSONLine(w, http.StatusOK, map[string]any{"stateful": false, "resources": []stateEntry{}})
			return
		}
		entries, evicted := s.state.snapshot()
		problem.WriteJSONLine(w, http.StatusOK, map[string]any{
			"stateful": true, "resources": entries, "count": len(entries), "limit": s.state.limit,
			"evicted": evicted, "unpaired": s.state.unpaired(s.mounts.Load().mounts),
		})
	})
}

// handleStateReset answers DELETE /__admin/state by forgetting every resource.
func (s *Server) handleStateReset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.state != nil {
			s.state.reset()
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// Unpaired lists the operations the stateful mock could not pair (empty when Config.Stateful is off):
// "METHOD /path: why", sorted.
func (s *Server) Unpaired() []string {
	if s.state == nil {
		return nil
	}
	return s.state.unpaired(s.mounts.Load().mounts)
}

func deepCopy(m map[string]any) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = copyValue(v)
	}
	return out
}

func copyValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return deepCopy(t)
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			c[i] = copyValue(e)
		}
		return c
	}
	return v
}
