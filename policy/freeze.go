package policy

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// A MainLine is the state of the main line a [MainReleasable] control
// judges: the branch, its head commit and the check results of that
// commit, as CI reported them.
type MainLine struct {
	Branch string                 `json:"branch"`
	Commit string                 `json:"commit"`
	Checks []manifest.CheckResult `json:"checks"`
}

// MainReleasable (REL-FREEZE-001) requires main to be releasable at all
// times unless an approved, recorded freeze exists (§1.21.2, §1.6.3,
// §1.10.3.1, §1.11.3.1, §1.22.3, §1.32.3.1): every check of Checks passed
// on Facts.Main's head commit, or a freeze of Freezes is in force at
// Facts.Now. Every result of a check counts (a failed re-run is not hidden
// by a passing run), and each must name the head commit it ran on
// (CheckResult.Commit: a result of another commit, or of none named, is no
// evidence for the head) and report no open critical finding. Each freeze must be recorded whole ([Freeze.Missing]:
// approver, scope — what merges are blocked — reason, exit criteria, and
// a From before To, so it is time-bounded), and a freeze is in force
// only when so recorded. Branch is the main line's name ("main" when
// empty); facts of another branch, or none, are missing evidence.
type MainReleasable struct {
	Branch  string
	Checks  []string
	Freezes []Freeze
}

// Meta describes the control.
func (MainReleasable) Meta() Meta {
	return Meta{ID: "REL-FREEZE-001", Title: "Main is releasable, or an approved and recorded freeze covers it", Section: "§1.21.2, §1.22.3, §1.32.3.1", Criteria: []string{"CC8.1"}, Severity: Medium}
}

var (
	errNoMainChecks = errors.New("policy: REL-FREEZE-001 names no checks: list the checks that make main releasable")
	fullCommitRE    = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)
)

// Evaluate checks f.Main.
func (c MainReleasable) Evaluate(_ context.Context, f Facts) Result {
	branch := c.Branch
	if branch == "" {
		branch = "main"
	}
	if len(c.Checks) == 0 {
		return Result{Status: Fail, Reason: errNoMainChecks.Error(), Err: errNoMainChecks}
	}
	for _, fr := range c.Freezes {
		if miss := fr.Missing(); len(miss) > 0 {
			return fail(fmt.Sprintf("freeze %s is not approved and recorded: it lacks %s (§1.21.2)", fr.label(), strings.Join(miss, ", ")))
		}
	}
	m := f.Main
	if m == nil {
		return missing("the head of " + branch + " and its check results (--main-checks)")
	}
	if m.Branch != branch {
		return missing(fmt.Sprintf("the check results of %s (those given are of %q)", branch, m.Branch))
	}
	if !fullCommitRE.MatchString(m.Commit) {
		return missing(fmt.Sprintf("the full commit name of %s's head (got %q)", branch, m.Commit))
	}
	ev := []Evidence{{Kind: "commit", Value: m.Commit, Note: branch + " head"}}
	var broken []string
	for _, name := range c.Checks {
		// Every result of the check counts: a failing re-run is not hidden
		// by a passing run listed first, and a result of another commit (or
		// of none named) is no evidence for the head.
		var probs []string
		n := 0
		for _, r := range m.Checks {
			if r.Name != name {
				continue
			}
			n++
			p := checkProblems(r, m.Commit, []Severity{Critical})
			if len(p) == 0 {
				ev = append(ev, Evidence{Kind: "field", Value: name, Note: "passed " + r.URL})
				continue
			}
			probs = append(probs, p...)
			ev = append(ev, Evidence{Kind: "field", Value: name, Note: strings.Join(p, ", ") + " " + r.URL})
		}
		switch {
		case n == 0:
			broken = append(broken, name+" (not run)")
		case len(probs) > 0:
			broken = append(broken, name+" ("+strings.Join(probs, ", ")+")")
		}
	}
	if len(broken) == 0 {
		return pass(fmt.Sprintf("%s at %s is releasable: %d required check(s) passed", branch, short(m.Commit), len(c.Checks)), ev...)
	}
	if f.Now.IsZero() {
		return missing("the evaluation time, to tell whether a freeze is in force")
	}
	for _, fr := range c.Freezes {
		if !f.Now.Before(fr.From) && f.Now.Before(fr.To) {
			ev = append(ev, Evidence{Kind: "field", Value: fr.Approver, Note: "freeze approver"},
				Evidence{Kind: "time", Value: stamp(fr.To), Note: "freeze ends; exit criteria: " + fr.ExitCriteria})
			return pass(fmt.Sprintf("%s is frozen (%s: %s) until %s, approved by %s; %s", branch, fr.Scope, fr.Reason, stamp(fr.To), fr.Approver, strings.Join(broken, ", ")), ev...)
		}
	}
	return fail(fmt.Sprintf("%s at %s is not releasable: %s; fix %s, or declare an approved freeze with scope, dates and exit criteria",
		branch, short(m.Commit), strings.Join(broken, ", "), branch), ev...)
}

// Missing returns the names of the fields a freeze must record to be
// approved and recorded (§1.21.2, §1.22.3: the freeze scope is explicit):
// "approver", "scope", "reason", "exit_criteria" when blank, and "to"
// when From is zero or To is not after it.
func (fr Freeze) Missing() []string {
	var m []string
	for _, f := range []struct{ name, v string }{{"approver", fr.Approver}, {"scope", fr.Scope}, {"reason", fr.Reason}, {"exit_criteria", fr.ExitCriteria}} {
		if blank(f.v) {
			m = append(m, f.name)
		}
	}
	if fr.From.IsZero() || !fr.To.After(fr.From) {
		m = append(m, "to")
	}
	return m
}

func (fr Freeze) label() string {
	if fr.Ticket != "" {
		return fr.Ticket
	}
	return fr.From.UTC().Format(time.DateOnly) + ".." + fr.To.UTC().Format(time.DateOnly)
}
