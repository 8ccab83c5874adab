package policy

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
)

// DefaultRequiredChecks returns the checks, by kind, that a merge and a
// promotion to any environment require when [RequiredChecks] is not
// configured: "lint", "test", "sast", "dependency-scan" and "secret-scan",
// the minimum of §2.9 (lint and tests, SAST and dependency scan) and of
// the issue that asked for the control (secret scan).
func DefaultRequiredChecks() []string {
	return []string{"lint", "test", "sast", "dependency-scan", "secret-scan"}
}

// RequiredChecks (REL-CHECKS-001) requires the checks configured for what
// is evaluated to have passed on the commit evaluated (§1.13.3.1,
// §1.13.3.4, §1.20.3.1 "Required checks", §2.9, §1.7.3/8, §1.11.3.2/2-3,
// §1.30.3.3).
//
// What is evaluated: a promotion or deployment (Facts.Promotion or
// Facts.Deployment) to an environment E requires Environments[E] (E is
// Facts.Deployment.Environment, as a [Gate] names it, "production" for
// its production environment, else Facts.Promotion.Env); the checks are
// Facts.Checks, else the release record's (Facts.Record.Checks), and the
// commit is the record's. Otherwise a pull request (Facts.PullRequest)
// requires Merge; the checks are Facts.Checks, else the pull request's
// "checks" (name → status, "success" passes), and the commit is its head
// (PullRequest.HeadSHA), which the forge reported the statuses for.
// Neither: not applicable.
//
// A required check is named by the name or the kind of the checks that
// satisfy it ("sast" is satisfied by a check named "sast" or by a check
// "semgrep" of kind "sast"). When it names a kind (one of
// [DefaultRequiredChecks] or [SecurityCheckKinds], or the kind a check
// declares; kinds are compared without case), a check that declares
// another kind does not satisfy it by its name: a check named "sast" of
// kind "lint" is no SAST ("named sast but of kind lint"). It fails when no
// check satisfies it, or when one of those that do failed, does not say
// which commit it ran on, ran on another commit, reports a negative
// finding count (a malformed result), or reports an open finding at a
// blocking severity (BlockOn; nil means [Critical]: a critical SAST
// finding blocks even a passing scan). A valid [Bypass] (see
// [BypassRecords]; bounded by MaxBypassLifetime, zero meaning
// [DefaultMaxBypassLifetime]) in the scope evaluated ("environment:E" or
// "release:TAG" for a promotion, "branch:BASE" for a merge) accepts such a
// check when it names that check, or the required check itself (then every
// check satisfying it): the quarantine of the flaky "e2e" does not cover a
// failing "unit" of the same kind. A security check (see
// [SecurityCheckKinds]) is accepted only under a bypass of kind "bypass"
// marked security. The evidence lists every check looked at.
//
// Configuration: with neither Environments nor Merge set (the zero value,
// [Default]), [DefaultRequiredChecks] are required for merges and for
// every environment. Once either is set, an environment that Environments
// does not name fails closed (name it, with the checks its promotions
// require), and so does a merge when Merge is empty; an environment listed
// without checks fails too (and is a *[ConfigError] in a configuration
// file).
type RequiredChecks struct {
	// Environments maps an environment to the checks a promotion to it
	// requires.
	Environments map[string][]string
	// Merge lists the checks a pull request requires before it merges.
	Merge []string
	// BlockOn lists the severities at which an open finding fails a check;
	// nil means [Critical] only.
	BlockOn []Severity
	// MaxBypassLifetime bounds the bypasses accepted, as
	// BypassRecords.MaxLifetime does.
	MaxBypassLifetime time.Duration
}

// Meta describes the control.
func (RequiredChecks) Meta() Meta {
	return Meta{ID: "REL-CHECKS-001", Title: "Required checks passed on the commit merged or promoted, without blocking findings", Section: "§1.13.3.1, §1.13.3.4, §1.20.3.1, §2.9", Criteria: []string{"CC7.1", "CC8.1"}, Severity: Critical}
}

// ReadChecks reads a JSON list of check results in manifest's form
// (manifest.CheckResult: name, passed, url, kind, commit, findings), the
// checks a CI system reports for a merge or a promotion. Unknown fields,
// duplicate keys and trailing data are errors, and so is a result without
// a name, with a commit that is not a full lowercase SHA (40 or 64 hex digits), or
// with a negative finding count.
func ReadChecks(r io.Reader) ([]manifest.CheckResult, error) {
	var cs []manifest.CheckResult
	if err := readStrictJSON(r, &cs, true); err != nil {
		return nil, fmt.Errorf("policy: parse checks: %w", err)
	}
	if cs == nil {
		return nil, fmt.Errorf("policy: parse checks: want a list of check results, not null")
	}
	for i, ch := range cs {
		switch {
		case strings.TrimSpace(ch.Name) == "":
			return nil, fmt.Errorf("policy: parse checks: [%d]: missing name", i)
		case ch.Commit != "" && !fullCommitRE.MatchString(ch.Commit):
			return nil, fmt.Errorf("policy: parse checks: [%d] %s: commit %q is not a full lowercase SHA", i, ch.Name, ch.Commit)
		case negativeFindings(ch.Findings):
			return nil, fmt.Errorf("policy: parse checks: [%d] %s: negative finding count", i, ch.Name)
		}
	}
	return cs, nil
}

// negativeFindings reports whether f has a negative count: a malformed
// result, never "no finding".
func negativeFindings(f *manifest.Findings) bool {
	return f != nil && (f.Critical < 0 || f.High < 0 || f.Medium < 0 || f.Low < 0)
}

// Evaluate checks f.Checks, f.Record, f.PullRequest and f.Bypasses.
func (c RequiredChecks) Evaluate(_ context.Context, f Facts) Result {
	var (
		required []string
		checks   []manifest.CheckResult
		commit   string
		scopes   []string
		what     string
	)
	defaults := c.Environments == nil && c.Merge == nil
	switch {
	case f.Promotion != nil || f.Deployment != nil:
		var names []string
		if f.Deployment != nil && f.Deployment.Environment != "" {
			names = append(names, f.Deployment.Environment)
		}
		if f.Promotion != nil && f.Promotion.Env != "" && !slices.Contains(names, f.Promotion.Env) {
			names = append(names, f.Promotion.Env)
		}
		if len(names) == 0 {
			return missing("the environment promoted to")
		}
		env := names[0]
		found := defaults
		if defaults {
			required = DefaultRequiredChecks()
		} else {
			for _, n := range names {
				if req, ok := c.Environments[n]; ok {
					env, required, found = n, req, true
					break
				}
			}
		}
		if !found {
			return fail(fmt.Sprintf("environment %s has no required checks configured; list them under REL-CHECKS-001 environments (e.g. %s: [test, sast, dependency-scan, secret-scan])", env, env),
				Evidence{Kind: "field", Value: env, Note: "environment not configured"})
		}
		if len(required) == 0 {
			return fail(fmt.Sprintf("environment %s lists no required checks; list the checks its promotions require", env))
		}
		for _, n := range names {
			scopes = append(scopes, "environment:"+n)
		}
		release := ""
		if f.Promotion != nil {
			release = f.Promotion.Release
		}
		if f.Record == nil {
			return missing("the release record (the commit the checks of a promotion to " + env + " must have run on)")
		}
		if release == "" {
			release = f.Record.Tag
		}
		if release != "" {
			scopes = append(scopes, "release:"+release)
		}
		checks, commit = f.Record.Checks, f.Record.Commit
		if f.Checks != nil {
			checks = f.Checks
		}
		what = "the promotion of " + release + " to " + env
		if release == "" {
			what = "the promotion to " + env
		}
		if commit == "" {
			return missing("the release record's commit")
		}
	case f.PullRequest != nil:
		pr := f.PullRequest
		required = c.Merge
		if defaults {
			required = DefaultRequiredChecks()
		}
		if len(required) == 0 {
			return fail("no checks are configured for merges; list them under REL-CHECKS-001 merge (e.g. merge: [lint, test, sast, dependency-scan])")
		}
		if pr.HeadSHA == "" {
			return missing(fmt.Sprintf("the head commit (head_sha) of pull request #%d, which its checks must have run on", pr.Number))
		}
		commit = pr.HeadSHA
		if f.Checks != nil {
			checks = f.Checks
		} else {
			for _, name := range sortedNames(pr.Checks) {
				checks = append(checks, manifest.CheckResult{Name: name, Passed: pr.Checks[name] == "success", Commit: pr.HeadSHA})
			}
		}
		if pr.Base != "" {
			scopes = append(scopes, "branch:"+pr.Base)
		}
		what = fmt.Sprintf("the merge of pull request #%d", pr.Number)
	default:
		return na("no promotion, deployment or pull request evaluated")
	}
	block := c.BlockOn
	if block == nil {
		block = []Severity{Critical}
	}

	var ev, bad []Evidence
	for _, req := range required {
		kind := isKind(req, checks)
		var probs, mismatched []string
		matched := 0
		for _, ch := range checks {
			if !satisfies(req, kind, ch) {
				if ch.Name == req && ch.Kind != "" {
					mismatched = append(mismatched, "named "+req+" but of kind "+ch.Kind)
				}
				continue
			}
			matched++
			p := checkProblems(ch, commit, block)
			ev = append(ev, Evidence{Kind: "check", Value: ch.Name, Note: checkNote(req, ch, p)})
			if len(p) == 0 {
				continue
			}
			// A bypass covers the check it names, or the whole requirement:
			// the quarantine of one check of a kind is not that of another.
			if b := validBypass(f.Bypasses, f.Now, f.People(), c.MaxBypassLifetime, req, &ch, scopes); b != nil {
				ev = append(ev, bypassEvidence(b, ch.Name, p))
				continue
			}
			if ch.Name != req {
				p = []string{ch.Name + ": " + strings.Join(p, ", ")}
			}
			probs = append(probs, p...)
		}
		if matched == 0 {
			p := []string{"missing"}
			if len(mismatched) > 0 {
				p = []string{"missing: " + strings.Join(mismatched, ", ")}
			}
			if b := validBypass(f.Bypasses, f.Now, f.People(), c.MaxBypassLifetime, req, nil, scopes); b != nil {
				ev = append(ev, bypassEvidence(b, req, p))
				continue
			}
			e := Evidence{Kind: "check", Value: req, Note: strings.Join(p, ", ")}
			bad = append(bad, e)
			ev = append(ev, e)
			continue
		}
		if len(probs) > 0 {
			bad = append(bad, Evidence{Kind: "check", Value: req, Note: strings.Join(probs, "; ")})
		}
	}
	if len(bad) > 0 {
		return fail(fmt.Sprintf("%d required check(s) not satisfied for %s on %s: %s; run them on that commit and fix what they report, or record an approved, time-bound bypass (REL-BYPASS-001)",
			len(bad), what, short(commit), notes(bad)), ev...)
	}
	return pass(fmt.Sprintf("the %d required check(s) of %s passed on %s (%s)", len(required), what, short(commit), strings.Join(required, ", ")), ev...)
}

// isKind reports whether the required check req names a kind of check
// rather than one check: one of [DefaultRequiredChecks] or
// [SecurityCheckKinds], or the kind of one of checks (compared without
// case).
func isKind(req string, checks []manifest.CheckResult) bool {
	if slices.ContainsFunc(DefaultRequiredChecks(), func(k string) bool { return strings.EqualFold(k, req) }) || isSecurityCheck(req) {
		return true
	}
	return slices.ContainsFunc(checks, func(ch manifest.CheckResult) bool { return strings.EqualFold(ch.Kind, req) })
}

// satisfies reports whether ch satisfies the required check req (a kind
// when kind is set): by its declared kind (compared without case), or by
// its name when it declares no kind or req is no kind. A check whose
// declared kind is another does not satisfy a kind by its name: a lint
// check named "sast" is no SAST.
func satisfies(req string, kind bool, ch manifest.CheckResult) bool {
	if ch.Kind != "" && strings.EqualFold(ch.Kind, req) {
		return true
	}
	return ch.Name == req && (ch.Kind == "" || !kind)
}

func bypassEvidence(b *Bypass, what string, probs []string) Evidence {
	return Evidence{Kind: "bypass", Value: b.ID, Note: fmt.Sprintf("%s %s accepted (%s) under %s, ticket %s, until %s", b.Kind, what, strings.Join(probs, ", "), b.Scope, b.Ticket, b.Expires.UTC().Format("2006-01-02"))}
}

// checkProblems returns why ch does not satisfy a required check for the
// commit want.
func checkProblems(ch manifest.CheckResult, want string, block []Severity) []string {
	var p []string
	if !ch.Passed {
		p = append(p, "failed")
	}
	switch {
	case ch.Commit == "":
		p = append(p, "does not record the commit it ran on")
	case !strings.EqualFold(ch.Commit, want):
		p = append(p, "ran on "+short(ch.Commit)+", not "+short(want))
	}
	if negativeFindings(ch.Findings) {
		p = append(p, "negative finding count: malformed result")
	}
	if fs := ch.Findings; fs != nil {
		for _, s := range []Severity{Critical, High, Medium, Low} {
			if n := findings(*fs, s); n > 0 && slices.Contains(block, s) {
				p = append(p, fmt.Sprintf("%d %s finding(s)", n, s))
			}
		}
	}
	return p
}

func checkNote(req string, ch manifest.CheckResult, probs []string) string {
	if len(probs) > 0 {
		return req + ": " + strings.Join(probs, ", ")
	}
	n := req + ": passed on " + short(ch.Commit)
	if ch.URL != "" {
		n += " " + ch.URL
	}
	return n
}

func findings(f manifest.Findings, s Severity) int {
	switch s {
	case Critical:
		return f.Critical
	case High:
		return f.High
	case Medium:
		return f.Medium
	case Low:
		return f.Low
	}
	return 0
}

func sortedNames(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
