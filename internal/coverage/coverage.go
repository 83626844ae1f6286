// Package coverage is the kit's one coverage format: which operations of a document were exercised,
// which documented statuses and media types were seen, which parameters and request-body properties
// were sent, and which responses were seen but not documented. The proxy, the mock server, `ultra
// verify` and `ultra features` record into a Recorder and write a Report with --coverage FILE;
// `ultra coverage` merges reports (Merge) and prints them (WriteText, WriteHTML).
package coverage

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
)

// SchemaID names the format; a Report written by any tool carries it, and Read refuses others.
const SchemaID = "https://ultra.dev/schemas/coverage/v1"

// Report is one coverage file.
type Report struct {
	Schema    string     `json:"$schema"`
	Sources   []string   `json:"sources"` // the tools that recorded it: proxy, mock, verify, features
	Documents []Document `json:"documents"`
}

// Document is the coverage of one OpenAPI document, its operations in the document's order.
type Document struct {
	Name       string      `json:"name"`
	Operations []Operation `json:"operations"`
}

// Operation is the coverage of one operation.
type Operation struct {
	OperationID    string         `json:"operation_id"`
	Method         string         `json:"method"`
	Path           string         `json:"path"`
	Requests       int64          `json:"requests"`
	Responses      []Response     `json:"responses"`       // every documented response
	Undocumented   []Undocumented `json:"undocumented"`    // responses seen that the operation does not document
	Parameters     []Item         `json:"parameters"`      // every documented parameter
	BodyProperties []Item         `json:"body_properties"` // every documented JSON request-body property, as a pointer
}

// Response is one documented response: Status is "200", "4XX" or "default".
type Response struct {
	Status     string `json:"status"`
	Seen       int64  `json:"seen"`
	MediaTypes []Item `json:"media_types"`
}

// Undocumented is a status, or a media type of a documented status, the operation does not document.
type Undocumented struct {
	Status    int    `json:"status"`
	MediaType string `json:"media_type,omitempty"`
	Seen      int64  `json:"seen"`
}

// Item is something documented and how often it was seen: a parameter (In is path, query, header or
// cookie), a body property (Name is a JSON pointer) or a media type.
type Item struct {
	Name string `json:"name"`
	In   string `json:"in,omitempty"`
	Seen int64  `json:"seen"`
}

// Totals are a report's counts; Percent is responses seen over responses documented.
type Totals struct {
	Operations, OperationsSeen int
	Responses, ResponsesSeen   int
	Parameters, ParametersSeen int
	Properties, PropertiesSeen int
	Undocumented               int
}

// Percent is the operation × status coverage, 0 to 100 (100 when nothing is documented).
func (t Totals) Percent() float64 {
	if t.Responses == 0 {
		return 100
	}
	return 100 * float64(t.ResponsesSeen) / float64(t.Responses)
}

// Totals counts the report.
func (r *Report) Totals() Totals {
	var t Totals
	for _, d := range r.Documents {
		for _, op := range d.Operations {
			t.Operations++
			if op.Requests > 0 {
				t.OperationsSeen++
			}
			for _, rs := range op.Responses {
				t.Responses++
				if rs.Seen > 0 {
					t.ResponsesSeen++
				}
			}
			t.Parameters, t.ParametersSeen = count(op.Parameters, t.Parameters, t.ParametersSeen)
			t.Properties, t.PropertiesSeen = count(op.BodyProperties, t.Properties, t.PropertiesSeen)
			t.Undocumented += len(op.Undocumented)
		}
	}
	return t
}

func count(items []Item, n, seen int) (int, int) {
	for _, it := range items {
		n++
		if it.Seen > 0 {
			seen++
		}
	}
	return n, seen
}

// Write writes the report as indented JSON.
func (r *Report) Write(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// Read reads a report written by Write. It fails on JSON that is not one, or another schema.
func Read(rd io.Reader) (*Report, error) {
	var r Report
	if err := json.NewDecoder(rd).Decode(&r); err != nil {
		return nil, fmt.Errorf("not a coverage report: %w", err)
	}
	if r.Schema != SchemaID {
		return nil, fmt.Errorf("not a coverage report: $schema is %q, want %s", r.Schema, SchemaID)
	}
	return &r, nil
}

// Merge adds reports together: documents by name, operations by method and path, every count
// summed; the first report's order wins, then new documents and operations in the order met.
func Merge(reports ...*Report) *Report {
	out := &Report{Schema: SchemaID, Sources: []string{}, Documents: []Document{}}
	seenSource := map[string]bool{}
	for _, r := range reports {
		for _, s := range r.Sources {
			if !seenSource[s] {
				seenSource[s] = true
				out.Sources = append(out.Sources, s)
			}
		}
		for _, d := range r.Documents {
			od := findDoc(out, d.Name)
			for _, op := range d.Operations {
				mergeOp(od, op)
			}
		}
	}
	sort.Strings(out.Sources)
	return out
}

func findDoc(r *Report, name string) *Document {
	for i := range r.Documents {
		if r.Documents[i].Name == name {
			return &r.Documents[i]
		}
	}
	r.Documents = append(r.Documents, Document{Name: name, Operations: []Operation{}})
	return &r.Documents[len(r.Documents)-1]
}

func mergeOp(d *Document, op Operation) {
	for i := range d.Operations {
		o := &d.Operations[i]
		if o.Method != op.Method || o.Path != op.Path {
			continue
		}
		o.Requests += op.Requests
		for _, rs := range op.Responses {
			j := indexOf(len(o.Responses), func(k int) bool { return o.Responses[k].Status == rs.Status })
			if j < 0 {
				o.Responses = append(o.Responses, Response{Status: rs.Status, MediaTypes: []Item{}})
				j = len(o.Responses) - 1
			}
			o.Responses[j].Seen += rs.Seen
			o.Responses[j].MediaTypes = mergeItems(o.Responses[j].MediaTypes, rs.MediaTypes)
		}
		for _, u := range op.Undocumented {
			j := indexOf(len(o.Undocumented), func(k int) bool {
				return o.Undocumented[k].Status == u.Status && o.Undocumented[k].MediaType == u.MediaType
			})
			if j < 0 {
				o.Undocumented = append(o.Undocumented, u)
				continue
			}
			o.Undocumented[j].Seen += u.Seen
		}
		o.Parameters = mergeItems(o.Parameters, op.Parameters)
		o.BodyProperties = mergeItems(o.BodyProperties, op.BodyProperties)
		return
	}
	c := op
	c.Responses = append([]Response(nil), op.Responses...)
	for i := range c.Responses {
		c.Responses[i].MediaTypes = append([]Item(nil), op.Responses[i].MediaTypes...)
	}
	c.Undocumented = append([]Undocumented{}, op.Undocumented...)
	c.Parameters = append([]Item{}, op.Parameters...)
	c.BodyProperties = append([]Item{}, op.BodyProperties...)
	d.Operations = append(d.Operations, c)
}

func mergeItems(into, from []Item) []Item {
	for _, it := range from {
		j := indexOf(len(into), func(k int) bool { return into[k].Name == it.Name && into[k].In == it.In })
		if j < 0 {
			into = append(into, it)
			continue
		}
		into[j].Seen += it.Seen
	}
	return into
}

func indexOf(n int, match func(int) bool) int {
	for i := range n {
		if match(i) {
			return i
		}
	}
	return -1
}
