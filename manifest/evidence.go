package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/releasekit/releasekit/internal/atomicfile"
)

// ErrEvidenceDigest is returned (wrapped) by [EvidenceStore.Evidence] when
// the stored bytes do not hash to the digest they are stored under: the
// evidence was edited after it was stored.
var ErrEvidenceDigest = errors.New("manifest: evidence does not match its digest")

// An EvidenceGate is a [Gate] that also returns the evidence of its
// decision, such as the policy report it decided on (§1.5.2, §1.21.3.4:
// the policy results that gated a promotion). When the gate given to
// [WithGate] is an EvidenceGate, [Promote], [Rollback], [PromoteManifest]
// and [RollbackManifest] call AllowEvidence instead of Allow and record
// the evidence's digest in [Promotion].Gate. The evidence returned with a
// refusal is kept the same way and named in the [Denial] logged
// (Denial.Gate). policy.Gate implements it.
type EvidenceGate interface {
	Gate
	AllowEvidence(ctx context.Context, in GateInput) (window string, evidence []byte, err error)
}

// An EvidenceStore keeps the evidence of gate decisions as blobs addressed
// by their [Digest]. [DirStore] and [GitStore] implement it. When the store
// given to Promote, Rollback, PromoteManifest or RollbackManifest is an
// EvidenceStore, they store the gate's evidence before logging the
// promotion (or the denial); otherwise the log holds only its digest and
// keeping the evidence is the caller's job. [ReportDeployment] keeps the
// changed-files manifest of a deployment there, and needs one to.
type EvidenceStore interface {
	// PutEvidence stores data atomically and returns its digest. Storing
	// the same bytes again returns the same digest and no error.
	PutEvidence(ctx context.Context, data []byte) (digest string, err error)
	// Evidence returns the bytes stored under digest after checking that
	// they hash to it. It returns an error wrapping ErrInvalidDigest for a
	// malformed digest, ErrNotFound when nothing is stored under it and
	// ErrEvidenceDigest when the stored bytes were edited.
	Evidence(ctx context.Context, digest string) ([]byte, error)
}

// maxEvidenceRetries bounds how often PutEvidence retries after another
// writer changed the same blob file.
const maxEvidenceRetries = 100

// errEvidenceKept stops an update that would write what is already stored.
var errEvidenceKept = errors.New("manifest: evidence already stored")

// gateDecision consults c.gate about in, through AllowEvidence when it is
// an [EvidenceGate], and returns the change window and the digest of the
// evidence ("" without evidence), stored first in st when st is an
// [EvidenceStore]. A refusal is returned as no, a *GateError, with the
// digest of the evidence it gave (stored the same way); err is a failure
// to store the evidence.
func (c config) gateDecision(ctx context.Context, st any, in GateInput) (window, gate string, no *GateError, err error) {
	eg, ok := c.gate.(EvidenceGate)
	if !ok {
		w, err := c.gate.Allow(ctx, in)
		if err != nil {
			return "", "", &GateError{Env: in.Promotion.Env, Err: err}, nil
		}
		return w, "", nil, nil
	}
	w, ev, gerr := eg.AllowEvidence(ctx, in)
	if gerr != nil {
		no, w = &GateError{Env: in.Promotion.Env, Err: gerr}, ""
	}
	if len(ev) == 0 {
		return w, "", no, nil
	}
	es, ok := st.(EvidenceStore)
	if !ok {
		return w, Digest(ev), no, nil
	}
	d, err := es.PutEvidence(ctx, ev)
	if err != nil {
		return "", "", no, fmt.Errorf("store gate evidence for %s: %w", in.Promotion.Env, err)
	}
	if d != Digest(ev) {
		return "", "", no, fmt.Errorf("store gate evidence for %s: %w: the store returned %s", in.Promotion.Env, ErrEvidenceDigest, d)
	}
	return w, d, no, nil
}

// evidenceName returns the file name of digest's blob, its 64 hex digits.
func evidenceName(digest string) (string, error) {
	if err := ValidateDigest(digest); err != nil {
		return "", err
	}
	return strings.TrimPrefix(digest, "sha256:"), nil
}

// checkEvidenceSize refuses evidence that a store could not read back (a
// *RefusalError "evidence too large"): a store never keeps what it then
// refuses to read.
func checkEvidenceSize(data []byte) error {
	if len(data) > MaxStoredFile {
		return refused("evidence too large", nil, "%d bytes, at most %d", len(data), MaxStoredFile)
	}
	return nil
}

// checkEvidence returns data if it hashes to digest.
func checkEvidence(data []byte, digest string) ([]byte, error) {
	if got := Digest(data); got != digest {
		return nil, fmt.Errorf("%w: evidence %s hashes to %s", ErrEvidenceDigest, digest, got)
	}
	return data, nil
}

func (s *DirStore) evidenceDir() string { return filepath.Join(s.dir, "evidence") }

// PutEvidence implements [EvidenceStore]: it writes data to
// evidence/HEX atomically, or leaves the file as it is when it already
// holds data. A blob file that was edited is written again.
func (s *DirStore) PutEvidence(ctx context.Context, data []byte) (string, error) {
	if err := checkEvidenceSize(data); err != nil {
		return "", err
	}
	d := Digest(data)
	name, _ := evidenceName(d)
	for range maxEvidenceRetries {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		err := atomicfile.Update(s.evidenceDir(), name, func(old []byte, exists bool) ([]byte, error) {
			if exists && bytes.Equal(old, data) {
				return nil, errEvidenceKept
			}
			return data, nil
		})
		switch {
		case err == nil, errors.Is(err, errEvidenceKept):
			return d, nil
		case errors.Is(err, atomicfile.ErrConcurrentModification):
			continue // another writer stored it too: check again
		default:
			return "", fmt.Errorf("write evidence %s: %w", d, err)
		}
	}
	return "", fmt.Errorf("write evidence %s: %w: gave up after %d attempts", d, ErrConflict, maxEvidenceRetries)
}

// Evidence implements [EvidenceStore].
func (s *DirStore) Evidence(ctx context.Context, digest string) ([]byte, error) {
	name, err := evidenceName(digest)
	if err != nil {
		return nil, err
	}
	b, err := readStored(filepath.Join(s.evidenceDir(), name))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%w: evidence %s", ErrNotFound, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence %s: %w", digest, err)
	}
	return checkEvidence(b, digest)
}

// PutEvidence implements [EvidenceStore]: it commits data as evidence/HEX
// under [LogRef], with the compare-and-swap of every GitStore change, or
// commits nothing when that blob already holds data.
func (s *GitStore) PutEvidence(ctx context.Context, data []byte) (string, error) {
	if err := checkEvidenceSize(data); err != nil {
		return "", err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d := Digest(data)
	name, _ := evidenceName(d)
	path := "evidence/" + name
	err := s.update(ctx, "evidence "+d, func(t *object.Tree) (string, []byte, error) {
		if t != nil {
			if old, err := readBlob(t, path); err == nil && bytes.Equal(old, data) {
				return "", nil, nil
			}
		}
		return path, data, nil
	})
	if err != nil {
		return "", err
	}
	return d, nil
}

// Evidence implements [EvidenceStore].
func (s *GitStore) Evidence(ctx context.Context, digest string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name, err := evidenceName(digest)
	if err != nil {
		return nil, err
	}
	_, t, err := s.head()
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, fmt.Errorf("%w: evidence %s", ErrNotFound, digest)
	}
	b, err := readBlob(t, "evidence/"+name)
	if errors.Is(err, object.ErrFileNotFound) || errors.Is(err, object.ErrDirectoryNotFound) {
		return nil, fmt.Errorf("%w: evidence %s", ErrNotFound, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("read evidence %s: %w", digest, err)
	}
	return checkEvidence(b, digest)
}

// An SBOMDocument is an SBOM as [Record.WithSBOM] needs it: read from its
// bytes (package sbom's *Document, from sbom.Read, is one), SubjectDigest
// returns the "sha256:<hex>" digest of the artifact the SBOM describes
// (CycloneDX metadata.component's SHA-256 hash), or an error when it
// names none.
type SBOMDocument interface {
	SubjectDigest() (string, error)
}

// WithSBOM returns a copy of r with the SBOM data attached to its artifact
// named artifact (case-insensitively): the artifact's SBOM is the digest of
// data, and when r has no SBOM reference yet, r.SBOM becomes ref with that
// digest. doc is data as read (sbom.Read). The SBOM is checked against
// the record when it is attached (§1.31.3.5, §1.20.3.1), not only by a
// later audit: WithSBOM returns, and r is left unchanged,
//   - a *[FieldError] "sbom" "required" for empty data or a nil doc, and
//     "artifact" "not in the record" for an artifact r does not have;
//   - a *[RefusalError] "sbom names no subject" (wrapping doc's error) when
//     doc names no artifact digest, and "sbom describes another artifact"
//     when the digest it names is not the artifact's: the SBOM of another
//     build, or of another artifact, must not be recorded for this one.
func (r Record) WithSBOM(artifact, ref string, data []byte, doc SBOMDocument) (Record, error) {
	if len(data) == 0 || doc == nil {
		return r, badField("sbom", "required", nil, "the SBOM's bytes and the document read from them")
	}
	i := slices.IndexFunc(r.Artifacts, func(a Artifact) bool { return strings.EqualFold(a.Name, artifact) })
	if i < 0 {
		return r, badField("artifact", "not in the record", nil, "record %s has no artifact %q", r.Tag, artifact)
	}
	a := r.Artifacts[i]
	subject, err := doc.SubjectDigest()
	if err != nil {
		return r, refused("sbom names no subject", err, "SBOM for %s %s", r.Tag, a.Name)
	}
	if subject != a.Digest {
		return r, refused("sbom describes another artifact", nil, "SBOM for %s %s describes %s, the artifact is %s", r.Tag, a.Name, subject, a.Digest)
	}
	a.SBOM = Digest(data)
	out, err := r.WithArtifact(a)
	if err != nil {
		return r, err
	}
	if out.SBOM.Ref == "" {
		out.SBOM = SBOMRef{Ref: ref, Digest: a.SBOM}
	}
	return out, nil
}
