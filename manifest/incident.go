package manifest

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// This file keeps incidents and post-incident reviews in the log, so that
// an auditor finds them where the promotions they explain are (§1.22.5.2:
// the audit-ready incident record; §1.21.3.6 and §1.32.3.2: the
// post-incident review of a break-glass or emergency change, linked to
// the emergency record, its code change and its release).

// Kinds of log entries for incidents and their reviews.
const (
	KindIncident = "incident" // an Incident, as recorded at one moment
	KindReview   = "review"   // a post-incident Review of an emergency change
)

// Incident severities (§1.22.5.2 "Incident ID and severity"): SEV1 is the
// most severe.
const (
	SeverityCritical = "SEV1"
	SeverityMajor    = "SEV2"
	SeverityMinor    = "SEV3"
	SeverityLow      = "SEV4"
)

// MechanismNone is the mechanism of an incident resolved without rolling
// anything back; an incident's Mechanism is otherwise one of a
// rollback's (MechanismRedeploy, MechanismFeatureFlag, MechanismConfig,
// MechanismHotfix; §1.22.3 and §1.22.5.1).
const MechanismNone = "none"

// Bounds of an [Incident] and a [Review].
const (
	maxIncidentText = 4096 // bytes of a summary, action or other free text
	maxIncidentList = 100  // items of a list (follow-ups, links, checks)
)

// An Incident is the audit-ready incident record of §1.22.5.2. An incident
// is recorded when it opens and again as it changes; the log keeps every
// version, the latest (by Seq) is its current state ([Incidents]).
//
// An open incident has ImpactEnd zero. Closing it (ImpactEnd set) declares
// recovery, which §1.22.3.4 allows only after verification gates pass: a
// closed incident needs the rollback mechanism used, Verification with at
// least one check and every check passed, and at least one follow-up
// action mapped to a control, test or gate.
type Incident struct {
	ID          string     `json:"id"`                   // "INC-42"
	Severity    string     `json:"severity"`             // SEV1 ... SEV4
	Summary     string     `json:"summary"`              // what happened, for people
	Env         string     `json:"env"`                  // the environment affected
	ImpactStart time.Time  `json:"impact_start"`         // when the impact began
	ImpactEnd   time.Time  `json:"impact_end,omitzero"`  // when it ended (recovery); zero while open
	Release     string     `json:"release"`              // the release running in Env when it began (vX.Y.Z)
	Commit      string     `json:"commit,omitempty"`     // its commit
	Digest      string     `json:"digest,omitempty"`     // its artifact digest
	Mechanism   string     `json:"mechanism,omitempty"`  // the rollback mechanism used (Mechanism*)
	Approvers   []string   `json:"approvers,omitempty"`  // who approved the remediation
	Emergency   string     `json:"emergency,omitempty"`  // the ID of the emergency-change record used, if any
	Window      string     `json:"window,omitempty"`     // the change window used, if no emergency
	Reporter    string     `json:"reporter"`             // who records this version
	FollowUps   []FollowUp `json:"follow_ups,omitempty"` // actions that prevent a recurrence
	// Verification is the evidence that recovery was verified: the checks
	// (dashboards, smoke tests) and their outcome.
	Verification []CheckResult `json:"verification,omitempty"`
}

// A FollowUp is a corrective action, mapped to the control, test or gate
// that will catch a recurrence (§1.22.5.2 "Follow-up actions mapped to
// controls/tests/gates"), with the ticket that tracks it.
type FollowUp struct {
	Action string    `json:"action"`
	Ticket string    `json:"ticket"`
	MapsTo []string  `json:"maps_to"`      // "REL-CHECKS-001", "test:TestTimeout", "gate:staging-smoke"
	Due    time.Time `json:"due,omitzero"` // when it must be done
	Owner  string    `json:"owner,omitempty"`
}

// A Review is the post-incident (post-facto) review of an emergency
// change (§1.21.3.6: "linking the emergency deployment record to
// PR/commits/tags and documenting follow-up remediation"; §1.32.3.2:
// within the agreed time, with corrective actions). Emergency is the ID
// of the [EmergencyChange] reviewed, which a logged promotion or rollback
// must carry.
type Review struct {
	Emergency   string    `json:"emergency"`          // the EmergencyChange.ID reviewed
	Incident    string    `json:"incident,omitempty"` // the incident it answered, if any
	Reviewer    string    `json:"reviewer"`           // who led the review
	CompletedAt time.Time `json:"completed_at"`       // when it was completed
	Release     string    `json:"release"`            // the release (signed tag) the emergency change shipped
	Commits     []string  `json:"commits"`            // the commits of the change (full SHAs)
	PRs         []string  `json:"prs"`                // its pull requests ("#123" or URLs)
	Summary     string    `json:"summary"`            // findings
	// AccessRevokedAt is when break-glass access was revoked, and
	// CredentialsRotatedAt when the credentials used were rotated
	// (§1.21.3.6); zero for an emergency change that used no break-glass
	// access, which NoBreakGlass then states.
	AccessRevokedAt      time.Time  `json:"access_revoked_at,omitzero"`
	CredentialsRotatedAt time.Time  `json:"credentials_rotated_at,omitzero"`
	NoBreakGlass         bool       `json:"no_break_glass,omitempty"`
	Actions              []FollowUp `json:"actions"` // corrective actions
}

var (
	incidentIDRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._-]{0,63}$`)
	fullSHARE    = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// Check reports the first problem of i as a *[FieldError] naming the
// field, or nil. It is what [RecordIncident] checks before logging.
func (i Incident) Check() error {
	if !incidentIDRE.MatchString(i.ID) {
		return badField("id", "invalid", nil, "%q: want a ticket-like ID (letters, digits, ._-, 64 at most)", i.ID)
	}
	switch i.Severity {
	case SeverityCritical, SeverityMajor, SeverityMinor, SeverityLow:
	default:
		return badField("severity", "unknown severity", nil, "%q: want SEV1, SEV2, SEV3 or SEV4", i.Severity)
	}
	for _, f := range []struct{ name, v string }{{"summary", i.Summary}, {"env", i.Env}, {"release", i.Release}, {"reporter", i.Reporter}} {
		if err := freeText(f.name, f.v, true); err != nil {
			return err
		}
	}
	for _, f := range []struct{ name, v string }{{"window", i.Window}, {"emergency", i.Emergency}} {
		if err := freeText(f.name, f.v, false); err != nil {
			return err
		}
	}
	if i.ImpactStart.IsZero() {
		return badField("impact_start", "required", nil, "")
	}
	if i.Commit != "" && !fullSHARE.MatchString(i.Commit) {
		return badField("commit", "not a commit", nil, "%q", i.Commit)
	}
	if i.Digest != "" {
		if err := ValidateDigest(i.Digest); err != nil {
			return badField("digest", "invalid", err, "")
		}
	}
	switch i.Mechanism {
	case "", MechanismFeatureFlag, MechanismConfig, MechanismRedeploy, MechanismHotfix, MechanismNone:
	default:
		return badField("mechanism", "unknown mechanism", nil, "%q: want feature-flag, config, redeploy, hotfix or none", i.Mechanism)
	}
	if err := textList("approvers", i.Approvers); err != nil {
		return err
	}
	if err := followUpList("follow_ups", i.FollowUps); err != nil {
		return err
	}
	if len(i.Verification) > maxIncidentList {
		return badField("verification", "too many", nil, "%d checks", len(i.Verification))
	}
	for k, c := range i.Verification {
		if err := freeText(fmt.Sprintf("verification[%d].name", k), c.Name, true); err != nil {
			return err
		}
	}
	if i.ImpactEnd.IsZero() {
		return nil
	}
	// Closing the incident declares recovery (§1.22.3.4).
	switch {
	case i.ImpactEnd.Before(i.ImpactStart):
		return badField("impact_end", "before impact_start", nil, "")
	case i.Mechanism == "":
		return badField("mechanism", "required", nil, "a closed incident records the rollback mechanism used (or none)")
	case len(i.Verification) == 0:
		return badField("verification", "required", nil, "recovery is declared only after verification gates pass")
	case len(i.FollowUps) == 0:
		return badField("follow_ups", "required", nil, "a closed incident maps follow-up actions to controls, tests or gates")
	case i.Emergency == "" && i.Window == "" && i.Mechanism != MechanismNone:
		return badField("window", "required", nil, "a remediation is made in a change window or under an emergency-change record")
	}
	if len(i.Approvers) == 0 && i.Mechanism != MechanismNone {
		return badField("approvers", "required", nil, "who approved the remediation")
	}
	for k, c := range i.Verification {
		if !c.Passed {
			return badField(fmt.Sprintf("verification[%d]", k), "failed", nil, "%s did not pass: recovery is declared only after verification gates pass", c.Name)
		}
	}
	return nil
}

// Check reports the first problem of r as a *[FieldError] naming the
// field, or nil. It is what [RecordReview] checks before logging.
func (r Review) Check() error {
	if !incidentIDRE.MatchString(r.Emergency) {
		return badField("emergency", "invalid", nil, "%q: want the ID of the emergency-change record", r.Emergency)
	}
	if r.Incident != "" && !incidentIDRE.MatchString(r.Incident) {
		return badField("incident", "invalid", nil, "%q", r.Incident)
	}
	for _, f := range []struct{ name, v string }{{"reviewer", r.Reviewer}, {"release", r.Release}, {"summary", r.Summary}} {
		if err := freeText(f.name, f.v, true); err != nil {
			return err
		}
	}
	if r.CompletedAt.IsZero() {
		return badField("completed_at", "required", nil, "")
	}
	if len(r.Commits) == 0 {
		return badField("commits", "required", nil, "link the review to the commits of the change")
	}
	if len(r.Commits) > maxIncidentList {
		return badField("commits", "too many", nil, "%d", len(r.Commits))
	}
	for k, c := range r.Commits {
		if !fullSHARE.MatchString(c) {
			return badField(fmt.Sprintf("commits[%d]", k), "not a commit", nil, "%q", c)
		}
	}
	if len(r.PRs) == 0 {
		return badField("prs", "required", nil, "link the review to the pull requests of the change")
	}
	if err := textList("prs", r.PRs); err != nil {
		return err
	}
	if len(r.Actions) == 0 {
		return badField("actions", "required", nil, "a review captures corrective actions")
	}
	if err := followUpList("actions", r.Actions); err != nil {
		return err
	}
	if r.NoBreakGlass {
		if !r.AccessRevokedAt.IsZero() || !r.CredentialsRotatedAt.IsZero() {
			return badField("no_break_glass", "contradicts access_revoked_at", nil, "")
		}
		return nil
	}
	if r.AccessRevokedAt.IsZero() {
		return badField("access_revoked_at", "required", nil, "break-glass access is revoked when the emergency ends (or set no_break_glass)")
	}
	if r.CredentialsRotatedAt.IsZero() {
		return badField("credentials_rotated_at", "required", nil, "break-glass credentials are rotated after use (or set no_break_glass)")
	}
	return nil
}

// RecordIncident appends i to st's log as a [KindIncident] entry, after
// [Incident.Check]: a malformed or incomplete incident is a *[FieldError]
// and nothing is logged. Record an incident when it opens and again when
// it changes; [Incidents] reads the latest state of each.
func RecordIncident(ctx context.Context, st Log, i Incident) (Entry, error) {
	if err := i.Check(); err != nil {
		return Entry{}, err
	}
	i = normIncident(i)
	return st.Append(ctx, Entry{Kind: KindIncident, Incident: &i})
}

// RecordReview appends r to st's log as a [KindReview] entry, after
// [Review.Check] (a *[FieldError]). The emergency-change record it reviews
// must be in the log, on a promotion or rollback of r.Release: otherwise
// it is a *[FieldError] "emergency" "not in the log" (or "release" "not
// the emergency's release"), and nothing is logged.
func RecordReview(ctx context.Context, st Log, r Review) (Entry, error) {
	if err := r.Check(); err != nil {
		return Entry{}, err
	}
	entries, err := st.Entries(ctx)
	if err != nil {
		return Entry{}, err
	}
	if err := VerifyLog(entries, nil); err != nil {
		return Entry{}, err
	}
	var releases []string
	for _, e := range entries {
		if p := e.Promotion; p != nil && p.Emergency != nil && p.Emergency.ID == r.Emergency {
			releases = append(releases, p.Release)
		}
	}
	if len(releases) == 0 {
		return Entry{}, badField("emergency", "not in the log", nil, "no promotion or rollback carries the emergency-change record %q", r.Emergency)
	}
	if !slices.Contains(releases, r.Release) {
		return Entry{}, badField("release", "not the emergency's release", nil, "%s shipped %s", r.Emergency, strings.Join(releases, ", "))
	}
	r = normReview(r)
	return st.Append(ctx, Entry{Kind: KindReview, Review: &r})
}

// Incidents returns the latest recorded state of each incident in
// entries, in the order the incidents were first recorded.
func Incidents(entries []Entry) []Incident {
	latest := map[string]int{}
	var out []Incident
	for _, e := range entries {
		if e.Kind != KindIncident || e.Incident == nil {
			continue
		}
		if k, ok := latest[e.Incident.ID]; ok {
			out[k] = *e.Incident
			continue
		}
		latest[e.Incident.ID] = len(out)
		out = append(out, *e.Incident)
	}
	return out
}

// Reviews returns the post-incident reviews logged in entries, oldest
// first.
func Reviews(entries []Entry) []Review {
	var out []Review
	for _, e := range entries {
		if e.Kind == KindReview && e.Review != nil {
			out = append(out, *e.Review)
		}
	}
	return out
}

func normIncident(i Incident) Incident {
	i.ImpactStart = i.ImpactStart.UTC()
	if !i.ImpactEnd.IsZero() {
		i.ImpactEnd = i.ImpactEnd.UTC()
	}
	i.FollowUps = normFollowUps(i.FollowUps)
	i.Approvers = slices.Clone(i.Approvers)
	i.Verification = slices.Clone(i.Verification)
	return i
}

func normReview(r Review) Review {
	r.CompletedAt = r.CompletedAt.UTC()
	if !r.AccessRevokedAt.IsZero() {
		r.AccessRevokedAt = r.AccessRevokedAt.UTC()
	}
	if !r.CredentialsRotatedAt.IsZero() {
		r.CredentialsRotatedAt = r.CredentialsRotatedAt.UTC()
	}
	r.Commits, r.PRs = slices.Clone(r.Commits), slices.Clone(r.PRs)
	r.Actions = normFollowUps(r.Actions)
	return r
}

func normFollowUps(fs []FollowUp) []FollowUp {
	out := slices.Clone(fs)
	for k := range out {
		if !out[k].Due.IsZero() {
			out[k].Due = out[k].Due.UTC()
		}
		out[k].MapsTo = slices.Clone(out[k].MapsTo)
	}
	return out
}

// freeText checks a free-text field: required when req, at most
// maxIncidentText bytes, valid UTF-8, without control or bidi characters.
func freeText(field, v string, req bool) error {
	switch {
	case req && invisible(v):
		return badField(field, "required", nil, "")
	case len(v) > maxIncidentText:
		return badField(field, "too long", nil, "%d bytes", len(v))
	case hasInvalidUTF8(v):
		return badField(field, "invalid UTF-8", nil, "")
	case hasControlChar(strings.NewReplacer("\n", "", "\t", "").Replace(v)):
		return badField(field, "control character", nil, "")
	}
	return nil
}

func textList(field string, vs []string) error {
	if len(vs) > maxIncidentList {
		return badField(field, "too many", nil, "%d", len(vs))
	}
	for k, v := range vs {
		if err := freeText(fmt.Sprintf("%s[%d]", field, k), v, true); err != nil {
			return err
		}
	}
	return nil
}

func followUpList(field string, fs []FollowUp) error {
	if len(fs) > maxIncidentList {
		return badField(field, "too many", nil, "%d", len(fs))
	}
	for k, f := range fs {
		at := fmt.Sprintf("%s[%d]", field, k)
		if err := freeText(at+".action", f.Action, true); err != nil {
			return err
		}
		if err := freeText(at+".ticket", f.Ticket, true); err != nil {
			return err
		}
		if err := freeText(at+".owner", f.Owner, false); err != nil {
			return err
		}
		if len(f.MapsTo) == 0 {
			return badField(at+".maps_to", "required", nil, "map the action to the control, test or gate that catches a recurrence")
		}
		if err := textList(at+".maps_to", f.MapsTo); err != nil {
			return err
		}
	}
	return nil
}
