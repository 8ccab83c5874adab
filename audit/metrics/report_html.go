package metrics

import (
	"bytes"
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/releasekit/releasekit/audit"
)

// WriteHTML writes the report as one self-contained HTML page: inline CSS
// and inline SVG charts, no script, no external asset, nothing fetched.
// Headline figures come first, then the four delivery metrics trended by
// ISO week, the releases with their evidence and changed files, emergency
// changes, exceptions, rollbacks, refused attempts, failed deployments,
// gaps and the samples behind every figure. Every
// status has a text label as well as a colour, each chart is an <svg
// role="img"> with a <title> and a <desc> holding its data, and the page
// prints on A4 or Letter. Text from records is escaped by html/template,
// and a bidirectional formatting character in it, which would reorder the
// page's own text after it, is written visibly as "(U+202E)".
func (r *HealthReport) WriteHTML(w io.Writer) error {
	var buf bytes.Buffer
	if err := htmlTemplate().Execute(&buf, htmlView(r)); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	out := buf.Bytes()
	if bytes.ContainsFunc(out, bidi) { // the template has none of its own
		var b bytes.Buffer
		for _, c := range string(out) {
			if bidi(c) {
				fmt.Fprintf(&b, "(U+%04X)", c)
			} else {
				b.WriteRune(c)
			}
		}
		out = b.Bytes()
	}
	_, err := w.Write(out)
	return err
}

type htmlData struct {
	R          *HealthReport
	Period     string
	Generated  string
	Figures    []figure
	EvidenceOK int
	Charts     []chart
	Weeks      []weekRow
	Components []componentRow
	Evidence   []evidenceList
	Defs       []string
	Partial    bool // a week is clipped to the period
}

type weekRow struct {
	Week    string
	Partial bool
	Deploys int
	Figures []figure
}

type componentRow struct {
	Name    string
	Deploys int
	Figures []figure
}

// chart is a bar chart drawn in SVG; all coordinates are in the
// chart's own pixels.
type chart struct {
	ID, Title, Desc string
	W, H            int
	Left, Right     string
	Baseline        string
	Grid            []gridLine
	Bars            []bar
	Marks           int
}

type gridLine struct {
	Y, LabelY, Label string
}

type bar struct {
	X, Y, W, H   string
	CX, ValueY   string
	LabelY       string
	Week, Value  string
	NoData       bool
	Partial      bool
	NoDataY      string
	AccessibleID string
}

func htmlView(r *HealthReport) htmlData {
	d := htmlData{
		R:         r,
		Period:    fmt.Sprintf("%s to %s", date(r.Since), date(r.Until)),
		Generated: timeText(r.Generated),
		Figures:   figures(r.Metrics.Overall),
		Evidence:  evidenceLists(r.Metrics.Overall),
		Defs:      strings.Split(strings.ReplaceAll(definitions, "- ", ""), "\n"),
	}
	for _, rel := range r.Releases {
		if rel.EvidenceOK() {
			d.EvidenceOK++
		}
	}
	for _, wk := range r.Weeks {
		d.Partial = d.Partial || wk.Partial
		d.Weeks = append(d.Weeks, weekRow{Week: wk.Week, Partial: wk.Partial, Deploys: wk.Metrics.Deployments.Count, Figures: figures(wk.Metrics)})
	}
	for _, c := range r.Metrics.Components {
		d.Components = append(d.Components, componentRow{Name: componentText(c.Component), Deploys: c.Deployments.Count, Figures: figures(c)})
	}
	type point struct {
		v     float64
		known bool
		label string
	}
	series := func(f func(ComponentSummary) point) []point {
		var out []point
		for _, wk := range r.Weeks {
			out = append(out, f(wk.Metrics))
		}
		return out
	}
	durUnit := func(pts []point) (float64, string) {
		maxv := 0.0
		for _, p := range pts {
			maxv = max(maxv, p.v)
		}
		if maxv >= 72 {
			return 24, "days"
		}
		return 1, "hours"
	}
	mk := func(id, title string, pts []point, unit string, scale float64) chart {
		values := make([]float64, len(pts))
		known := make([]bool, len(pts))
		labels := make([]string, len(pts))
		for i, p := range pts {
			values[i], known[i], labels[i] = p.v/scale, p.known, p.label
		}
		return buildChart(id, title+" ("+unit+")", r.Weeks, values, known, labels)
	}
	deploys := series(func(c ComponentSummary) point {
		return point{float64(c.Deployments.Count), c.Deployments.Known(), fmt.Sprint(c.Deployments.Count)}
	})
	lead := series(func(c ComponentSummary) point {
		return point{c.LeadTime.Median.Hours(), c.LeadTime.Known(), duration(c.LeadTime.Median)}
	})
	cfr := series(func(c ComponentSummary) point {
		return point{c.ChangeFailure.Percent(), c.ChangeFailure.Known(), percent(c.ChangeFailure)}
	})
	restore := series(func(c ComponentSummary) point {
		return point{c.Restore.Median.Hours(), c.Restore.Known(), duration(c.Restore.Median)}
	})
	ls, lu := durUnit(lead)
	rs, ru := durUnit(restore)
	d.Charts = []chart{
		mk("chart-deployments", "Production deployments per ISO week", deploys, "count", 1),
		mk("chart-lead-time", "Lead time for changes, median per ISO week", lead, lu, ls),
		mk("chart-change-failure", "Change failure rate per ISO week", cfr, "%", 1),
		mk("chart-restore", "Time to restore, median per ISO week", restore, ru, rs),
	}
	return d
}

// buildChart lays out a bar chart of one value per week. Weeks
// without data get a "no data" label and no bar; a known value of 0 gets
// a thin bar so that it reads as a value, not as missing.
func buildChart(id, title string, weeks []HealthWeek, values []float64, known []bool, labels []string) chart {
	const (
		w, h         = 520, 240
		left, right  = 48.0, 12.0
		top, bottom  = 24.0, 44.0
		plotW, plotH = w - left - right, h - top - bottom
		minBar       = 2.0
		f            = "%.1f"
	)
	maxv := 0.0
	for i, v := range values {
		if known[i] {
			maxv = max(maxv, v)
		}
	}
	step := niceStep(maxv / 4)
	ticks := max(1, int(math.Ceil(maxv/step-1e-9)))
	top1 := step * float64(ticks)
	c := chart{ID: id, Title: title, W: w, H: h,
		Left: fmt.Sprintf(f, left), Right: fmt.Sprintf(f, w-right), Baseline: fmt.Sprintf(f, top+plotH)}
	for i := 0; i <= ticks; i++ {
		y := top + plotH - plotH*float64(i)/float64(ticks)
		c.Grid = append(c.Grid, gridLine{Y: fmt.Sprintf(f, y), LabelY: fmt.Sprintf(f, y+4), Label: axisLabel(step * float64(i))})
	}
	var desc []string
	n := max(1, len(weeks))
	slot := plotW / float64(n)
	bw := math.Min(slot*0.6, 56)
	for i, wk := range weeks {
		cx := left + slot*(float64(i)+0.5)
		b := bar{CX: fmt.Sprintf(f, cx), LabelY: fmt.Sprintf(f, top+plotH+16), Week: wk.Week[5:], Partial: wk.Partial,
			NoDataY: fmt.Sprintf(f, top+plotH-8)}
		if wk.Partial {
			b.Week += "*"
		}
		if !known[i] {
			b.NoData = true
			desc = append(desc, wk.Week+": no data")
		} else {
			bh := math.Max(minBar, plotH*values[i]/top1)
			b.X, b.W = fmt.Sprintf(f, cx-bw/2), fmt.Sprintf(f, bw)
			b.Y, b.H = fmt.Sprintf(f, top+plotH-bh), fmt.Sprintf(f, bh)
			b.ValueY = fmt.Sprintf(f, top+plotH-bh-5)
			b.Value = labels[i]
			c.Marks++
			desc = append(desc, wk.Week+": "+labels[i])
		}
		c.Bars = append(c.Bars, b)
	}
	if len(desc) == 0 {
		desc = []string{"no week in the period"}
	}
	c.Desc = "Values by ISO week (* partial week): " + strings.Join(desc, "; ") + "."
	return c
}

// niceStep rounds v up to 1, 2 or 5 times a power of ten; at least
// 0.1, and 1 for v <= 0.
func niceStep(v float64) float64 {
	if v <= 0 {
		return 1
	}
	v = max(v, 0.1)
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5} {
		if m*p >= v-1e-12 {
			return m * p
		}
	}
	return 10 * p
}

func axisLabel(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// htmlTemplate is parsed on first use, not at start-up: every program that
// links this package (relctl among them) would otherwise pay for it.
var htmlTemplate = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"time":    timeText,
		"seqs":    seqsText,
		"sample":  sampleText,
		"gap":     gapText,
		"comp":    componentText,
		"stclass": func(s audit.Status) string { return "st-" + stateClass(s) },
		"label":   StatusLabel,
		"sticon":  stateIcon,
		"changes": changesText,
		"refusal": refusalText,
		"failed":  failedDeploymentText,
		"ctrls":   controlsText,
	}).Parse(html))
})

func stateClass(s audit.Status) string {
	switch s {
	case audit.Verified, audit.Recorded, audit.Gap, audit.Failed, audit.NotApplicable:
		return stateWord(s)
	}
	return stateWord(audit.Gap)
}

func stateIcon(s audit.Status) string {
	switch s {
	case audit.Verified:
		return "✓"
	case audit.Failed:
		return "✗"
	case audit.Recorded:
		return "?"
	case audit.NotApplicable:
		return "–"
	}
	return "!"
}

const html = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="releasekit audit">
<title>{{.R.Title}}: {{.Period}}</title>
<style>
:root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --bg: #ffffff; --panel: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: var(--bg); }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 26px; margin: 0 0 4px; }
h2 { font-size: 19px; margin: 32px 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 18px 0 6px; }
.meta { color: var(--muted); margin: 0 0 16px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: var(--panel); break-inside: avoid; }
.card .name { font-size: 13px; color: var(--muted); font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.card .value { font-size: 28px; font-weight: 700; margin: 2px 0; }
.card .detail { font-size: 13px; color: var(--muted); }
.card.nodata .value { color: var(--muted); font-style: italic; font-weight: 600; }
.card.alert { border-color: #cf222e; background: #ffebe9; }
.card.good { border-color: #1a7f37; background: #dafbe1; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px; break-inside: avoid; }
figcaption { font-weight: 600; font-size: 14px; margin: 0 0 4px 4px; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg .grid { stroke: #e6eaef; stroke-width: 1; }
svg .baseline { stroke: #59636e; stroke-width: 1.5; }
svg .axis, svg .week { font-size: 11px; fill: #59636e; }
svg .mark { fill: var(--accent); }
svg .val { font-size: 11px; font-weight: 600; fill: var(--ink); }
svg .nodata { font-size: 10px; fill: #59636e; font-style: italic; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; margin: 6px 0 12px; }
th, td { border: 1px solid var(--line); padding: 5px 7px; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
p, li, code { overflow-wrap: anywhere; }
th { background: var(--panel); }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.st { display: inline-block; padding: 1px 7px; border-radius: 10px; font-size: 12px; font-weight: 600; white-space: nowrap; border: 1px solid; }
.st-ok { color: #116329; background: #dafbe1; border-color: #1a7f37; }
.st-failed { color: #82071e; background: #ffebe9; border-color: #cf222e; }
.st-missing { color: #6a4300; background: #fff8c5; border-color: #bf8700; }
.st-unverified { color: #0a3069; background: #ddf4ff; border-color: #0969da; }
.st-not-applicable { color: #59636e; background: #f6f8fa; border-color: #d1d9e0; }
.nodata-text { color: var(--muted); font-style: italic; }
ul.samples { font-size: 12.5px; padding-left: 20px; }
ul.samples li { margin: 2px 0; word-break: break-word; }
.hit { font-weight: 600; }
code { font-size: 12.5px; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  .charts { grid-template-columns: 1fr 1fr; }
  figure, .card, tr { break-inside: avoid; }
  h2 { break-after: avoid; }
  a { color: inherit; text-decoration: none; }
}
@page { margin: 14mm; }
</style>
</head>
<body>
<main>
<header>
<h1>{{.R.Title}}</h1>
<p class="meta">Period {{.Period}} (until excluded) · generated {{.Generated}} · production environment <code>{{.R.Production}}</code> · promotion log <span class="st {{stclass .R.Log.State}}" title="{{.R.Log.Detail}}">{{sticon .R.Log.State}} {{label .R.Log.State}}</span></p>
</header>

<section aria-labelledby="h-headline">
<h2 id="h-headline">Headline figures</h2>
<div class="cards">
{{range .Figures}}<div class="card{{if not .Known}} nodata{{end}}"><div class="name">{{.Name}}</div><div class="value">{{.Value}}</div><div class="detail">{{.Detail}}</div></div>
{{end}}<div class="card {{if not .R.Releases}}nodata{{else if eq .EvidenceOK (len .R.Releases)}}good{{else}}alert{{end}}"><div class="name">Releases with complete evidence</div><div class="value">{{.EvidenceOK}} of {{len .R.Releases}}</div><div class="detail">signed tag, SBOM, provenance, complete record, approvals, gate report</div></div>
<div class="card {{if .R.Gaps}}alert{{else}}good{{end}}"><div class="name">Gaps</div><div class="value">{{len .R.Gaps}}</div><div class="detail">{{if .R.Gaps}}to resolve: see Gaps{{else}}none found{{end}}</div></div>
</div>
</section>

<section aria-labelledby="h-trend">
<h2 id="h-trend">Weekly trend</h2>
<div class="charts">
{{range .Charts}}<figure>
<figcaption id="{{.ID}}-cap">{{.Title}}</figcaption>
<svg class="chart" id="{{.ID}}" role="img" aria-labelledby="{{.ID}}-title {{.ID}}-desc" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" data-marks="{{.Marks}}" xmlns="http://www.w3.org/2000/svg">
<title id="{{.ID}}-title">{{.Title}}</title>
<desc id="{{.ID}}-desc">{{.Desc}}</desc>
{{$c := .}}{{range .Grid}}<line class="grid" x1="{{$c.Left}}" x2="{{$c.Right}}" y1="{{.Y}}" y2="{{.Y}}"/><text class="axis" x="{{$c.Left}}" dx="-6" y="{{.LabelY}}" text-anchor="end">{{.Label}}</text>
{{end}}{{range .Bars}}{{if .NoData}}<text class="nodata" x="{{.CX}}" y="{{.NoDataY}}" text-anchor="middle">no data</text>{{else}}<rect class="mark" x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}"><title>{{.Week}}: {{.Value}}</title></rect><text class="val" x="{{.CX}}" y="{{.ValueY}}" text-anchor="middle">{{.Value}}</text>{{end}}
<text class="week" x="{{.CX}}" y="{{.LabelY}}" text-anchor="middle">{{.Week}}</text>
{{end}}<line class="baseline" x1="{{.Left}}" x2="{{.Right}}" y1="{{.Baseline}}" y2="{{.Baseline}}"/>
</svg>
</figure>
{{end}}</div>
<table>
{{if .Partial}}<caption class="nodata-text">* partial week (clipped to the period)</caption>{{end}}
<thead><tr><th scope="col">ISO week</th><th scope="col">Deployments</th><th scope="col">Lead time (median)</th><th scope="col">Change failure rate</th><th scope="col">Time to restore (median)</th></tr></thead>
<tbody>
{{range .Weeks}}<tr><th scope="row">{{.Week}}{{if .Partial}}*{{end}}</th><td class="num">{{.Deploys}}</td>{{with index .Figures 0}}<td class="num{{if not .Known}} nodata-text{{end}}">{{.Value}}</td>{{end}}{{with index .Figures 2}}<td class="num{{if not .Known}} nodata-text{{end}}">{{.Value}}</td>{{end}}{{with index .Figures 3}}<td class="num{{if not .Known}} nodata-text{{end}}">{{.Value}}</td>{{end}}</tr>
{{end}}</tbody>
</table>
</section>

{{if .Components}}<section aria-labelledby="h-components">
<h2 id="h-components">Per component</h2>
<table>
<thead><tr><th scope="col">Component</th><th scope="col">Deployments</th><th scope="col">Lead time (median)</th><th scope="col">Change failure rate</th><th scope="col">Time to restore (median)</th><th scope="col">Release checks passed</th><th scope="col">Deployment success rate</th><th scope="col">Deploy agent results succeeded</th><th scope="col">Gate controls passed</th><th scope="col">Refused attempts</th></tr></thead>
<tbody>
{{range .Components}}<tr><th scope="row">{{.Name}}</th><td class="num">{{.Deploys}}</td>{{range $i, $f := .Figures}}{{if and (ne $i 1)}}<td class="num{{if not $f.Known}} nodata-text{{end}}" title="{{$f.Detail}}">{{$f.Value}}</td>{{end}}{{end}}</tr>
{{end}}</tbody>
</table>
</section>
{{end}}
<section aria-labelledby="h-releases">
<h2 id="h-releases">Releases deployed to production</h2>
{{if .R.Releases}}<table>
<thead><tr><th scope="col">Release</th><th scope="col">Component</th><th scope="col">Deployed</th><th scope="col">Signed tag</th><th scope="col">SBOM</th><th scope="col">Provenance</th><th scope="col">Complete record</th><th scope="col">Approvals</th><th scope="col">Gate report</th><th scope="col">Changed files</th><th scope="col">Failed change</th></tr></thead>
<tbody>
{{range .R.Releases}}<tr><th scope="row">{{.Tag}}</th><td>{{comp .Component}}</td><td>{{time .Deployed}}<br><small>seq {{seqs .Seqs}}</small></td>{{range .Items}}<td><span class="st {{stclass .Item.State}}" title="{{.Item.Detail}}">{{sticon .Item.State}} {{label .Item.State}}</span></td>{{end}}<td class="long{{if not .Changes}} nodata-text{{end}}">{{changes .Changes}}</td><td class="long">{{if .Failed}}<span class="st st-failed">✗ yes</span> {{.Failure}}{{else}}<span class="st st-ok">✓ no</span>{{end}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="nodata-text">No release was deployed to production in the period.</p>{{end}}
</section>

<section aria-labelledby="h-emergency">
<h2 id="h-emergency">Emergency changes</h2>
{{if .R.Emergencies}}<table>
<thead><tr><th scope="col">Release</th><th scope="col">Env</th><th scope="col">When</th><th scope="col">Record</th><th scope="col">Reason</th><th scope="col">Scope</th><th scope="col">Approver</th><th scope="col">Rollback plan</th><th scope="col">Follow-up</th></tr></thead>
<tbody>
{{range .R.Emergencies}}<tr><th scope="row">{{.Release}}</th><td>{{.Env}}</td><td>{{time .At}}<br><small>seq {{.Seq}}</small></td><td>{{or .Change.ID "(no ID)"}}</td><td class="long">{{.Change.Reason}}</td><td class="long">{{.Change.Scope}}</td><td class="long">{{.Change.Approver}}</td><td class="long">{{.Change.RollbackPlan}}</td><td class="long">{{.Change.FollowUp}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="nodata-text">None.</p>{{end}}
</section>

<section aria-labelledby="h-exceptions">
<h2 id="h-exceptions">Exceptions</h2>
{{if .R.Exceptions}}<table>
<thead><tr><th scope="col">Release</th><th scope="col">Env</th><th scope="col">Seq</th><th scope="col">Control waived</th><th scope="col">Exception</th><th scope="col">Gate report</th></tr></thead>
<tbody>
{{range .R.Exceptions}}<tr><th scope="row">{{.Release}}</th><td>{{.Env}}</td><td class="num">{{.Seq}}</td><td>{{.Control}}</td><td>{{.Exception}}</td><td><code>{{.Gate}}</code></td></tr>
{{end}}</tbody>
</table>{{else}}<p class="nodata-text">None.</p>{{end}}
</section>

<section aria-labelledby="h-rollbacks">
<h2 id="h-rollbacks">Rollbacks</h2>
{{if .R.Rollbacks}}<table>
<thead><tr><th scope="col">When</th><th scope="col">Env</th><th scope="col">From</th><th scope="col">To</th><th scope="col">Approver</th><th scope="col">Reason</th></tr></thead>
<tbody>
{{range .R.Rollbacks}}<tr><th scope="row">{{time .At}}<br><small>seq {{.Seq}}</small></th><td>{{.Env}}</td><td>{{.From}}</td><td>{{.To}}</td><td class="long">{{.Approver}}</td><td class="long">{{.Reason}}</td></tr>
{{end}}</tbody>
</table>{{else}}<p class="nodata-text">None.</p>{{end}}
</section>

<section aria-labelledby="h-refused">
<h2 id="h-refused">Refused attempts</h2>
{{if .R.Refusals}}<table>
<thead><tr><th scope="col">Environment</th><th scope="col">Refused</th><th scope="col">By control</th></tr></thead>
<tbody>
{{range .R.Metrics.Overall.Refused.Envs}}<tr><th scope="row">{{.Env}}</th><td class="num">{{.Count}}</td><td>{{ctrls .}}</td></tr>
{{end}}</tbody>
</table>
<ul>
{{range .R.Refusals}}<li>{{refusal .}}</li>
{{end}}</ul>{{else}}<p class="nodata-text">None.</p>{{end}}
</section>

<section aria-labelledby="h-failed-deployments">
<h2 id="h-failed-deployments">Failed deployments</h2>
{{if .R.FailedDeployments}}<ul>
{{range .R.FailedDeployments}}<li><span class="st st-failed">✗ failed</span> {{failed .}}</li>
{{end}}</ul>{{else}}<p class="nodata-text">None.</p>{{end}}
</section>

<section aria-labelledby="h-gaps">
<h2 id="h-gaps">Gaps</h2>
{{if .R.Gaps}}<ul>
{{range .R.Gaps}}<li><span class="st st-missing">! gap</span> {{gap .}}</li>
{{end}}</ul>{{else}}<p><span class="st st-ok">✓ none</span> No gap found.</p>{{end}}
</section>

<section aria-labelledby="h-evidence">
<h2 id="h-evidence">Evidence for the figures</h2>
<p class="meta">Each line is one sample: release, log entry Seq numbers, other references, times.</p>
{{range .Evidence}}<h3>{{.Name}}</h3>
{{if .Samples}}{{$hits := .Hits}}<ul class="samples">
{{range .Samples}}<li>{{if $hits}}{{if .Hit}}<span class="hit">hit:</span> {{else}}miss: {{end}}{{end}}{{sample .}}</li>
{{end}}</ul>{{else}}<p class="nodata-text">No data.</p>{{end}}
{{end}}</section>

<section aria-labelledby="h-defs">
<h2 id="h-defs">Definitions</h2>
<ul>
{{range .Defs}}<li>{{.}}</li>
{{end}}</ul>
</section>
</main>
</body>
</html>
`
