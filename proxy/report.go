package proxy

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/ultra-kit/ultra/spec"
)

// Bounds of what the tally keeps, so a long run stays small.
const (
	maxCases        = 1000 // distinct operation × status cases; more go under one "(other)" case
	failuresPerCase = 5    // exchanges kept per failed case, the first ones
)

// Case is one operation and status as seen through the proxy: one JUnit test case.
type Case struct {
	OperationID string     `json:"operation_id"` // "" for requests no operation matched
	Method      string     `json:"method"`
	Path        string     `json:"path"` // the template, or the raw path when undocumented
	Status      int        `json:"status"`
	Exchanges   int        `json:"exchanges"`
	Failed      int        `json:"failed"` // exchanges that violated the contract
	Errors      int        `json:"errors"` // exchanges that failed in transport
	Failures    []Exchange `json:"failures,omitempty"`
	order       int
}

// Summary is what the proxy saw: the JSON report (--report json=FILE) and GET /__admin/report.
type Summary struct {
	Spec       string  `json:"spec"`
	Target     string  `json:"target"`
	Mode       Mode    `json:"mode"`
	Exchanges  int     `json:"exchanges"`
	Violations int     `json:"violations"` // exchanges that violated the contract
	Errors     int     `json:"errors"`     // exchanges that failed in transport
	Cases      []*Case `json:"cases"`
}

type caseKey struct {
	op, method, path string
	status           int
}

// tally counts exchanges per operation and status.
type tally struct {
	mu    sync.Mutex
	order map[string]int // operation id -> document order
	cases map[caseKey]*Case
}

func newTally(doc *spec.Document) *tally {
	t := &tally{order: map[string]int{}, cases: map[caseKey]*Case{}}
	for i, op := range doc.Operations() {
		t.order[op.ID] = i
	}
	return t
}

func (t *tally) add(x *Exchange) {
	k := caseKey{op: x.OperationID, method: x.Method, path: x.Template, status: x.Status}
	if x.OperationID == "" {
		k.path = x.Path
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	c := t.cases[k]
	if c == nil {
		if len(t.cases) >= maxCases {
			k = caseKey{op: "", method: "*", path: "(other)", status: 0}
			c = t.cases[k]
		}
		if c == nil {
			order, ok := t.order[k.op]
			if !ok {
				order = len(t.order)
			}
			c = &Case{OperationID: k.op, Method: k.method, Path: k.path, Status: k.status, order: order}
			t.cases[k] = c
		}
	}
	c.Exchanges++
	if !x.Valid {
		c.Failed++
	}
	if x.Error != "" {
		c.Errors++
	}
	if (!x.Valid || x.Error != "") && len(c.Failures) < failuresPerCase {
		c.Failures = append(c.Failures, *x)
	}
}

func (t *tally) summary() []*Case {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*Case, 0, len(t.cases))
	for _, c := range t.cases {
		cc := *c
		cc.Failures = append([]Exchange(nil), c.Failures...)
		out = append(out, &cc)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.order != b.order {
			return a.order < b.order
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Method != b.Method {
			return a.Method < b.Method
		}
		return a.Status < b.Status
	})
	return out
}

// Summary returns what the proxy has seen so far, cases in document order then by status.
func (p *Proxy) Summary() Summary {
	s := Summary{Spec: p.cfg.Doc.Name(), Target: p.cfg.Target.String(), Mode: p.cfg.Mode, Cases: p.tally.summary()}
	for _, c := range s.Cases {
		s.Exchanges += c.Exchanges
		s.Violations += c.Failed
		s.Errors += c.Errors
	}
	return s
}

// WriteJSON writes the summary as indented JSON.
func (s Summary) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// Name is the case's JUnit name: "createPet 201", or "GET /nowhere 404" when undocumented.
func (c *Case) Name() string {
	if c.OperationID != "" {
		return fmt.Sprintf("%s %d", c.OperationID, c.Status)
	}
	return fmt.Sprintf("%s %s %d", c.Method, c.Path, c.Status)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// WriteJUnit writes a JUnit XML report: one suite, one test case per operation and status; a case
// whose exchanges violated the contract fails with each kept exchange and a curl that repeats it.
func (s Summary) WriteJUnit(w io.Writer) error {
	suite := junitSuite{Name: "ultra proxy " + s.Spec + " -> " + s.Target}
	for _, c := range s.Cases {
		jc := junitCase{Name: c.Name(), Classname: strings.TrimSpace(c.Method + " " + c.Path)}
		switch {
		case c.Failed > 0:
			jc.Failure = &junitFailure{Type: "contract violation",
				Message: fmt.Sprintf("%d of %d exchanges violated the contract", c.Failed, c.Exchanges), Text: failureText(c)}
			suite.Failures++
		case c.Errors > 0:
			jc.Error = &junitFailure{Type: "proxy error",
				Message: fmt.Sprintf("%d of %d exchanges failed in transport", c.Errors, c.Exchanges), Text: failureText(c)}
			suite.Errors++
		}
		suite.Cases = append(suite.Cases, jc)
	}
	suite.Tests = len(suite.Cases)
	doc := junitSuites{Name: "ultra proxy", Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// failureText is a failed case's exchanges, each with its violations, both bodies and a curl.
func failureText(c *Case) string {
	var b strings.Builder
	for i, x := range c.Failures {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s %s", x.Method, x.Path)
		if x.Query != "" {
			b.WriteString("?" + x.Query)
		}
		fmt.Fprintf(&b, " -> %d", x.Status)
		if x.UpstreamStatus != 0 && x.UpstreamStatus != x.Status {
			fmt.Fprintf(&b, " (upstream %d)", x.UpstreamStatus)
		}
		b.WriteString("\n")
		for _, v := range x.Errors {
			b.WriteString("  " + v.String() + "\n")
		}
		if x.Error != "" {
			b.WriteString("  error: " + x.Error + "\n")
		}
		if x.Request.Body != "" {
			b.WriteString("  request body: " + x.Request.Body + "\n")
		}
		if x.Response.Body != "" {
			b.WriteString("  response body: " + x.Response.Body + "\n")
		}
		b.WriteString("  " + x.Curl + "\n")
	}
	if n := c.Failed + c.Errors - len(c.Failures); n > 0 {
		fmt.Fprintf(&b, "\n(%d more not kept)\n", n)
	}
	return b.String()
}
