package commits_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
)

// lintViolation is the part of a Violation that tests compare.
type lintViolation struct {
	rule      string
	line, col int
	reason    string // what the violation's error says is wrong
}

func lintViolations(r commits.LintReport) []lintViolation {
	var out []lintViolation
	for _, v := range r.Violations {
		out = append(out, lintViolation{v.Rule, v.Line, v.Column, ""})
	}
	return out
}

func TestLint(t *testing.T) {
	policy := commits.Rules{
		Types:            []string{"feat", "fix", "chore"},
		Scopes:           []string{"api", "cli"},
		RequireScope:     true,
		RequireTicket:    true,
		MaxSubjectLength: 30,
	}
	tests := []struct {
		name  string
		msg   string
		rules commits.Rules
		want  []lintViolation
	}{
		{name: "zero rules accept a conventional commit", msg: "docs: x"},
		{name: "zero rules reject a non-conventional commit", msg: "Update README",
			want: []lintViolation{{"header", 1, 14, reasonIncompleteHeader}}},
		{name: "all good", msg: "feat(api): add users\n\nRefs: PROJ-1", rules: policy},
		{name: "every violation at once", msg: "wip(db): a subject that is far too long for us", rules: policy,
			want: []lintViolation{
				{"type-enum", 1, 1, reasonDisallowedType},
				{"scope-enum", 1, 5, reasonDisallowedScope},
				{"ticket", 0, 0, reasonMissingTicket},
				{"subject-max-length", 1, 31, reasonSubjectTooLong},
			}},
		{name: "missing scope", msg: "feat: add users ABC-1", rules: policy,
			want: []lintViolation{{"scope-empty", 1, 5, reasonMissingScope}}},
		{name: "several scopes", msg: "fix(api, db,cli): x ABC-1", rules: policy,
			want: []lintViolation{{"scope-enum", 1, 10, reasonDisallowedScope}}},
		{name: "type case-insensitive, scope exact", msg: "FIX(API): x ABC-1", rules: policy,
			want: []lintViolation{{"scope-enum", 1, 5, reasonDisallowedScope}}},
		{name: "not conventional: length and ticket still checked", msg: "Update the readme with much more text", rules: policy,
			want: []lintViolation{
				{"header", 1, 38, reasonIncompleteHeader},
				{"ticket", 0, 0, reasonMissingTicket},
				{"subject-max-length", 1, 31, reasonSubjectTooLong},
			}},
		{name: "body error: type and scope still checked", msg: "wip: x\nbody ABC-1", rules: policy,
			want: []lintViolation{
				{"body-leading-blank", 2, 1, reasonMissingBlankLine},
				{"type-enum", 1, 1, reasonDisallowedType},
				{"scope-empty", 1, 4, reasonMissingScope},
			}},
		{name: "misspelt breaking footer", msg: "feat(api): x\n\nRefs: ABC-1\nbreaking change: y", rules: policy,
			want: []lintViolation{{"footer", 4, 1, reasonInvalidFooter}}},
		{name: "header column", msg: "fix:x", want: []lintViolation{{"header", 1, 5, reasonMissingSpace}}},
		{name: "empty scope in strict mode is one violation", msg: "fix(): x ABC-1", rules: policy,
			want: []lintViolation{{"header", 1, 5, reasonEmptyScope}}},
		{name: "empty scope in lenient mode", msg: "fix(): x ABC-1",
			rules: commits.Rules{Lenient: true, RequireScope: true},
			want:  []lintViolation{{"scope-empty", 1, 4, reasonMissingScope}}},
		{name: "lenient free-form type", msg: "bpf, selftests: x",
			rules: commits.Rules{Lenient: true, Types: []string{"bpf"}},
			want:  []lintViolation{{"type-enum", 1, 1, reasonDisallowedType}}},
		{name: "encoding", msg: "feat(api): x\n\nbad \xff byte ABC-1", rules: policy,
			want: []lintViolation{{"encoding", 3, 5, reasonInvalidUTF8}}},
		{name: "merge is ignored", msg: "Merge branch 'main' into topic", rules: policy},
		{name: "pull request merge is ignored", msg: "Merge pull request #3 from a/b\n\nwhatever", rules: policy},
		{name: "fixup is ignored", msg: "fixup! wip: x", rules: policy},
		{name: "git revert is ignored", msg: `Revert "feat(api): x"` + "\n\nThis reverts commit abcdef0.", rules: policy},
		{name: "conventional revert is checked", msg: "revert(api): x ABC-1\n\nThis reverts commit abcdef0.", rules: policy,
			want: []lintViolation{{"type-enum", 1, 1, reasonDisallowedType}}},
		{name: "custom ticket pattern", msg: "feat(api): x (#12)",
			rules: commits.Rules{RequireTicket: true, TicketPattern: regexp.MustCompile(`#[0-9]+`)}},
		{name: "subject length counts characters", msg: "feat: ñññññ", rules: commits.Rules{MaxSubjectLength: 11}},
		{name: "subject length column is a byte column", msg: "feat: ññññññ", rules: commits.Rules{MaxSubjectLength: 11},
			want: []lintViolation{{"subject-max-length", 1, 17, reasonSubjectTooLong}}},
		{name: "override: its first change is checked", msg: "feat(api): x ABC-1\n\nBEGIN_COMMIT_OVERRIDE\nwip(db): y\nEND_COMMIT_OVERRIDE",
			rules: withOverride(policy), want: []lintViolation{
				{"type-enum", 4, 1, reasonDisallowedType},
				{"scope-enum", 4, 5, reasonDisallowedScope},
			}},
		{name: "override: ignored by default", msg: "feat(api): x ABC-1\n\nBEGIN_COMMIT_OVERRIDE\nwip(db): y\nEND_COMMIT_OVERRIDE",
			rules: policy},
		{name: "too long", msg: strings.Repeat("x", commits.DefaultMaxLength+1), rules: policy,
			want: []lintViolation{{"max-length", 0, 0, reasonTooLong}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := commits.Lint(tt.msg, tt.rules)
			var want []lintViolation
			for _, w := range tt.want {
				want = append(want, lintViolation{w.rule, w.line, w.col, ""})
			}
			assert.Equal(t, want, lintViolations(r))
			if len(tt.want) == 0 {
				require.NoError(t, r.Err())
				return
			}
			err := r.Err()
			require.Error(t, err)
			for i, w := range tt.want {
				v := r.Violations[i]
				assert.Contains(t, err.Error(), v.Err.Error(), "the joined error holds every violation")
				assert.Equal(t, w.reason, violationReason(v))
				if s, ok := sentinels[w.reason]; ok {
					assert.ErrorIs(t, err, s, "the joined error holds every sentinel")
					assert.ErrorIs(t, v.Err, s)
				}
				assert.True(t, strings.HasPrefix(v.Message, "commits: "+w.reason), v.Message)
			}
		})
	}
}

func TestLintReportErrJoin(t *testing.T) {
	r := commits.Lint("wip: x", commits.Rules{Types: []string{"feat"}, RequireScope: true, RequireTicket: true})
	require.Len(t, r.Violations, 3)
	err := r.Err()
	for i, reason := range []string{reasonDisallowedType, reasonMissingScope, reasonMissingTicket} {
		assert.Equal(t, reason, violationReason(r.Violations[i]))
		assert.Contains(t, err.Error(), r.Violations[i].Err.Error())
	}
	assert.False(t, errors.Is(err, commits.ErrNotConventional))
	assert.Equal(t, "wip", r.Message.Type, "the report carries the parsed message")
	assert.Equal(t,
		"commits: type not allowed: \"wip\" is not one of feat\n"+
			"commits: missing scope: the header has no scope\n"+
			"commits: missing ticket: no ticket matching "+commits.DefaultTicketPattern, err.Error())
}

// violationReason returns what v's error says is wrong: the Reason of a
// *commits.ParseError, or the problem before the detail of a lint rule.
func violationReason(v commits.Violation) string {
	if reason := reasonOf(v.Err); reason != "" {
		return reason
	}
	problem, _, _ := strings.Cut(strings.TrimPrefix(v.Err.Error(), "commits: "), ": ")
	return problem
}

func withOverride(r commits.Rules) commits.Rules {
	r.Override = true
	return r
}
