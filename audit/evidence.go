package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strings"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

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
			l.Err = &TrailError{Reason: ReasonDigestMismatch, Detail: fmt.Sprintf("%s is %s, the record names %s", a.URI, got, a.Digest)}
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

// openEvidence opens p (ref as recorded) of the evidence, a regular file
// only: its type is checked before the open, so that a FIFO planted in the
// evidence does not block it, and again on the opened file.
func openEvidence(evidence fs.FS, p, ref string) (fs.File, error) {
	fi, err := fs.Stat(evidence, p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %w", ErrMissingEvidence, ref, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("open %s: not a regular file (%v)", ref, fi.Mode().Type())
	}
	f, err := evidence.Open(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w: %s: %w", ErrMissingEvidence, ref, err)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	if fi, err = f.Stat(); err != nil || !fi.Mode().IsRegular() {
		f.Close()
		if err == nil {
			err = fmt.Errorf("not a regular file (%v)", fi.Mode().Type())
		}
		return nil, fmt.Errorf("open %s: %w", ref, err)
	}
	return f, nil
}

// readEvidence reads ref from the evidence, at most limit bytes.
func readEvidence(evidence fs.FS, ref string, limit int64) ([]byte, error) {
	p, err := evidencePath(evidence, ref)
	if err != nil {
		return nil, err
	}
	f, err := openEvidence(evidence, p, ref)
	if err != nil {
		return nil, err
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
	f, err := openEvidence(evidence, p, ref)
	if err != nil {
		return "", err
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
	doc, err := sbom.Read(bytes.NewReader(data), format)
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
			// binding to the artifact can.
			if _, err := sbom.ParseProvenanceUnverifiedUnsafe(env, subj); err != nil {
				l.Status, l.Err, l.Reason = Failed, err, "the provenance does not name "+a.Digest+" (its signature was not checked: no provenance verifier given)"
				break
			}
			l.Status, l.Reason = Recorded, "no provenance verifier given: the envelope's signature was not checked"
		default:
			p, err := sbom.VerifyProvenance(b.ctx, env, subj, b.src.at(), b.src.ProvenanceVerifiers...)
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
