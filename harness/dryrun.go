package harness

import (
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/cucumber/godog"
)

// StepProblem is a step of a feature file that no step, or more than one, matches.
type StepProblem struct {
	// File and Line locate the step.
	File string
	Line int
	// Text is the step's text without its keyword.
	Text string
	// Ambiguous is true when several steps match (their patterns are in Matches), false when none does.
	Ambiguous bool
	Matches   []string
	// Closest is the example of the known step nearest to Text.
	Closest string
}

func (p StepProblem) String() string {
	if p.Ambiguous {
		return fmt.Sprintf("%s:%d: ambiguous step %q matches %d steps: %s", p.File, p.Line, p.Text, len(p.Matches), strings.Join(p.Matches, " | "))
	}
	return fmt.Sprintf("%s:%d: undefined step %q; closest known step: %s", p.File, p.Line, p.Text, p.Closest)
}

// DryRun parses the features of fsys selected by paths (nil means all) without running them and
// returns every undefined or ambiguous step, in file order. It returns an error when the features
// cannot be parsed.
func DryRun(fsys fs.FS, paths []string) ([]StepProblem, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	feats, err := (godog.TestSuite{Options: &godog.Options{FS: fsys, Paths: paths}}).RetrieveFeatures()
	if err != nil {
		return nil, fmt.Errorf("parse features: %w", err)
	}
	vocab := Steps()
	res := make([]*regexp.Regexp, len(vocab))
	for i, v := range vocab {
		res[i] = regexp.MustCompile(v.Pattern)
	}
	var out []StepProblem
	seen := map[string]bool{}
	for _, ft := range feats {
		for _, p := range ft.Pickles {
			for _, ps := range p.Steps {
				line := 0
				if st := ft.FindStep(ps.AstNodeIds[0]); st != nil && st.Location != nil {
					line = int(st.Location.Line)
				}
				key := fmt.Sprintf("%s:%d:%s", ft.Uri, line, ps.Text)
				if seen[key] {
					continue
				}
				seen[key] = true
				var matches []string
				for i, re := range res {
					if re.MatchString(ps.Text) {
						matches = append(matches, vocab[i].Pattern)
					}
				}
				if len(matches) == 1 {
					continue
				}
				out = append(out, StepProblem{File: ft.Uri, Line: line, Text: ps.Text, Ambiguous: len(matches) > 1,
					Matches: matches, Closest: closest(ps.Text, vocab)})
			}
		}
	}
	return out, nil
}

// closest returns the example of the step whose example text is nearest to text (edit distance,
// keywords and notes in parentheses left out).
func closest(text string, vocab []StepInfo) string {
	best, bestD := "", -1
	for _, v := range vocab {
		ex := exampleText(v.Example)
		if d := distance(strings.ToLower(text), strings.ToLower(ex)); bestD < 0 || d < bestD {
			best, bestD = v.Example, d
		}
	}
	return best
}

func exampleText(ex string) string {
	if i := strings.Index(ex, " ("); i > 0 {
		ex = ex[:i]
	}
	for _, kw := range []string{"Given ", "When ", "Then ", "And ", "But "} {
		if t, ok := strings.CutPrefix(ex, kw); ok {
			return t
		}
	}
	return ex
}

// distance is the Levenshtein distance between a and b, in bytes.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// WriteSteps writes the vocabulary as --list-steps shows it: per group, each step's pattern and an
// example line.
func WriteSteps(w io.Writer) {
	group := ""
	for _, s := range Steps() {
		if s.Group != group {
			group = s.Group
			fmt.Fprintf(w, "\n%s\n", group)
		}
		fmt.Fprintf(w, "  %s\n      e.g. %s\n", s.Pattern, s.Example)
	}
}
