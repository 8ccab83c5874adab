package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/releasepr"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// releasePRResult is the JSON contract of `relctl release-pr --json`.
type releasePRResult struct {
	State    releasepr.State     `json:"state"`
	Base     string              `json:"base"`
	Branch   string              `json:"branch,omitempty"`
	Title    string              `json:"title,omitempty"`
	Commit   string              `json:"commit,omitempty"` // the signed release commit
	PR       *forge.PullRequest  `json:"pr,omitempty"`
	Releases []releasepr.Release `json:"releases"`
	Pending  []releasepr.Pending `json:"pending"`
	Files    []string            `json:"files"`
	DryRun   bool                `json:"dry_run"`
}

// releaseFlags are the flags release-pr and release share.
type releaseFlags struct {
	repoDir, component, remote, sign, keyFile, passEnv, passFile, author *string
	asJSON                                                               *bool
	forge                                                                forgeFlags
}

func addReleaseFlags(fs interface {
	String(name, value, usage string) *string
	Bool(name string, value bool, usage string) *bool
}) releaseFlags {
	return releaseFlags{
		repoDir:   fs.String("repo", "", "repository `DIR` (default: the repository here)"),
		component: fs.String("component", "", "only the component `NAME` of the configuration"),
		remote:    fs.String("remote", "origin", "the git `REMOTE` branches and tags are pushed to"),
		sign:      fs.String("sign", "", "signature format: `ssh` or openpgp (release commits and tags are signed)"),
		keyFile:   fs.String("key", "", "signing key `FILE`: an SSH private key (or a public key held by the ssh-agent) or an armored OpenPGP private key"),
		passEnv:   fs.String("passphrase-env", "", "read the key passphrase from the environment variable `VAR`"),
		passFile:  fs.String("passphrase-file", "", "read the key passphrase from `FILE` (first line)"),
		author:    fs.String("author", "", `the bot's identity "Name <email>" (default: user.name and user.email of the repository)`),
		asJSON:    fs.Bool("json", false, "print a JSON object"),
		forge:     addForgeFlags(fs),
	}
}

// components returns the components to plan: the configuration's (or
// only --component), each with its version files and changelog.
func (rf releaseFlags) components(cfg *config.Config) ([]releasepr.Component, error) {
	var out []releasepr.Component
	if cfg == nil || len(cfg.Components) == 0 {
		if *rf.component != "" {
			return nil, usagef("--component %q: the configuration names no components", *rf.component)
		}
		return []releasepr.Component{{TagPrefix: "v", Changelog: "CHANGELOG.md"}}, nil
	}
	for _, c := range cfg.Components {
		if *rf.component != "" && c.Name != *rf.component {
			continue
		}
		if c.Scheme == "calver" {
			return nil, usagef("component %q: release PRs plan SemVer components; CalVer components are released with relctl next and relctl tag", c.Name)
		}
		name := c.Name
		if len(cfg.Components) == 1 && c.TagPrefix == "v" {
			name = ""
		}
		out = append(out, releasepr.Component{Name: name, Path: c.Path, TagPrefix: c.TagPrefix, VersionFiles: c.VersionFiles, Changelog: c.ChangelogFile})
	}
	if len(out) == 0 {
		return nil, usagef("--component %q: no such component in the configuration", *rf.component)
	}
	return out, nil
}

// configured reads the configuration of --repo and the components to
// plan from it ([releaseFlags.components]).
func (rf releaseFlags) configured() (*config.Config, []releasepr.Component, error) {
	cfg, err := loadConfig("", dirOr(*rf.repoDir))
	if err != nil {
		return nil, nil, err
	}
	comps, err := rf.components(cfg)
	return cfg, comps, err
}

// signer returns the signer release commits and tags are signed with,
// and a verifier of its key.
func (rf releaseFlags) signer() (signature.Signer, signature.Verifier, error) {
	if *rf.sign == "" || *rf.keyFile == "" {
		return nil, nil, usagef("release commits and tags are signed: give --sign ssh|openpgp and --key FILE")
	}
	if *rf.passEnv != "" && *rf.passFile != "" {
		return nil, nil, usagef("give at most one of --passphrase-env and --passphrase-file")
	}
	pass, err := readPassphrase(*rf.passEnv, *rf.passFile)
	if err != nil {
		return nil, nil, err
	}
	return tagSigner(*rf.sign, *rf.keyFile, pass)
}

// cmdReleasePR implements `relctl release-pr`.
func cmdReleasePR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("release-pr", stderr)
	rf := addReleaseFlags(fs)
	dryRun := fs.Bool("dry-run", false, "print the plan (title, branch, files, body); commit, push and open nothing")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl release-pr [--component NAME] [--dry-run] --sign ssh|openpgp --key FILE [--remote origin] [--json]\n\nPlans the release PR from git and the configuration (components,\nversion_files, changelog_file, forge): the next version per component, its\nchangelog section, the version files to edit (every other byte kept), the\nbranch, title and body. Then makes the signed release commit on the branch,\npushes it and opens or updates the pull request on the forge (token from\nthe environment). A merged release PR that is not released yet is reported\n(state pending) and nothing new is opened: run relctl release.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	cfg, comps, err := rf.configured()
	if err != nil {
		return err
	}
	var fc config.Forge
	if !*dryRun {
		if fc, err = rf.forge.resolve(cfg); err != nil {
			return err
		}
	} else if cfg != nil && cfg.Forge.Base != "" {
		fc.Base = cfg.Forge.Base
	}
	base := fc.Base
	if base == "" {
		base = "main"
	}
	var signer signature.Signer
	if !*dryRun {
		if signer, _, err = rf.signer(); err != nil {
			return err
		}
	}
	repo, demo, err := openRepo(*rf.repoDir, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	plan, err := releasepr.Plan(ctx, releasepr.Request{Repo: repo, Base: base, Components: comps, Now: time.Now().UTC()})
	if errors.Is(err, releasepr.ErrConfig) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	res := releasePRResult{State: plan.State, Base: base, Branch: plan.Branch, Title: plan.Title, Releases: plan.Releases, Pending: plan.Pending, Files: []string{}, DryRun: *dryRun}
	for _, e := range plan.Edits {
		res.Files = append(res.Files, e.Path)
	}
	rep := ciFrom(ctx)
	rep.set("state", string(plan.State))
	if plan.State != releasepr.StateOpen || *dryRun {
		if *rf.asJSON {
			return writeJSON(stdout, res)
		}
		switch plan.State {
		case releasepr.StatePending:
			for _, p := range plan.Pending {
				fmt.Fprintf(stdout, "merged release PR not released yet: %s at %s (run relctl release)\n", p.Tag, p.Commit)
			}
		case releasepr.StateNone:
			fmt.Fprintln(stdout, "nothing to release on "+base)
		default:
			fmt.Fprintf(stdout, "%s\nbranch %s\nfiles: %s\n\n%s", plan.Title, plan.Branch, strings.Join(res.Files, ", "), plan.Body)
		}
		return nil
	}
	fg, _, err := rf.forge.open(ctx, cfg)
	if err != nil {
		return err
	}
	author, err := taggerIdentity(repo, *rf.author)
	if err != nil {
		return err
	}
	h, err := releasepr.Commit(ctx, repo, releasepr.CommitRequest{Parent: plumbing.NewHash(plan.BaseCommit), Edits: plan.Edits,
		Message: plan.Title + "\n\nPlanned by releasekit from " + base + " at " + plan.BaseCommit + ".\n",
		Author:  object.Signature{Name: author.Name, Email: author.Email, When: author.When}, Signer: signer, Branch: plan.Branch})
	if err != nil {
		return err
	}
	res.Commit = h.String()
	if err := pushBranch(ctx, repo, *rf.remote, h, plan.Branch); err != nil {
		return err
	}
	pr, err := fg.OpenPullRequest(ctx, forge.NewPullRequest{Head: plan.Branch, Base: base, Title: plan.Title, Body: plan.Body, Labels: plan.Labels})
	if err != nil {
		return err
	}
	res.PR = &pr
	rep.set("pr", fmt.Sprint(pr.Number))
	if *rf.asJSON {
		return writeJSON(stdout, res)
	}
	fmt.Fprintf(stdout, "%s: pull request #%d %s (branch %s, signed commit %s)\n", plan.Title, pr.Number, pr.URL, plan.Branch, h)
	return nil
}

// remoteHasTag says whether remote has refs/tags/tag pointing at the same
// object as the repository's tag (git ls-remote).
func remoteHasTag(ctx context.Context, repo *git.Repository, remote, tag string) (bool, error) {
	local, err := repo.Tag(tag)
	if err != nil {
		return false, err
	}
	dir, err := workDir(repo)
	if err != nil {
		return false, err
	}
	if strings.HasPrefix(remote, "-") {
		return false, usagef("--remote %q: not a remote", remote)
	}
	cmd := exec.CommandContext(ctx, "git", "ls-remote", "--tags", "--", remote, "refs/tags/"+tag)
	cmd.Dir = dir
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return false, fmt.Errorf("ls-remote %s: %v: %s", remote, err, strings.TrimSpace(errb.String()))
	}
	for _, line := range strings.Split(out.String(), "\n") {
		hash, ref, ok := strings.Cut(strings.TrimSpace(line), "\t")
		if ok && ref == "refs/tags/"+tag {
			return hash == local.Hash().String(), nil
		}
	}
	return false, nil
}

// pushBranch pushes commit h to refs/heads/branch of remote, replacing
// the bot's branch (it is rebuilt from the base on every run).
func pushBranch(ctx context.Context, repo *git.Repository, remote string, h plumbing.Hash, branch string) error {
	dir, err := workDir(repo)
	if err != nil {
		return err
	}
	if strings.HasPrefix(remote, "-") || strings.HasPrefix(branch, "-") {
		return usagef("--remote %q: not a remote", remote)
	}
	cmd := exec.CommandContext(ctx, "git", "push", "--force", "--quiet", remote, h.String()+":refs/heads/"+branch)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("push %s to %s: %v: %s", branch, remote, err, strings.TrimSpace(out.String()))
	}
	return nil
}

func workDir(repo *git.Repository) (string, error) {
	wt, err := repo.Worktree()
	if err != nil {
		return "", fmt.Errorf("the repository has no work tree: %w", err)
	}
	return wt.Filesystem.Root(), nil
}

func dirOr(d string) string {
	if d == "" {
		return "."
	}
	return d
}

// releaseResult is the JSON contract of `relctl release --json`.
type releaseResult struct {
	Releases []releasedOne    `json:"releases"`
	Skipped  []releasepr.Skip `json:"skipped,omitempty"`
	// NotFinished are releases tagged and pushed before whose tag does not
	// verify now (a key rotated since): left as they are.
	NotFinished []notFinished `json:"not_finished,omitempty"`
}

// A notFinished release was tagged and pushed before; its tag does not
// verify now, so it is not published or recorded again.
type notFinished struct {
	Tag    string `json:"tag"`
	Commit string `json:"commit"`
	Reason string `json:"reason"`
}

type releasedOne struct {
	Tag        string `json:"tag"`
	Commit     string `json:"commit"`
	TagCreated bool   `json:"tag_created"`
	Release    string `json:"release_url"`
	Existed    bool   `json:"release_existed"`
	PR         int    `json:"pr,omitempty"`
	Record     bool   `json:"record"`
}

// cmdRelease implements `relctl release`.
func cmdRelease(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("release", stderr)
	rf := addReleaseFlags(fs)
	sf := addStoreFlagsNoJSON(fs)
	noRecord := fs.Bool("no-record", false, "do not write the release record (the evidence store is then not needed)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl release --sign ssh|openpgp --key FILE [--component NAME] [--remote origin]\n                     (--store DIR | --git-store REPO | --oci-store REF | --no-record) [--json]\n\nReleases every merged release PR of the base branch whose tag does not exist\nyet, oldest first, and finishes the newest one already tagged (a run that\ndied after tagging): the annotated tag, signed, at the release commit, pushed;\nthe forge release with the changelog as notes; the PR labelled\n\"autorelease: tagged\" with a comment; the release record in the store. It\nfinds the merged release PRs from git, so a run that was missed heals on the\nnext, and it never releases twice (an existing tag at the commit is done;\nat another commit it stops, exit 1). An existing tag is pushed and published\nonly when it verifies: an annotated tag signed by a key of trust.tags (by\n--key when the configuration names no trust.tags); a lightweight, unsigned\nor foreign tag stops the run (exit 1) with nothing pushed — unless the\nremote has that very tag already (released before, a key rotated since):\nit is then left as it is (not_finished). The PR named by\nthe release commit's subject (#N) is labelled and commented on only when\nthe forge reports it merged from the release branch as that commit.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	cfg, comps, err := rf.configured()
	if err != nil {
		return err
	}
	fc, err := rf.forge.resolve(cfg)
	if err != nil {
		return err
	}
	signer, own, err := rf.signer()
	if err != nil {
		return err
	}
	if !*noRecord && !sf.given() && (cfg == nil || (cfg.Stores.Store == "" && cfg.Stores.GitStore == "" && cfg.Stores.OCIStore == "")) {
		return usagef("the release record needs an evidence store: give --store, --git-store or --oci-store (or stores: in %s), or --no-record", config.FileName)
	}
	repo, demo, err := openRepo(*rf.repoDir, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	// One walk of the base's history: the merged release PRs to tag, the
	// newest release already tagged (finished too — pushed, published,
	// recorded: each step is idempotent — so a run that died after
	// tagging heals on the next), and the commits titled as a release PR
	// that do not carry the release (never released; reported, so that a
	// person looks).
	scan, err := releasepr.ScanHistory(ctx, repo, fc.Base, comps)
	if errors.Is(err, releasepr.ErrConfig) {
		return usageError{err}
	}
	if err != nil {
		return err
	}
	pending, released, skipped := scan.Pending, scan.Released, scan.Skipped
	for _, sk := range skipped {
		fmt.Fprintf(stderr, "relctl: not released: %s claims %s but %s\n", sk.Commit, sk.Tag, sk.Reason)
	}
	// A tag that exists is published only when it is a release tag: signed
	// by a key trusted for tags. Every one is checked before anything is
	// pushed or published, so a lightweight or foreign tag at a release
	// commit stops the run with nothing out — unless the remote has that
	// very tag already: then it was released before (and verified then),
	// and a key rotated since must not stop every later release. It is
	// left as it is, and said so.
	trust, err := releaseTagTrust(cfg, own, *rf.keyFile)
	if err != nil {
		return err
	}
	res := releaseResult{Releases: []releasedOne{}, Skipped: skipped}
	var finish []releasepr.Pending
	for _, p := range released {
		verr := trust.verify(ctx, repo, p.Tag, p.Commit)
		if verr == nil {
			finish = append(finish, p)
			continue
		}
		out, err := remoteHasTag(ctx, repo, *rf.remote, p.Tag)
		if err != nil {
			return err
		}
		if !out {
			return verr
		}
		var rte *releaseTagError
		reason := verr.Error()
		if errors.As(verr, &rte) {
			reason = rte.Reason
		}
		res.NotFinished = append(res.NotFinished, notFinished{Tag: p.Tag, Commit: p.Commit, Reason: reason})
		fmt.Fprintf(stderr, "relctl: %s is on %s already and is not finished again: its tag does not verify now (%s)\n", p.Tag, *rf.remote, reason)
	}
	tagged := len(finish)
	pending = append(finish, pending...)
	if len(pending) == 0 {
		if *rf.asJSON {
			return writeJSON(stdout, res)
		}
		fmt.Fprintln(stdout, "no merged release PR to release on "+fc.Base)
		return nil
	}
	fg, _, err := rf.forge.open(ctx, cfg)
	if err != nil {
		return err
	}
	tagger, err := taggerIdentity(repo, *rf.author)
	if err != nil {
		return err
	}
	for i, p := range pending {
		comp := comps[0]
		for _, c := range comps {
			if c.Name == p.Component {
				comp = c
			}
		}
		notes, err := releasepr.Notes(ctx, repo, p, comp, time.Now().UTC())
		if err != nil {
			return err
		}
		one := releasedOne{Tag: p.Tag, Commit: p.Commit}
		if i >= tagged {
			// Not tagged yet: the signed tag, made here. (A tagged release
			// is on its commit already, Released checked, and its tag was
			// verified above.)
			tag, err := tagging.Create(ctx, repo, tagging.Request{Name: p.Tag, Target: plumbing.NewHash(p.Commit), Tagger: tagger, Message: "Release " + p.Tag + "\n\n" + notes},
				signer, tagging.WithScheme(semver.Scheme{Prefix: prefixOf(comp)}))
			if err != nil {
				return err
			}
			// Published only when it verifies, as a tag found by the scan
			// does: one made since the scan (by someone else perhaps), and
			// one made here with a key trust.tags does not name — a tag
			// every later check (relctl verify, REL-TAG-001) would refuse.
			// A tag made here that does not verify is removed: it was
			// never pushed.
			if err := trust.verify(ctx, repo, tag.Name, p.Commit); err != nil {
				if tag.Created {
					if derr := repo.DeleteTag(tag.Name); derr != nil {
						return fmt.Errorf("%w (the local tag could not be removed: %v)", err, derr)
					}
				}
				return err
			}
			one.TagCreated = tag.Created
		}
		if err := tagging.Push(ctx, repo, *rf.remote, p.Tag); err != nil {
			return err
		}
		v, _ := semver.Parse(p.Version)
		rel, err := fg.CreateRelease(ctx, forge.NewRelease{Tag: p.Tag, Name: p.Tag, Notes: notes, Prerelease: v.IsPrerelease()})
		if err != nil {
			return err
		}
		one.Release, one.Existed = rel.URL, rel.Existed
		if c, err := repo.CommitObject(plumbing.NewHash(p.Commit)); err == nil {
			if n, ok := releasepr.PRNumber(c.Message); ok {
				// The subject's "(#N)" is only a claim: the label and the
				// comment go to N only when the forge says N is the
				// release PR whose merge made this commit.
				why, err := notReleasePR(ctx, fg, n, p, fc.Base)
				if err != nil {
					return err
				}
				if why != "" {
					fmt.Fprintf(stderr, "relctl: %s: #%d not labelled or commented on: %s\n", p.Tag, n, why)
				} else {
					one.PR = n
					if err := fg.SetLabels(ctx, n, []string{releasepr.LabelTagged}); err != nil {
						return err
					}
					if !rel.Existed {
						if _, err := fg.Comment(ctx, n, fmt.Sprintf(":rocket: Released as %s: %s", p.Tag, rel.URL)); err != nil {
							return err
						}
					}
				}
			}
		}
		if !*noRecord {
			wrote, err := writeReleaseRecord(ctx, sf, p, *rf.repoDir, prefixOf(comp), stderr)
			if err != nil {
				return err
			}
			one.Record = wrote
		}
		if !one.TagCreated && rel.Existed && !one.Record {
			continue // nothing was missing: not reported
		}
		res.Releases = append(res.Releases, one)
		if !*rf.asJSON {
			state := "released"
			if !one.TagCreated {
				state = "finished (the tag existed)"
			}
			fmt.Fprintf(stdout, "%s %s: %s (commit %s)\n", p.Tag, state, rel.URL, p.Commit)
		}
	}
	if *rf.asJSON {
		return writeJSON(stdout, res)
	}
	if len(res.Releases) == 0 {
		fmt.Fprintln(stdout, "nothing to release on "+fc.Base+": every merged release PR is released")
	}
	return nil
}

// tagTrust is what relctl release verifies an existing release tag
// against: the configuration's trust.tags, or, when the configuration
// names none, the bot's own key (--key).
type tagTrust struct {
	v    signature.Verifier
	name string // says which keys, for messages
}

// releaseTagTrust returns the trust for release tags: trust.tags' allowed_signers
// file or keyring, as relctl verify reads them; the verifier of the
// signing key own only when the configuration names no tag trust.
func releaseTagTrust(cfg *config.Config, own signature.Verifier, keyFile string) (tagTrust, error) {
	if cfg == nil || cfg.Trust.Tags.Empty() {
		if own == nil {
			return tagTrust{}, usagef("release tags are verified: give --sign and --key, or configure trust.tags in %s", config.FileName)
		}
		return tagTrust{v: own, name: "the signing key --key " + keyFile + " (the configuration names no trust.tags)"}, nil
	}
	v, err := keySetVerifier(cfg, cfg.Trust.Tags, tagging.GitNamespace)
	if err != nil {
		return tagTrust{}, err
	}
	if v == nil {
		// PEM keys only: release tags are not verified against them, and
		// the bot's key is no stand-in for keys the configuration names.
		return tagTrust{}, usagef("%s: trust.tags names no allowed_signers file or keyring: release tags cannot be verified", cfg.File)
	}
	ks := cfg.Trust.Tags.AllowedSigners
	if ks == "" {
		ks = cfg.Trust.Tags.Keyring
	}
	return tagTrust{v: v, name: "trust.tags (" + ks + ")"}, nil
}

// A releaseTagError stops relctl release at a release tag that exists but
// is not a release tag it may publish: nothing of it is pushed, published,
// labelled or recorded (exit 1).
type releaseTagError struct {
	Tag, Commit string
	// Reason is a short lower-case phrase: "lightweight tag", "unsigned
	// tag", "signed by a key not trusted for release tags", "bad
	// signature", "signing key expired", "tag at another commit", "tag
	// does not verify".
	Reason string
	Trust  string // the keys it was verified against
	Err    error
}

func (e *releaseTagError) Error() string {
	msg := fmt.Sprintf("release tag %s at %s: %s (verified against %s); nothing pushed or published", e.Tag, e.Commit, e.Reason, e.Trust)
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *releaseTagError) Unwrap() error { return e.Err }

// verify checks that tag is an annotated tag of commit signed by a key of
// t, now; else a *releaseTagError.
func (t tagTrust) verify(ctx context.Context, repo *git.Repository, tag, commit string) error {
	res, err := tagging.Verify(ctx, repo, tag, t.v, time.Now())
	if err == nil {
		if res.Commit.String() == commit {
			return nil
		}
		return &releaseTagError{Tag: tag, Commit: commit, Reason: "tag at another commit", Trust: t.name,
			Err: fmt.Errorf("it points at %s", res.Commit)}
	}
	reason := "tag does not verify"
	switch {
	case errors.Is(err, tagging.ErrUnsigned):
		reason = "unsigned tag"
		if ref, rerr := repo.Tag(tag); rerr == nil {
			if _, terr := repo.TagObject(ref.Hash()); errors.Is(terr, plumbing.ErrObjectNotFound) {
				reason = "lightweight tag"
			}
		}
	case errors.Is(err, signature.ErrUntrustedKey):
		reason = "signed by a key not trusted for release tags"
	case errors.Is(err, signature.ErrBadSignature):
		reason = "bad signature"
	case errors.Is(err, signature.ErrKeyExpired):
		reason = "signing key expired"
	}
	return &releaseTagError{Tag: tag, Commit: commit, Reason: reason, Trust: t.name, Err: err}
}

// notReleasePR says why pull request n, as the forge reports it, is not
// the release PR that made release p's commit on base ("" when it is):
// merged, into base, from the release branch release-pr plans
// (releasepr.BranchPrefix+base, with "/"+component for a PR of one
// component) in the repository itself (a head repository the forge does
// not name is not), its merge commit the release
// commit. A number the forge does not know is not it; other forge errors
// are returned.
func notReleasePR(ctx context.Context, fg forge.Forge, n int, p releasepr.Pending, base string) (string, error) {
	pr, err := fg.PullRequest(ctx, n)
	if errors.Is(err, forge.ErrNotFound) {
		return "the forge has no pull request of that number", nil
	}
	if err != nil {
		return "", err
	}
	branches := []string{releasepr.BranchPrefix + base}
	if p.Component != "" {
		branches = append(branches, releasepr.BranchPrefix+base+"/"+p.Component)
	}
	switch {
	case pr.State != forge.StateMerged:
		return fmt.Sprintf("it is not merged (state %q)", pr.State), nil
	case !strings.EqualFold(pr.MergeSHA, p.Commit):
		return fmt.Sprintf("its merge commit %q is not the release commit", pr.MergeSHA), nil
	case pr.Base != base:
		return fmt.Sprintf("its base branch %q is not %s", pr.Base, base), nil
	case !slices.Contains(branches, pr.Head):
		return fmt.Sprintf("its head branch %q is not the release branch %s", pr.Head, strings.Join(branches, " or ")), nil
	case pr.HeadRepository == "" || !strings.EqualFold(pr.HeadRepository, pr.BaseRepository):
		// An unknown head repository (a deleted fork, a source project the
		// token cannot read) is not the repository itself, as in Facts.
		return fmt.Sprintf("it is from another repository (%s)", cmp.Or(pr.HeadRepository, "unknown")), nil
	}
	return "", nil
}

func prefixOf(c releasepr.Component) string {
	if c.TagPrefix == "" {
		return "v"
	}
	return c.TagPrefix
}

// addStoreFlagsNoJSON is addStoreFlags for a command with its own --json.
func addStoreFlagsNoJSON(fs interface {
	String(name, value, usage string) *string
}) storeFlags {
	off := false
	return storeFlags{
		dir:     fs.String("store", "", "evidence store `DIR` (directory store) the release record is written to"),
		gitRepo: fs.String("git-store", "", "keep the evidence in the git repository `REPO` under refs/releasekit/log"),
		oci:     fs.String("oci-store", "", "keep the evidence in the OCI registry repository `REF`"),
		json:    &off,
	}
}

// writeReleaseRecord writes the release record of p (as relctl record init
// does: the tag's commit, tickets and pull requests) unless the store
// holds one; it reports whether it wrote one.
func writeReleaseRecord(ctx context.Context, sf storeFlags, p releasepr.Pending, repoDir, prefix string, stderr io.Writer) (bool, error) {
	st, err := sf.open()
	if err != nil {
		return false, err
	}
	if _, err := st.Record(ctx, p.Tag); err == nil {
		return false, nil
	} else if !errors.Is(err, manifest.ErrNotFound) {
		return false, evidenceErr(err)
	}
	rec, err := initRecord(ctx, p.Tag, repoDir, p.Commit, prefix, stderr)
	if err != nil {
		return false, err
	}
	if err := st.PutRecord(ctx, rec); err != nil {
		return false, evidenceErr(err)
	}
	return true, nil
}
