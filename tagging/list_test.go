package tagging_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// A release tag of a tree has no commit: List says why, and SemverTags
// leaves it out of the previous-release lookup.
func TestListTagOfTree(t *testing.T) {
	f := newFixture(t)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	f.must(t, nil, "git", "tag", "-a", "-m", "x", "v9.0.0", tree)
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
	require.NoError(t, err)
	rels, err := tagging.List(t.Context(), f.repo, semverV, nil, verifyAt)
	require.NoError(t, err)
	require.Len(t, rels, 2)
	assert.ErrorIs(t, rels[1].Err, &tagging.Error{Reason: "target is not a commit"})
	assert.True(t, rels[1].Commit.IsZero())
	tags := tagging.SemverTags(rels)
	require.Len(t, tags, 1)
	assert.Equal(t, "v1.0.0", tags[0].Name)
}

func TestList(t *testing.T) {
	f := newFixture(t)
	key := sshKey(t, "ed25519")
	_, v := allowedSigners(t, key, "bot@example.com", "")
	s := sshSigner(t, key, tagging.GitNamespace)
	_, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
	require.NoError(t, err)
	req := f.req("v1.1.0-rc.1")
	req.Target = f.other
	_, err = tagging.CreateUnsigned(t.Context(), f.repo, req)
	require.NoError(t, err)
	f.must(t, nil, "git", "tag", "v0.9.0", f.commit.String())
	f.must(t, nil, "git", "tag", "latest", f.commit.String())

	rels, err := tagging.List(t.Context(), f.repo, semver.Scheme{Prefix: "v"}, v, verifyAt)
	require.NoError(t, err)
	require.Len(t, rels, 3)
	assert.Equal(t, []string{"v0.9.0", "v1.0.0", "v1.1.0-rc.1"}, []string{rels[0].Name, rels[1].Name, rels[2].Name})
	assert.False(t, rels[0].Annotated)
	assert.ErrorIs(t, rels[0].Err, tagging.ErrUnsigned)
	assert.Equal(t, f.commit, rels[1].Commit)
	assert.Equal(t, signature.SSH, rels[1].Format)
	require.NotNil(t, rels[1].Verified)
	assert.NoError(t, rels[1].Err)
	assert.Equal(t, f.other, rels[2].Commit)
	assert.True(t, rels[2].Annotated)
	assert.ErrorIs(t, rels[2].Err, tagging.ErrUnsigned)

	prev, err := semver.Select(tagging.SemverTags(rels), semver.Scheme{Prefix: "v"})
	require.NoError(t, err)
	assert.Equal(t, "v1.1.0-rc.1", prev.Latest.Tag)

	unverified, err := tagging.List(t.Context(), f.repo, semver.Scheme{Prefix: "v"}, nil, verifyAt)
	require.NoError(t, err)
	assert.Nil(t, unverified[1].Verified)
	assert.NoError(t, unverified[1].Err)
}
