package commits

import (
	"bufio"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// tagRef is a tag reference: the object it names and, when packed-refs
// recorded it, the commit that object peels to.
type tagRef struct {
	name   string // without refs/tags/
	hash   plumbing.Hash
	peeled plumbing.Hash // zero when unknown
}

// readTagRefs lists refs/tags. For repositories on disk it reads
// packed-refs and the loose refs itself (packed-refs also records what
// annotated tags peel to, which saves reading the tag objects); otherwise,
// or when a ref is unusual (symbolic), it asks go-git.
func readTagRefs(repo *git.Repository) ([]tagRef, error) {
	if st, ok := repo.Storer.(*filesystem.Storage); ok {
		if refs, err := readTagRefsFS(st.Filesystem().Root()); err == nil {
			return refs, nil
		}
	}
	iter, err := repo.Tags()
	if err != nil {
		return nil, err
	}
	defer iter.Close()
	var out []tagRef
	err = iter.ForEach(func(r *plumbing.Reference) error {
		out = append(out, tagRef{name: r.Name().Short(), hash: r.Hash()})
		return nil
	})
	return out, err
}

var errUnusualRef = errors.New("commits: unusual reference")

func readTagRefsFS(gitDir string) ([]tagRef, error) {
	byName := make(map[string]int)
	var out []tagRef
	if data, err := os.ReadFile(filepath.Join(gitDir, "packed-refs")); err == nil {
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
		last := -1
		for sc.Scan() {
			line := sc.Bytes()
			if len(line) == 0 || line[0] == '#' {
				continue
			}
			if line[0] == '^' {
				h, ok := hexHash(line[1:])
				if !ok {
					return nil, errUnusualRef
				}
				if last >= 0 {
					out[last].peeled = h
				}
				continue
			}
			last = -1
			sp := bytes.IndexByte(line, ' ')
			if sp != 40 {
				return nil, errUnusualRef
			}
			name, ok := strings.CutPrefix(string(line[41:]), "refs/tags/")
			if !ok {
				continue
			}
			h, ok := hexHash(line[:40])
			if !ok {
				return nil, errUnusualRef
			}
			byName[name] = len(out)
			last = len(out)
			out = append(out, tagRef{name: name, hash: h})
		}
		if err := sc.Err(); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	root := filepath.Join(gitDir, "refs", "tags")
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && path == root {
				return filepath.SkipDir
			}
			return err
		}
		if d.IsDir() {
			return nil
		}
		if strings.HasSuffix(path, ".lock") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		data = bytes.TrimSpace(data)
		h, ok := hexHash(data)
		if !ok {
			return errUnusualRef // symbolic or damaged: let go-git decide
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if i, ok := byName[name]; ok {
			out[i] = tagRef{name: name, hash: h} // loose overrides packed
			return nil
		}
		byName[name] = len(out)
		out = append(out, tagRef{name: name, hash: h})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// resolveFast resolves simple revisions (HEAD, a branch or tag name, a full
// hash) by reading the refs and the packs directly; ok is false when the
// revision needs go-git's full revision syntax (HEAD~2, abbreviations,
// @{upstream}) or the repository is not on disk.
func resolveFast(repo *git.Repository, store *objectStore, rev string) (plumbing.Hash, bool) {
	st, isFS := repo.Storer.(*filesystem.Storage)
	if !isFS || strings.ContainsAny(rev, "~^@:{}*?[\\ ") || strings.Contains(rev, "..") {
		return plumbing.ZeroHash, false
	}
	gitDir := st.Filesystem().Root()
	var h plumbing.Hash
	if len(rev) == 40 {
		if hh, ok := hexHash([]byte(rev)); ok {
			h = hh
		}
	}
	if h.IsZero() {
		var candidates []string
		if rev == "HEAD" {
			candidates = []string{"HEAD"}
		} else {
			candidates = []string{rev, "refs/" + rev, "refs/tags/" + rev, "refs/heads/" + rev, "refs/remotes/" + rev, "refs/remotes/" + rev + "/HEAD"}
		}
		for _, name := range candidates {
			if hh, ok := readRef(gitDir, name, 0); ok {
				h = hh
				break
			}
		}
	}
	if h.IsZero() {
		return plumbing.ZeroHash, false
	}
	commit, _, ok, err := peel(store, h)
	if err != nil || !ok {
		return plumbing.ZeroHash, false
	}
	return commit, true
}

// readRef reads a loose or packed reference, following symbolic refs.
func readRef(gitDir, name string, depth int) (plumbing.Hash, bool) {
	if depth > 5 || strings.HasPrefix(name, "/") || strings.Contains(name, "..") {
		return plumbing.ZeroHash, false
	}
	data, err := os.ReadFile(filepath.Join(gitDir, filepath.FromSlash(name)))
	if err == nil {
		data = bytes.TrimSpace(data)
		if target, ok := bytes.CutPrefix(data, []byte("ref: ")); ok {
			return readRef(gitDir, string(target), depth+1)
		}
		return hexHash(data)
	}
	if !strings.HasPrefix(name, "refs/") {
		return plumbing.ZeroHash, false
	}
	packed, err := os.ReadFile(filepath.Join(gitDir, "packed-refs"))
	if err != nil {
		return plumbing.ZeroHash, false
	}
	for len(packed) > 0 {
		line := packed
		if nl := bytes.IndexByte(packed, '\n'); nl >= 0 {
			line, packed = packed[:nl], packed[nl+1:]
		} else {
			packed = nil
		}
		if len(line) > 41 && line[40] == ' ' && string(line[41:]) == name {
			return hexHash(line[:40])
		}
	}
	return plumbing.ZeroHash, false
}
