package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/manifest"
)

// listFlag is a flag that may be repeated (--target a --target b).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// deployResult is `relctl deploy report --json`'s output.
type deployResult struct {
	Seq        uint64              `json:"seq"`
	Hash       string              `json:"hash"`
	Deployment manifest.Deployment `json:"deployment"`
}

// cmdDeploy implements `relctl deploy report`.
func cmdDeploy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	_, args, err := subcommand(args, "report")
	if err != nil {
		return err
	}
	fs := newFlags("deploy report", stderr)
	sf := addStoreFlags(fs)
	release := fs.String("release", "", "the release `TAG` deployed (required)")
	env := fs.String("env", "", "the environment `ENV` deployed to (required)")
	result := fs.String("result", "", "the outcome: `started`, succeeded or failed (required)")
	errText := fs.String("error", "", "with --result failed, what went wrong `TEXT` (required then)")
	var targets listFlag
	fs.Var(&targets, "target", "a server, cluster or other `NAME` deployed to (repeat for each)")
	branch := fs.String("branch", "", "the `BRANCH` the release was built from (default: the verified token's ref)")
	commit := fs.String("commit", "", "the `SHA` deployed (default: the release record's commit; must match it)")
	repoDir := fs.String("repo", "", "repository `DIR` holding the release tags, to list the files that changed since what ENV ran before (default: the repository around the working directory)")
	idf := addIdentityFlags(fs)
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl deploy report --release TAG --env ENV --result started|succeeded|failed [--error TEXT]\n                          [--target NAME]... (--id-token FILE | --releaser ID) [--branch B] [--commit SHA] [--repo DIR]\n                          (--store DIR | --git-store REPO) [--json]\n\nRecords the outcome of deploying a promoted release as its own log entry:\nthe result (a failure with its error), the targets, the branch and commit,\nwho reported it (verified from a CI OIDC token, or typed), and a manifest of\nthe files that changed since the release ENV ran before (path and sha256,\nfrom the git trees of the two release tags; kept in the store, its digest in\nthe entry). A release that was not promoted to ENV is refused (exit 1) and\nthe refusal is logged.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, ciHelp+"release, env, result (RELCTL_RESULT=failed ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *release == "" || *env == "" || *result == "" {
		return usagef("--release, --env and --result are required")
	}
	switch *result {
	case manifest.ResultStarted, manifest.ResultSucceeded, manifest.ResultFailed:
	default:
		return usagef("--result %q: want started, succeeded or failed", *result)
	}
	if (*result == manifest.ResultFailed) != (*errText != "") {
		return usagef("--error is required with --result failed, and only with it")
	}
	cfgDir := *repoDir
	if cfgDir == "" {
		cfgDir = "."
	}
	cfg, err := loadConfig(*cfgFlag, cfgDir)
	if err != nil {
		return err
	}
	st, err := configStore(sf, cfg)
	if err != nil {
		return err
	}
	opts := []manifest.Option{manifest.WithOrder(defaultOrder...)}
	if cfg != nil {
		opts = []manifest.Option{manifest.WithOrder(cfg.Order()...), manifest.WithVerifiedIdentity(cfg.VerifiedIdentityEnvs()...)}
	}
	attempt := manifest.Denial{Action: "deploy-report", Release: *release, Env: *env}
	actor, err := idf.actor(ctx, cfg)
	if err != nil {
		return logRefusal(ctx, st, attempt, err)
	}
	rep := manifest.DeploymentReport{
		Release: *release, Env: *env, Result: *result, Error: *errText,
		Targets: targets, Branch: *branch, Commit: *commit, Actor: actor,
	}
	if rep.Branch == "" && actor.Verified && actor.Claims != nil {
		rep.Branch = strings.TrimPrefix(actor.Claims.Ref, "refs/heads/")
	}
	changes, err := changedFiles(ctx, st, *repoDir, *release, *env)
	if err != nil {
		return err
	}
	rep.Changes = changes
	e, err := manifest.ReportDeployment(ctx, st, rep, opts...)
	if err != nil {
		return evidenceErr(err)
	}
	if r := ciFrom(ctx); r != nil {
		r.set("release", *release)
		r.set("env", *env)
		r.set("result", *result)
	}
	h, err := e.Hash()
	if err != nil {
		return err
	}
	if *sf.json {
		return writeJSON(stdout, deployResult{Seq: e.Seq, Hash: h, Deployment: *e.Deploy})
	}
	d := e.Deploy
	fmt.Fprintf(stdout, "deployment of %s to %s %s (log #%d)\n", d.Release, d.Env, d.Result, e.Seq)
	if c := d.Changes; c != nil {
		fmt.Fprintf(stdout, "files changed: %d (%d added, %d modified, %d deleted), manifest %s\n", c.Files, c.Added, c.Modified, c.Deleted, c.Digest)
	}
	return nil
}

// changedFiles lists the files that differ between the release env ran
// before release was promoted there and release, from the git trees of
// their tags in the repository dir (or around the working directory).
func changedFiles(ctx context.Context, st manifest.Log, dir, release, env string) (*manifest.ChangedFiles, error) {
	if dir == "" {
		dir = "."
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, usageError{fmt.Errorf("the files changed are listed from the release tags' trees: open %s: %w (pass --repo DIR)", dir, err)}
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	prev, _ := manifest.PreviousRelease(entries, env, release)
	return manifest.TreeChanges(ctx, repo, prev, release)
}

// logRefusal appends the refused attempt d to the log, with cause as its
// refusal and the control IDs cause names, and returns cause; when the
// refusal cannot be logged it returns that error too.
func logRefusal(ctx context.Context, st manifest.Log, d manifest.Denial, cause error) error {
	d.Refusal = cause.Error()
	d.Controls = manifest.Controls(cause)
	if _, err := manifest.Deny(ctx, st, d); err != nil {
		return errors.Join(cause, fmt.Errorf("relctl: the refusal could not be logged: %w", err))
	}
	return cause
}
