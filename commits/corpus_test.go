package commits_test

import (
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// corpusWant is the expected parse of a message in one mode. Type, Scope,
// Description, Body, Footers and BreakingNotes are always compared; the
// zero values mean "empty".
type corpusWant struct {
	reason  string // the *ParseError's Reason, or "" for no error
	line    int    // checked when reason != "" and line > 0
	pos     int    // checked when reason != "" and line > 0
	conv    bool
	typ     string
	scope   string
	desc    string
	brk     bool
	notes   []string
	body    string
	footers []commits.Footer
	check   func(t *testing.T, m commits.Message) // more checks
}

// corpusCase is one message with its strict and lenient parse. A nil
// lenient means that lenient mode must give exactly the strict result.
type corpusCase struct {
	row     int // row of RELIABILITY.md's table, 0 for our own cases
	name    string
	in      string
	strict  corpusWant
	lenient *corpusWant
	opts    []commits.ParseOption // for both modes
}

func wantErrAt(reason string, line, pos int) corpusWant {
	return corpusWant{reason: reason, line: line, pos: pos}
}

func footerList(kv ...string) []commits.Footer {
	var fs []commits.Footer
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, commits.Footer{Key: kv[i], Value: kv[i+1]})
	}
	return fs
}

func bumpsTo(level semver.Level) func(*testing.T, commits.Message) {
	return func(t *testing.T, m commits.Message) {
		assert.Equal(t, level, semver.DefaultRules().Max(m.Changes()), "bump level")
	}
}

func hasNoChanges(t *testing.T, m commits.Message) {
	assert.Nil(t, m.Changes(), "a git-generated form carries no change")
}

func allChecks(fs ...func(*testing.T, commits.Message)) func(*testing.T, commits.Message) {
	return func(t *testing.T, m commits.Message) {
		for _, f := range fs {
			f(t, m)
		}
	}
}

const corpusSHA = "9bb4d6ccbe4ab3e0a9e0b3c3fd0e0e8a0e0b3c3a"

// hugeHeader and hugeBody are row 40.
var (
	hugeHeader = "feat: " + strings.Repeat("a", 100<<10)
	hugeBody   = "fix: big\n\n" + strings.Repeat("line of a large body, PROJ-7\n", (10<<20)/29)
	crlfBomb   = "b" + strings.Repeat("\r\n", 1_000_000) + "b"
)

// corpus holds every row of the table "Commit messages and their expected
// parse" of RELIABILITY.md (rows 1 to 42), then cases of our own.
var corpus = []corpusCase{
	{row: 1, in: "feat: x", strict: corpusWant{conv: true, typ: "feat", desc: "x", check: bumpsTo(semver.Minor)}},
	{row: 2, in: "feat!: x", strict: corpusWant{conv: true, typ: "feat", desc: "x", brk: true, notes: []string{"x"}, check: bumpsTo(semver.Major)}},
	{row: 3, in: "feat(api)!: x", strict: corpusWant{conv: true, typ: "feat", scope: "api", desc: "x", brk: true, notes: []string{"x"}}},
	{row: 4, in: "fix(): x", strict: wantErrAt(reasonEmptyScope, 1, 4),
		lenient: &corpusWant{conv: true, typ: "fix", desc: "x"}},
	{row: 5, in: "fix:x", strict: wantErrAt(reasonMissingSpace, 1, 4)},
	{row: 6, name: "space", in: "fix: ", strict: wantErrAt(reasonEmptyDescription, 1, 5)},
	{row: 6, name: "scope-bang-spaces", in: "fix(scope)!:  ", strict: wantErrAt(reasonEmptyDescription, 1, 14)},
	{row: 7, name: "type", in: "fix", strict: wantErrAt(reasonIncompleteHeader, 1, 3)},
	{row: 7, name: "scope", in: "fix(scope)", strict: wantErrAt(reasonIncompleteHeader, 1, 10)},
	{row: 7, name: "bang", in: "fix(scope)!", strict: wantErrAt(reasonIncompleteHeader, 1, 11)},
	{row: 8, name: "unclosed", in: "fix(scope", strict: wantErrAt(reasonMalformedScope, 1, 9)},
	{row: 8, name: "nested", in: "fix((", strict: wantErrAt(reasonMalformedScope, 1, 4)},
	{row: 8, name: "double-close", in: "fix(a))", strict: wantErrAt(reasonColon, 1, 6)},
	{row: 8, name: "text-after-scope", in: "some(scope)text: a", strict: wantErrAt(reasonColon, 1, 11)},
	{row: 9, in: "fix:\tx", strict: wantErrAt(reasonMissingSpace, 1, 4)},
	{row: 10, in: "fix(aaa):     bbb", strict: corpusWant{conv: true, typ: "fix", scope: "aaa", desc: "bbb"}},
	{row: 11, in: "feat(az): new\nline", strict: corpusWant{reason: reasonMissingBlankLine, line: 2, pos: 14, body: "line"},
		lenient: &corpusWant{conv: true, typ: "feat", scope: "az", desc: "new", body: "line"}},
	{row: 12, in: "fix: x\n\nRefs: #123", strict: corpusWant{conv: true, typ: "fix", desc: "x", footers: footerList("Refs", "#123"),
		check: func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"#123"}, m.Refs) }}},
	{row: 13, in: "fix: x\n\nFixes #3\nSigned-off-by: Leo", strict: corpusWant{conv: true, typ: "fix", desc: "x",
		footers: footerList("Fixes", "3", "Signed-off-by", "Leo"),
		check:   func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"#3"}, m.Closes) }}},
	{row: 14, in: "fix: x\n\nFixes #3\nFixes #4\nFixes #5", strict: corpusWant{conv: true, typ: "fix", desc: "x",
		footers: footerList("Fixes", "3", "Fixes", "4", "Fixes", "5"),
		check:   func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"#3", "#4", "#5"}, m.Closes) }}},
	{row: 15, in: "fix: d\n\nBREAKING CHANGE: APIs", strict: corpusWant{conv: true, typ: "fix", desc: "d", brk: true,
		notes: []string{"APIs"}, footers: footerList("BREAKING CHANGE", "APIs"), check: bumpsTo(semver.Major)}},
	{row: 16, in: "fix: d\n\nBREAKING-CHANGE: APIs", strict: corpusWant{conv: true, typ: "fix", desc: "d", brk: true,
		notes: []string{"APIs"}, footers: footerList("BREAKING-CHANGE", "APIs"), check: bumpsTo(semver.Major)}},
	{row: 17, in: "fix: d\n\nTested-by: Leo\nbreaking change: xyz",
		strict: corpusWant{reason: reasonInvalidFooter, line: 4, pos: 23, footers: footerList("Tested-by", "Leo", "breaking change", "xyz"),
			check: hasNoChanges},
		lenient: &corpusWant{conv: true, typ: "fix", desc: "d", footers: footerList("Tested-by", "Leo", "breaking change", "xyz"),
			check: bumpsTo(semver.Patch)}},
	{row: 18, in: "fix: d\n\nSome text.\n\nBREAKING CHANGE #5", strict: corpusWant{conv: true, typ: "fix", desc: "d",
		body: "Some text.\n\nBREAKING CHANGE #5", check: bumpsTo(semver.Patch)}},
	{row: 19, in: "fix: d\n\nTested-by: Leo\nBREAKING CHANG: XYZ",
		strict:  corpusWant{reason: reasonInvalidFooter, line: 4, pos: 23, footers: footerList("Tested-by", "Leo", "BREAKING CHANG", "XYZ")},
		lenient: &corpusWant{conv: true, typ: "fix", desc: "d", footers: footerList("Tested-by", "Leo", "BREAKING CHANG", "XYZ"), check: bumpsTo(semver.Patch)}},
	{row: 20, in: "feat: x\n\nBREAKING CHANGE: a\nb\nRefs: #1", strict: corpusWant{conv: true, typ: "feat", desc: "x", brk: true,
		notes: []string{"a\nb"}, footers: footerList("BREAKING CHANGE", "a\nb", "Refs", "#1"),
		check: func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"#1"}, m.Refs) }}},
	{row: 21, in: "feat!: x\n\nBREAKING CHANGE: y", strict: corpusWant{conv: true, typ: "feat", desc: "x", brk: true,
		notes: []string{"y"}, footers: footerList("BREAKING CHANGE", "y")}},
	{row: 22, in: "fix: x\n\nBREAKING CHANGES: y",
		strict:  corpusWant{reason: reasonInvalidFooter, line: 3, pos: 8, footers: footerList("BREAKING CHANGES", "y")},
		lenient: &corpusWant{conv: true, typ: "fix", desc: "x", footers: footerList("BREAKING CHANGES", "y"), check: bumpsTo(semver.Patch)}},
	{row: 23, in: "feat(s): m\r\n\r\nbody\r\n\r\nRefs: #1", strict: corpusWant{conv: true, typ: "feat", scope: "s", desc: "m",
		body: "body", footers: footerList("Refs", "#1"), check: func(t *testing.T, m commits.Message) {
			lf, err := commits.Parse("feat(s): m\n\nbody\n\nRefs: #1")
			require.NoError(t, err)
			assert.Equal(t, lf, m, "CRLF parses as LF")
		}}},
	// Row 24 is over the default limit: it is read with a larger one, so
	// that it is scanned (TestParseLinearTime times it).
	{row: 24, in: crlfBomb, opts: []commits.ParseOption{commits.WithMaxLength(len(crlfBomb))}, strict: corpusWant{reason: reasonIncompleteHeader, line: 1, pos: 1,
		body: "b", check: func(t *testing.T, m commits.Message) { assert.Equal(t, "b", m.Subject) }}},
	{row: 25, in: `Revert "feat: x"` + "\n\nThis reverts commit " + corpusSHA + ".", strict: corpusWant{body: "This reverts commit " + corpusSHA + ".",
		check: allChecks(hasNoChanges, func(t *testing.T, m commits.Message) {
			assert.Equal(t, &commits.Revert{Header: "feat: x", Hash: corpusSHA}, m.Revert)
		})}},
	{row: 26, in: "Revert \"\"\n\nThis reverts commit .", strict: corpusWant{body: "This reverts commit .",
		check: allChecks(hasNoChanges, func(t *testing.T, m commits.Message) { assert.Equal(t, &commits.Revert{}, m.Revert) })}},
	{row: 27, in: "revert: let us never again…\n\nRefs: 676104e, a215868", strict: corpusWant{conv: true, typ: "revert",
		desc: "let us never again…", footers: footerList("Refs", "676104e, a215868"),
		check: func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"676104e", "a215868"}, m.Refs) }}},
	{row: 28, in: "Merge pull request #1 from u/f\n\nfeat(s): x", strict: corpusWant{body: "feat(s): x",
		check: allChecks(hasNoChanges, func(t *testing.T, m commits.Message) {
			assert.True(t, m.Ignored)
			assert.Equal(t, &commits.Merge{PR: 1, Source: "u/f", Kind: commits.MergePullRequest, Title: "feat(s): x"}, m.Merge)
			assert.Equal(t, 1, m.PR)
			assert.Empty(t, m.Extra, "the merged title is a change only for a first-parent reader")
			title, err := commits.Parse(m.Merge.Title)
			require.NoError(t, err)
			assert.Equal(t, semver.Change{Type: "feat", Scope: "s"}, title.Change())
		})}},
	{row: 29, name: "branch", in: "Merge branch 'feature'", strict: corpusWant{check: allChecks(hasNoChanges, func(t *testing.T, m commits.Message) {
		assert.True(t, m.Ignored)
		assert.Equal(t, &commits.Merge{Source: "feature", Kind: commits.MergeBranch}, m.Merge)
	})}},
	{row: 29, name: "tag", in: "Merge tag 'v1'", strict: corpusWant{check: allChecks(hasNoChanges, func(t *testing.T, m commits.Message) {
		assert.True(t, m.Ignored)
		assert.Equal(t, &commits.Merge{Source: "v1", Kind: commits.MergeTag}, m.Merge)
	})}},
	{row: 30, name: "fixup", in: "fixup! feat: x", strict: corpusWant{check: allChecks(hasNoChanges, isIgnored)}},
	{row: 30, name: "squash", in: "squash! feat!: x\n\nBREAKING CHANGE: y", strict: corpusWant{footers: footerList("BREAKING CHANGE", "y"),
		check: allChecks(hasNoChanges, isIgnored)}},
	{row: 30, name: "amend", in: "amend! fix: x\n\nfix: better x", strict: corpusWant{body: "fix: better x", check: allChecks(hasNoChanges, isIgnored)}},
	{row: 31, in: "chore(release): 1.2.3", strict: corpusWant{conv: true, typ: "chore", scope: "release", desc: "1.2.3", check: bumpsTo(semver.None)}},
	{row: 32, in: "bpf: selftests: Add kfunc_call test", strict: corpusWant{conv: true, typ: "bpf", desc: "selftests: Add kfunc_call test",
		check: bumpsTo(semver.None)}},
	{row: 33, in: "bpf, selftests: test_maps …", strict: wantErrAt(reasonInvalidType, 1, 3),
		lenient: &corpusWant{conv: true, typ: "bpf, selftests", desc: "test_maps …"}},
	{row: 34, in: "FEAT(API): x", strict: corpusWant{conv: true, typ: "feat", scope: "API", desc: "x", check: bumpsTo(semver.Minor)}},
	{row: 35, in: "feat(i18n): añadir 日本語 🎉", strict: corpusWant{conv: true, typ: "feat", scope: "i18n", desc: "añadir 日本語 🎉"}},
	{row: 36, in: "feat: \xff\xfe", strict: wantErrAt(reasonInvalidUTF8, 1, 6)},
	{row: 37, in: "feat: x\x00evil", strict: wantErrAt(reasonControlChar, 1, 7)},
	{row: 38, in: " feat(s): x", strict: wantErrAt(reasonInvalidType, 1, 0)},
	{row: 39, name: "path", in: "feat(hello/world): m", strict: corpusWant{conv: true, typ: "feat", scope: "hello/world", desc: "m"}},
	{row: 39, name: "npm", in: "feat(@org/pkg): m", strict: corpusWant{conv: true, typ: "feat", scope: "@org/pkg", desc: "m"}},
	{row: 40, name: "100KB-header", in: hugeHeader, strict: corpusWant{conv: true, typ: "feat", desc: hugeHeader[len("feat: "):]}},
	{row: 40, name: "10MB-body", in: hugeBody, strict: corpusWant{reason: reasonTooLong, line: 0, pos: commits.DefaultMaxLength}},
	{row: 41, in: "fix: x\n\n#123 fixed upstream", strict: corpusWant{conv: true, typ: "fix", desc: "x", body: "#123 fixed upstream"}},
	{row: 42, in: "fix: x\n\nSee: docs\n\nmore text", strict: corpusWant{conv: true, typ: "fix", desc: "x", body: "See: docs\n\nmore text"}},

	// Our own cases.
	{name: "override", in: "feat: squashed title (#77)\n\nSome description.\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api): add the endpoint\n\n" +
		"fix: another message\nchore: a third message\nEND_COMMIT_OVERRIDE\n\nSigned-off-by: A <a@example.com>",
		opts: []commits.ParseOption{commits.WithOverride()},
		strict: corpusWant{conv: true, typ: "feat", scope: "api", desc: "add the endpoint",
			body:    "Some description.\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api): add the endpoint\n\nfix: another message\nchore: a third message\nEND_COMMIT_OVERRIDE",
			footers: footerList("Signed-off-by", "A <a@example.com>"),
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, "feat: squashed title (#77)", m.Subject)
				assert.Equal(t, 77, m.PR)
				assert.Equal(t, []semver.Change{{Type: "feat", Scope: "api"}, {Type: "fix"}, {Type: "chore"}}, m.Changes())
			}}},
	{name: "override-breaking-nested", in: "chore: deps\n\nBEGIN_COMMIT_OVERRIDE\n- fix(utils): unicode no longer throws\n" +
		"  PiperOrigin-RevId: 345559154\n  BREAKING-CHANGE: encode no longer throws.\n- feat: second\nEND_COMMIT_OVERRIDE",
		opts: []commits.ParseOption{commits.WithOverride()},
		strict: corpusWant{conv: true, typ: "fix", scope: "utils", desc: "unicode no longer throws", brk: true,
			notes: []string{"encode no longer throws."},
			body:  "BEGIN_COMMIT_OVERRIDE\n- fix(utils): unicode no longer throws\n  PiperOrigin-RevId: 345559154\n  BREAKING-CHANGE: encode no longer throws.\n- feat: second\nEND_COMMIT_OVERRIDE",
			check: allChecks(bumpsTo(semver.Major), func(t *testing.T, m commits.Message) {
				require.Len(t, m.Extra, 1)
				assert.Equal(t, "second", m.Extra[0].Description)
			})}},
	{name: "override-not-conventional", in: "feat: title\n\nBEGIN_COMMIT_OVERRIDE\nUpdate things\nEND_COMMIT_OVERRIDE",
		opts:   []commits.ParseOption{commits.WithOverride()},
		strict: corpusWant{reason: reasonIncompleteHeader, line: 4, pos: 48, body: "BEGIN_COMMIT_OVERRIDE\nUpdate things\nEND_COMMIT_OVERRIDE"}},
	{name: "override-bullet-error", in: "feat: title\n\nBEGIN_COMMIT_OVERRIDE\n* fix:x\nEND_COMMIT_OVERRIDE",
		opts:   []commits.ParseOption{commits.WithOverride()},
		strict: corpusWant{reason: reasonMissingSpace, line: 4, pos: 41, body: "BEGIN_COMMIT_OVERRIDE\n* fix:x\nEND_COMMIT_OVERRIDE"}},
	{name: "squash-bullets", in: "feat(cli): add the login command (#12)\n\n* feat(cli): add the login command\n\n* fix: handle empty passwords\n\n" +
		"* docs: explain login\n  more details\n\nCo-authored-by: Jane <jane@example.com>\nCo-authored-by: Jane <jane@example.com>",
		strict: corpusWant{conv: true, typ: "feat", scope: "cli", desc: "add the login command (#12)",
			body:    "* feat(cli): add the login command\n\n* fix: handle empty passwords\n\n* docs: explain login\n  more details",
			footers: footerList("Co-authored-by", "Jane <jane@example.com>", "Co-authored-by", "Jane <jane@example.com>"),
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, 12, m.PR)
				assert.Equal(t, []string{"Jane <jane@example.com>"}, m.CoAuthors)
				assert.Equal(t, []semver.Change{{Type: "feat", Scope: "cli"}}, m.Changes(),
					"the bullets are the pull request's intermediate commits, not changes")
				assert.Empty(t, m.Extra)
			}}},
	{name: "release-please-nested", in: "feat: adds v4 UUID to crypto\n\nThis adds support for v4 UUIDs to the library.\n\n" +
		"fix(utils): unicode no longer throws exception\n  PiperOrigin-RevId: 345559154\n  BREAKING-CHANGE: encode method no longer throws.\n" +
		"  Source-Link: googleapis/googleapis@5e0dcb2\n\nfeat(utils): update encode to support unicode\n  PiperOrigin-RevId: 345559182\n" +
		"  Source-Link: googleapis/googleapis@e5eef86",
		opts: []commits.ParseOption{commits.WithAdditionalHeaders()},
		strict: corpusWant{conv: true, typ: "feat", desc: "adds v4 UUID to crypto",
			body: "This adds support for v4 UUIDs to the library.\n\nfix(utils): unicode no longer throws exception\n  PiperOrigin-RevId: 345559154\n" +
				"  BREAKING-CHANGE: encode method no longer throws.\n  Source-Link: googleapis/googleapis@5e0dcb2\n\n" +
				"feat(utils): update encode to support unicode\n  PiperOrigin-RevId: 345559182\n  Source-Link: googleapis/googleapis@e5eef86",
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, []semver.Change{{Type: "feat"}, {Type: "fix", Scope: "utils", Breaking: true}, {Type: "feat", Scope: "utils"}}, m.Changes())
				require.Len(t, m.Extra, 2)
				assert.Equal(t, footerList("PiperOrigin-RevId", "345559154", "BREAKING-CHANGE", "encode method no longer throws.",
					"Source-Link", "googleapis/googleapis@5e0dcb2"), m.Extra[0].Footers)
			}}},
	{name: "squash-non-conventional-title", in: "Update dependencies (#7)\n\n* feat: a\n\n* fix: b",
		strict: corpusWant{reason: reasonIncompleteHeader, line: 1, pos: 24, body: "* feat: a\n\n* fix: b",
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, 7, m.PR)
				assert.Nil(t, m.Changes(), "non-conventional title: the bullets do not make it a change")
			}}},
	{name: "gitlab-merge-request", in: "Merge branch 'feature/login' into 'main'\n\nfeat: add login\n\nCloses #5\n\nSee merge request group/project!42",
		strict: corpusWant{body: "feat: add login\n\nCloses #5\n\nSee merge request group/project!42", check: allChecks(hasNoChanges,
			func(t *testing.T, m commits.Message) {
				assert.True(t, m.Ignored)
				assert.Equal(t, &commits.Merge{PR: 42, Source: "feature/login", Kind: commits.MergeMergeRequest, Title: "feat: add login"}, m.Merge)
				assert.Equal(t, 42, m.PR)
			})}},
	{name: "merge-remote-tracking", in: "Merge remote-tracking branch 'origin/main' into topic",
		strict: corpusWant{check: func(t *testing.T, m commits.Message) {
			assert.Equal(t, &commits.Merge{Source: "origin/main", Kind: commits.MergeBranch}, m.Merge)
		}}},
	{name: "merge-commit", in: "Merge commit 'abc1234'", strict: corpusWant{check: func(t *testing.T, m commits.Message) {
		assert.Equal(t, &commits.Merge{Source: "abc1234", Kind: commits.MergeCommit}, m.Merge)
	}}},
	{name: "cherry-pick-x-signoff", in: "fix(db): close the pool\n\nThe pool leaked on shutdown.\n\n" +
		"Signed-off-by: A <a@example.com>\n(cherry picked from commit " + corpusSHA + ")\nSigned-off-by: B <b@example.com>",
		strict: corpusWant{conv: true, typ: "fix", scope: "db", desc: "close the pool", body: "The pool leaked on shutdown.",
			footers: footerList("Signed-off-by", "A <a@example.com>", "Signed-off-by", "B <b@example.com>"),
			check:   func(t *testing.T, m commits.Message) { assert.Equal(t, []string{corpusSHA}, m.CherryPickedFrom) }}},
	{name: "cherry-pick-twice", in: "fix: x\n\n(cherry picked from commit 1111111)\n(cherry picked from commit 2222222)",
		strict: corpusWant{conv: true, typ: "fix", desc: "x", check: func(t *testing.T, m commits.Message) {
			assert.Equal(t, []string{"1111111", "2222222"}, m.CherryPickedFrom)
			assert.Empty(t, m.Footers)
		}}},
	{name: "release-as", in: "chore: release 2.0.0\n\nRelease-As:  2.0.0 ", strict: corpusWant{conv: true, typ: "chore", desc: "release 2.0.0",
		footers: footerList("Release-As", "2.0.0"), check: func(t *testing.T, m commits.Message) { assert.Equal(t, "2.0.0", m.ReleaseAs) }}},
	{name: "risk-owners", in: "feat: payments\n\nRisk: HIGH\nOwners: @org/payments, alice  bob\nowner: carol",
		strict: corpusWant{conv: true, typ: "feat", desc: "payments",
			footers: footerList("Risk", "HIGH", "Owners", "@org/payments, alice  bob", "owner", "carol"),
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, "high", m.Risk)
				assert.Equal(t, []string{"@org/payments", "alice", "bob", "carol"}, m.Owners)
			}}},
	{name: "tickets", in: "feat(PROJ-1): x ABC-12\n\nAlso ABC-12 and XY-3, not abc-4, A-5, PROJ-1x or X_AB-9.\n\nRefs: PROJ-1, OPS-77",
		strict: corpusWant{conv: true, typ: "feat", scope: "PROJ-1", desc: "x ABC-12",
			body: "Also ABC-12 and XY-3, not abc-4, A-5, PROJ-1x or X_AB-9.", footers: footerList("Refs", "PROJ-1, OPS-77"),
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, []string{"PROJ-1", "ABC-12", "XY-3", "OPS-77"}, m.Tickets)
				assert.Equal(t, []string{"PROJ-1", "OPS-77"}, m.Refs)
			}}},
	{name: "closes-list", in: "fix: x\n\nCloses #12, #13\nresolves: #14 #15", strict: corpusWant{conv: true, typ: "fix", desc: "x",
		footers: footerList("Closes", "12, #13", "resolves", "#14 #15"),
		check:   func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"#12", "#13", "#14", "#15"}, m.Closes) }}},
	{name: "crlf-footers", in: "fix(io): x\r\n\r\nbody one\r\nbody two\r\n\r\nRefs: #1\r\nCloses: #2\r\n",
		strict: corpusWant{conv: true, typ: "fix", scope: "io", desc: "x", body: "body one\nbody two", footers: footerList("Refs", "#1", "Closes", "#2")}},
	{name: "lone-cr", in: "feat: x\r\rbody\r", strict: corpusWant{conv: true, typ: "feat", desc: "x", body: "body"}},
	{name: "unicode-body", in: "fix(ui): corrige l’affichage ✓\n\nDétails : l’écran 日本語\n\nRéviseur: Zoë", strict: corpusWant{conv: true,
		typ: "fix", scope: "ui", desc: "corrige l’affichage ✓", body: "Détails : l’écran 日本語\n\nRéviseur: Zoë"}},
	{name: "revert-conventional", in: "revert: feat: x\n\nThis reverts commit abcdef1.", strict: corpusWant{conv: true, typ: "revert",
		desc: "feat: x", body: "This reverts commit abcdef1.",
		check: func(t *testing.T, m commits.Message) { assert.Equal(t, &commits.Revert{Hash: "abcdef1"}, m.Revert) }}},
	{name: "revert-of-revert", in: `Revert "Revert "feat: x""`, strict: corpusWant{check: func(t *testing.T, m commits.Message) {
		assert.Equal(t, &commits.Revert{Header: `Revert "feat: x"`}, m.Revert)
	}}},
	{name: "breaking-mid-body", in: "fix: x\n\nbreaking change: not a footer here\nBREAKING CHANGE: nor here\n\nRefs: #1",
		strict: corpusWant{conv: true, typ: "fix", desc: "x", body: "breaking change: not a footer here\nBREAKING CHANGE: nor here",
			footers: footerList("Refs", "#1"), check: bumpsTo(semver.Patch)}},
	{name: "breaking-in-subject", in: "feat: BREAKING CHANGE: drop v1", strict: corpusWant{conv: true, typ: "feat",
		desc: "BREAKING CHANGE: drop v1", check: bumpsTo(semver.Minor)}},
	{name: "nested-change-paragraph", in: "feat: main\n\nfix(core): nested\n\nSigned-off-by: A", opts: []commits.ParseOption{commits.WithAdditionalHeaders()},
		strict: corpusWant{conv: true,
			typ: "feat", desc: "main", body: "fix(core): nested", footers: footerList("Signed-off-by", "A"),
			check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, []semver.Change{{Type: "feat"}, {Type: "fix", Scope: "core"}}, m.Changes())
			}}},
	{name: "change-as-final-paragraph", in: "feat: main\n\nfix: second change", opts: []commits.ParseOption{commits.WithAdditionalHeaders()},
		strict: corpusWant{conv: true, typ: "feat",
			desc: "main", body: "fix: second change", check: func(t *testing.T, m commits.Message) {
				assert.Equal(t, []semver.Change{{Type: "feat"}, {Type: "fix"}}, m.Changes())
			}}},
	{name: "lowercase-trailer-not-a-change", in: "fix: a\n\nrefs: #1", strict: corpusWant{conv: true, typ: "fix", desc: "a",
		footers: footerList("refs", "#1"), check: func(t *testing.T, m commits.Message) { assert.Empty(t, m.Extra) }}},
	{name: "empty", in: "", strict: wantErrAt(reasonEmpty, 1, 0)},
	{name: "blank-lines-only", in: "\n\n \n", strict: wantErrAt(reasonEmpty, 1, 0)},
	{name: "trailing-blank-lines", in: "feat: x\n\n\n  \n\t\n", strict: corpusWant{conv: true, typ: "feat", desc: "x"}},
	{name: "footer-continuation-after-cherry-pick", in: "fix: x\n\nNote: a\n(cherry picked from commit abcdef0)\n  b",
		strict: corpusWant{conv: true, typ: "fix", desc: "x", footers: footerList("Note", "a\n  b"),
			check: func(t *testing.T, m commits.Message) { assert.Equal(t, []string{"abcdef0"}, m.CherryPickedFrom) }}},
	{name: "multi-line-footer-spacing", in: "feat: x\n\nBREAKING CHANGE:   the API\n  moved   \nAcked-by:  Leo ",
		strict: corpusWant{conv: true, typ: "feat", desc: "x", brk: true, notes: []string{"the API\n  moved"},
			footers: footerList("BREAKING CHANGE", "the API\n  moved", "Acked-by", "Leo")}},
	{name: "plain-subject-with-paren", in: "Fix the parser (again) for good", strict: wantErrAt(reasonColon, 1, 22)},
	{name: "non-ascii-subject", in: "Añadir soporte", strict: wantErrAt(reasonColon, 1, 1)},
	{name: "tab-description", in: "fix: \t", strict: wantErrAt(reasonEmptyDescription, 1, 6)},
	{name: "blank-scope", in: "fix( ): x", strict: wantErrAt(reasonEmptyScope, 1, 4), lenient: &corpusWant{conv: true, typ: "fix", scope: " ", desc: "x"}},
	{name: "type-with-space", in: "fix : x", strict: wantErrAt(reasonInvalidType, 1, 3)},
	{name: "paren-type", in: "(a): x", strict: wantErrAt(reasonInvalidType, 1, 0)},
	{name: "del", in: "fix: x\n\nbody\x7f", strict: corpusWant{reason: reasonControlChar, line: 3, pos: 12, body: "body\x7f"}},
}

func isIgnored(t *testing.T, m commits.Message) { assert.True(t, m.Ignored) }

func (c corpusCase) title() string {
	name := c.name
	if c.row > 0 {
		name = "row" + strconv.Itoa(c.row)
		if c.name != "" {
			name += "-" + c.name
		}
	}
	return name
}

func TestCorpus(t *testing.T) {
	rows := map[int]bool{}
	for _, c := range corpus {
		rows[c.row] = true
		t.Run(c.title(), func(t *testing.T) {
			opts := c.opts
			strict, err := commits.Parse(c.in, opts...)
			t.Run("strict", func(t *testing.T) { checkWant(t, c.strict, strict, err) })
			lw := c.strict
			if c.lenient != nil {
				lw = *c.lenient
			}
			lenient, err := commits.Parse(c.in, append(opts, commits.WithLenient())...)
			t.Run("lenient", func(t *testing.T) { checkWant(t, lw, lenient, err) })
			if c.lenient == nil {
				assert.True(t, reflect.DeepEqual(withoutErrs(strict), withoutErrs(lenient)), "lenient must equal strict")
			}
		})
	}
	for r := 1; r <= 42; r++ {
		assert.True(t, rows[r], "row %d of the table is missing", r)
	}
}

func withoutErrs(m commits.Message) commits.Message {
	m.Err = nil
	for i := range m.Extra {
		m.Extra[i] = withoutErrs(m.Extra[i])
	}
	return m
}

func checkWant(t *testing.T, w corpusWant, m commits.Message, err error) {
	t.Helper()
	assert.Equal(t, err, m.Err, "the error is also in Message.Err")
	if w.reason != "" {
		require.Error(t, err)
		assertReason(t, err, w.reason)
		var pe *commits.ParseError
		require.ErrorAs(t, err, &pe)
		if w.line > 0 || w.reason == reasonTooLong {
			assert.Equal(t, w.line, pe.Line, "line")
			assert.Equal(t, w.pos, pe.Pos, "pos")
		}
		assert.False(t, m.Conventional)
	} else {
		require.NoError(t, err)
	}
	assert.Equal(t, w.conv, m.Conventional, "conventional")
	assert.Equal(t, w.typ, m.Type, "type")
	assert.Equal(t, w.scope, m.Scope, "scope")
	assert.Equal(t, w.desc, m.Description, "description")
	assert.Equal(t, w.brk, m.Breaking, "breaking")
	assert.Equal(t, w.notes, m.BreakingNotes, "breaking notes")
	assert.Equal(t, w.body, m.Body, "body")
	assert.Equal(t, w.footers, m.Footers, "footers")
	assertNoCR(t, m)
	if w.check != nil {
		w.check(t, m)
	}
}

// assertNoCR checks that no string of m holds a carriage return.
func assertNoCR(t *testing.T, m commits.Message) {
	t.Helper()
	walkStrings(reflect.ValueOf(m), func(s string) {
		if strings.Contains(s, "\r") {
			t.Errorf("carriage return in %q", s)
		}
	})
}

// walkStrings calls f on every string reachable from v.
func walkStrings(v reflect.Value, f func(string)) {
	switch v.Kind() {
	case reflect.String:
		f(v.String())
	case reflect.Pointer:
		if !v.IsNil() {
			walkStrings(v.Elem(), f)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			if v.Type().Field(i).IsExported() {
				walkStrings(v.Field(i), f)
			}
		}
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			walkStrings(v.Index(i), f)
		}
	}
}
