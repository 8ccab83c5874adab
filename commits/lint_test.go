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
	err       error
}

func lintViolations(r commits.LintReport) []lintViolation {
	var out []lintViolation
	for _, v := range r.Violations {
		out = append(out, lintViolation{v.Rule, v.Line, v.Column, nil})
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
			want: []lintViolation{{"header", 1, 14, commits.ErrIncompleteHeader}}},
		{name: "all good", msg: "feat(api): add users\n\nRefs: PROJ-1", rules: policy},
		{name: "every violation at once", msg: "wip(db): a subject that is far too long for us", rules: policy,
			want: []lintViolation{
				{"type-enum", 1, 1, commits.ErrDisallowedType},
				{"scope-enum", 1, 5, commits.ErrDisallowedScope},
				{"ticket", 0, 0, commits.ErrMissingTicket},
				{"subject-max-length", 1, 31, commits.ErrSubjectTooLong},
			}},
		{name: "missing scope", msg: "feat: add users ABC-1", rules: policy,
			want: []lintViolation{{"scope-empty", 1, 5, commits.ErrMissingScope}}},
		{name: "several scopes", msg: "fix(api, db,cli): x ABC-1", rules: policy,
			want: []lintViolation{{"scope-enum", 1, 10, commits.ErrDisallowedScope}}},
		{name: "type case-insensitive, scope exact", msg: "FIX(API): x ABC-1", rules: policy,
			want: []lintViolation{{"scope-enum", 1, 5, commits.ErrDisallowedScope}}},
		{name: "not conventional: length and ticket still checked", msg: "Update the readme with much more text", rules: policy,
			want: []lintViolation{
				{"header", 1, 38, commits.ErrIncompleteHeader},
				{"ticket", 0, 0, commits.ErrMissingTicket},
				{"subject-max-length", 1, 31, commits.ErrSubjectTooLong},
			}},
		{name: "body error: type and scope still checked", msg: "wip: x\nbody ABC-1", rules: policy,
			want: []lintViolation{
				{"body-leading-blank", 2, 1, commits.ErrMissingBlankLine},
				{"type-enum", 1, 1, commits.ErrDisallowedType},
				{"scope-empty", 1, 4, commits.ErrMissingScope},
			}},
		{name: "misspelt breaking footer", msg: "feat(api): x\n\nRefs: ABC-1\nbreaking change: y", rules: policy,
			want: []lintViolation{{"footer", 4, 1, commits.ErrInvalidFooter}}},
		{name: "header column", msg: "fix:x", want: []lintViolation{{"header", 1, 5, commits.ErrMissingSpace}}},
		{name: "empty scope in strict mode is one violation", msg: "fix(): x ABC-1", rules: policy,
			want: []lintViolation{{"header", 1, 5, commits.ErrEmptyScope}}},
		{name: "empty scope in lenient mode", msg: "fix(): x ABC-1",
			rules: commits.Rules{Lenient: true, RequireScope: true},
			want:  []lintViolation{{"scope-empty", 1, 4, commits.ErrMissingScope}}},
		{name: "lenient free-form type", msg: "bpf, selftests: x",
			rules: commits.Rules{Lenient: true, Types: []string{"bpf"}},
			want:  []lintViolation{{"type-enum", 1, 1, commits.ErrDisallowedType}}},
		{name: "encoding", msg: "feat(api): x\n\nbad \xff byte ABC-1", rules: policy,
			want: []lintViolation{{"encoding", 3, 5, commits.ErrInvalidUTF8}}},
		{name: "merge is ignored", msg: "Merge branch 'main' into topic", rules: policy},
		{name: "pull request merge is ignored", msg: "Merge pull request #3 from a/b\n\nwhatever", rules: policy},
		{name: "fixup is ignored", msg: "fixup! wip: x", rules: policy},
		{name: "git revert is ignored", msg: `Revert "feat(api): x"` + "\n\nThis reverts commit abcdef0.", rules: policy},
		{name: "conventional revert is checked", msg: "revert(api): x ABC-1\n\nThis reverts commit abcdef0.", rules: policy,
			want: []lintViolation{{"type-enum", 1, 1, commits.ErrDisallowedType}}},
		{name: "custom ticket pattern", msg: "feat(api): x (#12)",
			rules: commits.Rules{RequireTicket: true, TicketPattern: regexp.MustCompile(`#[0-9]+`)}},
		{name: "subject length counts characters", msg: "feat: ñññññ", rules: commits.Rules{MaxSubjectLength: 11}},
		{name: "subject length column is a byte column", msg: "feat: ññññññ", rules: commits.Rules{MaxSubjectLength: 11},
			want: []lintViolation{{"subject-max-length", 1, 17, commits.ErrSubjectTooLong}}},
		{name: "override: its first change is checked", msg: "feat(api): x ABC-1\n\nBEGIN_COMMIT_OVERRIDE\nwip(db): y\nEND_COMMIT_OVERRIDE",
			rules: policy, want: []lintViolation{
				{"type-enum", 4, 1, commits.ErrDisallowedType},
				{"scope-enum", 4, 5, commits.ErrDisallowedScope},
			}},
		{name: "too long", msg: strings.Repeat("x", commits.DefaultMaxLength+1), rules: policy,
			want: []lintViolation{{"max-length", 0, 0, commits.ErrTooLong}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := commits.Lint(tt.msg, tt.rules)
			var want []lintViolation
			for _, w := range tt.want {
				want = append(want, lintViolation{w.rule, w.line, w.col, nil})
			}
			assert.Equal(t, want, lintViolations(r))
			if len(tt.want) == 0 {
				require.NoError(t, r.Err())
				return
			}
			err := r.Err()
			require.Error(t, err)
			for i, w := range tt.want {
				assert.ErrorIs(t, err, w.err, "the joined error holds every sentinel")
				assert.ErrorIs(t, r.Violations[i].Err, w.err)
				assert.True(t, strings.HasPrefix(r.Violations[i].Message, "commits: "), r.Violations[i].Message)
			}
		})
	}
}

func TestLintReportErrJoin(t *testing.T) {
	r := commits.Lint("wip: x", commits.Rules{Types: []string{"feat"}, RequireScope: true, RequireTicket: true})
	require.Len(t, r.Violations, 3)
	err := r.Err()
	for _, s := range []error{commits.ErrDisallowedType, commits.ErrMissingScope, commits.ErrMissingTicket} {
		assert.True(t, errors.Is(err, s), s)
	}
	assert.False(t, errors.Is(err, commits.ErrNotConventional))
	assert.Equal(t, "wip", r.Message.Type, "the report carries the parsed message")
	assert.Equal(t,
		"commits: type not allowed: \"wip\" is not one of feat\n"+
			"commits: missing scope: the header has no scope\n"+
			"commits: missing ticket: no ticket matching "+commits.DefaultTicketPattern, err.Error())
}
