package gitea_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
	"github.com/releasekit/releasekit/internal/testkit/giteatest"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/semver"
)

var day = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

// shop is seed 000's repository on the server: a Magento 2 application
// whose composer.json carries the version, released as v1.2.0.
type shop struct {
	s   *giteatest.Server
	dev *gittest.Repo // the developer's clone
	bot *gittest.Repo // the release bot's clone
	// As each user, the forge.
	asDev, asBot *gitea.Forge
	// read is the bot's forge with one item a page: every list is paged.
	read *gitea.Forge
}

func newForge(t *testing.T, s *giteatest.Server, u giteatest.User, opts ...gitea.Option) *gitea.Forge {
	t.Helper()
	f, err := gitea.New(s.URL, s.Owner, s.Repo, u.Token, opts...)
	require.NoError(t, err)
	return f
}

func setUp(t *testing.T) *shop {
	s := giteatest.Start(t)
	// The bot reads its token from the environment, as in CI.
	t.Setenv("RELEASEKIT_GITEA_TOKEN", s.Bot.Token)
	token, from, err := forge.Token("gitea")
	require.NoError(t, err)
	require.Equal(t, "RELEASEKIT_GITEA_TOKEN", from)
	bot, err := gitea.New(s.URL, s.Owner, s.Repo, token)
	require.NoError(t, err)
	sh := &shop{s: s, asDev: newForge(t, s, s.Developer), asBot: bot, read: newForge(t, s, s.Bot, gitea.WithPageSize(1))}
	sh.dev = gittest.New(t)
	sh.dev.CommitFiles("feat: the shop ABC-0", map[string]string{
		"composer.json":      "{\n    \"name\": \"shop/magento\",\n    \"type\": \"project\",\n    \"version\": \"1.2.0\",\n    \"require\": {\n        \"magento/product-community-edition\": \"2.4.7\"\n    }\n}\n",
		"CHANGELOG.md":       "# Changelog\n\n## v1.2.0\n\n- the shop\n",
		"app/etc/config.php": "<?php\nreturn [];\n",
	})
	sh.dev.AnnotatedTag("v1.2.0", "HEAD", "Release v1.2.0")
	sh.dev.Git("push", s.CloneURL(s.Developer), "main", "v1.2.0")
	s.WaitBranch(t, "main", sh.dev.RevParse("main"))
	// main is protected: pull requests only, one approval, ci/test green.
	s.API(t, s.Admin, "POST", "/repos/shop/magento/branch_protections", map[string]any{
		"rule_name": "main", "enable_push": false, "required_approvals": 1,
		"enable_status_check": true, "status_check_contexts": []string{"ci/test"},
	}, nil)
	sh.bot = gittest.New(t)
	sh.bot.Git("remote", "add", "origin", s.CloneURL(s.Bot))
	return sh
}

// feature pushes branch with one commit by the developer and opens its
// pull request, as the developer, through the forge.
func (sh *shop) feature(t *testing.T, branch, msg string, files map[string]string) forge.PullRequest {
	t.Helper()
	sh.dev.Git("fetch", sh.s.CloneURL(sh.s.Developer), "+main:refs/remotes/origin/main")
	sh.dev.Git("checkout", "-B", branch, "origin/main")
	sh.dev.CommitFiles(msg, files)
	sh.dev.Git("push", "-f", sh.s.CloneURL(sh.s.Developer), branch)
	head := sh.dev.RevParse("HEAD")
	sh.s.WaitBranch(t, branch, head)
	title, _, _ := strings.Cut(msg, "\n")
	pr, err := sh.asDev.OpenPullRequest(t.Context(), forge.NewPullRequest{Head: branch, Base: "main", Title: title, Body: "Refs: ABC-1"})
	require.NoError(t, err)
	require.Equal(t, head, pr.HeadSHA)
	return pr
}

// approveAndMerge has CI pass the head, the reviewers approve it, and the
// reviewer squash-merge it with the title kept ("title (#N)").
func (sh *shop) approveAndMerge(t *testing.T, pr forge.PullRequest, reviewers ...giteatest.User) {
	t.Helper()
	sh.approveAndMergeAs(t, "squash", pr, reviewers...)
}

func (sh *shop) approveAndMergeAs(t *testing.T, style string, pr forge.PullRequest, reviewers ...giteatest.User) {
	t.Helper()
	require.NoError(t, sh.asBot.SetCommitStatus(t.Context(), pr.HeadSHA, forge.CommitStatus{Context: "ci/test", State: forge.CheckSuccess, Description: "tests passed"}))
	for _, r := range reviewers {
		sh.s.API(t, r, "POST", fmt.Sprintf("/repos/shop/magento/pulls/%d/reviews", pr.Number),
			map[string]any{"event": "APPROVED", "body": "LGTM", "commit_id": pr.HeadSHA}, nil)
	}
	sh.s.Merge(t, sh.s.Reviewer, pr.Number, map[string]any{
		"Do": style, "MergeTitleField": pr.Title + " (#" + strconv.Itoa(pr.Number) + ")", "MergeMessageField": "",
		"head_commit_id": pr.HeadSHA,
	})
}

// run is one run of the release bot on main: from git alone, release
// what a merged release PR left pending (tag, forge release with notes,
// status comment, labels), or open or update the release PR. It returns
// what it did.
func (sh *shop) run(t *testing.T, channel semver.Channel) (releasepr.ReleasePlan, []forge.Release) {
	t.Helper()
	ctx := t.Context()
	b := sh.bot
	b.Git("fetch", "--tags", "--force", "origin", "+refs/heads/main:refs/remotes/origin/main")
	b.Git("checkout", "-f", "--detach", "origin/main")
	b.Git("branch", "-f", "main", "origin/main")
	comps := []releasepr.Component{{VersionFiles: []string{"composer.json"}, Changelog: "CHANGELOG.md", Channel: channel}}
	repo := b.GoGit(t)
	plan, err := releasepr.Plan(ctx, releasepr.Request{Repo: repo, Base: "main", Components: comps, Now: day})
	require.NoError(t, err)
	var made []forge.Release
	switch plan.State {
	case releasepr.StatePending:
		pending, err := releasepr.Find(ctx, repo, "main", comps)
		require.NoError(t, err)
		require.Equal(t, plan.Pending, pending)
		for _, pd := range pending {
			msg := b.Git("log", "-1", "--format=%s", pd.Commit)
			m := regexp.MustCompile(`\(#([0-9]+)\)$`).FindStringSubmatch(strings.TrimSpace(msg))
			require.NotNil(t, m, "release commit %q names its pull request", msg)
			number, _ := strconv.Atoi(m[1])
			b.AnnotatedTag(pd.Tag, pd.Commit, "Release "+pd.Tag)
			b.Git("push", "origin", "refs/tags/"+pd.Tag)
			v, err := semver.Parse(pd.Version)
			require.NoError(t, err)
			rel, err := sh.asBot.CreateRelease(ctx, forge.NewRelease{Tag: pd.Tag, Name: pd.Tag, Notes: notes(t, b, pd.Commit, pd.Tag),
				Prerelease: v.Prerelease() != "", Assets: []forge.Asset{{Name: "composer.json", ContentType: "application/json", Data: []byte(b.Git("show", pd.Commit+":composer.json"))}}})
			require.NoError(t, err)
			made = append(made, rel)
			_, err = sh.asBot.Comment(ctx, number, fmt.Sprintf(":rocket: Released **%s**: %s", pd.Tag, rel.URL))
			require.NoError(t, err)
			require.NoError(t, sh.asBot.SetLabels(ctx, number, []string{releasepr.LabelTagged}))
		}
	case releasepr.StateOpen:
		b.Git("checkout", "-B", plan.Branch, "main")
		files := map[string]string{}
		for _, e := range plan.Edits {
			files[e.Path] = string(e.After)
		}
		b.CommitFiles(plan.Title, files)
		b.Git("push", "-f", "origin", plan.Branch)
		head := b.RevParse("HEAD")
		b.Git("checkout", "--detach", "main")
		sh.s.WaitBranch(t, plan.Branch, head)
		pr, err := sh.asBot.OpenPullRequest(ctx, forge.NewPullRequest{Head: plan.Branch, Base: "main", Title: plan.Title, Body: plan.Body, Labels: plan.Labels})
		require.NoError(t, err)
		sh.s.WaitPull(t, pr.Number, head)
	}
	return plan, made
}

// notes is the changelog section of tag in CHANGELOG.md at commit.
func notes(t *testing.T, b *gittest.Repo, commit, tag string) string {
	t.Helper()
	cl := b.Git("show", commit+":CHANGELOG.md")
	loc := regexp.MustCompile(`(?m)^## \[?` + regexp.QuoteMeta(tag) + `[\] (\n]`).FindStringIndex(cl)
	require.NotNil(t, loc, "CHANGELOG.md has %s:\n%s", tag, cl)
	sec := cl[loc[0]:]
	if j := strings.Index(sec[3:], "\n## "); j >= 0 {
		sec = sec[:j+4]
	}
	return strings.TrimSpace(sec)
}

// apiRelease is what Gitea's API says of a release.
type apiRelease struct {
	TagName    string `json:"tag_name"`
	Body       string `json:"body"`
	Prerelease bool   `json:"prerelease"`
	Assets     []struct {
		Name string `json:"name"`
	} `json:"assets"`
}

type apiIssue struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	Body   string `json:"body"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

type apiPull struct {
	Number int    `json:"number"`
	Title  string `json:"title"`
	State  string `json:"state"`
	Merged bool   `json:"merged"`
	Head   struct {
		Ref string `json:"ref"`
	} `json:"head"`
	Labels []struct {
		Name string `json:"name"`
	} `json:"labels"`
}

func labelNames(p apiPull) []string {
	var out []string
	for _, l := range p.Labels {
		out = append(out, l.Name)
	}
	return out
}

// TestSeed000 plays seed 000's release flow on a real Gitea and checks
// every step through Gitea's API: a feature PR merged after approval, the
// pre-release PR opened by the bot and merged, the beta published with
// its notes and the status comment, the release PR, a missed run healed
// once and only once, the final release and the deployment status issue.
func TestSeed000(t *testing.T) {
	ctx := t.Context()
	sh := setUp(t)
	s := sh.s

	// 1. The feature PR, approved by two reviewers at its head, merged
	// (squash). mallory, who has no write access to the public
	// repository, approves it too: Gitea takes the review but not as
	// official, and it counts for nothing.
	feat := sh.feature(t, "feature/ABC-1-invoice", "feat(invoice): export invoices as PDF\n\nRefs: ABC-1",
		map[string]string{"app/code/Shop/Invoice/Pdf.php": "<?php\n// invoice PDF\n"})
	mallory := s.CreateUser(t, "mallory")
	s.API(t, mallory, "POST", fmt.Sprintf("/repos/shop/magento/pulls/%d/reviews", feat.Number),
		map[string]any{"event": "APPROVED", "body": "LGTM", "commit_id": feat.HeadSHA}, nil)
	sh.approveAndMerge(t, feat, s.Reviewer, s.Reviewer2)
	facts, err := sh.read.PullRequest(ctx, feat.Number)
	require.NoError(t, err)
	assert.Equal(t, forge.StateMerged, facts.State)
	assert.Equal(t, "ada", facts.Author)
	assert.Equal(t, "feature/ABC-1-invoice", facts.Head)
	assert.Equal(t, "main", facts.Base)
	assert.Equal(t, "shop/magento", facts.HeadRepository)
	assert.Equal(t, "shop/magento", facts.BaseRepository)
	assert.Equal(t, feat.HeadSHA, facts.HeadSHA)
	assert.Equal(t, "squash", facts.MergeMethod)
	assert.Equal(t, []string{feat.HeadSHA}, facts.Commits)
	assert.Equal(t, []string{"app/code/Shop/Invoice/Pdf.php"}, facts.ChangedFiles)
	assert.Equal(t, []forge.Check{{Name: "ci/test", Outcome: forge.CheckSuccess, Required: true}}, facts.Checks)
	require.Len(t, facts.Reviews, 3, "read one page at a time")
	official := map[string]bool{}
	for _, r := range facts.Reviews {
		assert.Equal(t, policy.ReviewApproved, r.State)
		assert.Equal(t, feat.HeadSHA, r.CommitID)
		official[r.User] = r.CanApprove
	}
	assert.Equal(t, map[string]bool{"ben": true, "cleo": true, "mallory": false}, official,
		"ben and cleo are collaborators with write access: their reviews are official")
	sh.dev.Git("fetch", s.CloneURL(s.Developer), "+main:refs/remotes/origin/main")
	assert.Equal(t, sh.dev.RevParse("origin/main"), facts.MergeSHA)
	assert.Equal(t, "feat(invoice): export invoices as PDF (#1)", strings.TrimSpace(sh.dev.Git("log", "-1", "--format=%s", "origin/main")))

	// The policy reads those facts: the head branch is named after an
	// issue, the author did not approve, and two approvals are at the head.
	pf := facts.Facts()
	assert.ElementsMatch(t, []string{"ben", "cleo"}, pf.Approvers)
	for _, c := range []policy.Control{policy.BranchNames{}, policy.SeparationOfDuties{}, policy.ReviewApprovals{}} {
		res := c.Evaluate(ctx, policy.Facts{Now: day, PullRequest: pf, Branches: []string{pf.Head}})
		assert.Equal(t, policy.Pass, res.Status, "%s: %s", c.Meta().ID, res.Reason)
	}

	// 2. The bot's first run opens the pre-release PR, labelled pending,
	// its branch carrying the plan's edits; a second run updates it.
	plan, made := sh.run(t, semver.Beta)
	require.Equal(t, releasepr.StateOpen, plan.State)
	require.Empty(t, made)
	assert.Equal(t, "chore(release): v1.3.0-beta.1", plan.Title)
	plan2, _ := sh.run(t, semver.Beta)
	assert.Equal(t, plan.Title, plan2.Title)
	var open []apiPull
	s.API(t, s.Bot, "GET", "/repos/shop/magento/pulls?state=open", nil, &open)
	require.Len(t, open, 1, "a run that finds the release PR open updates it")
	beta := open[0]
	assert.Equal(t, plan.Title, beta.Title)
	assert.Equal(t, releasepr.BranchPrefix+"main", beta.Head.Ref)
	assert.Equal(t, []string{releasepr.LabelPending}, labelNames(beta))
	var file struct {
		Content string `json:"content"`
	}
	s.API(t, s.Bot, "GET", "/repos/shop/magento/contents/composer.json?ref="+beta.Head.Ref, nil, &file)
	composer, err := base64.StdEncoding.DecodeString(file.Content)
	require.NoError(t, err)
	assert.Contains(t, string(composer), "\"version\": \"1.3.0-beta.1\",")
	assert.Contains(t, string(composer), "\"magento/product-community-edition\": \"2.4.7\"")

	// 3. Merged (squash, title kept); the next run finds it pending and
	// releases it: tag, pre-release with notes, status comment, labels.
	betaPR, err := sh.read.PullRequest(ctx, beta.Number)
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"composer.json", "CHANGELOG.md"}, betaPR.ChangedFiles)
	assert.Equal(t, "release-bot", betaPR.Author)
	sh.approveAndMerge(t, betaPR, s.Reviewer)
	plan, made = sh.run(t, semver.Beta)
	require.Equal(t, releasepr.StatePending, plan.State)
	require.Len(t, made, 1)
	assert.False(t, made[0].Existed)
	var rel apiRelease
	s.API(t, s.Bot, "GET", "/repos/shop/magento/releases/tags/v1.3.0-beta.1", nil, &rel)
	assert.True(t, rel.Prerelease)
	assert.Contains(t, rel.Body, "## v1.3.0-beta.1")
	assert.Contains(t, rel.Body, "export invoices as PDF")
	require.Len(t, rel.Assets, 1)
	assert.Equal(t, "composer.json", rel.Assets[0].Name)
	var comments []struct {
		Body string `json:"body"`
		User struct {
			Login string `json:"login"`
		} `json:"user"`
	}
	s.API(t, s.Bot, "GET", fmt.Sprintf("/repos/shop/magento/issues/%d/comments", beta.Number), nil, &comments)
	require.Len(t, comments, 1)
	assert.Equal(t, "release-bot", comments[0].User.Login)
	assert.Contains(t, comments[0].Body, "Released **v1.3.0-beta.1**")
	var merged apiPull
	s.API(t, s.Bot, "GET", fmt.Sprintf("/repos/shop/magento/pulls/%d", beta.Number), nil, &merged)
	assert.True(t, merged.Merged)
	assert.Equal(t, []string{releasepr.LabelTagged}, labelNames(merged))
	assert.Equal(t, http200, s.Status(t, s.Bot, "GET", "/repos/shop/magento/tags/v1.3.0-beta.1", nil))

	// 4. The release PR for v1.3.0 (no channel): opened, merged, and the
	// bot's run after the merge is missed.
	plan, _ = sh.run(t, "")
	require.Equal(t, releasepr.StateOpen, plan.State)
	assert.Equal(t, "chore(release): v1.3.0", plan.Title)
	final, found, err := sh.asBot.FindPullRequest(ctx, plan.Branch, "main")
	require.NoError(t, err)
	require.True(t, found)
	assert.Equal(t, plan.Title, final.Title)
	// The merged pre-release PR keeps its own head, approvals and checks,
	// though its branch now carries the release PR's commit.
	require.NotEqual(t, betaPR.HeadSHA, final.HeadSHA)
	betaAfter, err := sh.read.PullRequest(ctx, beta.Number)
	require.NoError(t, err)
	assert.Equal(t, betaPR.HeadSHA, betaAfter.HeadSHA)
	assert.Equal(t, []string{"ben"}, betaAfter.Facts().Approvers)
	assert.Equal(t, []forge.Check{{Name: "ci/test", Outcome: forge.CheckSuccess, Required: true}}, betaAfter.Checks)
	sh.approveAndMerge(t, final, s.Reviewer)

	// 5. The next run heals it: one tag, one release; later runs make none.
	plan, made = sh.run(t, "")
	require.Equal(t, releasepr.StatePending, plan.State)
	require.Len(t, made, 1)
	for range 2 {
		plan, made = sh.run(t, "")
		assert.Equal(t, releasepr.StateNone, plan.State)
		assert.Empty(t, made)
	}
	again, err := sh.asBot.CreateRelease(ctx, forge.NewRelease{Tag: "v1.3.0", Notes: "twice"})
	require.NoError(t, err)
	assert.True(t, again.Existed, "a release of the tag is never made twice")
	var releases []apiRelease
	s.API(t, s.Bot, "GET", "/repos/shop/magento/releases", nil, &releases)
	var tags []string
	for _, r := range releases {
		tags = append(tags, r.TagName)
	}
	assert.ElementsMatch(t, []string{"v1.3.0", "v1.3.0-beta.1"}, tags)
	s.API(t, s.Bot, "GET", "/repos/shop/magento/releases/tags/v1.3.0", nil, &rel)
	assert.False(t, rel.Prerelease)
	assert.Contains(t, rel.Body, "## v1.3.0")
	assert.NotContains(t, rel.Body, "twice")
	var gtags []struct {
		Name string `json:"name"`
	}
	s.API(t, s.Bot, "GET", "/repos/shop/magento/tags", nil, &gtags)
	var names []string
	for _, g := range gtags {
		names = append(names, g.Name)
	}
	assert.ElementsMatch(t, []string{"v1.2.0", "v1.3.0-beta.1", "v1.3.0"}, names)

	// 6. The deployment: a deployment status on v1.3.0 and the status
	// report issue, opened then updated. mallory opened an issue with
	// that title first: it is left alone, and the bot opens its own.
	require.NoError(t, sh.asBot.SetDeploymentStatus(ctx, forge.DeploymentStatus{Ref: "v1.3.0", Environment: "production", State: forge.DeploySuccess, Description: "v1.3.0 live"}))
	var planted struct {
		Number int `json:"number"`
	}
	s.API(t, mallory, "POST", "/repos/shop/magento/issues", map[string]any{"title": "Deployment status", "body": "production: v6.6.6"}, &planted)
	issue, err := sh.asBot.UpsertIssue(ctx, forge.NewIssue{Title: "Deployment status", Body: "staging: v1.3.0-beta.1", Labels: []string{"deployment"}})
	require.NoError(t, err)
	assert.True(t, issue.Created)
	assert.NotEqual(t, planted.Number, issue.Number)
	// A title with spaces around it (a value from a YAML variable) is the
	// title Gitea keeps, trimmed: the same issue, not a new one each run.
	issue2, err := sh.asBot.UpsertIssue(ctx, forge.NewIssue{Title: " Deployment status ", Body: "staging: v1.3.0-beta.1\nproduction: v1.3.0", Labels: []string{"deployment", "production"}})
	require.NoError(t, err)
	assert.False(t, issue2.Created)
	assert.Equal(t, issue.Number, issue2.Number)
	var issues []apiIssue
	s.API(t, s.Bot, "GET", "/repos/shop/magento/issues?type=issues&state=open", nil, &issues)
	require.Len(t, issues, 2)
	slices.SortFunc(issues, func(a, b apiIssue) int { return a.Number - b.Number })
	assert.Equal(t, planted.Number, issues[0].Number)
	assert.Equal(t, "production: v6.6.6", issues[0].Body, "mallory's issue is left alone")
	assert.Equal(t, issue.Number, issues[1].Number)
	assert.Equal(t, "staging: v1.3.0-beta.1\nproduction: v1.3.0", issues[1].Body)
	var ln []string
	for _, l := range issues[1].Labels {
		ln = append(ln, l.Name)
	}
	assert.ElementsMatch(t, []string{"deployment", "production"}, ln)
	var statuses []struct {
		Context string `json:"context"`
		Status  string `json:"status"`
	}
	s.API(t, s.Bot, "GET", "/repos/shop/magento/commits/v1.3.0/statuses", nil, &statuses)
	require.NotEmpty(t, statuses)
	assert.Equal(t, "deploy/production", statuses[0].Context)
	assert.Equal(t, "success", statuses[0].Status)

	// 7. A PR from a branch that follows no naming rule fails REL-BRANCH-001.
	quick := sh.feature(t, "my-quick-fix", "fix: typo", map[string]string{"app/etc/config.php": "<?php\nreturn ['x'];\n"})
	qf, err := sh.read.PullRequest(ctx, quick.Number)
	require.NoError(t, err)
	assert.Equal(t, forge.StateOpen, qf.State)
	assert.Equal(t, []forge.Check{{Name: "ci/test", Outcome: forge.CheckPending, Required: true}}, qf.Checks, "a required check not run yet")
	res := policy.BranchNames{}.Evaluate(ctx, policy.Facts{Now: day, PullRequest: qf.Facts(), Branches: []string{qf.Head}})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "my-quick-fix")

	// Gitea does not record how a pull request was merged: the forge
	// infers it from the merge commit.
	for _, style := range []string{"merge", "rebase"} {
		pr := sh.feature(t, "chore/ABC-9-"+style, "chore: tidy for a "+style, map[string]string{"docs/" + style + ".md": style + "\n"})
		sh.approveAndMergeAs(t, style, pr, s.Reviewer)
		f, err := sh.read.PullRequest(ctx, pr.Number)
		require.NoError(t, err)
		assert.Equal(t, forge.StateMerged, f.State)
		assert.Equal(t, style, f.MergeMethod)
	}

	t.Run("fork", func(t *testing.T) { checkFork(t, sh, mallory) })
	t.Run("errors", func(t *testing.T) { checkErrors(t, sh) })
}

// checkFork: a pull request from mallory's fork, whose branch is named
// main, reads as the fork's main, which no branch pattern of the
// repository matches.
func checkFork(t *testing.T, sh *shop, mallory giteatest.User) {
	ctx := t.Context()
	s := sh.s
	s.API(t, mallory, "POST", "/repos/shop/magento/forks", map[string]any{}, nil)
	fork := strings.Replace(s.CloneURL(mallory), "/shop/magento.git", "/mallory/magento.git", 1)
	sh.dev.Git("fetch", s.CloneURL(s.Developer), "+main:refs/remotes/origin/main")
	sh.dev.Git("checkout", "-B", "fork-main", "origin/main")
	sh.dev.CommitFiles("feat: a change from a fork", map[string]string{"app/etc/fork.php": "<?php\n"})
	sh.dev.Git("push", "-f", fork, "fork-main:main")
	var pull apiPull
	s.API(t, mallory, "POST", "/repos/shop/magento/pulls", map[string]any{"head": "mallory:main", "base": "main", "title": "feat: a change from a fork"}, &pull)
	pr, err := sh.read.PullRequest(ctx, pull.Number)
	require.NoError(t, err)
	assert.Equal(t, "main", pr.Head)
	assert.Equal(t, "mallory/magento", pr.HeadRepository)
	assert.Equal(t, "shop/magento", pr.BaseRepository)
	assert.Equal(t, "mallory/magento:main", pr.Facts().Head)
	res := policy.BranchNames{}.Evaluate(ctx, policy.Facts{Now: day, PullRequest: pr.Facts(), Branches: []string{pr.Facts().Head}})
	assert.Equal(t, policy.Fail, res.Status, "a fork's main is not the repository's: %s", res.Reason)
	_, found, err := sh.asBot.FindPullRequest(ctx, "main", "main")
	require.NoError(t, err)
	assert.False(t, found, "a fork's pull request is not the bot's")
}

const http200 = 200

// checkErrors: refused calls are *forge.APIError with the package's
// errors.
func checkErrors(t *testing.T, sh *shop) {
	ctx := t.Context()
	_, err := sh.asBot.PullRequest(ctx, 999)
	var ae *forge.APIError
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, 404, ae.Status)
	assert.ErrorIs(t, err, forge.ErrNotFound)
	_, err = sh.asBot.CreateRelease(ctx, forge.NewRelease{Tag: "v9.9.9", Notes: "x"})
	assert.ErrorIs(t, err, forge.ErrNotFound, "no release without its tag")
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "/api/v1/repos/shop/magento/tags/v9.9.9", ae.Path)
	assert.Equal(t, 404, sh.s.Status(t, sh.s.Bot, "GET", "/repos/shop/magento/tags/v9.9.9", nil), "no tag was made")
	assert.Equal(t, 404, sh.s.Status(t, sh.s.Bot, "GET", "/repos/shop/magento/releases/tags/v9.9.9", nil), "no release was made")
	// A token that may write issues but not read its user cannot keep
	// the report: nothing is read or written.
	scoped := scopedToken(t, sh.s, sh.s.Bot, "write:issue", "write:repository")
	_, err = newForge(t, sh.s, giteatest.User{Token: scoped}).UpsertIssue(ctx, forge.NewIssue{Title: "Scoped report", Body: "x"})
	require.ErrorIs(t, err, gitea.ErrUnknownUser)
	assert.ErrorIs(t, err, forge.ErrUnauthorized)
	require.True(t, errors.As(err, &ae), "%v", err)
	assert.Equal(t, "/api/v1/user", ae.Path)
	var open []apiIssue
	sh.s.API(t, sh.s.Bot, "GET", "/repos/shop/magento/issues?type=issues&state=open", nil, &open)
	for _, is := range open {
		assert.NotEqual(t, "Scoped report", is.Title)
	}
	bad := newForge(t, sh.s, giteatest.User{Token: strings.Repeat("0", 40)})
	_, err = bad.Comment(ctx, 1, "x")
	assert.ErrorIs(t, err, forge.ErrUnauthorized)
	assert.ErrorIs(t, sh.asBot.SetCommitStatus(ctx, "main", forge.CommitStatus{Context: "x", State: "done"}), forge.ErrInvalid)
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err = sh.asBot.PullRequest(cctx, 1)
	assert.ErrorIs(t, err, context.Canceled)
}

// scopedToken makes a token of u with only scopes (Gitea creates tokens
// only for a user who signs in with a password).
func scopedToken(t *testing.T, s *giteatest.Server, u giteatest.User, scopes ...string) string {
	t.Helper()
	body, err := json.Marshal(map[string]any{"name": "scoped", "scopes": scopes})
	require.NoError(t, err)
	req, err := http.NewRequestWithContext(t.Context(), "POST", s.URL+"/api/v1/users/"+u.Name+"/tokens", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(u.Name, u.Password)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	var tok struct {
		SHA1 string `json:"sha1"`
	}
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	require.NotEmpty(t, tok.SHA1)
	return tok.SHA1
}
