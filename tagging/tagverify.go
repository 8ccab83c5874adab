package tagging

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/releasekit/releasekit/signature"
)

// GitNamespace is the SSH signature namespace git uses for commits and tags:
// build SSH signers and verifiers for tags with it
// (signature.NewSSHSigner(key, tagging.GitNamespace)).
const GitNamespace = "git"

// A Verification is the outcome of a successful Verify.
type Verification struct {
	Tag    string             // the tag name
	Object plumbing.Hash      // the tag object
	Commit plumbing.Hash      // the peeled commit
	Tagger Identity           // as written in the object (signed, but chosen by the signer)
	Signer signature.Identity // who signed
}

// Verify checks the release tag name in repo: the reference must hold an
// annotated tag object whose raw bytes parse strictly (Parse), whose tag
// header is name, which points at a commit, and which carries exactly one
// signature that v accepts at time at. The verification time is a parameter
// and never the tagger date, which the signer controls. It fails closed:
// ErrNotFound, ErrUnsigned (also for a lightweight tag), an *Error for a
// malformed or ambiguous object, a tag header naming another tag, a target
// that is not a commit or is missing, a *signature.Error for a zero at, and whatever v returns
// (signature.ErrBadSignature, signature.ErrUntrustedKey,
// signature.ErrKeyExpired, and *signature.Error refusals: another
// namespace, a principal not allowed, ...).
func Verify(ctx context.Context, repo *git.Repository, name string, v signature.Verifier, at time.Time) (*Verification, error) {
	wrap := func(err error) error { return fmt.Errorf("verify tag %s: %w", name, err) }
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	if at.IsZero() {
		return nil, wrap(&signature.Error{Reason: "verification time not given"})
	}
	if repo == nil {
		return nil, wrap(&Error{Reason: "repository storage is not a git directory"})
	}
	ref, err := repo.Reference(plumbing.NewTagReferenceName(name), false)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return nil, wrap(ErrNotFound)
	}
	if err != nil {
		return nil, wrap(err)
	}
	if ref.Type() != plumbing.HashReference {
		return nil, wrap(&Error{Reason: "malformed tag object", Detail: "symbolic reference"})
	}
	typ, raw, err := readObject(repo, ref.Hash())
	if err != nil {
		return nil, wrap(err)
	}
	if typ != plumbing.TagObject {
		return nil, wrap(fmt.Errorf("%w: lightweight tag (a %s)", ErrUnsigned, typ))
	}
	res, err := VerifyObject(ctx, raw, v, at)
	if err != nil {
		return nil, wrap(err)
	}
	if res.Tag != name {
		return nil, wrap(&Error{Reason: "tag header does not match the reference name", Detail: fmt.Sprintf("the object names %q", res.Tag)})
	}
	if err := isCommit(repo, res.Commit); err != nil {
		return nil, wrap(err)
	}
	res.Object = ref.Hash()
	return res, nil
}

// VerifyObject verifies a raw tag object (as `git cat-file tag` prints it)
// without a repository: it parses strictly, requires a commit target and one
// signature, and has v check the signature over the bytes before it. The
// result's Object is the hash of raw. Errors are those of Parse and v, plus
// ErrUnsigned and an *Error for a target that is not a commit.
func VerifyObject(ctx context.Context, raw []byte, v signature.Verifier, at time.Time) (*Verification, error) {
	obj, err := Parse(raw)
	if err != nil {
		return nil, err
	}
	if obj.Signature == nil {
		return nil, ErrUnsigned
	}
	if obj.TargetType != "commit" {
		return nil, &Error{Reason: "target is not a commit", Detail: fmt.Sprintf("the tag points at a %s", obj.TargetType)}
	}
	if obj.Format != signature.OpenPGP && obj.Format != signature.SSH {
		return nil, &signature.Error{Reason: "unsupported signature", Detail: fmt.Sprintf("%s signatures", obj.Format)}
	}
	if v == nil {
		return nil, fmt.Errorf("%w: no trusted keys", signature.ErrUntrustedKey)
	}
	info, err := v.Verify(ctx, obj.Payload, obj.Signature, at)
	if err != nil {
		return nil, err
	}
	return &Verification{
		Tag:    obj.Name,
		Object: plumbing.ComputeHash(plumbing.TagObject, raw),
		Commit: obj.Target,
		Tagger: obj.Tagger,
		Signer: info,
	}, nil
}

// A RepoVerifier verifies release tags of one repository against the keys
// of a signature.Verifier. Its VerifyTag is the tag check manifest.Promote
// (manifest.WithTagVerifier) and audit need, so it is passed to them as it
// is.
type RepoVerifier struct {
	repo *git.Repository
	v    signature.Verifier
}

// NewRepoVerifier returns a verifier of repo's release tags that trusts v.
func NewRepoVerifier(repo *git.Repository, v signature.Verifier) *RepoVerifier {
	return &RepoVerifier{repo: repo, v: v}
}

// VerifyTag verifies the release tag name at time at, as [Verify] does, and
// returns who signed it. Its errors are those of [Verify].
func (r *RepoVerifier) VerifyTag(ctx context.Context, name string, at time.Time) (signature.Identity, error) {
	var repo *git.Repository
	var v signature.Verifier
	if r != nil {
		repo, v = r.repo, r.v
	}
	res, err := Verify(ctx, repo, name, v, at)
	if err != nil {
		return signature.Identity{}, err
	}
	return res.Signer, nil
}

// TagCommit returns the full SHA of the commit the annotated tag name
// points to, so that manifest.Promote can check that a release record's
// commit is the commit its tag names. It implements manifest.TagTarget.
func (r *RepoVerifier) TagCommit(ctx context.Context, name string) (string, error) {
	if r == nil || r.repo == nil {
		return "", fmt.Errorf("tagging: tag %s: no repository", name)
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ref, err := r.repo.Tag(name)
	if err != nil {
		return "", fmt.Errorf("tagging: tag %s: %w", name, err)
	}
	obj, err := r.repo.TagObject(ref.Hash())
	if err != nil {
		return "", fmt.Errorf("tagging: tag %s is not an annotated tag: %w", name, err)
	}
	c, err := obj.Commit()
	if err != nil {
		return "", fmt.Errorf("tagging: tag %s does not point to a commit: %w", name, err)
	}
	return c.Hash.String(), nil
}
