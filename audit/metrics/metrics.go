package metrics

import (
	"cmp"
	"encoding/json"
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

// An Incident is a production incident the caller's incident tool knows of,
// linked to the release that caused it. Compute counts the release's
// production deployment as a failed change (§1.7.3) and, when Opened is set,
// measures its time to restore from Opened.
type Incident struct {
	ID       string    `json:"id"`
	Release  string    `json:"release"`           // the tag (or manifest name) that caused it
	Opened   time.Time `json:"opened,omitzero"`   // when it was opened; zero if unknown
	Resolved time.Time `json:"resolved,omitzero"` // when it was resolved; zero if unknown or open
}

// A History is the evidence the delivery metrics and the health report are
// computed from: the promotion log and what was read for each release it
// promotes. [Collect] fills one from a repository and a store; a History
// built by hand (in tests, or from another system of record) works as well.
// Compute and BuildReport only read it, so one History may serve
// several reports at once; the caller owns its slices.
type History struct {
	// Production is the environment that counts as production; "" means
	// "prod".
	Production string `json:"production"`
	// Entries is the promotion log in Seq order.
	Entries []manifest.Entry `json:"entries"`
	// Log is the state of the log: audit.Verified when its chain (and the
	// signed checkpoint, when one was given) verified.
	Log HealthItem `json:"log"`
	// Releases are the releases the log promotes by record (not manifest
	// promotions), sorted by tag.
	Releases []HistoryRelease `json:"releases"`
	// Gates are the policy reports that gated promotions (Promotion.Gate),
	// in log order.
	Gates []HistoryGate `json:"gates"`
	// Changes are the changed-files manifests that deployment outcomes
	// name (Deployment.Changes), in log order.
	Changes []HistoryChanges `json:"changes"`
	// Gaps are what could not be read or verified while collecting.
	Gaps []HealthGap `json:"gaps"`
}

// A HistoryChanges is the changed-files manifest one deployment outcome
// names, read from the store's evidence by the digest the entry holds and
// checked against the entry's summary (audit.VerifyChangedFiles).
type HistoryChanges struct {
	Seq     uint64 `json:"seq"` // the deployment outcome's log entry
	Release string `json:"release"`
	Env     string `json:"env"`
	Digest  string `json:"digest"` // Deployment.Changes.Digest
	// State is audit.Verified when the manifest was read and matches the
	// entry.
	State HealthItem `json:"state"`
}

// A HistoryRelease is one release of a History: its record, the first
// commit of its changes and the state of its evidence.
type HistoryRelease struct {
	Tag string `json:"tag"`
	// Component is the service or component of the release: the record's
	// Extra["component"] ([audit.ExtraComponent]), else the tag's component
	// prefix ("api" of "api/v1.2.3"), else "".
	Component string `json:"component"`
	// Record is the release record, or nil when the store has none.
	Record *manifest.Record `json:"record,omitempty"`
	// FirstCommit is the earliest commit of the release's changes (the
	// commits reachable from the tag and from no earlier release tag of the
	// same component), by committer time; FirstCommitAt is that time, zero
	// when the commits could not be read. Commits is how many there are.
	FirstCommit   string    `json:"first_commit,omitempty"`
	FirstCommitAt time.Time `json:"first_commit_at,omitzero"`
	Commits       int       `json:"commits"`
	// The release's evidence: its tag signature, its SBOM, its provenance
	// and the completeness of its record (manifest.Check).
	SignedTag  HealthItem `json:"signed_tag"`
	SBOM       HealthItem `json:"sbom"`
	Provenance HealthItem `json:"provenance"`
	Complete   HealthItem `json:"complete"`
}

// A HistoryGate is the policy report that gated one promotion, read from
// the store's gate evidence by the digest the log entry holds.
type HistoryGate struct {
	Seq     uint64 `json:"seq"`     // the promotion's log entry
	Release string `json:"release"` // the release promoted
	Env     string `json:"env"`
	Digest  string `json:"digest"` // Promotion.Gate
	// State is audit.Verified when the report was read and matches its digest;
	// then Allowed and Results are what it says.
	State   HealthItem   `json:"state"`
	Allowed bool         `json:"allowed"`
	Results []GateResult `json:"results"`
}

// A GateResult is one control's result in a gate report.
type GateResult struct {
	Control string `json:"control"` // the control ID, e.g. "REL-WINDOW-001"
	Status  string `json:"status"`  // "pass", "fail", "waived" or "not-applicable"
	Waiver  string `json:"waiver,omitempty"`
}

// StatusLabel returns the state s of a piece of evidence as a short text
// label for people, so that a report never conveys a state by colour alone:
// "OK" for [audit.Verified] (present and verified), "unverified" for
// [audit.Recorded] (present, but nothing was given to verify it with),
// "missing" for [audit.Gap] (not recorded or not found) and the zero
// Status, "FAILED" for [audit.Failed] (present but does not verify) and
// "n/a" for [audit.NotApplicable] (not expected here; neither a pass nor a
// gap). Only audit.Verified is a pass.
func StatusLabel(s audit.Status) string {
	switch s {
	case audit.Verified:
		return "OK"
	case audit.Recorded:
		return "unverified"
	case audit.Gap, "":
		return "missing"
	case audit.Failed:
		return "FAILED"
	case audit.NotApplicable:
		return "n/a"
	}
	return "unknown"
}

// stateWord is the word the JSON report and the HTML page's classes use for
// the state s: "ok", "unverified", "missing", "failed", "not-applicable".
func stateWord(s audit.Status) string {
	switch s {
	case audit.Verified:
		return "ok"
	case audit.Recorded:
		return "unverified"
	case audit.Gap, "":
		return "missing"
	}
	return string(s)
}

// A HealthItem is the state of one piece of evidence and what was found.
// The zero HealthItem is missing.
type HealthItem struct {
	State  audit.Status `json:"state"`
	Detail string       `json:"detail,omitempty"`
}

// OK reports whether the evidence is present and verified.
func (i HealthItem) OK() bool { return i.State == audit.Verified }

// MarshalJSON writes the state in the report's words ("ok", "missing",
// ...; see StatusLabel for their meaning), the zero item as missing.
func (i HealthItem) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		State  string `json:"state"`
		Detail string `json:"detail,omitempty"`
	}{stateWord(i.State), i.Detail})
}

// A HealthGap is one thing an auditor would ask about: evidence that is
// missing or does not verify, or a fact the metrics could not place.
type HealthGap struct {
	Release string `json:"release,omitempty"`
	Seq     uint64 `json:"seq,omitempty"` // the log entry concerned, if any
	What    string `json:"what"`
}

// Summary are the delivery metrics of §1.7.3 over the period [Since,
// Until), overall and per component.
//
// Every figure carries its samples, the records it came from (release tags,
// log entry Seq numbers, commits, incident IDs), so that an auditor can
// derive it again. A figure without samples is "no data", never 0; see
// the Known methods.
type Summary struct {
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`
	// Overall are the figures of every release.
	Overall ComponentSummary `json:"overall"`
	// Components are the figures of each component with a release or a
	// log entry in the period, sorted by name ("" first).
	Components []ComponentSummary `json:"components"`
}

// ComponentSummary are the delivery metrics of one component (or, in
// Summary.Overall, of all).
type ComponentSummary struct {
	Component string `json:"component"`
	// LeadTime: from the first commit of a release's changes (committer
	// time) to its first production deployment, for releases first
	// deployed to production in the period.
	LeadTime DurationFigure `json:"lead_time"`
	// Deployments: production deployments in the period, per day and per
	// week.
	Deployments FrequencyFigure `json:"deployments"`
	// ChangeFailure: production deployments in the period later rolled
	// back, hotfixed or linked to an incident, over all of them.
	ChangeFailure RatioFigure `json:"change_failure"`
	// Restore: from a failed deployment (or its incident's opening) to the
	// production deployment that restored service, for the failed
	// deployments of the period.
	Restore DurationFigure `json:"restore"`
	// Checks: required checks recorded as passed in the release records
	// (Record.Checks), for releases first promoted in the period.
	Checks RatioFigure `json:"checks"`
	// DeployResults: deploy agents' results (log KindDeployResult entries)
	// that succeeded, of those reported in the period, in any environment.
	DeployResults RatioFigure `json:"deploy_results"`
	// DeploymentOutcomes (the deployment success rate): deployment
	// attempts reported in the log (KindDeployment entries) that
	// succeeded, over the attempts of the period, in any environment. An
	// attempt is a started outcome closed by the next succeeded or failed
	// outcome of the release in its environment, or an outcome reported
	// without a start; one started with no outcome logged is counted, and
	// never as a success. It is dated by its first entry.
	DeploymentOutcomes RatioFigure `json:"deployment_outcomes"`
	// Refused: the attempts a control refused (KindDenied entries) in the
	// period, per environment and control.
	Refused RefusalFigure `json:"refused"`
	// GateControls: results "pass" in the policy reports that gated the
	// promotions of the period (any environment), over results "pass",
	// "fail" and "waived" ("not-applicable" is not counted).
	GateControls RatioFigure `json:"gate_controls"`
}

// A Sample is one record a figure was computed from.
type Sample struct {
	// Release is the release tag (or manifest name) concerned.
	Release string `json:"release"`
	// Seqs are the log entries used, ascending.
	Seqs []uint64 `json:"seqs,omitempty"`
	// Refs are the other evidence used: a commit hash, an incident ID, a
	// gate report digest, a check or control name.
	Refs []string `json:"refs,omitempty"`
	// From and To bound a duration sample; Duration is To - From.
	From     time.Time     `json:"from,omitzero"`
	To       time.Time     `json:"to,omitzero"`
	Duration time.Duration `json:"duration,omitempty"`
	// Hit reports, in a ratio, whether the sample counts in the numerator
	// (a failed change, a passed check).
	Hit bool `json:"hit,omitempty"`
	// Note says in words what the sample is.
	Note string `json:"note,omitempty"`
}

// A DurationFigure summarises durations: the median and 90th percentile by
// the nearest-rank method, and the mean.
//
// Nearest rank: with the N samples sorted ascending as x[1] … x[N], the
// P-th percentile is x[ceil(P/100 × N)]. The median is the 50th
// percentile, so for an even N it is the lower of the two middle values
// (x[N/2]), never an average of two; the 90th percentile of 10 samples is
// x[9] and of 5 samples x[5]. The mean is the sum over N, truncated to the
// nanosecond (the sum is exact: it does not overflow).
type DurationFigure struct {
	Median  time.Duration `json:"-"`
	P90     time.Duration `json:"-"`
	Mean    time.Duration `json:"-"`
	Samples []Sample      `json:"-"` // in log order
}

// Known reports whether the figure has data.
func (f DurationFigure) Known() bool { return len(f.Samples) > 0 }

// MarshalJSON writes the figure with null values when it has no data.
func (f DurationFigure) MarshalJSON() ([]byte, error) {
	type out struct {
		N             int      `json:"n"`
		NoData        bool     `json:"no_data"`
		MedianSeconds *float64 `json:"median_seconds"`
		P90Seconds    *float64 `json:"p90_seconds"`
		MeanSeconds   *float64 `json:"mean_seconds"`
		Samples       []Sample `json:"samples"`
	}
	o := out{N: len(f.Samples), NoData: !f.Known(), Samples: f.Samples}
	if o.Samples == nil {
		o.Samples = []Sample{}
	}
	if f.Known() {
		m, p, a := f.Median.Seconds(), f.P90.Seconds(), f.Mean.Seconds()
		o.MedianSeconds, o.P90Seconds, o.MeanSeconds = &m, &p, &a
	}
	return json.Marshal(o)
}

// A RatioFigure is a count of hits (Num) over a count of samples (Den).
type RatioFigure struct {
	Num     int      `json:"-"`
	Den     int      `json:"-"`
	Samples []Sample `json:"-"` // every sample counted in Den; Hit marks those in Num
}

// Known reports whether the figure has data.
func (f RatioFigure) Known() bool { return f.Den > 0 }

// Percent returns 100 × Num / Den, or 0 when the figure has no data (check
// Known first).
func (f RatioFigure) Percent() float64 {
	if f.Den == 0 {
		return 0
	}
	return 100 * float64(f.Num) / float64(f.Den)
}

// MarshalJSON writes the figure with a null percentage when it has no data.
func (f RatioFigure) MarshalJSON() ([]byte, error) {
	type out struct {
		Num     int      `json:"num"`
		Den     int      `json:"den"`
		NoData  bool     `json:"no_data"`
		Percent *float64 `json:"percent"`
		Samples []Sample `json:"samples"`
	}
	o := out{Num: f.Num, Den: f.Den, NoData: !f.Known(), Samples: f.Samples}
	if o.Samples == nil {
		o.Samples = []Sample{}
	}
	if f.Known() {
		p := f.Percent()
		o.Percent = &p
	}
	return json.Marshal(o)
}

// A FrequencyFigure is a count of deployments over the length of the
// period. A period without deployments has frequency 0: the log is the
// evidence of their absence. It has no data when the period is empty, or
// when the History has no log entries and its Log is not audit.Verified (the log
// was not read).
type FrequencyFigure struct {
	Count   int      `json:"-"`
	Days    float64  `json:"-"` // length of the period in days (of 24 hours)
	Samples []Sample `json:"-"` // one per deployment
}

// Known reports whether the figure has data.
func (f FrequencyFigure) Known() bool { return f.Days > 0 }

// PerDay returns deployments per day, or 0 without data (check Known).
func (f FrequencyFigure) PerDay() float64 {
	if f.Days <= 0 {
		return 0
	}
	return float64(f.Count) / f.Days
}

// PerWeek returns deployments per 7 days, or 0 without data (check Known).
func (f FrequencyFigure) PerWeek() float64 { return 7 * f.PerDay() }

// MarshalJSON writes the figure with null rates when it has no data.
func (f FrequencyFigure) MarshalJSON() ([]byte, error) {
	type out struct {
		Count   int      `json:"count"`
		Days    float64  `json:"days"`
		NoData  bool     `json:"no_data"`
		PerDay  *float64 `json:"per_day"`
		PerWeek *float64 `json:"per_week"`
		Samples []Sample `json:"samples"`
	}
	o := out{Count: f.Count, Days: f.Days, NoData: !f.Known(), Samples: f.Samples}
	if o.Samples == nil {
		o.Samples = []Sample{}
	}
	if f.Known() {
		d, w := f.PerDay(), f.PerWeek()
		o.PerDay, o.PerWeek = &d, &w
	}
	return json.Marshal(o)
}

// A RefusalFigure counts the attempts refused in the period (log
// KindDenied entries: promotions, rollbacks, deployment reports), per
// environment and per control. A period without refusals has count 0: the
// log is the evidence of their absence. It has no data when the log was
// not read (LogRead false: the History has no log entries and its Log is
// not audit.Verified).
type RefusalFigure struct {
	Count   int           `json:"-"`
	LogRead bool          `json:"-"`
	Envs    []EnvRefusals `json:"-"` // sorted by environment
	Samples []Sample      `json:"-"` // one per refused attempt, in log order
}

// Known reports whether the figure has data.
func (f RefusalFigure) Known() bool { return f.LogRead }

// MarshalJSON writes the figure with "no_data" when it has none.
func (f RefusalFigure) MarshalJSON() ([]byte, error) {
	type out struct {
		Count   int           `json:"count"`
		NoData  bool          `json:"no_data"`
		Envs    []EnvRefusals `json:"envs"`
		Samples []Sample      `json:"samples"`
	}
	o := out{Count: f.Count, NoData: !f.Known(), Envs: f.Envs, Samples: f.Samples}
	if o.Envs == nil {
		o.Envs = []EnvRefusals{}
	}
	if o.Samples == nil {
		o.Samples = []Sample{}
	}
	return json.Marshal(o)
}

// EnvRefusals are the refused attempts of one environment.
type EnvRefusals struct {
	Env   string `json:"env"`
	Count int    `json:"count"`
	// Controls count the refusals by the control IDs they name, sorted by
	// ID; a refusal that names no control counts under "", last. A
	// refusal naming two controls counts for each.
	Controls []ControlCount `json:"controls"`
}

// A ControlCount is how many refusals named one control.
type ControlCount struct {
	Control string `json:"control"`
	Count   int    `json:"count"`
}

// Compute computes the delivery metrics of h over [since, until).
// It is pure and safe for concurrent use: the same History, period and
// incidents give the same Summary, and h and incidents are only read. The
// slices of the result are new and belong to the caller.
//
// Definitions (each figure's samples name the records used):
//
//   - A production deployment is a promotion to h.Production that is not a
//     rollback; consecutive promotions of the same release (one per
//     artifact) are one deployment, dated by the first. A promotion of an
//     artifact the deployment already holds starts a new deployment. It
//     belongs to the period when that date is in [since, until).
//   - Deployment frequency is the number of deployments in the period over
//     its length (per day; per week is 7 times that).
//   - Lead time for changes runs from the committer time of the earliest
//     commit of a release's changes (HistoryRelease.FirstCommitAt) to the
//     release's first production deployment, for releases whose first
//     production deployment is in the period.
//   - A deployment failed (change failure rate) when a production rollback
//     names its release (Promotion.RollbackFrom) and replaces it (it is the
//     latest deployment of the release and no other release of its
//     component replaced it, unless an earlier rollback put the release
//     back; a rollback that replaces nothing is a gap), when a
//     later release's record names it in Extra["hotfix_for"], or when an
//     incident names its release: one in incidents (attributed to the
//     latest deployment of the release at or before Opened), or the
//     Extra["incident"] of a hotfix record naming it. The rate is failed
//     deployments over deployments.
//   - Time to restore runs from a failed deployment (from the rollback that
//     put its release back, when it failed after one), or from the
//     earliest Opened of its incidents when given and later, to the first
//     later production promotion that is the rollback that replaced it or
//     a deployment of a hotfix attributed to it (not those of a later
//     deployment of the release); without one, to the incident's Resolved
//     time when given; else the failure has no restore sample (and
//     BuildReport lists it as a gap). It is reported for the failed
//     deployments of the period.
//   - Checks, deploy results, deployment outcomes and gate controls are
//     pass rates, and refused attempts a count, as described on
//     [ComponentSummary].
//
// Mean, median and 90th percentile are defined on [DurationFigure].
func Compute(h *History, since, until time.Time, incidents []Incident) Summary {
	m := model(h, incidents)
	out := Summary{Since: since, Until: until}
	out.Overall = m.compute(since, until, nil)
	for _, c := range m.components(since, until) {
		out.Components = append(out.Components, m.compute(since, until, &c))
	}
	return out
}

// deploy is one production deployment or rollback.
type deploy struct {
	release   string
	digests   []string
	seqs      []uint64
	at        time.Time
	rollback  string // RollbackFrom, for a rollback
	component string

	// Filled for failed deployments.
	failed   bool
	reasons  []string // notes: "rolled back (seq 9)", "hotfix v1.2.2", "incident INC1"
	refs     []string // incident IDs, hotfix tags
	failSeqs []uint64 // the rollback entry
	opened   time.Time
	restored *deploy
	// rolledBack is the rollback that replaced the deployment, and back
	// the rollback that had put the release back before it, if any.
	rolledBack *deploy
	back       *deploy
	// hotfixes are the releases whose hotfix_for was attributed to it.
	hotfixes  []string
	resolved  time.Time
	resolveID string
}

// attempt is one deployment attempt reported in the log: a started
// outcome and the outcome that closed it, or an outcome alone.
type attempt struct {
	release, env string
	seqs         []uint64
	at           time.Time // of its first entry
	result       string    // manifest.ResultSucceeded, ResultFailed, or "" when no outcome was logged
	err          string
	targets      []string
	// later is, for a failed attempt, the first later attempt of the
	// release in its environment that succeeded, and envLater the first
	// later attempt there of any release that succeeded.
	later, envLater *attempt
}

type history struct {
	h        *History
	prod     string
	releases map[string]*HistoryRelease
	deploys  []*deploy  // production deployments and rollbacks, log order
	attempts []*attempt // deployment attempts, by their first entry
	// promotedAt maps a log Seq of a promotion to its time.
	promotedAt map[uint64]time.Time
	// firstAny is each release's first promotion in any environment.
	firstAny map[string]time.Time
	gaps     []HealthGap
}

func (h *History) production() string {
	if h.Production == "" {
		return "prod"
	}
	return h.Production
}

// component returns the component of release: the History's, else the
// tag's component prefix, else "".
func (m *history) component(release string) string {
	if r, ok := m.releases[release]; ok {
		return r.Component
	}
	return tagComponent(release)
}

// model indexes h and attributes failures and restorations.
func model(h *History, incidents []Incident) *history {
	if h == nil {
		h = &History{}
	}
	m := &history{
		h:          h,
		prod:       h.production(),
		releases:   map[string]*HistoryRelease{},
		promotedAt: map[uint64]time.Time{},
		firstAny:   map[string]time.Time{},
	}
	for i := range h.Releases {
		m.releases[h.Releases[i].Tag] = &h.Releases[i]
	}
	var cur *deploy
	for _, e := range h.Entries {
		if e.Kind != manifest.KindPromotion || e.Promotion == nil {
			continue
		}
		p := e.Promotion
		m.promotedAt[e.Seq] = p.PromotedAt
		if t, ok := m.firstAny[p.Release]; !ok || p.PromotedAt.Before(t) {
			m.firstAny[p.Release] = p.PromotedAt
		}
		if p.Env != m.prod {
			continue
		}
		if p.RollbackFrom == "" && cur != nil && cur.rollback == "" && cur.release == p.Release && !slices.Contains(cur.digests, p.Digest) {
			cur.seqs = append(cur.seqs, e.Seq)
			cur.digests = append(cur.digests, p.Digest)
			continue
		}
		cur = &deploy{
			release:   p.Release,
			digests:   []string{p.Digest},
			seqs:      []uint64{e.Seq},
			at:        p.PromotedAt,
			rollback:  p.RollbackFrom,
			component: m.component(p.Release),
		}
		m.deploys = append(m.deploys, cur)
	}
	m.attributeFailures(incidents)
	m.deploymentAttempts()
	return m
}

// deploymentAttempts groups the deployment outcomes of the log into
// attempts: a started outcome opens one for its release and environment,
// the next succeeded or failed outcome there closes it (or is an attempt
// of its own when none is open), and a start while one is open leaves the
// open one without an outcome.
func (m *history) deploymentAttempts() {
	type key struct{ release, env string }
	open := map[key]*attempt{}
	for _, e := range m.h.Entries {
		d := e.Deploy
		if e.Kind != manifest.KindDeployment || d == nil {
			continue
		}
		k := key{d.Release, d.Env}
		switch d.Result {
		case manifest.ResultStarted:
			a := &attempt{release: d.Release, env: d.Env, seqs: []uint64{e.Seq}, at: d.At, targets: d.Targets}
			open[k] = a
			m.attempts = append(m.attempts, a)
		case manifest.ResultSucceeded, manifest.ResultFailed:
			a := open[k]
			delete(open, k)
			if a == nil {
				a = &attempt{release: d.Release, env: d.Env, at: d.At}
				m.attempts = append(m.attempts, a)
			}
			a.seqs = append(a.seqs, e.Seq)
			a.result, a.err = d.Result, d.Error
			if len(d.Targets) > 0 {
				a.targets = d.Targets
			}
		}
	}
	for i, a := range m.attempts {
		if a.result != manifest.ResultFailed {
			continue
		}
		for _, n := range m.attempts[i+1:] {
			if n.env != a.env || n.result != manifest.ResultSucceeded {
				continue
			}
			if a.envLater == nil {
				a.envLater = n
			}
			if n.release == a.release {
				a.later = n
				break
			}
		}
	}
}

func (d *deploy) names(release string) bool {
	return d.release == release || slices.Contains(d.digests, release)
}

// forward reports whether d is a deployment, not a rollback.
func (d *deploy) forward() bool { return d.rollback == "" }

func (m *history) attributeFailures(incidents []Incident) {
	// Rollbacks: a rollback replaces the latest deployment of the release
	// it names, unless another release of that component replaced it
	// first (deployments of other components may come between, and so may
	// an earlier rollback that put the named release back).
	for i, d := range m.deploys {
		if d.forward() {
			continue
		}
		var back *deploy
		placed := false
		for j := i - 1; j >= 0; j-- {
			prev := m.deploys[j]
			if prev.forward() && prev.names(d.rollback) {
				prev.fail(fmt.Sprintf("rolled back to %s (seq %d)", d.release, d.seqs[0]), "", d.seqs[0])
				if prev.rolledBack == nil {
					prev.rolledBack, prev.back = d, back
				}
				placed = true
				break
			}
			if !prev.forward() && prev.names(d.rollback) {
				if back == nil {
					back = prev // it put the release back: keep looking for its deployment
				}
				continue
			}
			if back == nil && prev.component == d.component {
				break
			}
		}
		if !placed {
			m.gaps = append(m.gaps, HealthGap{Release: d.release, Seq: d.seqs[0], What: fmt.Sprintf("rollback from %s replaced no production deployment of it", d.rollback)})
		}
	}
	// Hotfixes: the latest deployment of the release named before the
	// hotfix's first deployment, or the latest at all.
	for _, r := range m.sortedReleases() {
		if r.Record == nil {
			continue
		}
		target := r.Record.Extra[audit.ExtraHotfixFor]
		if target == "" {
			if inc := r.Record.Extra[audit.ExtraIncident]; inc != "" {
				m.gaps = append(m.gaps, HealthGap{Release: r.Tag, What: fmt.Sprintf("responds to incident %s but names no failed release (extra %q)", inc, audit.ExtraHotfixFor)})
			}
			continue
		}
		hotfixAt, promoted := m.firstDeploy(r.Tag)
		var d *deploy
		if promoted {
			d = m.latestDeploy(target, hotfixAt, false)
		} else {
			d = m.latestDeploy(target, time.Time{}, true)
		}
		if d == nil {
			m.gaps = append(m.gaps, HealthGap{Release: r.Tag, What: fmt.Sprintf("hotfix for %s, which never ran in production before it", target)})
			continue
		}
		note := "hotfix " + r.Tag
		refs := []string{r.Tag}
		if inc := r.Record.Extra[audit.ExtraIncident]; inc != "" {
			note += " for incident " + inc
			refs = append(refs, inc)
		}
		d.fail(note, "", 0)
		d.refs = append(d.refs, refs...)
		d.hotfixes = append(d.hotfixes, r.Tag)
	}
	// Incidents the caller knows of.
	incs := slices.Clone(incidents)
	slices.SortStableFunc(incs, func(a, b Incident) int {
		return cmp.Or(a.Opened.Compare(b.Opened), cmp.Compare(a.ID, b.ID), cmp.Compare(a.Release, b.Release))
	})
	for _, inc := range incs {
		d := m.latestDeploy(inc.Release, inc.Opened, inc.Opened.IsZero())
		if d == nil {
			m.gaps = append(m.gaps, HealthGap{What: fmt.Sprintf("incident %s names release %q, which did not run in production before it opened", inc.ID, inc.Release)})
			continue
		}
		if !slices.Contains(d.refs, inc.ID) { // not already named by a hotfix
			d.fail("incident "+inc.ID, inc.ID, 0)
		}
		if !inc.Opened.IsZero() && !inc.Opened.Before(d.at) && (d.opened.IsZero() || inc.Opened.Before(d.opened)) {
			d.opened = inc.Opened
		}
		if !inc.Resolved.IsZero() && (d.resolved.IsZero() || inc.Resolved.Before(d.resolved)) {
			d.resolved, d.resolveID = inc.Resolved, inc.ID
		}
	}
	// Restoration: the first later production promotion that is the
	// rollback that replaced the deployment or a deployment of one of the
	// hotfixes attributed to it (not those of a later deployment of the
	// same release).
	for i, d := range m.deploys {
		if !d.failed {
			continue
		}
		for _, n := range m.deploys[i+1:] {
			if n == d.rolledBack || (n.forward() && slices.Contains(d.hotfixes, n.release)) {
				d.restored = n
				break
			}
		}
		if d.restored != nil && !d.opened.IsZero() && !d.opened.Before(d.restored.at) {
			d.opened = time.Time{} // opened after the restoration: measure from the deployment
		}
	}
}

func (d *deploy) fail(reason, ref string, seq uint64) {
	d.failed = true
	if !slices.Contains(d.reasons, reason) {
		d.reasons = append(d.reasons, reason)
	}
	if ref != "" && !slices.Contains(d.refs, ref) {
		d.refs = append(d.refs, ref)
	}
	if seq != 0 {
		d.failSeqs = append(d.failSeqs, seq)
	}
}

func (m *history) sortedReleases() []*HistoryRelease {
	out := make([]*HistoryRelease, 0, len(m.h.Releases))
	for i := range m.h.Releases {
		out = append(out, &m.h.Releases[i])
	}
	slices.SortStableFunc(out, func(a, b *HistoryRelease) int { return cmp.Compare(a.Tag, b.Tag) })
	return out
}

// firstDeploy returns the time of release's first production deployment.
func (m *history) firstDeploy(release string) (time.Time, bool) {
	for _, d := range m.deploys {
		if d.forward() && d.release == release {
			return d.at, true
		}
	}
	return time.Time{}, false
}

// latestDeploy returns the latest production deployment of release at or
// before t (any time when anyTime), or nil.
func (m *history) latestDeploy(release string, t time.Time, anyTime bool) *deploy {
	var found *deploy
	for _, d := range m.deploys {
		if d.forward() && d.names(release) && (anyTime || !d.at.After(t)) {
			found = d
		}
	}
	return found
}

func in(t, since, until time.Time) bool {
	return !t.Before(since) && t.Before(until)
}

// components returns the components with a deployment, a release or a log
// entry in the period, sorted.
func (m *history) components(since, until time.Time) []string {
	var out []string
	add := func(c string) {
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	for _, d := range m.deploys {
		if in(d.at, since, until) {
			add(d.component)
		}
	}
	for _, e := range m.h.Entries {
		if e.Kind == manifest.KindDeployResult && e.Result != nil && in(e.Result.At, since, until) {
			add(m.component(e.Result.Release))
		}
		if e.Kind == manifest.KindDenied && e.Denial != nil && e.Denial.Release != "" && in(e.Denial.At, since, until) {
			add(m.component(e.Denial.Release))
		}
	}
	for _, a := range m.attempts {
		if in(a.at, since, until) {
			add(m.component(a.release))
		}
	}
	for _, r := range m.h.Releases {
		if t, ok := m.firstAny[r.Tag]; ok && in(t, since, until) {
			add(r.Component)
		}
	}
	slices.Sort(out)
	return out
}

// compute returns the figures of the period for component (nil: all).
func (m *history) compute(since, until time.Time, component *string) ComponentSummary {
	var c ComponentSummary
	if component != nil {
		c.Component = *component
	}
	mine := func(release string) bool { return component == nil || m.component(release) == *component }
	logRead := len(m.h.Entries) > 0 || m.h.Log.State == audit.Verified

	// Deployments, change failure, restore.
	if until.After(since) && logRead {
		c.Deployments.Days = until.Sub(since).Hours() / 24
	}
	var lead, restore []Sample
	for _, d := range m.deploys {
		if !d.forward() || !in(d.at, since, until) || (component != nil && d.component != *component) {
			continue
		}
		c.Deployments.Count++
		c.Deployments.Samples = append(c.Deployments.Samples, Sample{
			Release: d.release, Seqs: slices.Clone(d.seqs), From: d.at, Note: "production deployment",
		})
		fs := Sample{Release: d.release, Seqs: slices.Clone(d.seqs), From: d.at, Hit: d.failed, Note: "not failed"}
		if d.failed {
			fs.Seqs = mergeSeqs(fs.Seqs, d.failSeqs)
			fs.Refs = slices.Clone(d.refs)
			fs.Note = join(d.reasons)
		}
		c.ChangeFailure.Samples = append(c.ChangeFailure.Samples, fs)
		c.ChangeFailure.Den++
		if d.failed {
			c.ChangeFailure.Num++
			if s, ok := d.restoreSample(); ok {
				restore = append(restore, s)
			}
		}
	}
	// Lead time: releases whose first production deployment is in the
	// period.
	seen := map[string]bool{}
	for _, d := range m.deploys {
		if !d.forward() || seen[d.release] {
			continue
		}
		seen[d.release] = true
		if !in(d.at, since, until) || (component != nil && d.component != *component) {
			continue
		}
		r, ok := m.releases[d.release]
		if !ok || r.FirstCommitAt.IsZero() {
			continue
		}
		lead = append(lead, Sample{
			Release: d.release, Seqs: slices.Clone(d.seqs), Refs: []string{r.FirstCommit},
			From: r.FirstCommitAt, To: d.at, Duration: d.at.Sub(r.FirstCommitAt),
			Note: "first commit to first production deployment (" + count(r.Commits, "commit|commits") + ")",
		})
	}
	c.LeadTime = durations(lead)
	c.Restore = durations(restore)

	// Checks recorded in the records of releases first promoted in the
	// period.
	for _, r := range m.sortedReleases() {
		t, ok := m.firstAny[r.Tag]
		if r.Record == nil || !ok || !in(t, since, until) || !mine(r.Tag) {
			continue
		}
		for _, ch := range r.Record.Checks {
			c.Checks.Den++
			if ch.Passed {
				c.Checks.Num++
			}
			c.Checks.Samples = append(c.Checks.Samples, Sample{Release: r.Tag, Refs: []string{ch.Name}, Hit: ch.Passed, Note: "release check " + passed(ch.Passed)})
		}
	}
	// Deploy agents' results.
	for _, e := range m.h.Entries {
		if e.Kind != manifest.KindDeployResult || e.Result == nil || !in(e.Result.At, since, until) || !mine(e.Result.Release) {
			continue
		}
		r := e.Result
		c.DeployResults.Den++
		if r.Succeeded {
			c.DeployResults.Num++
		}
		c.DeployResults.Samples = append(c.DeployResults.Samples, Sample{Release: r.Release, Seqs: []uint64{e.Seq}, From: r.At, Hit: r.Succeeded, Note: fmt.Sprintf("deploy to %s %s", r.Env, succeeded(r.Succeeded))})
	}
	// Deployment outcomes.
	for _, a := range m.attempts {
		if !in(a.at, since, until) || !mine(a.release) {
			continue
		}
		hit := a.result == manifest.ResultSucceeded
		c.DeploymentOutcomes.Den++
		if hit {
			c.DeploymentOutcomes.Num++
		}
		c.DeploymentOutcomes.Samples = append(c.DeploymentOutcomes.Samples, Sample{
			Release: a.release, Seqs: slices.Clone(a.seqs), From: a.at, Hit: hit, Refs: slices.Clone(a.targets), Note: a.note(),
		})
	}
	// Refused attempts.
	c.Refused.LogRead = logRead
	envs := map[string]*EnvRefusals{}
	for _, e := range m.h.Entries {
		d := e.Denial
		if e.Kind != manifest.KindDenied || d == nil || !in(d.At, since, until) || !mine(d.Release) {
			continue
		}
		c.Refused.Count++
		c.Refused.Samples = append(c.Refused.Samples, Sample{
			Release: d.Release, Seqs: []uint64{e.Seq}, Refs: slices.Clone(d.Controls), From: d.At, Note: refusalNote(d),
		})
		er := envs[d.Env]
		if er == nil {
			er = &EnvRefusals{Env: d.Env}
			envs[d.Env] = er
		}
		er.Count++
		controls := d.Controls
		if len(controls) == 0 {
			controls = []string{""}
		}
		for _, id := range controls {
			i := slices.IndexFunc(er.Controls, func(cc ControlCount) bool { return cc.Control == id })
			if i < 0 {
				er.Controls = append(er.Controls, ControlCount{Control: id})
				i = len(er.Controls) - 1
			}
			er.Controls[i].Count++
		}
	}
	for _, env := range slices.Sorted(maps.Keys(envs)) {
		er := envs[env]
		slices.SortFunc(er.Controls, func(a, b ControlCount) int {
			switch {
			case a.Control == "" || b.Control == "":
				return cmp.Compare(b.Control, a.Control) // "" last
			}
			return cmp.Compare(a.Control, b.Control)
		})
		c.Refused.Envs = append(c.Refused.Envs, *er)
	}
	// Gate reports of the promotions of the period.
	for _, g := range m.h.Gates {
		t, ok := m.promotedAt[g.Seq]
		if !ok || !in(t, since, until) || !mine(g.Release) || !g.State.OK() {
			continue
		}
		for _, res := range g.Results {
			if res.Status != "pass" && res.Status != "fail" && res.Status != "waived" {
				continue
			}
			hit := res.Status == "pass"
			c.GateControls.Den++
			if hit {
				c.GateControls.Num++
			}
			c.GateControls.Samples = append(c.GateControls.Samples, Sample{
				Release: g.Release, Seqs: []uint64{g.Seq}, Refs: []string{g.Digest, res.Control}, Hit: hit,
				Note: fmt.Sprintf("gate to %s: %s %s", g.Env, res.Control, res.Status),
			})
		}
	}
	return c
}

// note says in words what happened to the attempt.
func (a *attempt) note() string {
	s := "deployment to " + a.env + " "
	switch a.result {
	case manifest.ResultSucceeded:
		return s + "succeeded"
	case manifest.ResultFailed:
		s += "failed: " + a.err
		if a.later != nil {
			s += fmt.Sprintf(" (succeeded later, seq %d)", a.later.seqs[len(a.later.seqs)-1])
		}
		return s
	}
	return s + "started, no outcome logged"
}

// refusalNote says in words what was refused, by whom and by which
// controls.
func refusalNote(d *manifest.Denial) string {
	s := fmt.Sprintf("%s to %s refused", d.Action, d.Env)
	if w := actorText(d.Actor); w != "" {
		s += ", requested by " + w
	}
	if len(d.Controls) > 0 {
		s += " by " + strings.Join(d.Controls, ", ")
	}
	return s
}

// actorText says who acted and how that is known, "" for no one.
func actorText(a *manifest.Actor) string {
	switch {
	case a == nil:
		return ""
	case a.Verified:
		return fmt.Sprintf("%s (verified: %s, subject %s)", a.Name, a.Issuer, a.Subject)
	}
	return a.Name + " (typed, not verified)"
}

func (d *deploy) restoreSample() (Sample, bool) {
	from, fromNote := d.at, "deployment"
	seqs := slices.Clone(d.seqs)
	if d.back != nil && d.restored == d.rolledBack {
		from, fromNote = d.back.at, fmt.Sprintf("rollback to %s (seq %d)", d.release, d.back.seqs[0])
		seqs = mergeSeqs(seqs, d.back.seqs)
	}
	if !d.opened.IsZero() && !d.opened.Before(from) {
		from, fromNote = d.opened, "incident opened"
	}
	s := Sample{Release: d.release, Seqs: seqs, Refs: slices.Clone(d.refs), From: from}
	switch {
	case d.restored != nil:
		s.Seqs = mergeSeqs(s.Seqs, d.restored.seqs)
		s.To = d.restored.at
		how := "hotfix " + d.restored.release
		if !d.restored.forward() {
			how = "rollback to " + d.restored.release
		}
		s.Note = fmt.Sprintf("%s to %s (seq %d)", fromNote, how, d.restored.seqs[0])
	case !d.resolved.IsZero() && !d.resolved.Before(from):
		s.To = d.resolved
		s.Note = fmt.Sprintf("%s to incident %s resolved (no restoring promotion logged)", fromNote, d.resolveID)
	default:
		return Sample{}, false
	}
	s.Duration = s.To.Sub(s.From)
	return s, true
}

func mergeSeqs(a, b []uint64) []uint64 {
	out := slices.Concat(a, b)
	slices.Sort(out)
	return slices.Compact(out)
}

func join(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += "; "
		}
		out += x
	}
	return out
}

func passed(ok bool) string {
	if ok {
		return "passed"
	}
	return "failed"
}

func succeeded(ok bool) string {
	if ok {
		return "succeeded"
	}
	return "failed"
}

// durations summarises samples: nearest-rank median and 90th
// percentile, and the mean.
func durations(samples []Sample) DurationFigure {
	f := DurationFigure{Samples: samples}
	if len(samples) == 0 {
		return f
	}
	ds := make([]time.Duration, len(samples))
	sum := new(big.Int) // durations near the limit of int64 must not overflow
	for i, s := range samples {
		ds[i] = s.Duration
		sum.Add(sum, big.NewInt(int64(s.Duration)))
	}
	slices.Sort(ds)
	f.Median = nearestRank(ds, 50)
	f.P90 = nearestRank(ds, 90)
	f.Mean = time.Duration(sum.Quo(sum, big.NewInt(int64(len(ds)))).Int64()) // truncated toward zero
	return f
}

// nearestRank returns the p-th percentile of sorted (ascending, not
// empty) by the nearest-rank method: the value of rank ceil(p/100 × n).
func nearestRank(sorted []time.Duration, p int) time.Duration {
	n := len(sorted)
	rank := (p*n + 99) / 100
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}
