package tagging

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
)

// A Release is a release tag found by List.
type Release struct {
	Name      string
	Version   semver.Version
	Object    plumbing.Hash // what the reference holds: a tag object, or the commit of a lightweight tag
	Commit    plumbing.Hash // the peeled commit; zero when the tag does not lead to a commit
	Annotated bool
	Format    signature.Format // the signature format found, "" when unsigned
	// Verified holds the verification when List was given a Verifier and it
	// accepted the signature; Err holds why it did not (or why the tag could
	// not be read).
	Verified *Verification
	Err      error
}

// List returns the tags of repo that are versions under scheme, sorted by
// ascending precedence (then name), with their peeled commits and their
// signature state. With a non-nil v, each tag is verified at time at and the
// outcome is recorded in the Release, never returned as an error: a release
// audit sees every tag. Tags that are not versions under scheme are skipped.
func List(ctx context.Context, repo *git.Repository, scheme semver.Scheme, v signature.Verifier, at time.Time) ([]Release, error) {
	if repo == nil {
		return nil, fmt.Errorf("list tags: %w", &Error{Reason: "repository storage is not a git directory"})
	}
	refs, err := repo.References()
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	var out []Release
	err = refs.ForEach(func(r *plumbing.Reference) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		if !r.Name().IsTag() || r.Type() != plumbing.HashReference {
			return nil
		}
		name := strings.TrimPrefix(r.Name().String(), "refs/tags/")
		ver, err := scheme.Parse(name)
		if err != nil {
			return nil
		}
		rel := Release{Name: name, Version: ver, Object: r.Hash()}
		commit, obj, err := peel(repo, r.Hash())
		rel.Commit = commit
		if obj != nil {
			rel.Annotated = true
			rel.Format = obj.Format
		}
		if err != nil {
			// Not a tag of a commit (a tree, a blob, a malformed object):
			// there is no commit to report or to hand to semver.
			rel.Err = err
			rel.Commit = plumbing.ZeroHash
		} else if v != nil {
			rel.Verified, rel.Err = Verify(ctx, repo, name, v, at)
		}
		out = append(out, rel)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list tags: %w", err)
	}
	slices.SortFunc(out, func(a, b Release) int {
		if c := semver.Compare(a.Version, b.Version); c != 0 {
			return c
		}
		return strings.Compare(a.Name, b.Name)
	})
	return out, nil
}

// SemverTags converts releases into the input of semver.Select. Releases
// without a commit (tags of a tree or a blob, unreadable tag objects) are
// left out; unsigned or unverified ones are kept: filter on Err first when
// only verified releases count.
func SemverTags(rels []Release) []semver.Tag {
	out := make([]semver.Tag, 0, len(rels))
	for _, r := range rels {
		if r.Commit.IsZero() {
			continue
		}
		out = append(out, semver.Tag{Name: r.Name, Commit: r.Commit.String()})
	}
	return out
}
