package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/forge"
)

// cmdPR implements `relctl pr facts|comment`.
func cmdPR(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "facts", "comment")
	if err != nil {
		return err
	}
	fs := newFlags("pr "+sub, stderr)
	ff := addForgeFlags(fs)
	number := fs.Int("pr", 0, "the pull (merge) request `NUMBER` (required, or --commit)")
	repoDir := fs.String("repo", "", "repository `DIR` whose configuration names the forge (default: here)")
	var out, bodyFile, commit *string
	if sub == "facts" {
		out = fs.String("out", "", "write the facts to `FILE` (atomically) instead of standard output")
		commit = fs.String("commit", "", "instead of --pr: the pull request whose merge made commit `SHA` (a full SHA of the repository; its message names it — \" (#N)\", \"Merge pull request #N\", \"See merge request …!N\" — and the forge must report N merged as SHA)")
	} else {
		bodyFile = fs.String("body-file", "", "the comment's Markdown `FILE` (- for standard input; required)")
	}
	fs.Usage = func() {
		if sub == "facts" {
			fmt.Fprintln(stderr, "Usage: relctl pr facts (--pr N | --commit SHA) [--out pr.json]\n\nReads the pull request's facts from the forge's API (token from the\nenvironment) — author, reviews at the head commit, head and base branches,\nlabels, checks, merge method, changed files — in the JSON form relctl policy\n--pr reads, so the controls that gate production read the forge, not a\nscript.\n\nFlags:")
		} else {
			fmt.Fprintln(stderr, "Usage: relctl pr comment --pr N --body-file FILE\n\nComments on the pull request (the status comment of seed 000).\n\nFlags:")
		}
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	byCommit := commit != nil && *commit != ""
	switch {
	case byCommit && *number != 0:
		return usagef("give --pr or --commit, not both")
	case byCommit && !fullSHA.MatchString(*commit):
		return usagef("--commit %q: want a full commit SHA", *commit)
	case !byCommit && *number <= 0:
		return usagef("--pr N is required (a positive number), or --commit SHA")
	}
	if byCommit {
		if *number, err = prOfCommit(*repoDir, *commit, stderr); err != nil {
			return err
		}
	}
	var body []byte
	if sub == "comment" {
		if *bodyFile == "" {
			return usagef("--body-file is required")
		}
		if body, err = readInput("--body-file", *bodyFile, maxInputFile); err != nil {
			return err
		}
		if len(body) == 0 {
			return usagef("--body-file %s is empty", *bodyFile)
		}
	}
	cfg, err := loadConfig("", dirOr(*repoDir))
	if err != nil {
		return err
	}
	fg, _, err := ff.open(ctx, cfg)
	if err != nil {
		return err
	}
	rep := ciFrom(ctx)
	rep.set("pr", strconv.Itoa(*number))
	if sub == "comment" {
		c, err := fg.Comment(ctx, *number, string(body))
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "commented on #%d: %s\n", *number, c.URL)
		return nil
	}
	pr, err := fg.PullRequest(ctx, *number)
	if err != nil {
		return err
	}
	if byCommit && (pr.State != forge.StateMerged || !strings.EqualFold(pr.MergeSHA, *commit)) {
		// The subject's "(#N)" is only a claim, which anyone can write.
		return &prCommitError{Commit: *commit, PR: *number, State: pr.State, MergeSHA: pr.MergeSHA}
	}
	facts, err := json.MarshalIndent(pr.Facts(), "", "  ")
	if err != nil {
		return err
	}
	facts = append(facts, '\n')
	if *out == "" {
		_, err = stdout.Write(facts)
		return err
	}
	return writeFileAtomic(*out, facts)
}

// prOfCommit returns the pull (merge) request number the message of
// commit sha (in the repository dir) names, as the forge's squash or
// merge of request N writes it.
func prOfCommit(dir, sha string, stderr io.Writer) (int, error) {
	repo, demo, err := openRepo(dir, stderr)
	if err != nil {
		return 0, err
	}
	defer demo.remove()
	c, err := repo.CommitObject(plumbing.NewHash(sha))
	if err != nil {
		return 0, usagef("--commit %s: not a commit of the repository: %v", sha, err)
	}
	// A message that is not a Conventional Commit still names its request
	// (commits.Parse fills PR either way): GitHub's squash " (#N)" and
	// "Merge pull request #N", GitLab's "See merge request group/project!N".
	m, _ := commits.Parse(c.Message)
	if m.PR <= 0 {
		return 0, usagef("--commit %s: its message names no pull or merge request (\" (#N)\", \"Merge pull request #N\", \"See merge request …!N\"): give --pr", sha)
	}
	return m.PR, nil
}

// A prCommitError is a commit whose subject names pull request PR, which
// the forge does not report merged as that commit (exit 1).
type prCommitError struct {
	Commit, State, MergeSHA string
	PR                      int
}

func (e *prCommitError) Error() string {
	return fmt.Sprintf("commit %s names pull request #%d, which the forge reports %s with merge commit %q, not this commit", e.Commit, e.PR, e.State, e.MergeSHA)
}

var fullSHA = regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`)

// cmdStatus implements `relctl status commit|deployment|issue`.
func cmdStatus(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	sub, args, err := subcommand(args, "commit", "deployment", "issue")
	if err != nil {
		return err
	}
	fs := newFlags("status "+sub, stderr)
	ff := addForgeFlags(fs)
	repoDir := fs.String("repo", "", "repository `DIR` whose configuration names the forge (default: here)")
	state := fs.String("state", "", "the outcome: commit success|failure|pending|error; deployment success|failure|in_progress|queued")
	desc := fs.String("description", "", "a one-line `TEXT`")
	link := fs.String("url", "", "a link to the run or the evidence (`URL`)")
	sha := fs.String("sha", "", "commit: the commit `SHA`")
	context_ := fs.String("context", "releasekit", "commit: the status `NAME` shown")
	ref := fs.String("ref", "", "deployment: the `REF` (tag or commit) deployed")
	env := fs.String("env", "", "deployment: the `ENV`ironment")
	title := fs.String("title", "", "issue: the issue `TITLE` (an open issue with it is updated)")
	bodyFile := fs.String("body-file", "", "issue: the issue's Markdown `FILE` (- for standard input)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl status commit --sha SHA --state STATE [--context NAME] [--description TEXT] [--url URL]\n       relctl status deployment --ref TAG --env ENV --state STATE [--description TEXT] [--url URL]\n       relctl status issue --title TITLE --body-file FILE\n\nReports on the forge (token from the environment): a commit status, a\ndeployment's status, or the deployment status issue of seed 000 (opened,\nor updated when an open issue has the title).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	var body []byte
	switch sub {
	case "commit":
		if !fullSHA.MatchString(*sha) {
			return usagef("--sha %q: want a full commit SHA", *sha)
		}
		switch *state {
		case forge.CheckSuccess, forge.CheckFailure, forge.CheckPending, forge.CheckError:
		default:
			return usagef("--state %q: want success, failure, pending or error", *state)
		}
	case "deployment":
		if *ref == "" || *env == "" {
			return usagef("--ref and --env are required")
		}
		switch *state {
		case forge.DeploySuccess, forge.DeployFailure, forge.DeployInProgress, forge.DeployQueued:
		default:
			return usagef("--state %q: want success, failure, in_progress or queued", *state)
		}
	case "issue":
		if *title == "" || *bodyFile == "" {
			return usagef("--title and --body-file are required")
		}
		if body, err = readInput("--body-file", *bodyFile, maxInputFile); err != nil {
			return err
		}
	}
	cfg, err := loadConfig("", dirOr(*repoDir))
	if err != nil {
		return err
	}
	fg, _, err := ff.open(ctx, cfg)
	if err != nil {
		return err
	}
	switch sub {
	case "commit":
		if err := fg.SetCommitStatus(ctx, *sha, forge.CommitStatus{Context: *context_, State: *state, Description: *desc, URL: *link}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s %s on %s\n", *context_, *state, *sha)
	case "deployment":
		if err := fg.SetDeploymentStatus(ctx, forge.DeploymentStatus{Ref: *ref, Environment: *env, State: *state, Description: *desc, URL: *link}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "deployment of %s to %s: %s\n", *ref, *env, *state)
	case "issue":
		is, err := fg.UpsertIssue(ctx, forge.NewIssue{Title: *title, Body: string(body)})
		if err != nil {
			return err
		}
		verb := "updated"
		if is.Created {
			verb = "opened"
		}
		fmt.Fprintf(stdout, "%s issue #%d: %s\n", verb, is.Number, is.URL)
	}
	return nil
}
