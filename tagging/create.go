package tagging

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
)

// A Request describes the tag to create. Every field is required.
type Request struct {
	Name    string        // the short tag name, such as v1.2.3
	Target  plumbing.Hash // the exact commit to tag
	Tagger  Identity      // who tags, and when
	Message string        // cleaned up as `git tag -m` does (CleanMessage: '#' lines are dropped)
}

// A Tag is an annotated tag in a repository.
type Tag struct {
	Name      string
	Hash      plumbing.Hash // the tag object
	Target    plumbing.Hash // the commit it points at
	Tagger    Identity
	Message   string           // the message, without the signature
	Signature []byte           // the armored signature block; nil when unsigned
	Format    signature.Format // "" when unsigned
	// Created is false when the tag already existed at the requested commit
	// and was returned as it is (an idempotent re-run).
	Created bool
}

// An Option configures Create and CreateUnsigned.
type Option func(*createConfig)

type createConfig struct {
	scheme      *semver.Scheme
	lockTimeout time.Duration
	refs        []plumbing.ReferenceName
}

// WithRequiredRef makes Create fail (an *Error, "reference moved since the
// release was planned") unless ref (HEAD,
// refs/heads/main, ...) still resolves to the requested commit when the tag
// is made: a release job that planned a commit refuses to tag once the
// branch it planned from has moved on.
func WithRequiredRef(ref plumbing.ReferenceName) Option {
	return func(c *createConfig) { c.refs = append(c.refs, ref) }
}

// WithScheme requires the tag name to be a release version under scheme
// (for example semver.Scheme{Prefix: "v"}: v1.2.3, v1.3.0-rc.1).
func WithScheme(scheme semver.Scheme) Option {
	return func(c *createConfig) { c.scheme = &scheme }
}

// WithLockTimeout sets how long Create waits for a reference lock held by
// another writer before it returns an *Error, "reference is locked" (default
// 10 seconds).
func WithLockTimeout(d time.Duration) Option {
	return func(c *createConfig) { c.lockTimeout = d }
}

// Create writes a signed annotated tag object for req, laid out byte for
// byte as `git tag -s` writes it, and creates refs/tags/NAME atomically: the
// reference is created through refs/tags/NAME.lock opened with O_EXCL, the
// protocol git itself follows, so of several goroutines or processes racing
// for one name exactly one creates it. A name that exists (loose or in
// packed-refs) at the requested commit is an idempotent success returning
// the existing tag as it is, with Created false (its signature is not
// checked or compared: look at Tag.Format, or Verify it); at another commit,
// as a lightweight tag, or as anything that is not a readable annotated tag
// of a commit (a tag of a tree, a malformed object, a symbolic reference),
// it is an *ExistsError (ErrTagExists) naming both commits, and nothing is
// changed. A reference in the way (refs/tags/a when creating a/b, or the
// reverse) is ErrInvalidRefName, as git refuses it. There is no way to move
// or delete a tag through this package.
//
// Errors: ErrInvalidRefName (*NameError), ErrInvalidTagger,
// ErrEmptyMessage, ErrInvalidMessage, signature.ErrSign, ErrTagExists
// (*ExistsError), and an *Error for an object not found, a target that is
// not a commit, no signer, a reference locked or moved, or storage that is
// not a git directory. When signing
// fails no object and no reference are written.
func Create(ctx context.Context, repo *git.Repository, req Request, s signature.Signer, opts ...Option) (*Tag, error) {
	if s == nil {
		return nil, fmt.Errorf("create tag %s: %w (use CreateUnsigned for an unsigned tag)", req.Name, &Error{Reason: "no signer"})
	}
	return create(ctx, repo, req, s, opts)
}

// CreateUnsigned is Create for an unsigned annotated tag, for callers that
// decided explicitly that a release tag needs no signature.
func CreateUnsigned(ctx context.Context, repo *git.Repository, req Request, opts ...Option) (*Tag, error) {
	return create(ctx, repo, req, nil, opts)
}

func create(ctx context.Context, repo *git.Repository, req Request, s signature.Signer, opts []Option) (*Tag, error) {
	c := createConfig{lockTimeout: 10 * time.Second}
	for _, o := range opts {
		o(&c)
	}
	wrap := func(err error) error { return fmt.Errorf("create tag %s: %w", req.Name, err) }
	if err := ValidateName(req.Name); err != nil {
		return nil, err
	}
	if c.scheme != nil {
		if err := checkScheme(req.Name, *c.scheme); err != nil {
			return nil, err
		}
	}
	if err := req.Tagger.validate(); err != nil {
		return nil, wrap(err)
	}
	msg := CleanMessage(req.Message)
	if msg == "" {
		return nil, wrap(ErrEmptyMessage)
	}
	if err := checkMessage(msg); err != nil {
		return nil, wrap(err)
	}
	gitDir, err := gitDirOf(repo)
	if err != nil {
		return nil, wrap(err)
	}
	if err := isCommit(repo, req.Target); err != nil {
		return nil, wrap(err)
	}
	for _, r := range c.refs {
		ref, err := repo.Reference(r, true)
		if err != nil {
			return nil, wrap(&Error{Reason: "reference moved since the release was planned", Detail: fmt.Sprintf("%s: %v", r, err)})
		}
		if ref.Hash() != req.Target {
			return nil, wrap(&Error{Reason: "reference moved since the release was planned", Detail: fmt.Sprintf("%s is at %s, not at the planned %s", r, ref.Hash(), req.Target)})
		}
	}
	refName := "refs/tags/" + req.Name
	if h, ok, err := readRef(gitDir, refName); err != nil {
		return nil, wrap(err)
	} else if ok {
		return existing(repo, req, h)
	}
	raw := encodeHeader(req.Target, "commit", req.Name, req.Tagger, msg)
	if s != nil {
		sig, err := s.Sign(ctx, bytes.NewReader(raw))
		if err != nil {
			if errors.Is(err, signature.ErrSign) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return nil, wrap(err)
			}
			return nil, wrap(fmt.Errorf("%w: %v", signature.ErrSign, err))
		}
		raw = append(raw, sig...)
	}
	obj, err := Parse(raw)
	if err != nil || !bytes.Equal(obj.Payload, raw[:len(obj.Payload)]) || (s != nil && obj.Signature == nil) {
		return nil, wrap(fmt.Errorf("%w: the signer did not return one armored signature block", signature.ErrSign))
	}
	if err := ctx.Err(); err != nil {
		return nil, wrap(err)
	}
	eo := repo.Storer.NewEncodedObject()
	eo.SetType(plumbing.TagObject)
	w, err := eo.Writer()
	if err != nil {
		return nil, wrap(err)
	}
	if _, err := w.Write(raw); err != nil {
		return nil, wrap(err)
	}
	if err := w.Close(); err != nil {
		return nil, wrap(err)
	}
	hash, err := repo.Storer.SetEncodedObject(eo)
	if err != nil {
		return nil, wrap(fmt.Errorf("store tag object: %w", err))
	}
	created, err := createRef(ctx, gitDir, refName, hash, c.lockTimeout)
	if err != nil {
		return nil, wrap(err)
	}
	if created != hash {
		return existing(repo, req, created)
	}
	t := tagFromObject(hash, obj)
	t.Created = true
	return t, nil
}

func tagFromObject(h plumbing.Hash, o *Object) *Tag {
	return &Tag{Name: o.Name, Hash: h, Target: o.Target, Tagger: o.Tagger, Message: o.Message, Signature: o.Signature, Format: o.Format}
}

// existing handles a name that already exists at h.
func existing(repo *git.Repository, req Request, h plumbing.Hash) (*Tag, error) {
	commit, obj, err := peel(repo, h)
	if err != nil || commit != req.Target || obj == nil || obj.Name != req.Name {
		// The name is taken: by another commit, a lightweight tag, or
		// something that is not a readable tag of a commit (a tag of a
		// tree, a malformed object, a symbolic reference). Never ours.
		if commit.IsZero() {
			commit = h
		}
		return nil, &ExistsError{Name: req.Name, Existing: commit, Requested: req.Target}
	}
	return tagFromObject(h, obj), nil
}

// readObject returns the raw bytes and type of an object.
func readObject(repo *git.Repository, h plumbing.Hash) (plumbing.ObjectType, []byte, error) {
	return readObjectOf(repo, h, true)
}

// readObjectOf is readObject; without content it may return only the type.
// A packed object is read from the pack index on disk (see packedObject);
// everything else through go-git.
func readObjectOf(repo *git.Repository, h plumbing.Hash, content bool) (plumbing.ObjectType, []byte, error) {
	if h.IsZero() {
		return 0, nil, &Error{Reason: "object not found"}
	}
	if dir := objectsDir(repo); dir != "" && !isLoose(dir, h) {
		if typ, raw, err := packedObject(dir, h, content); err == nil {
			return typ, raw, nil
		}
	}
	eo, err := repo.Storer.EncodedObject(plumbing.AnyObject, h)
	if errors.Is(err, plumbing.ErrObjectNotFound) {
		return 0, nil, &Error{Reason: "object not found", Detail: fmt.Sprint(h)}
	}
	if err != nil {
		return 0, nil, err
	}
	r, err := eo.Reader()
	if err != nil {
		return 0, nil, err
	}
	defer r.Close()
	raw, err := io.ReadAll(r)
	return eo.Type(), raw, err
}

func isCommit(repo *git.Repository, h plumbing.Hash) error {
	typ, _, err := readObjectOf(repo, h, false)
	if err != nil {
		return err
	}
	if typ != plumbing.CommitObject {
		return &Error{Reason: "target is not a commit", Detail: fmt.Sprintf("%s is a %s", h, typ)}
	}
	return nil
}

// peel returns the commit a reference value points at: h itself for a
// commit, the target of a tag object (which must be a commit). obj is the
// parsed tag object, nil for a lightweight tag.
func peel(repo *git.Repository, h plumbing.Hash) (plumbing.Hash, *Object, error) {
	typ, raw, err := readObject(repo, h)
	if err != nil {
		return plumbing.ZeroHash, nil, err
	}
	switch typ {
	case plumbing.CommitObject:
		return h, nil, nil
	case plumbing.TagObject:
		obj, err := Parse(raw)
		if err != nil {
			return plumbing.ZeroHash, nil, err
		}
		if obj.TargetType != "commit" {
			return obj.Target, obj, &Error{Reason: "target is not a commit", Detail: fmt.Sprintf("tag %s points at a %s", h, obj.TargetType)}
		}
		if err := isCommit(repo, obj.Target); err != nil {
			return obj.Target, obj, err
		}
		return obj.Target, obj, nil
	}
	return h, nil, &Error{Reason: "target is not a commit", Detail: fmt.Sprintf("%s is a %s", h, typ)}
}

// gitDirOf returns the git directory holding refs (the common directory of
// a linked worktree).
func gitDirOf(repo *git.Repository) (string, error) {
	if repo == nil {
		return "", &Error{Reason: "repository storage is not a git directory"}
	}
	fs, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return "", &Error{Reason: "repository storage is not a git directory"}
	}
	dir := fs.Filesystem().Root()
	if b, err := os.ReadFile(filepath.Join(dir, "commondir")); err == nil {
		c := strings.TrimSpace(string(b))
		if !filepath.IsAbs(c) {
			c = filepath.Join(dir, c)
		}
		dir = c
	}
	if fi, err := os.Stat(filepath.Join(dir, "refs")); err != nil || !fi.IsDir() {
		return "", &Error{Reason: "repository storage is not a git directory"}
	}
	return dir, nil
}

// readRef reads a reference from its loose file or from packed-refs. A
// symbolic or unreadable value counts as existing at the zero hash. A
// reference in the way of name (refs/tags/a for refs/tags/a/b, or the
// reverse, loose or packed), which git refuses too, is ErrInvalidRefName.
func readRef(gitDir, name string) (plumbing.Hash, bool, error) {
	inTheWay := fmt.Errorf("%w: a reference is in the way of %s", ErrInvalidRefName, name)
	b, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(name)))
	switch {
	case err == nil:
		v := strings.TrimSpace(string(b))
		if plumbing.IsHash(v) {
			return plumbing.NewHash(v), true, nil
		}
		return plumbing.ZeroHash, true, nil
	case errors.Is(err, os.ErrNotExist):
	default:
		if fileInPath(gitDir, name) {
			return plumbing.ZeroHash, false, inTheWay
		}
		if fi, serr := os.Stat(filepath.Join(gitDir, filepath.FromSlash(name))); serr == nil && fi.IsDir() {
			return plumbing.ZeroHash, false, inTheWay
		}
		return plumbing.ZeroHash, false, err
	}
	b, err = os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if errors.Is(err, os.ErrNotExist) {
		return plumbing.ZeroHash, false, nil
	}
	if err != nil {
		return plumbing.ZeroHash, false, err
	}
	h, found, conflict := packedRef(b, name)
	if found {
		return h, true, nil
	}
	if conflict {
		return plumbing.ZeroHash, false, inTheWay
	}
	return plumbing.ZeroHash, false, nil
}

// fileInPath reports whether a prefix of name exists as a file (a ref
// refs/tags/a in the way of refs/tags/a/b).
func fileInPath(gitDir, name string) bool {
	parts := strings.Split(name, "/")
	for i := 1; i < len(parts); i++ {
		fi, err := os.Stat(filepath.Join(gitDir, filepath.Join(parts[:i]...)))
		if err == nil && !fi.IsDir() {
			return true
		}
	}
	return false
}

// createRef creates name at h unless it exists, following git's lock
// protocol. It returns the value the reference has afterwards: h when this
// call created it, another value when it already existed.
func createRef(ctx context.Context, gitDir, name string, h plumbing.Hash, timeout time.Duration) (plumbing.Hash, error) {
	path := filepath.Join(gitDir, filepath.FromSlash(name))
	if fileInPath(gitDir, name) {
		return plumbing.ZeroHash, fmt.Errorf("%w: a reference is in the way of %s", ErrInvalidRefName, name)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o777); err != nil {
		return plumbing.ZeroHash, err
	}
	lock := path + ".lock"
	deadline := time.Now().Add(timeout)
	wait := time.Millisecond
	var f *os.File
	for {
		var err error
		f, err = os.OpenFile(lock, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if err == nil {
			break
		}
		if !errors.Is(err, os.ErrExist) {
			return plumbing.ZeroHash, fmt.Errorf("lock %s: %w", name, err)
		}
		// Another writer holds the lock: wait for it to finish.
		if cur, ok, err := readRef(gitDir, name); err != nil {
			return plumbing.ZeroHash, err
		} else if ok {
			return cur, nil
		}
		if time.Now().After(deadline) {
			return plumbing.ZeroHash, &Error{Reason: "reference is locked", Detail: fmt.Sprint(lock)}
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return plumbing.ZeroHash, ctx.Err()
		case <-t.C:
		}
		wait = min(2*wait, 50*time.Millisecond)
	}
	done := false
	defer func() {
		if !done {
			f.Close()
			os.Remove(lock)
		}
	}()
	// Under the lock, nobody following the protocol can create the name.
	if cur, ok, err := readRef(gitDir, name); err != nil {
		return plumbing.ZeroHash, err
	} else if ok {
		return cur, nil
	}
	if _, err := f.WriteString(h.String() + "\n"); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := f.Sync(); err != nil {
		return plumbing.ZeroHash, err
	}
	if err := f.Close(); err != nil {
		os.Remove(lock)
		done = true
		return plumbing.ZeroHash, err
	}
	done = true
	// Put the value in place with link(2), which fails when the reference
	// exists: even a writer that ignores the lock protocol (one that writes
	// refs/tags/NAME directly) is never overwritten. Where hard links are
	// not supported, fall back to git's own rename.
	if err := os.Link(lock, path); err != nil {
		if errors.Is(err, os.ErrExist) {
			os.Remove(lock)
			cur, ok, rerr := readRef(gitDir, name)
			if rerr != nil {
				return plumbing.ZeroHash, rerr
			}
			if !ok {
				return plumbing.ZeroHash, &Error{Reason: "reference is locked", Detail: fmt.Sprintf("%s appeared and vanished", name)}
			}
			return cur, nil
		}
		if err := os.Rename(lock, path); err != nil {
			os.Remove(lock)
			return plumbing.ZeroHash, err
		}
	} else {
		// The reference is in place; a lock left behind by a failed
		// removal only makes later writers find the reference.
		_ = os.Remove(lock)
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return h, nil
}

// packedRef looks name up in the content of a packed-refs file. conflict
// reports a reference that is a directory or a file in name's path (either
// makes name unusable). A file git wrote sorted (its header says so) is
// bisected, as git does, so the cost follows the depth of the search, not
// the number of tags; any other file is read line by line.
func packedRef(b []byte, name string) (h plumbing.Hash, found, conflict bool) {
	if hdr, _, _ := bytes.Cut(b, []byte("\n")); bytes.HasPrefix(hdr, []byte("# pack-refs with:")) &&
		bytes.Contains(append(hdr[len("# pack-refs with:"):], ' '), []byte(" sorted ")) {
		p := packedRefs(b)
		if v, ok := p.find(name); ok {
			return v, true, false
		}
		// A reference under name/ sorts right after name+"/"; one that is
		// a directory of name is one of its leading paths.
		if n, ok := p.recordName(p.lowerBound(name + "/")); ok && strings.HasPrefix(n, name+"/") {
			conflict = true
		}
		for i := strings.IndexByte(name, '/'); i >= 0; i = nextSlash(name, i) {
			if _, ok := p.find(name[:i]); ok {
				conflict = true
			}
		}
		return plumbing.ZeroHash, false, conflict
	}
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimSuffix(line, []byte("\r"))
		hx, n, ok := bytes.Cut(line, []byte(" "))
		if !ok || len(line) > 0 && line[0] == '#' {
			continue
		}
		if string(n) == name {
			return plumbing.NewHash(string(hx)), true, false
		}
		if len(n) > len(name) && n[len(name)] == '/' && string(n[:len(name)]) == name ||
			len(name) > len(n) && name[len(n)] == '/' && name[:len(n)] == string(n) {
			conflict = true
		}
	}
	return plumbing.ZeroHash, false, conflict
}

func nextSlash(s string, i int) int {
	j := strings.IndexByte(s[i+1:], '/')
	if j < 0 {
		return -1
	}
	return i + 1 + j
}

// packedRefs is the content of a sorted packed-refs file: lines
// "<hex> <name>", each maybe followed by a "^<hex>" peeled line, after
// "#" header lines.
type packedRefs []byte

// recordStart returns the start of the record holding byte off: the start
// of its line, or of the line before when that line is a peeled "^" line.
func (p packedRefs) recordStart(off int) int {
	s := bytes.LastIndexByte(p[:off], '\n') + 1
	for s < len(p) && (p[s] == '^' || p[s] == '#') && s > 0 {
		s = bytes.LastIndexByte(p[:s-1], '\n') + 1
	}
	return s
}

// record returns the hash and name of the record starting at s, and the
// start of the next record.
func (p packedRefs) record(s int) (hx, name string, next int) {
	line := p[s:]
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
		next = s + i + 1
	} else {
		next = len(p)
	}
	for next < len(p) && p[next] == '^' {
		if i := bytes.IndexByte(p[next:], '\n'); i >= 0 {
			next += i + 1
		} else {
			next = len(p)
		}
	}
	line = bytes.TrimSuffix(line, []byte("\r"))
	h, n, ok := bytes.Cut(line, []byte(" "))
	if !ok || len(line) > 0 && line[0] == '#' {
		return "", "", next
	}
	return string(h), string(n), next
}

// first returns the start of the first record, after the header lines.
func (p packedRefs) first() int {
	s := 0
	for s < len(p) && p[s] == '#' {
		i := bytes.IndexByte(p[s:], '\n')
		if i < 0 {
			return len(p)
		}
		s += i + 1
	}
	return s
}

// lowerBound returns the start of the first record whose name is not
// below key.
func (p packedRefs) lowerBound(key string) int {
	lo, hi := p.first(), len(p)
	for lo < hi {
		mid := p.recordStart(lo + (hi-lo)/2)
		if mid < lo {
			mid = lo
		}
		_, n, next := p.record(mid)
		if n < key {
			lo = next
		} else {
			hi = mid
		}
	}
	return lo
}

func (p packedRefs) recordName(s int) (string, bool) {
	if s >= len(p) {
		return "", false
	}
	_, n, _ := p.record(s)
	return n, n != ""
}

func (p packedRefs) find(name string) (plumbing.Hash, bool) {
	s := p.lowerBound(name)
	if s >= len(p) {
		return plumbing.ZeroHash, false
	}
	hx, n, _ := p.record(s)
	if n != name {
		return plumbing.ZeroHash, false
	}
	return plumbing.NewHash(hx), true
}
