package ocistore

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"github.com/opencontainers/go-digest"
	"github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
)

// Artifact types of what the store writes (the artifactType of an OCI
// image manifest v1.1), and the usual types of what callers attach.
const (
	// ArtifactTypeRecord is a release record (manifest.Record, JSON).
	ArtifactTypeRecord = "application/vnd.releasekit.record.v1+json"
	// ArtifactTypeEvidence is gate evidence kept by digest
	// ([manifest.EvidenceStore]).
	ArtifactTypeEvidence = "application/vnd.releasekit.evidence.v1"
	// ArtifactTypeGateReport is a policy gate's report attached to a
	// release artifact.
	ArtifactTypeGateReport = "application/vnd.releasekit.gate-report.v1+json"
	// ArtifactTypeSBOM is a CycloneDX SBOM in JSON.
	ArtifactTypeSBOM = "application/vnd.cyclonedx+json"
	// ArtifactTypeProvenance is SLSA provenance in a DSSE envelope
	// (in-toto), as cosign attaches attestations.
	ArtifactTypeProvenance = "application/vnd.dsse.envelope.v1+json"
	// ArtifactTypeLog is the log's head manifest.
	ArtifactTypeLog = "application/vnd.releasekit.log.v1"
	// ArtifactTypeLogSeal is the manifest that keeps a full page of the
	// log (and the entries it lists) from garbage collection.
	ArtifactTypeLogSeal = "application/vnd.releasekit.log.seal.v1"
	// ArtifactTypeCheckpoint is a signed checkpoint of the log.
	ArtifactTypeCheckpoint = "application/vnd.releasekit.log.checkpoint.v1"
	// ArtifactTypeProbe is the manifest of the precondition probe.
	ArtifactTypeProbe = "application/vnd.releasekit.probe.v1"
)

// Media types of the blobs of the log.
const (
	MediaTypeLogEntry   = "application/vnd.releasekit.log.entry.v1+json"
	MediaTypeLogPage    = "application/vnd.releasekit.log.page.v1"
	MediaTypeCheckpoint = "text/x.releasekit.checkpoint; charset=utf-8"
)

// AnnotationRecordTag names the release tag of a record manifest.
const AnnotationRecordTag = "org.releasekit.record.tag"

var specVersion = specs.Versioned{SchemaVersion: 2}

func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// parseJSON decodes one of the store's own manifests strictly.
func parseJSON(data []byte, v any) error {
	return strictjson.Unmarshal(data, v, strictjson.Options{})
}

// parseIndex decodes an index other clients may also write: one JSON value,
// no duplicate keys, bounded nesting, unknown fields ignored.
func parseIndex(data []byte, v any) error {
	if err := strictjson.Check(data, strictjson.Options{}); err != nil {
		return err
	}
	return json.Unmarshal(data, v)
}

// artifactManifest returns an OCI image manifest v1.1 for an artifact:
// artifactType, the empty config, layers (the empty blob when none) and
// subject (may be nil).
func (s *Store) artifactManifest(ctx context.Context, artifactType string, layers []ocispec.Descriptor, subject *ocispec.Descriptor, annotations map[string]string) ([]byte, error) {
	cfg, err := s.emptyConfig(ctx)
	if err != nil {
		return nil, err
	}
	if len(layers) == 0 {
		layers = []ocispec.Descriptor{cfg}
	}
	return marshalJSON(ocispec.Manifest{
		Versioned:    specVersion,
		MediaType:    ocispec.MediaTypeImageManifest,
		ArtifactType: artifactType,
		Config:       cfg,
		Layers:       layers,
		Subject:      subject,
		Annotations:  annotations,
	})
}

// emptyConfig pushes the empty JSON blob once per store.
func (s *Store) emptyConfig(ctx context.Context) (ocispec.Descriptor, error) {
	d := ocispec.DescriptorEmptyJSON
	d.Data = nil
	if _, ok := s.cache.get(d.Digest); ok {
		return d, nil
	}
	if ok, err := s.repo.Blobs().Exists(ctx, d); err != nil || !ok {
		if _, err := s.pushBlob(ctx, ocispec.MediaTypeEmptyJSON, ocispec.DescriptorEmptyJSON.Data); err != nil {
			return d, err
		}
	}
	s.cache.put(d.Digest, ocispec.DescriptorEmptyJSON.Data)
	return d, nil
}

// An AttachRequest is an artifact to attach to a subject.
type AttachRequest struct {
	// Subject is the digest ("sha256:…") of a manifest in the store's
	// repository: the release artifact (an image or an index) the
	// artifact is about.
	Subject string
	// ArtifactType says what Data is: ArtifactTypeSBOM,
	// ArtifactTypeProvenance, ArtifactTypeGateReport, ArtifactTypeRecord
	// or another media type.
	ArtifactType string
	// MediaType is Data's media type; empty means ArtifactType.
	MediaType string
	// Data is the artifact, at most MaxBlob bytes.
	Data []byte
	// Annotations are set on the artifact's manifest (and listed with it
	// by the referrers API).
	Annotations map[string]string
}

// A Referrer is an artifact attached to a subject, as the referrers API
// lists it.
type Referrer struct {
	Digest       string // of the artifact's manifest
	ArtifactType string
	Size         int64
	Annotations  map[string]string
}

// Attach pushes req.Data as an OCI artifact (an image manifest v1.1 with
// artifactType and subject) attached to the manifest req.Subject, so that
// the referrers API, or the referrers tag schema of registries without it,
// lists it. It returns the artifact manifest's digest. Attaching the same
// artifact twice lists it once.
//
// On a registry without the referrers API (the registry says so by not
// answering OCI-Subject to the push) the store keeps the referrers index
// of the OCI distribution spec 1.1 tag schema ("sha256-<hex>") itself, and
// updates it by compare-and-swap as it does the log's head, so that
// artifacts attached at once by concurrent jobs are all listed: an
// *UnsupportedError on a registry that ignores the preconditions, unless
// [WithSingleWriterUnsafe].
//
// A subject not in the repository is an error wrapping
// manifest.ErrNotFound.
func (s *Store) Attach(ctx context.Context, req AttachRequest) (string, error) {
	if err := manifest.ValidateDigest(req.Subject); err != nil {
		return "", err
	}
	if req.ArtifactType == "" {
		return "", fmt.Errorf("ocistore: attach to %s: no artifact type", req.Subject)
	}
	if len(req.Data) > MaxBlob {
		return "", fmt.Errorf("ocistore: attach to %s: %w: %d bytes, at most %d", req.Subject, ErrTooLarge, len(req.Data), MaxBlob)
	}
	subject, err := s.repo.Resolve(ctx, req.Subject)
	if err != nil {
		return "", registryErr("resolve subject "+req.Subject, err)
	}
	return s.attach(ctx, subject, req)
}

func (s *Store) attach(ctx context.Context, subject ocispec.Descriptor, req AttachRequest) (string, error) {
	if err := s.canWrite(ctx); err != nil {
		return "", err
	}
	mt := req.MediaType
	if mt == "" {
		mt = req.ArtifactType
	}
	layer, err := s.pushBlob(ctx, mt, req.Data)
	if err != nil {
		return "", err
	}
	subj := ocispec.Descriptor{MediaType: subject.MediaType, Digest: subject.Digest, Size: subject.Size}
	data, err := s.artifactManifest(ctx, req.ArtifactType, []ocispec.Descriptor{layer}, &subj, maps.Clone(req.Annotations))
	if err != nil {
		return "", err
	}
	d, indexed, err := s.pushManifest(ctx, ocispec.MediaTypeImageManifest, data)
	if err != nil {
		return "", err
	}
	if indexed {
		return d.Digest.String(), nil
	}
	d.ArtifactType = req.ArtifactType
	d.Annotations = maps.Clone(req.Annotations)
	if err := s.indexReferrer(ctx, subj, d); err != nil {
		return "", err
	}
	return d.Digest.String(), nil
}

// referrersTag returns the tag of the referrers tag schema for subject.
func referrersTag(subject digest.Digest) string {
	return subject.Algorithm().String() + "-" + subject.Encoded()
}

// indexReferrer adds d to the referrers index of subject, by
// compare-and-swap on its tag.
func (s *Store) indexReferrer(ctx context.Context, subject, d ocispec.Descriptor) error {
	tag := referrersTag(subject.Digest)
	for range s.attempts() {
		if err := ctx.Err(); err != nil {
			return err
		}
		var idx ocispec.Index
		old, data, err := s.fetchManifest(ctx, tag, "referrers of "+subject.Digest.String())
		switch {
		case errors.Is(err, manifest.ErrNotFound):
			old = ocispec.Descriptor{}
		case err != nil:
			return err
		default:
			if err := parseIndex(data, &idx); err != nil || idx.MediaType != ocispec.MediaTypeImageIndex {
				return &TamperError{Object: "referrers index " + tag, Reason: fmt.Sprintf("not an OCI image index (%v)", err)}
			}
		}
		if slices.ContainsFunc(idx.Manifests, func(m ocispec.Descriptor) bool { return m.Digest == d.Digest }) {
			return nil
		}
		idx.Versioned, idx.MediaType = specVersion, ocispec.MediaTypeImageIndex
		idx.Manifests = append(idx.Manifests, d)
		idx.Annotations = s.writerAnnotations(idx.Annotations)
		data, err = marshalJSON(idx)
		if err != nil {
			return err
		}
		_, err = s.putTag(ctx, tag, old.Digest, ocispec.MediaTypeImageIndex, data)
		if errors.Is(err, errPrecondition) {
			continue
		}
		return err
	}
	return fmt.Errorf("ocistore: referrers of %s: %w: gave up after %d attempts", subject.Digest, manifest.ErrConflict, s.attempts())
}

// Referrers lists the artifacts attached to the manifest subject (a
// digest) in the store's repository, of artifactType only when it is not
// empty: through the referrers API, or the referrers tag schema of a
// registry without it, as cosign and oras discover them. It reads each
// listed manifest (checked against its digest) and returns its artifact
// type and annotations; a listed manifest whose subject is another digest,
// or whose artifact type is not the one listed, is a *TamperError. More
// than 10,000 referrers is an error wrapping [ErrTooLarge].
func (s *Store) Referrers(ctx context.Context, subject, artifactType string) ([]Referrer, error) {
	if err := manifest.ValidateDigest(subject); err != nil {
		return nil, err
	}
	desc, err := s.read.Resolve(ctx, subject)
	if err != nil {
		return nil, registryErr("resolve subject "+subject, err)
	}
	var listed []ocispec.Descriptor
	err = s.read.Referrers(ctx, desc, artifactType, func(rs []ocispec.Descriptor) error {
		listed = append(listed, rs...)
		if len(listed) > maxReferrers {
			return fmt.Errorf("%w: over %d referrers", ErrTooLarge, maxReferrers)
		}
		return nil
	})
	if err != nil {
		return nil, registryErr("referrers of "+subject, err)
	}
	out := make([]Referrer, 0, len(listed))
	for _, r := range listed {
		ref, err := s.referrer(ctx, desc.Digest, r)
		if err != nil {
			return nil, err
		}
		out = append(out, ref)
	}
	return out, nil
}

// maxReferrers bounds the referrers Referrers lists (and reads).
const maxReferrers = 10000

// referrer reads the manifest r that a referrers list names for subject
// and returns it as a Referrer, from the manifest itself: a list is the
// registry's word (and, in the referrers tag schema, an index anyone with
// push access writes), the manifest is checked against its digest. A
// manifest whose subject is not subject, or whose artifact type is not the
// one listed, is a *TamperError: another artifact passed off as this
// subject's, or as another kind.
func (s *Store) referrer(ctx context.Context, subject digest.Digest, r ocispec.Descriptor) (Referrer, error) {
	what := "referrer " + r.Digest.String() + " of " + subject.String()
	if err := manifest.ValidateDigest(r.Digest.String()); err != nil {
		return Referrer{}, &TamperError{Object: what, Reason: err.Error()}
	}
	d, data, err := s.fetchManifest(ctx, r.Digest.String(), what)
	if err != nil {
		return Referrer{}, err
	}
	var m struct {
		ArtifactType string              `json:"artifactType"`
		Config       *ocispec.Descriptor `json:"config"`
		Subject      *ocispec.Descriptor `json:"subject"`
		Annotations  map[string]string   `json:"annotations"`
	}
	if err := parseIndex(data, &m); err != nil {
		return Referrer{}, &TamperError{Object: what, Reason: fmt.Sprintf("not a manifest (%v)", err)}
	}
	if m.Subject == nil || m.Subject.Digest != subject {
		got := "none"
		if m.Subject != nil {
			got = m.Subject.Digest.String()
		}
		return Referrer{}, &TamperError{Object: what, Reason: "listed as a referrer, but its subject is " + got}
	}
	at := m.ArtifactType
	if at == "" && m.Config != nil {
		at = m.Config.MediaType // OCI 1.1: an image manifest without artifactType
	}
	if at != r.ArtifactType {
		return Referrer{}, &TamperError{Object: what, Reason: fmt.Sprintf("listed as %q, but its artifact type is %q", r.ArtifactType, at)}
	}
	return Referrer{Digest: d.Digest.String(), ArtifactType: at, Size: d.Size, Annotations: m.Annotations}, nil
}

// An Artifact is an attached artifact read back.
type Artifact struct {
	ArtifactType string
	Subject      string // the digest of the manifest it is attached to; "" for none
	Annotations  map[string]string
	MediaType    string // of Data
	Data         []byte
}

// Artifact reads the artifact whose manifest is digest: its manifest and
// its one layer, each checked against its digest (a *TamperError if not).
func (s *Store) Artifact(ctx context.Context, dgst string) (Artifact, error) {
	if err := manifest.ValidateDigest(dgst); err != nil {
		return Artifact{}, err
	}
	what := "artifact " + dgst
	_, data, err := s.fetchManifest(ctx, dgst, what)
	if err != nil {
		return Artifact{}, err
	}
	var m ocispec.Manifest
	if err := parseIndex(data, &m); err != nil || m.MediaType != ocispec.MediaTypeImageManifest || len(m.Layers) != 1 {
		return Artifact{}, &TamperError{Object: what, Reason: "not an artifact manifest of one layer"}
	}
	b, err := s.fetchBlob(ctx, m.Layers[0], MaxBlob, what)
	if err != nil {
		return Artifact{}, err
	}
	a := Artifact{ArtifactType: m.ArtifactType, Annotations: m.Annotations, MediaType: m.Layers[0].MediaType, Data: b}
	if m.Subject != nil {
		a.Subject = m.Subject.Digest.String()
	}
	return a, nil
}
