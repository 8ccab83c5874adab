package policy_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// gateRepo returns a real repository with a release commit and the commit
// before it, as the release record and a stale check name them.
func gateRepo(t *testing.T) (release, before string) {
	t.Helper()
	g := gittest.New(t)
	before = g.Commit("feat: greet ABC-1")
	release = g.Commit("fix: greet politely ABC-2")
	return release, before
}

// validBypass is a bypass record valid at `at` (policy_test's clock).
func validBypass(check, scope string) policy.Bypass {
	return policy.Bypass{ID: "BYP-1", Kind: policy.BypassGate, Check: check, Scope: scope, Ticket: "ABC-9", Approver: "carol",
		Requester: "alice", Rationale: "scanner outage", RemediationPlan: "re-run the scan when the service is back in ABC-9",
		Expires: at.Add(7 * 24 * time.Hour)}
}

func TestRequiredChecks(t *testing.T) {
	release, before := gateRepo(t)
	passing := func(name, kind string) manifest.CheckResult {
		return manifest.CheckResult{Name: name, Kind: kind, Passed: true, Commit: release, URL: "https://ci/" + name}
	}
	good := []manifest.CheckResult{passing("unit", "test"), passing("semgrep", "sast"), passing("osv", "dependency-scan"), passing("gitleaks", "secret-scan")}
	rec := &manifest.Record{Tag: "v1.2.0", Commit: release, Checks: good}
	prod := &manifest.Promotion{Release: "v1.2.0", Env: "prod", Digest: "sha256:" + strings.Repeat("a", 64)}
	configured := policy.RequiredChecks{
		Environments: map[string][]string{"production": {"test", "sast", "dependency-scan", "secret-scan"}, "staging": {"test"}},
		Merge:        []string{"unit", "semgrep"},
	}
	with := func(cs ...manifest.CheckResult) []manifest.CheckResult {
		return append(append([]manifest.CheckResult{}, good[1:]...), cs...)
	}
	critical := passing("semgrep", "sast")
	critical.Findings = &manifest.Findings{Critical: 1, High: 2}
	high := passing("semgrep", "sast")
	high.Findings = &manifest.Findings{High: 2}
	stale := passing("unit", "test")
	stale.Commit = before
	unknown := passing("unit", "test")
	unknown.Commit = ""
	failed := passing("unit", "test")
	failed.Passed = false
	pr := &policy.PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: release,
		Checks: map[string]string{"unit": "success", "semgrep": "success"}}
	prFailing := *pr
	prFailing.Checks = map[string]string{"unit": "failure", "semgrep": "success"}
	prNoHead := *pr
	prNoHead.HeadSHA = ""
	deploy := &policy.Deployment{Environment: "production", At: at}

	tests := []struct {
		name     string
		c        policy.RequiredChecks
		f        policy.Facts
		want     policy.Status
		missing  bool
		contains string
	}{
		{"promotion passes", configured, policy.Facts{Record: rec, Promotion: prod, Deployment: deploy}, policy.Pass, false, "passed on"},
		{"defaults need lint", policy.RequiredChecks{}, policy.Facts{Record: rec, Promotion: prod}, policy.Fail, false, "lint (missing)"},
		{"defaults pass", policy.RequiredChecks{}, policy.Facts{Record: rec, Promotion: prod, Checks: append(good, passing("golangci", "lint"))}, policy.Pass, false, "lint"},
		{"staging needs tests only", configured, policy.Facts{Record: rec, Promotion: &manifest.Promotion{Release: "v1.2.0", Env: "staging"}, Checks: good[:1]}, policy.Pass, false, "test"},
		{"unconfigured environment fails closed", configured, policy.Facts{Record: rec, Promotion: &manifest.Promotion{Release: "v1.2.0", Env: "qa"}}, policy.Fail, false, "environment qa has no required checks configured"},
		{"missing check", configured, policy.Facts{Record: rec, Promotion: prod, Deployment: deploy, Checks: good[1:]}, policy.Fail, false, "test (missing)"},
		{"failed check", configured, policy.Facts{Record: rec, Deployment: deploy, Checks: with(failed)}, policy.Fail, false, "failed"},
		{"check on another commit", configured, policy.Facts{Record: rec, Deployment: deploy, Checks: with(stale)}, policy.Fail, false, "ran on " + before[:12]},
		{"check without commit", configured, policy.Facts{Record: rec, Deployment: deploy, Checks: with(unknown)}, policy.Fail, false, "does not record the commit"},
		{"critical finding blocks", configured, policy.Facts{Record: rec, Deployment: deploy, Checks: []manifest.CheckResult{good[0], critical, good[2], good[3]}}, policy.Fail, false, "1 critical finding(s)"},
		{"high finding passes by default", configured, policy.Facts{Record: rec, Deployment: deploy, Checks: []manifest.CheckResult{good[0], high, good[2], good[3]}}, policy.Pass, false, ""},
		{"high finding blocks when configured", policy.RequiredChecks{Environments: configured.Environments, BlockOn: []policy.Severity{policy.Critical, policy.High}},
			policy.Facts{Record: rec, Deployment: deploy, Checks: []manifest.CheckResult{good[0], high, good[2], good[3]}}, policy.Fail, false, "2 high finding(s)"},
		{"bypass accepts a failed test", configured, policy.Facts{Now: at, Record: rec, Deployment: deploy, Checks: with(failed),
			Bypasses: []policy.Bypass{validBypass("test", "environment:production")}}, policy.Pass, false, ""},
		{"bypass of another scope does not", configured, policy.Facts{Now: at, Record: rec, Deployment: deploy, Checks: with(failed),
			Bypasses: []policy.Bypass{validBypass("test", "environment:staging")}}, policy.Fail, false, "failed"},
		{"expired bypass does not", configured, policy.Facts{Now: at.Add(30 * 24 * time.Hour), Record: rec, Deployment: deploy, Checks: with(failed),
			Bypasses: []policy.Bypass{validBypass("test", "environment:production")}}, policy.Fail, false, "failed"},
		{"non-security bypass does not cover sast", configured, policy.Facts{Now: at, Record: rec, Deployment: deploy, Checks: []manifest.CheckResult{good[0], critical, good[2], good[3]},
			Bypasses: []policy.Bypass{validBypass("sast", "release:v1.2.0")}}, policy.Fail, false, "critical"},
		{"security bypass covers sast", configured, policy.Facts{Now: at, Record: rec, Deployment: deploy, Checks: []manifest.CheckResult{good[0], critical, good[2], good[3]},
			Bypasses: []policy.Bypass{func() policy.Bypass { b := validBypass("sast", "release:v1.2.0"); b.Security = true; return b }()}}, policy.Pass, false, ""},
		{"promotion without record", configured, policy.Facts{Promotion: prod, Deployment: deploy}, policy.Fail, true, "release record"},
		{"pull request passes", configured, policy.Facts{PullRequest: pr}, policy.Pass, false, "pull request #7"},
		{"pull request failing check", configured, policy.Facts{PullRequest: &prFailing}, policy.Fail, false, "unit (failed)"},
		{"pull request without head", configured, policy.Facts{PullRequest: &prNoHead}, policy.Fail, true, "head_sha"},
		{"merge checks not configured", policy.RequiredChecks{Environments: configured.Environments}, policy.Facts{PullRequest: pr}, policy.Fail, false, "no checks are configured for merges"},
		{"not applicable", configured, policy.Facts{Record: rec}, policy.NotApplicable, false, "no promotion"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, tt.c, tt.f)
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
			assert.Equal(t, tt.missing, errors.Is(res.Err, policy.ErrMissingEvidence), res.Reason)
			if res.Status == policy.Pass {
				assert.NotEmpty(t, res.Evidence)
			}
		})
	}
}

func TestReadChecks(t *testing.T) {
	cs, err := policy.ReadChecks(strings.NewReader(`[{"name": "semgrep", "kind": "sast", "passed": true, "commit": "` + strings.Repeat("a", 40) + `", "findings": {"high": 1}}]`))
	require.NoError(t, err)
	assert.Equal(t, []manifest.CheckResult{{Name: "semgrep", Kind: "sast", Passed: true, Commit: strings.Repeat("a", 40), Findings: &manifest.Findings{High: 1}}}, cs)
	sha := strings.Repeat("a", 40)
	for _, bad := range []string{`null`, `{}`, `[{"name": "x", "passed": true, "colour": 1}]`, `[{"name": "x", "name": "y"}]`, `[] []`,
		`[{"name": "", "passed": true}]`, `[{"name": "sast", "passed": true, "commit": "abc123"}]`,
		`[{"name": "sast", "kind": "sast", "passed": true, "commit": "` + sha + `", "findings": {"critical": -3}}]`} {
		_, err := policy.ReadChecks(strings.NewReader(bad))
		assert.Error(t, err, bad)
	}
}

// TestRequiredChecksBypassCoversItsCheck: a bypass that names one check
// covers that check only, not the other checks of the required kind; one
// that names the requirement covers every check satisfying it.
func TestRequiredChecksBypassCoversItsCheck(t *testing.T) {
	release, _ := gateRepo(t)
	pr := &policy.PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: release}
	quarantine := func(check string) policy.Bypass {
		b := validBypass(check, "branch:main")
		b.Kind, b.Rationale = policy.BypassQuarantine, "flaky"
		return b
	}
	security := func(check string) policy.Bypass {
		b := validBypass(check, "branch:main")
		b.Security = true
		return b
	}
	e2e := manifest.CheckResult{Name: "e2e", Kind: "test", Passed: false, Commit: release}
	unit := manifest.CheckResult{Name: "unit", Kind: "test", Passed: false, Commit: release}
	unitOK := unit
	unitOK.Passed = true
	semgrep := manifest.CheckResult{Name: "semgrep", Kind: "sast", Passed: false, Commit: release}
	codeql := manifest.CheckResult{Name: "codeql", Kind: "sast", Passed: false, Commit: release}
	tests := []struct {
		name     string
		merge    []string
		checks   []manifest.CheckResult
		bypass   policy.Bypass
		want     policy.Status
		contains string
	}{
		{"quarantine of e2e leaves a failing unit", []string{"test"}, []manifest.CheckResult{e2e, unit}, quarantine("e2e"), policy.Fail, "test (unit: failed)"},
		{"quarantine of e2e with unit passing", []string{"test"}, []manifest.CheckResult{e2e, unitOK}, quarantine("e2e"), policy.Pass, ""},
		{"quarantine of the requirement covers both", []string{"test"}, []manifest.CheckResult{e2e, unit}, quarantine("test"), policy.Pass, ""},
		{"security bypass of semgrep leaves codeql", []string{"sast"}, []manifest.CheckResult{semgrep, codeql}, security("semgrep"), policy.Fail, "codeql: failed"},
		{"security bypass of sast covers both", []string{"sast"}, []manifest.CheckResult{semgrep, codeql}, security("sast"), policy.Pass, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, policy.RequiredChecks{Merge: tt.merge}, policy.Facts{Now: at, PullRequest: pr, Checks: tt.checks, Bypasses: []policy.Bypass{tt.bypass}})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
		})
	}
}

// TestRequiredChecksKindNotByName: a required kind is satisfied by the
// checks of that kind; a check named after it that declares another kind
// is not one of them (a lint check named "sast" is no SAST), while a
// required name that is no kind matches the check of that name.
func TestRequiredChecksKindNotByName(t *testing.T) {
	release, _ := gateRepo(t)
	pr := &policy.PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: release}
	tests := []struct {
		name     string
		merge    []string
		checks   []manifest.CheckResult
		want     policy.Status
		contains string
	}{
		{"lint named sast", []string{"sast"}, []manifest.CheckResult{{Name: "sast", Kind: "lint", Passed: true, Commit: release}}, policy.Fail, "sast (missing: named sast but of kind lint)"},
		{"test named dependency-scan", []string{"dependency-scan"}, []manifest.CheckResult{{Name: "dependency-scan", Kind: "test", Passed: true, Commit: release}}, policy.Fail, "of kind test"},
		{"check named sast without a kind", []string{"sast"}, []manifest.CheckResult{{Name: "sast", Passed: true, Commit: release}}, policy.Pass, ""},
		{"kind in another case", []string{"sast"}, []manifest.CheckResult{{Name: "semgrep", Kind: "SAST", Passed: true, Commit: release}}, policy.Pass, ""},
		{"a name that is no kind", []string{"integration"}, []manifest.CheckResult{{Name: "integration", Kind: "test", Passed: true, Commit: release}}, policy.Pass, ""},
		{"a name another check uses as its kind", []string{"e2e"}, []manifest.CheckResult{{Name: "e2e", Kind: "test", Passed: true, Commit: release}, {Name: "cypress", Kind: "e2e", Passed: false, Commit: release}}, policy.Fail, "cypress: failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := eval(t, policy.RequiredChecks{Merge: tt.merge}, policy.Facts{Now: at, PullRequest: pr, Checks: tt.checks})
			assert.Equal(t, tt.want, res.Status, res.Reason)
			assert.Contains(t, res.Reason, tt.contains)
		})
	}
}

// TestRequiredChecksSecurityKindCase: a security kind keeps its status in
// any case: a configuration requiring "SAST" cannot have its failing
// scanner quarantined (§1.29.3.1), and a quarantine naming "SAST" is
// invalid.
func TestRequiredChecksSecurityKindCase(t *testing.T) {
	release, _ := gateRepo(t)
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-CHECKS-001:\n    merge: [SAST]\n"))
	require.NoError(t, err)
	q := validBypass("semgrep", "branch:main")
	q.Kind = policy.BypassQuarantine
	f := policy.Facts{Now: at, PullRequest: &policy.PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: release},
		Checks:   []manifest.CheckResult{{Name: "semgrep", Kind: "SAST", Passed: false, Commit: release}},
		Bypasses: []policy.Bypass{q}}
	res := eval(t, p.Controls[0], f)
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "SAST (semgrep: failed)")

	q.Check = "SAST"
	assert.Contains(t, q.Problems(at), "a security check cannot be quarantined (§1.29.3.1); fix it, or record an approved security bypass")
}

// TestRequiredChecksNegativeFindings: a negative finding count is a
// malformed result, never "no finding", whether or not ReadChecks read it.
func TestRequiredChecksNegativeFindings(t *testing.T) {
	release, _ := gateRepo(t)
	_, err := policy.ReadChecks(strings.NewReader(`[{"name":"sast","kind":"sast","passed":true,"commit":"` + release + `","findings":{"critical":-3}}]`))
	require.ErrorContains(t, err, "negative finding count")

	res := eval(t, policy.RequiredChecks{Merge: []string{"sast"}}, policy.Facts{Now: at, PullRequest: &policy.PullRequest{Number: 7, Author: "alice", Base: "main", HeadSHA: release},
		Checks: []manifest.CheckResult{{Name: "sast", Kind: "sast", Passed: true, Commit: release, Findings: &manifest.Findings{Critical: -3}}}})
	assert.Equal(t, policy.Fail, res.Status, res.Reason)
	assert.Contains(t, res.Reason, "negative finding count: malformed result")
}
