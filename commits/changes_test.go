package commits_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/semver"
)

// changeShape is a real message shape and the changes it yields.
type changeShape struct {
	name    string
	in      string
	opts    []commits.ParseOption
	changes []semver.Change // Message.Changes()
	origins []string        // Origin of the message, then of each Extra
	notes   []string        // BreakingNotes of the message
	revert  *commits.Revert
	pr      int
	merge   *commits.Merge // a merge (or Bitbucket squash) subject: Changes() is empty, the release counts Merge.Title
}

const (
	shaFix    = "3b7e5a0c61b4b1dd0f8a4e3a4f07a8a0d6f1e2c4"
	shaRevert = "5c0d2f1e9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d"
)

// changeShapes are squash-merge and revert messages as the forges and git
// write them, and BREAKING CHANGE footers followed by more paragraphs,
// each with the changes it yields by default (the specification: the
// header and the footers) and, where it matters, with the options.
var changeShapes = []changeShape{
	// GitHub "Squash and merge" of a pull request with several commits:
	// the title, then each commit as a "* " bullet, then the co-authors
	// after a "---------" line. googleapis/release-please #2729 shipped
	// as a minor release although one bullet is "feat!:".
	{name: "github-squash", in: "feat: create Scm abstraction (#2729)\n\n* feat: create Scm abstraction\n\n" +
		"* feat!: remove unused createReleaasePullRequest method\n\n* chore: fix lint\n\n---------\n\n" +
		"Co-authored-by: Jeff Ching <chingor@google.com>",
		changes: []semver.Change{{Type: "feat"}}, origins: []string{commits.OriginHeader}, pr: 2729},
	{name: "github-squash-with-options", in: "feat: create Scm abstraction (#2729)\n\n* feat: create Scm abstraction\n\n" +
		"* feat!: remove unused createReleaasePullRequest method\n\n* chore: fix lint",
		opts:    []commits.ParseOption{commits.WithOverride(), commits.WithAdditionalHeaders()},
		changes: []semver.Change{{Type: "feat"}}, origins: []string{commits.OriginHeader}, pr: 2729},
	// GitHub squash of a pull request whose commits have bodies: the
	// bodies follow their bullet, unindented.
	{name: "github-squash-bodies", in: "fix(deps): update module golang.org/x/net to v0.38.0 (#412)\n\n" +
		"* fix(deps): update module golang.org/x/net to v0.38.0\n\n* refactor!: use the new resolver\n\n" +
		"BREAKING: not a footer, part of an intermediate commit\n\n* test: cover the resolver",
		changes: []semver.Change{{Type: "fix", Scope: "deps"}}, origins: []string{commits.OriginHeader}, pr: 412},
	// GitHub writes each intermediate commit's whole message, unindented:
	// a BREAKING CHANGE footer of one of them is at the start of a
	// paragraph of the squash message, and the specification reads it as a
	// footer of the squash commit, running to the end (as
	// conventional-commits-parser does). The bullets still add nothing.
	{name: "github-squash-breaking-footer", in: "feat(auth): sessions (#311)\n\n* feat(auth)!: drop basic auth\n\n" +
		"BREAKING CHANGE: basic auth is gone\n\n* chore: lint",
		changes: []semver.Change{{Type: "feat", Scope: "auth", Breaking: true}}, origins: []string{commits.OriginHeader}, pr: 311,
		notes: []string{"basic auth is gone\n\n* chore: lint"}},
	// GitLab's default squash commit template is "%{title}"; the merge
	// commit (when the project keeps one) carries the title again.
	{name: "gitlab-squash-title", in: "feat(api): paginate the project list",
		changes: []semver.Change{{Type: "feat", Scope: "api"}}, origins: []string{commits.OriginHeader}},
	{name: "gitlab-merge-commit", in: "Merge branch 'feat/paginate' into 'main'\n\nfeat(api): paginate the project list\n\n" +
		"Closes #1203\n\nSee merge request gitlab-org/cli!1777", pr: 1777,
		merge: &commits.Merge{PR: 1777, Source: "feat/paginate", Kind: commits.MergeMergeRequest, Title: "feat(api): paginate the project list"}},
	// GitLab's %{all_commits} variable: "* " and each commit's message.
	{name: "gitlab-all-commits", in: "feat(api): paginate the project list\n\n* feat(api): paginate the project list\n\n" +
		"Adds page and per_page.\nChangelog: added\n\n* fix!: wip, drop the old cursor\n\n* docs: mention pagination",
		changes: []semver.Change{{Type: "feat", Scope: "api"}}, origins: []string{commits.OriginHeader}},
	// Bitbucket Cloud's default squash message (reproduced by Atlassian's
	// atlascode, PullRequestPage.tsx): "Merged in <branch> (pull request
	// #n)", the title, the commits as bullets (each commit's whole
	// message, joined by one newline), the approvals. The subject is a
	// pull-request merge subject: the message has no change of its own,
	// the release counts its title (feat: a minor release) and the
	// changelog lists the title for a commit with one parent (a squash).
	// The bullets, even a breaking one, add nothing.
	{name: "bitbucket-squash-default", in: "Merged in feature/PROJ-12-login (pull request #42)\n\nfeat: add login\n\n" +
		"* feat!: drop basic auth\n* fix: lint\n\nApproved-by: Jane Doe", pr: 42,
		merge: &commits.Merge{PR: 42, Source: "feature/PROJ-12-login", Kind: commits.MergePullRequest, Title: "feat: add login"}},
	{name: "bitbucket-squash-commit-bodies", in: "Merged in bugfix/timeouts (pull request #7)\n\nfix(http): retry on timeouts\n\n" +
		"* fix(http): retry on timeouts\n\nThe client gave up after one try.\n* refactor!: new transport\n\nBREAKING CHANGE: Transport is an interface\n" +
		"* chore: lint\n\nApproved-by: Jane Doe <jane@example.com>\nApproved-by: John Roe <john@example.com>", pr: 7,
		merge: &commits.Merge{PR: 7, Source: "bugfix/timeouts", Kind: commits.MergePullRequest, Title: "fix(http): retry on timeouts"}},
	// Bitbucket Cloud's merge-commit strategy: the same subject, the
	// title, the approvals (the merged commits are the merge's parents).
	{name: "bitbucket-merge-commit", in: "Merged in feature/x (pull request #12)\n\nfeat(api): add the endpoint\n\n" +
		"Approved-by: Jane Doe <jane@example.com>", pr: 12,
		merge: &commits.Merge{PR: 12, Source: "feature/x", Kind: commits.MergePullRequest, Title: "feat(api): add the endpoint"}},
	{name: "bitbucket-squash-edited", in: "feat: add login (pull request #42)\n\n* feat!: drop basic auth\n* fix: lint\n\n" +
		"Approved-by: Jane Doe",
		changes: []semver.Change{{Type: "feat"}}, origins: []string{commits.OriginHeader}, pr: 42},
	// Not Bitbucket's shape: a branch with a space, no number.
	{name: "bitbucket-lookalike", in: "Merged in the fix (pull request #x)\n\nfeat: y"},
	// git merge --squash (Bitbucket Data Center's squash, and manual
	// squashes): "Squashed commit of the following:" and each commit's log,
	// its message indented; an indented BREAKING CHANGE is not a footer.
	{name: "git-merge-squash", in: "feat: add login\n\nSquashed commit of the following:\n\n" +
		"commit 8d1c0e6f2b9a4c3d7e5f1a0b9c8d7e6f5a4b3c2d\nAuthor: Jane Doe <jane@example.com>\nDate:   Tue Mar 4 10:12:45 2025 +0100\n\n" +
		"    feat!: drop basic auth\n    \n    BREAKING CHANGE: basic auth is gone\n",
		changes: []semver.Change{{Type: "feat"}}, origins: []string{commits.OriginHeader}},

	// BREAKING CHANGE footers followed by more paragraphs: the value runs
	// to the next footer token. vuejs/composition-api ded5ab7 (#566) was
	// released as a major; reading only the final paragraph missed it.
	{name: "breaking-list", in: "refactor: watch APIs default to trigger pre-flush (#566)\n\n" +
		"BREAKING CHANGE: watch APIs now default to use `flush: 'pre'` instead of\n`flush: 'post'`.\n\n" +
		"  - Check https://github.com/vuejs/vue-next/commit/49bb44756fda0a7019c69f2fa6b880d9e41125aa\n\n" +
		"  - This change affects `watch`, `watchEffect`, the `watch` component\n    option, and `this.$watch`.",
		changes: []semver.Change{{Type: "refactor", Breaking: true}}, origins: []string{commits.OriginHeader}, pr: 566,
		notes: []string{"watch APIs now default to use `flush: 'pre'` instead of\n`flush: 'post'`.\n\n" +
			"  - Check https://github.com/vuejs/vue-next/commit/49bb44756fda0a7019c69f2fa6b880d9e41125aa\n\n" +
			"  - This change affects `watch`, `watchEffect`, the `watch` component\n    option, and `this.$watch`."}},
	{name: "breaking-unindented-list-then-refs", in: "feat(cli)!: rename flags\n\nBREAKING CHANGE: two flags are renamed:\n\n" +
		"- --out is now --output\n- --dry is now --dry-run\n\nRefs: #88",
		changes: []semver.Change{{Type: "feat", Scope: "cli", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"two flags are renamed:\n\n- --out is now --output\n- --dry is now --dry-run"}},
	{name: "breaking-indented-code", in: "fix(config): read the XDG directory\n\nThe old path was wrong on Linux.\n\n" +
		"BREAKING CHANGE: the config moves; move yours with\n\n    mv ~/.relctl ~/.config/relctl\n",
		changes: []semver.Change{{Type: "fix", Scope: "config", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"the config moves; move yours with\n\n    mv ~/.relctl ~/.config/relctl"}},
	// Angular's habit: "BREAKING CHANGE:" alone on its line, the note in
	// the next paragraph(s). The value runs to the next footer token; a
	// lone token with nothing after it is not a footer (no note to give).
	{name: "breaking-empty-token-note-below", in: "feat(config): drop the foo option\n\nBREAKING CHANGE:\n\nThe foo option was removed",
		changes: []semver.Change{{Type: "feat", Scope: "config", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"The foo option was removed"}},
	{name: "breaking-empty-token-paragraphs-then-refs", in: "refactor: new config loader\n\nBREAKING-CHANGE:\n\nThe foo option was removed.\n\n" +
		"    bar: true\n\nRefs: #31",
		changes: []semver.Change{{Type: "refactor", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"The foo option was removed.\n\n    bar: true"}},
	{name: "breaking-empty-token-next-line", in: "fix: x\n\nBREAKING CHANGE:\nThe foo option was removed\n",
		changes: []semver.Change{{Type: "fix", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"The foo option was removed"}},
	{name: "breaking-empty-token-alone", in: "fix: x\n\nBREAKING CHANGE:",
		changes: []semver.Change{{Type: "fix"}}, origins: []string{commits.OriginHeader}},
	// In a fenced block "listen: :8080" is YAML, not a footer.
	{name: "breaking-fenced-code", in: "feat(server)!: one listener\n\nBREAKING-CHANGE: `listeners` is now `listen`:\n\n" +
		"```yaml\nlisten: :8080\n```\n\nSigned-off-by: Jane Doe <jane@example.com>",
		changes: []semver.Change{{Type: "feat", Scope: "server", Breaking: true}}, origins: []string{commits.OriginHeader},
		notes: []string{"`listeners` is now `listen`:\n\n```yaml\nlisten: :8080\n```"}},

	// Reverts. vuejs/core #13406: GitHub truncates the quoted header and
	// adds the pull request; the commit is still identified by its line.
	{name: "revert-github-truncated", in: "Revert \"fix(compiler-sfc): add scoping tag to trailing universal selector (#1…\" (#13406)\n\n" +
		"…3391)\"\n\nThis reverts commit " + shaFix + ".",
		revert: &commits.Revert{Header: "fix(compiler-sfc): add scoping tag to trailing universal selector (#1…", Hash: shaFix}, pr: 13406},
	{name: "revert-git", in: "Revert \"feat(web): dark mode\"\n\nThis reverts commit " + shaFix + ".\n",
		revert: &commits.Revert{Header: "feat(web): dark mode", Hash: shaFix}},
	{name: "revert-not-conventional", in: "Undo the scoping change\n\nIt broke nested selectors.\n\nThis reverts commit " + shaFix[:12] + ".",
		revert: &commits.Revert{Hash: shaFix[:12]}},
	{name: "revert-of-revert", in: "Revert \"Revert \"feat(web): dark mode (#12)\"\" (#14)\n\nThis reverts commit " + shaRevert + ".",
		revert: &commits.Revert{Header: "Revert \"feat(web): dark mode (#12)\"", Hash: shaRevert}, pr: 14},
	{name: "revert-conventional", in: "revert: feat(web): dark mode\n\nThis reverts commit " + shaFix[:7] + ".",
		changes: []semver.Change{{Type: "revert"}}, origins: []string{commits.OriginHeader}, revert: &commits.Revert{Hash: shaFix[:7]}},

	// The two documented ways to carry several changes, each behind its
	// option: release-please's additional headers and the override block.
	{name: "release-please-additional", in: "feat: adds v4 UUID to crypto\n\nThis adds support for v4 UUIDs to the library.\n\n" +
		"fix(utils): unicode no longer throws exception\n  PiperOrigin-RevId: 345559154\n  BREAKING-CHANGE: encode method no longer throws.\n\n" +
		"feat(utils): update encode to support unicode\n  PiperOrigin-RevId: 345559182",
		opts:    []commits.ParseOption{commits.WithAdditionalHeaders()},
		changes: []semver.Change{{Type: "feat"}, {Type: "fix", Scope: "utils", Breaking: true}, {Type: "feat", Scope: "utils"}},
		origins: []string{commits.OriginHeader, commits.OriginAdditional, commits.OriginAdditional}},
	{name: "release-please-additional-off", in: "feat: adds v4 UUID to crypto\n\nfix(utils): unicode no longer throws exception\n" +
		"  BREAKING-CHANGE: encode method no longer throws.",
		changes: []semver.Change{{Type: "feat"}}, origins: []string{commits.OriginHeader}},
	{name: "override", in: "chore: squash (#9)\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api): new client\n\nBREAKING CHANGE: Client.Do takes a context.\n\n" +
		"fix: retry on 503\nEND_COMMIT_OVERRIDE",
		opts:    []commits.ParseOption{commits.WithOverride()},
		changes: []semver.Change{{Type: "feat", Scope: "api", Breaking: true}, {Type: "fix"}},
		origins: []string{commits.OriginOverride, commits.OriginOverride}, notes: []string{"Client.Do takes a context."}, pr: 9},
	{name: "override-off", in: "chore: squash (#9)\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api): new client\n\nBREAKING CHANGE: Client.Do takes a context.\n\n" +
		"fix: retry on 503\nEND_COMMIT_OVERRIDE",
		changes: []semver.Change{{Type: "chore"}}, origins: []string{commits.OriginHeader}, pr: 9},
}

func TestChangeShapes(t *testing.T) {
	for _, c := range changeShapes {
		t.Run(c.name, func(t *testing.T) {
			m, _ := commits.Parse(c.in, c.opts...)
			assert.Equal(t, c.changes, m.Changes(), "changes")
			var origins []string
			if m.Conventional {
				origins = append(origins, m.Origin)
			}
			for _, x := range m.Extra {
				origins = append(origins, x.Origin)
			}
			assert.Equal(t, c.origins, origins, "origins")
			assert.Equal(t, c.notes, nonBang(m), "breaking notes")
			assert.Equal(t, c.revert, m.Revert, "revert")
			assert.Equal(t, c.pr, m.PR, "pr")
			assert.Equal(t, c.merge, m.Merge, "merge")
			if m.Breaking {
				require.NotEmpty(t, m.BreakingFrom)
			} else {
				assert.Empty(t, m.BreakingFrom)
			}
		})
	}
}

// nonBang returns the breaking notes read from footers.
func nonBang(m commits.Message) []string {
	if m.BreakingFrom != commits.BreakingFromFooter {
		return nil
	}
	return m.BreakingNotes
}
