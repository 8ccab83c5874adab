package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// The release bot: one run reads main from the forge, releases what a
// merged release PR left untagged, and otherwise opens or updates the
// release PR. All of its state is in git — the release commits on main and
// the tags — so a run that was missed or died heals on the next, and no run
// releases twice. Labels are a mirror for people.

const (
	base         = "main"
	releaseLabel = releasepr.LabelTagged
	issueTitle   = "Deployment status"
)

// scheme names the release tags: v1.3.0.
var scheme = semver.Scheme{Prefix: "v"}

// botConfig is what the bot is given: where its clone lives, the forge and
// its account, its git identity and key, and the clock of its commits and
// tags.
type botConfig struct {
	dir, url, owner, repo string
	login, token          string // in CI: token, _, err := forge.Token("gitea")
	identity              object.Signature
	signer                signature.Signer
	verifier              signature.Verifier // its own key, to check what it publishes
	clock                 *demo.Clock
	// awaitBranch waits until the forge shows branch at sha: Gitea updates
	// a branch a moment after a push returns.
	awaitBranch func(ctx context.Context, branch, sha string) error
}

type bot struct {
	botConfig
	git   *clone
	forge forge.Forge
}

func newBot(c botConfig) (*bot, error) {
	g, err := newClone(c.dir, true, c.url+"/"+c.owner+"/"+c.repo+".git", c.login, c.token)
	if err != nil {
		return nil, err
	}
	fg, err := gitea.New(c.url, c.owner, c.repo, c.token)
	if err != nil {
		return nil, err
	}
	return &bot{botConfig: c, git: g, forge: fg}, nil
}

// components is the release configuration: one component, its version in
// composer.json, its changelog, released on channel ch ("" for a final
// release).
func components(ch semver.Channel) []releasepr.Component {
	return []releasepr.Component{{VersionFiles: []string{"composer.json"}, Changelog: "CHANGELOG.md", Channel: ch}}
}

// sync makes the bot's clone what the forge has: main and the tags. Tags
// are fetched without force: a tag never moves.
func (b *bot) sync(ctx context.Context) error {
	return b.git.fetch(ctx, "+refs/heads/"+base+":refs/heads/"+base, "refs/tags/*:refs/tags/*")
}

// tagInitial tags main as tag: the release before the flow.
func (b *bot) tagInitial(ctx context.Context, tag string) (*tagging.Verification, error) {
	if err := b.sync(ctx); err != nil {
		return nil, err
	}
	head, err := b.git.repo.ResolveRevision(plumbing.Revision("refs/heads/" + base))
	if err != nil {
		return nil, err
	}
	if _, err := tagging.Create(ctx, b.git.repo, tagging.Request{Name: tag, Target: *head, Tagger: b.tagger(), Message: "Release " + tag},
		b.signer, tagging.WithScheme(scheme)); err != nil {
		return nil, err
	}
	if err := tagging.Push(ctx, b.git.repo, "origin", tag, tagging.WithAuth(b.git.auth)); err != nil {
		return nil, err
	}
	return tagging.Verify(ctx, b.git.repo, tag, b.verifier, b.clock.Next())
}

func (b *bot) tagger() tagging.Identity {
	return tagging.Identity{Name: b.identity.Name, Email: b.identity.Email, When: b.clock.Next()}
}

// A report is what one run did.
type report struct {
	opened   *opened             // the release PR opened or updated
	released []released          // the releases made (or finished)
	done     []releasepr.Pending // releases found complete: nothing to do
}

type opened struct {
	pr     forge.PullRequest
	commit plumbing.Hash      // the signed release commit
	signer signature.Identity // who signed it, as verified
	files  []string
}

type released struct {
	tag, version, env string
	prerelease        bool
	commit            plumbing.Hash
	signer            signature.Identity // the tag's, as verified
	url               string             // the forge release
	pr                int
	comment           string
	issue             forge.Issue
}

// run is one run of the bot for channel ch.
func (b *bot) run(ctx context.Context, ch semver.Channel) (report, error) {
	var rep report
	if err := b.sync(ctx); err != nil {
		return rep, err
	}
	repo, comps := b.git.repo, components(ch)
	// The newest merged release PR already tagged: finished (tag pushed,
	// forge release published) in case a run died after tagging. Each
	// step is idempotent.
	done, err := releasepr.Released(ctx, repo, base, comps)
	if err != nil {
		return rep, err
	}
	// Merged release PRs whose tags do not exist yet: a run was missed.
	pending, err := releasepr.Find(ctx, repo, base, comps)
	if err != nil {
		return rep, err
	}
	for i, p := range append(done, pending...) {
		r, made, err := b.release(ctx, p, comps[0], i < len(done))
		if err != nil {
			return rep, fmt.Errorf("release %s: %w", p.Tag, err)
		}
		if made {
			rep.released = append(rep.released, r)
		} else {
			rep.done = append(rep.done, p)
		}
	}
	if len(pending) > 0 {
		return rep, nil // the next run plans the next release PR
	}
	plan, err := releasepr.Plan(ctx, releasepr.Request{Repo: repo, Base: base, Components: comps, Now: b.clock.Next()})
	if err != nil {
		return rep, err
	}
	switch plan.State {
	case releasepr.StateOpen:
		o, err := b.open(ctx, plan)
		if err != nil {
			return rep, err
		}
		rep.opened = &o
	case releasepr.StatePending:
		return rep, fmt.Errorf("a merged release PR is still pending after the release: %v", plan.Pending)
	}
	return rep, nil
}

// open makes the release commit the plan calls for, signed, on the bot's
// branch, pushes it and opens (or updates) the release PR.
func (b *bot) open(ctx context.Context, plan releasepr.ReleasePlan) (opened, error) {
	repo := b.git.repo
	author := b.identity
	author.When = b.clock.Next()
	h, err := releasepr.Commit(ctx, repo, releasepr.CommitRequest{
		Parent: plumbing.NewHash(plan.BaseCommit), Edits: plan.Edits,
		Message: plan.Title + "\n\nPlanned by releasekit from " + base + " at " + plan.BaseCommit + ".\n",
		Author:  author, Signer: b.signer, Branch: plan.Branch,
	})
	if err != nil {
		return opened{}, err
	}
	// The bot's branch is rebuilt from main on every run: forced.
	if err := b.git.push(ctx, "+refs/heads/"+plan.Branch+":refs/heads/"+plan.Branch); err != nil {
		return opened{}, err
	}
	if err := b.awaitBranch(ctx, plan.Branch, h.String()); err != nil {
		return opened{}, err
	}
	pr, err := b.forge.OpenPullRequest(ctx, forge.NewPullRequest{Head: plan.Branch, Base: base, Title: plan.Title, Body: plan.Body, Labels: plan.Labels})
	if err != nil {
		return opened{}, err
	}
	who, err := verifyCommit(ctx, repo, h, b.verifier, b.clock.Next())
	if err != nil {
		return opened{}, err
	}
	o := opened{pr: pr, commit: h, signer: who}
	for _, e := range plan.Edits {
		o.files = append(o.files, e.Path)
	}
	return o, nil
}

// release makes the release of a merged release PR: the signed tag (unless
// tagged), pushed; the forge release with its notes and composer.json; the
// PR labelled. When the forge release is new, it also reports: the commit
// status, the deployment, the comment on the PR and the deployment status
// issue. made is false when everything was there already.
func (b *bot) release(ctx context.Context, p releasepr.Pending, comp releasepr.Component, tagged bool) (r released, made bool, err error) {
	repo := b.git.repo
	notes, err := releasepr.Notes(ctx, repo, p, comp, b.clock.Next())
	if err != nil {
		return r, false, err
	}
	commit := plumbing.NewHash(p.Commit)
	if !tagged {
		if _, err := tagging.Create(ctx, repo, tagging.Request{Name: p.Tag, Target: commit, Tagger: b.tagger(), Message: "Release " + p.Tag + "\n\n" + notes},
			b.signer, tagging.WithScheme(scheme)); err != nil {
			return r, false, err
		}
	}
	// What is published is checked first: the tag at the release commit,
	// signed by the bot's key.
	ver, err := tagging.Verify(ctx, repo, p.Tag, b.verifier, b.clock.Next())
	if err != nil {
		return r, false, err
	}
	if ver.Commit != commit {
		return r, false, fmt.Errorf("tag %s is at %s, not at the release commit %s", p.Tag, ver.Commit, commit)
	}
	if err := tagging.Push(ctx, repo, "origin", p.Tag, tagging.WithAuth(b.git.auth)); err != nil {
		return r, false, err
	}
	v, err := semver.Parse(p.Version)
	if err != nil {
		return r, false, err
	}
	c, err := repo.CommitObject(commit)
	if err != nil {
		return r, false, err
	}
	composer, err := fileAt(c, "composer.json")
	if err != nil {
		return r, false, err
	}
	rel, err := b.forge.CreateRelease(ctx, forge.NewRelease{Tag: p.Tag, Name: p.Tag, Notes: notes, Prerelease: v.IsPrerelease(),
		Assets: []forge.Asset{{Name: "composer.json", ContentType: "application/json", Data: composer}}})
	if err != nil {
		return r, false, err
	}
	n, ok := releasepr.PRNumber(c.Message)
	if !ok {
		return r, false, fmt.Errorf("release commit %s names no pull request", commit)
	}
	if err := b.forge.SetLabels(ctx, n, []string{releaseLabel}); err != nil {
		return r, false, err
	}
	if rel.Existed {
		return r, false, nil
	}

	env := "production"
	if v.IsPrerelease() {
		env = "staging"
	}
	r = released{tag: p.Tag, version: p.Version, env: env, prerelease: v.IsPrerelease(), commit: commit, signer: ver.Signer, url: rel.URL, pr: n}
	if err := b.forge.SetCommitStatus(ctx, p.Commit, forge.CommitStatus{Context: "release", State: forge.CheckSuccess, Description: p.Tag + " published", URL: rel.URL}); err != nil {
		return r, false, err
	}
	// The deployment itself is the pipeline's (seed 000: build, deploy to
	// staging, test; production after the release PR); the bot reports it.
	if err := b.forge.SetDeploymentStatus(ctx, forge.DeploymentStatus{Ref: p.Tag, Environment: env, State: forge.DeploySuccess, Description: p.Tag + " deployed", URL: rel.URL}); err != nil {
		return r, false, err
	}
	sum := sha256.Sum256(composer)
	r.comment = fmt.Sprintf("**Deployment status** for %s: :white_check_mark: success\n\n"+
		"| | |\n|---|---|\n| environment | %s |\n| release | %s |\n| commit | %s |\n| tag signature | %s, %s |\n| composer.json | sha256:%s |",
		p.Tag, env, rel.URL, commit, ver.Signer.Format, ver.Signer.Identity, hex.EncodeToString(sum[:]))
	if _, err := b.forge.Comment(ctx, n, r.comment); err != nil {
		return r, false, err
	}
	body, err := b.statusReport(ctx)
	if err != nil {
		return r, false, err
	}
	if r.issue, err = b.forge.UpsertIssue(ctx, forge.NewIssue{Title: issueTitle, Body: body, Labels: []string{"deployment"}}); err != nil {
		return r, false, err
	}
	return r, true, nil
}

// statusReport is the body of the deployment status issue, from the tags:
// staging runs the newest pre-release, production the newest release.
func (b *bot) statusReport(ctx context.Context) (string, error) {
	tags, err := tagging.List(ctx, b.git.repo, scheme, nil, time.Time{})
	if err != nil {
		return "", err
	}
	var stage, prod *tagging.Release
	for i := range tags { // ascending precedence
		if tags[i].Version.IsPrerelease() {
			stage = &tags[i]
		} else {
			prod = &tags[i]
		}
	}
	var s bytes.Buffer
	s.WriteString("What each environment runs, from the release tags (kept up to date by release-bot).\n\n| environment | release | commit |\n|---|---|---|\n")
	for _, e := range []struct {
		name string
		rel  *tagging.Release
	}{{"staging", stage}, {"production", prod}} {
		if e.rel != nil {
			fmt.Fprintf(&s, "| %s | %s | %s |\n", e.name, e.rel.Name, e.rel.Commit)
		}
	}
	return s.String(), nil
}

// verifyCommit checks the signature of commit h as `git verify-commit`
// does: over the commit object without its gpgsig header.
func verifyCommit(ctx context.Context, repo interface {
	CommitObject(plumbing.Hash) (*object.Commit, error)
}, h plumbing.Hash, v signature.Verifier, at time.Time) (signature.Identity, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return signature.Identity{}, err
	}
	if c.PGPSignature == "" {
		return signature.Identity{}, fmt.Errorf("commit %s is not signed", h)
	}
	obj := &plumbing.MemoryObject{}
	if err := c.EncodeWithoutSignature(obj); err != nil {
		return signature.Identity{}, err
	}
	rd, err := obj.Reader()
	if err != nil {
		return signature.Identity{}, err
	}
	msg, err := io.ReadAll(rd)
	if err != nil {
		return signature.Identity{}, err
	}
	return v.Verify(ctx, msg, []byte(c.PGPSignature), at)
}

// fileAt returns the content of name in commit c.
func fileAt(c *object.Commit, name string) ([]byte, error) {
	f, err := c.File(name)
	if err != nil {
		return nil, fmt.Errorf("%s at %s: %w", name, c.Hash, err)
	}
	s, err := f.Contents()
	return []byte(s), err
}
