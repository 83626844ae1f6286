package mockserver

import (
	"sort"
	"strconv"
)

// coverageReport is GET /__admin/coverage: which operations and documented statuses were exercised.
type coverageReport struct {
	Operations          int                `json:"operations"`
	OperationsExercised int                `json:"operations_exercised"`
	Responses           int                `json:"responses"`
	ResponsesExercised  int                `json:"responses_exercised"`
	Documents           []documentCoverage `json:"documents"`
}

type documentCoverage struct {
	Name       string              `json:"name"`
	Prefix     string              `json:"prefix"`
	Operations []operationCoverage `json:"operations"`
}

type operationCoverage struct {
	OperationID  string           `json:"operation_id"`
	Method       string           `json:"method"`
	Path         string           `json:"path"`
	Requests     int64            `json:"requests"`
	Exercised    bool             `json:"exercised"`
	Statuses     map[string]int64 `json:"statuses"`     // documented status -> responses served
	Missing      []string         `json:"missing"`      // documented statuses never served
	Undocumented map[string]int64 `json:"undocumented"` // statuses served that the operation does not document
}

// coverage reports every mounted operation, in each document's order.
func (t *mountTable) coverage() coverageReport {
	var rep coverageReport
	mounts := append([]*mount(nil), t.mounts...)
	sort.SliceStable(mounts, func(i, j int) bool { return mounts[i].prefix < mounts[j].prefix })
	for _, m := range mounts {
		dc := documentCoverage{Name: m.doc.Name(), Prefix: prefixName(m.prefix), Operations: []operationCoverage{}}
		for _, st := range m.list {
			oc := operationCoverage{OperationID: st.op.ID, Method: st.op.Method, Path: m.prefix + st.op.Path,
				Requests: st.requests.Load(), Statuses: map[string]int64{}, Missing: []string{}, Undocumented: map[string]int64{}}
			oc.Exercised = oc.Requests > 0
			rep.Operations++
			if oc.Exercised {
				rep.OperationsExercised++
			}
			for i, r := range st.op.Responses {
				n := st.hits[i].Load()
				oc.Statuses[r.Status] = n
				rep.Responses++
				if n > 0 {
					rep.ResponsesExercised++
				} else {
					oc.Missing = append(oc.Missing, r.Status)
				}
			}
			st.otherMu.Lock()
			for code, n := range st.other {
				oc.Undocumented[strconv.Itoa(code)] = n
			}
			st.otherMu.Unlock()
			dc.Operations = append(dc.Operations, oc)
		}
		rep.Documents = append(rep.Documents, dc)
	}
	if rep.Documents == nil {
		rep.Documents = []documentCoverage{}
	}
	return rep
}
