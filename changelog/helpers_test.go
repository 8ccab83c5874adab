package changelog_test

import (
	"testing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// fixture builds the history of the golden tests: features, fixes,
// breaking changes (footer and body), a backport made with cherry-pick -x
// on a release branch merged back, a revert of a feature in the same
// release, a pull-request merge, a non-conventional commit, a commit with
// an extra change, and unicode.
type fixture struct {
	*gittest.Repo
	fix, feat, revert, backport string
}

func newFixture(t *testing.T) fixture {
	g := gittest.New(t)
	f := fixture{Repo: g}
	g.Commit("feat: initial API\n\nRefs: PROJ-1\n")
	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	g.Branch("release/1.0", "v1.0.0")
	f.fix = g.Commit("fix(api): handle empty lists (#12)\n\nRefs: PROJ-2\n")
	g.Commit("feat(cli)!: rename --out to --output (#13)\n\nBREAKING CHANGE: the --out flag is now --output;\nupdate your scripts.\n")
	g.Commit("docs: explain flags\n")
	f.feat = g.Commit("feat(web): dark mode\n")
	f.revert = g.Revert(f.feat)
	g.Commit("perf(api): cache lookups ✨ für Ünïcödé (#14)\n\nCloses: PROJ-3\n")
	g.Commit("update readme\n")
	g.Branch("topic", "")
	g.Checkout("topic")
	g.Commit("feat(api): pagination (#15)\n\nRefs: PROJ-4\n")
	g.Checkout("main")
	g.Merge("topic", "Merge pull request #15 from acme/topic\n\nfeat(api): pagination\n")
	g.Commit("refactor!: drop Go 1.21 support\n\nOlder toolchains are no longer tested.\n")
	g.Commit("chore(deps): bump libs\n\nfeat(deps): support the new config format\n")
	g.AnnotatedTag("v2.0.0", "HEAD", "Release v2.0.0")
	g.Checkout("release/1.0")
	f.backport = g.CherryPick(f.fix)
	g.AnnotatedTag("v1.0.1", "HEAD", "Release v1.0.1")
	g.Checkout("main")
	g.Merge("release/1.0", "Merge branch 'release/1.0'\n")
	g.Commit("fix: 日本語の説明 with `code` (#16)\n")
	return f
}

// parse returns a Commit with hash h and message msg.
func parse(h, msg string, opts ...commits.ParseOption) commits.Commit {
	m, _ := commits.Parse(msg, opts...)
	return commits.Commit{Hash: h, Message: m}
}
