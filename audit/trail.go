package audit

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/textsafe"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// Errors of Trail, Lookup and Compare.
var (
	// ErrUnknownRelease is returned (wrapped, together with
	// manifest.ErrNotFound) when a queried release, version or digest has
	// no release record.
	ErrUnknownRelease = errors.New("audit: unknown release")
	// ErrInvalidQuery is returned (wrapped) for an empty query, a query
	// that sets more than one field, or a malformed digest or commit.
	ErrInvalidQuery = errors.New("audit: invalid query")
	// ErrNoStore is returned when Sources has no Store.
	ErrNoStore = errors.New("audit: no release store")
	// ErrMissingEvidence is wrapped by the error of every gap: a link of the
	// chain whose evidence is not there.
	ErrMissingEvidence = errors.New("audit: evidence missing")
)

// The reasons of a [TrailError].
const (
	// ReasonNotInProduction: Trail was asked for a commit that no
	// production release contains.
	ReasonNotInProduction = "commit is in no production release"
	// ReasonTagMoved: a release tag does not point at the commit the
	// release record names (the error of a tag link).
	ReasonTagMoved = "release tag does not point at the recorded commit"
	// ReasonDigestMismatch: evidence does not hash to the digest the
	// release record names (an artifact file, a promotion's digest that is
	// not one of the record's, an artifact Compare reads).
	ReasonDigestMismatch = "digest does not match the release record"
	// ReasonGateFailed: a gate link's stored policy report denies: it has
	// failed controls, or no control at all (then Err wraps
	// policy.ErrEmptyPolicy).
	ReasonGateFailed = "gate report has failed controls"
	// ReasonOrder: a promotion skipped an environment of the promotion
	// order, or was decided under another order than the configured one
	// (Err is the *manifest.OrderError).
	ReasonOrder = "promotion left the promotion order"
	// ReasonUnverifiedActor: a promotion, rollback or deployment outcome
	// into an environment of Sources.VerifiedIdentity was made by an
	// identity that was typed or not recorded, not verified from a CI
	// token (the error of a gap, with ErrMissingEvidence).
	ReasonUnverifiedActor = "actor is not a verified identity"
	// ReasonDeploymentFailed: a deployment of the release to production
	// failed, and no later deployment of it there succeeded.
	ReasonDeploymentFailed = "production deployment failed and never succeeded later"
	// ReasonChangedFiles: the changed-files manifest a deployment outcome
	// names is not the one it summarises: it does not hash to the digest
	// (then manifest.ErrEvidenceDigest is wrapped too), does not decode
	// strictly, is malformed, or disagrees with the entry's summary. See
	// VerifyChangedFiles.
	ReasonChangedFiles = "changed-files manifest does not match its deployment"
)

// A TrailError reports what Trail, Lookup or Compare found wrong with the
// evidence or the query: Reason is one of the Reason constants above,
// Detail says where, Err is the cause when there is one.
type TrailError struct {
	Reason string
	Detail string
	Err    error
}

// Error returns "audit: " followed by the reason, the detail and the cause.
func (e *TrailError) Error() string {
	s := "audit: " + e.Reason
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *TrailError) Unwrap() error { return e.Err }

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
	StepDenied      Step = "denied"       // a refused attempt to promote, roll back or report a deployment of the release
	StepDeployment  Step = "deployment"   // a deployment outcome of the release: started, succeeded or failed
	StepChanges     Step = "changes"      // the changed-files manifest a deployment outcome names
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
	Denial     *DenialInfo     `json:"denial,omitempty"`
	Deployment *DeploymentInfo `json:"deployment,omitempty"`
	Changes    *ChangesInfo    `json:"changes,omitempty"`
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
	// Releaser is who triggered the promotion, and Actor the same identity
	// with how it was established: verified from a CI token (with its
	// issuer and subject) or typed. Entries written before identities were
	// recorded have no Actor.
	Releaser string          `json:"releaser,omitempty"`
	Actor    *manifest.Actor `json:"actor,omitempty"`
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

// DenialInfo describes one refused attempt about the release (a
// manifest.KindDenied entry): what was asked, by whom (verified or typed),
// which controls refused it and why, and when.
type DenialInfo struct {
	Seq uint64 `json:"seq"`
	manifest.Denial
}

// DeploymentInfo describes one deployment outcome of the release (a
// manifest.KindDeployment entry): its result and error, the environment
// and targets, the branch and commit, the changed files' summary, who
// reported it and when.
type DeploymentInfo struct {
	Seq uint64 `json:"seq"`
	manifest.Deployment
	// Outcome is, for a started deployment, the entry that reported how it
	// ended (the next succeeded or failed outcome of the release in the
	// same environment); 0 when none was logged.
	Outcome uint64 `json:"outcome,omitempty"`
	// Succeeded is, for a failed deployment, the entry of a later
	// deployment of the release to the same environment that succeeded;
	// 0 when none was logged.
	Succeeded uint64 `json:"succeeded,omitempty"`
}

// ChangesInfo describes the changed-files manifest a deployment outcome
// names (manifest.ChangedFiles, stored as evidence by its digest): the
// entry's summary and, once the manifest was read and verified, what it
// compares.
type ChangesInfo struct {
	Seq uint64 `json:"seq"` // the deployment entry that names it
	Env string `json:"env"`
	manifest.ChangedFilesSummary
	// To is the release the manifest compares From with, and Total the
	// files it counts as changed (listed or not); both are read from the
	// manifest, zero when it could not be read.
	To    string `json:"to,omitempty"`
	Total int    `json:"total,omitempty"`
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
// manifest.ErrNotFound) when no record matches, a *TrailError with ReasonNotInProduction for a
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
			return nil, &TrailError{Reason: ReasonNotInProduction, Detail: lr.Query}
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

// promotionLog is the promotion log as read and verified once per call.
type promotionLog struct {
	entries []manifest.Entry
	link    Link
	cp      *manifest.Checkpoint
}

// readLog reads and verifies the log, with the signed checkpoint when
// src has one. A log that does not verify is a failed link, not an error:
// its entries are still shown, as failed.
func readLog(ctx context.Context, src Sources) (*promotionLog, error) {
	lg := &promotionLog{link: Link{Step: StepLog, ID: "promotions"}}
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
func (lg *promotionLog) entryStatus(e manifest.Entry) (Status, string, error) {
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
func traceRelease(ctx context.Context, src Sources, lg *promotionLog, rec manifest.Record) (ReleaseTrail, error) {
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
