package coverage

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints one row per operation and documented status (seen count, media types seen of
// those documented, parameters and body properties the operation was sent), the undocumented
// responses, then the totals.
func (r *Report) WriteText(w io.Writer) error {
	var b strings.Builder
	for _, d := range r.Documents {
		fmt.Fprintf(&b, "%s\n", d.Name)
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  OPERATION\tSTATUS\tSEEN\tMEDIA TYPES\tPARAMS\tBODY PROPS")
		for _, op := range d.Operations {
			params, props := seenOf(op.Parameters), seenOf(op.BodyProperties)
			for i, rs := range op.Responses {
				name := ""
				if i == 0 {
					name = op.Method + " " + op.Path
				} else {
					params, props = "", ""
				}
				fmt.Fprintf(tw, "  %s\t%s\t%d\t%s\t%s\t%s\n", name, rs.Status, rs.Seen, seenOf(rs.MediaTypes), params, props)
			}
			if len(op.Responses) == 0 {
				fmt.Fprintf(tw, "  %s\t-\t%d\t\t%s\t%s\n", op.Method+" "+op.Path, op.Requests, params, props)
			}
			for _, u := range op.Undocumented {
				fmt.Fprintf(tw, "  \t%d%s\t%d\tUNDOCUMENTED\t\t\n", u.Status, mediaSuffix(u.MediaType), u.Seen)
			}
		}
		tw.Flush()
	}
	t := r.Totals()
	fmt.Fprintf(&b, "\noperation×status coverage: %d/%d (%.1f%%); operations %d/%d, parameters %d/%d, body properties %d/%d; %d undocumented responses seen (sources: %s)\n",
		t.ResponsesSeen, t.Responses, t.Percent(), t.OperationsSeen, t.Operations, t.ParametersSeen, t.Parameters,
		t.PropertiesSeen, t.Properties, t.Undocumented, strings.Join(r.Sources, ", "))
	_, err := io.WriteString(w, b.String())
	return err
}

func mediaSuffix(mt string) string {
	if mt == "" {
		return ""
	}
	return " " + mt
}

// seenOf is "2/3" of the items seen, "-" when none is documented.
func seenOf(items []Item) string {
	if len(items) == 0 {
		return "-"
	}
	n := 0
	for _, it := range items {
		if it.Seen > 0 {
			n++
		}
	}
	return fmt.Sprintf("%d/%d", n, len(items))
}

// WriteHTML writes one self-contained page (inline style, no scripts), in the features report's style.
func (r *Report) WriteHTML(w io.Writer) error {
	return page.Execute(w, struct {
		*Report
		T Totals
	}{r, r.Totals()})
}

var page = template.Must(template.New("coverage").Funcs(template.FuncMap{"seen": seenOf}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ultra coverage</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
.totals { display: flex; gap: 1rem; margin: 1rem 0 2rem; flex-wrap: wrap; }
.totals div { padding: .6rem 1rem; border-radius: .4rem; background: #f2f2f4; }
.totals b { display: block; font-size: 1.3rem; }
table { border-collapse: collapse; margin-bottom: 2rem; }
th, td { text-align: left; padding: .25rem .7rem; border-bottom: 1px solid #e5e5e8; }
.seen { color: #116329; } .missing { color: #b3261e; } .undocumented { color: #8a6d00; font-weight: 600; }
code { font-size: 12px; }
</style>
</head>
<body>
<h1>ultra coverage</h1>
<p>Merged from: {{range $i, $s := .Sources}}{{if $i}}, {{end}}{{$s}}{{end}}.</p>
<div class="totals">
  <div><b id="percent">{{printf "%.1f" .T.Percent}}%</b>operation×status ({{.T.ResponsesSeen}}/{{.T.Responses}})</div>
  <div><b>{{.T.OperationsSeen}}/{{.T.Operations}}</b>operations</div>
  <div><b>{{.T.ParametersSeen}}/{{.T.Parameters}}</b>parameters</div>
  <div><b>{{.T.PropertiesSeen}}/{{.T.Properties}}</b>body properties</div>
  <div class="undocumented"><b>{{.T.Undocumented}}</b>undocumented responses</div>
</div>
{{range .Documents}}
<h2>{{.Name}}</h2>
<table>
<tr><th>operation</th><th>status</th><th>seen</th><th>media types</th><th>parameters</th><th>body properties</th></tr>
{{range .Operations}}{{$op := .}}
{{range .Responses}}<tr class="{{if .Seen}}seen{{else}}missing{{end}}"><td><code>{{$op.Method}} {{$op.Path}}</code></td><td>{{.Status}}</td><td>{{.Seen}}</td>
<td>{{range .MediaTypes}}<span class="{{if .Seen}}seen{{else}}missing{{end}}">{{.Name}}</span> {{end}}</td><td>{{seen $op.Parameters}}</td><td>{{seen $op.BodyProperties}}</td></tr>
{{end}}{{range .Undocumented}}<tr class="undocumented"><td><code>{{$op.Method}} {{$op.Path}}</code></td><td>{{.Status}}</td><td>{{.Seen}}</td><td>undocumented {{.MediaType}}</td><td></td><td></td></tr>
{{end}}{{end}}
</table>
{{end}}
</body>
</html>
`))
