package commits_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

func semverV() semver.Scheme { return semver.Scheme{Prefix: "v"} }

func plan(t *testing.T, g *gittest.Repo, rev string, scheme semver.Scheme, opts ...commits.PlanOption) commits.Plan {
	t.Helper()
	repo := g.GoGit(t)
	p, err := commits.Next(t.Context(), repo, resolve(t, repo, rev), scheme, opts...)
	require.NoError(t, err)
	return p
}

func TestNextLinear(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: first")
	p := plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v0.1.0", p.Tag, "no tag: the initial version")
	assert.False(t, p.Previous.HasLatest)
	assert.Equal(t, 1, len(p.Commits))

	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	p = plan(t, g, "HEAD", semverV())
	assert.False(t, p.Releasable, "nothing since the tag")
	assert.Equal(t, "v1.0.0", p.Tag)
	assert.Equal(t, "v1.0.0", p.Previous.Latest.Tag)

	g.Commit("docs: words")
	p = plan(t, g, "HEAD", semverV())
	assert.False(t, p.Releasable)
	assert.Equal(t, semver.None, p.Level)
	assert.Len(t, p.Commits, 1)

	g.Commit("fix: bug (#3)")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.0.1", p.Tag)
	assert.Equal(t, semver.Patch, p.Level)

	g.Commit("feat(api): thing")
	g.Commit("not conventional")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.1.0", p.Tag)
	assert.Len(t, p.Commits, 4)

	g.Commit("refactor!: drop the old API")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v2.0.0", p.Tag)
	assert.Equal(t, "v1.0.0", p.Base)

	g.Commit("chore: prepare\n\nRelease-As: 3.0.0")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v3.0.0", p.Tag)

	// Lightweight tags count too.
	g.Tag("v3.0.0", "HEAD")
	g.Commit("fix: after")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v3.0.1", p.Tag)
	assert.Equal(t, "v3.0.0", p.Previous.Latest.Tag)
}

func TestNextZeroMajor(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v0.4.0", "HEAD")
	g.Commit("feat!: breaking at 0.x")
	assert.Equal(t, "v0.5.0", plan(t, g, "HEAD", semverV()).Tag, "pre-major mode: breaking bumps minor")
	assert.Equal(t, "v1.0.0", plan(t, g, "HEAD", semverV(), commits.WithVersionOptions(semver.WithMajorAtZero())).Tag)
}

func TestNextPrerelease(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.2.0", "HEAD")
	g.Commit("feat: b")
	rc := commits.WithChannel(semver.RC)
	assert.Equal(t, "v1.3.0-rc.1", plan(t, g, "HEAD", semverV(), rc).Tag)
	g.Tag("v1.3.0-rc.1", "HEAD")
	assert.False(t, plan(t, g, "HEAD", semverV(), rc).Releasable, "nothing new on the channel")
	g.Commit("fix: c")
	p := plan(t, g, "HEAD", semverV(), rc)
	assert.Equal(t, "v1.3.0-rc.2", p.Tag)
	assert.Equal(t, "v1.3.0-rc.1", p.Previous.Latest.Tag)
	assert.Equal(t, "v1.2.0", p.Base, "commits are counted from the last final release")
	assert.Len(t, p.Commits, 2)
	g.Tag("v1.3.0-rc.2", "HEAD")
	// Graduation on the same commit.
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.3.0", p.Tag)
	g.Tag("v1.3.0", "HEAD")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.3.0", p.Previous.Latest.Tag, "the final release wins over its pre-release on one commit")
	assert.False(t, p.Releasable)
	// A breaking change starts a new line.
	g.Commit("feat!: big")
	assert.Equal(t, "v2.0.0-rc.1", plan(t, g, "HEAD", semverV(), rc).Tag)
}

func TestNextReleaseBranch(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.AnnotatedTag("v1.4.0", "HEAD", "v1.4.0")
	g.Branch("release/1.4", "HEAD")
	g.Commit("feat: on main")
	g.AnnotatedTag("v1.5.0", "HEAD", "v1.5.0")
	g.Commit("feat!: on main")
	g.AnnotatedTag("v2.0.0", "HEAD", "v2.0.0")
	g.Checkout("release/1.4")
	fix := g.Commit("fix: on the release branch")
	line := commits.WithLine(semver.Line{Major: 1, Minor: 4})
	p := plan(t, g, "HEAD", semverV(), line)
	assert.Equal(t, "v1.4.1", p.Tag, "tags on main are not reachable from the release branch")
	assert.Equal(t, "v1.4.0", p.Previous.Latest.Tag)
	g.Commit("feat: not allowed here")
	repo := g.GoGit(t)
	_, err := commits.Next(t.Context(), repo, resolve(t, repo, "HEAD"), semverV(), line)
	require.ErrorIs(t, err, semver.ErrNotPatch)
	var le *semver.LineError
	require.True(t, errors.As(err, &le))
	assert.Equal(t, semver.Minor, le.Level)
	assert.Contains(t, err.Error(), g.RevParse("HEAD"), "the error names the commit")
	assert.NotContains(t, err.Error(), fix)

	// Merging the release branch back: v2.0.0 stays the previous release.
	g.Checkout("main")
	g.Merge("release/1.4", "Merge branch 'release/1.4'")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v2.0.0", p.Previous.Latest.Tag)
	assert.Equal(t, "v2.1.0", p.Tag)
}

func TestPreviousOutOfOrderTags(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v2.0.0", "HEAD")
	g.Commit("fix: b")
	g.Tag("v1.9.9", "HEAD") // a lower version tagged later
	g.Commit("fix: c")
	repo := g.GoGit(t)
	prev, err := commits.Previous(t.Context(), repo, resolve(t, repo, "HEAD"), semverV())
	require.NoError(t, err)
	assert.Equal(t, "v2.0.0", prev.Stable.Tag, "the highest reachable version, not the nearest")

	// Tags that are not of the scheme are ignored.
	g.Tag("latest", "HEAD")
	g.Tag("release-2020", "HEAD")
	g.Tag("v3.0", "HEAD")
	g.Tag("api/v9.0.0", "HEAD")
	prev, err = commits.Previous(t.Context(), g.GoGit(t), resolve(t, repo, "HEAD"), semverV())
	require.NoError(t, err)
	assert.Equal(t, "v2.0.0", prev.Stable.Tag)
}

func TestPreviousAmbiguous(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.2.3", "HEAD")
	g.Commit("fix: b")
	g.Tag("v1.2.3+build.7", "HEAD")
	repo := g.GoGit(t)
	_, err := commits.Previous(t.Context(), repo, resolve(t, repo, "HEAD"), semverV())
	assert.ErrorIs(t, err, semver.ErrAmbiguousVersion)
}

func TestNextComponent(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat(api): a", map[string]string{"api/a.go": "a"})
	g.CommitFiles("feat(web): b", map[string]string{"web/b.js": "b"})
	g.Tag("api/v1.0.0", "HEAD")
	g.Tag("web/v0.3.0", "HEAD")
	g.CommitFiles("fix(web): c", map[string]string{"web/b.js": "c"})
	g.CommitFiles("feat(api)!: d", map[string]string{"api/a.go": "d"})
	g.CommitFiles("fix(web): e", map[string]string{"web/b.js": "e"})
	api := semver.ComponentScheme("api", "/")
	p := plan(t, g, "HEAD", api, commits.WithLogOptions(commits.WithPaths("api")))
	assert.Equal(t, "api/v2.0.0", p.Tag)
	assert.Len(t, p.Commits, 1)
	web := semver.ComponentScheme("web", "/")
	p = plan(t, g, "HEAD", web, commits.WithLogOptions(commits.WithPaths("web")))
	assert.Equal(t, "web/v0.3.1", p.Tag)
	assert.Len(t, p.Commits, 2)
}

// TestPreviousManyTags checks the choice on a generated history with many
// tags against `git tag --merged` + sort.
func TestPreviousManyTags(t *testing.T) {
	g := gittest.Synthetic(t, gittest.Spec{Commits: 2000, TagEvery: 20, MergeEvery: 5, Seed: 9, Unreleased: 7})
	repo := g.GoGit(t)
	for _, rev := range []string{"HEAD", "HEAD~10", "HEAD~100", "HEAD~1000"} {
		want := g.Git("tag", "--merged", rev, "--sort=-v:refname", "v*")
		var first string
		fmt.Sscan(want, &first)
		prev, err := commits.Previous(t.Context(), repo, resolve(t, repo, rev), semverV())
		require.NoError(t, err)
		assert.Equal(t, first, prev.Latest.Tag, rev)
	}
	p := plan(t, g, "HEAD", semverV())
	assert.Len(t, p.Commits, len(g.RevList(p.Base+"..HEAD")))
}

// TestNextFirstParentMergeTitle: with --first-parent only the merge commits
// of main are read; a pull-request merge counts by its title.
func TestNextFirstParentMergeTitle(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.0.0", "HEAD")
	g.Branch("topic", "HEAD")
	g.Checkout("topic")
	g.Commit("wip")
	g.Commit("more wip")
	g.Checkout("main")
	g.Merge("topic", "Merge pull request #9 from acme/topic\n\nfeat(api): add listing")
	p := plan(t, g, "HEAD", semverV(), commits.WithLogOptions(commits.WithFirstParent()))
	assert.Len(t, p.Commits, 1)
	assert.Equal(t, "v1.1.0", p.Tag)
	p = plan(t, g, "HEAD", semverV())
	assert.Len(t, p.Commits, 3)
	assert.Equal(t, "v1.1.0", p.Tag)
}

// TestNextBitbucketSquash: Bitbucket Cloud's squash keeps the subject
// "Merged in <branch> (pull request #n)" on a commit with one parent: the
// release counts the pull request's title, never the bullets of the
// squashed commits.
func TestNextBitbucketSquash(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.0.0", "HEAD")
	g.Commit("Merged in feature/login (pull request #42)\n\nfeat: add login\n\n* feat!: drop basic auth\n* fix: lint\n\nApproved-by: Jane Doe")
	p := plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.1.0", p.Tag)
	g.Commit("Merged in bugfix/x (pull request #43)\n\nfix!: drop the old flag\n\nApproved-by: Jane Doe")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v2.0.0", p.Tag)
}

// TestNextRevertCancels: a feature and its revert in one range call for no
// release, as they cancel out in the changelog.
func TestNextRevertCancels(t *testing.T) {
	g := gittest.New(t)
	g.Commit("fix: a")
	g.Tag("v1.3.0", "HEAD")
	feat := g.Commit("feat: risky")
	g.Revert(feat)
	p := plan(t, g, "HEAD", semverV())
	assert.False(t, p.Releasable, "the feature was reverted")
	assert.Len(t, p.Commits, 2)
	g.Commit("fix: b")
	p = plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.3.1", p.Tag)
}

// TestNextRevertOfReleased: a revert of a change already released is a
// change of its own (a patch by default, WithRevertLevel otherwise),
// recognised from "This reverts commit <sha>." whatever the subject looks
// like: git's own form, GitHub's truncated form (vuejs/core #13406) or a
// subject that is not a Conventional Commit.
func TestNextRevertOfReleased(t *testing.T) {
	subjects := map[string]func(fix string) string{
		"git revert": nil,
		"github truncated": func(fix string) string {
			return "Revert \"fix(compiler-sfc): add scoping tag to trailing universal selector (#1…\" (#13406)\n\n" +
				"…3391)\"\n\nThis reverts commit " + fix + ".\n"
		},
		"not conventional": func(fix string) string {
			return "Undo the scoping change\n\nIt broke nested selectors.\n\nThis reverts commit " + fix[:12] + ".\n"
		},
		"conventional revert": func(fix string) string {
			return "revert: add scoping tag to trailing universal selector\n\nThis reverts commit " + fix + ".\n"
		},
		// vitejs/vite v7.1.9: a Conventional revert header and no
		// "This reverts commit" line (the squash of a reviewed pull
		// request); its target is unknown, so it is a released change.
		"conventional revert header only": func(string) string {
			return "revert(server): drain stdin when not interactive (#20885)\n"
		},
	}
	for name, msg := range subjects {
		t.Run(name, func(t *testing.T) {
			g := gittest.New(t)
			g.Commit("feat: a")
			fix := g.Commit("fix(compiler-sfc): add scoping tag to trailing universal selector (#13391)")
			g.Tag("v3.5.17", "HEAD")
			if msg == nil {
				g.Revert(fix)
			} else {
				g.Commit(msg(fix))
			}
			p := plan(t, g, "HEAD", semverV())
			assert.True(t, p.Releasable, "reverting a released fix changes released behaviour")
			assert.Equal(t, semver.Patch, p.Level)
			assert.Equal(t, "v3.5.18", p.Tag)

			assert.False(t, plan(t, g, "HEAD", semverV(), commits.WithRevertLevel(semver.None)).Releasable)
			assert.Equal(t, "v3.6.0", plan(t, g, "HEAD", semverV(), commits.WithRevertLevel(semver.Minor)).Tag)
		})
	}
}

// TestNextRevertOfRevert: in one range a revert of a revert brings the
// original change back; a revert of a released revert is a patch.
func TestNextRevertOfRevert(t *testing.T) {
	g := gittest.New(t)
	g.Commit("fix: a")
	g.Tag("v1.3.0", "HEAD")
	feat := g.Commit("feat: risky")
	r := g.Revert(feat)
	assert.False(t, plan(t, g, "HEAD", semverV()).Releasable, "the feature was reverted")
	g.Revert(r)
	p := plan(t, g, "HEAD", semverV())
	assert.Equal(t, "v1.4.0", p.Tag, "the revert was reverted: the feature ships")
	assert.Len(t, p.Commits, 3)

	// Released feature and revert, then the revert is reverted.
	g2 := gittest.New(t)
	g2.Commit("fix: a")
	feat = g2.Commit("feat: risky")
	r = g2.Revert(feat)
	g2.Tag("v1.4.0", "HEAD")
	g2.Revert(r)
	p = plan(t, g2, "HEAD", semverV())
	assert.Equal(t, semver.Patch, p.Level, "a revert of a released commit")
	assert.Equal(t, "v1.4.1", p.Tag)
}

// TestNextRevertInRangeCancelsBoth: a revert whose target is in the range
// cancels it and is no release of its own, whatever its type.
func TestNextRevertInRangeCancelsBoth(t *testing.T) {
	g := gittest.New(t)
	g.Commit("fix: a")
	g.Tag("v1.3.0", "HEAD")
	fix := g.Commit("fix: risky")
	g.Commit("revert: risky fix\n\nThis reverts commit " + fix[:7] + ".\n")
	p := plan(t, g, "HEAD", semverV())
	assert.False(t, p.Releasable, "a fix and its revert in one range ship nothing")
}
