package verify

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ultra-kit/ultra/spec"
)

// Report is the result of a run.
type Report struct {
	Target     string             `json:"target"`
	Spec       string             `json:"spec"`
	Seed       int64              `json:"seed"`
	Phases     []string           `json:"phases"`
	Checks     []string           `json:"checks"`
	Operations []*OperationResult `json:"operations"`
	Requests   int                `json:"requests"`
	Passed     int                `json:"passed"` // check verdicts that passed
	Failed     int                `json:"failed"` // check verdicts that failed
}

// OK reports whether every check passed.
func (r *Report) OK() bool { return r.Failed == 0 }

// Failures lists every distinct failure, by operation in document order.
func (r *Report) Failures() []Failure {
	var out []Failure
	for _, op := range r.Operations {
		out = append(out, op.Failures...)
	}
	return out
}

func (r *Report) summarize() {
	r.Requests, r.Passed, r.Failed = 0, 0, 0
	for _, op := range r.Operations {
		r.Requests += op.Requests
		for _, c := range op.Checks {
			r.Passed += c.Passed
			r.Failed += c.Failed
		}
	}
}

// OperationResult holds one operation's verdicts.
type OperationResult struct {
	ID       string        `json:"operation_id"`
	Method   string        `json:"method"`
	Path     string        `json:"path"`
	Requests int           `json:"requests"`
	Checks   []*CheckCount `json:"checks"`
	Failures []Failure     `json:"failures,omitempty"`
	// Notes say what was skipped and why (no example, a mutation that turned out valid...).
	Notes []string `json:"notes,omitempty"`
}

// CheckCount counts one check's verdicts for one operation.
type CheckCount struct {
	Check  string `json:"check"`
	Passed int    `json:"passed"`
	Failed int    `json:"failed"`
}

// Failure is one failed check, with what is needed to reproduce it.
type Failure struct {
	Operation string `json:"operation"`
	Check     string `json:"check"`
	Phase     string `json:"phase"`
	Status    int    `json:"status,omitempty"`
	Pointer   string `json:"pointer,omitempty"` // JSON pointer into the response body, or the header name
	Reason    string `json:"reason"`
	Mutation  string `json:"mutation,omitempty"` // negative phase: how the request was made invalid
	Curl      string `json:"curl"`
	// Sequence holds, for a stateful failure, the earlier steps in order as curls, each followed by the
	// values captured from its response.
	Sequence []string `json:"sequence,omitempty"`
	Seed     int64    `json:"seed"`
	Count    int      `json:"count"` // how many responses failed the same way
}

func newOperationResult(op *spec.Operation, checks []string) *OperationResult {
	res := &OperationResult{ID: op.ID, Method: op.Method, Path: op.Path}
	for _, c := range checks {
		res.Checks = append(res.Checks, &CheckCount{Check: c})
	}
	return res
}

// record counts a verdict; a failure is kept unless the same one was already seen.
func (o *OperationResult) record(check string, ok bool, f Failure) {
	for _, c := range o.Checks {
		if c.Check == check {
			if ok {
				c.Passed++
			} else {
				c.Failed++
			}
		}
	}
	if !ok {
		o.addFailure(check, f)
	}
}

func (o *OperationResult) addFailure(check string, f Failure) {
	f.Operation, f.Check = o.ID, check
	for i := range o.Failures {
		g := &o.Failures[i]
		if g.Check == f.Check && g.Pointer == f.Pointer && g.Reason == f.Reason && g.Status == f.Status {
			g.Count++
			return
		}
	}
	f.Count = 1
	o.Failures = append(o.Failures, f)
}

func (o *OperationResult) failed() int {
	n := 0
	for _, c := range o.Checks {
		n += c.Failed
	}
	return n
}

func (o *OperationResult) progressLine() string {
	verdict := "ok"
	if n := o.failed(); n > 0 {
		verdict = fmt.Sprintf("FAILED (%d)", n)
	}
	return fmt.Sprintf("%-7s %-40s %3d requests  %s", o.Method, o.Path, o.Requests, verdict)
}

// WriteText writes the operation × check table, then every failure with its curl command.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprint(tw, "OPERATION")
	for _, c := range r.Checks {
		fmt.Fprint(tw, "\t"+c)
	}
	fmt.Fprintln(tw)
	for _, op := range r.Operations {
		fmt.Fprint(tw, op.ID)
		for _, c := range op.Checks {
			cell := "-"
			switch {
			case c.Failed > 0:
				cell = fmt.Sprintf("%d/%d FAIL", c.Failed, c.Passed+c.Failed)
			case c.Passed > 0:
				cell = fmt.Sprintf("%d ok", c.Passed)
			}
			fmt.Fprint(tw, "\t"+cell)
		}
		fmt.Fprintln(tw)
	}
	tw.Flush()
	fails := r.Failures()
	if len(fails) > 0 {
		fmt.Fprintf(&b, "\nFailures (%d):\n", len(fails))
		for i, f := range fails {
			fmt.Fprintf(&b, "\n%d. %s: %s [%s phase", i+1, f.Operation, f.Check, f.Phase)
			if f.Status > 0 {
				fmt.Fprintf(&b, ", status %d", f.Status)
			}
			if f.Count > 1 {
				fmt.Fprintf(&b, ", %d times", f.Count)
			}
			fmt.Fprintf(&b, ", seed %d]\n   %s\n", f.Seed, f.Reason)
			if f.Pointer != "" {
				fmt.Fprintf(&b, "   at %s\n", f.Pointer)
			}
			if f.Mutation != "" {
				fmt.Fprintf(&b, "   request made invalid: %s\n", f.Mutation)
			}
			if len(f.Sequence) > 0 {
				fmt.Fprintf(&b, "   sequence (seed %d), run in order:\n", f.Seed)
				for _, step := range f.Sequence {
					fmt.Fprintf(&b, "     %s\n", step)
				}
			}
			fmt.Fprintf(&b, "   reproduce: %s\n", f.Curl)
		}
	}
	var notes []string
	for _, op := range r.Operations {
		for _, n := range op.Notes {
			notes = append(notes, op.ID+": "+n)
		}
	}
	if len(notes) > 0 {
		fmt.Fprintf(&b, "\nNotes (%d):\n", len(notes))
		for _, n := range notes {
			fmt.Fprintf(&b, "  %s\n", n)
		}
	}
	verdict := "PASSED"
	if !r.OK() {
		verdict = "FAILED"
	}
	fmt.Fprintf(&b, "\n%s: %d operations, %d requests, %d checks passed, %d failed (seed %d)\n",
		verdict, len(r.Operations), r.Requests, r.Passed, r.Failed, r.Seed)
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteJSON writes the whole report as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes a JUnit XML report: one suite per operation, one test case per check.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "ultra verify " + r.Target}
	for _, op := range r.Operations {
		s := junitSuite{Name: op.ID}
		for _, c := range op.Checks {
			tc := junitCase{Name: c.Check, Classname: op.Method + " " + op.Path}
			switch {
			case c.Failed > 0:
				var text strings.Builder
				for _, f := range op.Failures {
					if f.Check != c.Check {
						continue
					}
					fmt.Fprintf(&text, "%s (phase %s, status %d, pointer %q, seed %d)\n", f.Reason, f.Phase, f.Status, f.Pointer, f.Seed)
					for _, step := range f.Sequence {
						fmt.Fprintf(&text, "%s\n", step)
					}
					fmt.Fprintf(&text, "%s\n\n", f.Curl)
				}
				tc.Failure = &junitFailure{Message: fmt.Sprintf("%d of %d responses failed", c.Failed, c.Passed+c.Failed), Type: c.Check, Text: text.String()}
				s.Failures++
			case c.Passed == 0:
				tc.Skipped = &struct{}{}
			}
			s.Tests++
			s.Cases = append(s.Cases, tc)
		}
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Suites = append(out.Suites, s)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
