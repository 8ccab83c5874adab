package demo

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// ShowLog prints entries, a verified log, as `relctl log show` prints it,
// quoted under a step ("    | " before each line): for each entry a
// header (its seq, time, result, action, and release → environment), who
// acted (verified from a CI token, with its issuer and subject, or typed)
// and, when the entry has them, the approver, the targets, the commit and
// branch deployed, the files changed, the refusal and the controls that
// refused, a failed deployment's error, and a note's text. Digests and the
// reasons of promotions, which relctl also prints, are left out.
func ShowLog(w io.Writer, entries []manifest.Entry) {
	for _, e := range entries {
		for _, line := range logLines(e) {
			fmt.Fprintln(w, strings.TrimRight("    | "+line, " "))
		}
	}
}

// shown is what ShowLog prints of an entry.
type shown struct {
	at                 time.Time
	result, action     string
	release, env       string
	actor              *manifest.Actor
	approver           string
	targets            []string
	commit, branch     string
	changes            *manifest.ChangedFilesSummary
	rollbackFrom, note string
	refusal, errText   string
	controls           []string
}

// logLines returns the lines of e, as relctl log show writes them.
func logLines(e manifest.Entry) []string {
	var s shown
	switch {
	case e.Kind == manifest.KindPromotion && e.Promotion != nil:
		p := e.Promotion
		s.action, s.result = "promote", "allowed"
		if p.RollbackFrom != "" {
			s.action = "rollback"
		}
		if p.Manifest != nil {
			s.action += "-manifest"
		}
		s.release, s.env, s.approver, s.rollbackFrom, s.at = p.Release, p.Env, p.Approver, p.RollbackFrom, p.PromotedAt
		s.actor = p.Actor
		if s.actor == nil && p.Releaser != "" {
			s.actor = &manifest.Actor{Name: p.Releaser}
		}
	case e.Kind == manifest.KindDenied && e.Denial != nil:
		d := e.Denial
		s.action, s.result = d.Action, manifest.ResultDenied
		s.release, s.env, s.approver, s.at = d.Release, d.Env, d.Approver, d.At
		s.actor, s.refusal, s.controls = d.Actor, d.Refusal, d.Controls
	case e.Kind == manifest.KindDeployment && e.Deploy != nil:
		d := e.Deploy
		s.action, s.result = "deploy", d.Result
		s.release, s.env, s.commit, s.branch, s.at = d.Release, d.Env, d.Commit, d.Branch, d.At
		s.actor, s.targets, s.changes, s.errText = d.Actor, d.Targets, d.Changes, d.Error
	case e.Kind == manifest.KindDeployResult && e.Result != nil:
		r := e.Result
		s.action, s.result = "deploy", manifest.ResultSucceeded
		if !r.Succeeded {
			s.result, s.errText = manifest.ResultFailed, r.Changed
		}
		s.release, s.env, s.at = r.Release, r.Env, r.At
		s.actor = &manifest.Actor{Name: r.Agent}
	case e.Kind == manifest.KindNote:
		s.action, s.result, s.note = "note", "noted", e.Note
	default:
		s.action, s.result = e.Kind, "unknown"
	}
	what := s.release
	if s.env != "" {
		what += " → " + s.env
	}
	lines := []string{fmt.Sprintf("#%d %s %-9s %s %s", e.Seq, s.at.UTC().Format(time.RFC3339), s.result, s.action, strings.TrimSpace(what))}
	add := func(format string, a ...any) { lines = append(lines, "    "+fmt.Sprintf(format, a...)) }
	add("by %s", who(s.actor))
	if s.approver != "" {
		add("approved by %s (typed)", s.approver)
	}
	if len(s.targets) > 0 {
		add("targets %s", strings.Join(s.targets, ", "))
	}
	if s.commit != "" || s.branch != "" {
		if s.branch != "" {
			add("commit %s on %s", orNone(s.commit), s.branch)
		} else {
			add("commit %s", orNone(s.commit))
		}
	}
	if c := s.changes; c != nil {
		from := "first deployment"
		if c.From != "" {
			from = "since " + c.From
		}
		trunc := ""
		if c.Truncated {
			trunc = ", list truncated"
		}
		add("files changed %s: %d (%d added, %d modified, %d deleted%s), manifest %s", from, c.Files, c.Added, c.Modified, c.Deleted, trunc, c.Digest)
	}
	if s.rollbackFrom != "" {
		add("rolled back from %s", s.rollbackFrom)
	}
	if s.note != "" {
		add("reason: %s", s.note)
	}
	if s.refusal != "" {
		add("refused: %s", s.refusal)
	}
	if len(s.controls) > 0 {
		add("controls: %s", strings.Join(s.controls, ", "))
	}
	if s.errText != "" {
		add("error: %s", s.errText)
	}
	return lines
}

// who says who acted and how it is known, as relctl log show does.
func who(a *manifest.Actor) string {
	if a == nil {
		a = &manifest.Actor{}
	}
	name := a.Name
	if name == "" {
		name = "(nobody recorded)"
	}
	if !a.Verified {
		return name + " (unverified: typed)"
	}
	return fmt.Sprintf("%s (verified: %s, subject %s)", name, a.Issuer, a.Subject)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
