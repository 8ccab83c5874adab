package commits

import (
	"context"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

// ReachVisits is the number of commits the candidate-tag reachability walk
// has taken from its queue since the process started.
func ReachVisits() int64 { return reachVisits.Load() }

// Reachable is [reachable] on repo, without shallow boundaries.
func Reachable(ctx context.Context, repo *git.Repository, tips, candidates []plumbing.Hash) ([]bool, error) {
	store := newObjectStore(repo)
	defer store.close()
	return reachable(ctx, store, nil, tips, candidates)
}

// ObjectReads is the number of commits decoded by history walks plus the
// pack index entries read to order packs, since the process started.
func ObjectReads() int64 { return objectReads.Load() }
