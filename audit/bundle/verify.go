package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// The reasons of a [CheckError]: what a failed check found. The error of
// each CheckError has the text "audit: " + Reason, followed by details.
const (
	// ReasonIndex reports an index.json that is missing, malformed, not
	// in its canonical form, of another format version, or that lists a
	// file twice or more than MaxFiles files.
	ReasonIndex = "bundle index missing or malformed"
	// ReasonDigest reports a file whose size or SHA-256 is not the one
	// the index lists: the file was edited. Match *DigestError.
	ReasonDigest = "bundle file does not match the index"
	// ReasonMissingFile reports a file the index lists that the bundle
	// does not hold.
	ReasonMissingFile = "file listed in the bundle index is missing"
	// ReasonExtraFile reports a file the index does not list.
	ReasonExtraFile = "bundle file not listed in the index"
	// ReasonUnexpectedFile reports a file, listed or not, that no part
	// of the bundle refers to: not the record's SBOM or provenance, not a
	// log entry, not a report or manifest of one of the release's
	// promotions, not a changed-files manifest of one of its deployment
	// outcomes.
	ReasonUnexpectedFile = "bundle file has no place in the bundle"
	// ReasonRecord reports a release record that is missing, does not
	// parse (manifest.ParseRecord), is not canonical, or names another
	// release or commit than the index.
	ReasonRecord = "bundle record missing, malformed or of another release"
	// ReasonTag reports a tag object that is missing, does not parse
	// (tagging.Parse), or is not the release's: another tag name, another
	// commit, another object than the index names.
	ReasonTag = "bundle tag object is not the release's"
	// ReasonSignature reports a signature that the auditor's keys do not
	// accept: the tag object's, the provenance envelope's or the log
	// checkpoint's. The verifier's own error is wrapped too.
	ReasonSignature = "signature in bundle does not verify"
	// ReasonEvidence reports an SBOM or provenance that is missing, does
	// not match the record's digest, does not name the record's artifacts,
	// or (provenance) names a source commit that is not the record's.
	ReasonEvidence = "SBOM or provenance does not bind to the release"
	// ReasonLog reports log entries that do not parse, are misnamed, or
	// whose hash chain is broken (then manifest.ErrTampered is wrapped too).
	ReasonLog = "bundle log does not verify"
	// ReasonCheckpoint reports a signed checkpoint that the bundle's log
	// does not reach or whose head it does not have: the log was cut or
	// rewritten, or the checkpoint is another log's (manifest.ErrTruncated
	// or manifest.ErrTampered is wrapped too).
	ReasonCheckpoint = "checkpoint does not match the bundle's log"
	// ReasonPromotion reports a logged promotion or deploy result of the
	// release whose digest is not one of the record's artifacts, or a
	// manifest promotion whose manifest is missing or does not match.
	ReasonPromotion = "promotion does not match the release record"
	// ReasonPolicy reports a policy report that a promotion's Gate digest
	// names but the bundle lacks, that does not hash to that digest, does
	// not parse (policy.ReadReport), or denies.
	ReasonPolicy = "policy report does not match its promotion"
	// ReasonChanges reports a changed-files manifest that a deployment
	// outcome of the release names (Deployment.Changes) but the bundle
	// lacks, or that does not verify against the entry
	// (audit.VerifyChangedFiles: it does not hash to the digest, then
	// manifest.ErrEvidenceDigest is wrapped too, is malformed, or disagrees
	// with the entry's summary), or two entries that summarise one
	// manifest differently.
	ReasonChanges = "changed-files manifest does not match its deployment"
)

// Errors of [Verify], reached through a *[CheckError] in [Report.Err]
// (match a CheckError's Reason for the others). Errors of the packages that
// checked (tagging, manifest, sbom, policy) stay wrapped inside them, so
// that errors.Is also matches, for example, signature.ErrBadSignature or
// manifest.ErrTampered.
var (
	// ErrDigest reports a file whose size or SHA-256 is not the one
	// the index lists: the file was edited. Match *DigestError.
	ErrDigest = errors.New("audit: bundle file does not match the index")
	// ErrLog reports log entries that do not parse, are misnamed, or
	// whose hash chain is broken (then manifest.ErrTampered is wrapped too).
	ErrLog = errors.New("audit: bundle log does not verify")
	// ErrUnchecked is returned by [Report.Err] when nothing
	// failed but some check could not be made (no trusted key given, no
	// checkpoint in the bundle, a record the gates did not approve): the
	// bundle is not shown to be good.
	ErrUnchecked      = errors.New("audit: bundle not fully checked")
	errIndex          = errors.New("audit: " + ReasonIndex)
	errMissingFile    = errors.New("audit: " + ReasonMissingFile)
	errExtraFile      = errors.New("audit: " + ReasonExtraFile)
	errUnexpectedFile = errors.New("audit: " + ReasonUnexpectedFile)
	errRecord         = errors.New("audit: " + ReasonRecord)
	errTag            = errors.New("audit: " + ReasonTag)
	errSignature      = errors.New("audit: " + ReasonSignature)
	errEvidence       = errors.New("audit: " + ReasonEvidence)
	errCheckpoint     = errors.New("audit: " + ReasonCheckpoint)
	errPromotion      = errors.New("audit: " + ReasonPromotion)
	errPolicy         = errors.New("audit: " + ReasonPolicy)
	errChanges        = errors.New("audit: " + ReasonChanges)
)

// A DigestError reports a bundle file that does not match the index:
// Want is the SHA-256 and size listed, Got what the file has. It matches
// ErrDigest.
type DigestError struct {
	Name              string
	Want, Got         string // lower-case hex SHA-256
	WantSize, GotSize int64
}

// Error names the file and both digests.
func (e *DigestError) Error() string {
	return fmt.Sprintf("%s: %s: index lists sha256 %s (%d bytes), file has %s (%d bytes)",
		ErrDigest.Error(), e.Name, e.Want, e.WantSize, e.Got, e.GotSize)
}

// Unwrap returns ErrDigest.
func (e *DigestError) Unwrap() error { return ErrDigest }

// A CheckError is one failure of a check of [Verify]: the check's
// name and the cause, which wraps one of the Err sentinels of this package.
type CheckError struct {
	Check string
	// Reason is what the check found, one of the Reason constants.
	Reason string
	Err    error
}

// Error names the check and the cause.
func (e *CheckError) Error() string { return "bundle " + e.Check + ": " + e.Err.Error() }

// Unwrap returns Err.
func (e *CheckError) Unwrap() error { return e.Err }

// StatusText returns the word a bundle report prints for the outcome s of a
// check: "pass" for [audit.Verified], "fail" for [audit.Failed] and
// "not-checked" for [audit.Recorded] (the check could not be made, for want
// of a trusted key, of a checkpoint or of a gate's approval; never a pass).
// Other statuses print as themselves.
func StatusText(s audit.Status) string {
	switch s {
	case audit.Verified:
		return "pass"
	case audit.Failed:
		return "fail"
	case audit.Recorded:
		return "not-checked"
	}
	return string(s)
}

// A Check is one check of [Verify].
type Check struct {
	Name string `json:"name"`
	// Status is audit.Verified (pass), audit.Failed (fail) or
	// audit.Recorded (not checked); JSON writes it as [StatusText] does.
	Status audit.Status `json:"status"`
	// Detail says what was checked, why it could not be, or what failed.
	Detail string `json:"detail"`
	// Errs are the failures (*CheckError each), nil unless Status is
	// audit.Failed.
	Errs []error `json:"-"`
}

// MarshalJSON writes the check with its status in the words of [StatusText].
func (c Check) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		Detail string `json:"detail"`
	}{c.Name, StatusText(c.Status), c.Detail})
}

// Keys are what the auditor trusts. Verify never uses a key
// found in the bundle. A nil verifier leaves its signatures "not checked",
// never passed.
type Keys struct {
	// Tag checks the release tag object's signature (tagging.VerifyObject),
	// for example signature.NewSSHVerifier(signers, tagging.GitNamespace).
	Tag signature.Verifier
	// Provenance checks the provenance envelope (sbom.VerifyProvenance).
	Provenance []signature.Verifier
	// Checkpoint checks the signed log checkpoint (manifest.OpenCheckpoint);
	// build SSH verifiers with manifest.Namespace.
	Checkpoint signature.Verifier
	// At is the time the tag's, the checkpoint's and the provenance's
	// signatures are verified at. Zero means the bundle's own verification time
	// (Index.VerifiedAt), which the builder chose and which, like the
	// whole index, is not signed: "was it valid when the bundle was made",
	// by the bundle's word. Pass the current time to ask "is it valid now"
	// (keys expired or revoked since then fail). A bundle built without a
	// verification time (the default of [Build]) has none: with At zero its
	// signatures are then "not checked".
	At time.Time
	// Order is the configured promotion order (the release
	// configuration's environments). A promotion of the release that
	// skipped an environment of it, or was decided under another order,
	// fails the promotions check; nil checks each promotion against the
	// order it recorded.
	Order []string
}

// A Report is the outcome of [Verify]: every check, in a fixed
// order, with its status.
type Report struct {
	Release   string    `json:"release"`
	Commit    string    `json:"commit"`
	TagObject string    `json:"tag_object"`
	At        time.Time `json:"at"` // the verification time used
	// BuildTag is the tag verification recorded at build time
	// (tag/verification.json), informative only; nil when absent or
	// malformed.
	BuildTag *TagResult `json:"build_tag,omitempty"`
	// Checkpoint is the signed checkpoint the log was verified against,
	// nil when none was. Verify cannot know whether a later one
	// exists: an auditor who holds a newer checkpoint of the log compares
	// its count with this one's, since a bundle built from an older
	// checkpoint can leave out later entries.
	Checkpoint *manifest.Checkpoint `json:"checkpoint,omitempty"`
	// LogEntries is how many log entries the bundle holds.
	LogEntries int     `json:"log_entries"`
	Checks     []Check `json:"checks"`
}

// Status is the overall verdict: audit.Failed when a check failed, otherwise
// audit.Recorded when a check could not be made, otherwise audit.Verified.
func (r *Report) Status() audit.Status {
	st := audit.Verified
	for _, c := range r.Checks {
		switch c.Status {
		case audit.Failed:
			return audit.Failed
		case audit.Recorded:
			st = audit.Recorded
		}
	}
	return st
}

// Check returns the check named name, and whether there is one.
func (r *Report) Check(name string) (Check, bool) {
	for _, c := range r.Checks {
		if c.Name == name {
			return c, true
		}
	}
	return Check{}, false
}

// Err returns nil when every check passed. Otherwise it returns every
// failure joined (each a *CheckError, matched with errors.Is and
// errors.As), or, when nothing failed, an error wrapping ErrUnchecked
// that names the checks not made.
func (r *Report) Err() error {
	var errs []error
	var unchecked []string
	for _, c := range r.Checks {
		switch c.Status {
		case audit.Failed:
			errs = append(errs, c.Errs...)
		case audit.Recorded:
			unchecked = append(unchecked, c.Name+" ("+c.Detail+")")
		}
	}
	if len(errs) > 0 {
		return errors.Join(errs...)
	}
	if len(unchecked) > 0 {
		return fmt.Errorf("%w: %s", ErrUnchecked, strings.Join(unchecked, "; "))
	}
	return nil
}

// The checks of Verify, in report order.
const (
	checkNameIndex      = "index"
	checkNameFiles      = "files"
	checkNameRecord     = "record"
	checkNameTag        = "tag"
	checkNameTagSig     = "tag-signature"
	checkNameSBOM       = "sbom"
	checkNameProvenance = "provenance"
	checkNameLog        = "log"
	checkNameCheckpoint = "checkpoint"
	checkNamePromotions = "promotions"
	checkNamePolicy     = "policy"
	checkNameChanges    = "changes"
)

var checkOrder = []string{
	checkNameIndex, checkNameFiles, checkNameRecord, checkNameTag,
	checkNameTagSig, checkNameSBOM, checkNameProvenance, checkNameLog,
	checkNameCheckpoint, checkNamePromotions, checkNamePolicy, checkNameChanges,
}

// Verify checks b offline against the auditor's keys and returns a
// report of every check, in this order, and the report's Err:
//
//   - index: index.json parses, is canonical and of Format
//     (errIndex);
//   - files: the files are exactly those the index lists
//     (errMissingFile, errExtraFile), each with its size and
//     SHA-256 (*DigestError), and each has its place in the bundle
//     (errUnexpectedFile);
//   - record: record.json parses strictly and names the index's release and
//     commit (errRecord). record.json is not signed: when policy gates
//     logged the digest of the record they approved (REL-GATE-001 in the
//     reports of the promotions the checkpoint covers), it must be one of
//     those, or the record is audit.Recorded (updated since, or altered);
//   - tag: the tag object parses strictly, is the object the index names,
//     and names the release and points at the record's commit
//     (errTag);
//   - tag-signature: keys.Tag accepts the tag object's signature at the
//     verification time (errSignature and tagging's error);
//   - sbom: the SBOM has the record's SBOM digest, decodes strictly and
//     describes one of the record's artifacts (sbom.Check) (errEvidence
//     and sbom's error);
//   - provenance: keys.Provenance accept the envelope and its statement
//     names every artifact of the record (sbom.VerifyProvenance), and, when
//     its resolved dependencies name the git commits built ("gitCommit"),
//     one of them is the record's commit (errSignature or
//     errEvidence, and sbom's error);
//   - log: the entries parse, are named by their sequence numbers, and form
//     one hash chain from the first (manifest.VerifyLog) (ErrLog and
//     manifest.ErrTampered);
//   - checkpoint: keys.Checkpoint accepts the checkpoint's signature
//     (errSignature) and the log reaches it and has its head
//     (errCheckpoint and manifest.ErrTruncated or ErrTampered);
//   - promotions: every promotion (rollbacks to the release included),
//     deploy result and deployment outcome of the release in the log
//     carries a digest of the record's artifacts (a rollback away from the
//     release, also a manifest rollback away from a manifest that pinned
//     it, is listed but carries the other release's digest; a deployment
//     outcome may name none), and every
//     manifest promoted that pins the release is in the bundle and pins only
//     those digests (errPromotion); refused attempts about the release are
//     counted, never judged: the log's chain is their evidence;
//   - policy: for each of those promotions with a Gate digest, the bundle
//     holds a policy report with that digest, which parses
//     (policy.ReadReport) and allows (errPolicy);
//   - changes: for each deployment outcome of the release that names a
//     changed-files manifest (Deployment.Changes), the bundle holds it and
//     it verifies against the entry's summary (audit.VerifyChangedFiles),
//     and no two entries summarise one manifest differently (errChanges).
//     A bundle without deployment outcomes, such as one built before they
//     were logged, passes it.
//
// A check that needs a key the auditor did not give (tag-signature,
// provenance, checkpoint), a checkpoint the bundle lacks, or a promotion
// the checkpoint does not cover, or a promotion without a Gate digest, or a
// record no gate approved while gates approved others, is
// audit.Recorded, never passed: then, if nothing failed, Err wraps
// ErrUnchecked. Verify makes every check even after a failure,
// so the report lists every problem.
//
// The error is the report's Err, or ctx's error (then the report is nil).
// Verify is safe for concurrent use when the verifiers are.
func Verify(ctx context.Context, b *Bundle, keys Keys) (*Report, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if b == nil {
		b = &Bundle{}
	}
	v := &verifier{ctx: ctx, b: b, keys: keys, used: map[string]bool{IndexName: true}, checks: map[string]*Check{}}
	v.checkIndex()
	v.checkRecord()
	v.checkTag()
	v.checkSBOM()
	v.checkProvenance()
	v.checkLog()
	v.checkCheckpoint()
	v.checkPromotions()
	v.checkRecordApproved()
	v.checkFiles()
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Release: v.idx.Release, Commit: v.idx.Commit, TagObject: v.idx.TagObject, At: v.at, BuildTag: v.buildTag, Checkpoint: v.cp, LogEntries: len(v.entries)}
	for _, name := range checkOrder {
		rep.Checks = append(rep.Checks, *v.checks[name])
	}
	return rep, rep.Err()
}

// verifier carries what one Verify has learned so far.
type verifier struct {
	ctx  context.Context
	b    *Bundle
	keys Keys
	used map[string]bool // files some check looked for

	idx       Index
	idxOK     bool
	at        time.Time
	rec       manifest.Record
	recOK     bool
	recDigest string
	// approved are the digests of the records the gates of the covered
	// promotions of the release approved (REL-GATE-001), with the entries.
	approved map[string][]string
	reports  map[string]reportResult  // policy reports read, by digest
	changes  map[string]changesResult // changed-files manifests read, by digest
	buildTag *TagResult
	entries  []manifest.Entry // parsed, in sequence order
	entOK    bool             // every entry file parsed
	chainOK  bool             // and the chain verifies
	cp       *manifest.Checkpoint

	checks map[string]*Check
}

// file returns the bundle's file name and marks it as having a place.
func (v *verifier) file(name string) ([]byte, bool) {
	v.used[name] = true
	data, ok := v.b.files[name]
	return data, ok
}

func (v *verifier) pass(check, detail string) {
	v.checks[check] = &Check{Name: check, Status: audit.Verified, Detail: detail}
}

func (v *verifier) notChecked(check, detail string) {
	v.checks[check] = &Check{Name: check, Status: audit.Recorded, Detail: detail}
}

// fail records the failures errs of check; with none it records a pass
// with detail.
func (v *verifier) fail(check string, errs []error, detail string) {
	if len(errs) == 0 {
		v.pass(check, detail)
		return
	}
	c := &Check{Name: check, Status: audit.Failed}
	var msgs []string
	for _, err := range errs {
		c.Errs = append(c.Errs, &CheckError{Check: check, Reason: reasonOf(err), Err: err})
		msgs = append(msgs, err.Error())
	}
	c.Detail = strings.Join(msgs, "; ")
	v.checks[check] = c
}

func (v *verifier) checkIndex() {
	idx, err := v.b.Index()
	if err != nil {
		v.at = v.keys.At
		v.fail(checkNameIndex, []error{err}, "")
		return
	}
	if len(idx.Files) > MaxFiles {
		// More than a bundle can hold: refuse it before checking each entry.
		v.at = v.keys.At
		v.fail(checkNameIndex, []error{fmt.Errorf("%w: lists %d files, more than MaxBundleFiles", errIndex, len(idx.Files))}, "")
		return
	}
	var errs []error
	if idx.Format != Format {
		errs = append(errs, fmt.Errorf("%w: format %d, want %d", errIndex, idx.Format, Format))
	}
	if idx.Release == "" {
		errs = append(errs, fmt.Errorf("%w: no release", errIndex))
	}
	seen := map[string]bool{}
	for _, f := range idx.Files {
		if seen[f.Name] {
			errs = append(errs, fmt.Errorf("%w: %q listed twice", errIndex, f.Name))
		}
		seen[f.Name] = true
		if f.Name == IndexName {
			errs = append(errs, fmt.Errorf("%w: lists itself", errIndex))
		}
	}
	if !slices.IsSortedFunc(idx.Files, func(a, b File) int { return strings.Compare(a.Name, b.Name) }) {
		errs = append(errs, fmt.Errorf("%w: files not sorted by name", errIndex))
	}
	v.idx, v.idxOK = idx, true
	v.at = v.keys.At
	if v.at.IsZero() {
		v.at = idx.VerifiedAt
	}
	v.fail(checkNameIndex, errs, fmt.Sprintf("format %d, release %s, %d files", idx.Format, idx.Release, len(idx.Files)))
}

// checkFiles runs last: it needs to know which files the other checks used.
func (v *verifier) checkFiles() {
	var errs []error
	listed := map[string]bool{IndexName: true}
	if v.idxOK {
		for _, f := range v.idx.Files {
			listed[f.Name] = true
			data, ok := v.b.files[f.Name]
			if !ok {
				errs = append(errs, fmt.Errorf("%w: %s", errMissingFile, f.Name))
				continue
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.Size {
				errs = append(errs, &DigestError{Name: f.Name, Want: f.SHA256, Got: got, WantSize: f.Size, GotSize: int64(len(data))})
			}
		}
	}
	for _, name := range v.b.Names() {
		if v.idxOK && !listed[name] {
			errs = append(errs, fmt.Errorf("%w: %s", errExtraFile, name))
		}
		if !v.used[name] && v.canPlace(name) {
			errs = append(errs, fmt.Errorf("%w: %s", errUnexpectedFile, name))
		}
	}
	if !v.idxOK && len(errs) == 0 {
		v.notChecked(checkNameFiles, "no index to check the files against")
		return
	}
	v.fail(checkNameFiles, errs, fmt.Sprintf("%d files match the index", len(v.b.files)-1))
}

// canPlace reports whether the checks could tell where name belongs: the
// places of evidence files come from the record, those of policy reports
// and manifests from the record and the log. A file whose place could not
// be known is not reported as unexpected, since its check already failed.
func (v *verifier) canPlace(name string) bool {
	switch {
	case strings.HasPrefix(name, evidenceDir):
		return v.recOK
	case strings.HasPrefix(name, policyDir), strings.HasPrefix(name, manifestDir), strings.HasPrefix(name, changesDir):
		return v.recOK && v.entOK
	}
	return true
}

func (v *verifier) checkRecord() {
	data, ok := v.file(RecordName)
	if !ok {
		v.fail(checkNameRecord, []error{fmt.Errorf("%w: no %s", errRecord, RecordName)}, "")
		return
	}
	rec, err := manifest.ParseRecord(data)
	if err != nil {
		v.fail(checkNameRecord, []error{fmt.Errorf("%w: %w", errRecord, err)}, "")
		return
	}
	var errs []error
	if canon, err := manifest.MarshalRecord(rec); err != nil || !bytes.Equal(canon, data) {
		errs = append(errs, fmt.Errorf("%w: not in canonical form (manifest.MarshalRecord)", errRecord))
	}
	if v.idxOK && (rec.Tag != v.idx.Release || rec.Commit != v.idx.Commit) {
		errs = append(errs, fmt.Errorf("%w: record of %s at %s, index names %s at %s", errRecord, rec.Tag, rec.Commit, v.idx.Release, v.idx.Commit))
	}
	v.rec, v.recOK, v.recDigest = rec, true, manifest.Digest(data)
	v.fail(checkNameRecord, errs, fmt.Sprintf("release %s at %s, %s", rec.Tag, rec.Commit, count(len(rec.Artifacts), "artifact")))
}

// release is the release the bundle is about, as best known.
func (v *verifier) release() string {
	if v.idxOK {
		return v.idx.Release
	}
	return v.rec.Tag
}

func (v *verifier) checkTag() {
	if data, ok := v.file(TagResultName); ok {
		var res TagResult
		if err := decodeStrict(data, &res); err == nil {
			v.buildTag = &res
		}
	}
	raw, ok := v.file(TagName)
	if !ok {
		err := fmt.Errorf("%w: no %s", errTag, TagName)
		v.fail(checkNameTag, []error{err}, "")
		v.fail(checkNameTagSig, []error{err}, "")
		return
	}
	var errs []error
	if v.buildTag == nil {
		errs = append(errs, fmt.Errorf("%w: %s missing or malformed", errTag, TagResultName))
	}
	obj, err := tagging.Parse(raw)
	if err != nil {
		errs = append(errs, fmt.Errorf("%w: %w", errTag, err))
	} else {
		if rel := v.release(); obj.Name != rel {
			errs = append(errs, fmt.Errorf("%w: tag object names %q, not %q", errTag, obj.Name, rel))
		}
		if obj.TargetType != "commit" {
			errs = append(errs, fmt.Errorf("%w: tag object points at a %s", errTag, obj.TargetType))
		}
		if v.recOK && obj.Target.String() != v.rec.Commit {
			errs = append(errs, fmt.Errorf("%w: tag object points at %s, the record at %s", errTag, obj.Target, v.rec.Commit))
		}
	}
	hash := plumbing.ComputeHash(plumbing.TagObject, raw).String()
	if v.idxOK && hash != v.idx.TagObject {
		errs = append(errs, fmt.Errorf("%w: tag object %s, index names %s", errTag, hash, v.idx.TagObject))
	}
	v.fail(checkNameTag, errs, "tag object "+hash+" names "+v.release()+" at its commit")

	switch {
	case v.keys.Tag == nil:
		v.notChecked(checkNameTagSig, "no trusted tag key given")
		return
	case v.at.IsZero():
		v.notChecked(checkNameTagSig, "no verification time: the index has none and Keys.At is not set")
		return
	}
	ver, err := tagging.VerifyObject(v.ctx, raw, v.keys.Tag, v.at)
	if err != nil {
		v.fail(checkNameTagSig, []error{fmt.Errorf("%w: tag %s: %w", errSignature, v.release(), err)}, "")
		return
	}
	v.pass(checkNameTagSig, fmt.Sprintf("signed by %s (%s %s) at %s", ver.Signer.Identity, ver.Signer.Format, ver.Signer.Fingerprint, v.at.Format(time.RFC3339)))
}

// evidence returns the bundle file of the record's reference ref to item.
func (v *verifier) evidence(item, ref string) ([]byte, error) {
	if !v.recOK {
		return nil, fmt.Errorf("%w: no record to name the %s", errEvidence, item)
	}
	if ref == "" {
		return nil, fmt.Errorf("%w: the record names no %s", errEvidence, item)
	}
	data, ok := v.file(evidenceDir + ref)
	if !ok {
		return nil, fmt.Errorf("%w: %s %s not in the bundle", errEvidence, item, evidenceDir+ref)
	}
	return data, nil
}

// digests lists the digests of artifacts, for messages.
func digests(artifacts []manifest.Artifact) string {
	var ds []string
	for _, a := range artifacts {
		ds = append(ds, a.Digest)
	}
	return strings.Join(ds, " or ")
}

// subject is the subject of artifact a.
func subject(a manifest.Artifact) sbom.Subject {
	return sbom.Subject{Name: a.Name, SHA256: strings.TrimPrefix(a.Digest, "sha256:"), SHA512: strings.TrimPrefix(a.SHA512, "sha512:")}
}

func (v *verifier) checkSBOM() {
	data, err := v.evidence("SBOM", v.rec.SBOM.Ref)
	if err != nil {
		v.fail(checkNameSBOM, []error{err}, "")
		return
	}
	if got := manifest.Digest(data); got != v.rec.SBOM.Digest {
		v.fail(checkNameSBOM, []error{fmt.Errorf("%w: %w", errEvidence,
			&sbom.MismatchError{Kind: sbom.ErrReferenceMismatch, Want: v.rec.SBOM.Digest, Got: got})}, "")
		return
	}
	f := sbom.JSON
	if t := bytes.TrimLeft(data, " \t\r\n\ufeff"); len(t) > 0 && t[0] == '<' {
		f = sbom.XML
	}
	doc, err := sbom.Read(bytes.NewReader(data), f, sbom.WithMaxSize(MaxFileSize))
	if err != nil {
		v.fail(checkNameSBOM, []error{fmt.Errorf("%w: %w", errEvidence, err)}, "")
		return
	}
	subj, err := doc.Subject()
	if err != nil {
		v.fail(checkNameSBOM, []error{fmt.Errorf("%w: %w", errEvidence, err)}, "")
		return
	}
	i := slices.IndexFunc(v.rec.Artifacts, func(a manifest.Artifact) bool { return a.Digest == subj.Digest() })
	if i < 0 {
		v.fail(checkNameSBOM, []error{fmt.Errorf("%w: SBOM describes %s, not an artifact of the record: %w", errEvidence, subj.Digest(),
			&sbom.MismatchError{Kind: sbom.ErrSubjectMismatch, Want: digests(v.rec.Artifacts), Got: subj.Digest()})}, "")
		return
	}
	a := v.rec.Artifacts[i]
	if err := sbom.Check(doc, subject(a)); err != nil {
		v.fail(checkNameSBOM, []error{fmt.Errorf("%w: %w", errEvidence, err)}, "")
		return
	}
	v.pass(checkNameSBOM, fmt.Sprintf("%s (%s) describes %s %s", v.rec.SBOM.Ref, v.rec.SBOM.Digest, a.Name, a.Digest))
}

func (v *verifier) checkProvenance() {
	data, err := v.evidence("provenance", v.rec.Provenance.Ref)
	if err != nil {
		v.fail(checkNameProvenance, []error{err}, "")
		return
	}
	if len(v.rec.Artifacts) == 0 {
		v.fail(checkNameProvenance, []error{fmt.Errorf("%w: the record has no artifact", errEvidence)}, "")
		return
	}
	if len(v.keys.Provenance) == 0 {
		v.notChecked(checkNameProvenance, "no trusted provenance key given")
		return
	}
	var errs []error
	var commits []string // the git commits the verified provenance was built from
	for _, a := range v.rec.Artifacts {
		prov, err := sbom.VerifyProvenance(v.ctx, data, subject(a), v.at, v.keys.Provenance...)
		if err != nil {
			kind := errEvidence
			if errors.Is(err, signature.ErrBadSignature) {
				kind = errSignature
			}
			errs = append(errs, fmt.Errorf("%w: provenance of %s: %w", kind, a.Name, err))
			if !errors.Is(err, sbom.ErrSubjectMismatch) {
				// The envelope or its statement is bad, whatever the
				// artifact: opening it again for every artifact of the
				// record would only repeat this error, and cost each time.
				break
			}
			continue
		}
		commits = gitCommits(prov)
	}
	// A provenance that names the source commit it was built from must name
	// the release's: otherwise it is the provenance of another release's
	// build, whatever artifacts the record claims.
	if len(errs) == 0 && len(commits) > 0 && !slices.ContainsFunc(commits, func(c string) bool { return strings.EqualFold(c, v.rec.Commit) }) {
		errs = append(errs, fmt.Errorf("%w: provenance built from commit %s, not the record's %s", errEvidence, strings.Join(commits, ", "), v.rec.Commit))
	}
	v.fail(checkNameProvenance, errs, fmt.Sprintf("%s is signed by a trusted key and names the record's %s", v.rec.Provenance.Ref, count(len(v.rec.Artifacts), "artifact")))
}

// gitCommits returns the git commits ("gitCommit" digests) among the
// resolved dependencies of prov, in order.
func gitCommits(prov sbom.Provenance) []string {
	var commits []string
	for _, d := range prov.ResolvedDependencies {
		if c := d.Digest["gitCommit"]; c != "" {
			commits = append(commits, c)
		}
	}
	return commits
}

func (v *verifier) checkLog() {
	var errs []error
	for _, name := range v.b.Names() {
		if !strings.HasPrefix(name, logDir) {
			continue
		}
		data, _ := v.file(name)
		e, err := manifest.ParseEntry(data)
		if err != nil {
			errs = append(errs, fmt.Errorf("%w: %s: %w", ErrLog, name, err))
			continue
		}
		if entryName(e.Seq) != name {
			errs = append(errs, fmt.Errorf("%w: %s holds entry %d", ErrLog, name, e.Seq))
			continue
		}
		v.entries = append(v.entries, e)
	}
	if len(errs) > 0 {
		v.fail(checkNameLog, errs, "")
		return
	}
	v.entOK = true
	if err := manifest.VerifyLog(v.entries, nil); err != nil {
		v.fail(checkNameLog, []error{fmt.Errorf("%w: %w", ErrLog, err)}, "")
		return
	}
	v.chainOK = true
	v.pass(checkNameLog, fmt.Sprintf("%d entries form one hash chain", len(v.entries)))
}

func (v *verifier) checkCheckpoint() {
	data, okData := v.file(CheckpointName)
	sig, okSig := v.file(CheckpointSigName)
	switch {
	case !okData && !okSig:
		v.notChecked(checkNameCheckpoint, "no signed checkpoint in the bundle: a truncated log cannot be detected")
		return
	case !okData || !okSig:
		v.fail(checkNameCheckpoint, []error{fmt.Errorf("%w: checkpoint without its signature, or the reverse", errCheckpoint)}, "")
		return
	case v.keys.Checkpoint == nil:
		v.notChecked(checkNameCheckpoint, "no trusted checkpoint key given")
		return
	case v.at.IsZero():
		v.notChecked(checkNameCheckpoint, "no verification time: the index has none and Keys.At is not set")
		return
	}
	cp, err := manifest.OpenCheckpoint(v.ctx, data, sig, v.keys.Checkpoint, v.at)
	if err != nil {
		kind := errCheckpoint
		if errors.Is(err, signature.ErrBadSignature) {
			kind = errSignature
		}
		v.fail(checkNameCheckpoint, []error{fmt.Errorf("%w: %w", kind, err)}, "")
		return
	}
	if !v.chainOK {
		v.notChecked(checkNameCheckpoint, "the checkpoint's signature verifies, but the log does not")
		return
	}
	if err := manifest.VerifyLog(v.entries, &cp); err != nil {
		v.fail(checkNameCheckpoint, []error{fmt.Errorf("%w: %w", errCheckpoint, err)}, "")
		return
	}
	v.cp = &cp
	v.pass(checkNameCheckpoint, fmt.Sprintf("signed checkpoint of %d entries matches the log", cp.Count))
}

// checkPromotions checks the release's promotions and, for their Gate
// digests, the policy reports.
func (v *verifier) checkPromotions() {
	if !v.entOK || !v.recOK {
		missing := "the log does not parse"
		if !v.recOK {
			missing = "no record"
		}
		v.fail(checkNamePromotions, []error{fmt.Errorf("%w: %s", errPromotion, missing)}, "")
		v.fail(checkNamePolicy, []error{fmt.Errorf("%w: %s", errPolicy, missing)}, "")
		v.fail(checkNameChanges, []error{fmt.Errorf("%w: %s", errChanges, missing)}, "")
		return
	}
	var errs, polErrs, chErrs []error
	var uncovered, ungated, unsafe []string
	var proms, results, reports, rollbacks int
	var c attemptCounts
	about := newBundleAbout(v.rec)
	outOfOrder := map[uint64]*manifest.OrderError{}
	for _, oe := range manifest.CheckOrder(v.entries, v.keys.Order) {
		outOfOrder[oe.Seq] = oe
	}
	for _, e := range v.entries {
		if !about.concerns(e) {
			continue
		}
		seq := e.Seq // i+1 when the chain verifies
		if v.cp != nil && seq > v.cp.Count {
			uncovered = append(uncovered, fmt.Sprint(seq))
		}
		if r := e.Result; r != nil {
			results++
			if !v.rec.HasDigest(r.Digest) {
				errs = append(errs, fmt.Errorf("%w: entry %d: deploy result for %s, not an artifact of %s", errPromotion, seq, r.Digest, v.rec.Tag))
			}
			continue
		}
		if d := e.Denial; d != nil {
			c.denied++
			if d.Gate != "" {
				c.deniedReports++
				polErrs = append(polErrs, v.checkDenialReport(seq, d.Gate)...)
			}
			continue
		}
		if d := e.Deploy; d != nil {
			c.deployments++
			if d.Result == manifest.ResultFailed {
				c.failed++
			}
			if d.Digest != "" && !v.rec.HasDigest(d.Digest) {
				errs = append(errs, fmt.Errorf("%w: entry %d: deployment outcome for %s, not an artifact of %s", errPromotion, seq, d.Digest, v.rec.Tag))
			}
			if d.Changes != nil {
				c.changes++
				chErrs = append(chErrs, v.checkChanges(seq, *d.Changes)...)
			}
			continue
		}
		p := e.Promotion
		proms++
		if oe := outOfOrder[seq]; oe != nil {
			errs = append(errs, fmt.Errorf("%w: %w", errPromotion, oe))
		}
		if len(p.Unsafe) > 0 {
			unsafe = append(unsafe, fmt.Sprintf("entry %d (%s)", seq, strings.Join(p.Unsafe, ", ")))
		}
		if p.Manifest == nil {
			if p.Release != v.rec.Tag {
				// A rollback away from the release: it promotes another
				// release's digest; its gate report is still evidence.
				rollbacks++
			} else if !v.rec.HasDigest(p.Digest) {
				errs = append(errs, fmt.Errorf("%w: entry %d: %s promoted %s, not an artifact of the record", errPromotion, seq, p.Env, p.Digest))
			}
		} else {
			if !pins(*p.Manifest, v.rec) {
				// A manifest rollback away from a manifest that pinned
				// the release.
				rollbacks++
			}
			errs = append(errs, v.checkManifest(seq, p)...)
		}
		if p.Gate == "" {
			ungated = append(ungated, fmt.Sprint(seq))
			continue
		}
		reports++
		polErrs = append(polErrs, v.checkReport(seq, p)...)
	}
	var detail string
	if len(uncovered) > 0 {
		detail = "; entries " + strings.Join(uncovered, ", ") + " are after the signed checkpoint"
	}
	if len(unsafe) > 0 {
		detail += "; checks skipped by unsafe options in " + strings.Join(unsafe, ", ")
	}
	switch {
	case len(errs) > 0:
		v.fail(checkNamePromotions, errs, "")
	case len(uncovered) > 0 || len(unsafe) > 0:
		v.notChecked(checkNamePromotions, promotionsDetail(proms, rollbacks, results, c)+detail)
	default:
		v.pass(checkNamePromotions, promotionsDetail(proms, rollbacks, results, c))
	}
	switch {
	case c.changes == 0:
		v.pass(checkNameChanges, "no deployment outcome of the release names a changed-files manifest")
	default:
		v.fail(checkNameChanges, chErrs, fmt.Sprintf("%d changed-files manifest(s) named by %d deployment outcome(s) match their entries", len(v.changes), c.changes))
	}
	switch {
	case len(polErrs) > 0:
		v.fail(checkNamePolicy, polErrs, "")
	case len(ungated) > 0:
		v.notChecked(checkNamePolicy, "promotions in entries "+strings.Join(ungated, ", ")+" name no policy report")
	case c.deniedReports > 0:
		v.pass(checkNamePolicy, fmt.Sprintf("%d policy reports match their promotions and allow them; %d match the refused attempts that name them and deny them", reports, c.deniedReports))
	default:
		v.pass(checkNamePolicy, fmt.Sprintf("%d policy reports match their promotions and allow them", reports))
	}
}

// checkDenialReport checks the report of the gate that refused the
// attempt logged as entry seq: it is in the bundle, hashes to gate, parses
// and denies (a report that allows cannot be why an attempt was refused).
func (v *verifier) checkDenialReport(seq uint64, gate string) []error {
	name := policyDir + strings.TrimPrefix(gate, "sha256:") + ".json"
	data, ok := v.file(name)
	if !ok {
		return []error{fmt.Errorf("%w: entry %d: policy report %s of the refused attempt not in the bundle", errPolicy, seq, gate)}
	}
	if got := manifest.Digest(data); got != gate {
		return []error{fmt.Errorf("%w: entry %d: %s hashes to %s, the refused attempt's gate is %s", errPolicy, seq, name, got, gate)}
	}
	rep, err := parseReport(data)
	if err != nil {
		return []error{fmt.Errorf("%w: entry %d: %w", errPolicy, seq, err)}
	}
	if rep.Err() == nil {
		return []error{fmt.Errorf("%w: entry %d: the policy report %s allows the attempt the log says it refused", errPolicy, seq, gate)}
	}
	return nil
}

// attemptCounts counts the deployment outcomes and refused attempts of the
// release in the log.
type attemptCounts struct {
	deployments, failed, changes, denied, deniedReports int
}

func promotionsDetail(proms, rollbacks, results int, c attemptCounts) string {
	s := fmt.Sprintf("%d promotion(s) and %d deploy result(s) match the record", proms-rollbacks, results)
	if c.deployments > 0 {
		s += fmt.Sprintf("; %d deployment outcome(s) (%d failed) match it", c.deployments, c.failed)
	}
	if rollbacks > 0 {
		s += fmt.Sprintf("; %d rollback(s) away from the release", rollbacks)
	}
	if c.denied > 0 {
		s += fmt.Sprintf("; %d refused attempt(s) logged", c.denied)
	}
	return s
}

// changesResult is what checkChanges learned of one changed-files
// manifest: the first entry that named it, its summary there, and whether
// the manifest verified against it.
type changesResult struct {
	seq uint64
	sum manifest.ChangedFilesSummary
	err error
}

// checkChanges checks the changed-files manifest that the deployment outcome
// in entry seq summarises as sum. Each manifest is read once, however many
// entries name it (entries after the checkpoint, which anyone can append,
// could name one large manifest thousands of times): a later entry must
// summarise it as the first did.
func (v *verifier) checkChanges(seq uint64, sum manifest.ChangedFilesSummary) []error {
	if err := manifest.ValidateDigest(sum.Digest); err != nil {
		return []error{fmt.Errorf("%w: entry %d: %w", errChanges, seq, err)}
	}
	if r, ok := v.changes[sum.Digest]; ok {
		if r.sum != sum {
			return []error{fmt.Errorf("%w: entry %d summarises changed-files manifest %s otherwise than entry %d", errChanges, seq, sum.Digest, r.seq)}
		}
		if r.err != nil {
			return []error{fmt.Errorf("%w: entry %d: %w", errChanges, seq, r.err)}
		}
		return nil
	}
	if v.changes == nil {
		v.changes = map[string]changesResult{}
	}
	r := changesResult{seq: seq, sum: sum}
	name := changesName(sum.Digest)
	if data, ok := v.file(name); !ok {
		r.err = fmt.Errorf("changed-files manifest %s not in the bundle", sum.Digest)
	} else if _, err := audit.VerifyChangedFiles(data, sum); err != nil {
		r.err = fmt.Errorf("%s: %w", name, err)
	}
	v.changes[sum.Digest] = r
	if r.err != nil {
		return []error{fmt.Errorf("%w: entry %d: %w", errChanges, seq, r.err)}
	}
	return nil
}

// checkManifest checks the manifest file of manifest promotion p (in entry
// seq) and that it pins only the record's digests for the release.
func (v *verifier) checkManifest(seq uint64, p *manifest.Promotion) []error {
	name := manifestDir + strings.TrimPrefix(p.Digest, "sha256:") + ".json"
	data, ok := v.file(name)
	if !ok {
		return []error{fmt.Errorf("%w: entry %d: manifest %s not in the bundle", errPromotion, seq, p.Digest)}
	}
	if got := manifest.Digest(data); got != p.Digest {
		return []error{fmt.Errorf("%w: entry %d: %s hashes to %s, not %s", errPromotion, seq, name, got, p.Digest)}
	}
	var errs []error
	for _, r := range p.Manifest.Repos {
		if r.Tag != v.rec.Tag || r.Commit != v.rec.Commit {
			continue
		}
		for _, a := range r.Artifacts {
			if !v.rec.HasDigest(a.Digest) {
				errs = append(errs, fmt.Errorf("%w: entry %d: manifest %s pins %s %s, not an artifact of the record", errPromotion, seq, p.Manifest.Name, a.Name, a.Digest))
			}
		}
	}
	return errs
}

// checkReport checks the policy report that gated promotion p (in entry
// seq).
func (v *verifier) checkReport(seq uint64, p *manifest.Promotion) []error {
	records, err := v.readReport(p.Gate)
	if err != nil {
		return []error{fmt.Errorf("%w: entry %d: %w", errPolicy, seq, err)}
	}
	if p.Manifest == nil && p.Release == v.rec.Tag && (v.cp == nil || seq <= v.cp.Count) {
		for _, d := range records {
			if v.approved == nil {
				v.approved = map[string][]string{}
			}
			v.approved[d] = append(v.approved[d], fmt.Sprint(seq))
		}
	}
	return nil
}

// reportResult is what readReport learned of one policy report.
type reportResult struct {
	records []string // the records it approved (approvedRecords)
	err     error
}

// readReport checks the policy report of digest gate once, however many
// promotions name it (entries after the checkpoint, which anyone can
// append, could name one large report thousands of times): it is in the
// bundle, hashes to gate, parses and allows.
func (v *verifier) readReport(gate string) ([]string, error) {
	if r, ok := v.reports[gate]; ok {
		return r.records, r.err
	}
	r := v.readReportOnce(gate)
	if v.reports == nil {
		v.reports = map[string]reportResult{}
	}
	v.reports[gate] = r
	return r.records, r.err
}

func (v *verifier) readReportOnce(gate string) reportResult {
	name := policyDir + strings.TrimPrefix(gate, "sha256:") + ".json"
	data, ok := v.file(name)
	if !ok {
		return reportResult{err: fmt.Errorf("policy report %s not in the bundle", gate)}
	}
	if got := manifest.Digest(data); got != gate {
		return reportResult{err: fmt.Errorf("%s hashes to %s, the promotion's gate is %s", name, got, gate)}
	}
	rep, err := parseReport(data)
	if err != nil {
		return reportResult{err: err}
	}
	if err := rep.Err(); err != nil {
		return reportResult{err: fmt.Errorf("the report denies the promotion it gated: %w", err)}
	}
	return reportResult{records: approvedRecords(rep, v.rec.Tag)}
}

// approvedRecords returns the digests of the release records of tag
// that a policy.Gate's report says it evaluated and bound its decision to
// (control REL-GATE-001, passed).
func approvedRecords(rep policy.Report, tag string) []string {
	var ds []string
	for _, r := range rep.Results {
		if r.Control.ID != "REL-GATE-001" || r.Status != policy.Pass {
			continue
		}
		for _, e := range r.Evidence {
			if e.Kind == "digest" && e.Note == "release record "+tag+" evaluated" {
				ds = append(ds, e.Value)
			}
		}
	}
	return ds
}

// checkRecordApproved runs after checkPromotions: record.json is not
// signed, but the gate of each promotion of the release logged (in its
// report, bound to the signed log by its digest) the digest of the record
// it approved. A record that no gate approved is not shown to be the
// release's: the record may have been updated since, or altered.
func (v *verifier) checkRecordApproved() {
	c := v.checks[checkNameRecord]
	if c.Status != audit.Verified || len(v.approved) == 0 {
		return
	}
	if seqs, ok := v.approved[v.recDigest]; ok {
		c.Detail += fmt.Sprintf("; the record (%s) is the one approved by the gate of entries %s", v.recDigest, strings.Join(seqs, ", "))
		return
	}
	ds := slices.Sorted(maps.Keys(v.approved))
	v.notChecked(checkNameRecord, fmt.Sprintf("the record (%s) is not one that the gates of the release's promotions approved (%s): it was changed after them, or altered", v.recDigest, strings.Join(ds, ", ")))
}

// count returns "1 artifact", "2 artifacts".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// reasons map the errors a check wraps to the Reason of its CheckError.
var reasons = []struct {
	err    error
	reason string
}{
	{errIndex, ReasonIndex},
	{ErrDigest, ReasonDigest},
	{errMissingFile, ReasonMissingFile},
	{errExtraFile, ReasonExtraFile},
	{errUnexpectedFile, ReasonUnexpectedFile},
	{errRecord, ReasonRecord},
	{errTag, ReasonTag},
	{errSignature, ReasonSignature},
	{errEvidence, ReasonEvidence},
	{ErrLog, ReasonLog},
	{errCheckpoint, ReasonCheckpoint},
	{errPromotion, ReasonPromotion},
	{errPolicy, ReasonPolicy},
	{errChanges, ReasonChanges},
}

// reasonOf returns the reason of the first error of this package in err's
// tree (depth first, outermost first), "" when there is none.
func reasonOf(err error) string {
	for _, r := range reasons {
		if err == r.err {
			return r.reason
		}
	}
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if e := u.Unwrap(); e != nil {
			return reasonOf(e)
		}
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			if r := reasonOf(e); r != "" {
				return r
			}
		}
	}
	return ""
}
