package policy_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

func TestPatchIDMatchesGit(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat: files ABC-1", map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n", "z/c.txt": "x\n", "bin.dat": "\x00\x01\x02"})
	revs := []string{
		g.CommitFiles("fix: two hunks, two files ABC-2", map[string]string{"a.txt": "1\ntwo\n3\n4\n5\n6\n7\n8\n9\n10\neleven\n12\n", "z/c.txt": "y\n\t z\n"}),
		g.CommitFiles("fix: add, delete, binary ABC-3", map[string]string{"new.txt": "new\n", "z/c.txt": "", "bin.dat": "\x00\x03"}),
		g.CommitFiles("fix: no newline at end ABC-4", map[string]string{"a.txt": "end"}),
	}
	for _, rev := range revs {
		want := gitPatchID(t, g, rev)
		assert.Equal(t, want, policy.PatchID([]byte(g.Git("show", rev))), "with the commit header")
		assert.Equal(t, want, policy.PatchID([]byte(g.Git("show", "--format=", rev))), "diff only")
	}
	// White space and line numbers do not matter; content does.
	ws := "diff --git a/f b/f\nindex 1..2 100644\n--- a/f\n+++ b/f\n@@ -1 +1 @@\n-a  b\n+a c\n"
	moved := "diff --git a/f b/f\nindex 3..4 100644\n--- a/f\n+++ b/f\n@@ -10 +10 @@\n-ab\n+a\tc\n"
	other := "diff --git a/f b/f\nindex 3..4 100644\n--- a/f\n+++ b/f\n@@ -10 +10 @@\n-ab\n+ad\n"
	assert.Equal(t, policy.PatchID([]byte(ws)), policy.PatchID([]byte(moved)))
	assert.NotEqual(t, policy.PatchID([]byte(ws)), policy.PatchID([]byte(other)))
	assert.Empty(t, policy.PatchID(nil))
	assert.Empty(t, policy.PatchID([]byte("commit 0123\n\n    message only\n")))
}

// PatchID agrees with `git patch-id --stable` on renames, mode changes,
// CRLF files and binary files, with and without rename detection.
func TestPatchIDGitEdgeCases(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat: base ABC-1", map[string]string{"a.txt": "1\n2\n3\n4\n5\n6\n7\n8\n", "crlf.txt": "a\r\nb\r\n", "run.sh": "echo\n", "bin.dat": "\x00\x01"})
	var revs []string
	g.Git("mv", "a.txt", "b.txt")
	g.Git("commit", "-q", "-m", "fix: pure rename ABC-2")
	revs = append(revs, g.Head())
	g.Git("mv", "b.txt", "c.txt")
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "c.txt"), []byte("1\n2\n3\n4\n5\n6\n7\nEIGHT\n"), 0o644))
	g.Git("add", "-A")
	g.Git("commit", "-q", "-m", "fix: rename with change ABC-3")
	revs = append(revs, g.Head())
	g.Git("update-index", "--chmod=+x", "run.sh")
	g.Git("commit", "-q", "-m", "fix: mode only ABC-4")
	revs = append(revs, g.Head())
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "run.sh"), []byte("echo hi\n"), 0o644))
	g.Git("add", "-A")
	g.Git("update-index", "--chmod=-x", "run.sh")
	g.Git("commit", "-q", "-m", "fix: mode and content ABC-5")
	revs = append(revs, g.Head())
	revs = append(revs, g.CommitFiles("fix: crlf ABC-6", map[string]string{"crlf.txt": "a\r\nc \r\n"}))
	revs = append(revs, g.CommitFiles("fix: binary ABC-7", map[string]string{"bin.dat": "\x00\x02\x03"}))
	g.Git("mv", "bin.dat", "bin2.dat")
	g.Git("commit", "-q", "-m", "fix: binary rename ABC-8")
	revs = append(revs, g.Head())
	for _, rev := range revs {
		for _, args := range [][]string{{"show", rev}, {"show", "--format=", "-M", rev}, {"show", "--format=", "--no-renames", rev}, {"show", "--binary", "--format=", rev}} {
			show := g.Git(args...)
			cmd := exec.Command("git", "patch-id", "--stable")
			cmd.Dir, cmd.Env, cmd.Stdin = g.Dir, g.Env(), strings.NewReader(show)
			out, err := cmd.Output()
			require.NoError(t, err)
			want, _, _ := strings.Cut(strings.TrimSpace(string(out)), " ")
			assert.Equal(t, want, policy.PatchID([]byte(show)), "%v: %s", args, show)
		}
	}
}
