package policy_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/policy"
)

const fullConfig = `controls:
  REL-BRANCH-001: {patterns: ['^main$', '^feature/[A-Z]+-[0-9]+-[a-z0-9-]+$']}
  REL-COMMIT-001: {}
  REL-HISTORY-001:
  REL-TAG-001: {identities: [release-bot@example.com]}
  REL-WINDOW-001:
    environments: [production]
    windows:
      - {days: [mon, Tuesday], start: "09:00", end: "16:00", zone: Europe/Berlin}
    freezes:
      - {from: 2026-12-18T00:00:00+01:00, to: 2027-01-04T00:00:00+01:00, reason: year end}
  REL-SOD-001: {}
  REL-HOTFIX-001: {}
  REL-HOTFIX-002: {}
  REL-RELBRANCH-001: {}
  REL-REPO-001: {production_paths: [deploy/]}
  REL-PIPE-001: {}
  REL-DEPS-001: {}
  REL-FLAG-001: {registry: flags/registry.yaml}
  REL-ENV-001:
    environments:
      production: {identities: [release-bot@example.com], keys: ["SHA256:prod"], approvers: [carol]}
      staging: {identities: [staging-bot@example.com], approvers: [dave]}
  REL-RECORD-001: {}
  REL-DIGEST-001:
exceptions:
  - id: EXC-7
    owner: Engineering Manager
    type: temporary
    policy: "§1.11.3"
    controls: [REL-HISTORY-001]
    scope: repo api, main
    risk: low
    compensating_controls: extra review
    requester: alice
    approvers: [bob]
    expires: 2026-03-01
    rollback: revert
    evidence: [https://tickets/EXC-7]
`

func TestLoad(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader(fullConfig))
	require.NoError(t, err)
	require.Len(t, p.Controls, 16)
	assert.Equal(t, policy.RecordComplete{}, p.Controls[14])
	assert.Equal(t, policy.SameDigest{}, p.Controls[15])
	assert.Equal(t, policy.BranchNames{Patterns: []string{"^main$", "^feature/[A-Z]+-[0-9]+-[a-z0-9-]+$"}}, p.Controls[0])
	assert.Equal(t, policy.SignedTag{Identities: []string{"release-bot@example.com"}}, p.Controls[3])
	w := p.Controls[4].(policy.ChangeWindow)
	assert.Equal(t, []time.Weekday{time.Monday, time.Tuesday}, w.Windows[0].Days)
	assert.Equal(t, "year end", w.Freezes[0].Reason)
	assert.Equal(t, policy.FeatureFlags{Registry: "flags/registry.yaml"}, p.Controls[12])
	assert.Equal(t, []string{"carol"}, p.Controls[13].(policy.EnvironmentSeparation).Environments["production"].Approvers)
	require.Len(t, p.Exceptions, 1)
	assert.Equal(t, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), p.Exceptions[0].Expires)
	assert.Empty(t, p.Exceptions[0].Problems(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)))

	// JSON is read too.
	p, err = policy.ReadConfig(strings.NewReader(`{"controls": {"REL-TAG-001": {"identities": ["ci"]}}}`))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.SignedTag{Identities: []string{"ci"}}}, p.Controls)
}

// TestLoadGates reads the parameters of the merge and promotion gates:
// REL-CHECKS-001, REL-BYPASS-001, REL-PROTECT-001 and REL-REVIEW-001.
func TestLoadGates(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader(`controls:
  REL-CHECKS-001:
    environments:
      production: [test, sast, dependency-scan, secret-scan]
      staging: [test]
    merge: [lint, test]
    block_on: [critical, high]
  REL-BYPASS-001: {max_lifetime: 14d}
  REL-PROTECT-001:
    branches: [main, release/*]
    min_approvals: 3
    code_owners_replace_count: true
    require_signed_commits: true
  REL-REVIEW-001: {min_approvals: 2, require_code_owners: true}
`))
	require.NoError(t, err)
	require.Len(t, p.Controls, 4)
	assert.Equal(t, policy.RequiredChecks{
		Environments:      map[string][]string{"production": {"test", "sast", "dependency-scan", "secret-scan"}, "staging": {"test"}},
		Merge:             []string{"lint", "test"},
		BlockOn:           []policy.Severity{policy.Critical, policy.High},
		MaxBypassLifetime: 14 * 24 * time.Hour, // REL-BYPASS-001's bound
	}, p.Controls[0])
	assert.Equal(t, policy.BypassRecords{MaxLifetime: 14 * 24 * time.Hour}, p.Controls[1])
	assert.Equal(t, policy.ProtectedBranches{Branches: []string{"main", "release/*"}, MinApprovals: 3, CodeOwnersReplaceCount: true,
		RequiredChecks: []string{"lint", "test"}, RequireSignedCommits: true}, p.Controls[2], "required checks default to the merge list")
	assert.Equal(t, policy.ReviewApprovals{MinApprovals: 2, RequireCodeOwners: true}, p.Controls[3])

	// {} and null take the defaults; the protection's own checks win.
	p, err = policy.ReadConfig(strings.NewReader("controls:\n  REL-CHECKS-001: {merge: [test]}\n  REL-BYPASS-001:\n  REL-PROTECT-001: {required_checks: [ci]}\n  REL-REVIEW-001: {}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.RequiredChecks{Merge: []string{"test"}}, policy.BypassRecords{},
		policy.ProtectedBranches{RequiredChecks: []string{"ci"}}, policy.ReviewApprovals{}}, p.Controls)
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		line     int
		msg      string
		empty    bool
	}{
		{"empty", "", 0, "empty", true},
		{"no controls", "controls: {}\n", 1, "no controls", true},
		{"only exceptions", "exceptions: []\n", 1, "no controls", true},
		{"unknown top key", "controls: {REL-SOD-001: {}}\ncontrol: {}\n", 2, `unknown key "control"`, false},
		{"unknown control", "controls:\n  REL-SOD-001: {}\n  REL-NOPE-001: {}\n", 3, `unknown control "REL-NOPE-001"`, false},
		{"param typo", "controls:\n  REL-TAG-001:\n    identity: [x]\n", 3, `unknown key "identity" (want identities)`, false},
		{"params on plain control", "controls:\n  REL-SOD-001: {strict: true}\n", 2, `unknown key "strict"`, false},
		{"params on record control", "controls:\n  REL-SOD-001: {}\n  REL-RECORD-001:\n    fields: [tag]\n", 4, `unknown key "fields"`, false},
		{"params on digest control", "controls:\n  REL-DIGEST-001: [prod]\n", 2, "want a mapping", false},
		{"record control typo", "controls:\n  REL-RECORDS-001: {}\n", 2, `unknown control "REL-RECORDS-001"`, false},
		{"rollback environments typo", "controls:\n  REL-ROLLBACK-001:\n    environment: [prod]\n", 3, `unknown key "environment"`, false},
		{"rollback empty environment", "controls:\n  REL-ROLLBACK-001:\n    environments:\n      - prod\n      - ''\n", 5, "empty environment name", false},
		{"bad pattern", "controls:\n  REL-BRANCH-001:\n    patterns:\n      - '^main$'\n      - '('\n", 5, "pattern", false},
		{"bad day", "controls:\n  REL-WINDOW-001:\n    windows:\n      - {days: [funday], start: '09:00', end: '10:00'}\n", 4, "funday", false},
		{"bad time", "controls:\n  REL-WINDOW-001:\n    windows:\n      - {days: [mon], start: '9am', end: '10:00'}\n", 4, "HH:MM", false},
		{"end before start", "controls:\n  REL-WINDOW-001:\n    windows:\n      - {days: [mon], start: '10:00', end: '09:00'}\n", 4, "not after start", false},
		{"bad zone", "controls:\n  REL-WINDOW-001:\n    windows:\n      - {days: [mon], start: '09:00', end: '10:00', zone: Mars/Base}\n", 4, "Mars/Base", false},
		{"window key typo", "controls:\n  REL-WINDOW-001:\n    windows:\n      - days: [mon]\n        strat: '09:00'\n", 5, `unknown key "strat"`, false},
		{"freeze backwards", "controls:\n  REL-WINDOW-001:\n    freezes:\n      - {from: 2026-12-18, to: 2026-12-01}\n", 4, "freeze", false},
		{"bad value type", "controls:\n  REL-TAG-001:\n    identities: {a: b}\n", 3, "want a list", false},
		{"bad scalar", "controls:\n  REL-WINDOW-001:\n    freezes:\n      - {from: yesterday, to: 2026-12-01}\n", 4, "not a time", false},
		{"exception typo", "controls: {REL-SOD-001: {}}\nexceptions:\n  - id: E\n    expiry: 2026-01-01\n", 4, `unknown key "expiry"`, false},
		{"exception type", "controls: {REL-SOD-001: {}}\nexceptions:\n  - id: E\n    type: forever\n", 3, "forever", false},
		{"environment typo", "controls:\n  REL-ENV-001:\n    environments:\n      production: {approver: [x]}\n", 4, `unknown key "approver"`, false},
		{"duplicate key", "controls:\n  REL-SOD-001: {}\n  REL-SOD-001: {}\n", 3, "already defined", false},
		{"not a mapping", "- a\n", 1, "want a mapping", false},
		{"two documents", "controls: {REL-SOD-001: {}}\n---\ncontrols: {}\n", 2, "more than one", false},
		{"syntax", "controls: [\n", 1, "", false},
		{"bad number", "controls:\n  REL-FLAG-001:\n    registry: [a]\n", 3, "cannot unmarshal", false},
		{"checks environment without checks", "controls:\n  REL-CHECKS-001:\n    environments:\n      production: [test]\n      staging: []\n", 5, `environment "staging" lists no required checks`, false},
		{"checks empty environments", "controls:\n  REL-CHECKS-001:\n    environments: {}\n", 3, "environments: name each environment", false},
		{"checks empty merge", "controls:\n  REL-CHECKS-001:\n    merge: []\n", 3, "merge: list the checks", false},
		{"checks blank entry", "controls:\n  REL-CHECKS-001:\n    merge:\n      - test\n      - ''\n", 5, "merge: empty entry", false},
		{"checks bad severity", "controls:\n  REL-CHECKS-001:\n    block_on:\n      - critical\n      - severe\n", 5, `block_on "severe"`, false},
		{"checks block_on without critical", "controls:\n  REL-CHECKS-001:\n    block_on: [high]\n", 3, "must include critical", false},
		{"checks key typo", "controls:\n  REL-CHECKS-001:\n    environment: {production: [test]}\n", 3, `unknown key "environment" (want environments, merge, block_on)`, false},
		{"checks list as mapping", "controls:\n  REL-CHECKS-001:\n    environments:\n      production: {test: true}\n", 4, "want a list", false},
		{"bypass lifetime", "controls:\n  REL-BYPASS-001:\n    max_lifetime: forever\n", 3, `max_lifetime "forever"`, false},
		{"bypass lifetime negative", "controls:\n  REL-BYPASS-001: {max_lifetime: -1d}\n", 2, "max_lifetime", false},
		{"bypass key typo", "controls:\n  REL-BYPASS-001: {max_days: 3}\n", 2, `unknown key "max_days" (want max_lifetime)`, false},
		{"protect bad pattern", "controls:\n  REL-PROTECT-001:\n    branches:\n      - main\n      - 'release/['\n", 5, "branch pattern", false},
		{"protect one approval", "controls:\n  REL-PROTECT-001:\n    min_approvals: 1\n", 3, "requires at least 2", false},
		{"protect empty checks", "controls:\n  REL-PROTECT-001:\n    required_checks: []\n", 3, "required_checks", false},
		{"review one approval", "controls:\n  REL-REVIEW-001: {min_approvals: 0}\n", 2, "requires at least 2", false},
		{"review key typo", "controls:\n  REL-REVIEW-001: {codeowners: true}\n", 2, `unknown key "codeowners"`, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(tc.in))
			require.Error(t, err)
			assert.Equal(t, tc.empty, errors.Is(err, policy.ErrEmptyPolicy), err.Error())
			var ce *policy.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tc.line, ce.Line, err.Error())
			assert.Contains(t, err.Error(), tc.msg)
		})
	}
}

func TestDefaultIsStrict(t *testing.T) {
	r := policy.Evaluate(context.Background(), policy.Default(), policy.Facts{})
	assert.Len(t, r.Results, 34)
	assert.ErrorIs(t, r.Err(), &policy.ReportError{Reason: "controls failed"}, "nothing gathered must never pass")
	for _, res := range r.Results {
		assert.NotEqual(t, policy.Pass, res.Status, res.Control.ID)
	}
}

func FuzzReadConfig(f *testing.F) {
	f.Add(fullConfig)
	for _, s := range []string{"", "controls: {}\n", "controls:\n  REL-TAG-001:\n    identity: [x]\n",
		"controls:\n  REL-WINDOW-001:\n    windows:\n      - {days: [mon], start: '09:00', end: '10:00', zone: UTC}\n",
		`{"controls": {"REL-SOD-001": null}}`, "controls: {REL-RECORD-001: {}, REL-DIGEST-001: null}\n", "controls: &a {REL-SOD-001: *a}\n", "exceptions: [{expires: 2026-01-01}]\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := policy.ReadConfig(strings.NewReader(in))
		if err != nil {
			var ce *policy.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("ReadConfig error %v is not a *ConfigError", err)
			}
			if len(p.Controls) != 0 {
				t.Fatal("ReadConfig returned controls with an error")
			}
			return
		}
		if len(p.Controls) == 0 {
			t.Fatal("ReadConfig accepted a policy without controls")
		}
		// Evaluating on no facts never passes everything.
		r := policy.Evaluate(context.Background(), p, policy.Facts{})
		if len(r.Results) != len(p.Controls) {
			t.Fatal("results do not match controls")
		}
	})
}

func TestAdvisory(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("advisory: true\ncontrols: {REL-SOD-001: {}}\n"))
	require.NoError(t, err)
	r := policy.Evaluate(context.Background(), p, policy.Facts{})
	assert.True(t, r.Advisory)
	assert.ErrorIs(t, r.Err(), &policy.ReportError{Reason: "controls failed"}, "failures are still reported")
	var b strings.Builder
	require.NoError(t, r.WriteText(&b))
	assert.Contains(t, b.String(), "result: DENY (advisory policy: not enforced)")

	_, err = policy.ReadConfig(strings.NewReader("advisory: maybe\ncontrols: {REL-SOD-001: {}}\n"))
	var ce *policy.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Line)
}

// Hostile configurations are rejected with the line they are on.
func TestConfigRejects(t *testing.T) {
	for name, doc := range map[string]string{
		"local zone":         "controls:\n  REL-WINDOW-001:\n    windows: [{days: [mon], start: \"09:00\", end: \"10:00\", zone: Local}]\n",
		"merge key":          "base: &b {patterns: ['.*']}\ncontrols:\n  REL-BRANCH-001:\n    <<: *b\n",
		"merge in exception": "controls: {REL-SOD-001: {}}\nexceptions:\n  - &e {id: E}\n  - <<: *e\n",
		"alias value":        "controls:\n  REL-TAG-001: {identities: &i [a]}\n  REL-BRANCH-001: {patterns: *i}\n",
		"json dup":           "{\"controls\": {\"REL-SOD-001\": {}, \"REL-SOD-001\": {}}}",
		"advisory string":    "controls: {REL-SOD-001: {}}\nadvisory: \"true\"\n",
		"advisory yes":       "controls: {REL-SOD-001: {}}\nadvisory: yes\n",
		"reason list":        "controls:\n  REL-WINDOW-001:\n    freezes: [{from: 2026-01-01, to: 2026-01-02, reason: [x]}]\n",
		"unknown id":         "controls:\n  REL-NOPE-001: {}\n",
		"params on noparams": "controls:\n  REL-SOD-001: {x: 1}\n",
		"scalar params":      "controls:\n  REL-SOD-001: yes\n",
		"empty controls":     "controls: {}\n",
		"null controls":      "controls:\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(doc))
			require.Error(t, err)
			var ce *policy.ConfigError
			require.ErrorAs(t, err, &ce)
			assert.Positive(t, ce.Line, "%v", err)
		})
	}
}

// people: maps a person's identities (Policy.People) and
// max_exception_lifetime bounds exceptions; bad values are errors with
// their line.
func TestReadConfigPeopleAndLifetime(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls: {REL-SOD-001: {}}\npeople:\n  carol: [carol@example.com, carol-gh]\nmax_exception_lifetime: 30d\n"))
	require.NoError(t, err)
	assert.Equal(t, 30*24*time.Hour, p.MaxExceptionLifetime)
	same, err := p.People.Same("Carol-GH", "carol@example.com")
	require.NoError(t, err)
	assert.True(t, same)
	p, err = policy.ReadConfig(strings.NewReader("controls: {REL-SOD-001: {}}\nmax_exception_lifetime: 2160h\n"))
	require.NoError(t, err)
	assert.Equal(t, policy.DefaultMaxExceptionLifetime, p.MaxExceptionLifetime)
	assert.Nil(t, p.People)

	for _, tc := range []struct {
		name, yaml string
		line       int
		msg        string
	}{
		{"invisible alias", "controls: {REL-SOD-001: {}}\npeople:\n  carol: [\"carol\\u200b@example.com\"]\n", 3, "invisible character"},
		{"shared alias", "controls: {REL-SOD-001: {}}\npeople:\n  carol: [x]\n  dave: [X]\n", 3, `"X" is listed for "carol" too`},
		{"not a list", "controls: {REL-SOD-001: {}}\npeople:\n  carol: x\n", 3, "want a list"},
		{"zero lifetime", "controls: {REL-SOD-001: {}}\nmax_exception_lifetime: 0d\n", 2, "max_exception_lifetime"},
		{"negative lifetime", "controls: {REL-SOD-001: {}}\nmax_exception_lifetime: -5h\n", 2, "max_exception_lifetime"},
		{"no unit", "controls: {REL-SOD-001: {}}\nmax_exception_lifetime: 90\n", 2, "max_exception_lifetime"},
		{"a list", "controls: {REL-SOD-001: {}}\nmax_exception_lifetime: [90d]\n", 2, "max_exception_lifetime"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.ReadConfig(strings.NewReader(tc.yaml))
			var ce *policy.ConfigError
			require.True(t, errors.As(err, &ce), "%v", err)
			assert.Equal(t, tc.line, ce.Line, ce.Msg)
			assert.Contains(t, ce.Msg, tc.msg)
		})
	}
}
