package policy

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"path"
	"time"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/identity"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

// Facts is the evidence a policy is evaluated on. The caller gathers it
// (see the package example): policy reads no repository and no network, so
// every fact is explicit and a test can build it. A nil or empty field is
// missing evidence for the controls that need it, never a pass.
//
// The slices and maps belong to the caller; controls only read them.
type Facts struct {
	// Now is the evaluation time (an injected clock): exceptions, flag
	// removal dates and, without a deployment time, change windows use it.
	Now time.Time `json:"now"`
	// Range is the commit range evaluated ("v1.2.0..main"), for reports.
	Range string `json:"range,omitempty"`
	// Commits are the commits of Range, as commits.Log returns them.
	Commits []commits.Commit `json:"commits,omitempty"`
	// Branches are the branch names to check (short names: "feature/ABC-1-x").
	Branches []string `json:"branches,omitempty"`
	// Files are repository files by slash-separated path from the root
	// (CODEOWNERS, SECURITY.md, .github/workflows/*.yml, lockfiles, ...);
	// see [ReadFiles].
	Files map[string][]byte `json:"-"`
	// Tag is the release tag and the outcome of its verification.
	Tag *Tag `json:"tag,omitempty"`
	// PullRequest is the pull request being merged or released, as the
	// caller's forge reported it (see [ReadPullRequest]).
	PullRequest *PullRequest `json:"pull_request,omitempty"`
	// Deployment is the production change being evaluated.
	Deployment *Deployment `json:"deployment,omitempty"`
	// Hotfix describes a hotfix branch and the main line it must reach.
	Hotfix *Hotfix `json:"hotfix,omitempty"`
	// ReleaseBranch describes a release branch and its cutoff.
	ReleaseBranch *ReleaseBranch `json:"release_branch,omitempty"`
	// Artifacts are the release artifacts with their SBOM and provenance.
	Artifacts []Artifact `json:"artifacts,omitempty"`
	// Record is the release record evaluated (manifest.ParseRecord, or a
	// store's Record), for [RecordComplete] and [SameDigest]. Given to a
	// [Gate], it is the record that was approved: the gate refuses to
	// promote another.
	Record *manifest.Record `json:"record,omitempty"`
	// Manifest is the multi-repo manifest that was approved; given to a
	// [Gate], the gate refuses to promote a manifest with another digest.
	Manifest *manifest.Manifest `json:"manifest,omitempty"`
	// Promotions is the promotion log so far, oldest first (the Promotion
	// of each manifest.KindPromotion entry of manifest.VerifyStore), for
	// [SameDigest]. When nil, Record.Promotions is used.
	Promotions []manifest.Promotion `json:"promotions,omitempty"`
	// Promotion is the promotion requested and not yet logged.
	Promotion *manifest.Promotion `json:"promotion,omitempty"`
	// Incidents are the incidents to check, the latest state of each
	// (manifest.Incidents of the log), for [IncidentRecords].
	Incidents []manifest.Incident `json:"incidents,omitempty"`
	// Reviews are the post-incident reviews logged (manifest.Reviews),
	// for [BreakGlass].
	Reviews []manifest.Review `json:"reviews,omitempty"`
	// Verifications are the verifications of environments logged after
	// promotions (manifest.Verifications), for [VerifyProduction].
	Verifications []manifest.Verification `json:"verifications,omitempty"`
	// Changes are the configuration and feature-flag changes logged
	// (manifest.LoggedChanges), for [ChangeRecords].
	Changes []manifest.Change `json:"changes,omitempty"`
	// Main is the main line's head and its check results, for
	// [MainReleasable].
	Main *MainLine `json:"main,omitempty"`
	// Checks are the check results a CI system reported for the merge or
	// promotion evaluated ([ReadChecks]); when nil, [RequiredChecks] reads
	// the record's (Record.Checks) or the pull request's.
	Checks []manifest.CheckResult `json:"checks,omitempty"`
	// Bypasses are the recorded gate bypasses and test quarantines
	// ([ReadBypasses]), checked by [BypassRecords] and honoured by
	// [RequiredChecks].
	Bypasses []Bypass `json:"bypasses,omitempty"`
	// MainCommits are the hashes of main's commits (git rev-list main), from
	// which [BackportProvenance] requires a backport to be cherry-picked.
	MainCommits []string `json:"main_commits,omitempty"`
	// Protection is the branch-protection configuration the forge reports
	// for the repository's branches ([ReadBranchProtection]), checked by
	// [ProtectedBranches].
	Protection []BranchProtection `json:"protection,omitempty"`
	// ReleaseOrder are the repositories of Manifest in the order their
	// releases were made or are promoted, first first, for
	// [DependencyOrder].
	ReleaseOrder []string `json:"release_order,omitempty"`
	// ReleaseNotes are the Markdown release notes of the release evaluated
	// (Record's), as relctl release-notes and changelog.WriteReleaseNotes
	// write them, for [ReleaseNotes]; nil when none were found.
	ReleaseNotes []byte `json:"-"`
	// RollbackTarget is the release record Record's rollback.version
	// names, as the store holds it (nil when it holds none, or it was not
	// gathered), for [RollbackTarget].
	RollbackTarget *manifest.Record `json:"rollback_target,omitempty"`

	// people is Policy.People, set by Evaluate (see [Facts.People]).
	people *identity.Directory
}

// A Tag is a release tag and what tagging.Verify said about it. Exactly one
// of Verification and Err is set once the tag was verified.
type Tag struct {
	Name         string                `json:"name"`
	Verification *tagging.Verification `json:"verification,omitempty"`
	// Err is the error tagging.Verify returned (tagging.ErrUnsigned for a
	// lightweight or unsigned tag, signature.ErrUntrustedKey, ...).
	Err error `json:"-"`
	// Expected is the commit the release record planned; when set, a tag
	// on another commit has moved.
	Expected string `json:"expected,omitempty"`
}

// A Deployment is a change to an environment at a time, who approved and
// started it, optionally under an emergency-change record.
type Deployment struct {
	Environment string    `json:"environment"`
	At          time.Time `json:"at"`
	// Approvers approved the deployment gate; Releaser started it.
	Approvers []string `json:"approvers,omitempty"`
	Releaser  string   `json:"releaser,omitempty"`
	// Emergency is the emergency-change record (§1.21.3.5) of a production
	// change outside the windows; every field but ID is required.
	Emergency *manifest.EmergencyChange `json:"emergency,omitempty"`
}

// A Hotfix is a hotfix branch (§1.26): the production tag it must be cut
// from, where it was actually cut, and the commits that must be
// forward-ported to main.
type Hotfix struct {
	Branch           string `json:"branch"`
	ProductionTag    string `json:"production_tag"`
	ProductionCommit string `json:"production_commit"`
	// ForkPoint is the merge base of the hotfix branch and the main line.
	ForkPoint string `json:"fork_point"`
	// Commits are the hotfix commits (ProductionTag..Branch).
	Commits []commits.Commit `json:"commits"`
	// Main are the main-line commits after the fork point.
	Main []commits.Commit `json:"main"`
	// PatchIDs maps a commit hash (hotfix or main) to its [PatchID].
	PatchIDs map[string]string `json:"patch_ids,omitempty"`
}

// A ReleaseBranch is a release branch and its cutoff: after Cutoff it takes
// fixes only (§1.25).
type ReleaseBranch struct {
	Name   string    `json:"name"`
	Cutoff time.Time `json:"cutoff"`
	// Commits are the branch's commits since it left main.
	Commits []commits.Commit `json:"commits"`
	// ForkPoint is the merge base of the branch and main: the commit of
	// main it was cut from, for [ReleaseBranchFromMain].
	ForkPoint string `json:"fork_point,omitempty"`
	// CutoffCommit and Captain are the cutoff commit and the Release
	// Captain recorded for the cut (§1.15.3.1/2).
	CutoffCommit string `json:"cutoff_commit,omitempty"`
	Captain      string `json:"captain,omitempty"`
	// Main are main's commits after ForkPoint, and PatchIDs the [PatchID]
	// of each commit (branch or main), for [ReleaseFixesOnMain].
	Main     []commits.Commit  `json:"main,omitempty"`
	PatchIDs map[string]string `json:"patch_ids,omitempty"`
	// Exceptions are the approved release-branch-only changes (§1.15.3.3/1).
	Exceptions []BranchException `json:"exceptions,omitempty"`
}

// A PullRequest is the pull-request data the caller supplies, in this JSON
// form (every field optional; missing data fails the controls that need it):
//
//	{
//	  "number": 42,
//	  "author": "alice",
//	  "approvers": ["bob"],
//	  "labels": ["release"],
//	  "checks": {"build": "success", "test": "success"},
//	  "merge_method": "squash",
//	  "head": "feature/ABC-1-add-timeout",
//	  "base": "main",
//	  "head_sha": "4f2a…(40 hex)",
//	  "reviews": [
//	    {"user": "bob", "state": "APPROVED", "commit_id": "4f2a…", "submitted_at": "2026-03-02T09:30:00Z"}
//	  ],
//	  "changed_files": ["api/handler.go"],
//	  "body": "## Ticket / Change record\n- Ticket: https://…"
//	}
//
// merge_method is "squash", "rebase" or "merge". checks maps a check name
// to the status the forge reports for the head commit ("success" passes).
// head_sha is the head commit, reviews the reviews as the forge lists them
// (state "APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED" or
// "PENDING"; commit_id the commit reviewed) and changed_files the paths the
// pull request changes, which [ReviewApprovals] matches against
// CODEOWNERS. body is the description (Markdown), which
// [PullRequestTemplate] reads. approvers is the older, commit-less form of the approvals
// ([SeparationOfDuties] reads it).
type PullRequest struct {
	Number       int               `json:"number"`
	Author       string            `json:"author"`
	Approvers    []string          `json:"approvers"`
	Labels       []string          `json:"labels"`
	Checks       map[string]string `json:"checks"`
	MergeMethod  string            `json:"merge_method"`
	Head         string            `json:"head"`
	Base         string            `json:"base"`
	HeadSHA      string            `json:"head_sha,omitempty"`
	Reviews      []Review          `json:"reviews,omitempty"`
	ChangedFiles []string          `json:"changed_files,omitempty"`
	Body         string            `json:"body,omitempty"`
}

// A Review is one review of a pull request as the forge reports it: who
// (User), the outcome (State: "APPROVED", "CHANGES_REQUESTED",
// "COMMENTED", "DISMISSED" or "PENDING"), the commit reviewed (CommitID)
// and when it was submitted. CanApprove says the forge reports that the
// reviewer may approve the pull request: write access to the repository
// (GitHub: the collaborator permission write, maintain or admin; Gitea:
// an official review; GitLab: an approval, which only an eligible
// approver can give). An approval without it — a sock-puppet account, a
// reader, an outside contributor — does not count ([ReviewApprovals]);
// a hand-written review without "can_approve": true counts for nothing.
type Review struct {
	User        string    `json:"user"`
	State       string    `json:"state"`
	CommitID    string    `json:"commit_id"`
	SubmittedAt time.Time `json:"submitted_at,omitzero"`
	CanApprove  bool      `json:"can_approve"`
}

// The review states of [Review].
const (
	ReviewApproved         = "APPROVED"
	ReviewChangesRequested = "CHANGES_REQUESTED"
	ReviewCommented        = "COMMENTED"
	ReviewDismissed        = "DISMISSED"
	ReviewPending          = "PENDING"
)

// ReadPullRequest reads a [PullRequest] in its JSON form. Unknown fields,
// trailing data, an unknown merge_method and an unknown review state are
// errors.
func ReadPullRequest(r io.Reader) (*PullRequest, error) {
	var pr PullRequest
	if err := readStrictJSON(r, &pr, false); err != nil {
		return nil, fmt.Errorf("policy: parse pull request: %w", err)
	}
	switch pr.MergeMethod {
	case "", "squash", "rebase", "merge":
	default:
		return nil, fmt.Errorf("policy: parse pull request: merge_method %q: want squash, rebase or merge", pr.MergeMethod)
	}
	for i, r := range pr.Reviews {
		switch r.State {
		case ReviewApproved, ReviewChangesRequested, ReviewCommented, ReviewDismissed, ReviewPending:
		default:
			return nil, fmt.Errorf("policy: parse pull request: reviews[%d].state %q: want APPROVED, CHANGES_REQUESTED, COMMENTED, DISMISSED or PENDING", i, r.State)
		}
	}
	return &pr, nil
}

// ReadFiles reads the files that the built-in controls inspect from a
// repository's work tree (os.DirFS(dir)) or any fs.FS: the repository
// files of §2.5 and §1.21, CI workflows, Dockerfiles, compose and
// Kubernetes manifests, lockfiles, feature-flag registries, and extra, the
// paths of further files (for example Config.FlagRegistry), and every
// other text file up to 1 MiB, which [NoSecrets] scans (binary files — a
// NUL byte in the first 8000 bytes, git's test — and larger text files
// are skipped). Missing files are skipped. Lockfiles (go.sum, package-lock.json, yarn.lock,
// pnpm-lock.yaml, Cargo.lock, poetry.lock, uv.lock, Gemfile.lock), which
// the controls only need to find, are recorded with empty content when
// larger than 1 MiB; any other file of those larger than 1 MiB is an error.
// Directories named .git, node_modules and vendor are not entered.
func ReadFiles(fsys fs.FS, extra ...string) (map[string][]byte, error) {
	files := map[string][]byte{}
	want := map[string]bool{}
	for _, p := range extra {
		want[p] = true
	}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "node_modules", "vendor":
				return fs.SkipDir
			}
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if !want[p] && !interesting(p) {
			// Any other text file, for the secret scan (REL-SECRETS-001).
			if info.Size() > maxFile {
				return nil
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			if !bytes.Contains(b[:min(len(b), 8000)], []byte{0}) {
				files[p] = bytes.Clone(b)
			}
			return nil
		}
		if info.Size() > maxFile {
			if isLockfile(path.Base(p)) {
				files[p] = []byte{} // present; its content is never inspected
				return nil
			}
			return fmt.Errorf("policy: read %s: larger than 1 MiB", p)
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[p] = bytes.Clone(b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("policy: read files: %w", err)
	}
	return files, nil
}
