package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/storer"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/textsafe"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// Errors of Trail, Lookup and Compare.
var (
	// ErrUnknownRelease is returned (wrapped, together with
	// manifest.ErrNotFound) when a queried release, version or digest has
	// no release record.
	ErrUnknownRelease = errors.New("audit: unknown release")
	// ErrNotInProduction is returned (wrapped) by Trail for a commit that no
	// production release contains.
	ErrNotInProduction = errors.New("audit: commit is in no production release")
	// ErrInvalidQuery is returned (wrapped) for an empty query, a query
	// that sets more than one field, or a malformed digest or commit.
	ErrInvalidQuery = errors.New("audit: invalid query")
	// ErrNoStore is returned when Sources has no Store.
	ErrNoStore = errors.New("audit: no release store")
	// ErrMissingEvidence is wrapped by the error of every gap: a link of the
	// chain whose evidence is not there.
	ErrMissingEvidence = errors.New("audit: evidence missing")
	// ErrTagMoved is wrapped by the error of a tag link whose tag does not
	// point at the commit the release record names.
	ErrTagMoved = errors.New("audit: release tag does not point at the recorded commit")
	// ErrDigestMismatch is wrapped when evidence does not hash to the
	// digest the release record names (an artifact file, a promotion's
	// digest that is not one of the record's).
	ErrDigestMismatch = errors.New("audit: digest does not match the release record")
	// ErrGateFailed is wrapped by the error of a gate link whose stored
	// policy report denies: it has failed controls, or no control at all
	// (then policy.ErrEmptyPolicy is wrapped too).
	ErrGateFailed = errors.New("audit: gate report has failed controls")
)

// Status is how far a piece of evidence could be established: a link of
// the audit trail, a check of an evidence bundle (audit/bundle), the
// evidence of a release in the health report (audit/metrics). It is the
// one status vocabulary of audit and its subpackages; each prints it in its
// own words (a trail "verified", a bundle check "pass", a report "OK").
type Status string

// The statuses, from best to worst (NotApplicable aside).
const (
	// Verified: the evidence is there and was checked (a signature, a
	// digest, a hash chain).
	Verified Status = "verified"
	// Recorded: the evidence is there but could not be checked, for
	// example because no verifier was given.
	Recorded Status = "recorded"
	// Gap: the evidence is missing. A gap is reported, never skipped.
	Gap Status = "gap"
	// Failed: the evidence is there and does not verify.
	Failed Status = "failed"
	// NotApplicable: the evidence is not expected here; neither a pass
	// nor a gap. Trails do not use it.
	NotApplicable Status = "not-applicable"
)

func (s Status) rank() int {
	switch s {
	case Verified:
		return 0
	case Recorded:
		return 1
	case Gap:
		return 2
	default:
		return 3
	}
}

// Step names a link of the chain of §1.5.2.
type Step string

// The steps of a release's trail, in the order they appear.
const (
	StepTicket      Step = "ticket"       // a change or ticket ID
	StepPullRequest Step = "pull_request" // a pull request reference
	StepCommit      Step = "commit"       // a commit of the release's range
	StepTag         Step = "tag"          // the signed release tag
	StepArtifact    Step = "artifact"     // an artifact and its digest
	StepSBOM        Step = "sbom"         // the SBOM bound to an artifact
	StepProvenance  Step = "provenance"   // the signed provenance of an artifact
	StepLog         Step = "log"          // the promotion log and its checkpoint
	StepPromotion   Step = "promotion"    // a promotion of the release
	StepGate        Step = "gate"         // the policy report that gated a promotion
	StepRollback    Step = "rollback"     // a rollback away from the release
)

// A Query selects what Trail reconstructs. Set exactly one field.
type Query struct {
	// Release is a release tag ("v1.2.0") or a version ("1.2.0").
	Release string `json:"release,omitempty"`
	// Digest is an artifact digest, "sha256:<hex>": the releases whose
	// records list it.
	Digest string `json:"digest,omitempty"`
	// Commit is a commit (full or abbreviated hash, or any revision): the
	// production releases that contain it (see Lookup).
	Commit string `json:"commit,omitempty"`
}

var hexRE = regexp.MustCompile(`^[0-9a-f]{7,64}$`)

// ParseQuery reads a query as a command line gives it: "sha256:…" is a
// digest, 7 to 64 lowercase hex digits a commit, anything else a release
// tag or version.
func ParseQuery(s string) Query {
	switch {
	case strings.HasPrefix(s, "sha256:"):
		return Query{Digest: s}
	case hexRE.MatchString(s):
		return Query{Commit: s}
	default:
		return Query{Release: s}
	}
}

// A TrailReport is the audit trail of one or more releases.
type TrailReport struct {
	Query Query `json:"query"`
	// At is the time signatures were verified at.
	At time.Time `json:"verified_at"`
	// Containing says how each release contains the queried commit (for a
	// commit query).
	Containing []Containment `json:"containing,omitempty"`
	// Releases are the trails, in the order of their first production
	// promotion (for a digest or commit query).
	Releases []ReleaseTrail `json:"releases"`
}

// A ReleaseTrail is the chain of evidence of one release, from the tickets
// to the production promotions (§1.5.2): its Links in chain order.
type ReleaseTrail struct {
	Release  string `json:"release"`
	Version  string `json:"version"`
	Commit   string `json:"commit"`
	Previous string `json:"previous,omitempty"` // the previous release, "" for the first
	// Range is the commit range of the release, "PREVIOUS..RELEASE".
	Range     string `json:"range"`
	Component string `json:"component,omitempty"`
	Incident  string `json:"incident,omitempty"`
	HotfixFor string `json:"hotfix_for,omitempty"`
	// Status is the worst status of the links.
	Status Status `json:"status"`
	Links  []Link `json:"links"`
}

// A Link is one link of a release's chain of evidence. ID identifies it
// within its step (a ticket ID, a commit hash, a tag name, an artifact
// name, an environment). Exactly one of the detail fields is set, the one
// of its step, except for gaps found before any detail was known.
type Link struct {
	Step   Step   `json:"step"`
	ID     string `json:"id"`
	Status Status `json:"status"`
	// Reason says what was checked, or what is missing or wrong.
	Reason string `json:"reason,omitempty"`
	// Error is Err's text.
	Error string `json:"error,omitempty"`
	// Err is the cause of a gap (wrapping ErrMissingEvidence) or a failure
	// (the verifier's typed error); nil otherwise.
	Err error `json:"-"`

	Commit     *CommitInfo     `json:"commit,omitempty"`
	Tag        *TagInfo        `json:"tag,omitempty"`
	Artifact   *ArtifactInfo   `json:"artifact,omitempty"`
	SBOM       *SBOMInfo       `json:"sbom,omitempty"`
	Provenance *ProvenanceInfo `json:"provenance,omitempty"`
	Log        *LogInfo        `json:"log,omitempty"`
	Promotion  *PromotionInfo  `json:"promotion,omitempty"`
	Gate       *GateInfo       `json:"gate,omitempty"`
}

// CommitInfo describes a commit of a release.
type CommitInfo struct {
	Hash             string    `json:"hash"`
	Subject          string    `json:"subject"`
	Author           string    `json:"author"`
	Date             time.Time `json:"date"` // committer date
	Conventional     bool      `json:"conventional"`
	Tickets          []string  `json:"tickets,omitempty"`
	PR               int       `json:"pr,omitempty"`
	CherryPickedFrom []string  `json:"cherry_picked_from,omitempty"`
}

// TagInfo describes a release tag and who signed it.
type TagInfo struct {
	Name        string    `json:"name"`
	Object      string    `json:"object,omitempty"`
	Target      string    `json:"target,omitempty"`
	Tagger      string    `json:"tagger,omitempty"`
	TaggedAt    time.Time `json:"tagged_at,omitzero"`
	Format      string    `json:"format,omitempty"`
	Signer      string    `json:"signer,omitempty"`
	Fingerprint string    `json:"fingerprint,omitempty"`
}

// ArtifactInfo describes an artifact of a release record.
type ArtifactInfo struct {
	Name   string `json:"name"`
	URI    string `json:"uri,omitempty"`
	Digest string `json:"digest"`
	// Rehashed is true when the artifact was found in the evidence and
	// hashed again.
	Rehashed bool `json:"rehashed"`
}

// SBOMInfo describes the SBOM of a release.
type SBOMInfo struct {
	Ref         string `json:"ref"`
	Digest      string `json:"digest"`
	Subject     string `json:"subject,omitempty"`  // the artifact digest it is bound to
	Artifact    string `json:"artifact,omitempty"` // that artifact's name
	SpecVersion string `json:"spec_version,omitempty"`
	Components  int    `json:"components"`
}

// ProvenanceInfo describes the provenance of one artifact.
type ProvenanceInfo struct {
	Ref          string `json:"ref"`
	BuildID      string `json:"build_id,omitempty"`
	Artifact     string `json:"artifact"` // the artifact's digest
	BuildType    string `json:"build_type,omitempty"`
	BuilderID    string `json:"builder_id,omitempty"`
	InvocationID string `json:"invocation_id,omitempty"`
}

// LogInfo describes the promotion log.
type LogInfo struct {
	Entries int `json:"entries"`
	// Checkpoint is the count of entries the signed checkpoint covers; 0
	// without a checkpoint.
	Checkpoint uint64 `json:"checkpoint"`
	Head       string `json:"head,omitempty"` // the checkpoint's head hash
}

// PromotionInfo describes one logged promotion.
type PromotionInfo struct {
	Seq          uint64                    `json:"seq"`
	Release      string                    `json:"release"`
	Env          string                    `json:"env"`
	Digest       string                    `json:"digest"`
	Approver     string                    `json:"approver,omitempty"`
	Reason       string                    `json:"reason,omitempty"`
	RequestedAt  time.Time                 `json:"requested_at"`
	PromotedAt   time.Time                 `json:"promoted_at"`
	Window       string                    `json:"window,omitempty"`
	Emergency    *manifest.EmergencyChange `json:"emergency,omitempty"`
	RollbackFrom string                    `json:"rollback_from,omitempty"`
	Gate         string                    `json:"gate,omitempty"` // digest of the gate's report
	// ReplacedBy is the release the environment ran next, at ReplacedAt;
	// RolledBack is true when that was a rollback away from this release.
	ReplacedBy string    `json:"replaced_by,omitempty"`
	ReplacedAt time.Time `json:"replaced_at,omitzero"`
	RolledBack bool      `json:"rolled_back,omitempty"`
}

// GateInfo summarises the policy report that gated a promotion.
type GateInfo struct {
	Digest string `json:"digest"`
	Env    string `json:"env"`
	// Counts are the results per status ("pass", "fail", ...).
	Counts map[string]int `json:"counts,omitempty"`
	// Controls are the IDs of the controls evaluated, in report order;
	// FailedControls those that failed.
	Controls       []string `json:"controls,omitempty"`
	FailedControls []string `json:"failed_controls,omitempty"`
}

// Err returns nil when every link of every release is verified or
// recorded, and otherwise an error joining each gap's and failure's error
// (errors.Is finds ErrMissingEvidence and the verifiers' sentinels; each is
// a *LinkError).
func (r *TrailReport) Err() error {
	var errs []error
	for _, t := range r.Releases {
		for _, l := range t.Links {
			if l.Status == Gap || l.Status == Failed {
				errs = append(errs, &LinkError{Release: t.Release, Step: l.Step, ID: l.ID, Status: l.Status, Reason: l.Reason, Err: l.Err})
			}
		}
	}
	return errors.Join(errs...)
}

// A LinkError is a gap or a failed link, as TrailReport.Err reports it.
type LinkError struct {
	Release string
	Step    Step
	ID      string
	Status  Status
	Reason  string
	Err     error
}

// Error names the release, the link and the reason.
func (e *LinkError) Error() string {
	return fmt.Sprintf("audit: %s: %s %s %s: %s", e.Release, e.Step, e.ID, e.Status, e.Reason)
}

// Unwrap returns the cause.
func (e *LinkError) Unwrap() error { return e.Err }

// Find returns the first link of step with id.
func (t ReleaseTrail) Find(step Step, id string) (Link, bool) {
	for _, l := range t.Links {
		if l.Step == step && l.ID == id {
			return l, true
		}
	}
	return Link{}, false
}

// Steps returns the links of step, in chain order. The slice is new.
func (t ReleaseTrail) Steps(step Step) []Link {
	var out []Link
	for _, l := range t.Links {
		if l.Step == step {
			out = append(out, l)
		}
	}
	return out
}

// Trail reconstructs the audit trail of the releases q selects (§1.5.2,
// §1.21.3.4): for each, its tickets, pull requests and commits (the range
// from the previous release), the release tag and its signature, the
// artifacts, the SBOM and provenance bound to them, and every promotion
// from the verified log with the policy report that gated it and any
// rollback. Nothing is skipped: missing evidence is a Gap link and evidence
// that does not verify a Failed link with its typed error. Use
// TrailReport.Err to fail on either.
//
// Trail reads src.Repo with go-git, which is not safe for concurrent use:
// do not use that repository handle elsewhere during the call. The
// report's slices belong to the caller.
//
// Trail returns an error wrapping ErrNoStore without a store,
// ErrInvalidQuery for a bad query, ErrUnknownRelease (with
// manifest.ErrNotFound) when no record matches, ErrNotInProduction for a
// commit no production release contains, and errors reading the store or
// the repository.
func Trail(ctx context.Context, src Sources, q Query) (*TrailReport, error) {
	if src.Store == nil {
		return nil, ErrNoStore
	}
	n := 0
	for _, s := range []string{q.Release, q.Digest, q.Commit} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("%w: set exactly one of release, digest and commit", ErrInvalidQuery)
	}
	lg, err := readLog(ctx, src)
	if err != nil {
		return nil, err
	}
	rep := &TrailReport{Query: q, At: src.at()}
	var recs []manifest.Record
	switch {
	case q.Release != "":
		rec, err := record(ctx, src, q.Release)
		if err != nil {
			return nil, err
		}
		recs = append(recs, rec)
	case q.Digest != "":
		if err := manifest.ValidateDigest(q.Digest); err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidQuery, err)
		}
		names, err := releaseNames(ctx, src, lg.entries)
		if err != nil {
			return nil, err
		}
		for _, name := range names {
			rec, err := src.Store.Record(ctx, name)
			if errors.Is(err, manifest.ErrNotFound) {
				continue
			}
			if err != nil {
				return nil, fmt.Errorf("read record %s: %w", name, err)
			}
			if rec.HasDigest(q.Digest) {
				recs = append(recs, rec)
			}
		}
		if len(recs) == 0 {
			return nil, fmt.Errorf("%w: no release record lists %s: %w", ErrUnknownRelease, q.Digest, manifest.ErrNotFound)
		}
	default:
		lr, err := findCommit(ctx, src, lg, q.Commit)
		if err != nil {
			return nil, err
		}
		if len(lr.Releases) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNotInProduction, lr.Query)
		}
		rep.Containing = lr.Releases
		for _, c := range lr.Releases {
			rec, err := record(ctx, src, c.Release)
			if err != nil {
				return nil, err
			}
			recs = append(recs, rec)
		}
	}
	for _, rec := range recs {
		t, err := traceRelease(ctx, src, lg, rec)
		if err != nil {
			return nil, err
		}
		rep.Releases = append(rep.Releases, t)
	}
	return rep, nil
}

// record reads the record of a release tag or version.
func record(ctx context.Context, src Sources, name string) (manifest.Record, error) {
	tag := name
	scm := src.scheme()
	if _, err := scm.Parse(name); err != nil {
		if v, verr := semver.Parse(name); verr == nil {
			tag = scm.Format(v)
		}
	}
	rec, err := src.Store.Record(ctx, tag)
	if errors.Is(err, manifest.ErrNotFound) {
		return manifest.Record{}, fmt.Errorf("%w: %s: %w", ErrUnknownRelease, tag, err)
	}
	if err != nil {
		if errors.Is(err, manifest.ErrInvalidName) {
			return manifest.Record{}, fmt.Errorf("%w: %s: %w", ErrUnknownRelease, tag, err)
		}
		return manifest.Record{}, fmt.Errorf("read record %s: %w", tag, err)
	}
	return rec, nil
}

// releaseNames lists the releases that may have records: those the log
// names, in the order of their first production promotion, then the others
// in the order of their first promotion, then the repository's release tags
// in tag order.
func releaseNames(ctx context.Context, src Sources, entries []manifest.Entry) ([]string, error) {
	var names []string
	seen := map[string]bool{}
	prod := src.production()
	for _, inProd := range []bool{true, false} {
		for _, e := range entries {
			if p := e.Promotion; p != nil && p.Manifest == nil && (!inProd || p.Env == prod) && !seen[p.Release] {
				seen[p.Release] = true
				names = append(names, p.Release)
			}
		}
	}
	if src.Repo != nil {
		rels, err := tagging.List(ctx, src.Repo, src.scheme(), nil, time.Time{})
		if err != nil {
			return nil, fmt.Errorf("list release tags: %w", err)
		}
		for _, r := range rels {
			if !seen[r.Name] {
				seen[r.Name] = true
				names = append(names, r.Name)
			}
		}
	}
	return names, nil
}

// log is the promotion log as read and verified once per call.
type log struct {
	entries []manifest.Entry
	link    Link
	cp      *manifest.Checkpoint
}

// readLog reads and verifies the log, with the signed checkpoint when
// src has one. A log that does not verify is a failed link, not an error:
// its entries are still shown, as failed.
func readLog(ctx context.Context, src Sources) (*log, error) {
	lg := &log{link: Link{Step: StepLog, ID: "promotions"}}
	info := &LogInfo{}
	lg.link.Log = info
	var cpErr error
	switch {
	case len(src.Checkpoint) == 0 && len(src.CheckpointSig) == 0:
	case src.CheckpointVerifier == nil:
		cpErr = fmt.Errorf("%w: no checkpoint verifier given", ErrMissingEvidence)
	default:
		cp, err := manifest.OpenCheckpoint(ctx, src.Checkpoint, src.CheckpointSig, src.CheckpointVerifier, src.at())
		if err != nil {
			lg.link.Status, lg.link.Err = Failed, err
			lg.link.Reason = "the log checkpoint's signature does not verify"
		} else {
			lg.cp = &cp
			info.Checkpoint, info.Head = cp.Count, cp.Head
		}
	}
	entries, err := manifest.VerifyStore(ctx, src.Store, lg.cp)
	lg.entries = entries
	info.Entries = len(entries)
	switch {
	case err != nil && (errors.Is(err, manifest.ErrTampered) || errors.Is(err, manifest.ErrTruncated)):
		lg.link.Status, lg.link.Err = Failed, err
		lg.link.Reason = "the promotion log does not verify: " + err.Error()
	case err != nil:
		return nil, fmt.Errorf("read log: %w", err)
	case lg.link.Status == Failed:
	case lg.cp != nil:
		lg.link.Status = Verified
		lg.link.Reason = fmt.Sprintf("hash chain of %d entries verified against a signed checkpoint of %d", len(entries), lg.cp.Count)
	default:
		lg.link.Status = Recorded
		lg.link.Reason = fmt.Sprintf("hash chain of %d entries verified; no signed checkpoint, so truncation cannot be ruled out", len(entries))
		lg.link.Err = cpErr
	}
	if lg.link.Err != nil {
		lg.link.Error = lg.link.Err.Error()
	}
	return lg, nil
}

// entryStatus is the status of a log entry's evidence.
func (lg *log) entryStatus(e manifest.Entry) (Status, string, error) {
	switch {
	case lg.link.Status == Failed:
		return Failed, "the promotion log does not verify", lg.link.Err
	case lg.cp != nil && e.Seq > lg.cp.Count:
		return Recorded, fmt.Sprintf("log entry %d is after the signed checkpoint (%d entries)", e.Seq, lg.cp.Count), nil
	case lg.cp != nil:
		return Verified, fmt.Sprintf("log entry %d, covered by the signed checkpoint", e.Seq), nil
	default:
		return Recorded, fmt.Sprintf("log entry %d; no signed checkpoint", e.Seq), nil
	}
}

// builder assembles one release's trail.
type builder struct {
	ctx context.Context
	src Sources
	rec manifest.Record
	t   ReleaseTrail
}

func (b *builder) add(l Link) {
	if l.Err != nil && l.Error == "" {
		l.Error = l.Err.Error()
	}
	if l.Status == Gap && l.Err == nil {
		l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		l.Error = l.Err.Error()
	}
	b.t.Links = append(b.t.Links, l)
}

// gap returns a gap link whose error wraps ErrMissingEvidence (and cause).
func (b *builder) gap(step Step, id, reason string, cause error) Link {
	err := fmt.Errorf("%w: %s", ErrMissingEvidence, reason)
	if cause != nil {
		err = fmt.Errorf("%w: %s: %w", ErrMissingEvidence, reason, cause)
	}
	return Link{Step: step, ID: id, Status: Gap, Reason: reason, Err: err}
}

// traceRelease builds the trail of one release record.
func traceRelease(ctx context.Context, src Sources, lg *log, rec manifest.Record) (ReleaseTrail, error) {
	b := &builder{ctx: ctx, src: src, rec: rec}
	b.t = ReleaseTrail{
		Release: rec.Tag, Commit: rec.Commit,
		Component: rec.Extra[ExtraComponent], Incident: rec.Extra[ExtraIncident], HotfixFor: rec.Extra[ExtraHotfixFor],
	}
	if v, err := src.scheme().Parse(rec.Tag); err == nil {
		b.t.Version = v.String()
	}
	if err := b.changes(); err != nil {
		return ReleaseTrail{}, err
	}
	b.tag()
	b.artifacts()
	b.sbom()
	b.provenance()
	b.promotions(lg)
	b.t.Status = Verified
	for _, l := range b.t.Links {
		if l.Status.rank() > b.t.Status.rank() {
			b.t.Status = l.Status
		}
	}
	return b.t, nil
}

// changes adds the tickets, pull requests and commits of the release's
// range, matched against the record.
func (b *builder) changes() error {
	var cs []commits.Commit
	var rangeLink *Link
	if b.src.Repo == nil {
		l := b.gap(StepCommit, "", "no repository given: the commits of the release cannot be listed", nil)
		rangeLink = &l
		b.t.Range = ".." + b.rec.Tag
	} else {
		var err error
		cs, err = b.readRange()
		if err != nil {
			switch {
			case errors.Is(err, commits.ErrIncompleteHistory) || errors.Is(err, commits.ErrRevision) || errors.Is(err, plumbing.ErrObjectNotFound):
				l := b.gap(StepCommit, b.rec.Commit, "the release's commits are not in the repository", err)
				rangeLink = &l
			case errors.Is(err, semver.ErrAmbiguousVersion):
				l := b.gap(StepCommit, b.rec.Commit, "the previous release is ambiguous, so the release's range cannot be told", err)
				rangeLink = &l
			default:
				return err
			}
		}
	}

	// Tickets: the record's and those the commits name.
	inCommits := map[string]bool{}
	var order []string
	for _, c := range cs {
		for _, tk := range c.Tickets {
			if !inCommits[tk] {
				inCommits[tk] = true
				order = append(order, tk)
			}
		}
	}
	for _, tk := range b.rec.Tickets {
		if !slices.Contains(order, tk) {
			order = append(order, tk)
		}
	}
	for _, tk := range order {
		inRec := slices.Contains(b.rec.Tickets, tk)
		switch {
		case inRec && inCommits[tk]:
			b.add(Link{Step: StepTicket, ID: tk, Status: Verified, Reason: "in the release record and named by a commit of the range"})
		case inRec:
			b.add(Link{Step: StepTicket, ID: tk, Status: Recorded, Reason: "in the release record; no commit of the range names it"})
		default:
			b.add(Link{Step: StepTicket, ID: tk, Status: Recorded, Reason: "named by a commit of the range; not in the release record"})
		}
	}
	if len(order) == 0 {
		b.add(b.gap(StepTicket, "", "no ticket ID in the release record or the commits", nil))
	}

	// Pull requests: the record's, matched to the commits' "(#n)".
	commitPRs := map[string]string{} // "#n" -> commit
	var prOrder []string
	for _, c := range cs {
		if c.PR != 0 {
			ref := fmt.Sprintf("#%d", c.PR)
			if _, ok := commitPRs[ref]; !ok {
				commitPRs[ref] = c.Hash
				prOrder = append(prOrder, ref)
			}
		}
	}
	used := map[string]bool{}
	for _, pr := range b.rec.PRs {
		l := Link{Step: StepPullRequest, ID: pr.Ref}
		switch {
		case commitPRs[pr.Ref] != "":
			used[pr.Ref] = true
			l.Status, l.Reason = Verified, "in the release record and named by commit "+commitPRs[pr.Ref]
		case pr.OriginalPR != "" && commitPRs[pr.OriginalPR] != "":
			used[pr.OriginalPR] = true
			l.Status = Verified
			l.Reason = fmt.Sprintf("backport of %s (%s), picked as commit %s", pr.OriginalPR, pr.OriginalSHA, commitPRs[pr.OriginalPR])
		default:
			l.Status, l.Reason = Recorded, "in the release record; no commit of the range names it"
		}
		b.add(l)
	}
	for _, ref := range prOrder {
		if !used[ref] {
			b.add(Link{Step: StepPullRequest, ID: ref, Status: Recorded, Reason: "named by commit " + commitPRs[ref] + "; not in the release record"})
		}
	}
	if len(b.rec.PRs) == 0 && len(prOrder) == 0 {
		b.add(b.gap(StepPullRequest, "", "no pull request in the release record or the commits", nil))
	}

	// Commits.
	if rangeLink != nil {
		b.add(*rangeLink)
		return nil
	}
	for _, c := range cs {
		info := &CommitInfo{
			Hash: c.Hash, Subject: c.Subject, Author: c.Author.Name + " <" + c.Author.Email + ">",
			Date: c.Committer.When, Conventional: c.Conventional, Tickets: c.Tickets, PR: c.PR,
			CherryPickedFrom: c.CherryPickedFrom,
		}
		l := Link{Step: StepCommit, ID: c.Hash, Commit: info, Status: Verified, Reason: "in " + b.t.Range}
		if len(c.CherryPickedFrom) > 0 {
			l.Reason += "; cherry-picked from " + strings.Join(c.CherryPickedFrom, ", ")
		}
		if len(c.Tickets) == 0 && !c.Ignored && c.Merge == nil {
			l = b.gap(StepCommit, c.Hash, "the commit names no ticket ID (§1.11.3.1)", nil)
			l.Commit = info
		}
		b.add(l)
	}
	if len(cs) == 0 {
		b.add(b.gap(StepCommit, "", "the range "+b.t.Range+" holds no commit", nil))
	}
	return nil
}

// readRange finds the previous release and reads the commits of
// previous..release, newest first.
func (b *builder) readRange() ([]commits.Commit, error) {
	repo := b.src.Repo
	to := plumbing.NewHash(b.rec.Commit)
	if _, err := repo.CommitObject(to); err != nil {
		return nil, fmt.Errorf("read commit %s: %w", b.rec.Commit, err)
	}
	prev, err := previous(b.ctx, b.src, b.rec.Tag, to)
	if err != nil {
		return nil, err
	}
	rng := commits.Range{To: to}
	b.t.Range = b.rec.Tag
	if prev.Tag != "" {
		b.t.Previous = prev.Tag
		b.t.Range = prev.Tag + ".." + b.rec.Tag
		rng.From = []plumbing.Hash{plumbing.NewHash(prev.Commit)}
	}
	var out []commits.Commit
	for c, err := range commits.Log(b.ctx, repo, rng) {
		if err != nil {
			return nil, fmt.Errorf("log %s: %w", b.t.Range, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// previous returns the previous release of tag (at commit to): among
// the release tags of lower precedence whose commits are ancestors of to,
// the highest final release (for a pre-release, the highest release), as
// semver.Select chooses. It returns the zero Release for a first release.
func previous(ctx context.Context, src Sources, tag string, to plumbing.Hash) (semver.Release, error) {
	scm := src.scheme()
	cur, err := scm.Parse(tag)
	if err != nil {
		return semver.Release{}, nil // not a version: no previous release
	}
	rels, err := tagging.List(ctx, src.Repo, scm, nil, time.Time{})
	if err != nil {
		return semver.Release{}, fmt.Errorf("list release tags: %w", err)
	}
	head, err := src.Repo.CommitObject(to)
	if err != nil {
		return semver.Release{}, fmt.Errorf("read commit %s: %w", to, err)
	}
	var cands []semver.Tag
	for _, r := range rels {
		if r.Commit.IsZero() || !r.Version.Less(cur) {
			continue
		}
		if !cur.IsPrerelease() && r.Version.IsPrerelease() {
			continue
		}
		c, err := src.Repo.CommitObject(r.Commit)
		if err != nil {
			continue // a tag of a missing commit is not on the history
		}
		ok, err := c.IsAncestor(head)
		if err != nil {
			return semver.Release{}, fmt.Errorf("walk history of %s: %w", tag, err)
		}
		if ok {
			cands = append(cands, semver.Tag{Name: r.Name, Commit: r.Commit.String()})
		}
	}
	prev, err := semver.Select(cands, scm)
	if err != nil {
		return semver.Release{}, fmt.Errorf("previous release of %s: %w", tag, err)
	}
	if cur.IsPrerelease() {
		return prev.Latest, nil
	}
	return prev.Stable, nil
}

// tag adds the release tag link: its signature verified with
// src.TagVerifier at src.At, and its target compared with the record.
func (b *builder) tag() {
	name := b.rec.Tag
	if b.src.Repo == nil {
		b.add(b.gap(StepTag, name, "no repository given: the release tag cannot be read", nil))
		return
	}
	info := &TagInfo{Name: name}
	l := Link{Step: StepTag, ID: name, Tag: info}
	if b.src.TagVerifier == nil {
		ref, err := b.src.Repo.Tag(name)
		if err != nil {
			l = b.gap(StepTag, name, "the release tag is not in the repository", err)
			b.add(l)
			return
		}
		info.Object = ref.Hash().String()
		to, err := b.src.Repo.TagObject(ref.Hash())
		if err == nil {
			info.Tagger, info.TaggedAt = to.Tagger.String(), to.Tagger.When
			if c, err := to.Commit(); err == nil {
				info.Target = c.Hash.String()
			}
		} else {
			info.Target = ref.Hash().String() // a lightweight tag
		}
		// The signature cannot be checked without a verifier, but whether
		// there is one can.
		signed, perr := tagSigned(b.src.Repo.Storer, ref.Hash())
		if perr == nil && signed != "" {
			info.Format = signed
		}
		switch {
		case info.Target != b.rec.Commit:
			l.Status, l.Err = Failed, fmt.Errorf("%w: %s points at %s, the record names %s", ErrTagMoved, name, info.Target, b.rec.Commit)
			l.Reason = "the tag does not point at the recorded commit"
		case perr != nil:
			l.Status, l.Err, l.Reason = Failed, perr, "the tag object does not parse"
		case signed == "":
			l.Status, l.Reason = Gap, "the release tag is not signed (a lightweight or unsigned tag)"
			l.Err = fmt.Errorf("%w: %s: %w", ErrMissingEvidence, name, tagging.ErrUnsigned)
		default:
			l.Status, l.Reason = Recorded, "no tag verifier given: the signature was not checked"
		}
		b.add(l)
		return
	}
	v, err := tagging.Verify(b.ctx, b.src.Repo, name, b.src.TagVerifier, b.src.at())
	switch {
	case errors.Is(err, tagging.ErrNotFound):
		l = b.gap(StepTag, name, "the release tag is not in the repository", err)
		l.Tag = info
	case err != nil:
		l.Status, l.Err = Failed, err
		l.Reason = "the tag signature does not verify at " + b.src.at().UTC().Format(time.RFC3339) + ": " + err.Error()
	default:
		info.Object, info.Target = v.Object.String(), v.Commit.String()
		info.Tagger, info.TaggedAt = v.Tagger.Name+" <"+v.Tagger.Email+">", v.Tagger.When
		info.Format, info.Signer, info.Fingerprint = string(v.Signer.Format), v.Signer.Identity, v.Signer.Fingerprint
		l.Status = Verified
		l.Reason = fmt.Sprintf("signed by %s (%s), verified at %s", v.Signer.Identity, v.Signer.Fingerprint, b.src.at().UTC().Format(time.RFC3339))
		if info.Target != b.rec.Commit {
			l.Status, l.Err = Failed, fmt.Errorf("%w: %s points at %s, the record names %s", ErrTagMoved, name, info.Target, b.rec.Commit)
			l.Reason = "the tag does not point at the recorded commit"
		}
	}
	b.add(l)
}

// tagSigned returns the signature format of the tag object h ("" for
// an unsigned tag object or for h naming no tag object: a lightweight tag),
// or the error of a tag object that does not parse (tagging.Parse).
func tagSigned(st storer.EncodedObjectStorer, h plumbing.Hash) (string, error) {
	obj, err := st.EncodedObject(plumbing.TagObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	rd, err := obj.Reader()
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	defer rd.Close()
	raw, err := io.ReadAll(io.LimitReader(rd, 1<<20))
	if err != nil {
		return "", fmt.Errorf("read tag object %s: %w", h, err)
	}
	t, err := tagging.Parse(raw)
	if err != nil {
		return "", err
	}
	if t.Signature == nil {
		return "", nil
	}
	return string(t.Format), nil
}

// artifacts adds one link per recorded artifact; an artifact found in the
// evidence at its URI is hashed again.
func (b *builder) artifacts() {
	if len(b.rec.Artifacts) == 0 {
		b.add(b.gap(StepArtifact, "", "the release record lists no artifact", nil))
		return
	}
	for _, a := range b.rec.Artifacts {
		info := &ArtifactInfo{Name: a.Name, URI: a.URI, Digest: a.Digest}
		l := Link{Step: StepArtifact, ID: a.Name, Artifact: info}
		if err := manifest.ValidateDigest(a.Digest); err != nil {
			l.Status, l.Err, l.Reason = Failed, err, "the recorded digest is malformed"
			b.add(l)
			continue
		}
		got, err := hashFile(b.src.Evidence, a.URI)
		switch {
		case err != nil && errors.Is(err, ErrMissingEvidence):
			l.Status, l.Reason = Recorded, "digest from the release record; the artifact is not in the evidence"
		case err != nil:
			l.Status, l.Err, l.Reason = Failed, err, "the artifact in the evidence cannot be read"
		case got != a.Digest:
			info.Rehashed = true
			l.Status, l.Reason = Failed, "the artifact in the evidence hashes to "+got
			l.Err = fmt.Errorf("%w: %s is %s, the record names %s", ErrDigestMismatch, a.URI, got, a.Digest)
		default:
			info.Rehashed = true
			l.Status, l.Reason = Verified, "the artifact at "+a.URI+" hashes to the recorded digest"
		}
		b.add(l)
	}
}

// evidencePath returns ref as a path in the evidence, or an error
// wrapping ErrMissingEvidence when it is a URL or empty, or
// sbom.ErrInvalidReference when it could climb out.
func evidencePath(evidence fs.FS, ref string) (string, error) {
	switch {
	case evidence == nil:
		return "", fmt.Errorf("%w: no evidence source given", ErrMissingEvidence)
	case ref == "":
		return "", fmt.Errorf("%w: no location recorded", ErrMissingEvidence)
	case strings.Contains(ref, "://"):
		return "", fmt.Errorf("%w: %s is not in the evidence", ErrMissingEvidence, ref)
	}
	p := strings.TrimPrefix(ref, "./")
	if !fs.ValidPath(p) || strings.Contains(p, `\`) || path.Clean(p) != p {
		return "", fmt.Errorf("%w: %q is not a clean relative path", sbom.ErrInvalidReference, ref)
	}
	return p, nil
}

// readEvidence reads ref from the evidence, at most limit bytes.
func readEvidence(evidence fs.FS, ref string, limit int64) ([]byte, error) {
	p, err := evidencePath(evidence, ref)
	if err != nil {
		return nil, err
	}
	f, err := evidence.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %w", ErrMissingEvidence, ref, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", ref, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("read %s: %w: over %d bytes", ref, sbom.ErrTooLarge, limit)
	}
	return data, nil
}

// hashFile returns the "sha256:" digest of ref in the evidence.
func hashFile(evidence fs.FS, ref string) (string, error) {
	p, err := evidencePath(evidence, ref)
	if err != nil {
		return "", err
	}
	f, err := evidence.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("%w: %s: %w", ErrMissingEvidence, ref, err)
	}
	if err != nil {
		return "", fmt.Errorf("open %s: %w", ref, err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("read %s: %w", ref, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// sbom adds the SBOM link: the document read from the evidence, its digest
// compared with the record, decoded and bound to an artifact.
func (b *builder) sbom() {
	ref := b.rec.SBOM
	info := &SBOMInfo{Ref: ref.Ref, Digest: ref.Digest}
	l := Link{Step: StepSBOM, ID: ref.Ref, SBOM: info}
	data, err := readEvidence(b.src.Evidence, ref.Ref, sbom.DefaultMaxSize)
	switch {
	case errors.Is(err, ErrMissingEvidence):
		l.Status, l.Err, l.Reason = Gap, err, "the SBOM is not in the evidence"
		b.add(l)
		return
	case err != nil:
		l.Status, l.Err, l.Reason = Failed, err, "the SBOM cannot be read"
		b.add(l)
		return
	}
	if got := manifest.Digest(data); got != ref.Digest {
		l.Status, l.Reason = Failed, "the SBOM was edited or swapped: it hashes to "+got+", the record names "+ref.Digest
		l.Err = &sbom.MismatchError{Kind: sbom.ErrReferenceMismatch, Want: ref.Digest, Got: got}
		b.add(l)
		return
	}
	format := sbom.JSON
	if strings.HasSuffix(strings.ToLower(ref.Ref), ".xml") {
		format = sbom.XML
	}
	doc, err := sbom.Decode(bytes.NewReader(data), format)
	if err != nil {
		l.Status, l.Err, l.Reason = Failed, err, "the SBOM is not a valid CycloneDX document"
		b.add(l)
		return
	}
	info.SpecVersion, info.Components = string(doc.SpecVersion()), len(doc.Components())
	var bindErr error
	for _, a := range b.rec.Artifacts {
		subj, err := sbom.ParseDigest(a.Name, a.Digest)
		if err != nil {
			continue
		}
		if err := sbom.Check(doc, subj); err != nil {
			if bindErr == nil {
				bindErr = err
			}
			continue
		}
		info.Subject, info.Artifact = a.Digest, a.Name
		l.Status, l.Reason = Verified, "digest matches the record; CycloneDX "+info.SpecVersion+" bound to "+a.Name+" "+a.Digest
		b.add(l)
		return
	}
	if bindErr == nil {
		bindErr = fmt.Errorf("%w: the record lists no artifact to bind the SBOM to", sbom.ErrNoSubject)
	}
	l.Status, l.Err, l.Reason = Failed, bindErr, "the SBOM describes none of the release's artifacts"
	b.add(l)
}

// provenance adds one link per artifact: the envelope at the record's
// provenance reference verified for that artifact.
func (b *builder) provenance() {
	ref := b.rec.Provenance.Ref
	var env []byte
	var readErr error
	env, readErr = readEvidence(b.src.Evidence, ref, sbom.DefaultMaxSize)
	for _, a := range b.rec.Artifacts {
		info := &ProvenanceInfo{Ref: ref, BuildID: b.rec.Provenance.BuildID, Artifact: a.Digest}
		l := Link{Step: StepProvenance, ID: a.Name, Provenance: info}
		subj, err := sbom.ParseDigest(a.Name, a.Digest)
		switch {
		case errors.Is(readErr, ErrMissingEvidence):
			l.Status, l.Err, l.Reason = Gap, readErr, "the provenance envelope is not in the evidence"
		case readErr != nil:
			l.Status, l.Err, l.Reason = Failed, readErr, "the provenance envelope cannot be read"
		case err != nil:
			l.Status, l.Err, l.Reason = Failed, err, "the recorded digest is malformed"
		case len(b.src.ProvenanceVerifiers) == 0:
			// The signature cannot be checked; the envelope's form and its
			// binding to the artifact can: open it with a verifier that
			// accepts any signature.
			anySig := sbom.VerifierFunc(func(context.Context, io.Reader, []byte) error { return nil })
			if _, err := sbom.VerifyProvenance(b.ctx, env, subj, anySig); err != nil {
				l.Status, l.Err, l.Reason = Failed, err, "the provenance does not name "+a.Digest+" (its signature was not checked: no provenance verifier given)"
				break
			}
			l.Status, l.Reason = Recorded, "no provenance verifier given: the envelope's signature was not checked"
		default:
			p, err := sbom.VerifyProvenance(b.ctx, env, subj, b.src.ProvenanceVerifiers...)
			if err != nil {
				l.Status, l.Err, l.Reason = Failed, err, "the provenance does not verify for "+a.Digest
				break
			}
			info.BuildType, info.BuilderID, info.InvocationID = p.BuildType, p.BuilderID, p.InvocationID
			l.Status, l.Reason = Verified, "signed SLSA provenance names "+a.Digest+", built by "+p.BuilderID
		}
		b.add(l)
	}
	if len(b.rec.Artifacts) == 0 {
		b.add(b.gap(StepProvenance, ref, "the release record lists no artifact", nil))
	}
}

// promotions adds the log link, then each promotion of the release with
// the gate that decided it, then each rollback away from the release.
func (b *builder) promotions(lg *log) {
	b.add(lg.link)
	var proms []manifest.Entry
	for _, e := range lg.entries {
		if p := e.Promotion; p != nil && p.Manifest == nil && p.Release == b.rec.Tag {
			proms = append(proms, e)
		}
	}
	if len(proms) == 0 {
		b.add(b.gap(StepPromotion, "", "the log holds no promotion of "+b.rec.Tag, nil))
	}
	prod := b.src.production()
	for _, e := range proms {
		p := e.Promotion
		info := promotionInfo(e, lg.entries)
		st, reason, err := lg.entryStatus(e)
		l := Link{Step: StepPromotion, ID: p.Env, Promotion: info, Status: st, Reason: reason, Err: err}
		switch {
		case st == Failed:
		case !b.rec.HasDigest(p.Digest):
			l.Status, l.Reason = Failed, "the promoted digest is not one of the record's artifacts"
			l.Err = fmt.Errorf("%w: %s promoted %s", ErrDigestMismatch, p.Env, p.Digest)
		case p.Env == prod && (p.Approver == "" || p.Reason == ""):
			l.Status, l.Reason = Gap, "the production promotion has no approver or reason"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		case p.Env == prod && p.Window == "" && p.Emergency == nil:
			l.Status, l.Reason = Gap, "the production promotion names no change window and no emergency record"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		case p.Emergency != nil && !emergencyComplete(p.Emergency):
			l.Status, l.Reason = Gap, "the emergency-change record is incomplete"
			l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
		default:
			l.Reason = promotionReason(p) + "; " + reason
		}
		b.add(l)
		b.gate(p, l.Status == Failed && errors.Is(l.Err, manifest.ErrTampered))
	}
	for _, e := range lg.entries {
		p := e.Promotion
		if p == nil || p.Manifest != nil || p.RollbackFrom != b.rec.Tag {
			continue
		}
		st, reason, err := lg.entryStatus(e)
		b.add(Link{
			Step: StepRollback, ID: p.Env, Status: st, Err: err,
			Reason:    fmt.Sprintf("rolled back to %s at %s, approved by %s: %s; %s", p.Release, p.PromotedAt.UTC().Format(time.RFC3339), p.Approver, p.Reason, reason),
			Promotion: promotionInfo(e, lg.entries),
		})
	}
}

// promotionReason describes a promotion in one line.
func promotionReason(p *manifest.Promotion) string {
	s := fmt.Sprintf("promoted at %s", p.PromotedAt.UTC().Format(time.RFC3339))
	if p.Approver != "" {
		s += ", approved by " + p.Approver
	}
	switch {
	case p.Emergency != nil:
		s += ", emergency change"
		if p.Emergency.ID != "" {
			s += " " + p.Emergency.ID
		}
	case p.Window != "":
		s += ", in window " + p.Window
	}
	if p.RollbackFrom != "" {
		s += ", rolling back " + p.RollbackFrom
	}
	return s
}

func emergencyComplete(em *manifest.EmergencyChange) bool {
	return em.Reason != "" && em.Scope != "" && em.Approver != "" && em.RollbackPlan != "" && em.FollowUp != ""
}

// promotionInfo describes e's promotion and what replaced it in its
// environment.
func promotionInfo(e manifest.Entry, entries []manifest.Entry) *PromotionInfo {
	p := e.Promotion
	info := &PromotionInfo{
		Seq: e.Seq, Release: p.Release, Env: p.Env, Digest: p.Digest, Approver: p.Approver, Reason: p.Reason,
		RequestedAt: p.RequestedAt, PromotedAt: p.PromotedAt, Window: p.Window, Emergency: p.Emergency,
		RollbackFrom: p.RollbackFrom, Gate: p.Gate,
	}
	for _, n := range entries {
		q := n.Promotion
		if n.Seq <= e.Seq || q == nil || q.Env != p.Env {
			continue
		}
		if q.Manifest == nil && q.Release == p.Release {
			continue // the same release again (another artifact, a re-run)
		}
		info.ReplacedBy, info.ReplacedAt = q.Release, q.PromotedAt
		info.RolledBack = q.RollbackFrom == p.Release
		break
	}
	return info
}

// gate adds the link of the policy report that gated p.
func (b *builder) gate(p *manifest.Promotion, tampered bool) {
	info := &GateInfo{Digest: p.Gate, Env: p.Env}
	l := Link{Step: StepGate, ID: p.Env, Gate: info}
	if p.Gate == "" {
		l = b.gap(StepGate, p.Env, "no gate decision recorded for the promotion to "+p.Env, nil)
		l.Gate = info
		b.add(l)
		return
	}
	es, ok := b.src.Store.(manifest.EvidenceStore)
	if !ok {
		l.Status, l.Reason = Recorded, "the log names the gate report "+p.Gate+"; the store keeps no evidence"
		b.add(l)
		return
	}
	data, err := es.Evidence(b.ctx, p.Gate)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		l.Status, l.Err, l.Reason = Gap, fmt.Errorf("%w: %w", ErrMissingEvidence, err), "the gate report "+p.Gate+" is not in the store"
		b.add(l)
		return
	case err != nil:
		l.Status, l.Err, l.Reason = Failed, err, "the gate report cannot be read or was edited"
		b.add(l)
		return
	}
	rep, err := policy.ReadReport(bytes.NewReader(data))
	if err != nil {
		l.Status, l.Err, l.Reason = Failed, err, "the gate report does not parse"
		b.add(l)
		return
	}
	info.Counts = map[string]int{}
	for st, n := range rep.Counts() {
		info.Counts[string(st)] = n
	}
	for _, r := range rep.Results {
		info.Controls = append(info.Controls, r.Control.ID)
		if r.Status == policy.Fail {
			info.FailedControls = append(info.FailedControls, r.Control.ID)
		}
	}
	switch {
	case tampered:
		l.Status, l.Reason = Failed, "the report is stored but the log entry naming it does not verify"
		l.Err = manifest.ErrTampered
	case len(info.FailedControls) > 0:
		l.Status, l.Reason = Failed, "the gate report has failed controls: "+strings.Join(info.FailedControls, ", ")
		l.Err = fmt.Errorf("%w: %s", ErrGateFailed, strings.Join(info.FailedControls, ", "))
	case rep.Err() != nil:
		// A report that denies without a failed control: no controls at
		// all (policy.ErrEmptyPolicy), which a gate refuses.
		l.Status, l.Reason = Failed, "the gate report denies: "+rep.Err().Error()
		l.Err = fmt.Errorf("%w: %w", ErrGateFailed, rep.Err())
	default:
		l.Status = Verified
		l.Reason = fmt.Sprintf("policy report %s: %d pass, %d not applicable, %d waived", p.Gate,
			info.Counts[string(policy.Pass)], info.Counts[string(policy.NotApplicable)], info.Counts[string(policy.Waived)])
	}
	b.add(l)
}

// WriteText writes the report for people: per release a header and one
// line per link, "status step id: reason". Control characters, line
// separators and invalid UTF-8 in the evidence's text (an approver, a
// reason from the log) are written as Go escapes, so that they cannot start
// a line of their own.
func (r *TrailReport) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	for _, c := range r.Containing {
		line(&buf, "contained in %s (%s)", c.Release, c.describe())
	}
	for i, t := range r.Releases {
		if i > 0 || len(r.Containing) > 0 {
			buf.WriteString("\n")
		}
		line(&buf, "release %s (commit %s, range %s): %s", t.Release, t.Commit, t.Range, t.Status)
		if t.Incident != "" || t.HotfixFor != "" {
			line(&buf, "  hotfix for %s, incident %s", dash(t.HotfixFor), dash(t.Incident))
		}
		for _, l := range t.Links {
			id := l.ID
			if id == "" {
				id = "-"
			}
			line(&buf, "  %-8s %-12s %s: %s", l.Status, l.Step, id, l.Reason)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// line writes one line of a text report, made safe by textsafe.OneLine,
// and its newline.
func line(buf *bytes.Buffer, format string, args ...any) {
	buf.WriteString(textsafe.OneLine(fmt.Sprintf(format, args...)))
	buf.WriteByte('\n')
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
