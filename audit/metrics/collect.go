package metrics

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/tagging"
)

// Collect reads the History of src: the promotion log, verified with
// manifest.VerifyStore (and against the signed checkpoint when src has one
// and a verifier for it); the record of each release the log promotes;
// the first commit of each release's changes, for lead time; each
// release's evidence (tag signature, SBOM, provenance, record
// completeness); and the policy reports that gated promotions and the
// changed-files manifests that deployment outcomes name, when the store is
// a manifest.EvidenceStore (checked with audit.VerifyChangedFiles).
//
// The changes of a release are the commits of `git rev-list TAG --not
// EARLIER...`, where EARLIER are the tags of the same component (the same
// tag prefix) with a lower version; their time is the committer time, when
// the change landed on its branch, not the author time, which rebases and
// cherry-picks keep.
//
// Collect reads src.Repo and src.Store and is as safe for concurrent use
// as they are (go-git repositories are not: give each Collect its own).
// The History returned belongs to the caller.
//
// Collect fails only for a missing Store (audit.ErrNoStore), a log or tag list it
// cannot read, or a done ctx. Evidence that is missing, unreadable or does not
// verify (a tampered log included) becomes a HealthItem that is not OK
// (BuildReport lists each as a gap), or a HealthGap in History.Gaps when it
// has no item: never an error and never a pass.
func Collect(ctx context.Context, src audit.Sources) (*History, error) {
	if src.Store == nil {
		return nil, audit.ErrNoStore
	}
	src = src.WithDefaults()
	h := &History{Production: src.Production, Log: HealthItem{State: audit.Verified}}
	var cp *manifest.Checkpoint
	switch {
	case len(src.Checkpoint) > 0 && src.CheckpointVerifier != nil:
		c, err := manifest.OpenCheckpoint(ctx, src.Checkpoint, src.CheckpointSig, src.CheckpointVerifier, src.At)
		if err != nil {
			h.Log = HealthItem{State: audit.Failed, Detail: "checkpoint: " + err.Error()}
		} else {
			cp = &c
		}
	default:
		h.Log = HealthItem{State: audit.Recorded, Detail: "hash chain only: no signed checkpoint, so a truncated log cannot be detected"}
	}
	entries, err := manifest.VerifyStore(ctx, src.Store, cp)
	switch {
	case errors.Is(err, manifest.ErrTampered), errors.Is(err, manifest.ErrTruncated):
		h.Log = HealthItem{State: audit.Failed, Detail: err.Error()}
	case err != nil:
		return nil, fmt.Errorf("read log: %w", err)
	}
	h.Entries = entries
	if !h.Log.OK() {
		h.Gaps = append(h.Gaps, HealthGap{What: "promotion log " + StatusLabel(h.Log.State) + ": " + h.Log.Detail})
	}

	tags, err := listTags(src.Repo, *src.Scheme)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if e.Kind == manifest.KindPromotion && e.Promotion != nil && e.Promotion.Manifest == nil && !slices.Contains(names, e.Promotion.Release) {
			names = append(names, e.Promotion.Release)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, gaps := readRelease(ctx, src, tags, name)
		h.Releases = append(h.Releases, r)
		h.Gaps = append(h.Gaps, gaps...)
	}

	evs, _ := src.Store.(manifest.EvidenceStore)
	for _, e := range entries {
		if e.Kind != manifest.KindPromotion || e.Promotion == nil || e.Promotion.Gate == "" {
			continue
		}
		g := readGate(ctx, evs, e)
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h.Gates = append(h.Gates, g)
	}
	read := map[manifest.ChangedFilesSummary]HealthItem{}
	for _, e := range entries {
		d := e.Deploy
		if e.Kind != manifest.KindDeployment || d == nil || d.Changes == nil {
			continue
		}
		c := HistoryChanges{Seq: e.Seq, Release: d.Release, Env: d.Env, Digest: d.Changes.Digest}
		k := *d.Changes
		st, ok := read[k]
		if !ok {
			st = readChanges(ctx, evs, *d.Changes)
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			read[k] = st
		}
		c.State = st
		h.Changes = append(h.Changes, c)
	}
	return h, nil
}

// readChanges reads the changed-files manifest sum names from evs and
// checks it against sum.
func readChanges(ctx context.Context, evs manifest.EvidenceStore, sum manifest.ChangedFilesSummary) HealthItem {
	if evs == nil {
		return HealthItem{State: audit.Gap, Detail: "the store keeps no changed-files evidence"}
	}
	data, err := evs.Evidence(ctx, sum.Digest)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		return HealthItem{State: audit.Gap, Detail: "manifest " + sum.Digest + " is not in the store"}
	case err != nil:
		return HealthItem{State: audit.Failed, Detail: err.Error()}
	}
	cf, err := audit.VerifyChangedFiles(data, sum)
	if err != nil {
		return HealthItem{State: audit.Failed, Detail: err.Error()}
	}
	return HealthItem{State: audit.Verified, Detail: fmt.Sprintf("manifest %s: %s from %s to %s", sum.Digest, count(cf.Total, "file|files"), cmp.Or(cf.From, "(first deployment)"), cf.To)}
}

func readGate(ctx context.Context, evs manifest.EvidenceStore, e manifest.Entry) HistoryGate {
	p := e.Promotion
	g := HistoryGate{Seq: e.Seq, Release: p.Release, Env: p.Env, Digest: p.Gate}
	if evs == nil {
		g.State = HealthItem{State: audit.Gap, Detail: "the store keeps no gate evidence"}
		return g
	}
	data, err := evs.Evidence(ctx, p.Gate)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		g.State = HealthItem{State: audit.Gap, Detail: "not in the store"}
		return g
	case err != nil:
		g.State = HealthItem{State: audit.Failed, Detail: err.Error()}
		return g
	}
	rep, err := policy.ReadReport(bytes.NewReader(data))
	if err != nil {
		g.State = HealthItem{State: audit.Failed, Detail: err.Error()}
		return g
	}
	g.State = HealthItem{State: audit.Verified, Detail: "policy report " + p.Gate}
	g.Allowed = rep.Err() == nil
	for _, r := range rep.Results {
		gr := GateResult{Control: r.Control.ID, Status: string(r.Status)}
		if r.Waiver != nil {
			gr.Waiver = r.Waiver.ID
		}
		g.Results = append(g.Results, gr)
	}
	return g
}

// taggedRelease is a release tag of the repository.
type taggedRelease struct {
	name    string
	prefix  string
	version semver.Version
	commit  plumbing.Hash
}

func listTags(repo *git.Repository, scheme semver.Scheme) ([]taggedRelease, error) {
	if repo == nil {
		return nil, nil
	}
	iter, err := repo.Tags()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var out []taggedRelease
	err = iter.ForEach(func(ref *plumbing.Reference) error {
		name := ref.Name().Short()
		prefix, v, ok := splitTag(scheme, name)
		if !ok {
			return nil
		}
		h, err := commits.Resolve(repo, ref.Name().String())
		if err != nil {
			return nil // a tag of something else than a commit
		}
		out = append(out, taggedRelease{name: name, prefix: prefix, version: v, commit: h})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	slices.SortFunc(out, func(a, b taggedRelease) int { return cmp.Compare(a.name, b.name) })
	return out, nil
}

// splitTag splits a release tag into its prefix and version: by
// scheme when the tag is of it, else at the last "v" followed by a
// version ("api/v1.2.3": "api/v").
func splitTag(scheme semver.Scheme, tag string) (string, semver.Version, bool) {
	if v, err := scheme.Parse(tag); err == nil {
		return scheme.Prefix, v, true
	}
	for i := len(tag) - 1; i >= 0; i-- {
		if tag[i] != 'v' {
			continue
		}
		if v, err := (semver.Scheme{Prefix: tag[:i+1]}).Parse(tag); err == nil {
			return tag[:i+1], v, true
		}
	}
	return "", semver.Version{}, false
}

// tagComponent returns the component of a tag: the part of its prefix
// before a "/v", "-v" or "_v" ("api" of "api/v1.2.3", as
// semver.ComponentScheme writes them), or "".
func tagComponent(tag string) string {
	prefix, _, ok := splitTag(semver.Scheme{Prefix: "v"}, tag)
	if !ok {
		return ""
	}
	for _, sep := range []string{"/v", "-v", "_v"} {
		if c, found := strings.CutSuffix(prefix, sep); found {
			return c
		}
	}
	return ""
}

func readRelease(ctx context.Context, src audit.Sources, tags []taggedRelease, name string) (HistoryRelease, []HealthGap) {
	r := HistoryRelease{Tag: name, Component: tagComponent(name)}
	var gaps []HealthGap

	rec, err := src.Store.Record(ctx, name)
	switch {
	case errors.Is(err, manifest.ErrNotFound):
		r.Complete = HealthItem{State: audit.Gap, Detail: "no release record in the store"}
	case err != nil:
		r.Complete = HealthItem{State: audit.Failed, Detail: "record: " + err.Error()}
	default:
		r.Record = &rec
		if c := rec.Extra[audit.ExtraComponent]; c != "" {
			r.Component = c
		}
		if cerr := manifest.Check(rec).Err(); cerr != nil {
			r.Complete = HealthItem{State: audit.Failed, Detail: cerr.Error()}
		} else {
			r.Complete = HealthItem{State: audit.Verified, Detail: "manifest.Check: complete"}
		}
	}

	r.SignedTag = tagSignature(ctx, src, name)
	if r.Record != nil {
		r.SBOM = checkSBOM(src, *r.Record)
		r.Provenance = provenance(ctx, src, *r.Record)
	} else {
		r.SBOM = HealthItem{State: audit.Gap, Detail: "no release record"}
		r.Provenance = HealthItem{State: audit.Gap, Detail: "no release record"}
	}

	if err := readCommits(ctx, src.Repo, tags, name, &r); err != nil {
		gaps = append(gaps, HealthGap{Release: name, What: "commits for lead time: " + err.Error()})
	}
	return r, gaps
}

func tagSignature(ctx context.Context, src audit.Sources, name string) HealthItem {
	if src.Repo == nil {
		return HealthItem{State: audit.Gap, Detail: "no repository given"}
	}
	if src.TagVerifier == nil {
		if _, err := src.Repo.Tag(name); err != nil {
			return HealthItem{State: audit.Gap, Detail: "tag not found"}
		}
		return HealthItem{State: audit.Recorded, Detail: "no tag verifier given"}
	}
	v, err := tagging.Verify(ctx, src.Repo, name, src.TagVerifier, src.At)
	switch {
	case errors.Is(err, tagging.ErrNotFound):
		return HealthItem{State: audit.Gap, Detail: err.Error()}
	case err != nil:
		return HealthItem{State: audit.Failed, Detail: err.Error()}
	}
	return HealthItem{State: audit.Verified, Detail: "signed by " + cmp.Or(v.Signer.Identity, v.Signer.Fingerprint)}
}

func checkSBOM(src audit.Sources, rec manifest.Record) HealthItem {
	if rec.SBOM.Ref == "" || rec.SBOM.Digest == "" {
		return HealthItem{State: audit.Gap, Detail: "the record names no SBOM"}
	}
	if src.Evidence == nil {
		return HealthItem{State: audit.Recorded, Detail: "recorded as " + rec.SBOM.Ref + "; no evidence directory given"}
	}
	data, err := read(src.Evidence, rec.SBOM.Ref)
	if err != nil {
		return HealthItem{State: audit.Gap, Detail: rec.SBOM.Ref + ": " + err.Error()}
	}
	if got := manifest.Digest(data); got != rec.SBOM.Digest {
		return HealthItem{State: audit.Failed, Detail: fmt.Sprintf("%s has digest %s, the record says %s", rec.SBOM.Ref, got, rec.SBOM.Digest)}
	}
	return HealthItem{State: audit.Verified, Detail: rec.SBOM.Ref + " matches " + rec.SBOM.Digest}
}

func provenance(ctx context.Context, src audit.Sources, rec manifest.Record) HealthItem {
	if rec.Provenance.Ref == "" {
		return HealthItem{State: audit.Gap, Detail: "the record names no provenance"}
	}
	if src.Evidence == nil {
		return HealthItem{State: audit.Recorded, Detail: "recorded as " + rec.Provenance.Ref + "; no evidence directory given"}
	}
	data, err := read(src.Evidence, rec.Provenance.Ref)
	if err != nil {
		return HealthItem{State: audit.Gap, Detail: rec.Provenance.Ref + ": " + err.Error()}
	}
	if len(src.ProvenanceVerifiers) == 0 {
		return HealthItem{State: audit.Recorded, Detail: rec.Provenance.Ref + " present; no provenance verifier given"}
	}
	if len(rec.Artifacts) == 0 {
		return HealthItem{State: audit.Failed, Detail: "the record has no artifact for the provenance to name"}
	}
	for _, a := range rec.Artifacts {
		subj, err := sbom.ParseDigest(a.Name, a.Digest)
		if err != nil {
			return HealthItem{State: audit.Failed, Detail: a.Name + ": " + err.Error()}
		}
		if _, err := sbom.VerifyProvenance(ctx, data, subj, src.At, src.ProvenanceVerifiers...); err != nil {
			return HealthItem{State: audit.Failed, Detail: rec.Provenance.Ref + ": " + err.Error()}
		}
	}
	return HealthItem{State: audit.Verified, Detail: rec.Provenance.Ref + " verified for every artifact"}
}

// read reads a location recorded in a record from fsys; only
// relative, slash-separated paths inside it are accepted, naming a regular
// file (checked before the open, so that a FIFO does not block it, and on
// the opened file) of at most sbom.DefaultMaxSize bytes.
func read(fsys fs.FS, ref string) ([]byte, error) {
	name := strings.TrimPrefix(ref, "./")
	if !fs.ValidPath(name) {
		return nil, fmt.Errorf("not a path inside the evidence directory")
	}
	notRegular := func(fi fs.FileInfo) error {
		if fi.Mode().IsRegular() {
			return nil
		}
		return fmt.Errorf("%s: not a regular file (%v)", name, fi.Mode().Type())
	}
	fi, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, err
	}
	if err := notRegular(fi); err != nil {
		return nil, err
	}
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := notRegular(fi); err != nil {
		return nil, err
	}
	data, err := io.ReadAll(io.LimitReader(f, sbom.DefaultMaxSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > sbom.DefaultMaxSize {
		return nil, fmt.Errorf("%s: %w: over %d bytes", name, sbom.ErrTooLarge, sbom.DefaultMaxSize)
	}
	return data, nil
}

// readCommits fills r's first commit: the commits of the tag not
// reachable from any earlier tag of the same prefix.
func readCommits(ctx context.Context, repo *git.Repository, tags []taggedRelease, name string, r *HistoryRelease) error {
	if repo == nil {
		return errors.New("no repository given")
	}
	i := slices.IndexFunc(tags, func(t taggedRelease) bool { return t.name == name })
	if i < 0 {
		return fmt.Errorf("tag %s not found or not a release tag", name)
	}
	this := tags[i]
	rng := commits.Range{To: this.commit}
	for _, t := range tags {
		if t.prefix == this.prefix && t.version.Compare(this.version) < 0 {
			rng.From = append(rng.From, t.commit)
		}
	}
	for c, err := range commits.Log(ctx, repo, rng) {
		if err != nil {
			return err
		}
		r.Commits++
		when := c.Committer.When
		if r.FirstCommitAt.IsZero() || when.Before(r.FirstCommitAt) || (when.Equal(r.FirstCommitAt) && c.Hash < r.FirstCommit) {
			r.FirstCommit, r.FirstCommitAt = c.Hash, when
		}
	}
	if r.Commits == 0 {
		return fmt.Errorf("tag %s adds no commit to the earlier releases", name)
	}
	return nil
}
