package commits

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	commitgraph "github.com/go-git/go-git/v5/plumbing/format/commitgraph/v2"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// commitGraph reads the repository's commit-graph
// (.git/objects/info/commit-graph, or the commit-graphs/ chain) through
// go-git's reader: a commit's parents and its generation number (the
// topological level of the CDAT chunk) without inflating the commit.
//
// A generation number is always greater than the generation numbers of the
// commit's parents, so a commit of generation g cannot reach a commit of
// generation above g. Commits the graph does not hold (written after it)
// get [infiniteGeneration]; the graph is closed under ancestry, so no commit
// of the graph reaches one of them.
type commitGraph struct {
	index commitgraph.Index
}

// infiniteGeneration is the generation of a commit outside the graph (git's
// GENERATION_NUMBER_INFINITY).
const infiniteGeneration = ^uint64(0)

// openCommitGraph opens the commit-graph of repo, or returns nil when there
// is none or it cannot be used (not on disk, unreadable, written by a git
// that did not compute generation numbers). Callers then walk in
// commit-date order.
//
// The files are memory-mapped and read through go-git's parser (format
// version 1, SHA-1): a single objects/info/commit-graph when present, else
// the objects/info/commit-graphs/commit-graph-chain layers, as git reads
// them.
func openCommitGraph(repo *git.Repository) *commitGraph {
	fsStorage, ok := repo.Storer.(*filesystem.Storage)
	if !ok {
		return nil
	}
	info := filepath.Join(fsStorage.Filesystem().Root(), "objects", "info")
	if r, err := openMapped(filepath.Join(info, "commit-graph")); err == nil {
		index, err := commitgraph.OpenFileIndex(r)
		if err != nil {
			_ = r.Close()
			return nil
		}
		return &commitGraph{index: index}
	}
	chain, err := os.Open(filepath.Join(info, "commit-graphs", "commit-graph-chain"))
	if err != nil {
		return nil
	}
	layers, err := commitgraph.OpenChainFile(chain)
	_ = chain.Close()
	if err != nil || len(layers) == 0 {
		return nil
	}
	var index commitgraph.Index
	for _, h := range layers {
		r, err := openMapped(filepath.Join(info, "commit-graphs", "graph-"+h+".graph"))
		if err == nil {
			var next commitgraph.Index
			if next, err = commitgraph.OpenFileIndexWithParent(r, index); err == nil {
				index = next
				continue
			}
			_ = r.Close()
		}
		if index != nil {
			_ = index.Close()
		}
		return nil
	}
	return &commitGraph{index: index}
}

// mappedFile is a memory-mapped file as the io.ReaderAt go-git's
// commit-graph parser reads: lookups are memory reads, not system calls.
type mappedFile struct {
	*bytes.Reader
	unmap func()
}

func openMapped(path string) (*mappedFile, error) {
	data, unmap, err := mapFile(path)
	if err != nil {
		return nil, err
	}
	return &mappedFile{Reader: bytes.NewReader(data), unmap: unmap}, nil
}

func (m *mappedFile) Close() error {
	m.unmap()
	return nil
}

func (g *commitGraph) close() {
	if g != nil && g.index != nil {
		_ = g.index.Close()
	}
}

// errNoGeneration reports a graph entry without a generation number
// (GENERATION_NUMBER_ZERO, written by git before 2.19): the graph then
// cannot bound a walk.
var errNoGeneration = errors.New("commits: commit-graph without generation numbers")

// lookup returns h's parents and generation. ok is false when the graph
// does not hold h; err is set when the graph is unusable.
func (g *commitGraph) lookup(h plumbing.Hash) (parents []plumbing.Hash, gen uint64, ok bool, err error) {
	i, err := g.index.GetIndexByHash(h)
	if err != nil {
		if errors.Is(err, plumbing.ErrObjectNotFound) {
			return nil, infiniteGeneration, false, nil
		}
		return nil, 0, false, err
	}
	d, err := g.index.GetCommitDataByIndex(i)
	if err != nil {
		return nil, 0, false, err
	}
	if d.Generation == 0 {
		return nil, 0, false, errNoGeneration
	}
	return d.ParentHashes, d.Generation, true, nil
}
