package policy_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

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
