package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

func TestGitStoreCommands(t *testing.T) {
	g := evidenceRepo(t)
	d := releaseRecordIn(t, g, []string{"--git-store", g.Dir}, "v1.0.0", "build 1")
	for _, env := range []string{"dev", "staging", "prod"} {
		_, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--git-store", g.Dir, "--release", "v1.0.0", "--env", env, "--digest", d, "--approver", "alice", "--reason", "ok")
		require.Equal(t, 0, code, errOut)
	}
	out, errOut, code := runTagCmd(t, cmdAuditLog, "verify", "--git-store", g.Dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "3 entries")
	// The evidence is in the repository, readable by git itself.
	assert.Contains(t, g.Git("ls-tree", "-r", "--name-only", manifest.LogRef), "records/v1.0.0.json")
	g.Git("fsck", "--strict", "--no-dangling") // the objects are well-formed git objects
	_, _, code = runTagCmd(t, cmdAuditLog, "verify", "--git-store", g.Dir, "--store", t.TempDir())
	assert.Equal(t, 2, code)
}
