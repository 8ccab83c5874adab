package tagging_test

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

// The same messages, signed with an SSH Ed25519 key (deterministic): the
// object is byte for byte the one `git tag -s` writes, same hash.
func TestSSHSignedLayoutMatchesGitForMessages(t *testing.T) {
	f := newFixture(t)
	key := sshKey(t, "ed25519")
	s := sshSigner(t, key, tagging.GitNamespace)
	for i, msg := range []string{"no trailing newline", "multi\nline\n\n\nmessage  \n", "crlf\r\nlines\r\n", "# dropped\nkept\n", "vt\v\n"} {
		req := f.req(fmt.Sprintf("v%d.0.0", i))
		req.Message = msg
		ours, err := tagging.Create(t.Context(), f.repo, req, s)
		require.NoError(t, err)
		mine := f.catTag(t, req.Name)
		f.must(t, nil, "git", "tag", "-d", req.Name)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "-c", "gpg.format=ssh", "-c", "user.signingKey="+key, "tag", "-s", "-m", msg, req.Name, f.commit.String())
		require.NoError(t, err, out)
		assert.Equal(t, string(f.catTag(t, req.Name)), string(mine), "%q", msg)
		assert.Equal(t, strings.TrimSpace(f.must(t, nil, "git", "rev-parse", req.Name)), ours.Hash.String(), "%q", msg)
	}
}

// A name taken by anything (a tag to a tree, a malformed tag object, a
// symbolic ref) is ErrTagExists, never a stray error and never a new tag.
func TestCreateNameTakenByOddObjects(t *testing.T) {
	f := newFixture(t)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	f.must(t, nil, "git", "tag", "v1.0.0", tree)                      // lightweight tag of a tree
	f.must(t, nil, "git", "tag", "-a", "-m", "x", "v2.0.0", tree)     // annotated tag of a tree
	f.writeRaw(t, "v3.0.0", []byte("object "+f.commit.String()+"\n")) // malformed tag object
	f.must(t, nil, "git", "symbolic-ref", "refs/tags/v4.0.0", "refs/heads/main")
	for _, name := range []string{"v1.0.0", "v2.0.0", "v3.0.0", "v4.0.0"} {
		t.Run(name, func(t *testing.T) {
			before := f.must(t, nil, "git", "for-each-ref")
			_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req(name))
			require.ErrorIs(t, err, tagging.ErrTagExists)
			var ee *tagging.ExistsError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, f.commit, ee.Requested)
			assert.Equal(t, before, f.must(t, nil, "git", "for-each-ref"))
		})
	}
}

// A stale lock is ErrLocked (not a hang), the lock is left to its owner and
// nothing is created.
func TestCreateStaleLock(t *testing.T) {
	f := newFixture(t)
	lock := filepath.Join(f.g.Dir, ".git", "refs", "tags", "v1.0.0.lock")
	require.NoError(t, os.MkdirAll(filepath.Dir(lock), 0o755))
	require.NoError(t, os.WriteFile(lock, nil, 0o644))
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"), tagging.WithLockTimeout(0))
	require.ErrorIs(t, err, &tagging.Error{Reason: "reference is locked"})
	_, err = os.Stat(lock)
	require.NoError(t, err, "someone else's lock is not removed")
	assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
}

// A reference in the way (refs/tags/a/b loose or packed when creating a, or
// refs/tags/a packed when creating a/b) is refused with a typed error, as
// git refuses it, and nothing is created.
func TestCreateRefInTheWay(t *testing.T) {
	for _, c := range []struct{ existing, name string }{
		{"a/b", "a"},
		{"a", "a/b"},
	} {
		for _, packed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s-%s-packed=%v", c.existing, c.name, packed), func(t *testing.T) {
				f := newFixture(t)
				f.must(t, nil, "git", "tag", c.existing, f.commit.String())
				if packed {
					f.must(t, nil, "git", "pack-refs", "--all")
				}
				_, gitErr := f.runIn(t, nil, nil, "git", "tag", c.name, f.commit.String())
				require.Error(t, gitErr, "git refuses too")
				_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req(c.name))
				require.ErrorIs(t, err, tagging.ErrInvalidRefName)
				assert.Equal(t, c.existing, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
				assert.NoFileExists(t, filepath.Join(f.g.Dir, ".git", "refs", "tags", c.name+".lock"))
			})
		}
	}
}

// A tagger with a control character (CR, TAB, DEL) would be written into
// the header line verbatim: it is refused.
func TestCreateTaggerControlCharacters(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"Release\rBot", "Release\tBot", "Release\x7fBot", "Release\x1bBot"} {
		req := f.req("v1.0.0")
		req.Tagger.Name = bad
		_, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.ErrorIs(t, err, tagging.ErrInvalidTagger, "%q", bad)
		req = f.req("v1.0.0")
		req.Tagger.Email = bad
		_, err = tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.ErrorIs(t, err, tagging.ErrInvalidTagger, "%q", bad)
	}
	assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
}

// Immutability by construction: the package exports nothing that deletes,
// moves, forces or overwrites a reference.
func TestNoExportedWayToMoveATag(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || !fn.Name.IsExported() {
					continue
				}
				lower := strings.ToLower(fn.Name.Name)
				for _, bad := range []string{"delete", "remove", "move", "force", "overwrite", "update", "replace", "retag", "set"} {
					assert.NotContains(t, lower, bad, "exported %s", fn.Name.Name)
				}
			}
		}
	}
}
