package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-git/go-git/v5"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
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
	pf := addReportFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl deploy report --release TAG --env ENV --result started|succeeded|failed [--error TEXT]\n                          [--target NAME]... (--id-token FILE | --releaser ID) [--branch B] [--commit SHA] [--repo DIR]\n                          [--config FILE] (--store DIR | --git-store REPO) [--json]\n\nRecords the outcome of deploying a promoted release as its own log entry:\nthe result (a failure with its error), the targets, the branch and commit,\nwho reported it (verified from a CI OIDC token, or typed), and a manifest of\nthe files that changed since the release ENV ran before (path and sha256,\nfrom the git trees of the two releases' recorded commits; kept in the store,\nits digest in the entry). The reporter must be allowed to deploy to ENV; a\nproduction environment needs the release configuration (and, when it says\nso, a verified identity). A release that was not promoted to ENV is refused\n(exit 1), and every refusal is logged.\n\nFlags:")
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
	if *pf.idToken == "" && os.Getenv(tokenEnv) == "" && *pf.releaser == "" {
		return usagef("who reports the deployment: --id-token FILE (or $%s), or --releaser ID", tokenEnv)
	}
	attempt := manifest.Denial{Action: manifest.AttemptDeployReport, Release: *release, Env: *env}
	d, st, _, actor, err := pf.establish(ctx, sf, attempt, tagging.GitNamespace, false, stderr)
	if err != nil {
		return err
	}
	rep := manifest.DeploymentReport{
		Release: *release, Env: *env, Result: *result, Error: *errText,
		Targets: targets, Branch: *branch, Commit: *commit, Actor: actor,
	}
	if rep.Branch == "" && actor != nil && actor.Verified && actor.Claims != nil && strings.HasPrefix(actor.Claims.Ref, "refs/heads/") {
		rep.Branch = strings.TrimPrefix(actor.Claims.Ref, "refs/heads/")
	}
	if rep.Changes, err = changedFiles(ctx, st, *pf.repo, *release, *env); err != nil {
		return err
	}
	e, err := manifest.ReportDeployment(ctx, st, rep, d.opts...)
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
	dep := e.Deploy
	fmt.Fprintf(stdout, "deployment of %s to %s %s (log #%d)\n", dep.Release, dep.Env, dep.Result, e.Seq)
	if c := dep.Changes; c != nil {
		fmt.Fprintf(stdout, "files changed: %d (%d added, %d modified, %d deleted), manifest %s\n", c.Files, c.Added, c.Modified, c.Deleted, c.Digest)
	}
	return nil
}

// changedFiles lists the files that differ between the release env ran
// before release was promoted there and release, from the git trees of
// their recorded commits (never of tags that may have moved since) in the
// repository dir (or around the working directory). Without a record of
// release there is nothing to compare: ReportDeployment refuses the
// report, and logs it.
func changedFiles(ctx context.Context, st manifest.Store, dir, release, env string) (*manifest.ChangedFiles, error) {
	rec, err := st.Record(ctx, release)
	if errors.Is(err, manifest.ErrNotFound) || errors.Is(err, manifest.ErrInvalidName) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	entries, err := manifest.VerifyStore(ctx, st, nil)
	if err != nil {
		return nil, err
	}
	from := ""
	prev, ok := manifest.PreviousRelease(entries, env, release)
	if ok {
		prec, err := st.Record(ctx, prev)
		if err != nil {
			return nil, fmt.Errorf("the files changed since %s: %w", prev, err)
		}
		from = prec.Commit
	}
	if dir == "" {
		dir = "."
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true})
	if err != nil {
		return nil, usageError{fmt.Errorf("the files changed are listed from the releases' recorded commits: open %s: %w (pass --repo DIR)", dir, err)}
	}
	cf, err := manifest.TreeChanges(ctx, repo, from, rec.Commit)
	if err != nil {
		return nil, err
	}
	cf.From, cf.To = prev, release
	return cf, nil
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
