package audit

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
)

// This file holds the links of every attempt (§1.21.3.3–§1.21.3.4): the
// refused promotions, rollbacks and deployment reports of a release
// (manifest.KindDenied entries), its deployment outcomes
// (manifest.KindDeployment) and the changed-files manifests they name.

// MaxChangedFilesSize bounds the bytes of a changed-files manifest that
// VerifyChangedFiles reads: manifest.MaxChangedFiles entries with long
// paths and their digests fit well within it.
const MaxChangedFilesSize = 64 << 20

// Changes of a manifest.FileChange.
const (
	changeAdded    = "added"
	changeModified = "modified"
	changeDeleted  = "deleted"
)

// VerifyChangedFiles checks that data is the changed-files manifest
// (manifest.ChangedFiles) that a deployment entry's summary sum names, and
// returns it. data must hash to sum.Digest, be at most MaxChangedFilesSize
// bytes, and decode strictly (no unknown field, duplicate key or trailing
// data); the manifest must list at most manifest.MaxChangedFiles files, each
// path once, each "added" (with its new SHA-256), "modified" (with both) or
// "deleted" (with the old one); Total must count at least the files listed,
// and more exactly when Truncated; and it must agree with sum: the same
// From and Truncated, and, when nothing was left out, the same counts of
// files, added, modified and deleted.
//
// Every refusal is a *TrailError with ReasonChangedFiles; one for bytes
// that do not hash to the digest wraps manifest.ErrEvidenceDigest, and one
// for a malformed digest manifest.ErrInvalidDigest.
func VerifyChangedFiles(data []byte, sum manifest.ChangedFilesSummary) (manifest.ChangedFiles, error) {
	bad := func(err error, format string, a ...any) (manifest.ChangedFiles, error) {
		return manifest.ChangedFiles{}, &TrailError{Reason: ReasonChangedFiles, Detail: sum.Digest + ": " + fmt.Sprintf(format, a...), Err: err}
	}
	if err := manifest.ValidateDigest(sum.Digest); err != nil {
		return bad(err, "the summary names no valid digest")
	}
	if got := manifest.Digest(data); got != sum.Digest {
		return bad(manifest.ErrEvidenceDigest, "the manifest hashes to %s", got)
	}
	if len(data) > MaxChangedFilesSize {
		return bad(nil, "%d bytes, more than %d", len(data), MaxChangedFilesSize)
	}
	var cf manifest.ChangedFiles
	if err := strictjson.Unmarshal(data, &cf, strictjson.Options{}); err != nil {
		return bad(err, "does not decode")
	}
	if len(cf.Files) > manifest.MaxChangedFiles {
		return bad(nil, "lists %d files, more than %d", len(cf.Files), manifest.MaxChangedFiles)
	}
	counts := map[string]int{}
	seen := make(map[string]bool, len(cf.Files))
	for i, f := range cf.Files {
		switch {
		case f.Path == "":
			return bad(nil, "file %d has no path", i)
		case seen[f.Path]:
			return bad(nil, "lists %q twice", f.Path)
		case f.Change == changeAdded && (f.SHA256 == "" || f.Previous != ""):
			return bad(nil, "%q is added but has no new digest, or an old one", f.Path)
		case f.Change == changeModified && (f.SHA256 == "" || f.Previous == ""):
			return bad(nil, "%q is modified but lacks its old or new digest", f.Path)
		case f.Change == changeDeleted && (f.SHA256 != "" || f.Previous == ""):
			return bad(nil, "%q is deleted but has a new digest, or no old one", f.Path)
		case f.Change != changeAdded && f.Change != changeModified && f.Change != changeDeleted:
			return bad(nil, "%q has change %q, not added, modified or deleted", f.Path, f.Change)
		}
		seen[f.Path] = true
		counts[f.Change]++
	}
	switch {
	case cf.Total < len(cf.Files):
		return bad(nil, "total %d is less than the %d files listed", cf.Total, len(cf.Files))
	case cf.Truncated != (cf.Total > len(cf.Files)):
		return bad(nil, "truncated is %t with %d of %d files listed", cf.Truncated, len(cf.Files), cf.Total)
	case sum.From != cf.From:
		return bad(nil, "the manifest compares with %q, the entry says %q", cf.From, sum.From)
	case sum.Truncated != cf.Truncated:
		return bad(nil, "the manifest's truncated is %t, the entry's %t", cf.Truncated, sum.Truncated)
	case cf.Truncated && sum.Files != cf.Total && sum.Files != len(cf.Files):
		return bad(nil, "the entry counts %d files, the manifest %d (%d listed)", sum.Files, cf.Total, len(cf.Files))
	case !cf.Truncated && (sum.Files != cf.Total || sum.Added != counts[changeAdded] || sum.Modified != counts[changeModified] || sum.Deleted != counts[changeDeleted]):
		return bad(nil, "the entry counts %d files (%d added, %d modified, %d deleted), the manifest %d (%d, %d, %d)",
			sum.Files, sum.Added, sum.Modified, sum.Deleted, cf.Total, counts[changeAdded], counts[changeModified], counts[changeDeleted])
	}
	return cf, nil
}

// actorText says who acted and how that is known: "NAME (verified: ISSUER,
// subject SUBJECT)", "NAME (typed, not verified)", or "" when no one is
// recorded. An entry written before actors were recorded names only the
// releaser, a typed identity.
func actorText(a *manifest.Actor, releaser string) string {
	switch {
	case a != nil && a.Verified:
		return fmt.Sprintf("%s (verified: %s, subject %s)", dash(a.Name), dash(a.Issuer), dash(a.Subject))
	case a != nil:
		return dash(a.Name) + " (typed, not verified)"
	case releaser != "":
		return releaser + " (typed, not verified)"
	}
	return ""
}

// verifiedActor reports whether a is an identity verified from a CI token.
func verifiedActor(a *manifest.Actor) bool { return a != nil && a.Verified }

// unverifiedGap returns the gap of an entry into env, which needs a verified
// identity (Sources.VerifiedIdentity), made by the unverified actor a
// (releaser for an entry without one); ok is false when env needs none or
// a is verified.
func (b *builder) unverifiedGap(env string, a *manifest.Actor, releaser string) (reason string, err error, ok bool) {
	if !slices.Contains(b.src.VerifiedIdentity, env) || verifiedActor(a) {
		return "", nil, false
	}
	who := actorText(a, releaser)
	if who == "" {
		who = "no actor recorded"
	}
	reason = fmt.Sprintf("%s needs a verified identity; the actor is %s", env, who)
	return reason, fmt.Errorf("%w: %w", ErrMissingEvidence, &TrailError{Reason: ReasonUnverifiedActor, Detail: reason}), true
}

// denial adds the link of a refused attempt about the release.
func (b *builder) denial(lg *promotionLog, e manifest.Entry) {
	d := e.Denial
	st, reason, err := lg.entryStatus(e)
	l := Link{Step: StepDenied, ID: d.Env, Denial: &DenialInfo{Seq: e.Seq, Denial: *d}, Status: st, Err: err}
	l.Reason = denialReason(d) + "; " + reason
	b.add(l)
}

// denialReason describes a refused attempt in one line.
func denialReason(d *manifest.Denial) string {
	s := fmt.Sprintf("%s to %s refused at %s", dash(d.Action), d.Env, d.At.UTC().Format(time.RFC3339))
	if who := actorText(d.Actor, ""); who != "" {
		s += ", requested by " + who
	}
	if d.Approver != "" {
		s += ", approver " + d.Approver
	}
	if len(d.Controls) > 0 {
		s += ", by " + strings.Join(d.Controls, ", ")
	}
	return s + ": " + d.Refusal
}

// changesKey identifies a changes link: entries that name the same
// manifest, summarised alike, in one environment share one.
type changesKey struct {
	env string
	sum manifest.ChangedFilesSummary
}

// deployment adds the link of a deployment outcome of the release, then the
// link of the changed-files manifest it names (once per environment,
// manifest and summary).
func (b *builder) deployment(lg *promotionLog, e manifest.Entry, changesSeen map[changesKey]bool) {
	d := e.Deploy
	info := &DeploymentInfo{Seq: e.Seq, Deployment: *d}
	for _, n := range lg.entries {
		q := n.Deploy
		if n.Seq <= e.Seq || q == nil || q.Env != d.Env || q.Release != d.Release {
			continue
		}
		outcome := q.Result == manifest.ResultSucceeded || q.Result == manifest.ResultFailed
		if d.Result == manifest.ResultStarted && (outcome || q.Result == manifest.ResultStarted) {
			if outcome {
				info.Outcome = n.Seq
			}
			break // its outcome, or started again: this attempt reported none
		}
		if d.Result == manifest.ResultFailed && q.Result == manifest.ResultSucceeded {
			info.Succeeded = n.Seq
			break
		}
	}
	st, reason, err := lg.entryStatus(e)
	l := Link{Step: StepDeployment, ID: d.Env, Deployment: info, Status: st, Err: err}
	prod := d.Env == b.src.production() || lg.production(d.Promotion)
	switch gapReason, gapErr, unverified := b.unverifiedGap(d.Env, d.Actor, ""); {
	case st == Failed:
		l.Reason = reason
	case d.Digest != "" && !b.rec.HasDigest(d.Digest):
		l.Status, l.Reason = Failed, "the deployed digest is not one of the record's artifacts"
		l.Err = &TrailError{Reason: ReasonDigestMismatch, Detail: fmt.Sprintf("%s deployed %s", d.Env, d.Digest)}
	case len(d.Unsafe) > 0:
		l.Status, l.Reason = Gap, "reported through unsafe option(s): "+strings.Join(d.Unsafe, ", ")
		l.Err = fmt.Errorf("%w: %s", ErrMissingEvidence, l.Reason)
	case unverified:
		l.Status, l.Reason, l.Err = Gap, gapReason, gapErr
	case prod && d.Result == manifest.ResultFailed && info.Succeeded == 0:
		l.Status = Failed
		l.Reason = deploymentReason(info) + "; no later deployment of " + d.Release + " to " + d.Env + " succeeded"
		l.Err = &TrailError{Reason: ReasonDeploymentFailed, Detail: fmt.Sprintf("%s in %s (entry %d): %s", d.Release, d.Env, e.Seq, d.Error)}
	default:
		l.Reason = deploymentReason(info) + "; " + reason
	}
	b.add(l)
	if d.Changes == nil {
		return
	}
	key := changesKey{d.Env, *d.Changes}
	if changesSeen[key] {
		return
	}
	changesSeen[key] = true
	b.changedFiles(e, st == Failed && errors.Is(err, manifest.ErrTampered))
}

// deploymentReason describes a deployment outcome in one line.
func deploymentReason(info *DeploymentInfo) string {
	d := info.Deployment
	s := dash(d.Result)
	if d.Result == manifest.ResultFailed {
		s += " (" + dash(d.Error) + ")"
	}
	s += " in " + d.Env
	if len(d.Targets) > 0 {
		s += " on " + strings.Join(d.Targets, ", ")
	}
	s += " at " + d.At.UTC().Format(time.RFC3339)
	if d.Branch != "" || d.Commit != "" {
		s += fmt.Sprintf(", branch %s commit %s", dash(d.Branch), dash(d.Commit))
	}
	if c := d.Changes; c != nil {
		s += ", " + changesText(c)
	}
	if who := actorText(d.Actor, ""); who != "" {
		s += ", reported by " + who
	}
	switch {
	case d.Result == manifest.ResultStarted && info.Outcome != 0:
		s += fmt.Sprintf("; outcome in entry %d", info.Outcome)
	case d.Result == manifest.ResultStarted:
		s += "; no outcome logged after it"
	case d.Result == manifest.ResultFailed && info.Succeeded != 0:
		s += fmt.Sprintf("; succeeded later (entry %d)", info.Succeeded)
	}
	return s
}

// changesText summarises a changed-files summary: "4 files changed since
// v1.1.0 (2 added, 1 modified, 1 deleted)".
func changesText(c *manifest.ChangedFilesSummary) string {
	since := "since " + c.From
	if c.From == "" {
		since = "as the first deployment"
	}
	s := fmt.Sprintf("%s changed %s (%d added, %d modified, %d deleted", files(c.Files), since, c.Added, c.Modified, c.Deleted)
	if c.Truncated {
		s += "; list truncated"
	}
	return s + ")"
}

// files is "1 file" or "n files".
func files(n int) string {
	if n == 1 {
		return "1 file"
	}
	return fmt.Sprintf("%d files", n)
}

// changedFiles adds the link of the changed-files manifest that deployment
// entry e names, read from the store's evidence and checked with
// VerifyChangedFiles.
func (b *builder) changedFiles(e manifest.Entry, tampered bool) {
	d := e.Deploy
	info := &ChangesInfo{Seq: e.Seq, Env: d.Env, ChangedFilesSummary: *d.Changes}
	l := Link{Step: StepChanges, ID: d.Env, Changes: info}
	es, ok := b.src.Store.(manifest.EvidenceStore)
	if !ok {
		l.Status, l.Reason = Recorded, "the log names the changed-files manifest "+d.Changes.Digest+"; the store keeps no evidence"
		b.add(l)
		return
	}
	data, err := es.Evidence(b.ctx, d.Changes.Digest)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		l.Status, l.Err = Gap, fmt.Errorf("%w: %w", ErrMissingEvidence, err)
		l.Reason = "the changed-files manifest " + d.Changes.Digest + " is not in the store"
		b.add(l)
		return
	case errors.Is(err, manifest.ErrEvidenceDigest):
		l.Status, l.Reason = Failed, "the changed-files manifest "+d.Changes.Digest+" was edited in the store"
		l.Err = &TrailError{Reason: ReasonChangedFiles, Detail: d.Changes.Digest, Err: err}
		b.add(l)
		return
	case err != nil:
		l.Status, l.Err, l.Reason = Failed, err, "the changed-files manifest cannot be read"
		b.add(l)
		return
	}
	cf, err := VerifyChangedFiles(data, *d.Changes)
	switch {
	case err != nil:
		l.Status, l.Err, l.Reason = Failed, err, "the changed-files manifest does not match the entry"
	case tampered:
		l.Status, l.Reason = Failed, "the manifest is stored but the log entry naming it does not verify"
		l.Err = manifest.ErrTampered
	default:
		info.To, info.Total = cf.To, cf.Total
		l.Status = Verified
		l.Reason = fmt.Sprintf("changed-files manifest %s: %s from %s to %s verified against entry %d", d.Changes.Digest, files(cf.Total), dash(cf.From), dash(cf.To), e.Seq)
	}
	b.add(l)
}

// production reports whether log entry seq is a promotion into a
// production environment (Promotion.Production).
func (lg *promotionLog) production(seq uint64) bool {
	if seq == 0 || seq > uint64(len(lg.entries)) {
		return false
	}
	e := lg.entries[seq-1]
	return e.Seq == seq && e.Promotion != nil && e.Promotion.Production
}
