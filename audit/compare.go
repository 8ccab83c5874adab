package audit

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

// The values of ArtifactDiff.Change.
const (
	ChangeAdded     = "added"
	ChangeRemoved   = "removed"
	ChangeChanged   = "changed"
	ChangeUnchanged = "unchanged"
)

// A Comparison is what changed from one release to another: the commits
// and their tickets and pull requests, the promotions of the newer release,
// and for each artifact its digests and, for archives, the files added,
// removed and changed.
type Comparison struct {
	From       string `json:"from"`
	To         string `json:"to"`
	FromCommit string `json:"from_commit"`
	ToCommit   string `json:"to_commit"`
	// FromProduction and ToProduction report whether the log shows each
	// release promoted to production.
	FromProduction bool `json:"from_production"`
	ToProduction   bool `json:"to_production"`
	// Commits are those of `git rev-list TO --not FROM`, newest first;
	// Tickets and PRs the references they carry, in that order.
	Commits []CommitInfo `json:"commits"`
	Tickets []string     `json:"tickets"`
	PRs     []string     `json:"prs"`
	// Promotions are the logged promotions of To, oldest first; Log is
	// the log's link.
	Promotions []PromotionInfo `json:"promotions"`
	Log        Link            `json:"log"`
	// Artifacts are matched by name (case-insensitively), To's order
	// first, then those only in From.
	Artifacts []ArtifactDiff `json:"artifacts"`
}

// An ArtifactDiff compares one artifact of two releases.
type ArtifactDiff struct {
	Name   string `json:"name"`
	Change string `json:"change"`         // ChangeAdded, ChangeRemoved, ChangeChanged, ChangeUnchanged
	From   string `json:"from,omitempty"` // digest in From
	To     string `json:"to,omitempty"`   // digest in To
	// Files is set when both artifacts are archives found in the evidence.
	Files *FileDiff `json:"files,omitempty"`
	// Reason says why files were not compared.
	Reason string `json:"reason,omitempty"`
	Error  string `json:"error,omitempty"`
	// Err is set when an artifact could not be read, does not hash to its
	// recorded digest (a *TrailError with ReasonDigestMismatch) or is refused by ListArchive
	// (*ArchiveError).
	Err error `json:"-"`
}

// A FileDiff lists the files of two archives that differ, by path.
type FileDiff struct {
	Added     []ArchiveFile `json:"added"`
	Removed   []ArchiveFile `json:"removed"`
	Changed   []FileChange  `json:"changed"`
	Unchanged int           `json:"unchanged"`
}

// A FileChange is a file whose content differs.
type FileChange struct {
	Path       string `json:"path"`
	FromSHA256 string `json:"from_sha256"`
	ToSHA256   string `json:"to_sha256"`
	FromSize   int64  `json:"from_size"`
	ToSize     int64  `json:"to_size"`
}

// Compare returns what changed from release from to release to (tags or
// versions with records in src.Store): commits, tickets and pull requests
// from the repository, to's promotions from the log, and for each artifact
// the files added, removed and changed, for archives (tar, tar.gz, zip)
// found in src.Evidence at their URI or at TAG/NAME, each checked against
// its recorded digest first. It returns an error wrapping ErrNoStore,
// ErrNoRepository, ErrUnknownRelease (with manifest.ErrNotFound) and errors
// reading the store or the repository; problems with one artifact are
// reported in its ArtifactDiff.
func Compare(ctx context.Context, src Sources, from, to string) (*Comparison, error) {
	if src.Store == nil {
		return nil, ErrNoStore
	}
	if src.Repo == nil {
		return nil, ErrNoRepository
	}
	a, err := record(ctx, src, from)
	if err != nil {
		return nil, err
	}
	b, err := record(ctx, src, to)
	if err != nil {
		return nil, err
	}
	lg, err := readLog(ctx, src)
	if err != nil {
		return nil, err
	}
	c := &Comparison{From: a.Tag, To: b.Tag, FromCommit: a.Commit, ToCommit: b.Commit, Log: lg.link,
		Commits: []CommitInfo{}, Tickets: []string{}, PRs: []string{}, Promotions: []PromotionInfo{}}
	prod := src.production()
	for _, e := range lg.entries {
		p := e.Promotion
		if p == nil || p.Manifest != nil {
			continue
		}
		if p.Env == prod {
			c.FromProduction = c.FromProduction || p.Release == a.Tag
			c.ToProduction = c.ToProduction || p.Release == b.Tag
		}
		if p.Release == b.Tag {
			c.Promotions = append(c.Promotions, *promotionInfo(e, lg.entries))
		}
	}
	rng := commits.Range{From: []plumbing.Hash{plumbing.NewHash(a.Commit)}, To: plumbing.NewHash(b.Commit)}
	for cm, err := range commits.Log(ctx, src.Repo, rng) {
		if err != nil {
			return nil, fmt.Errorf("log %s..%s: %w", a.Tag, b.Tag, err)
		}
		c.Commits = append(c.Commits, CommitInfo{
			Hash: cm.Hash, Subject: cm.Subject, Author: cm.Author.Name + " <" + cm.Author.Email + ">",
			Date: cm.Committer.When, Conventional: cm.Conventional, Tickets: cm.Tickets, PR: cm.PR,
			CherryPickedFrom: cm.CherryPickedFrom,
		})
		for _, tk := range cm.Tickets {
			if !slices.Contains(c.Tickets, tk) {
				c.Tickets = append(c.Tickets, tk)
			}
		}
		if cm.PR != 0 {
			if ref := fmt.Sprintf("#%d", cm.PR); !slices.Contains(c.PRs, ref) {
				c.PRs = append(c.PRs, ref)
			}
		}
	}
	for _, art := range b.Artifacts {
		i := slices.IndexFunc(a.Artifacts, func(x manifest.Artifact) bool { return strings.EqualFold(x.Name, art.Name) })
		if i < 0 {
			c.Artifacts = append(c.Artifacts, ArtifactDiff{Name: art.Name, Change: ChangeAdded, To: art.Digest})
			continue
		}
		old := a.Artifacts[i]
		d := ArtifactDiff{Name: art.Name, From: old.Digest, To: art.Digest, Change: ChangeChanged}
		if old.Digest == art.Digest {
			d.Change = ChangeUnchanged
		}
		d.Files, d.Reason, d.Err = diffFiles(ctx, src, a.Tag, old, b.Tag, art)
		if d.Err != nil {
			d.Error = d.Err.Error()
		}
		c.Artifacts = append(c.Artifacts, d)
	}
	for _, old := range a.Artifacts {
		if !slices.ContainsFunc(b.Artifacts, func(x manifest.Artifact) bool { return strings.EqualFold(x.Name, old.Name) }) {
			c.Artifacts = append(c.Artifacts, ArtifactDiff{Name: old.Name, Change: ChangeRemoved, From: old.Digest})
		}
	}
	return c, nil
}

// diffFiles lists both archives and compares their files.
func diffFiles(ctx context.Context, src Sources, fromTag string, from manifest.Artifact, toTag string, to manifest.Artifact) (*FileDiff, string, error) {
	if err := ctx.Err(); err != nil {
		return nil, "", err
	}
	oldFiles, reason, err := list(src, fromTag, from)
	if oldFiles == nil {
		return nil, reason, err
	}
	newFiles, reason, err := list(src, toTag, to)
	if newFiles == nil {
		return nil, reason, err
	}
	d := &FileDiff{Added: []ArchiveFile{}, Removed: []ArchiveFile{}, Changed: []FileChange{}}
	byPath := map[string]ArchiveFile{}
	for _, f := range oldFiles {
		byPath[f.Path] = f
	}
	for _, f := range newFiles {
		o, ok := byPath[f.Path]
		switch {
		case !ok:
			d.Added = append(d.Added, f)
		case o.SHA256 != f.SHA256:
			d.Changed = append(d.Changed, FileChange{Path: f.Path, FromSHA256: o.SHA256, ToSHA256: f.SHA256, FromSize: o.Size, ToSize: f.Size})
		default:
			d.Unchanged++
		}
		delete(byPath, f.Path)
	}
	for _, f := range oldFiles {
		if _, ok := byPath[f.Path]; ok {
			d.Removed = append(d.Removed, f)
		}
	}
	return d, "", nil
}

// list reads the artifact a of release tag from the evidence, checks
// its digest and lists it. Without files it returns why: a reason alone
// when the artifact is not in the evidence or not an archive, an error when
// it cannot be read or trusted.
func list(src Sources, tag string, a manifest.Artifact) ([]ArchiveFile, string, error) {
	var data []byte
	var where string
	for _, loc := range []string{a.URI, path.Join(tag, a.Name)} {
		b, err := readEvidence(src.Evidence, loc, DefaultArchiveMaxTotalSize)
		if errors.Is(err, ErrMissingEvidence) || errors.Is(err, sbom.ErrInvalidReference) {
			continue
		}
		if err != nil {
			return nil, "", fmt.Errorf("artifact %s of %s: %w", a.Name, tag, err)
		}
		data, where = b, loc
		break
	}
	if data == nil {
		return nil, fmt.Sprintf("%s of %s is not in the evidence: digests compared only", a.Name, tag), nil
	}
	if got := manifest.Digest(data); got != a.Digest {
		return nil, "", &TrailError{Reason: ReasonDigestMismatch, Detail: fmt.Sprintf("%s of %s at %s is %s, the record names %s", a.Name, tag, where, got, a.Digest)}
	}
	if kind := sniffKind(data); kind == "" || (kind == "tar.gz" && !gzipIsTar(data)) {
		return nil, fmt.Sprintf("%s is not a tar, tar.gz or zip archive: digests compared only", a.Name), nil
	}
	files, err := ListArchive(bytes.NewReader(data), int64(len(data)), ArchiveLimits{})
	if err != nil {
		return nil, "", fmt.Errorf("artifact %s of %s: %w", a.Name, tag, err)
	}
	if files == nil {
		files = []ArchiveFile{}
	}
	return files, "", nil
}

// WriteText writes the comparison for people, with control characters
// escaped as TrailReport.WriteText does.
func (c *Comparison) WriteText(w io.Writer) error {
	var buf bytes.Buffer
	line(&buf, "%s..%s: %d commit(s), tickets %s, pull requests %s", c.From, c.To, len(c.Commits),
		dash(strings.Join(c.Tickets, ", ")), dash(strings.Join(c.PRs, ", ")))
	for _, cm := range c.Commits {
		line(&buf, "  commit %s %s", shortHash(cm.Hash), cm.Subject)
	}
	for _, p := range c.Promotions {
		line(&buf, "  promotion %s: %s", p.Env, promotionReason(&manifest.Promotion{
			PromotedAt: p.PromotedAt, Approver: p.Approver, Window: p.Window, Emergency: p.Emergency, RollbackFrom: p.RollbackFrom,
		}))
	}
	for _, a := range c.Artifacts {
		line(&buf, "  artifact %s: %s", a.Name, a.Change)
		if a.Files != nil {
			for _, f := range a.Files.Added {
				line(&buf, "    + %s", f.Path)
			}
			for _, f := range a.Files.Removed {
				line(&buf, "    - %s", f.Path)
			}
			for _, f := range a.Files.Changed {
				line(&buf, "    ~ %s", f.Path)
			}
		}
		if a.Reason != "" {
			line(&buf, "    (%s)", a.Reason)
		}
		if a.Error != "" {
			line(&buf, "    error: %s", a.Error)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// gzipIsTar reports whether the gzip stream data may hold a tar
// archive: false only when it decompresses cleanly to something that is not
// one (a compressed binary), so that a corrupt archive is still listed and
// refused by ListArchive.
func gzipIsTar(data []byte) bool {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return true
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(zr, head)
	switch {
	case err == nil:
		return sniffKind(head[:n]) == "tar"
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		// A whole stream shorter than one tar block is no archive; a
		// stream cut short is left to ListArchive.
		_, err := io.Copy(io.Discard, zr)
		return err != nil
	default:
		return true
	}
}

// sniffKind names the archive format data starts with: "tar.gz", "zip",
// "tar", or "" for none of them.
func sniffKind(head []byte) string {
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return "tar.gz"
	case bytes.HasPrefix(head, []byte("PK\x03\x04")) || bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return "zip"
	case len(head) >= 262 && bytes.HasPrefix(head[257:], []byte("ustar")):
		return "tar"
	default:
		return ""
	}
}
