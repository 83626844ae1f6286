package harness

import "html/template"

// reportPage is the HTML report: one page, its style inline, no scripts; failed steps' exchanges
// are <details> a reader expands.
var reportPage = template.Must(template.New("report").Funcs(reportFuncs).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ultra features: {{.Target}}</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; margin: 0 0 .5rem; }
.totals { display: flex; gap: 1rem; margin: 1rem 0 2rem; flex-wrap: wrap; }
.totals div { padding: .6rem 1rem; border-radius: .4rem; background: #f2f2f4; }
.totals b { display: block; font-size: 1.3rem; }
.passed { color: #116329; } .failed { color: #b3261e; } .skipped { color: #8a6d00; }
section.feature { margin-bottom: 2rem; }
.scenario { border-left: 4px solid #ccc; padding: .3rem .8rem; margin: .6rem 0; }
.scenario.ok { border-color: #2da44e; } .scenario.bad { border-color: #cf222e; }
ol.steps { margin: .3rem 0; padding-left: 1.4rem; }
.step-failed, .step-undefined, .step-ambiguous, .step-pending { color: #b3261e; font-weight: 600; }
.step-skipped { color: #888; }
.dur { color: #777; font-size: .85em; }
pre { background: #f6f8fa; padding: .6rem; overflow-x: auto; white-space: pre-wrap; font-size: 12px; }
details { margin: .3rem 0 .6rem; } summary { cursor: pointer; }
.charts { display: flex; gap: 1rem; flex-wrap: wrap; } .charts svg { max-width: 100%; height: auto; }
</style>
</head>
<body>
<h1>ultra features against {{.Target}}</h1>
<p>Every exchange was checked against <code>{{.Contract}}</code>. Run took {{.Duration}}.</p>
<div class="totals" id="totals">
  <div><b id="total-scenarios">{{.Scenarios}}</b>scenarios</div>
  <div class="passed"><b id="total-passed">{{.Passed}}</b>passed</div>
  <div class="failed"><b id="total-failed">{{.Failed}}</b>failed</div>
  <div class="skipped"><b id="total-skipped">{{.Skipped}}</b>not run</div>
  <div><b id="total-exchanges">{{.Exch}}</b>exchanges checked, {{.Violations}} violated the contract</div>
</div>
{{range .Features}}
<section class="feature">
<h2>{{.Name}}</h2>
{{range .Scenarios}}
<div class="scenario {{if .Passed}}ok{{else}}bad{{end}}">
  <h3>{{if .Passed}}<span class="passed">✔</span>{{else}}<span class="failed">✘</span>{{end}} {{.Scenario}} <span class="dur">{{dur .Duration}}</span></h3>
  <ol class="steps">
  {{range .Steps}}
    <li class="step-{{.Status}}">{{.Text}} <span class="dur">{{.Status}}{{if .Duration}}, {{dur .Duration}}{{end}}</span>
    {{if .Err}}<pre class="error">{{.Err}}</pre>{{end}}
    {{with .Load}}<div class="load">
      <pre class="load-summary">{{.Summary}}</pre>
      <div class="charts">{{latencySVG .}}{{throughputSVG .}}</div>
    </div>{{end}}
    {{if and .Err .Exchange}}{{with .Exchange}}
    <details class="exchange">
      <summary>Exchange: {{.Method}} {{.URL}} → {{.Status}}</summary>
      <h4>Request</h4>
      <pre class="request">{{.Method}} {{.URL}}
{{headers .RequestHeader}}

{{body .RequestBody}}</pre>
      <h4>Response</h4>
      <pre class="response">{{.Status}} ({{dur .Duration}})
{{headers .Header}}

{{body .Body}}</pre>
      {{if .Violations}}<h4>Contract violations</h4>
      <ul class="violations">{{range .Violations}}<li><code>{{describe .}}</code></li>{{end}}</ul>{{end}}
      <h4>Reproduce</h4>
      <pre class="curl">{{curl .}}</pre>
    </details>
    {{end}}{{end}}
    </li>
  {{end}}
  </ol>
</div>
{{end}}
</section>
{{end}}
{{if .Skips}}
<section class="feature" id="skipped">
<h2>Not run</h2>
<ul>{{range .Skips}}<li><b>{{.Feature}}: {{.Scenario}}</b>, because {{.Reason}}</li>{{end}}</ul>
</section>
{{end}}
</body>
</html>
`))
