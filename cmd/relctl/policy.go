package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/tagging"
)

func cmdPolicy(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "controls" {
		return cmdPolicyControls(args[1:], stdout, stderr)
	}
	fs := newFlags("policy", stderr)
	configFile := fs.String("config", "", "policy `FILE` (YAML or JSON); default: the policy the release configuration (.releasekit.yaml) names, else every built-in control, strictest")
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository here)")
	rng := fs.String("range", "HEAD", "commit `RANGE` to check (A..B, or REV for its whole history)")
	record := fs.String("record", "", "release record `FILE` (manifest's JSON form): checked by REL-RECORD-001 and REL-DIGEST-001")
	promotion := fs.String("promotion", "", "with --record, promotion request `FILE` (JSON: release, env, digest, approver, reason, requested_at, emergency, history), decided as manifest's promotion gate would")
	prFile := fs.String("pr", "", "pull-request `FILE` in policy's JSON form (- for standard input)")
	tag := fs.String("tag", "", "release tag `NAME` to verify")
	allowed := fs.String("allowed-signers", "", "with --tag, trust the SSH allowed_signers `FILE`")
	keyring := fs.String("keyring", "", "with --tag, trust the armored OpenPGP keys in `FILE`")
	hotfix := fs.String("hotfix", "", "hotfix `BRANCH` to check: cut from --production-tag, forward-ported to --main")
	prodTag := fs.String("production-tag", "", "with --hotfix, the production `TAG`")
	mainRef := fs.String("main", "main", "with --hotfix, --release-branch or a --pr into a release/* branch (a backport), the main-line `BRANCH`")
	relBranch := fs.String("release-branch", "", "release `BRANCH` to check for features after --cutoff")
	cutoff := fs.String("cutoff", "", "with --release-branch, the cutoff `TIME` (RFC 3339)")
	cutoffCommit := fs.String("cutoff-commit", "", "with --release-branch, the recorded cutoff `COMMIT` of main it must be cut from (REL-RELBRANCH-002)")
	captain := fs.String("release-captain", "", "with --release-branch, the Release Captain `NAME` recorded for the cut (REL-RELBRANCH-002)")
	branchExc := fs.String("branch-exceptions", "", "with --release-branch, approved release-branch-only changes `FILE` (JSON list: commit, reason, approver, ticket) for REL-RELBRANCH-003")
	artifactFile := fs.String("artifact", "", "release artifact `FILE` whose SBOM and provenance to check")
	sbomFile := fs.String("sbom", "", "with --artifact, its CycloneDX JSON SBOM `FILE`")
	provFile := fs.String("provenance", "", "with --artifact, its DSSE provenance envelope `FILE` (keys: REL-SBOM-001 provenance_keys)")
	deployment := fs.String("deployment", "", "deployment `FILE` (JSON: environment, at, approvers, releaser, emergency)")
	checksFile := fs.String("checks", "", "check results `FILE` (JSON list: name, passed, url, kind, commit, findings) for REL-CHECKS-001; default: the record's checks, or the pull request's")
	bypassFile := fs.String("bypasses", "", "gate bypass and test quarantine records `FILE` (JSON list), checked by REL-BYPASS-001 and honoured by REL-CHECKS-001")
	protectionFile := fs.String("protection", "", "branch-protection snapshot `FILE` (JSON list, as the forge reports it) for REL-PROTECT-001")
	nowFlag := fs.String("now", "", "evaluation `TIME` (RFC 3339; default now): windows, expiry and flag dates use it")
	format := fs.String("format", "text", "output `FORMAT`: text, json, sarif or junit")
	notesFile := fs.String("release-notes", "", "the release's release notes `FILE` (Markdown, as relctl release-notes writes them): checked by REL-NOTES-001")
	manifestFile := fs.String("manifest", "", "multi-repo manifest `FILE` (manifest's JSON form) of a coordinated release: checked by REL-ORDER-001 with --release-order")
	var releaseOrder listFlag
	fs.Var(&releaseOrder, "release-order", "with --manifest, the `REPO` released next, in order (repeat, or comma-separated): libraries before their dependents")
	mainFile := fs.String("main-checks", "", "main-line `FILE` for REL-FREEZE-001 (JSON: branch, commit, checks [{name, passed, commit, url}]): its head's CI check results")
	logStore := storeFlags{
		dir:     fs.String("store", "", "evidence store `DIR` whose log gives the facts: promotions, incidents and post-incident reviews (REL-DIGEST-001, REL-BREAKGLASS-001, REL-INCIDENT-001)"),
		gitRepo: fs.String("git-store", "", "as --store, the evidence kept in the git repository `REPO`"),
		oci:     fs.String("oci-store", "", "as --store, the evidence kept in the OCI registry repository `REF`"),
	}
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl policy [--config FILE] [--repo DIR] [--range A..B] [--pr FILE] [--tag TAG --allowed-signers FILE]\n                     [--hotfix BRANCH --production-tag TAG] [--release-branch BRANCH --cutoff RFC3339 [--cutoff-commit REV --release-captain NAME] [--branch-exceptions FILE]]\n                     [--artifact FILE --sbom FILE --provenance FILE] [--deployment FILE] [--record FILE [--promotion FILE]]\n                     [--checks FILE] [--bypasses FILE] [--protection FILE]\n                     [--main-checks FILE] [--store DIR | --git-store REPO | --oci-store REF]\n                     [--release-notes FILE] [--manifest FILE --release-order REPO,...]\n                     [--now RFC3339] [--format text|json|sarif|junit]\n\nEvaluates the release policy on a repository. Exit 0 when every control\npasses (or is waived or not applicable) or the policy is advisory, 1 when one\nfails, 2 on bad input.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nA promotion request (--promotion) is JSON; history is the promotion log so far\n(default: the record's \"promotions\"), requested_at defaults to --now, and the\nenvironment \"prod\" is checked as production:\n  {\"release\": \"v1.4.2\", \"env\": \"prod\", \"digest\": \"sha256:...\", \"approver\": \"carol\",\n   \"reason\": \"CHG-1234\", \"requested_at\": \"2026-03-02T10:00:00+01:00\",\n   \"emergency\": {\"reason\": \"...\", \"scope\": \"...\", \"approver\": \"...\", \"rollback_plan\": \"...\", \"follow_up\": \"...\"},\n   \"history\": [{\"release\": \"v1.4.2\", \"env\": \"staging\", \"digest\": \"sha256:...\", \"requested_at\": \"...\", \"promoted_at\": \"...\"}]}")
		fmt.Fprintln(stderr, "\nThe pull request (--pr) may carry what the forge reports about its reviews:\n  {\"number\": 7, \"author\": \"alice\", \"base\": \"main\", \"head_sha\": \"<40 hex>\", \"checks\": {\"test\": \"success\"},\n   \"reviews\": [{\"user\": \"bob\", \"state\": \"APPROVED\", \"commit_id\": \"<40 hex>\", \"submitted_at\": \"...\"}],\n   \"changed_files\": [\"api/handler.go\"]}\nCheck results (--checks): [{\"name\": \"semgrep\", \"kind\": \"sast\", \"passed\": true, \"commit\": \"<40 hex>\",\n   \"findings\": {\"critical\": 0, \"high\": 2}, \"url\": \"...\"}]\nBypasses (--bypasses): [{\"id\": \"BYP-1\", \"kind\": \"bypass|quarantine\", \"check\": \"test\",\n   \"scope\": \"environment:production|release:v1.4.2|branch:main\", \"ticket\": \"ABC-1\", \"approver\": \"carol\",\n   \"requester\": \"alice\", \"rationale\": \"...\", \"remediation_plan\": \"...\", \"expires\": \"RFC 3339\", \"security\": false}]\nBranch protection (--protection): [{\"branch\": \"main\", \"require_pull_request\": true, \"enforce_admins\": true,\n   \"required_approving_review_count\": 2, \"require_code_owner_reviews\": true, \"dismiss_stale_reviews\": true,\n   \"required_status_checks\": [\"ci / test\"], \"required_signatures\": false, \"allow_force_pushes\": false,\n   \"allow_deletions\": false}]  (every key required)")
		fmt.Fprintln(stderr, "\nrelctl policy controls [--format markdown|json] prints the policy's traceability matrix.")
		fmt.Fprintln(stderr, "\nExample:\n  relctl policy --config .github/release-policy.yml --range v1.2.0..HEAD --pr pr.json --format sarif > policy.sarif\n  relctl policy --config promote-policy.yml --pr pr.json --record v1.4.2.json --promotion promote.json")
		fmt.Fprintln(stderr, ciHelp+"result (allow or deny), failed (the number of failed controls);\nthe summary has one row per failed control (RELCTL_RESULT=deny ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	switch *format {
	case "text", "json", "sarif", "junit":
	default:
		return usagef("--format %q: want text, json, sarif or junit", *format)
	}
	if (*relBranch == "") != (*cutoff == "") {
		return usagef("--release-branch and --cutoff go together")
	}
	var cut time.Time
	if *cutoff != "" {
		t, err := time.Parse(time.RFC3339, *cutoff)
		if err != nil {
			return usagef("--cutoff %q: %v", *cutoff, err)
		}
		cut = t
	}
	if (*hotfix == "") != (*prodTag == "") {
		return usagef("--hotfix and --production-tag go together")
	}
	if *tag != "" && (*allowed == "") == (*keyring == "") {
		return usagef("--tag needs exactly one of --allowed-signers and --keyring")
	}
	now := time.Now()
	if *nowFlag != "" {
		t, err := time.Parse(time.RFC3339, *nowFlag)
		if err != nil {
			return usagef("--now %q: %v", *nowFlag, err)
		}
		now = t
	}

	p := policy.Default()
	configName := ".github/release-policy.yml"
	if *configFile != "" {
		b, err := readInput("--config", *configFile, maxInputFile)
		if err != nil {
			return err
		}
		if p, err = policy.ReadConfig(bytes.NewReader(b)); err != nil {
			return usageError{fmt.Errorf("--config %s: %w", *configFile, err)}
		}
		configName = *configFile
	} else {
		// The release configuration's policy, when it names one.
		dir := *repoDir
		if dir == "" {
			dir = "."
		}
		cfg, err := loadConfig("", dir)
		if err != nil {
			return err
		}
		if cfg != nil && cfg.Policy.Policy != nil {
			p = *cfg.Policy.Policy
			if dir, err := cfg.Directory(); err == nil && p.People == nil {
				p.People = dir
			}
			configName = cfg.File
		}
	}
	if *promotion != "" && *record == "" {
		return usagef("--promotion needs --record: the promotion is decided on the record it promotes")
	}
	if *promotion != "" && *deployment != "" {
		return usagef("--promotion and --deployment exclude each other: the promotion is the deployment")
	}
	var rec *manifest.Record
	if *record != "" {
		b, err := readInput("--record", *record, maxInputFile)
		if err != nil {
			return err
		}
		r, err := manifest.ParseRecord(b)
		if err != nil {
			return usageError{fmt.Errorf("--record %s: %w", *record, err)}
		}
		rec = &r
		// Evidence given is evidence checked.
		for _, c := range []policy.Control{policy.RecordComplete{}, policy.SameDigest{}} {
			if !slices.ContainsFunc(p.Controls, func(x policy.Control) bool { return x.Meta().ID == c.Meta().ID }) {
				p.Controls = append(p.Controls, c)
			}
		}
	}
	var promote *policy.PromotionRequest
	if *promotion != "" {
		b, err := readInput("--promotion", *promotion, maxInputFile)
		if err != nil {
			return err
		}
		if promote, err = policy.ReadPromotionRequest(bytes.NewReader(b)); err != nil {
			return usageError{fmt.Errorf("--promotion %s: %w", *promotion, err)}
		}
	}

	f := policy.Facts{Now: now, Range: *rng, Record: rec}
	if *prFile != "" {
		var r io.Reader = stdin
		if *prFile != "-" {
			b, err := readInput("--pr", *prFile, maxInputFile)
			if err != nil {
				return err
			}
			r = bytes.NewReader(b)
		}
		pr, err := policy.ReadPullRequest(r)
		if err != nil {
			return usageError{fmt.Errorf("--pr %s: %w", *prFile, err)}
		}
		f.PullRequest = pr
	}

	if *artifactFile != "" {
		a, err := readArtifact(*artifactFile, *sbomFile, *provFile)
		if err != nil {
			return err
		}
		f.Artifacts = []policy.Artifact{a}
	} else if *sbomFile != "" || *provFile != "" {
		return usagef("--sbom and --provenance need --artifact")
	}
	for _, in := range []struct {
		flag, file string
		parse      func([]byte) error
	}{
		{"--checks", *checksFile, func(b []byte) (err error) { f.Checks, err = policy.ReadChecks(bytes.NewReader(b)); return err }},
		{"--bypasses", *bypassFile, func(b []byte) (err error) { f.Bypasses, err = policy.ReadBypasses(bytes.NewReader(b)); return err }},
		{"--protection", *protectionFile, func(b []byte) (err error) {
			f.Protection, err = policy.ReadBranchProtection(bytes.NewReader(b))
			return err
		}},
		{"--deployment", *deployment, func(b []byte) error {
			f.Deployment = &policy.Deployment{}
			return strictjson.Unmarshal(b, f.Deployment, strictjson.Options{})
		}},
		{"--main-checks", *mainFile, func(b []byte) error {
			f.Main = &policy.MainLine{}
			return strictjson.Unmarshal(b, f.Main, strictjson.Options{})
		}},
	} {
		if err := readFlagFile(in.flag, in.file, in.parse); err != nil {
			return err
		}
	}

	if *notesFile != "" {
		b, err := readInput("--release-notes", *notesFile, maxInputFile)
		if err != nil {
			return err
		}
		f.ReleaseNotes = b
	}
	if *manifestFile != "" {
		b, err := readInput("--manifest", *manifestFile, maxInputFile)
		if err != nil {
			return err
		}
		m, err := manifest.ParseManifest(b)
		if err != nil {
			return usageError{fmt.Errorf("--manifest %s: %w", *manifestFile, err)}
		}
		f.Manifest = &m
		for _, r := range releaseOrder {
			for _, name := range strings.Split(r, ",") {
				if name = strings.TrimSpace(name); name != "" {
					f.ReleaseOrder = append(f.ReleaseOrder, name)
				}
			}
		}
	} else if len(releaseOrder) > 0 {
		return usagef("--release-order needs --manifest: the order is checked against the manifest's dependencies")
	}
	if logStore.given() {
		if err := gatherLog(ctx, logStore, &f); err != nil {
			return err
		}
	}

	repo, demo, err := openRepo(*repoDir, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	if err := gatherRepo(ctx, repo, *rng, &f); err != nil {
		return err
	}
	if pr := f.PullRequest; pr != nil && strings.HasPrefix(pr.Base, "release/") {
		// A backport: REL-BACKPORT-001 needs main's commits.
		r, err := commits.ResolveRange(repo, *mainRef)
		if err != nil {
			return usageError{fmt.Errorf("--main %s: %w", *mainRef, err)}
		}
		f.MainCommits = []string{}
		for c, err := range commits.Log(ctx, repo, r) {
			if err != nil {
				return err
			}
			f.MainCommits = append(f.MainCommits, c.Hash)
		}
	}
	if *hotfix != "" {
		if f.Hotfix, err = gatherHotfix(ctx, repo, *hotfix, *prodTag, *mainRef); err != nil {
			return err
		}
	}
	if *relBranch != "" {
		if f.ReleaseBranch, err = gatherReleaseBranch(ctx, repo, *relBranch, *mainRef, cut); err != nil {
			return err
		}
		f.ReleaseBranch.Captain = *captain
		if *cutoffCommit != "" {
			h, err := commits.Resolve(repo, *cutoffCommit)
			if err != nil {
				return usageError{fmt.Errorf("--cutoff-commit %s: %w", *cutoffCommit, err)}
			}
			f.ReleaseBranch.CutoffCommit = h.String()
		}
		if *branchExc != "" {
			b, err := os.ReadFile(*branchExc)
			if err != nil {
				return usageError{err}
			}
			if f.ReleaseBranch.Exceptions, err = policy.ReadBranchExceptions(bytes.NewReader(b)); err != nil {
				return usageError{fmt.Errorf("--branch-exceptions: %w", err)}
			}
		}
	} else if *cutoffCommit != "" || *captain != "" || *branchExc != "" {
		return usagef("--cutoff-commit, --release-captain and --branch-exceptions go with --release-branch")
	}
	if *tag != "" {
		v, err := trustedKeys(*keyring, *allowed, "", tagging.GitNamespace)
		if err != nil {
			return err
		}
		res, verr := tagging.Verify(ctx, repo, *tag, v, now)
		f.Tag = &policy.Tag{Name: *tag, Verification: res, Err: verr}
	}

	var report policy.Report
	if promote != nil {
		// The promotion is decided as manifest.Promote's gate decides it.
		in := promote.Input(*rec, now)
		if in.History == nil {
			in.History = rec.Promotions
		}
		report = policy.Gate{Policy: p, Facts: f}.Evaluate(ctx, in)
	} else {
		report = policy.Evaluate(ctx, p, f)
	}
	reportPolicy(ciFrom(ctx), report)
	switch *format {
	case "json":
		err = report.WriteJSON(stdout)
	case "sarif":
		err = report.WriteSARIF(stdout, configName)
	case "junit":
		err = report.WriteJUnit(stdout)
	default:
		err = report.WriteText(stdout)
	}
	if err != nil {
		return err
	}
	if err := report.Err(); err != nil {
		if report.Advisory && !errors.Is(err, policy.ErrEmptyPolicy) {
			fmt.Fprintln(stderr, "relctl: advisory policy: failures reported, not enforced")
			return nil
		}
		return errSilent
	}
	return nil
}

// readArtifact digests the artifact file and reads its SBOM and provenance.
func readArtifact(file, bomFile, provFile string) (policy.Artifact, error) {
	r, err := openInput("--artifact", file)
	if err != nil {
		return policy.Artifact{}, err
	}
	defer r.Close()
	subj, err := sbom.SubjectOf(filepath.Base(file), r)
	if err != nil {
		return policy.Artifact{}, fmt.Errorf("digest %s: %w", file, err)
	}
	a := policy.Artifact{Name: subj.Name, Digest: "sha256:" + subj.SHA256}
	if bomFile != "" {
		if a.SBOM, err = readInput("--sbom", bomFile, maxDocumentFile); err != nil {
			return a, err
		}
	}
	if provFile != "" {
		if a.Provenance, err = readInput("--provenance", provFile, maxDocumentFile); err != nil {
			return a, err
		}
	}
	return a, nil
}

// gatherRepo fills the repository facts: branches, the commits of rng and
// the files of the work tree.
func gatherRepo(ctx context.Context, repo *git.Repository, rng string, f *policy.Facts) error {
	r, err := commits.ResolveRange(repo, rng)
	if err != nil {
		if errors.Is(err, commits.ErrRevision) {
			return usageError{fmt.Errorf("--range %s: %w", rng, err)}
		}
		return err
	}
	f.Commits = []commits.Commit{}
	for c, err := range commits.Log(ctx, repo, r) {
		if err != nil {
			return err
		}
		f.Commits = append(f.Commits, c)
	}
	refs, err := repo.Branches()
	if err != nil {
		return fmt.Errorf("list branches: %w", err)
	}
	err = refs.ForEach(func(ref *plumbing.Reference) error {
		f.Branches = append(f.Branches, ref.Name().Short())
		return nil
	})
	if err != nil {
		return fmt.Errorf("list branches: %w", err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		return fmt.Errorf("work tree: %w", err)
	}
	f.Files, err = policy.ReadFiles(os.DirFS(wt.Filesystem.Root()))
	return err
}

// gatherHotfix fills the hotfix facts: where branch left main, the hotfix
// commits after the production tag, the main commits after the fork point,
// and the patch IDs of both.
func gatherHotfix(ctx context.Context, repo *git.Repository, branch, prodTag, mainRef string) (*policy.Hotfix, error) {
	resolve := func(flag, rev string) (plumbing.Hash, error) {
		h, err := commits.Resolve(repo, rev)
		if err != nil {
			return h, usageError{fmt.Errorf("%s %s: %w", flag, rev, err)}
		}
		return h, nil
	}
	prod, err := resolve("--production-tag", prodTag)
	if err != nil {
		return nil, err
	}
	tip, err := resolve("--hotfix", branch)
	if err != nil {
		return nil, err
	}
	mainTip, err := resolve("--main", mainRef)
	if err != nil {
		return nil, err
	}
	a, err := repo.CommitObject(tip)
	if err != nil {
		return nil, err
	}
	b, err := repo.CommitObject(mainTip)
	if err != nil {
		return nil, err
	}
	bases, err := a.MergeBase(b)
	if err != nil {
		return nil, fmt.Errorf("merge base of %s and %s: %w", branch, mainRef, err)
	}
	h := &policy.Hotfix{Branch: branch, ProductionTag: prodTag, ProductionCommit: prod.String(), PatchIDs: map[string]string{}}
	if len(bases) == 0 {
		return nil, usagef("--hotfix %s shares no history with %s", branch, mainRef)
	}
	fork := bases[0].Hash
	h.ForkPoint = fork.String()
	logRange := func(from, to plumbing.Hash) ([]commits.Commit, error) {
		out := []commits.Commit{}
		for c, err := range commits.Log(ctx, repo, commits.Range{From: []plumbing.Hash{from}, To: to}) {
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			id, err := patchID(repo, plumbing.NewHash(c.Hash))
			if err != nil {
				return nil, err
			}
			h.PatchIDs[c.Hash] = id
		}
		return out, nil
	}
	if h.Commits, err = logRange(prod, tip); err != nil {
		return nil, err
	}
	if h.Main, err = logRange(fork, mainTip); err != nil {
		return nil, err
	}
	return h, nil
}

// gatherReleaseBranch fills the release-branch facts: the branch's commits
// since it left main (main..branch), its fork point from main, main's
// commits after the fork point, and the patch IDs of both.
func gatherReleaseBranch(ctx context.Context, repo *git.Repository, branch, mainRef string, cut time.Time) (*policy.ReleaseBranch, error) {
	tip, err := commits.Resolve(repo, branch)
	if err != nil {
		return nil, usageError{fmt.Errorf("--release-branch %s: %w", branch, err)}
	}
	mainTip, err := commits.Resolve(repo, mainRef)
	if err != nil {
		return nil, usageError{fmt.Errorf("--main %s: %w", mainRef, err)}
	}
	a, err := repo.CommitObject(tip)
	if err != nil {
		return nil, err
	}
	b, err := repo.CommitObject(mainTip)
	if err != nil {
		return nil, err
	}
	bases, err := a.MergeBase(b)
	if err != nil {
		return nil, fmt.Errorf("merge base of %s and %s: %w", branch, mainRef, err)
	}
	if len(bases) == 0 {
		return nil, usagef("--release-branch %s shares no history with %s", branch, mainRef)
	}
	rb := &policy.ReleaseBranch{Name: branch, Cutoff: cut, ForkPoint: bases[0].Hash.String(), PatchIDs: map[string]string{}}
	logRange := func(from, to plumbing.Hash) ([]commits.Commit, error) {
		out := []commits.Commit{}
		for c, err := range commits.Log(ctx, repo, commits.Range{From: []plumbing.Hash{from}, To: to}) {
			if err != nil {
				return nil, err
			}
			out = append(out, c)
			id, err := patchID(repo, plumbing.NewHash(c.Hash))
			if err != nil {
				return nil, err
			}
			rb.PatchIDs[c.Hash] = id
		}
		return out, nil
	}
	if rb.Commits, err = logRange(mainTip, tip); err != nil {
		return nil, err
	}
	if rb.Main, err = logRange(bases[0].Hash, mainTip); err != nil {
		return nil, err
	}
	return rb, nil
}

// patchID is policy.PatchID of the diff a single-parent commit introduces
// ("" for merges and root commits).
func patchID(repo *git.Repository, h plumbing.Hash) (string, error) {
	c, err := repo.CommitObject(h)
	if err != nil {
		return "", err
	}
	if c.NumParents() != 1 {
		return "", nil
	}
	parent, err := c.Parent(0)
	if err != nil {
		return "", err
	}
	patch, err := parent.Patch(c)
	if err != nil {
		return "", fmt.Errorf("diff %s: %w", h, err)
	}
	return policy.PatchID([]byte(patch.String())), nil
}

// gatherLog reads the facts a policy takes from the evidence log: the
// promotions (unless a record gave them), the latest state of each
// incident, the post-incident reviews, the verifications and the
// configuration and flag changes; and, given a
// record, the store's record of its rollback target. A log that does not verify is
// an error, never facts.
func gatherLog(ctx context.Context, sf storeFlags, f *policy.Facts) error {
	st, err := sf.open()
	if err != nil {
		return err
	}
	entries, err := st.Entries(ctx)
	if err != nil {
		return err
	}
	if err := manifest.VerifyLog(entries, nil); err != nil {
		return err
	}
	proms := []manifest.Promotion{}
	for _, e := range entries {
		if e.Kind == manifest.KindPromotion && e.Promotion != nil {
			proms = append(proms, *e.Promotion)
		}
	}
	if f.Promotions == nil {
		f.Promotions = proms
	}
	f.Incidents = manifest.Incidents(entries)
	f.Reviews = manifest.Reviews(entries)
	f.Verifications = manifest.Verifications(entries)
	f.Changes = manifest.LoggedChanges(entries)
	if r := f.Record; r != nil && f.RollbackTarget == nil {
		// REL-ROLLBACK-001 needs the store's record of the rollback target.
		v := r.Rollback.Version
		if strings.TrimSpace(v) != "" && !manifest.IsFirstRelease(v) && v != r.Tag {
			t, err := st.Record(ctx, v)
			if err == nil {
				err = manifest.CheckRecordTag(v, t)
			}
			switch {
			case err == nil:
				f.RollbackTarget = &t
			case errors.Is(err, manifest.ErrNotFound), errors.Is(err, manifest.ErrInvalidRecord), errors.Is(err, manifest.ErrInvalidName):
				// Never released: REL-ROLLBACK-001 fails for want of it.
			default:
				return fmt.Errorf("read rollback target %s: %w", v, err)
			}
		}
	}
	return nil
}

// readFlagFile reads the file a flag names (nothing when it names none)
// and hands it to parse; a parse error is bad input (exit 2) naming the
// flag and the file.
func readFlagFile(flag, file string, parse func([]byte) error) error {
	if file == "" {
		return nil
	}
	b, err := readInput(flag, file, maxInputFile)
	if err != nil {
		return err
	}
	if err := parse(b); err != nil {
		return usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
	}
	return nil
}
