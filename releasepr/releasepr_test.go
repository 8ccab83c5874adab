package releasepr_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/versionfile"
)

var day = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

// shop is a Magento-like repository (seed 000): composer.json and
// package.json carry the version, CHANGELOG.md the history; v1.2.0 is
// released and two changes followed.
func shop(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.CommitFiles("feat: first ABC-1", map[string]string{
		"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.2.0\"\n}\n",
		"package.json":  "{\r\n\t\"name\": \"shop-theme\",\r\n\t\"version\": \"1.2.0\"\r\n}\r\n",
		"CHANGELOG.md":  "# Changelog\n\n## v1.2.0\n\n- first\n",
	})
	g.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	g.CommitFiles("feat(checkout): pay by invoice (#12)\n\nRefs: ABC-2", map[string]string{"app/checkout.php": "<?php\n"})
	g.CommitFiles("fix: rounding (#13)\n\nRefs: ABC-3", map[string]string{"app/tax.php": "<?php\n"})
	return g
}

func request(g *gittest.Repo, t *testing.T) releasepr.Request {
	return releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: []releasepr.Component{{
		VersionFiles: []string{"composer.json", "package.json"}, Changelog: "CHANGELOG.md"}}}
}

// merge applies a plan's edits on its branch and squash-merges it into
// main with the title GitHub's squash merge gives ("title (#N)").
func merge(t *testing.T, g *gittest.Repo, p releasepr.ReleasePlan, pr int) string {
	t.Helper()
	g.Branch(p.Branch, "main")
	g.Checkout(p.Branch)
	files := map[string]string{}
	for _, e := range p.Edits {
		files[e.Path] = string(e.After)
	}
	g.CommitFiles(p.Title, files)
	g.Checkout("main")
	return g.SquashMerge(p.Branch, p.Title+" (#"+strconv.Itoa(pr)+")")
}

func TestPlan(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StateOpen, p.State)
	assert.Equal(t, "releasekit/release/main", p.Branch)
	assert.Equal(t, "chore(release): v1.3.0", p.Title)
	assert.Equal(t, []string{releasepr.LabelPending}, p.Labels)
	require.Len(t, p.Releases, 1)
	r := p.Releases[0]
	assert.Equal(t, "1.3.0", r.Version)
	assert.Equal(t, "v1.2.0", r.Previous)
	assert.Equal(t, 2, r.Commits)
	assert.Contains(t, r.Notes, "pay by invoice")
	assert.Contains(t, r.Notes, "rounding")

	require.Len(t, p.Edits, 3)
	byPath := map[string]releasepr.Edit{}
	for _, e := range p.Edits {
		byPath[e.Path] = e
	}
	assert.Equal(t, "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.3.0\"\n}\n", string(byPath["composer.json"].After))
	assert.Equal(t, "{\r\n\t\"name\": \"shop-theme\",\r\n\t\"version\": \"1.3.0\"\r\n}\r\n", string(byPath["package.json"].After), "CRLF and tabs kept")
	cl := string(byPath["CHANGELOG.md"].After)
	assert.True(t, strings.HasPrefix(cl, "# Changelog\n\n## "), cl)
	assert.Less(t, strings.Index(cl, "v1.3.0"), strings.Index(cl, "## v1.2.0"), "the new release comes first")

	// The body carries the plan as a block a later run can read.
	base, commit, rels, err := releasepr.ParseBody(p.Body)
	require.NoError(t, err)
	assert.Equal(t, "main", base)
	assert.Equal(t, p.BaseCommit, commit)
	require.Len(t, rels, 1)
	assert.Equal(t, "v1.3.0", rels[0].Tag)
	assert.Contains(t, p.Body, "On merge:")
}

// A release PR merged while the bot did not run is found from git alone on
// the next run, released once, and never proposed again.
func TestMissedRunHeals(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	merged := merge(t, g, p, 14)

	// The bot missed the merge. Its next run (after more work landed)
	// finds the merged release commit and plans nothing new until it is
	// released.
	g.CommitFiles("feat: wishlist (#15)", map[string]string{"app/wish.php": "<?php\n"})
	for range 2 {
		again, err := releasepr.Plan(ctx, request(g, t))
		require.NoError(t, err)
		assert.Equal(t, releasepr.StatePending, again.State)
		assert.Equal(t, []releasepr.Pending{{Commit: merged, Version: "1.3.0", Tag: "v1.3.0"}}, again.Pending)
		assert.Empty(t, again.Edits)
	}

	// Released (tagged at the release commit): nothing is pending, and
	// the next plan releases only what came after.
	g.AnnotatedTag("v1.3.0", merged, "Release v1.3.0")
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Empty(t, pending)
	next, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StateOpen, next.State)
	assert.Equal(t, "chore(release): v1.4.0", next.Title)
	assert.Equal(t, 1, next.Releases[0].Commits, "only the wishlist")
}

// A tag that exists on another commit than the merged release commit is
// never moved: the run stops with ErrTagElsewhere.
func TestTagElsewhere(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	g.AnnotatedTag("v1.3.0", "HEAD", "someone tagged by hand")
	merge(t, g, p, 14)
	_, err = releasepr.Plan(ctx, request(g, t))
	assert.ErrorIs(t, err, releasepr.ErrTagElsewhere)
}

func TestNothingToRelease(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	g.AnnotatedTag("v1.2.1", "HEAD", "x")
	g.CommitFiles("docs: words", map[string]string{"README.md": "x\n"})
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StateNone, p.State)
	assert.Empty(t, p.Title)
	assert.Empty(t, p.Edits)
}

// Components are planned apart, each from the commits under its path.
func TestPlanComponents(t *testing.T) {
	ctx := context.Background()
	g := gittest.New(t)
	g.CommitFiles("feat: start", map[string]string{
		"api/go.mod": "module x\n", "api/version.go": "package api\n\nconst Version = \"0.4.0\"\n",
		"web/package.json": "{\"version\": \"2.0.0\"}\n",
	})
	g.AnnotatedTag("api/v0.4.0", "HEAD", "api")
	g.AnnotatedTag("web/v2.0.0", "HEAD", "web")
	g.CommitFiles("fix(api): timeout", map[string]string{"api/h.go": "package api\n"})
	req := releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: []releasepr.Component{
		{Name: "api", Path: "api", TagPrefix: "api/v", VersionFiles: []string{"api/version.go"}},
		{Name: "web", Path: "web", TagPrefix: "web/v", VersionFiles: []string{"web/package.json"}},
	}}
	p, err := releasepr.Plan(ctx, req)
	require.NoError(t, err)
	require.Len(t, p.Releases, 1, "web has no change")
	assert.Equal(t, "api/v0.4.1", p.Releases[0].Tag)
	assert.Equal(t, "chore(release): api/v0.4.1", p.Title)
	require.Len(t, p.Edits, 1)
	assert.Equal(t, "package api\n\nconst Version = \"0.4.1\"\n", string(p.Edits[0].After))

	// Merged: the api tag is pending, the web component is untouched.
	merged := merge(t, g, p, 3)
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", req.Components)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Pending{{Commit: merged, Component: "api", Version: "0.4.1", Tag: "api/v0.4.1"}}, pending)
}

func TestPlanRefused(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	for name, req := range map[string]releasepr.Request{
		"no base":         {Repo: g.GoGit(t), Components: []releasepr.Component{{}}},
		"unknown base":    {Repo: g.GoGit(t), Base: "develop", Components: []releasepr.Component{{}}},
		"no component":    {Repo: g.GoGit(t), Base: "main"},
		"missing file":    {Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{VersionFiles: []string{"pom.xml"}}}},
		"file outside":    {Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{VersionFiles: []string{"../x/package.json"}}}},
		"unnamed of many": {Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{}, {Name: "b"}}},
		"twice":           {Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{Name: "a"}, {Name: "a"}}},
	} {
		_, err := releasepr.Plan(ctx, req)
		assert.ErrorIs(t, err, releasepr.ErrConfig, name)
	}
	// A version file the updater cannot edit stops the plan.
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "x"), nil, 0o644))
	g.CommitFiles("fix: y", map[string]string{"Chart.yaml": "version: |\n  1.2.0\n"})
	_, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{VersionFiles: []string{"Chart.yaml"}}}})
	assert.Error(t, err)
	assert.Contains(t, err.Error(), "Chart.yaml")
}

func TestParseBodyRefused(t *testing.T) {
	const open = "x\n<!-- releasekit:plan\n"
	for _, c := range []struct {
		name, body string
		reason     string // "" for ErrNoPlan
	}{
		{"empty", "", ""},
		{"no block", "no block", ""},
		{"not closed", "<!-- releasekit:plan\n{\"base\": \"main\"", "block not closed"},
		{"closed mid-line", open + "{\"base\": \"main\"}\n--> x\n", "block not closed"},
		{"wrong type", "<!-- releasekit:plan\n{\"base\": 1}\n-->\n", "not a plan"},
		{"unknown key", "<!-- releasekit:plan\n{\"bse\": \"main\"}\n-->\n", "not a plan"},
		{"duplicate key", open + `{"base":"main","base_commit":"abc","releases":[],"base":"evil"}` + "\n-->\n", "a key given twice"},
		{"duplicate key in another case", open + `{"base":"main","base_commit":"abc","releases":[],"Base":"evil"}` + "\n-->\n", "a key given twice"},
		{"duplicate key in a release", open + `{"base":"main","base_commit":"abc","releases":[{"tag":"v1.3.0","version":"1.3.0","tag":"v9.9.9","commits":1}]}` + "\n-->\n", "a key given twice"},
		{"trailing value", open + `{"base":"main","base_commit":"abc","releases":[]} {"base":"evil"}` + "\n-->\n", "data after the plan"},
		{"two values", open + `{"base":"main","base_commit":"abc","releases":[]}` + "\n[]\n-->\n", "data after the plan"},
	} {
		t.Run(c.name, func(t *testing.T) {
			base, commit, rels, err := releasepr.ParseBody(c.body)
			assert.Empty(t, base)
			assert.Empty(t, commit)
			assert.Nil(t, rels)
			if c.reason == "" {
				require.ErrorIs(t, err, releasepr.ErrNoPlan)
				return
			}
			var be *releasepr.BodyError
			require.True(t, errors.As(err, &be), "%v", err)
			assert.Equal(t, c.reason, be.Reason)
			assert.NotErrorIs(t, err, releasepr.ErrNoPlan)
		})
	}
}

// GitHub's web editor saves a body it edited with CRLF line endings, and
// an editor may drop the final line break: the plan reads the same.
func TestParseBodyEdited(t *testing.T) {
	p, err := releasepr.Plan(context.Background(), request(shop(t), t))
	require.NoError(t, err)
	base, commit, rels, err := releasepr.ParseBody(p.Body)
	require.NoError(t, err)
	require.Len(t, rels, 1)
	for name, body := range map[string]string{
		"crlf":                      strings.ReplaceAll(p.Body, "\n", "\r\n"),
		"no final line break":       strings.TrimSuffix(p.Body, "\n"),
		"crlf, no final line break": strings.TrimSuffix(strings.ReplaceAll(p.Body, "\n", "\r\n"), "\r\n"),
	} {
		b, c, r, err := releasepr.ParseBody(body)
		require.NoError(t, err, name)
		assert.Equal(t, base, b, name)
		assert.Equal(t, commit, c, name)
		assert.Equal(t, rels, r, name)
	}
}

func TestNotesAndPRNumber(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	merged := merge(t, g, p, 14)
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	require.Len(t, pending, 1)
	notes, err := releasepr.Notes(ctx, g.GoGit(t), pending[0], releasepr.Component{}, day)
	require.NoError(t, err)
	assert.Contains(t, notes, "v1.3.0")
	assert.Contains(t, notes, "pay by invoice")
	assert.Contains(t, notes, "rounding")
	assert.NotContains(t, notes, "first", "the previous release's changes are not repeated")

	// Tagged (a run that died after tagging, finished by the next): the
	// notes are the ones it had while pending, not an empty range from
	// its own tag.
	g.AnnotatedTag("v1.3.0", merged, "Release v1.3.0")
	released, err := releasepr.Released(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	require.Equal(t, pending, released)
	again, err := releasepr.Notes(ctx, g.GoGit(t), released[0], releasepr.Component{}, day)
	require.NoError(t, err)
	assert.Equal(t, notes, again)
	// A later release's notes start at v1.3.0.
	g.CommitFiles("feat: wishlist (#15)", map[string]string{"app/wish.php": "<?php\n"})
	p2, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	require.Equal(t, "chore(release): v1.4.0", p2.Title)
	g.Git("branch", "-D", p2.Branch)
	next := merge(t, g, p2, 16)
	later, err := releasepr.Notes(ctx, g.GoGit(t), releasepr.Pending{Commit: next, Version: "1.4.0", Tag: "v1.4.0"}, releasepr.Component{}, day)
	require.NoError(t, err)
	assert.Contains(t, later, "wishlist")
	assert.NotContains(t, later, "pay by invoice")
	// A release that is not after the release before it has no notes.
	_, err = releasepr.Notes(ctx, g.GoGit(t), releasepr.Pending{Commit: next, Version: "1.3.0", Tag: "v1.3.0"}, releasepr.Component{}, day)
	assert.ErrorContains(t, err, "the previous release v1.3.0 is not before it")

	msg := g.Git("log", "-1", "--format=%B", merged)
	n, ok := releasepr.PRNumber(msg)
	assert.True(t, ok)
	assert.Equal(t, 14, n)
	for _, m := range []string{"chore(release): v1.3.0", "x (#)", "x (#0)", "x (#99999999999999999999)"} {
		_, ok := releasepr.PRNumber(m)
		assert.False(t, ok, m)
	}
}

// A subject is only a claim: a pull request titled "chore(release):
// v9.9.9" (squash merge makes the title the subject), or a direct push,
// is not a release PR when its tree does not carry the version. It is
// never pending, and Plan reports it.
func TestFindCraftedSubjectIsNotARelease(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	crafted := g.CommitFiles("chore(release): v9.9.9 (#66)", map[string]string{"app/evil.php": "<?php\n"})
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Empty(t, pending, "a commit that only claims a release in its subject is released")
	skipped, err := releasepr.Skipped(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Skip{{Commit: crafted, Tag: "v9.9.9", Reason: "version file composer.json holds 1.2.0"}}, skipped)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StateOpen, p.State)
	assert.Equal(t, skipped, p.Skipped)
}

// A crafted release commit whose files do carry the version, but whose
// version does not follow the latest release, is not released either.
func TestFindCraftedSubjectOlderVersion(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	g.CommitFiles("chore(release): v0.0.1", map[string]string{"app/evil.php": "<?php\n"})
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Empty(t, pending, "v0.0.1 would be tagged after v1.2.0")

	older := g.CommitFiles("chore(release): v1.1.9", map[string]string{
		"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.1.9\"\n}\n",
		"package.json":  "{\"version\": \"1.1.9\"}\n",
		"CHANGELOG.md":  "# Changelog\n\n## v1.1.9\n\n## v1.2.0\n\n- first\n",
	})
	pending, err = releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Empty(t, pending, "v1.1.9 would be tagged after v1.2.0")
	skipped, err := releasepr.Skipped(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	require.NotEmpty(t, skipped)
	assert.Equal(t, releasepr.Skip{Commit: older, Tag: "v1.1.9", Reason: "not after the latest release v1.2.0"}, skipped[0])
}

// A crafted subject naming a tag that exists on another commit does not
// block every later run with ErrTagElsewhere: it carries no release.
func TestFindCraftedSubjectNamingExistingTag(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	g.CommitFiles("chore(release): v1.2.0 (#70)", map[string]string{"app/evil.php": "<?php\n"})
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StateOpen, p.State)
	require.Len(t, p.Skipped, 1)
	assert.Equal(t, "v1.2.0", p.Skipped[0].Tag)
}

// A component without version files carries its version in its
// changelog: the release commit must add the tag's section.
func TestFindChangelogOnlyComponent(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	comps := []releasepr.Component{{TagPrefix: "v", Changelog: "CHANGELOG.md"}}
	g.CommitFiles("chore(release): v1.3.0 (#71)", map[string]string{"app/evil.php": "<?php\n"})
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Empty(t, pending, "no new changelog section")

	p, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: comps})
	require.NoError(t, err)
	merged := merge(t, g, p, 72)
	pending, err = releasepr.Find(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Pending{{Commit: merged, Version: "1.3.0", Tag: "v1.3.0"}}, pending)

	// Neither version files nor a changelog: nothing could carry the
	// version, so Plan refuses the component and Find recognises nothing.
	_, err = releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Components: []releasepr.Component{{}}})
	assert.ErrorIs(t, err, releasepr.ErrConfig)
	pending, err = releasepr.Find(ctx, g.GoGit(t), "main", []releasepr.Component{{}})
	require.NoError(t, err)
	assert.Empty(t, pending)
}

// Two components released by separate PRs (relctl release-pr
// --component). web's release PR is merged and the bot misses it; api's
// release PR is merged and released after it. The web release is still
// found: the search stops per component.
func TestFindOtherComponentReleaseDoesNotHidePending(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	comps := []releasepr.Component{{Name: "api", TagPrefix: "api-v", Changelog: "api/CHANGELOG.md"}, {Name: "web", TagPrefix: "web-v", Changelog: "web/CHANGELOG.md"}}
	g.AnnotatedTag("api-v1.0.0", "HEAD", "r")
	g.AnnotatedTag("web-v1.0.0", "HEAD", "r")
	g.CommitFiles("feat: x", map[string]string{"web/a": "1"})
	webRel := g.CommitFiles("chore(release): web-v1.1.0 (#20)", map[string]string{"web/CHANGELOG.md": "## web-v1.1.0\n"})
	g.CommitFiles("feat: y", map[string]string{"api/a": "1"})
	apiRel := g.CommitFiles("chore(release): api-v1.1.0 (#21)", map[string]string{"api/CHANGELOG.md": "## api-v1.1.0\n"})
	g.AnnotatedTag("api-v1.1.0", apiRel, "r")
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", comps)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Pending{{Commit: webRel, Component: "web", Version: "1.1.0", Tag: "web-v1.1.0"}}, pending)
}

// A commit whose release subject names no configured component does not
// stop the search: an older merged release PR is still found.
func TestFindForeignSubjectDoesNotHidePending(t *testing.T) {
	ctx := context.Background()
	g := shop(t)
	p, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	merged := merge(t, g, p, 14)
	g.CommitFiles("chore(release): docs refresh", map[string]string{"README": "x"})
	pending, err := releasepr.Find(ctx, g.GoGit(t), "main", request(g, t).Components)
	require.NoError(t, err)
	assert.Equal(t, []releasepr.Pending{{Commit: merged, Version: "1.3.0", Tag: "v1.3.0"}}, pending)
	again, err := releasepr.Plan(ctx, request(g, t))
	require.NoError(t, err)
	assert.Equal(t, releasepr.StatePending, again.State, "no second release PR for the same version")
}

// A version file must hold the version of the component's latest release
// (pre-releases included) before the release PR changes it: a value that
// is not the release's version (a marked line's version followed by a
// file name) or a file not kept with the releases is refused with the
// file, what it holds and what was expected, and nothing is planned.
func TestPlanVersionFileHoldsTheLatestRelease(t *testing.T) {
	ctx := context.Background()
	t.Run("marked line with a file name", func(t *testing.T) {
		g := gittest.New(t)
		g.CommitFiles("feat: first", map[string]string{
			"INSTALL.md": "curl -LO https://dl.example/app-1.2.0-linux-amd64 # x-releasekit-version\n",
		})
		g.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
		g.CommitFiles("fix: rounding", map[string]string{"tax.php": "<?php\n"})
		_, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day,
			Components: []releasepr.Component{{VersionFiles: []string{"INSTALL.md"}}}})
		require.ErrorIs(t, err, releasepr.ErrConfig)
		assert.Equal(t, "releasepr: invalid request: INSTALL.md holds 1.2.0-linux-amd64, the latest release of the component is 1.2.0 (tag v1.2.0):"+
			" the version file must hold the version of the latest release before a release PR changes it (line 1)", err.Error())
	})
	t.Run("marked line with a file extension", func(t *testing.T) {
		g := gittest.New(t)
		g.CommitFiles("feat: first", map[string]string{
			"INSTALL.md": "curl -LO https://dl.example/app-1.2.0-linux-amd64.tar.gz # x-releasekit-version\n",
		})
		g.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
		g.CommitFiles("fix: rounding", map[string]string{"tax.php": "<?php\n"})
		_, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day,
			Components: []releasepr.Component{{VersionFiles: []string{"INSTALL.md"}}}})
		require.ErrorIs(t, err, versionfile.ErrAmbiguous)
		assert.Contains(t, err.Error(), "INSTALL.md")
		assert.Contains(t, err.Error(), "ends in the file extension .gz")
	})
	t.Run("manifest out of step", func(t *testing.T) {
		g := shop(t)
		g.CommitFiles("chore: edit by hand", map[string]string{
			"composer.json": "{\n    \"name\": \"shop/app\",\n    \"version\": \"1.2.0-linux-amd64.tar.gz\"\n}\n",
		})
		_, err := releasepr.Plan(ctx, request(g, t))
		require.ErrorIs(t, err, releasepr.ErrConfig)
		assert.Contains(t, err.Error(), "composer.json holds 1.2.0-linux-amd64.tar.gz, the latest release of the component is 1.2.0 (tag v1.2.0)")
	})
	t.Run("named component after a pre-release", func(t *testing.T) {
		g := gittest.New(t)
		g.CommitFiles("feat(api): first", map[string]string{"api/version.go": "package api\n\nconst Version = \"1.2.0\"\n"})
		g.AnnotatedTag("api/v1.2.0", "HEAD", "api")
		g.CommitFiles("feat(api): more", map[string]string{"api/h.go": "package api\n", "api/version.go": "package api\n\nconst Version = \"1.3.0-beta.1\"\n"})
		g.AnnotatedTag("api/v1.3.0-beta.1", "HEAD", "api beta")
		g.CommitFiles("fix(api): timeout", map[string]string{"api/t.go": "package api\n"})
		comp := releasepr.Component{Name: "api", Path: "api", TagPrefix: "api/v", VersionFiles: []string{"api/version.go"}}
		p, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: []releasepr.Component{comp}})
		require.NoError(t, err, "the file holds the latest release, a pre-release")
		require.Len(t, p.Edits, 1)
		assert.Equal(t, "package api\n\nconst Version = \"1.3.0\"\n", string(p.Edits[0].After))

		g.CommitFiles("fix(api): revert the version", map[string]string{"api/version.go": "package api\n\nconst Version = \"1.2.0\"\n"})
		_, err = releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day, Components: []releasepr.Component{comp}})
		require.ErrorIs(t, err, releasepr.ErrConfig)
		assert.Contains(t, err.Error(), `api/version.go holds 1.2.0, the latest release of component "api" is 1.3.0-beta.1 (tag api/v1.3.0-beta.1)`)
	})
	t.Run("no release yet", func(t *testing.T) {
		g := gittest.New(t)
		g.CommitFiles("feat: first", map[string]string{"package.json": "{\"version\": \"0.0.0-development\"}\n"})
		p, err := releasepr.Plan(ctx, releasepr.Request{Repo: g.GoGit(t), Base: "main", Now: day,
			Components: []releasepr.Component{{VersionFiles: []string{"package.json"}}}})
		require.NoError(t, err, "no release to compare with: the first one replaces whatever the file holds")
		require.Len(t, p.Releases, 1)
		require.Len(t, p.Edits, 1)
		assert.Equal(t, "{\"version\": \""+p.Releases[0].Version+"\"}\n", string(p.Edits[0].After))
	})
}
