package ocistore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/opencontainers/go-digest"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2/errdef"

	"github.com/releasekit/releasekit/manifest"
)

// recordTag is the tag of tag's record: "releasekit-record-" and the hex
// SHA-256 of the release tag, which fits the OCI tag grammar whatever the
// release tag holds (the release tag is an annotation of the manifest).
func recordTag(tag string) string { return tagFor("releasekit-record-", tag) }

func validName(tag string) error {
	if tag == "" || !utf8.ValidString(tag) || strings.HasPrefix(tag, ".") || strings.ContainsAny(tag, "/\\\x00") || len(tag) > 200 {
		return fmt.Errorf("%w: %q", manifest.ErrInvalidName, tag)
	}
	return nil
}

// readRecord returns the record stored for tag and its manifest's digest
// ("" when none is stored).
func (s *Store) readRecord(ctx context.Context, tag string) (manifest.Record, digest.Digest, error) {
	what := "record " + tag
	d, data, err := s.fetchManifest(ctx, recordTag(tag), what)
	if err != nil {
		return manifest.Record{}, "", err
	}
	var m ocispec.Manifest
	if err := parseJSON(data, &m); err != nil || m.ArtifactType != ArtifactTypeRecord || len(m.Layers) != 1 {
		return manifest.Record{}, "", &TamperError{Object: what, Reason: fmt.Sprintf("not a record manifest (%v)", err)}
	}
	b, err := s.fetchBlob(ctx, m.Layers[0], MaxBlob, what)
	if err != nil {
		return manifest.Record{}, "", err
	}
	r, err := manifest.ParseRecord(b)
	if err != nil {
		return manifest.Record{}, "", fmt.Errorf("read record %s: %w", tag, err)
	}
	if err := manifest.CheckRecordTag(tag, r); err != nil {
		return manifest.Record{}, "", err
	}
	return r, d.Digest, nil
}

// Record implements [manifest.Records]: an error wrapping
// manifest.ErrNotFound when no record is stored for tag.
func (s *Store) Record(ctx context.Context, tag string) (manifest.Record, error) {
	if err := validName(tag); err != nil {
		return manifest.Record{}, err
	}
	r, _, err := s.readRecord(ctx, tag)
	return r, err
}

// PutRecord implements [manifest.Records]. The record is an OCI artifact
// (ArtifactTypeRecord) tagged for its release tag, and the tag moves only
// by compare-and-swap, so that a concurrent writer's change is never lost
// and the refusal of a republished version (a *manifest.RefusalError
// "artifact digest changed for a published version", §1.20.3.1) is decided
// on the record actually replaced. Each of the record's artifacts that is a
// manifest of the store's repository (an image) gets the record attached
// as a referrer.
func (s *Store) PutRecord(ctx context.Context, r manifest.Record) error {
	if err := validName(r.Tag); err != nil {
		return err
	}
	data, err := manifest.MarshalRecord(r)
	if err != nil {
		return err
	}
	if len(data) > MaxBlob {
		return fmt.Errorf("ocistore: record %s: %w: %d bytes, at most %d", r.Tag, ErrTooLarge, len(data), MaxBlob)
	}
	if err := s.canWrite(ctx); err != nil {
		return err
	}
	layer, err := s.pushBlob(ctx, ArtifactTypeRecord, data)
	if err != nil {
		return err
	}
	m, err := s.artifactManifest(ctx, ArtifactTypeRecord, []ocispec.Descriptor{layer}, nil, s.writerAnnotations(map[string]string{AnnotationRecordTag: r.Tag}))
	if err != nil {
		return err
	}
	done := false
	for range s.attempts() {
		if err := ctx.Err(); err != nil {
			return err
		}
		old, oldDigest, err := s.readRecord(ctx, r.Tag)
		switch {
		case errors.Is(err, manifest.ErrNotFound):
			oldDigest = ""
		case err != nil:
			return err
		default:
			if err := checkRepublish(old, r); err != nil {
				return err
			}
		}
		_, err = s.putTag(ctx, recordTag(r.Tag), oldDigest, ocispec.MediaTypeImageManifest, m)
		if errors.Is(err, errPrecondition) {
			continue
		}
		if err != nil {
			return err
		}
		done = true
		break
	}
	if !done {
		return fmt.Errorf("ocistore: record %s: %w: gave up after %d attempts", r.Tag, manifest.ErrConflict, s.attempts())
	}
	for _, a := range r.Artifacts {
		subject, err := s.repo.Resolve(ctx, a.Digest)
		if errors.Is(err, errdef.ErrNotFound) || statusOf(err) == 404 {
			continue // a file, not an image of this repository
		}
		if err != nil {
			return registryErr("resolve artifact "+a.Digest, err)
		}
		if _, err := s.attach(ctx, subject, AttachRequest{
			ArtifactType: ArtifactTypeRecord,
			Data:         data,
			Annotations:  map[string]string{AnnotationRecordTag: r.Tag},
		}); err != nil {
			return fmt.Errorf("ocistore: attach record %s to %s: %w", r.Tag, a.Digest, err)
		}
	}
	return nil
}

// checkRepublish refuses to change or drop an artifact digest a stored
// record published, as DirStore and GitStore do.
func checkRepublish(old, new manifest.Record) error {
	for _, a := range old.Artifacts {
		found := false
		for _, b := range new.Artifacts {
			if strings.EqualFold(a.Name, b.Name) {
				found = true
				if a.Digest != b.Digest {
					return &manifest.RefusalError{Reason: "artifact digest changed for a published version", Detail: fmt.Sprintf("%s %s: %s → %s", old.Tag, a.Name, a.Digest, b.Digest)}
				}
			}
		}
		if !found {
			return &manifest.RefusalError{Reason: "artifact digest changed for a published version", Detail: fmt.Sprintf("%s %s (%s) removed", old.Tag, a.Name, a.Digest)}
		}
	}
	return nil
}

// PutEvidence implements [manifest.EvidenceStore]: data is a blob named
// by its digest, kept in the repository by an artifact manifest
// (ArtifactTypeEvidence) pushed by digest. Storing the same bytes again
// writes nothing new. Evidence of more than MaxBlob bytes is a
// *manifest.RefusalError "evidence too large".
func (s *Store) PutEvidence(ctx context.Context, data []byte) (string, error) {
	if len(data) > MaxBlob {
		return "", &manifest.RefusalError{Reason: "evidence too large", Detail: fmt.Sprintf("%d bytes, at most %d", len(data), MaxBlob)}
	}
	layer, err := s.pushBlob(ctx, "application/octet-stream", data)
	if err != nil {
		return "", err
	}
	m, err := s.artifactManifest(ctx, ArtifactTypeEvidence, []ocispec.Descriptor{layer}, nil, nil)
	if err != nil {
		return "", err
	}
	if _, _, err := s.pushManifest(ctx, ocispec.MediaTypeImageManifest, m); err != nil {
		return "", err
	}
	return layer.Digest.String(), nil
}

// Evidence implements [manifest.EvidenceStore]: the bytes stored under
// digest, checked against it (an error wrapping manifest.ErrEvidenceDigest
// when they do not hash to it), manifest.ErrInvalidDigest for a malformed
// digest and manifest.ErrNotFound when nothing is stored.
func (s *Store) Evidence(ctx context.Context, dgst string) ([]byte, error) {
	if err := manifest.ValidateDigest(dgst); err != nil {
		return nil, err
	}
	what := "evidence " + dgst
	d, err := s.repo.Blobs().Resolve(ctx, dgst)
	if err != nil {
		return nil, registryErr("read "+what, err)
	}
	if d.Digest.String() != dgst {
		return nil, fmt.Errorf("%w: %s resolved as %s", manifest.ErrEvidenceDigest, dgst, d.Digest)
	}
	b, err := s.fetchBlob(ctx, d, MaxBlob, what)
	var te *TamperError
	if errors.As(err, &te) {
		return nil, fmt.Errorf("%w: %s", manifest.ErrEvidenceDigest, te.Reason)
	}
	return b, err
}

// Compile-time checks of the interfaces the store implements.
var (
	_ manifest.Store         = (*Store)(nil)
	_ manifest.TreeLog       = (*Store)(nil)
	_ manifest.EvidenceStore = (*Store)(nil)
)
