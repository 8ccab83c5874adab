package metrics

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

// A HealthReport is the monthly release health report of §1.7.5: the
// delivery metrics of a period with their weekly trend, the releases
// deployed to production with the state of their evidence and the files
// they changed, the emergency changes, exceptions and rollbacks used, the
// attempts refused and the deployments that failed, and the gaps found. BuildReport
// makes one; WriteHTML, WriteMarkdown and WriteJSON write it. A
// HealthReport is a value: writing it does not change it, and the same
// report is always written as the same bytes.
type HealthReport struct {
	// Title heads the report; BuildReport sets "Release health report".
	Title string `json:"title"`
	// Since and Until bound the period [Since, Until); Generated is the
	// time the report says it was made (an input, never the clock).
	Since      time.Time `json:"since"`
	Until      time.Time `json:"until"`
	Generated  time.Time `json:"generated"`
	Production string    `json:"production"`
	// Log is the state of the promotion log the report is computed from.
	Log HealthItem `json:"log"`
	// Metrics are the figures of the whole period.
	Metrics Summary `json:"metrics"`
	// Weeks are the overall figures of each ISO week overlapping the
	// period, the first and last clipped to it.
	Weeks []HealthWeek `json:"weeks"`
	// Releases are the releases deployed to production in the period,
	// by first deployment.
	Releases []HealthRelease `json:"releases"`
	// Emergencies are the promotions of the period made under an
	// emergency-change record (Promotion.Emergency), in log order.
	Emergencies []HealthEmergency `json:"emergencies"`
	// Exceptions are the policy exceptions that waived a control in the
	// gate reports of the period's promotions, in log order.
	Exceptions []HealthException `json:"exceptions"`
	// Rollbacks are the rollbacks of the period, in log order.
	Rollbacks []HealthRollback `json:"rollbacks"`
	// Refusals are the attempts refused in the period (promotions,
	// rollbacks, deployment reports), in log order; Metrics counts them
	// per environment and control.
	Refusals []HealthRefusal `json:"refusals"`
	// FailedDeployments are the deployment outcomes of the period, in any
	// environment, that failed, in log order.
	FailedDeployments []HealthDeployment `json:"failed_deployments"`
	// Gaps are the evidence missing or failing and the facts the metrics
	// could not place, for the period.
	Gaps []HealthGap `json:"gaps"`
}

// A HealthWeek is one ISO week of the trend.
type HealthWeek struct {
	Week    string           `json:"week"`  // "2026-W45"
	Start   time.Time        `json:"start"` // clipped to the period
	End     time.Time        `json:"end"`   // exclusive, clipped to the period
	Partial bool             `json:"partial"`
	Metrics ComponentSummary `json:"metrics"`
}

// A HealthRelease is one release deployed to production in the period and
// the state of its evidence.
type HealthRelease struct {
	Tag       string `json:"tag"`
	Component string `json:"component"`
	// Deployed is its first production deployment in the period; Seqs the
	// log entries of its production promotions in the period.
	Deployed time.Time `json:"deployed"`
	Seqs     []uint64  `json:"seqs"`
	// Evidence: the tag signature, SBOM, provenance, record completeness
	// (manifest.Check), the approvals of its production promotions and
	// the policy reports that gated them.
	SignedTag  HealthItem `json:"signed_tag"`
	SBOM       HealthItem `json:"sbom"`
	Provenance HealthItem `json:"provenance"`
	Complete   HealthItem `json:"complete"`
	Approvals  HealthItem `json:"approvals"`
	Gate       HealthItem `json:"gate"`
	// Changes are the changed-files manifests its production deployment
	// outcomes of the period name, each once, in log order: what changed
	// from the release production ran before. Empty when no outcome named
	// one.
	Changes []HealthChanges `json:"changes"`
	// Failed reports a failed change and Failure why.
	Failed  bool   `json:"failed"`
	Failure string `json:"failure,omitempty"`
}

// Items returns the release's evidence with its names, in report order.
func (r HealthRelease) Items() []NamedHealthItem {
	return []NamedHealthItem{
		{"Signed tag", r.SignedTag}, {"SBOM", r.SBOM}, {"Provenance", r.Provenance},
		{"Complete record", r.Complete}, {"Approvals", r.Approvals}, {"Gate report", r.Gate},
	}
}

// EvidenceOK reports whether every piece of the release's evidence is OK.
func (r HealthRelease) EvidenceOK() bool {
	for _, it := range r.Items() {
		if !it.Item.OK() {
			return false
		}
	}
	return true
}

// A NamedHealthItem is a HealthItem with the name of the evidence.
type NamedHealthItem struct {
	Name string
	Item HealthItem
}

// A HealthEmergency is a promotion made under an emergency-change record.
type HealthEmergency struct {
	Seq     uint64                   `json:"seq"`
	Release string                   `json:"release"`
	Env     string                   `json:"env"`
	At      time.Time                `json:"at"`
	Change  manifest.EmergencyChange `json:"change"`
}

// A HealthException is a policy exception that waived a control of a
// promotion's gate.
type HealthException struct {
	Seq       uint64 `json:"seq"`
	Release   string `json:"release"`
	Env       string `json:"env"`
	Control   string `json:"control"`
	Exception string `json:"exception"`
	Gate      string `json:"gate"` // the gate report's digest
}

// A HealthChanges is the changed-files manifest a production deployment
// outcome names: the entry's summary (the release compared with, the
// counts) and the state of the manifest in the store's evidence.
type HealthChanges struct {
	Seq uint64 `json:"seq"` // the deployment outcome's log entry
	manifest.ChangedFilesSummary
	State HealthItem `json:"state"`
}

// A HealthRefusal is one refused attempt: what was asked, by whom (an
// Actor verified from a CI token, or typed), the controls that refused it
// and why.
type HealthRefusal struct {
	Seq      uint64          `json:"seq"`
	Action   string          `json:"action"`
	Release  string          `json:"release,omitempty"`
	Env      string          `json:"env"`
	At       time.Time       `json:"at"`
	Actor    *manifest.Actor `json:"actor,omitempty"`
	Approver string          `json:"approver,omitempty"`
	Controls []string        `json:"controls"`
	Refusal  string          `json:"refusal"`
}

// A HealthDeployment is one failed deployment outcome: where (Env and
// Targets), what (Release, Branch, Commit), the error, who reported it, and
// whether a later deployment of the release there succeeded.
type HealthDeployment struct {
	Seq     uint64          `json:"seq"`
	Release string          `json:"release"`
	Env     string          `json:"env"`
	At      time.Time       `json:"at"`
	Targets []string        `json:"targets"`
	Error   string          `json:"error"`
	Branch  string          `json:"branch,omitempty"`
	Commit  string          `json:"commit,omitempty"`
	Actor   *manifest.Actor `json:"actor,omitempty"`
	// Succeeded is the log entry of a later deployment of the release to
	// the same environment that succeeded; 0 when none was logged.
	Succeeded uint64 `json:"succeeded,omitempty"`
}

// A HealthRollback is one logged rollback.
type HealthRollback struct {
	Seq      uint64    `json:"seq"`
	Env      string    `json:"env"`
	At       time.Time `json:"at"`
	From     string    `json:"from"` // the release replaced
	To       string    `json:"to"`   // the release redeployed
	Approver string    `json:"approver"`
	Reason   string    `json:"reason"`
}

// BuildReport builds the health report of h for [since, until), with
// the incidents the caller knows of (see Compute), dated generated.
// It is pure and safe for concurrent use: the same inputs give the same
// report, h and incidents are only read, and the report shares no slice
// with h except the samples' and records' strings.
func BuildReport(h *History, since, until time.Time, incidents []Incident, generated time.Time) *HealthReport {
	if h == nil {
		h = &History{}
	}
	since, until, generated = since.UTC(), until.UTC(), generated.UTC()
	m := model(h, incidents)
	rep := &HealthReport{
		Title:      "Release health report",
		Since:      since,
		Until:      until,
		Generated:  generated,
		Production: h.production(),
		Log:        h.Log,
		Metrics:    Compute(h, since, until, incidents),
	}
	if rep.Log.State == "" {
		rep.Log = HealthItem{State: audit.Gap, Detail: "no log state recorded"}
	}
	for _, w := range splitWeeks(since, until) {
		w.Metrics = m.compute(w.Start, w.End, nil)
		rep.Weeks = append(rep.Weeks, w)
	}
	gates := map[uint64]HistoryGate{}
	for _, g := range h.Gates {
		gates[g.Seq] = g
	}

	// Releases deployed to production in the period, and what the period
	// touched, for the gaps.
	inPeriod := map[string]bool{}
	periodSeqs := map[uint64]bool{}
	rollbackSeqs := map[uint64]bool{}
	byTag := map[string]*HealthRelease{}
	for _, e := range h.Entries {
		if e.Kind != manifest.KindPromotion || e.Promotion == nil || !in(e.Promotion.PromotedAt, since, until) {
			continue
		}
		p := e.Promotion
		periodSeqs[e.Seq] = true
		inPeriod[p.Release] = true
		if p.Emergency != nil {
			rep.Emergencies = append(rep.Emergencies, HealthEmergency{Seq: e.Seq, Release: p.Release, Env: p.Env, At: p.PromotedAt.UTC(), Change: *p.Emergency})
		}
		if g, ok := gates[e.Seq]; ok {
			for _, r := range g.Results {
				if r.Waiver != "" {
					rep.Exceptions = append(rep.Exceptions, HealthException{Seq: e.Seq, Release: p.Release, Env: p.Env, Control: r.Control, Exception: r.Waiver, Gate: g.Digest})
				}
			}
		}
		if p.RollbackFrom != "" {
			rollbackSeqs[e.Seq] = true
			rep.Rollbacks = append(rep.Rollbacks, HealthRollback{Seq: e.Seq, Env: p.Env, At: p.PromotedAt.UTC(), From: p.RollbackFrom, To: p.Release, Approver: p.Approver, Reason: p.Reason})
			continue
		}
		if p.Env != m.prod {
			continue
		}
		hr, ok := byTag[p.Release]
		if !ok {
			hr = newRelease(m, p.Release)
			hr.Deployed = p.PromotedAt.UTC()
			byTag[p.Release] = hr
		}
		hr.Seqs = append(hr.Seqs, e.Seq)
		approval(hr, e)
		addGate(hr, e, gates)
	}
	for _, d := range m.deploys {
		if hr, ok := byTag[d.release]; ok && d.forward() && d.failed && in(d.at, since, until) {
			hr.Failed = true
			hr.Failure = joinUnique(hr.Failure, join(d.reasons))
		}
	}
	changes := map[uint64]HistoryChanges{}
	for _, c := range h.Changes {
		changes[c.Seq] = c
	}
	var attemptGaps []HealthGap
	for _, e := range h.Entries {
		switch {
		case e.Kind == manifest.KindDenied && e.Denial != nil && in(e.Denial.At, since, until):
			d := e.Denial
			rep.Refusals = append(rep.Refusals, HealthRefusal{Seq: e.Seq, Action: d.Action, Release: d.Release, Env: d.Env,
				At: d.At.UTC(), Actor: d.Actor, Approver: d.Approver, Controls: nonNil(d.Controls), Refusal: d.Refusal})
		case e.Kind == manifest.KindDeployment && e.Deploy != nil && in(e.Deploy.At, since, until):
			d := e.Deploy
			if d.Result == manifest.ResultFailed {
				rep.FailedDeployments = append(rep.FailedDeployments, HealthDeployment{Seq: e.Seq, Release: d.Release, Env: d.Env,
					At: d.At.UTC(), Targets: nonNil(d.Targets), Error: d.Error, Branch: d.Branch, Commit: d.Commit, Actor: d.Actor,
					Succeeded: laterSuccess(h.Entries, e)})
			}
			if d.Changes == nil {
				continue
			}
			c, ok := changes[e.Seq]
			st := c.State
			if !ok {
				st = HealthItem{State: audit.Gap, Detail: "manifest " + d.Changes.Digest + " not read"}
			}
			if !st.OK() {
				attemptGaps = append(attemptGaps, HealthGap{Release: d.Release, Seq: e.Seq,
					What: "Changed files of the deployment to " + d.Env + " " + StatusLabel(item(st).State) + ": " + st.Detail})
			}
			hr, ok := byTag[d.Release]
			if !ok || d.Env != m.prod || slices.ContainsFunc(hr.Changes, func(x HealthChanges) bool { return x.ChangedFilesSummary == *d.Changes }) {
				continue
			}
			hr.Changes = append(hr.Changes, HealthChanges{Seq: e.Seq, ChangedFilesSummary: *d.Changes, State: item(st)})
		}
	}
	for _, a := range m.attempts {
		if a.env != m.prod || !in(a.at, since, until) {
			continue
		}
		switch {
		case a.result == "":
			attemptGaps = append(attemptGaps, HealthGap{Release: a.release, Seq: a.seqs[0], What: "deployment to " + a.env + " started with no outcome logged"})
		case a.result == manifest.ResultFailed && a.envLater == nil:
			attemptGaps = append(attemptGaps, HealthGap{Release: a.release, Seq: a.seqs[len(a.seqs)-1],
				What: "deployment to " + a.env + " failed (" + a.err + ") and no later deployment there succeeded: what it runs is not shown"})
		}
	}
	for _, hr := range byTag {
		rep.Releases = append(rep.Releases, *hr)
	}
	slices.SortFunc(rep.Releases, func(a, b HealthRelease) int {
		return cmp.Or(a.Deployed.Compare(b.Deployed), cmp.Compare(a.Tag, b.Tag))
	})

	// Gaps: those found while collecting and by the metrics, for what the
	// period touched, then the evidence of its releases and the failures
	// it could not see restored.
	relevant := func(g HealthGap) bool {
		return (g.Release == "" && g.Seq == 0) || inPeriod[g.Release] || periodSeqs[g.Seq]
	}
	var gaps []HealthGap
	if !rep.Log.OK() { // as Collect words it, so that its gap is not repeated
		gaps = append(gaps, HealthGap{What: "promotion log " + StatusLabel(rep.Log.State) + ": " + rep.Log.Detail})
	}
	for _, g := range slices.Concat(h.Gaps, m.gaps) {
		if relevant(g) {
			gaps = append(gaps, g)
		}
	}
	for _, r := range rep.Releases {
		for _, it := range r.Items() {
			if !it.Item.OK() {
				gaps = append(gaps, HealthGap{Release: r.Tag, What: it.Name + " " + StatusLabel(it.Item.State) + ": " + it.Item.Detail})
			}
		}
	}
	// The gate reports of the other promotions: those to other
	// environments and the rollbacks (the production deployments' are in
	// their Gate item).
	for _, g := range h.Gates {
		if !periodSeqs[g.Seq] || (g.Env == m.prod && !rollbackSeqs[g.Seq]) {
			continue
		}
		switch {
		case !g.State.OK():
			gaps = append(gaps, HealthGap{Release: g.Release, Seq: g.Seq, What: "gate report to " + g.Env + " " + StatusLabel(item(g.State).State) + ": " + g.State.Detail})
		case !g.Allowed:
			gaps = append(gaps, HealthGap{Release: g.Release, Seq: g.Seq, What: "gate report to " + g.Env + " " + g.Digest + " does not allow the promotion"})
		}
	}
	gaps = append(gaps, attemptGaps...)
	for _, d := range m.deploys {
		if d.forward() && d.failed && in(d.at, since, until) {
			if _, ok := d.restoreSample(); !ok {
				gaps = append(gaps, HealthGap{Release: d.release, Seq: d.seqs[0], What: "failed deployment (" + join(d.reasons) + ") with no restoration logged"})
			}
		}
	}
	slices.SortFunc(gaps, func(a, b HealthGap) int {
		return cmp.Or(cmp.Compare(a.Release, b.Release), cmp.Compare(a.Seq, b.Seq), cmp.Compare(a.What, b.What))
	})
	rep.Gaps = slices.Compact(gaps)
	return rep
}

// laterSuccess returns the log entry of the first deployment outcome after
// e of the same release to the same environment that succeeded, 0 when
// there is none.
func laterSuccess(entries []manifest.Entry, e manifest.Entry) uint64 {
	for _, n := range entries {
		if d := n.Deploy; n.Seq > e.Seq && d != nil && d.Release == e.Deploy.Release && d.Env == e.Deploy.Env && d.Result == manifest.ResultSucceeded {
			return n.Seq
		}
	}
	return 0
}

// item returns i, or missing "not recorded" for the zero item.
func item(i HealthItem) HealthItem {
	if i.State == "" {
		return HealthItem{State: audit.Gap, Detail: "not recorded"}
	}
	return i
}

func joinUnique(a, b string) string {
	if a == "" || a == b {
		return b
	}
	return a + "; " + b
}

func newRelease(m *history, tag string) *HealthRelease {
	hr := &HealthRelease{Tag: tag, Component: m.component(tag), Changes: []HealthChanges{}}
	r, ok := m.releases[tag]
	if !ok {
		na := HealthItem{State: audit.Gap, Detail: "not collected (no release record read)"}
		hr.SignedTag, hr.SBOM, hr.Provenance, hr.Complete = na, na, na, na
	} else {
		hr.SignedTag, hr.SBOM, hr.Provenance, hr.Complete = item(r.SignedTag), item(r.SBOM), item(r.Provenance), item(r.Complete)
	}
	hr.Approvals = HealthItem{State: audit.Verified}
	hr.Gate = HealthItem{State: audit.Verified}
	return hr
}

// approval folds the approval of production promotion e into hr.
func approval(hr *HealthRelease, e manifest.Entry) {
	p := e.Promotion
	approver, what := p.Approver, "approved by"
	ok := p.Approver != "" && p.Reason != ""
	if p.Emergency != nil {
		approver, what = cmp.Or(p.Emergency.Approver, p.Approver), "emergency change approved by"
		ok = ok && p.Emergency.Approver != ""
	}
	if !ok {
		hr.Approvals = HealthItem{State: audit.Gap, Detail: joinUnique(failDetail(hr.Approvals), fmt.Sprintf("seq %d has no approver or reason", e.Seq))}
		return
	}
	if hr.Approvals.OK() {
		hr.Approvals.Detail = joinUnique(hr.Approvals.Detail, fmt.Sprintf("seq %d %s %s", e.Seq, what, approver))
	}
}

// addGate folds the gate report of production promotion e into hr.
func addGate(hr *HealthRelease, e manifest.Entry, gates map[uint64]HistoryGate) {
	p := e.Promotion
	var bad HealthItem
	switch g, ok := gates[e.Seq]; {
	case p.Gate == "":
		bad = HealthItem{State: audit.Gap, Detail: fmt.Sprintf("seq %d logged no gate report", e.Seq)}
	case !ok:
		bad = HealthItem{State: audit.Gap, Detail: fmt.Sprintf("seq %d: gate report %s not read", e.Seq, p.Gate)}
	case !g.State.OK():
		bad = HealthItem{State: g.State.State, Detail: fmt.Sprintf("seq %d: %s", e.Seq, g.State.Detail)}
	case !g.Allowed:
		bad = HealthItem{State: audit.Failed, Detail: fmt.Sprintf("seq %d: gate report %s does not allow the promotion", e.Seq, p.Gate)}
	default:
		if hr.Gate.OK() {
			hr.Gate.Detail = joinUnique(hr.Gate.Detail, fmt.Sprintf("seq %d: %s", e.Seq, p.Gate))
		}
		return
	}
	bad.Detail = joinUnique(failDetail(hr.Gate), bad.Detail)
	if hr.Gate.State == audit.Failed {
		bad.State = audit.Failed
	}
	hr.Gate = bad
}

func failDetail(i HealthItem) string {
	if i.OK() {
		return ""
	}
	return i.Detail
}

// splitWeeks returns the ISO weeks overlapping [since, until), clipped.
func splitWeeks(since, until time.Time) []HealthWeek {
	var out []HealthWeek
	if !until.After(since) {
		return nil
	}
	d := time.Date(since.Year(), since.Month(), since.Day(), 0, 0, 0, 0, time.UTC)
	start := d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7)) // Monday
	for ; start.Before(until); start = start.AddDate(0, 0, 7) {
		end := start.AddDate(0, 0, 7)
		y, wk := start.ISOWeek()
		w := HealthWeek{Week: fmt.Sprintf("%04d-W%02d", y, wk), Start: start, End: end}
		if w.Start.Before(since) {
			w.Start, w.Partial = since, true
		}
		if w.End.After(until) {
			w.End, w.Partial = until, true
		}
		out = append(out, w)
	}
	return out
}

// WriteJSON writes the report as one indented JSON object, with every
// figure's samples; a figure without data has "no_data": true and null
// values.
func (r *HealthReport) WriteJSON(w io.Writer) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r.jsonForm()); err != nil {
		return fmt.Errorf("encode report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func (r *HealthReport) jsonForm() HealthReport {
	c := *r
	c.Weeks = nonNil(c.Weeks)
	c.Releases = nonNil(c.Releases)
	c.Emergencies = nonNil(c.Emergencies)
	c.Exceptions = nonNil(c.Exceptions)
	c.Rollbacks = nonNil(c.Rollbacks)
	c.Refusals = nonNil(c.Refusals)
	c.FailedDeployments = nonNil(c.FailedDeployments)
	c.Gaps = nonNil(c.Gaps)
	c.Metrics.Components = nonNil(c.Metrics.Components)
	return c
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// figure is a figure as people read it.
type figure struct {
	Name   string // "Lead time for changes"
	Value  string // "2d 4h" or "no data"
	Detail string // "p90 5d 1h; 4 releases"
	Known  bool
}

func figures(c ComponentSummary) []figure {
	dur := func(name string, f DurationFigure, what string, mean bool) figure {
		if !f.Known() {
			return figure{Name: name, Value: "no data", Detail: none(what)}
		}
		d := fmt.Sprintf("median; p90 %s; %s", duration(f.P90), count(len(f.Samples), what))
		if mean {
			d = fmt.Sprintf("median; mean %s; p90 %s; %s", duration(f.Mean), duration(f.P90), count(len(f.Samples), what))
		}
		return figure{Name: name, Value: duration(f.Median), Detail: d, Known: true}
	}
	ratio := func(name string, f RatioFigure, what string) figure {
		if !f.Known() {
			return figure{Name: name, Value: "no data", Detail: none(what)}
		}
		return figure{Name: name, Value: percent(f), Detail: fmt.Sprintf("%d of %s", f.Num, count(f.Den, what)), Known: true}
	}
	outcomes := ratio("Deployment success rate", c.DeploymentOutcomes, "deployment attempt|deployment attempts")
	if c.DeploymentOutcomes.Known() {
		failed, none := 0, 0
		for _, x := range c.DeploymentOutcomes.Samples {
			switch {
			case x.Hit:
			case strings.HasSuffix(x.Note, "started, no outcome logged"):
				none++
			default:
				failed++
			}
		}
		outcomes.Detail += fmt.Sprintf(" (%d failed, %d with no outcome)", failed, none)
	}
	refused := figure{Name: "Refused attempts", Value: "no data", Detail: "the log was not read"}
	if c.Refused.Known() {
		refused = figure{Name: "Refused attempts", Value: fmt.Sprint(c.Refused.Count), Detail: refusalsText(c.Refused), Known: true}
	}
	freq := figure{Name: "Deployment frequency", Value: "no data", Detail: "the log was not read"}
	if c.Deployments.Known() {
		freq = figure{Name: "Deployment frequency", Value: fmt.Sprintf("%.2f / week", c.Deployments.PerWeek()),
			Detail: fmt.Sprintf("%s in %.1f days (%.2f / day)", count(c.Deployments.Count, "production deployment|production deployments"), c.Deployments.Days, c.Deployments.PerDay()), Known: true}
	}
	return []figure{
		dur("Lead time for changes", c.LeadTime, "release first deployed|releases first deployed", false),
		freq,
		ratio("Change failure rate", c.ChangeFailure, "production deployment|production deployments"),
		dur("Time to restore", c.Restore, "restoration|restorations", true),
		ratio("Release checks passed", c.Checks, "recorded check|recorded checks"),
		outcomes,
		ratio("Deploy agent results succeeded", c.DeployResults, "deploy result|deploy results"),
		ratio("Gate controls passed", c.GateControls, "gate control result|gate control results"),
		refused,
	}
}

// refusalsText describes the refused attempts per environment: "prod: 2
// (REL-WINDOW-001 1, no control named 1)", or "none".
func refusalsText(f RefusalFigure) string {
	if len(f.Envs) == 0 {
		return "none"
	}
	var envs []string
	for _, e := range f.Envs {
		envs = append(envs, fmt.Sprintf("%s: %d (%s)", e.Env, e.Count, controlsText(e)))
	}
	return strings.Join(envs, "; ")
}

// controlsText counts an environment's refusals by control:
// "REL-WINDOW-001 1, no control named 1".
func controlsText(e EnvRefusals) string {
	var cs []string
	for _, c := range e.Controls {
		cs = append(cs, fmt.Sprintf("%s %d", cmp.Or(c.Control, "no control named"), c.Count))
	}
	return strings.Join(cs, ", ")
}

// changesText describes the changed files of a production release:
// "4 since v1.1.0 (2 added, 1 modified, 1 deleted)", each manifest that is
// not OK followed by its state; "none reported" without any.
func changesText(cs []HealthChanges) string {
	if len(cs) == 0 {
		return "none reported"
	}
	var out []string
	for _, c := range cs {
		since := "since " + c.From
		if c.From == "" {
			since = "in the first deployment"
		}
		s := fmt.Sprintf("%s %s (%d added, %d modified, %d deleted", count(c.Files, "file|files"), since, c.Added, c.Modified, c.Deleted)
		if c.Truncated {
			s += ", list truncated"
		}
		s += ")"
		if !c.State.OK() {
			s += " " + StatusLabel(c.State.State)
		}
		out = append(out, s)
	}
	return strings.Join(out, "; ")
}

// refusalText describes a refused attempt in one line.
func refusalText(r HealthRefusal) string {
	s := fmt.Sprintf("%s: %s", timeText(r.At), r.Action)
	if r.Release != "" {
		s += " " + r.Release
	}
	s += fmt.Sprintf(" to %s (seq %d)", r.Env, r.Seq)
	if w := actorText(r.Actor); w != "" {
		s += " requested by " + w
	}
	if r.Approver != "" {
		s += ", approver " + r.Approver
	}
	controls := "no control named"
	if len(r.Controls) > 0 {
		controls = strings.Join(r.Controls, ", ")
	}
	return s + ": refused by " + controls + ": " + r.Refusal
}

// failedDeploymentText describes a failed deployment in one line.
func failedDeploymentText(d HealthDeployment) string {
	s := fmt.Sprintf("%s: %s to %s", timeText(d.At), d.Release, d.Env)
	if len(d.Targets) > 0 {
		s += " on " + strings.Join(d.Targets, ", ")
	}
	s += fmt.Sprintf(" (seq %d)", d.Seq)
	if d.Branch != "" || d.Commit != "" {
		s += fmt.Sprintf(", branch %s commit %s", cmp.Or(d.Branch, "-"), cmp.Or(d.Commit, "-"))
	}
	if w := actorText(d.Actor); w != "" {
		s += ", reported by " + w
	}
	s += " failed: " + d.Error
	if d.Succeeded != 0 {
		return s + fmt.Sprintf("; succeeded later (seq %d)", d.Succeeded)
	}
	return s + "; no later success logged"
}

// count writes "1 thing" or "n things"; what is "thing|things".
func count(n int, what string) string {
	one, many, _ := strings.Cut(what, "|")
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// none writes "no things" for what "thing|things".
func none(what string) string {
	_, many, _ := strings.Cut(what, "|")
	return "no " + many
}

func percent(f RatioFigure) string {
	if !f.Known() {
		return "no data"
	}
	return fmt.Sprintf("%.1f%%", f.Percent())
}

// duration writes d for people: "2d 4h", "3h 20m", "45m", "30s".
func duration(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	switch {
	case d >= 24*time.Hour:
		d = d.Round(time.Hour)
		return fmt.Sprintf("%s%dd %dh", sign, d/(24*time.Hour), (d%(24*time.Hour))/time.Hour)
	case d >= time.Hour:
		d = d.Round(time.Minute)
		return fmt.Sprintf("%s%dh %dm", sign, d/time.Hour, (d%time.Hour)/time.Minute)
	case d >= time.Minute:
		return fmt.Sprintf("%s%dm %ds", sign, d/time.Minute, (d%time.Minute)/time.Second)
	}
	return fmt.Sprintf("%s%ds", sign, d/time.Second)
}

func timeText(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func date(t time.Time) string { return t.UTC().Format("2006-01-02") }

func seqsText(s []uint64) string {
	parts := make([]string, len(s))
	for i, x := range s {
		parts[i] = fmt.Sprint(x)
	}
	return strings.Join(parts, ", ")
}

func componentText(c string) string {
	if c == "" {
		return "(none)"
	}
	return c
}

// sampleText describes a sample in one line for people.
func sampleText(s Sample) string {
	var b strings.Builder
	b.WriteString(cmp.Or(s.Release, "(no release)"))
	if len(s.Seqs) > 0 {
		b.WriteString(" · seq " + seqsText(s.Seqs))
	}
	if len(s.Refs) > 0 {
		b.WriteString(" · " + strings.Join(s.Refs, ", "))
	}
	if !s.To.IsZero() {
		fmt.Fprintf(&b, " · %s → %s = %s", timeText(s.From), timeText(s.To), duration(s.Duration))
	} else if !s.From.IsZero() {
		b.WriteString(" · " + timeText(s.From))
	}
	if s.Note != "" {
		b.WriteString(" · " + s.Note)
	}
	return b.String()
}

// An evidenceList is one overall figure's samples for the appendix.
type evidenceList struct {
	Name    string
	Samples []Sample
	Hits    bool // a ratio: mark hits
}

func evidenceLists(c ComponentSummary) []evidenceList {
	return []evidenceList{
		{"Lead time for changes", c.LeadTime.Samples, false},
		{"Deployment frequency", c.Deployments.Samples, false},
		{"Change failure rate (hit = failed)", c.ChangeFailure.Samples, true},
		{"Time to restore", c.Restore.Samples, false},
		{"Release checks (hit = passed)", c.Checks.Samples, true},
		{"Deployment outcomes (hit = succeeded)", c.DeploymentOutcomes.Samples, true},
		{"Deploy agent results (hit = succeeded)", c.DeployResults.Samples, true},
		{"Gate controls (hit = pass)", c.GateControls.Samples, true},
		{"Refused attempts", c.Refused.Samples, false},
	}
}

// bidi reports whether r is a bidirectional formatting character,
// which would reorder the report's own text after a record's.
func bidi(r rune) bool {
	switch r {
	case '\u061c', '\u200e', '\u200f', '\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069':
		return true
	}
	return false
}

// md escapes text from records for Markdown: no HTML, links,
// emphasis, table breaks or bidirectional reordering can come from a
// record (a bidi control is written as "(U+202E)").
func md(s string) string {
	var b strings.Builder
	for _, r := range s {
		if bidi(r) {
			fmt.Fprintf(&b, "(U+%04X)", r)
			continue
		}
		switch r {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '|', '&', '~', '#', '!':
			b.WriteByte('\\')
			b.WriteRune(r)
		case '\n', '\r', '\t':
			b.WriteByte(' ')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// WriteMarkdown writes the report as Markdown (CommonMark with GitHub
// tables): headline figures, components, the weekly trend, releases with
// their evidence and changed files, emergency changes, exceptions,
// rollbacks, refused attempts, failed deployments, gaps, and the samples
// of each figure. Text from records is escaped.
func (r *HealthReport) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("# %s\n\n", md(r.Title))
	p("Period %s to %s (until excluded). Generated %s. Production environment: %s.\n\n",
		date(r.Since), date(r.Until), timeText(r.Generated), md(r.Production))
	p("Promotion log: **%s**", StatusLabel(r.Log.State))
	if r.Log.Detail != "" {
		p(" (%s)", md(r.Log.Detail))
	}
	p(".\n\n## Headline figures\n\n| Metric | Value | Basis |\n|---|---|---|\n")
	for _, f := range figures(r.Metrics.Overall) {
		p("| %s | %s | %s |\n", f.Name, md(f.Value), md(f.Detail))
	}
	ok := 0
	for _, rel := range r.Releases {
		if rel.EvidenceOK() {
			ok++
		}
	}
	p("| Releases with complete evidence | %d of %d | signed tag, SBOM, provenance, complete record, approvals, gate report |\n", ok, len(r.Releases))
	p("| Gaps | %d | see below |\n\n", len(r.Gaps))

	if len(r.Metrics.Components) > 0 {
		p("## Per component\n\n| Component | Lead time (median) | Deployments | Change failure rate | Time to restore (median) | Checks passed | Deployment success rate | Gate controls passed | Refused attempts |\n|---|---|---|---|---|---|---|---|---|\n")
		for _, c := range r.Metrics.Components {
			f := figures(c)
			p("| %s | %s | %d | %s | %s | %s | %s | %s | %s |\n", md(componentText(c.Component)), f[0].Value, c.Deployments.Count, f[2].Value, f[3].Value, f[4].Value, f[5].Value, f[7].Value, f[8].Value)
		}
		p("\n")
	}

	p("## Weekly trend\n\n| ISO week | Deployments | Lead time (median) | Change failure rate | Time to restore (median) |\n|---|---|---|---|---|\n")
	for _, wk := range r.Weeks {
		f := figures(wk.Metrics)
		label := wk.Week
		if wk.Partial {
			label += " (partial)"
		}
		p("| %s | %d | %s | %s | %s |\n", label, wk.Metrics.Deployments.Count, f[0].Value, f[2].Value, f[3].Value)
	}
	p("\n## Releases\n\n")
	if len(r.Releases) == 0 {
		p("No release was deployed to production in the period.\n\n")
	} else {
		p("| Release | Component | Deployed | Signed tag | SBOM | Provenance | Complete record | Approvals | Gate report | Changed files | Failed change |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
		for _, rel := range r.Releases {
			p("| %s | %s | %s", md(rel.Tag), md(componentText(rel.Component)), timeText(rel.Deployed))
			for _, it := range rel.Items() {
				p(" | %s", StatusLabel(it.Item.State))
			}
			p(" | %s", md(changesText(rel.Changes)))
			failed := "no"
			if rel.Failed {
				failed = "yes: " + md(rel.Failure)
			}
			p(" | %s |\n", failed)
		}
		p("\n")
	}
	p("## Emergency changes\n\n")
	if len(r.Emergencies) == 0 {
		p("None.\n\n")
	}
	for _, e := range r.Emergencies {
		c := e.Change
		p("- %s to %s at %s (seq %d): %s; reason: %s; scope: %s; approver: %s; rollback plan: %s; follow-up: %s\n",
			md(e.Release), md(e.Env), timeText(e.At), e.Seq, md(cmp.Or(c.ID, "(no ID)")), md(c.Reason), md(c.Scope), md(c.Approver), md(c.RollbackPlan), md(c.FollowUp))
	}
	if len(r.Emergencies) > 0 {
		p("\n")
	}
	p("## Exceptions\n\n")
	if len(r.Exceptions) == 0 {
		p("None.\n\n")
	}
	for _, x := range r.Exceptions {
		p("- %s to %s (seq %d): exception %s waived %s (gate report %s)\n", md(x.Release), md(x.Env), x.Seq, md(x.Exception), md(x.Control), md(x.Gate))
	}
	if len(r.Exceptions) > 0 {
		p("\n")
	}
	p("## Rollbacks\n\n")
	if len(r.Rollbacks) == 0 {
		p("None.\n\n")
	}
	for _, rb := range r.Rollbacks {
		p("- %s: %s rolled back from %s to %s (seq %d), approved by %s: %s\n", timeText(rb.At), md(rb.Env), md(rb.From), md(rb.To), rb.Seq, md(rb.Approver), md(rb.Reason))
	}
	if len(r.Rollbacks) > 0 {
		p("\n")
	}
	p("## Refused attempts\n\n")
	if len(r.Refusals) == 0 {
		p("None.\n\n")
	} else {
		p("| Environment | Refused | By control |\n|---|---|---|\n")
		for _, e := range r.Metrics.Overall.Refused.Envs {
			p("| %s | %d | %s |\n", md(e.Env), e.Count, md(controlsText(e)))
		}
		p("\n")
		for _, x := range r.Refusals {
			p("- %s\n", md(refusalText(x)))
		}
		p("\n")
	}
	p("## Failed deployments\n\n")
	if len(r.FailedDeployments) == 0 {
		p("None.\n\n")
	}
	for _, d := range r.FailedDeployments {
		p("- %s\n", md(failedDeploymentText(d)))
	}
	if len(r.FailedDeployments) > 0 {
		p("\n")
	}
	p("## Gaps\n\n")
	if len(r.Gaps) == 0 {
		p("None found.\n\n")
	}
	for _, g := range r.Gaps {
		p("- %s\n", md(gapText(g)))
	}
	if len(r.Gaps) > 0 {
		p("\n")
	}
	p("## Evidence for the figures\n\nEach line is one sample: release, log entry Seq numbers, other references, times.\n\n")
	for _, l := range evidenceLists(r.Metrics.Overall) {
		p("### %s\n\n", l.Name)
		if len(l.Samples) == 0 {
			p("No data.\n\n")
			continue
		}
		for _, s := range l.Samples {
			mark := ""
			if l.Hits {
				mark = "miss: "
				if s.Hit {
					mark = "hit: "
				}
			}
			p("- %s%s\n", mark, md(sampleText(s)))
		}
		p("\n")
	}
	p("## Definitions\n\n%s\n", definitions)
	_, err := w.Write(b.Bytes())
	return err
}

func gapText(g HealthGap) string {
	var parts []string
	if g.Release != "" {
		parts = append(parts, g.Release)
	}
	if g.Seq != 0 {
		parts = append(parts, fmt.Sprintf("seq %d", g.Seq))
	}
	if len(parts) == 0 {
		return g.What
	}
	return strings.Join(parts, " ") + ": " + g.What
}

// definitions states how the figures are computed, for every format.
const definitions = `- Production deployment: a promotion to the production environment that is not a rollback; consecutive promotions of one release (one per artifact) are one deployment, dated by the first; promoting an artifact again is a new deployment.
- Lead time for changes: committer time of the earliest commit of the release's changes (commits of the tag not reachable from an earlier tag of the same component) to the release's first production deployment; for releases first deployed in the period.
- Deployment frequency: production deployments in the period over its length in days; per week is 7 times that. Zero deployments is a real 0.
- Change failure rate: production deployments of the period that a rollback replaced, that a later release's record names as hotfix_for, or that an incident names, over all production deployments of the period.
- Time to restore: from the failed deployment (or the rollback that put its release back, or its incident's opening) to the first later production promotion that rolls it back or deploys its hotfix (else the incident's resolution).
- Median and p90: nearest rank over the N samples sorted ascending, the value of rank ceil(P/100 × N); for an even N the median is the lower middle value. Mean: sum over N.
- Deployment success rate: deployment attempts reported in the log that succeeded, over the attempts of the period, in any environment; an attempt is a started outcome closed by the next succeeded or failed outcome of the release in its environment, or an outcome reported alone; one started with no outcome logged counts, never as a success. Deploy agents' results are counted apart.
- Pass rates: release checks recorded in records of releases first promoted in the period; deploy agents' results in the period (any environment); gate report control results of the period's promotions (pass over pass, fail and waived).
- Refused attempts: promotions, rollbacks and deployment reports refused in the period (denied log entries), per environment and by the control IDs they name; zero refusals is a real 0.
- Changed files: the changed-files manifests that production deployment outcomes name (files that differ from what production ran before, by SHA-256), checked against their digest and the entry's summary.
- A figure without samples is "no data", never 0.`
