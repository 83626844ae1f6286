package deploy_test

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

// exported is what a gateway's /metrics shows: every series name, with the label names seen on it.
// A histogram x appears as x_bucket (with le), x_sum and x_count, as Prometheus stores it.
type exported map[string]map[string]bool

func parseExposition(r io.Reader) (exported, error) {
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(r)
	if err != nil {
		return nil, fmt.Errorf("parse /metrics: %w", err)
	}
	ex := exported{}
	add := func(name string, labels []string) {
		if ex[name] == nil {
			ex[name] = map[string]bool{}
		}
		for _, l := range labels {
			ex[name][l] = true
		}
	}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, lp := range m.GetLabel() {
				labels = append(labels, lp.GetName())
			}
			switch {
			case m.Histogram != nil:
				add(name+"_bucket", append(slices.Clone(labels), "le"))
				add(name+"_sum", labels)
				add(name+"_count", labels)
			case m.Summary != nil:
				add(name, append(slices.Clone(labels), "quantile"))
				add(name+"_sum", labels)
				add(name+"_count", labels)
			default:
				add(name, labels)
			}
		}
	}
	return ex, nil
}

// targetLabel reports the labels Prometheus adds to every scraped series itself.
func targetLabel(l string) bool { return l == "instance" || l == "job" }

// query is one PromQL expression of a rule file or dashboard, with the output labels its text
// refers to ($labels.x in annotations, {{x}} in a legend).
type query struct {
	where, expr string
	labelRefs   []string
}

// ruleQueries reads a Prometheus rule file.
func ruleQueries(path string) ([]query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var f struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert, Record, Expr string
				Annotations         map[string]string
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	refs := regexp.MustCompile(`\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)`)
	var qs []query
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			q := query{where: fmt.Sprintf("%s: rule %s%s", path, r.Alert, r.Record), expr: r.Expr}
			for _, k := range slices.Sorted(maps.Keys(r.Annotations)) {
				for _, m := range refs.FindAllStringSubmatch(r.Annotations[k], -1) {
					q.labelRefs = append(q.labelRefs, m[1])
				}
			}
			qs = append(qs, q)
		}
	}
	if len(qs) == 0 {
		return nil, fmt.Errorf("%s: no rules", path)
	}
	return qs, nil
}

// dashboardPanel is the part of a Grafana panel that holds queries; rows nest panels.
type dashboardPanel struct {
	Title   string `json:"title"`
	Targets []struct {
		RefID        string `json:"refId"`
		Expr         string `json:"expr"`
		LegendFormat string `json:"legendFormat"`
	} `json:"targets"`
	Panels []dashboardPanel `json:"panels"`
}

// dashboardQueries reads a Grafana dashboard: panel targets and query variables. It also reports
// $variables used but not defined.
func dashboardQueries(path string) ([]query, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var d struct {
		Panels     []dashboardPanel `json:"panels"`
		Templating struct {
			List []struct {
				Name  string          `json:"name"`
				Type  string          `json:"type"`
				Query json.RawMessage `json:"query"`
			} `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	vars := map[string]bool{}
	var qs []query
	for _, v := range d.Templating.List {
		vars[v.Name] = true
		if v.Type != "query" {
			continue
		}
		var q struct {
			Query string `json:"query"`
		}
		if err := json.Unmarshal(v.Query, &q); err != nil {
			if err := json.Unmarshal(v.Query, &q.Query); err != nil {
				return nil, fmt.Errorf("%s: variable %s: query is neither a string nor {query}", path, v.Name)
			}
		}
		qs = append(qs, query{where: fmt.Sprintf("%s: variable $%s", path, v.Name), expr: q.Query})
	}
	legend := regexp.MustCompile(`\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}`)
	var walk func(ps []dashboardPanel)
	walk = func(ps []dashboardPanel) {
		for _, p := range ps {
			for _, t := range p.Targets {
				q := query{where: fmt.Sprintf("%s: panel %q query %s", path, p.Title, t.RefID), expr: t.Expr}
				for _, m := range legend.FindAllStringSubmatch(t.LegendFormat, -1) {
					q.labelRefs = append(q.labelRefs, m[1])
				}
				qs = append(qs, q)
			}
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	use := regexp.MustCompile(`\$\{?([a-zA-Z][a-zA-Z0-9_]*)`)
	var undefined []string
	for _, q := range qs {
		for _, m := range use.FindAllStringSubmatch(q.expr, -1) {
			if !vars[m[1]] {
				undefined = append(undefined, fmt.Sprintf("%s uses $%s, which the dashboard does not define", q.where, m[1]))
			}
		}
	}
	if len(undefined) > 0 {
		return qs, fmt.Errorf("%s", strings.Join(undefined, "\n"))
	}
	return qs, nil
}

// grafanaVars stands in for Grafana's variables so the text parses as PromQL.
func grafanaVars(expr string) string {
	return strings.NewReplacer("$__rate_interval", "5m", "$__interval", "1m", "$__range", "1h").Replace(expr)
}

// check returns every metric or label q names that ex does not have, one sentence each.
func check(q query, ex exported) []string {
	var problems []string
	bad := func(format string, args ...any) {
		problems = append(problems, q.where+": "+fmt.Sprintf(format, args...))
	}
	if m := regexp.MustCompile(`^label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\)$`).FindStringSubmatch(q.expr); m != nil {
		switch {
		case ex[m[1]] == nil:
			bad("names metric %s, which the gateway does not export", m[1])
		case !ex[m[1]][m[2]] && !targetLabel(m[2]):
			bad("lists label %s of %s, which it does not have (it has: %s)", m[2], m[1], labelList(ex[m[1]]))
		}
		return problems
	}
	expr, err := parser.ParseExpr(grafanaVars(q.expr))
	if err != nil {
		bad("does not parse as PromQL: %v", err)
		return problems
	}
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		switch n := n.(type) {
		case *parser.VectorSelector:
			name := selectorName(n)
			if ex[name] == nil {
				bad("names metric %s, which the gateway does not export", name)
				return nil
			}
			for _, m := range n.LabelMatchers {
				if m.Name != model.MetricNameLabel && !ex[name][m.Name] && !targetLabel(m.Name) {
					bad("filters %s on label %s, which it does not have (it has: %s)", name, m.Name, labelList(ex[name]))
				}
			}
		case *parser.AggregateExpr:
			have := labels(n.Expr, ex)
			for _, l := range n.Grouping {
				if !have[l] {
					bad("groups %s by label %s, which none of its series has", n.Op, l)
				}
			}
		case *parser.BinaryExpr:
			if n.VectorMatching == nil {
				return nil
			}
			lhs, rhs := labels(n.LHS, ex), labels(n.RHS, ex)
			for _, l := range n.VectorMatching.MatchingLabels {
				if !lhs[l] || !rhs[l] {
					bad("matches %s on label %s, which one side does not have", n.Op, l)
				}
			}
		}
		return nil
	})
	if len(problems) > 0 {
		return problems
	}
	out := outputLabels(expr, ex)
	for _, l := range q.labelRefs {
		if !out[l] {
			bad("refers to label %s, which the expression's result does not have (it has: %s)", l, labelList(out))
		}
	}
	return problems
}

func selectorName(vs *parser.VectorSelector) string {
	if vs.Name != "" {
		return vs.Name
	}
	for _, m := range vs.LabelMatchers {
		if m.Name == model.MetricNameLabel {
			return m.Value
		}
	}
	return ""
}

// labels is every label of every series selected under n, target labels included.
func labels(n parser.Node, ex exported) map[string]bool {
	have := map[string]bool{"instance": true, "job": true}
	parser.Inspect(n, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			maps.Copy(have, ex[selectorName(vs)])
		}
		return nil
	})
	return have
}

// outputLabels are the labels of the series expr evaluates to (as far as a static reading can tell).
func outputLabels(n parser.Expr, ex exported) map[string]bool {
	switch n := n.(type) {
	case *parser.AggregateExpr:
		inner := outputLabels(n.Expr, ex)
		if n.Without || n.Op == parser.TOPK || n.Op == parser.BOTTOMK {
			for _, l := range n.Grouping {
				delete(inner, l)
			}
			return inner
		}
		out := map[string]bool{}
		for _, l := range n.Grouping {
			out[l] = inner[l]
		}
		return out
	case *parser.BinaryExpr:
		lhs, rhs := outputLabels(n.LHS, ex), outputLabels(n.RHS, ex)
		switch {
		case n.LHS.Type() != parser.ValueTypeVector:
			return rhs
		case n.Op == parser.LOR:
			maps.Copy(lhs, rhs)
		case n.VectorMatching != nil && n.VectorMatching.On && !n.Op.IsSetOperator():
			out := map[string]bool{}
			for _, l := range append(slices.Clone(n.VectorMatching.MatchingLabels), n.VectorMatching.Include...) {
				out[l] = lhs[l] || rhs[l]
			}
			return out
		}
		return lhs
	case *parser.Call:
		out := map[string]bool{}
		for _, a := range n.Args {
			if a.Type() == parser.ValueTypeVector || a.Type() == parser.ValueTypeMatrix {
				maps.Copy(out, outputLabels(a, ex))
			}
		}
		if n.Func.Name == "histogram_quantile" {
			delete(out, "le")
		}
		return out
	case *parser.ParenExpr:
		return outputLabels(n.Expr, ex)
	case *parser.UnaryExpr:
		return outputLabels(n.Expr, ex)
	case *parser.MatrixSelector:
		return outputLabels(n.VectorSelector, ex)
	case *parser.SubqueryExpr:
		return outputLabels(n.Expr, ex)
	case *parser.VectorSelector:
		return labels(n, ex)
	}
	return map[string]bool{}
}

func labelList(set map[string]bool) string {
	var ls []string
	for l, ok := range set {
		if ok {
			ls = append(ls, l)
		}
	}
	sort.Strings(ls)
	if len(ls) == 0 {
		return "none"
	}
	return strings.Join(ls, ", ")
}
