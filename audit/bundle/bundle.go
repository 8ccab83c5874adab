package bundle

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Format is the version of the evidence bundle layout and of its
// index that [Build] writes and [Verify] accepts.
const Format = 1

// Limits of the bundle parser ([Read], [ReadDir]). A bundle
// over any of them is refused with [ReasonTooLarge].
const (
	MaxFiles    = 10000     // files in one bundle
	MaxFileSize = 64 << 20  // bytes of one file
	MaxSize     = 512 << 20 // bytes of all files together
	MaxName     = 255       // bytes of one file name
)

// The files of a bundle, as slash-separated names relative to its root. The
// layout is documented on [Build].
const (
	IndexName         = "index.json"
	RecordName        = "record.json"
	TagName           = "tag/object"
	TagResultName     = "tag/verification.json"
	CheckpointName    = "log/checkpoint.json"
	CheckpointSigName = "log/checkpoint.sig"

	evidenceDir = "evidence/"
	logDir      = "log/entries/"
	policyDir   = "policy/"
	manifestDir = "manifests/"
	changesDir  = "changes/"
)

// Errors of [Build].
var (
	// ErrSource is returned (wrapped) by Build when a source
	// it needs is missing or cannot be read: no store or repository, no
	// record, no annotated release tag, an SBOM or provenance reference
	// that is not a path inside audit.Sources.Evidence, a policy report or a
	// changed-files manifest the store does not hold.
	ErrSource = errors.New("audit: bundle source missing or unreadable")
)

// The reasons of a [FormatError]: why the bundle parser ([Read], [ReadDir])
// refused its input.
const (
	// ReasonMalformed: input that is not a gzip-compressed tar archive, or
	// a corrupt one.
	ReasonMalformed = "malformed bundle archive"
	// ReasonUnsafePath: a file name that is absolute, holds "..", ".", an
	// empty element, a backslash, a colon or a control character, is not
	// UTF-8, or is longer than MaxName.
	ReasonUnsafePath = "unsafe file name in bundle"
	// ReasonDuplicate: two files of one name (also names that differ only in
	// case, under Unicode case folding as strings.EqualFold), or a name that
	// is both a file and a directory.
	ReasonDuplicate = "duplicate file in bundle"
	// ReasonNotRegular: an entry that is not a regular file: a symbolic or
	// hard link, a device, a FIFO, a directory entry in an archive.
	ReasonNotRegular = "bundle entry is not a regular file"
	// ReasonTooLarge: a bundle over one of the parser's limits.
	ReasonTooLarge = "bundle too large"
	// ReasonTrailingData: data after the end of the archive: anything but
	// zero padding after the tar end marker, a second gzip member, bytes
	// after the gzip stream.
	ReasonTrailingData = "trailing data after bundle archive"
)

// A FormatError reports why the bundle parser refused its input. Reason is
// one of ReasonMalformed, ReasonUnsafePath, ReasonDuplicate,
// ReasonNotRegular, ReasonTooLarge and ReasonTrailingData.
type FormatError struct {
	Name   string // the file concerned, "" when none
	Reason string // why, one of the Reason constants
	Detail string // details
}

// Error describes the problem and the file.
func (e *FormatError) Error() string {
	s := "read bundle"
	if e.Name != "" {
		s += " " + strconv.Quote(e.Name)
	}
	s += ": audit: " + e.Reason
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

// A Bundle is one release's evidence bundle held in memory: file names
// (slash-separated, relative) and their bytes. [Build] collects one,
// [Read] and [ReadDir] parse one, [Verify] checks one, and
// [Bundle.WriteTarGz] and [Bundle.WriteDir] store one.
//
// A Bundle is immutable and safe for concurrent use.
type Bundle struct {
	files map[string][]byte
}

// Index is the content of index.json: what the bundle is about and
// every other file with its size and SHA-256. The index is not signed; it
// binds the files together, and the signatures inside them are what an
// auditor trusts.
type Index struct {
	Format  int    `json:"format"`  // Format
	Release string `json:"release"` // the release tag, "v1.4.2"
	Commit  string `json:"commit"`  // the commit the record and tag name
	// TagObject is the git hash of the annotated tag object, the immutable
	// identifier of the release tag; "" when the bundle has none.
	TagObject string `json:"tag_object"`
	// VerifiedAt is the verification time the bundle was built with
	// (audit.Sources.At): the build-time tag verification used it and
	// Verify uses it unless Keys.At is set. It is zero, and left out of
	// index.json, when the builder gave no time: the default, which keeps
	// the bundle's bytes independent of when it was built.
	VerifiedAt time.Time `json:"verified_at,omitzero"`
	Files      []File    `json:"files"` // sorted by name; index.json itself is not listed
}

// A File is one file listed in the index.
type File struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // lower-case hex, as sha256sum prints it
}

// TagResult is the content of tag/verification.json: the release
// tag's verification as Build made it, with audit.Sources.TagVerifier at
// audit.Sources.At. It is a record of what the builder saw; Verify checks
// the tag object again with the auditor's keys and never trusts this file.
// Without audit.Sources.At, Build verifies nothing and records
// {"checked": false, "verified": false}: a verification is a report made
// at some time, not content of the bundle.
type TagResult struct {
	Checked  bool                `json:"checked"` // false: audit.Sources had no TagVerifier, or no At
	Verified bool                `json:"verified"`
	At       time.Time           `json:"at,omitzero"`      // zero and left out when not checked
	Object   string              `json:"object,omitempty"` // the tag object's hash when verified
	Signer   *signature.Identity `json:"signer,omitempty"`
	Error    string              `json:"error,omitempty"` // why verification failed
}

// evidenceReader is the read half of [manifest.EvidenceStore], all a
// bundle needs.
type evidenceReader interface {
	Evidence(ctx context.Context, digest string) ([]byte, error)
}

// Build collects the evidence of release (its tag name) from src
// into a self-contained bundle (§1.21.3.4: one evidence bundle per release,
// referencing immutable identifiers). It collects and does not judge: check
// the result with [Verify].
//
// The bundle holds these files (slash-separated names):
//
//	index.json                     Index: format, release, commit, tag object, verification time (only when src.At is set),
//	                               every other file with size and SHA-256
//	record.json                    the release record (manifest.MarshalRecord)
//	tag/object                     the raw annotated tag object, as `git cat-file tag` prints it
//	tag/verification.json          TagResult: the tag's verification at src.At (not checked when src.At is zero)
//	evidence/REF                   the SBOM and the provenance envelope, under the relative
//	                               paths the record names (Record.SBOM.Ref, Record.Provenance.Ref)
//	log/entries/SEQ.json           log entries 1..N (manifest.MarshalEntry), SEQ zero-padded to 20 digits
//	log/checkpoint.json, .sig      the signed checkpoint of the log and its signature, when src has one
//	policy/HEX.json                each policy report that gated a promotion of the release, or refused
//	                               an attempt about it, named by the hex of its SHA-256
//	                               (Promotion.Gate, Denial.Gate); Verify requires the first to allow
//	                               and the second to deny
//	manifests/HEX.json             each multi-repo manifest promoted that pins the release (its tag at
//	                               the record's commit), canonical (manifest.Marshal), named by its digest
//	changes/HEX.json               each changed-files manifest (manifest.ChangedFiles) that a deployment
//	                               outcome of the release names (Deployment.Changes), as stored, named by
//	                               the hex of its SHA-256
//
// The log is included from its first entry, so that the verifier can
// recompute the hash chain, up to N, the larger of the checkpoint's count
// and the last entry about the release (its promotions, rollbacks to it
// and away from it, deploy results, deployment outcomes, refused attempts,
// manifest promotions that pin it and manifest rollbacks away from those).
// With a checkpoint covering every entry about the release, the verifier
// proves against the signed head that nothing was cut or rewritten; entries
// after the checkpoint are chained but not covered, and Verify says
// so. Entries appended to the log later do not change the bundle while the
// checkpoint stays the same. A store whose log is shorter than its
// checkpoint gives a bundle that fails verification. The time of every file
// in the archive is the release tag's tagger time (see [Bundle.WriteTarGz]).
//
// The release tag must be an annotated tag (reading it needs src.Repo).
// The SBOM and provenance are read from src.Evidence when the record names
// them; a record without them gives a bundle without them, which fails
// verification. Policy reports and changed-files manifests are read from
// src.Store, which must then be a [manifest.EvidenceStore]. A release without a record is an error wrapping
// [audit.ErrUnknownRelease] and manifest.ErrNotFound; anything else missing or
// unreadable is an error wrapping [ErrSource].
//
// The bundle is reproducible: its content depends on the sources and
// src.At only, never on the clock, and [Bundle.WriteTarGz] gives the same
// bytes for the same files. src.At is a verification time that the builder
// chooses to record: when it is set, Build verifies the tag at src.At with
// src.TagVerifier, writes the result in tag/verification.json and src.At in
// the index (Index.VerifiedAt), which [Verify] uses when [Keys].At is zero.
// When it is zero (unlike elsewhere in audit, it does not mean "now"), the
// bundle records no verification time and no tag verification, so building
// it again later gives the same bytes; [Verify] then needs [Keys].At.
//
// Build reads src.Repo, which go-git does not make safe for concurrent
// use: do not use that repository elsewhere at the same time.
func Build(ctx context.Context, src audit.Sources, release string) (*Bundle, error) {
	if src.Store == nil {
		return nil, fmt.Errorf("build bundle %s: %w: no store", release, ErrSource)
	}
	if src.Repo == nil {
		return nil, fmt.Errorf("build bundle %s: %w: no repository", release, ErrSource)
	}
	// The verification time is recorded only when the caller chose one:
	// the current time would make every build of the same evidence differ.
	var at time.Time
	if !src.At.IsZero() {
		at = src.At.UTC()
	}
	files := map[string][]byte{}

	rec, err := src.Store.Record(ctx, release)
	if errors.Is(err, manifest.ErrNotFound) {
		return nil, fmt.Errorf("build bundle %s: %w: %w", release, audit.ErrUnknownRelease, err)
	}
	if err != nil {
		return nil, fmt.Errorf("build bundle %s: %w: record: %w", release, ErrSource, err)
	}
	if rec.Tag != release {
		return nil, fmt.Errorf("build bundle %s: %w: the store returned the record of %q", release, ErrSource, rec.Tag)
	}
	data, err := manifest.MarshalRecord(rec)
	if err != nil {
		return nil, fmt.Errorf("build bundle %s: marshal record: %w", release, err)
	}
	files[RecordName] = data

	raw, hash, err := tagObject(src.Repo, release)
	if err != nil {
		return nil, fmt.Errorf("build bundle %s: %w: %w", release, ErrSource, err)
	}
	files[TagName] = raw
	res := TagResult{At: at}
	if src.TagVerifier != nil && !at.IsZero() {
		res.Checked = true
		v, err := tagging.VerifyObject(ctx, raw, src.TagVerifier, at)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			res.Error = err.Error()
		} else {
			res.Verified = true
			res.Object = v.Object.String()
			res.Signer = &v.Signer
		}
	}
	if files[TagResultName], err = marshalJSON(res); err != nil {
		return nil, fmt.Errorf("build bundle %s: %w", release, err)
	}

	for _, ref := range []struct{ item, ref string }{{"sbom", rec.SBOM.Ref}, {"provenance", rec.Provenance.Ref}} {
		if ref.ref == "" {
			continue
		}
		name := evidenceDir + ref.ref
		if _, ok := files[name]; ok {
			continue
		}
		if err := validName(name); err != nil || !fs.ValidPath(ref.ref) {
			return nil, fmt.Errorf("build bundle %s: %w: %s reference %q is not a relative path", release, ErrSource, ref.item, ref.ref)
		}
		if src.Evidence == nil {
			return nil, fmt.Errorf("build bundle %s: %w: %s %q: no evidence directory", release, ErrSource, ref.item, ref.ref)
		}
		data, err := readFS(src.Evidence, ref.ref)
		if err != nil {
			return nil, fmt.Errorf("build bundle %s: %w: %s: %w", release, ErrSource, ref.item, err)
		}
		files[name] = data
	}

	entries, err := src.Store.Entries(ctx)
	if err != nil {
		return nil, fmt.Errorf("build bundle %s: %w: log: %w", release, ErrSource, err)
	}
	var n uint64
	if src.Checkpoint != nil {
		if len(src.CheckpointSig) == 0 {
			return nil, fmt.Errorf("build bundle %s: %w: a checkpoint without its signature", release, ErrSource)
		}
		cp, err := parseCheckpoint(src.Checkpoint)
		if err != nil {
			return nil, fmt.Errorf("build bundle %s: %w: checkpoint: %w", release, ErrSource, err)
		}
		n = cp.Count
		files[CheckpointName] = slices.Clone(src.Checkpoint)
		files[CheckpointSigName] = slices.Clone(src.CheckpointSig)
	}
	about := newBundleAbout(rec)
	for i, e := range entries {
		if about.concerns(e) {
			n = max(n, uint64(i)+1)
		}
	}
	n = min(n, uint64(len(entries)))
	var ev evidenceReader
	about = newBundleAbout(rec)
	for i, e := range entries[:n] {
		data, err := manifest.MarshalEntry(e)
		if err != nil {
			return nil, fmt.Errorf("build bundle %s: marshal log entry %d: %w", release, i+1, err)
		}
		files[entryName(uint64(i)+1)] = data
		if !about.concerns(e) {
			continue
		}
		if d := e.Deploy; d != nil && d.Changes != nil {
			if ev == nil {
				if ev, err = evidenceOf(src.Store); err != nil {
					return nil, fmt.Errorf("build bundle %s: changed-files manifest %s: %w", release, d.Changes.Digest, err)
				}
			}
			if err := manifest.ValidateDigest(d.Changes.Digest); err != nil {
				return nil, fmt.Errorf("build bundle %s: log entry %d: %w", release, i+1, err)
			}
			data, err := ev.Evidence(ctx, d.Changes.Digest)
			if err != nil {
				return nil, fmt.Errorf("build bundle %s: %w: changed-files manifest %s: %w", release, ErrSource, d.Changes.Digest, err)
			}
			files[changesName(d.Changes.Digest)] = data
		}
		if d := e.Denial; d != nil && d.Gate != "" {
			// The report of the gate that refused: the evidence of why.
			if err := manifest.ValidateDigest(d.Gate); err != nil {
				return nil, fmt.Errorf("build bundle %s: log entry %d: %w", release, i+1, err)
			}
			if ev == nil {
				if ev, err = evidenceOf(src.Store); err != nil {
					return nil, fmt.Errorf("build bundle %s: policy report %s: %w", release, d.Gate, err)
				}
			}
			data, err := ev.Evidence(ctx, d.Gate)
			if err != nil {
				return nil, fmt.Errorf("build bundle %s: %w: policy report %s: %w", release, ErrSource, d.Gate, err)
			}
			files[policyDir+strings.TrimPrefix(d.Gate, "sha256:")+".json"] = data
		}
		if e.Promotion == nil {
			continue
		}
		p := e.Promotion
		if p.Manifest != nil {
			data, err := manifest.Marshal(*p.Manifest)
			if err != nil {
				return nil, fmt.Errorf("build bundle %s: marshal manifest of log entry %d: %w", release, i+1, err)
			}
			files[manifestDir+strings.TrimPrefix(manifest.Digest(data), "sha256:")+".json"] = data
		}
		if p.Gate == "" {
			continue
		}
		if err := manifest.ValidateDigest(p.Gate); err != nil {
			return nil, fmt.Errorf("build bundle %s: log entry %d: %w", release, i+1, err)
		}
		if ev == nil {
			if ev, err = evidenceOf(src.Store); err != nil {
				return nil, fmt.Errorf("build bundle %s: policy report %s: %w", release, p.Gate, err)
			}
		}
		data, err = ev.Evidence(ctx, p.Gate)
		if err != nil {
			return nil, fmt.Errorf("build bundle %s: %w: policy report %s: %w", release, ErrSource, p.Gate, err)
		}
		files[policyDir+strings.TrimPrefix(p.Gate, "sha256:")+".json"] = data
	}

	idx := Index{
		Format:     Format,
		Release:    release,
		Commit:     rec.Commit,
		TagObject:  hash,
		VerifiedAt: at,
	}
	b := &Bundle{files: files}
	if err := checkNames(b.Names()); err != nil {
		return nil, fmt.Errorf("build bundle %s: %w", release, err)
	}
	for _, name := range b.Names() {
		sum := sha256.Sum256(files[name])
		idx.Files = append(idx.Files, File{Name: name, Size: int64(len(files[name])), SHA256: hex.EncodeToString(sum[:])})
	}
	if files[IndexName], err = marshalJSON(idx); err != nil {
		return nil, fmt.Errorf("build bundle %s: %w", release, err)
	}
	return b, nil
}

// evidenceOf returns st as an evidenceReader, or an error wrapping
// ErrSource when it keeps no evidence.
func evidenceOf(st manifest.Store) (evidenceReader, error) {
	ev, ok := st.(evidenceReader)
	if !ok {
		return nil, fmt.Errorf("%w: the store keeps no evidence", ErrSource)
	}
	return ev, nil
}

// changesName is the bundle file of the changed-files manifest of digest.
func changesName(digest string) string {
	return changesDir + strings.TrimPrefix(digest, "sha256:") + ".json"
}

// releaseFilter tells which log entries are about the release of rec. Feed it
// the log in order: a manifest rollback is about the release when the
// manifest it replaced, promoted earlier, pinned it.
type releaseFilter struct {
	rec       manifest.Record
	manifests map[string]bool // digests of the manifests seen that pin the release
}

func newBundleAbout(rec manifest.Record) *releaseFilter {
	return &releaseFilter{rec: rec, manifests: map[string]bool{}}
}

// concerns reports whether e, the next entry of the log, is about the
// release: a promotion of it (a rollback to it included), a rollback away
// from it, a manifest promotion pinning its tag at its commit, a manifest
// rollback away from such a manifest, a deploy result or a deployment
// outcome of it, or a refused attempt about it.
func (a *releaseFilter) concerns(e manifest.Entry) bool {
	if p := e.Promotion; p != nil {
		if p.Manifest == nil {
			return p.Release == a.rec.Tag || p.RollbackFrom == a.rec.Tag
		}
		if pins(*p.Manifest, a.rec) {
			a.manifests[p.Digest] = true
			return true
		}
		return p.RollbackFrom != "" && a.manifests[p.RollbackFrom]
	}
	if r := e.Result; r != nil {
		return r.Release == a.rec.Tag
	}
	if d := e.Deploy; d != nil {
		return d.Release == a.rec.Tag
	}
	if d := e.Denial; d != nil {
		return d.Release == a.rec.Tag
	}
	return false
}

// pins reports whether m pins the release of rec: its tag at its
// commit.
func pins(m manifest.Manifest, rec manifest.Record) bool {
	return slices.ContainsFunc(m.Repos, func(r manifest.Repo) bool {
		return r.Tag == rec.Tag && r.Commit == rec.Commit
	})
}

// entryName is the bundle file of log entry seq.
func entryName(seq uint64) string {
	return fmt.Sprintf("%s%020d.json", logDir, seq)
}

// tagObject reads the raw annotated tag object of refs/tags/name and
// its hash.
func tagObject(repo *git.Repository, name string) ([]byte, string, error) {
	ref, err := repo.Reference(plumbing.NewTagReferenceName(name), false)
	if err != nil {
		return nil, "", fmt.Errorf("release tag %s: %w", name, err)
	}
	if ref.Type() != plumbing.HashReference {
		return nil, "", fmt.Errorf("release tag %s is a symbolic reference", name)
	}
	obj, err := repo.Storer.EncodedObject(plumbing.AnyObject, ref.Hash())
	if err != nil {
		return nil, "", fmt.Errorf("release tag %s: %w", name, err)
	}
	if obj.Type() != plumbing.TagObject {
		return nil, "", fmt.Errorf("release tag %s is not an annotated tag (it names a %s)", name, obj.Type())
	}
	if obj.Size() > MaxFileSize {
		return nil, "", fmt.Errorf("release tag %s: tag object of %d bytes", name, obj.Size())
	}
	r, err := obj.Reader()
	if err != nil {
		return nil, "", fmt.Errorf("release tag %s: %w", name, err)
	}
	defer r.Close()
	raw, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, "", fmt.Errorf("release tag %s: %w", name, err)
	}
	return raw, ref.Hash().String(), nil
}

// readFS reads the regular file name of fsys, up to MaxFileSize.
func readFS(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, &FormatError{Name: name, Detail: fi.Mode().Type().String(), Reason: ReasonNotRegular}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileSize {
		return nil, &FormatError{Name: name, Detail: "file over MaxBundleFileSize", Reason: ReasonTooLarge}
	}
	return data, nil
}

// parseCheckpoint reads the count and head of a checkpoint written by
// manifest.SignCheckpoint without checking its signature.
func parseCheckpoint(data []byte) (manifest.Checkpoint, error) {
	var w struct {
		Type  string `json:"type"`
		Count uint64 `json:"count"`
		Head  string `json:"head"`
	}
	if err := strictjson.Unmarshal(data, &w, strictjson.Options{}); err != nil {
		return manifest.Checkpoint{}, err
	}
	cp := manifest.Checkpoint{Count: w.Count, Head: w.Head}
	if canon, err := manifest.MarshalCheckpoint(cp); err != nil || !bytes.Equal(canon, data) {
		return manifest.Checkpoint{}, errors.New("not a canonical checkpoint")
	}
	return cp, nil
}

// marshalJSON is the indented JSON of v with a final newline, the form of
// the bundle's own JSON files.
func marshalJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// decodeStrict decodes data, one JSON value, into v, refusing unknown
// fields, duplicate keys and trailing data (strictjson.Unmarshal), and
// requires data to be the canonical form marshalJSON writes, so that a
// document has one reading only (no case-folded keys, no other layout).
func decodeStrict(data []byte, v any) error {
	if err := strictjson.Unmarshal(data, v, strictjson.Options{}); err != nil {
		return err
	}
	canon, err := marshalJSON(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(canon, data) {
		return errors.New("not in canonical form")
	}
	return nil
}

// Names returns the names of the bundle's files in sorted order. The slice
// is the caller's.
func (b *Bundle) Names() []string {
	if b == nil {
		return nil
	}
	names := make([]string, 0, len(b.files))
	for name := range b.files {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// File returns a copy of the bytes of the file name, and whether the bundle
// has it.
func (b *Bundle) File(name string) ([]byte, bool) {
	if b == nil {
		return nil, false
	}
	data, ok := b.files[name]
	return slices.Clone(data), ok
}

// maxIndexSize bounds index.json: the canonical index of
// MaxFiles files, each entry well under 1 KiB (a name of at most
// MaxName bytes, its size and SHA-256), is smaller. A larger index is
// refused before it is decoded.
const maxIndexSize = MaxFiles << 10

// Index returns the bundle's index.json, parsed. It returns an error
// wrapping [errIndex] when the file is missing or malformed, or larger
// than the index of MaxFiles files can be.
func (b *Bundle) Index() (Index, error) {
	var data []byte
	ok := false
	if b != nil {
		data, ok = b.files[IndexName]
	}
	if !ok {
		return Index{}, fmt.Errorf("%w: no %s", errIndex, IndexName)
	}
	if len(data) > maxIndexSize {
		return Index{}, fmt.Errorf("%w: %d bytes, larger than an index of MaxBundleFiles files", errIndex, len(data))
	}
	var idx Index
	if err := decodeStrict(data, &idx); err != nil {
		return Index{}, fmt.Errorf("%w: %w", errIndex, err)
	}
	return idx, nil
}

// modTime is the time written on the bundle's files: the tagger time of the
// release tag (to the second), or the Unix epoch when the bundle has no tag
// object that parses. It depends only on the bundle's content.
func (b *Bundle) modTime() time.Time {
	if raw, ok := b.files[TagName]; ok {
		if obj, err := tagging.Parse(raw); err == nil && obj.Tagger.When.Unix() > 0 {
			return time.Unix(obj.Tagger.When.Unix(), 0).UTC()
		}
	}
	return time.Unix(0, 0).UTC()
}

// WriteTarGz writes the bundle to w as a gzip-compressed tar archive. The
// output depends only on the bundle's files (and the Go version's compressor):
// files in name order, regular files only (no directory entries), mode
// 0644, owner 0:0 without user or group names, and as modification time the
// release tag's tagger time (the Unix epoch without a tag object); the gzip
// header has no name and no time. index.json comes first, so that a reader
// of the stream meets the index before the files it lists. So the same bundle always gives the same
// bytes, and an archive read with [Read] and written again is
// byte-identical to the original when that was written here too.
func (b *Bundle) WriteTarGz(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	tw := tar.NewWriter(zw)
	mtime := b.modTime()
	names := b.Names()
	if i := slices.Index(names, IndexName); i > 0 {
		names = slices.Concat([]string{IndexName}, names[:i], names[i+1:])
	}
	for _, name := range names {
		data := b.files[name]
		hdr := &tar.Header{
			Typeflag: tar.TypeReg,
			Name:     name,
			Size:     int64(len(data)),
			Mode:     0o644,
			ModTime:  mtime,
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return fmt.Errorf("write bundle %s: %w", name, err)
		}
		if _, err := tw.Write(data); err != nil {
			return fmt.Errorf("write bundle %s: %w", name, err)
		}
	}
	if err := tw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write bundle: %w", err)
	}
	return nil
}

// WriteDir writes the bundle as a new directory dir, atomically: the files
// are written and synced in a temporary directory next to dir, which is then
// renamed to dir, so dir holds the whole bundle or does not exist. dir must
// not exist (an error wrapping fs.ErrExist otherwise). On any error nothing is
// left behind.
func (b *Bundle) WriteDir(dir string) (err error) {
	if _, err := os.Lstat(dir); err == nil {
		return fmt.Errorf("write bundle %s: %w", dir, fs.ErrExist)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	parent := filepath.Dir(dir)
	tmp, err := os.MkdirTemp(parent, ".bundle-*.tmp")
	if err != nil {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	defer func() {
		if err != nil {
			os.RemoveAll(tmp)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	defer root.Close()
	dirs := map[string]bool{".": true}
	for _, name := range b.Names() {
		if err := validName(name); err != nil {
			return fmt.Errorf("write bundle %s: %w", dir, err)
		}
		if d := path.Dir(name); !dirs[d] {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("write bundle %s: %w", dir, err)
			}
			for ; !dirs[d]; d = path.Dir(d) {
				dirs[d] = true
			}
		}
		if err := writeFile(root, name, b.files[name]); err != nil {
			return fmt.Errorf("write bundle %s: %s: %w", dir, name, err)
		}
	}
	for _, d := range slices.Sorted(maps.Keys(dirs)) {
		if err := syncDir(root, d); err != nil {
			return fmt.Errorf("write bundle %s: %w", dir, err)
		}
	}
	if err := os.Rename(tmp, dir); err != nil {
		return fmt.Errorf("write bundle %s: %w", dir, err)
	}
	if d, err := os.Open(parent); err == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

func writeFile(root *os.Root, name string, data []byte) error {
	f, err := root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(root *os.Root, name string) error {
	d, err := root.Open(name)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Read parses a bundle from r, a gzip-compressed tar archive as
// [Bundle.WriteTarGz] writes it. It is strict, and every refusal is a
// *[FormatError]:
//   - input that is not one gzip member holding a tar archive, or is
//     corrupt (ReasonMalformed);
//   - an entry that is not a regular file: links, devices, FIFOs, directory
//     entries, sparse files (ReasonNotRegular);
//   - a name that is absolute or holds "..", or is otherwise unsafe to
//     extract (ReasonUnsafePath);
//   - two entries of one name, also differing only in case, or a name that
//     is also a directory of another (ReasonDuplicate);
//   - more than MaxFiles entries, a file over MaxFileSize, or
//     more than MaxSize in all, however well compressed
//     (ReasonTooLarge);
//   - anything after the archive but zero padding (ReasonTrailingData).
//
// Read checks the form only; [Verify] checks the content.
func Read(r io.Reader) (*Bundle, error) {
	br := bufio.NewReader(r)
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, &FormatError{Detail: err.Error(), Reason: ReasonMalformed}
	}
	zr.Multistream(false)
	// The archive may hold MaxSize bytes of content, plus headers and
	// padding: at most four 512-byte blocks per file of overhead (a PAX
	// header and its records, which a name of MaxName bytes fits in
	// one block, the header, padding), and tar's end padding.
	lr := &limitReader{r: zr, n: MaxSize + (MaxFiles+1)*4*512 + 20*512}
	tr := tar.NewReader(lr)
	files := map[string][]byte{}
	var total int64
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr("", err)
		}
		if len(files) >= MaxFiles {
			return nil, &FormatError{Detail: fmt.Sprintf("more than %d files", MaxFiles), Reason: ReasonTooLarge}
		}
		if err := validName(hdr.Name); err != nil {
			return nil, err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil, &FormatError{Name: hdr.Name, Detail: fmt.Sprintf("type %q", hdr.Typeflag), Reason: ReasonNotRegular}
		}
		for k := range hdr.PAXRecords {
			if strings.HasPrefix(k, "GNU.sparse.") {
				return nil, &FormatError{Name: hdr.Name, Detail: "sparse file", Reason: ReasonNotRegular}
			}
		}
		if hdr.Size < 0 || hdr.Size > MaxFileSize {
			return nil, &FormatError{Name: hdr.Name, Detail: fmt.Sprintf("%d bytes", hdr.Size), Reason: ReasonTooLarge}
		}
		if total += hdr.Size; total > MaxSize {
			return nil, &FormatError{Name: hdr.Name, Detail: "more than MaxBundleSize in all", Reason: ReasonTooLarge}
		}
		if _, dup := files[hdr.Name]; dup {
			return nil, &FormatError{Name: hdr.Name, Reason: ReasonDuplicate}
		}
		// Read what is there rather than allocate what the header claims:
		// a header may claim far more than the archive holds.
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(io.LimitReader(tr, hdr.Size)); err != nil {
			return nil, readErr(hdr.Name, err)
		}
		if int64(buf.Len()) != hdr.Size {
			return nil, &FormatError{Name: hdr.Name, Detail: "unexpected end of archive", Reason: ReasonMalformed}
		}
		files[hdr.Name] = buf.Bytes()
	}
	// After the end marker: zero padding only, to the end of the gzip member,
	// whose checksum is checked when it is read to its end.
	var buf [4096]byte
	for {
		n, err := lr.Read(buf[:])
		if bytes.ContainsFunc(buf[:n], func(r rune) bool { return r != 0 }) {
			return nil, &FormatError{Detail: "data after the tar end marker", Reason: ReasonTrailingData}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, readErr("", err)
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		if err != nil {
			return nil, readErr("", err)
		}
		return nil, &FormatError{Detail: "data after the gzip stream", Reason: ReasonTrailingData}
	}
	b := &Bundle{files: files}
	if err := checkNames(b.Names()); err != nil {
		return nil, err
	}
	return b, nil
}

// errLimit is the error of a limitReader past its limit.
var errLimit = errors.New("audit: bundle archive over its size limit")

// limitReader reads at most n bytes from r and then fails with
// errLimit, so that a decompression bomb is cut short.
type limitReader struct {
	r io.Reader
	n int64
}

func (l *limitReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// Tell a stream that ended exactly at the limit from a longer one.
		var one [1]byte
		n, err := l.r.Read(one[:])
		if n > 0 {
			return 0, errLimit
		}
		return 0, err
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// readErr turns an error reading the archive into a
// *FormatError.
func readErr(name string, err error) error {
	var fe *FormatError
	switch {
	case errors.As(err, &fe):
		return err
	case errors.Is(err, errLimit):
		return &FormatError{Name: name, Detail: "archive over its size limit", Reason: ReasonTooLarge}
	case errors.Is(err, io.EOF):
		return &FormatError{Name: name, Detail: "unexpected end of archive", Reason: ReasonMalformed}
	}
	return &FormatError{Name: name, Detail: err.Error(), Reason: ReasonMalformed}
}

// ReadDir parses a bundle from the directory tree fsys, as
// [Bundle.WriteDir] writes it, with the limits and refusals of [Read]:
// every entry must be a directory or a regular file (symbolic links,
// devices and FIFOs are ReasonNotRegular). Directories carry no data and
// empty ones are ignored. For a directory on disk, pass an os.Root's FS
// (os.OpenRoot(dir) and Root.FS) so that nothing outside it can be opened
// even when the tree changes while it is read.
func ReadDir(fsys fs.FS) (*Bundle, error) {
	files := map[string][]byte{}
	var total int64
	err := fs.WalkDir(fsys, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if name == "." {
			return nil
		}
		if err := validName(name); err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return &FormatError{Name: name, Detail: d.Type().String(), Reason: ReasonNotRegular}
		}
		if len(files) >= MaxFiles {
			return &FormatError{Detail: fmt.Sprintf("more than %d files", MaxFiles), Reason: ReasonTooLarge}
		}
		data, err := readFS(fsys, name)
		if err != nil {
			return err
		}
		if total += int64(len(data)); total > MaxSize {
			return &FormatError{Name: name, Detail: "more than MaxBundleSize in all", Reason: ReasonTooLarge}
		}
		files[name] = data
		return nil
	})
	if err != nil {
		var fe *FormatError
		if errors.As(err, &fe) {
			return nil, err
		}
		return nil, fmt.Errorf("read bundle: %w", err)
	}
	b := &Bundle{files: files}
	if err := checkNames(b.Names()); err != nil {
		return nil, err
	}
	return b, nil
}

// validName returns a *FormatError (ReasonUnsafePath) unless
// name is a relative, slash-separated path that is safe to create on any
// file system.
func validName(name string) error {
	bad := func(reason string) error {
		return &FormatError{Name: name, Detail: reason, Reason: ReasonUnsafePath}
	}
	switch {
	case len(name) > MaxName:
		return bad("name too long")
	case !utf8.ValidString(name):
		return bad("not UTF-8")
	case !fs.ValidPath(name) || name == ".":
		return bad("absolute, or holds an empty, \".\" or \"..\" element")
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' || r == ':' }):
		return bad("holds a control character, a backslash or a colon")
	}
	return nil
}

// checkNames returns a *FormatError (ReasonDuplicate) when
// two of the sorted names differ only in case (Unicode simple case folding,
// as strings.EqualFold: "σ" and "ς", "s" and "ſ" too), or one is a
// directory of another.
func checkNames(names []string) error {
	folded := make(map[string]string, len(names))
	for _, name := range names {
		k := strictjson.FoldKey(name)
		if other, ok := folded[k]; ok {
			return &FormatError{Name: name, Detail: "same name as " + strconv.Quote(other) + " but for case", Reason: ReasonDuplicate}
		}
		folded[k] = name
	}
	for _, name := range names {
		for d := path.Dir(name); d != "."; d = path.Dir(d) {
			if other, ok := folded[strictjson.FoldKey(d)]; ok {
				return &FormatError{Name: name, Detail: strconv.Quote(other) + " is a file", Reason: ReasonDuplicate}
			}
		}
	}
	return nil
}

// parseReport parses a policy report from the bundle.
func parseReport(data []byte) (policy.Report, error) {
	return policy.ReadReport(bytes.NewReader(data))
}
