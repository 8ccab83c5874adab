package audit

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/textsafe"
	"github.com/releasekit/releasekit/manifest"
)

// This file is the evidence log as an auditor reads it, entry by entry
// (§1.5.2, §1.21.3.4): who acted, verified from a CI token or typed; what
// (release, digest, commit, branch, files changed); when; where
// (environment, targets); the result; and why. relctl log show prints it.

// Results [ViewEntry] gives entries that are not deployments or denials: a
// promotion or rollback the controls allowed, a note, an incident and a
// post-incident review, a verification, a configuration or flag change.
const (
	ResultAllowed  = "allowed"
	ResultNoted    = "noted"
	ResultOpen     = "open"     // an incident recorded while open
	ResultClosed   = "closed"   // an incident recorded closed (recovery declared)
	ResultReviewed = "reviewed" // a post-incident review
	ResultVerified = "verified" // a verification whose checks all passed (one with a failed check is "failed")
	ResultChanged  = "changed"  // a configuration or feature-flag change
)

// A LogEntry is one entry of the evidence log flattened for reading, what
// `relctl log show --json` prints. Its field names are a contract
// pipelines script against: seq, kind, result, release, env, targets,
// actor (verified, issuer, subject), reason, controls.
type LogEntry struct {
	Seq     uint64   `json:"seq"`
	Kind    string   `json:"kind"`   // the log entry's kind: promotion, denied, deployment, deploy-result, note, incident, review, verification, change
	Action  string   `json:"action"` // promote, rollback, promote-manifest, rollback-manifest, deploy-report, deploy, note, incident, review, verify, verify-recovery, flag-change, config-change
	Result  string   `json:"result"` // allowed, denied, started, succeeded, failed, noted, open, closed, reviewed, verified, changed
	Release string   `json:"release,omitempty"`
	Env     string   `json:"env,omitempty"`
	Targets []string `json:"targets"`
	// Who: the identity that acted, verified from a CI token or typed.
	Actor    LogActor `json:"actor"`
	Approver string   `json:"approver,omitempty"`
	// What.
	Digest       string                        `json:"digest,omitempty"`
	Commit       string                        `json:"commit,omitempty"`
	Branch       string                        `json:"branch,omitempty"`
	FilesChanged *manifest.ChangedFilesSummary `json:"files_changed,omitempty"`
	RollbackFrom string                        `json:"rollback_from,omitempty"`
	// When.
	At time.Time `json:"at"`
	// Why: the reason the request gave (a promotion's approval reason), the
	// refusal of a denied attempt, or a failed deployment's error.
	Reason   string   `json:"reason,omitempty"`
	Refusal  string   `json:"refusal,omitempty"`
	Error    string   `json:"error,omitempty"`
	Controls []string `json:"controls"`
	Unsafe   []string `json:"unsafe,omitempty"`
	// Config is the digest of the release configuration the entry was
	// decided under ("" when none was).
	Config string `json:"config,omitempty"`
	Hash   string `json:"hash"`
}

// A LogActor is who acted. Verified is true only for an identity taken
// from a verified CI OIDC token; Issuer and Subject are then its iss and
// sub.
type LogActor struct {
	Name     string `json:"name"`
	Verified bool   `json:"verified"`
	Issuer   string `json:"issuer,omitempty"`
	Subject  string `json:"subject,omitempty"`
	// Key is the thumbprint (RFC 7638) of the issuer's key that verified
	// the token.
	Key string `json:"key,omitempty"`
}

// ViewEntry flattens a log entry into a [LogEntry]. An entry whose kind it
// does not know is shown with that kind as its action and result
// "unknown", never guessed at.
func ViewEntry(e manifest.Entry) (LogEntry, error) {
	h, err := e.Hash()
	if err != nil {
		return LogEntry{}, err
	}
	s := LogEntry{Seq: e.Seq, Kind: e.Kind, Hash: h, Targets: []string{}, Controls: []string{}}
	switch {
	case e.Kind == manifest.KindPromotion && e.Promotion != nil:
		p := e.Promotion
		s.Action, s.Result = "promote", ResultAllowed
		if p.RollbackFrom != "" {
			s.Action = "rollback"
		}
		if p.Manifest != nil {
			s.Action += "-manifest"
		}
		s.Release, s.Env, s.Digest, s.Approver, s.Reason = p.Release, p.Env, p.Digest, p.Approver, p.Reason
		s.RollbackFrom, s.At, s.Unsafe, s.Config = p.RollbackFrom, p.PromotedAt, p.Unsafe, p.Config
		s.Actor = actorOf(p.Actor, p.Releaser)
	case e.Kind == manifest.KindDenied && e.Denial != nil:
		d := e.Denial
		s.Action, s.Result = d.Action, manifest.ResultDenied
		s.Release, s.Env, s.Digest, s.Approver, s.Reason = d.Release, d.Env, d.Digest, d.Approver, d.Reason
		s.Refusal, s.At, s.Config = d.Refusal, d.At, d.Config
		s.Actor = actorOf(d.Actor, "")
		s.Controls = append(s.Controls, d.Controls...)
	case e.Kind == manifest.KindDeployment && e.Deploy != nil:
		d := e.Deploy
		s.Action, s.Result = "deploy", d.Result
		s.Release, s.Env, s.Digest, s.Commit, s.Branch = d.Release, d.Env, d.Digest, d.Commit, d.Branch
		s.Targets = append(s.Targets, d.Targets...)
		s.Error, s.At, s.FilesChanged, s.Config, s.Unsafe = d.Error, d.At, d.Changes, d.Config, d.Unsafe
		s.Actor = actorOf(d.Actor, "")
	case e.Kind == manifest.KindDeployResult && e.Result != nil:
		r := e.Result
		s.Action, s.Result = "deploy", manifest.ResultSucceeded
		if !r.Succeeded {
			s.Result, s.Error = manifest.ResultFailed, r.Changed
		} else {
			s.Reason = r.Changed
		}
		s.Release, s.Env, s.Digest, s.At = r.Release, r.Env, r.Digest, r.At
		s.Actor = LogActor{Name: r.Agent}
	case e.Kind == manifest.KindIncident && e.Incident != nil:
		i := e.Incident
		s.Action, s.Result, s.At = "incident", ResultOpen, i.ImpactStart
		if !i.ImpactEnd.IsZero() {
			s.Result, s.At = ResultClosed, i.ImpactEnd
		}
		s.Release, s.Env, s.Digest, s.Commit = i.Release, i.Env, i.Digest, i.Commit
		s.Reason = i.ID + " " + i.Severity + ": " + i.Summary
		s.Approver = strings.Join(i.Approvers, ", ")
		s.Actor = LogActor{Name: i.Reporter}
	case e.Kind == manifest.KindReview && e.Review != nil:
		r := e.Review
		s.Action, s.Result, s.At = "review", ResultReviewed, r.CompletedAt
		s.Release, s.Reason = r.Release, "post-incident review of "+r.Emergency+": "+r.Summary
		s.Actor = LogActor{Name: r.Reviewer}
	case e.Kind == manifest.KindVerification && e.Verification != nil:
		v := e.Verification
		s.Action, s.Result, s.At = "verify", ResultVerified, v.At
		if !v.Passed() {
			s.Result = manifest.ResultFailed
		}
		if v.Recovery {
			s.Action = "verify-recovery"
		}
		s.Release, s.Env, s.Digest = v.Release, v.Env, v.Digest
		s.Actor = LogActor{Name: v.Verifier}
		var checks []string
		for _, c := range v.Checks {
			outcome := "passed"
			if !c.Passed {
				outcome = "FAILED"
			}
			checks = append(checks, c.Name+" "+outcome)
		}
		s.Reason = strings.Join(checks, ", ")
		if v.Recovery {
			s.Reason = "recovery from " + v.Incident + ": " + s.Reason
		}
	case e.Kind == manifest.KindChange && e.Change != nil:
		c := e.Change
		s.Action, s.Result, s.At = c.Kind+"-change", ResultChanged, c.At
		s.Env, s.Approver = c.Env, c.Approver
		s.Actor = LogActor{Name: c.Actor}
		s.Reason = fmt.Sprintf("%s %q → %q (%s", c.Name, c.Before, c.After, c.Ticket)
		if c.PR != "" {
			s.Reason += ", " + c.PR
		}
		switch {
		case c.Emergency != "":
			s.Reason += ", emergency " + c.Emergency
		case c.Window != "":
			s.Reason += ", window " + c.Window
		}
		s.Reason += "): " + c.Reason
	case e.Kind == manifest.KindNote:
		s.Action, s.Result, s.Reason = "note", ResultNoted, e.Note
	default:
		s.Action, s.Result = e.Kind, "unknown"
	}
	return s, nil
}

// actorOf is who acted: the entry's Actor, or for an entry written before
// actors were recorded, its typed releaser (unverified).
func actorOf(a *manifest.Actor, releaser string) LogActor {
	if a == nil {
		return LogActor{Name: releaser}
	}
	s := LogActor{Name: a.Name, Verified: a.Verified, Issuer: a.Issuer, Subject: a.Subject}
	if a.Token != nil {
		s.Key = a.Token.Key
	}
	return s
}

// WriteText writes the entry as relctl log show does: a header line (seq,
// time, result, action, release → env), then indented details. Every value
// from the log is escaped for a terminal (control and bidi characters).
func (s LogEntry) WriteText(w io.Writer) error {
	var b strings.Builder
	s.writeText(&b)
	_, err := io.WriteString(w, b.String())
	return err
}

func (s LogEntry) writeText(w io.Writer) {
	what := s.Release
	if s.Env != "" {
		what += " → " + s.Env
	}
	head := strings.TrimRight(fmt.Sprintf("#%d %s %-9s %s %s", s.Seq, s.At.UTC().Format(time.RFC3339), textsafe.OneLine(s.Result), textsafe.OneLine(s.Action), textsafe.OneLine(strings.TrimSpace(what))), " ")
	fmt.Fprintln(w, head)
	fmt.Fprintf(w, "    by %s\n", describeActor(s.Actor))
	if s.Approver != "" {
		fmt.Fprintf(w, "    approved by %s (typed)\n", textsafe.OneLine(s.Approver))
	}
	if len(s.Targets) > 0 {
		fmt.Fprintf(w, "    targets %s\n", textsafe.OneLine(strings.Join(s.Targets, ", ")))
	}
	if s.Digest != "" {
		fmt.Fprintf(w, "    digest %s\n", textsafe.OneLine(s.Digest))
	}
	if s.Commit != "" || s.Branch != "" {
		fmt.Fprintf(w, "    commit %s%s\n", textsafe.OneLine(dash(s.Commit)), onBranch(s.Branch))
	}
	if c := s.FilesChanged; c != nil {
		from := "first deployment"
		if c.From != "" {
			from = "since " + textsafe.OneLine(c.From)
		}
		trunc := ""
		if c.Truncated {
			trunc = ", list truncated"
		}
		fmt.Fprintf(w, "    files changed %s: %d (%d added, %d modified, %d deleted%s), manifest %s\n",
			from, c.Files, c.Added, c.Modified, c.Deleted, trunc, textsafe.OneLine(c.Digest))
	}
	if s.RollbackFrom != "" {
		fmt.Fprintf(w, "    rolled back from %s\n", textsafe.OneLine(s.RollbackFrom))
	}
	if s.Reason != "" {
		fmt.Fprintf(w, "    reason: %s\n", textsafe.OneLine(s.Reason))
	}
	if s.Refusal != "" {
		fmt.Fprintf(w, "    refused: %s\n", textsafe.OneLine(s.Refusal))
	}
	if len(s.Controls) > 0 {
		fmt.Fprintf(w, "    controls: %s\n", textsafe.OneLine(strings.Join(s.Controls, ", ")))
	}
	if s.Error != "" {
		fmt.Fprintf(w, "    error: %s\n", textsafe.OneLine(s.Error))
	}
	if len(s.Unsafe) > 0 {
		fmt.Fprintf(w, "    UNSAFE: %s\n", textsafe.OneLine(strings.Join(s.Unsafe, ", ")))
	}
	if s.Config != "" {
		fmt.Fprintf(w, "    configuration %s\n", textsafe.OneLine(s.Config))
	}
}

// describeActor says who acted and how it is known.
func describeActor(a LogActor) string {
	name := textsafe.OneLine(a.Name)
	if name == "" {
		name = "(nobody recorded)"
	}
	if !a.Verified {
		return name + " (unverified: typed)"
	}
	key := ""
	if a.Key != "" {
		key = ", key " + textsafe.OneLine(a.Key)
	}
	return fmt.Sprintf("%s (verified: %s, subject %s%s)", name, textsafe.OneLine(a.Issuer), textsafe.OneLine(a.Subject), key)
}

// onBranch is " on BRANCH", or "" when no branch was recorded.
func onBranch(b string) string {
	if b == "" {
		return ""
	}
	return " on " + textsafe.OneLine(b)
}
