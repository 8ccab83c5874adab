package manifest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// This file logs the outcome of deployments (§1.5.2, §1.21.3.4: what ran
// where, who reported it, whether it worked and what changed):
// [ReportDeployment] appends a [Deployment] for a release an environment
// was promoted to, with the manifest of changed files kept as evidence.

// Bounds of a [DeploymentReport].
const (
	MaxTargets         = 100  // targets named in one report
	MaxDeploymentError = 4096 // bytes of a failed deployment's error
	maxName            = 256  // bytes of a target or a branch name
)

// The kinds of change of a [FileChange].
const (
	ChangeAdded    = "added"
	ChangeModified = "modified"
	ChangeDeleted  = "deleted"
)

// A DeploymentReport is what a deployment job (or a deploy agent) reports
// to [ReportDeployment]: the release it deployed to Env, the Result
// (ResultStarted, ResultSucceeded or ResultFailed, with Error for a
// failure), the Targets it deployed to (servers, clusters), the Branch and
// Commit it deployed, who reports it (Actor, required: verified from a CI
// token, or typed; an [Authorizer] decides whether it may) and the files
// that changed since what Env ran before ([TreeChanges] between
// [PreviousRelease] and Release).
type DeploymentReport struct {
	Release string
	Env     string
	Result  string
	Error   string
	Targets []string
	Branch  string
	Commit  string // "" for the release record's commit
	Actor   *Actor
	Changes *ChangedFiles
}

// ReportDeployment appends the outcome of deploying r.Release to r.Env as
// a [KindDeployment] entry and returns it. The entry's Digest and
// Promotion are those of the promotion Env carried out (the latest
// promotion to Env, which must be of r.Release), its Commit the release
// record's, its Actor who reported it, its Config the configuration's
// digest ([WithConfigDigest]), and its Changes the summary of r.Changes,
// which is stored first as evidence (its canonical JSON, by digest) in st,
// so st must then be an [EvidenceStore].
//
// A report that cannot be logged as it is is refused, and nothing is
// logged, with a *[FieldError] naming the field:
//   - Release empty ("required"), Result not started, succeeded or failed
//     ("unknown result"), Error empty for a failure ("required") or given
//     with another result ("only for a failed result"), or longer than
//     [MaxDeploymentError] bytes ("too long"), or not UTF-8 ("invalid UTF-8");
//   - no Actor, or one without a name ("actor", "required": a deployment
//     is reported by someone), or an Actor with a field longer than 1 KiB
//     ("too long", Field "actor.name", "actor.claims.ref", ...) or more
//     than 16 token audiences ("too many");
//   - a target empty ("required"), with a control, format or bidi
//     character ("control character"), longer than 256 bytes ("too long"),
//     named twice ("duplicate"), or more than [MaxTargets] ("too many"); a
//     Branch with a control character or longer than 256 bytes;
//   - a Commit that is not a full object name ("not a commit") or not the
//     record's ("not the release's commit");
//   - Changes of another release ("not this release"), not from the
//     release Env ran before ("not from the previous release",
//     [PreviousRelease]), inconsistent ("invalid changes": see
//     [ParseChangedFiles]), or given to a store that is no EvidenceStore
//     ("store keeps no evidence").
//
// Every other refusal is logged as a [KindDenied] entry (Action
// "deploy-report", the Actor, the configuration's digest), as [Promote]
// logs its refusals, and returned with it:
//   - ErrUnknownEnv for an environment not in the order ([WithOrder]);
//   - a *[RefusalError] "verified identity required" for an Actor that is
//     not verified where [WithVerifiedIdentity] requires one;
//   - a *RefusalError "reporter not authorized" (wrapping the
//     Authorizer's error) when an Authorizer ([WithAuthorizer]) does not
//     allow the Actor's name [ActionDeploy] in Env, and "no authorization
//     for production" when Env is a production environment
//     ([WithProduction]; by default the last of the order) and no
//     Authorizer is set, unless [WithSkipAuthorizationUnsafe] lets it
//     through (the entry's Unsafe then names it): both answer to
//     REL-ENV-001 ([Controls]);
//   - ErrNotFound (or ErrInvalidRecord, ErrInvalidName) for a release
//     without a valid record; a store that fails is returned, not logged;
//   - a *RefusalError "release not promoted to the environment" for a
//     release that Env does not run (it was never promoted there, or
//     another was promoted since).
//
// Like Promote, it never appends to a log that does not verify, and
// appends with compare-and-swap, checking the promotion again on the new
// log when another writer got there first. Of the options, WithOrder,
// WithClock (the entry's time), WithVerifiedIdentity, WithProduction,
// WithAuthorizer, WithSkipAuthorizationUnsafe, WithConfigDigest and
// WithUnsafe (recorded in the entry's Unsafe) apply.
func ReportDeployment(ctx context.Context, st Store, r DeploymentReport, opts ...Option) (Entry, error) {
	c := newConfig(opts)
	at := c.now().UTC()
	if err := r.check(); err != nil {
		return Entry{}, err
	}
	var es EvidenceStore
	if r.Changes != nil {
		var ok bool
		if es, ok = st.(EvidenceStore); !ok {
			return Entry{}, badField("changes", "store keeps no evidence", nil, "the changed files are evidence: report to a store that keeps evidence (DirStore, GitStore)")
		}
		if r.Changes.To != r.Release {
			return Entry{}, badField("changes", "not this release", nil, "changes to %q, report of %q", r.Changes.To, r.Release)
		}
	}
	a := c.newAttempt(st, Denial{Action: AttemptDeployReport, Release: r.Release, Env: r.Env, At: at}, "", r.Actor)
	if !slices.Contains(c.order, r.Env) {
		return a.refuse(ctx, fmt.Errorf("report deployment of %s: %w: %q (order %v)", r.Release, ErrUnknownEnv, r.Env, c.order))
	}
	_, actor, err := c.identify(r.Env, "", r.Actor)
	if err != nil {
		return a.refuse(ctx, err)
	}
	skipped, err := c.authorizeReporter(r.Env, actor.Name)
	if err != nil {
		return a.refuse(ctx, err)
	}
	rec, refusedRec, err := lookupRecord(ctx, st, "report deployment of "+r.Release, r.Release)
	if refusedRec {
		return a.refuse(ctx, err)
	}
	if err != nil {
		return Entry{}, err
	}
	commit := strings.ToLower(r.Commit)
	if commit == "" {
		commit = rec.Commit
	} else if commit != rec.Commit {
		return Entry{}, badField("commit", "not the release's commit", nil, "%s deployed, the record of %s says %s", r.Commit, r.Release, rec.Commit)
	}
	unsafe := slices.Clone(c.unsafe)
	if skipped != "" {
		unsafe = append(unsafe, skipped)
	}
	var summary *ChangedFilesSummary
	var evidence []byte
	if r.Changes != nil {
		cf := normalChanges(*r.Changes)
		if err := checkChangedFiles(cf); err != nil {
			return Entry{}, badField("changes", "invalid changes", err, "")
		}
		if evidence, err = canonical(cf); err != nil {
			return Entry{}, badField("changes", "invalid changes", err, "")
		}
		summary = summarize(cf, Digest(evidence))
	}
	var last error // the refusal of the last round, when its denial lost the race
	stored := false
	for range maxAppendRetries {
		entries, err := readLog(ctx, st)
		if err != nil {
			if last != nil {
				return Entry{}, notLogged(last, err)
			}
			return Entry{}, err
		}
		seq, p, ok := lastPromotion(entries, r.Env)
		if !ok || p.Manifest != nil || p.Release != r.Release {
			runs := "nothing was promoted to " + r.Env
			if ok {
				runs = fmt.Sprintf("%s runs %s (entry %d)", r.Env, p.Release, seq)
			}
			no := refused("release not promoted to the environment", nil, "%s was not promoted to %s: %s", r.Release, r.Env, runs)
			e, conflict, err := a.refuseAt(ctx, entries, no, "", nil)
			if conflict {
				last = no
				continue
			}
			return e, err
		}
		last = nil
		if r.Changes != nil {
			prev, _ := PreviousRelease(entries, r.Env, r.Release)
			if r.Changes.From != prev {
				return Entry{}, badField("changes", "not from the previous release", nil, "changes from %q, %s ran %q before %s", r.Changes.From, r.Env, prev, r.Release)
			}
			if !stored {
				d, err := es.PutEvidence(ctx, evidence)
				if err != nil {
					return Entry{}, fmt.Errorf("store the changed files of %s in %s: %w", r.Release, r.Env, err)
				}
				if d != summary.Digest {
					return Entry{}, fmt.Errorf("store the changed files of %s in %s: %w: the store returned %s", r.Release, r.Env, ErrEvidenceDigest, d)
				}
				stored = true
			}
		}
		d := Deployment{
			Release: r.Release, Env: r.Env, Result: r.Result, Error: r.Error,
			Targets: slices.Clone(r.Targets), Digest: p.Digest, Branch: r.Branch, Commit: commit,
			Promotion: seq, Actor: actor, Changes: summary, Config: c.configDigest,
			Unsafe: slices.Clone(unsafe), At: at,
		}
		if d.Changes != nil {
			cs := *d.Changes
			d.Changes = &cs
		}
		e, err := appendAt(ctx, st, entries, Entry{Kind: KindDeployment, Deploy: &d})
		if errors.Is(err, ErrConflict) {
			continue
		}
		return e, err
	}
	err = fmt.Errorf("%w: gave up after %d attempts", ErrConflict, maxAppendRetries)
	if last != nil {
		return Entry{}, notLogged(last, err)
	}
	return Entry{}, err
}

// check refuses a report whose fields cannot be logged as they are.
func (r DeploymentReport) check() error {
	if invisible(r.Release) {
		return badField("release", "required", nil, "")
	}
	if r.Actor == nil || invisible(r.Actor.Name) {
		return badField("actor", "required", nil, "a deployment is reported by someone: an identity verified from a CI token, or typed")
	}
	if err := checkActor(r.Actor); err != nil {
		return err
	}
	if !knownResult(r.Result) {
		return badField("result", "unknown result", nil, "%q: want %s, %s or %s", r.Result, ResultStarted, ResultSucceeded, ResultFailed)
	}
	switch {
	case r.Result == ResultFailed && invisible(r.Error):
		return badField("error", "required", nil, "a failed deployment says what failed")
	case r.Result != ResultFailed && r.Error != "":
		return badField("error", "only for a failed result", nil, "the result is %s", r.Result)
	case len(r.Error) > MaxDeploymentError:
		return badField("error", "too long", nil, "%d bytes, at most %d", len(r.Error), MaxDeploymentError)
	case hasInvalidUTF8(r.Error):
		return badField("error", "invalid UTF-8", nil, "")
	}
	if len(r.Targets) > MaxTargets {
		return badField("targets", "too many", nil, "%d, at most %d", len(r.Targets), MaxTargets)
	}
	for i, t := range r.Targets {
		switch {
		case invisible(t):
			return badField("targets", "required", nil, "target %d is empty", i+1)
		case hasInvalidUTF8(t):
			return badField("targets", "invalid UTF-8", nil, "target %d", i+1)
		case hasControlChar(t):
			return badField("targets", "control character", nil, "target %d: %q", i+1, t)
		case len(t) > maxName:
			return badField("targets", "too long", nil, "target %d: %d bytes, at most %d", i+1, len(t), maxName)
		case slices.Contains(r.Targets[:i], t):
			return badField("targets", "duplicate", nil, "%q", t)
		}
	}
	if hasInvalidUTF8(r.Branch) {
		return badField("branch", "invalid UTF-8", nil, "")
	}
	if hasControlChar(r.Branch) {
		return badField("branch", "control character", nil, "%q", r.Branch)
	}
	if len(r.Branch) > maxName {
		return badField("branch", "too long", nil, "%d bytes, at most %d", len(r.Branch), maxName)
	}
	if r.Commit != "" && !isCommit(strings.ToLower(r.Commit)) {
		return badField("commit", "not a commit", nil, "%q: want a full 40 or 64 hex digit object name", r.Commit)
	}
	return nil
}

func knownResult(r string) bool {
	return r == ResultStarted || r == ResultSucceeded || r == ResultFailed
}

func hasInvalidUTF8(s string) bool { return strings.ToValidUTF8(s, "") != s }

// lastPromotion returns the latest promotion to env, with the Seq of its
// entry.
func lastPromotion(entries []Entry, env string) (uint64, Promotion, bool) {
	for i := len(entries) - 1; i >= 0; i-- {
		if e := entries[i]; e.Kind == KindPromotion && e.Promotion != nil && e.Promotion.Env == env {
			return e.Seq, *e.Promotion, true
		}
	}
	return 0, Promotion{}, false
}

// PreviousRelease returns the release env ran before release was promoted
// there: the release of the latest record promotion to env before the
// latest one of release (promotions of release's other artifacts are
// skipped), or, when release was never promoted to env, the release env
// runs now. It returns false when env ran nothing else (release's first
// deployment there). For a rollback, it is the release rolled back from.
// Manifest promotions are not considered. Use it as the from of
// [TreeChanges] for the changes a deployment of release brings.
func PreviousRelease(entries []Entry, env, release string) (string, bool) {
	hist := promotions(entries)
	end := len(hist)
	for i := len(hist) - 1; i >= 0; i-- {
		if p := hist[i]; p.Manifest == nil && p.Env == env && p.Release == release {
			end = i
			break
		}
	}
	for i := end - 1; i >= 0; i-- {
		if p := hist[i]; p.Manifest == nil && p.Env == env && p.Release != release {
			return p.Release, true
		}
	}
	return "", false
}

// normalChanges returns cf with an empty file list as [] rather than null.
func normalChanges(cf ChangedFiles) ChangedFiles {
	cf.Files = slices.Clone(cf.Files)
	if cf.Files == nil {
		cf.Files = []FileChange{}
	}
	return cf
}

// summarize returns what a log entry keeps of cf, stored under digest.
func summarize(cf ChangedFiles, digest string) *ChangedFilesSummary {
	s := &ChangedFilesSummary{Digest: digest, From: cf.From, Files: cf.Total, Truncated: cf.Truncated}
	for _, f := range cf.Files {
		switch f.Change {
		case ChangeAdded:
			s.Added++
		case ChangeModified:
			s.Modified++
		case ChangeDeleted:
			s.Deleted++
		}
	}
	return s
}

// ParseChangedFiles decodes a [ChangedFiles] manifest, as ReportDeployment
// stores it as evidence, strictly (unknown fields, duplicate keys, trailing
// data), and checks that it is consistent: To and ToTree are set; From
// empty (a first deployment) lists only added files and no FromTree; at
// most [MaxChangedFiles] files, sorted by path, each path once; Total counts
// at least the files listed and Truncated says whether it counts more; an
// added file has SHA256 and no Previous, a deleted one Previous and no
// SHA256, a modified one both, each 64 lowercase hex digits. Its errors are
// a *[FormatError] "invalid changed files".
func ParseChangedFiles(data []byte) (ChangedFiles, error) {
	var cf ChangedFiles
	if err := decodeStrict(data, &cf); err != nil {
		return ChangedFiles{}, malformed("invalid changed files", err, "")
	}
	if err := checkChangedFiles(cf); err != nil {
		return ChangedFiles{}, malformed("invalid changed files", err, "")
	}
	return cf, nil
}

// checkChangedFiles checks cf as ParseChangedFiles documents.
func checkChangedFiles(cf ChangedFiles) error {
	switch {
	case invisible(cf.To) || invisible(cf.ToTree):
		return errors.New("to and to_tree are required")
	case cf.From == "" && cf.FromTree != "":
		return errors.New("from_tree without from")
	case len(cf.Files) > MaxChangedFiles:
		return fmt.Errorf("%d files listed, at most %d", len(cf.Files), MaxChangedFiles)
	case cf.Total < len(cf.Files):
		return fmt.Errorf("total %d, but %d files listed", cf.Total, len(cf.Files))
	case cf.Truncated != (cf.Total > len(cf.Files)):
		return fmt.Errorf("truncated %t with %d of %d files listed", cf.Truncated, len(cf.Files), cf.Total)
	}
	for i, f := range cf.Files {
		if f.Path == "" || hasInvalidUTF8(f.Path) || strings.ContainsRune(f.Path, 0) {
			return fmt.Errorf("file %d: invalid path %q", i+1, f.Path)
		}
		if i > 0 && cf.Files[i-1].Path >= f.Path {
			return fmt.Errorf("file %d: %q is not after %q (sorted by path, each once)", i+1, f.Path, cf.Files[i-1].Path)
		}
		newSum, oldSum := f.SHA256 != "", f.Previous != ""
		switch f.Change {
		case ChangeAdded:
			if !newSum || oldSum {
				return fmt.Errorf("file %q: added needs sha256 and no previous", f.Path)
			}
		case ChangeModified:
			if !newSum || !oldSum {
				return fmt.Errorf("file %q: modified needs sha256 and previous", f.Path)
			}
		case ChangeDeleted:
			if newSum || !oldSum {
				return fmt.Errorf("file %q: deleted needs previous and no sha256", f.Path)
			}
		default:
			return fmt.Errorf("file %q: change %q: want added, modified or deleted", f.Path, f.Change)
		}
		if cf.From == "" && f.Change != ChangeAdded {
			return fmt.Errorf("file %q: %s, but there is no release before", f.Path, f.Change)
		}
		for _, sum := range []string{f.SHA256, f.Previous} {
			if sum != "" && (len(sum) != 64 || !isLowerHex(sum)) {
				return fmt.Errorf("file %q: sha256 %q: want 64 lowercase hex digits", f.Path, sum)
			}
		}
	}
	return nil
}
