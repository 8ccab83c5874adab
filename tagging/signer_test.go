package tagging_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Row 27: an encrypted key needs its passphrase; a failed signer leaves no
// tag object and no reference behind.
func TestOpenPGPSignerKeys(t *testing.T) {
	e := pgpKey(t, "ed25519", nil)
	armored := armoredPrivate(t, e, "s3cret")

	_, err := signature.NewOpenPGPSigner(bytes.NewReader(armored), nil)
	require.ErrorIs(t, err, signature.ErrKeyLocked)
	_, err = signature.NewOpenPGPSigner(bytes.NewReader(armored), []byte("wrong"))
	require.ErrorIs(t, err, signature.ErrBadPassphrase)
	_, err = signature.NewOpenPGPSigner(strings.NewReader("not a key"), nil)
	require.ErrorIs(t, err, signature.ErrInvalidKey)
	_, err = signature.NewOpenPGPSigner(bytes.NewReader(armoredPublic(t, e)), nil)
	require.ErrorIs(t, err, signature.ErrInvalidKey)

	s, err := signature.NewOpenPGPSigner(bytes.NewReader(armored), []byte("s3cret"), signature.WithClock(func() time.Time { return verifyAt.Add(-time.Hour) }))
	require.NoError(t, err)
	assert.Len(t, s.Fingerprint(), 40)
	f := newFixture(t)
	_, err = tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
	require.NoError(t, err)
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", pgpVerifier(t, e), verifyAt)
	require.NoError(t, err)
}

type failingSigner struct{ out []byte }

func (f failingSigner) Sign(_ context.Context, _ io.Reader) ([]byte, error) {
	if f.out == nil {
		return nil, errors.New("hardware token unplugged")
	}
	return f.out, nil
}

func TestCreateSignerFailureWritesNothing(t *testing.T) {
	for name, s := range map[string]signature.Signer{
		"error":        failingSigner{},
		"not armored":  failingSigner{out: []byte("garbage\n")},
		"two blocks":   failingSigner{out: []byte(sshSig + sshSig)},
		"no final eol": failingSigner{out: []byte(strings.TrimSuffix(sshSig, "\n"))},
	} {
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			before := f.must(t, nil, "git", "count-objects", "-v")
			_, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
			require.ErrorIs(t, err, signature.ErrSign)
			assert.Equal(t, before, f.must(t, nil, "git", "count-objects", "-v"), "no object written")
			assert.Empty(t, f.must(t, nil, "git", "tag", "-l"))
		})
	}
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
