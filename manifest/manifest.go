package manifest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/releasekit/releasekit/signature"
)

// ManifestVersion is the version of the manifest JSON form this package
// writes and reads.
const ManifestVersion = 1

// Namespace is the SSH signature namespace for manifests, checkpoints and
// deployment events. Build the SSH signer and verifier with it (for example
// signature.NewSSHSigner(key, manifest.Namespace)) so that a manifest
// signature can never be replayed as a git tag signature (namespace "git").
const Namespace = "releasekit-manifest"

// Errors about manifests and signatures.
var (
	// ErrInvalidManifest is wrapped by every error ParseManifest returns.
	ErrInvalidManifest = errors.New("manifest: invalid manifest")
)

// errBadSignature is the text of every refused signature of a manifest,
// checkpoint or event; the error matches signature.ErrBadSignature (see
// badSignature), the one sentinel of the signature vocabulary.
var errBadSignature = errors.New("manifest: signature does not verify")

// badSignatureError is a signature of a manifest, checkpoint or event that
// does not verify. It reads "manifest: signature does not verify: ..." and
// matches both signature.ErrBadSignature and the verifier's own error
// (signature.ErrUntrustedKey, say).
type badSignatureError struct{ err error }

func (e *badSignatureError) Error() string {
	if e.err == nil {
		return errBadSignature.Error()
	}
	return errBadSignature.Error() + ": " + e.err.Error()
}

func (e *badSignatureError) Unwrap() error { return e.err }

func (e *badSignatureError) Is(target error) bool { return target == signature.ErrBadSignature }

// badSignature returns an error matching signature.ErrBadSignature that
// wraps err (which may be nil: no signature at all).
func badSignature(err error) error { return &badSignatureError{err: err} }

// A Manifest pins a coordinated multi-repo release (§1.18.3.3): for each
// repository its tag, commit, artifact digests and SBOM/provenance refs.
// Its identity is [Manifest.Digest], the SHA-256 of its canonical JSON: any
// change makes a new release candidate.
type Manifest struct {
	Version int    `json:"version"` // always ManifestVersion
	Name    string `json:"name"`    // the coordinated release, e.g. "2026.11"
	Repos   []Repo `json:"repos"`   // sorted by name when marshalled
}

// A Repo is one repository pinned in a [Manifest].
type Repo struct {
	Name       string     `json:"name"`
	Tag        string     `json:"tag"`
	Commit     string     `json:"commit"`
	Artifacts  []Artifact `json:"artifacts"`
	SBOM       string     `json:"sbom,omitempty"`
	Provenance string     `json:"provenance,omitempty"`
	// DependsOn names the repositories of the manifest this one depends
	// on (its libraries), which must be released before it (§1.18.3.4; see
	// [CheckDependencyOrder]). Absent from the JSON when empty, so the
	// canonical form and digest of a manifest without it do not change.
	DependsOn []string `json:"depends_on,omitempty"`
}

// normalize returns a copy of m with the version set and repos and
// artifacts sorted by name, so that equal content marshals equally.
func (m Manifest) normalize() Manifest {
	m.Version = ManifestVersion
	repos := make([]Repo, len(m.Repos))
	for i, r := range m.Repos {
		r.Artifacts = slices.Clone(r.Artifacts)
		if r.Artifacts == nil {
			r.Artifacts = []Artifact{}
		}
		slices.SortFunc(r.Artifacts, func(a, b Artifact) int { return strings.Compare(a.Name, b.Name) })
		if len(r.DependsOn) > 0 {
			r.DependsOn = slices.Compact(slices.Sorted(slices.Values(r.DependsOn)))
		} else {
			r.DependsOn = nil
		}
		repos[i] = r
	}
	slices.SortFunc(repos, func(a, b Repo) int { return strings.Compare(a.Name, b.Name) })
	m.Repos = repos
	return m
}

func (m Manifest) validate() error {
	// json.Marshal would replace invalid UTF-8 with U+FFFD, giving two
	// different manifests one canonical form, digest and signature.
	strs := []string{m.Name}
	for _, r := range m.Repos {
		strs = append(strs, r.Name, r.Tag, r.Commit, r.SBOM, r.Provenance)
		for _, a := range r.Artifacts {
			strs = append(strs, a.Name, a.URI, a.Digest, a.SHA512, a.SBOM)
		}
	}
	for _, s := range strs {
		if !utf8.ValidString(s) {
			return fmt.Errorf("%q is not valid UTF-8", s)
		}
	}
	seen := map[string]bool{}
	for _, r := range m.Repos {
		if r.Name == "" {
			return errors.New("repo with empty name")
		}
		if seen[r.Name] {
			return fmt.Errorf("duplicate repo %q", r.Name)
		}
		seen[r.Name] = true
		if r.Commit != "" && !isCommit(r.Commit) {
			return fmt.Errorf("repo %q: commit %q is not a full lowercase SHA", r.Name, r.Commit)
		}
		if err := validateArtifacts(r.Artifacts); err != nil {
			return fmt.Errorf("repo %q: %w", r.Name, err)
		}
		if r.SBOM != "" && ValidateDigest(r.SBOM) != nil {
			return fmt.Errorf("repo %q sbom: %w", r.Name, ValidateDigest(r.SBOM))
		}
	}
	return nil
}

// Marshal returns m's canonical JSON (RFC 8785 style: sorted keys, no
// insignificant whitespace, repositories and artifacts sorted by name).
// Marshal of ParseManifest of Marshal's output is byte-identical. It returns
// an error wrapping [ErrInvalidManifest] (and [ErrInvalidDigest] or a
// *[FormatError] "duplicate artifact name" where that is the cause) for a
// malformed manifest.
func Marshal(m Manifest) ([]byte, error) {
	m = m.normalize()
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}
	b, err := canonical(m)
	if err != nil {
		return nil, fmt.Errorf("marshal manifest %s: %w", m.Name, err)
	}
	return b, nil
}

// Digest returns the manifest's content digest, "sha256:" + hex of its
// canonical JSON. It is the candidate identity of the coordinated release.
func (m Manifest) Digest() (string, error) {
	b, err := Marshal(m)
	if err != nil {
		return "", err
	}
	return Digest(b), nil
}

// ParseManifest decodes a manifest strictly (unknown fields, trailing data,
// another version, malformed digests and duplicate names are errors wrapping
// [ErrInvalidManifest]). It accepts any valid JSON layout; [Marshal] gives
// the canonical one.
func ParseManifest(data []byte) (Manifest, error) {
	var m Manifest
	if err := decodeStrict(data, &m); err != nil {
		return Manifest{}, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}
	if m.Version != ManifestVersion {
		return Manifest{}, fmt.Errorf("%w: %w", ErrInvalidManifest, malformed("unsupported format version", nil, "%d", m.Version))
	}
	if err := m.validate(); err != nil {
		return Manifest{}, fmt.Errorf("%w: %w", ErrInvalidManifest, err)
	}
	return m.normalize(), nil
}

// Sign returns s's detached signature over m's canonical JSON.
func Sign(ctx context.Context, m Manifest, s signature.Signer) ([]byte, error) {
	b, err := Marshal(m)
	if err != nil {
		return nil, err
	}
	sig, err := s.Sign(ctx, bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("sign manifest %s: %w", m.Name, err)
	}
	return sig, nil
}

// Open parses data as a manifest and verifies sig, a detached signature over
// exactly those bytes, with v at time at. The bytes must be the manifest's
// canonical form, so a re-encoded manifest cannot pass for the signed one.
// It returns an error wrapping [ErrInvalidManifest] for bad input and
// signature.ErrBadSignature (with the verifier's error) when the signature does not
// verify.
func Open(ctx context.Context, data, sig []byte, v signature.Verifier, at time.Time) (Manifest, error) {
	m, err := ParseManifest(data)
	if err != nil {
		return Manifest{}, err
	}
	canon, err := Marshal(m)
	if err != nil {
		return Manifest{}, err
	}
	if !bytes.Equal(canon, data) {
		return Manifest{}, fmt.Errorf("%w: not in canonical form", ErrInvalidManifest)
	}
	if _, err := v.Verify(ctx, data, sig, at); err != nil {
		return Manifest{}, badSignature(err)
	}
	return m, nil
}

// Changes are what changed from one manifest to another.
type Changes struct {
	Added   []string     `json:"added"`   // repositories only in the new manifest
	Removed []string     `json:"removed"` // repositories only in the old one
	Changed []RepoChange `json:"changed"` // repositories in both that differ
}

// Empty reports whether the two manifests pin the same content.
func (d Changes) Empty() bool {
	return len(d.Added) == 0 && len(d.Removed) == 0 && len(d.Changed) == 0
}

// A RepoChange is one repository pinned differently in two manifests.
type RepoChange struct {
	Name    string       `json:"name"`
	Old     Repo         `json:"old"`
	New     Repo         `json:"new"`
	Fields  []string     `json:"fields"`  // "tag", "commit", "sbom", "provenance", "artifacts"
	Digests []DigestDiff `json:"digests"` // artifacts added, removed or with another digest
}

// A DigestDiff is one artifact whose digest differs; Old or New is empty
// when the artifact was added or removed.
type DigestDiff struct {
	Name string `json:"name"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Diff compares two manifests by repository name.
func Diff(old, new Manifest) Changes {
	old, new = old.normalize(), new.normalize()
	d := Changes{Added: []string{}, Removed: []string{}, Changed: []RepoChange{}}
	oldBy := map[string]Repo{}
	for _, r := range old.Repos {
		oldBy[r.Name] = r
	}
	newBy := map[string]Repo{}
	for _, r := range new.Repos {
		newBy[r.Name] = r
		o, ok := oldBy[r.Name]
		if !ok {
			d.Added = append(d.Added, r.Name)
			continue
		}
		if c, changed := diffRepo(o, r); changed {
			d.Changed = append(d.Changed, c)
		}
	}
	for _, r := range old.Repos {
		if _, ok := newBy[r.Name]; !ok {
			d.Removed = append(d.Removed, r.Name)
		}
	}
	return d
}

func diffRepo(o, n Repo) (RepoChange, bool) {
	c := RepoChange{Name: n.Name, Old: o, New: n, Fields: []string{}, Digests: []DigestDiff{}}
	if o.Tag != n.Tag {
		c.Fields = append(c.Fields, "tag")
	}
	if o.Commit != n.Commit {
		c.Fields = append(c.Fields, "commit")
	}
	if o.SBOM != n.SBOM {
		c.Fields = append(c.Fields, "sbom")
	}
	if o.Provenance != n.Provenance {
		c.Fields = append(c.Fields, "provenance")
	}
	oa := map[string]string{}
	for _, a := range o.Artifacts {
		oa[a.Name] = a.Digest
	}
	na := map[string]string{}
	for _, a := range n.Artifacts {
		na[a.Name] = a.Digest
		if oa[a.Name] != a.Digest {
			c.Digests = append(c.Digests, DigestDiff{Name: a.Name, Old: oa[a.Name], New: a.Digest})
		}
	}
	for _, a := range o.Artifacts {
		if _, ok := na[a.Name]; !ok {
			c.Digests = append(c.Digests, DigestDiff{Name: a.Name, Old: a.Digest})
		}
	}
	slices.SortFunc(c.Digests, func(a, b DigestDiff) int { return strings.Compare(a.Name, b.Name) })
	if len(c.Digests) > 0 || !slices.EqualFunc(o.Artifacts, n.Artifacts, func(a, b Artifact) bool { return a == b }) {
		c.Fields = append(c.Fields, "artifacts")
	}
	return c, len(c.Fields) > 0
}
