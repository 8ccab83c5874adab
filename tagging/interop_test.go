package tagging_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Tags created here pass `git verify-tag` with gpg.
func TestCreateOpenPGPPassesGitVerifyTag(t *testing.T) {
	need(t, "gpg")
	for _, kind := range []string{"rsa", "ed25519"} {
		t.Run(kind, func(t *testing.T) {
			f := newFixture(t)
			e := pgpKey(t, kind, nil)
			f.must(t, armoredPublic(t, e), "gpg", "--batch", "--quiet", "--import")
			tag, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), pgpSigner(t, e))
			require.NoError(t, err)
			assert.True(t, tag.Created)
			assert.Equal(t, signature.OpenPGP, tag.Format)
			out, err := f.runAll(t, nil, "git", "verify-tag", "--raw", "v1.0.0")
			require.NoError(t, err, out)
			assert.Contains(t, out, "GOODSIG")
			assert.Contains(t, out, fmt.Sprintf("VALIDSIG %X", e.PrimaryKey.Fingerprint))

			v, err := tagging.Verify(t.Context(), f.repo, "v1.0.0", pgpVerifier(t, e), verifyAt)
			require.NoError(t, err)
			assert.Equal(t, f.commit, v.Commit)
			assert.Equal(t, tag.Hash, v.Object)
			assert.Equal(t, fmt.Sprintf("%X", e.PrimaryKey.Fingerprint), v.Signer.Fingerprint)
			assert.Equal(t, "Release Bot <bot@example.com>", v.Signer.Identity)
			assert.Equal(t, signature.OpenPGP, v.Signer.Format)
		})
	}
}

// Tags created here pass `git verify-tag` with gpg.format=ssh.
func TestCreateSSHPassesGitVerifyTag(t *testing.T) {
	for _, typ := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run(typ, func(t *testing.T) {
			f := newFixture(t)
			key := sshKey(t, typ)
			file, verifier := allowedSigners(t, key, "bot@example.com", `namespaces="git"`)
			tag, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), sshSigner(t, key, tagging.GitNamespace))
			require.NoError(t, err)
			assert.Equal(t, signature.SSH, tag.Format)
			out, err := f.runAll(t, nil, "git", "-c", "gpg.format=ssh", "-c", "gpg.ssh.allowedSignersFile="+file, "verify-tag", "v1.0.0")
			require.NoError(t, err, out)
			assert.Contains(t, out, `Good "git" signature for bot@example.com`)

			v, err := tagging.Verify(t.Context(), f.repo, "v1.0.0", verifier, verifyAt)
			require.NoError(t, err)
			assert.Equal(t, f.commit, v.Commit)
			assert.Equal(t, "bot@example.com", v.Signer.Identity)
			assert.True(t, strings.HasPrefix(v.Signer.Fingerprint, "SHA256:"))
		})
	}
}

// Tags made by `git tag -s` verify here, in both formats.
func TestGitTagSVerifiesHere(t *testing.T) {
	t.Run("openpgp", func(t *testing.T) {
		need(t, "gpg")
		f := newFixture(t)
		f.must(t, nil, "gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
			"--quick-gen-key", "Git Signer <git@example.com>", "ed25519", "sign", "never")
		pub := f.must(t, nil, "gpg", "--batch", "--armor", "--export", "git@example.com")
		f.must(t, nil, "git", "-c", "user.signingKey=git@example.com", "tag", "-s", "-m", "Release v1.0.0", "v1.0.0", f.commit.String())
		v, err := signature.NewOpenPGPVerifier(strings.NewReader(pub))
		require.NoError(t, err)
		res, err := tagging.Verify(t.Context(), f.repo, "v1.0.0", v, verifyAt.AddDate(10, 0, 0))
		require.NoError(t, err)
		assert.Equal(t, f.commit, res.Commit)
		assert.Equal(t, "Git Signer <git@example.com>", res.Signer.Identity)
	})
	for _, typ := range []string{"ed25519", "ecdsa", "rsa"} {
		t.Run("ssh-"+typ, func(t *testing.T) {
			f := newFixture(t)
			key := sshKey(t, typ)
			_, verifier := allowedSigners(t, key, "bot@example.com", "")
			f.must(t, nil, "git", "-c", "gpg.format=ssh", "-c", "user.signingKey="+key, "tag", "-s", "-m", "Release v1.0.0", "v1.0.0", f.commit.String())
			res, err := tagging.Verify(t.Context(), f.repo, "v1.0.0", verifier, verifyAt)
			require.NoError(t, err)
			assert.Equal(t, f.commit, res.Commit)
			assert.Equal(t, signature.SSH, res.Signer.Format)
		})
	}
}

// gitTagEnv makes git's tagger the test tagger.
func gitTagEnv() []string {
	return []string{
		"GIT_COMMITTER_NAME=" + tagger.Name, "GIT_COMMITTER_EMAIL=" + tagger.Email,
		fmt.Sprintf("GIT_COMMITTER_DATE=%d +0100", tagger.When.Unix()),
	}
}

// A tag object made here is byte for byte the object git makes: unsigned,
// and SSH Ed25519 (whose signatures are deterministic); for OpenPGP the
// signed part is identical and the signature block is framed the same way.
func TestLayoutMatchesGit(t *testing.T) {
	msg := "Release v1.0.0\n\nNotes:  \n\n\n- one\n"
	t.Run("unsigned", func(t *testing.T) {
		f := newFixture(t)
		req := f.req("v1.0.0")
		req.Message = msg
		ours, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.NoError(t, err)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "tag", "-a", "-m", msg, "v2.0.0", f.commit.String())
		require.NoError(t, err, out)
		want := bytes.Replace(f.catTag(t, "v2.0.0"), []byte("tag v2.0.0\n"), []byte("tag v1.0.0\n"), 1)
		assert.Equal(t, string(want), string(f.catTag(t, "v1.0.0")))
		assert.Equal(t, strings.TrimSpace(f.must(t, nil, "git", "rev-parse", "v1.0.0")), ours.Hash.String())
	})
	t.Run("ssh-ed25519", func(t *testing.T) {
		f := newFixture(t)
		key := sshKey(t, "ed25519")
		req := f.req("v1.0.0")
		req.Message = msg
		ours, err := tagging.Create(t.Context(), f.repo, req, sshSigner(t, key, tagging.GitNamespace))
		require.NoError(t, err)
		mine := f.catTag(t, "v1.0.0")
		f.must(t, nil, "git", "tag", "-d", "v1.0.0")
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "-c", "gpg.format=ssh", "-c", "user.signingKey="+key, "tag", "-s", "-m", msg, "v1.0.0", f.commit.String())
		require.NoError(t, err, out)
		assert.Equal(t, string(f.catTag(t, "v1.0.0")), string(mine))
		assert.Equal(t, strings.TrimSpace(f.must(t, nil, "git", "rev-parse", "v1.0.0")), ours.Hash.String())
	})
	t.Run("openpgp", func(t *testing.T) {
		need(t, "gpg")
		f := newFixture(t)
		f.must(t, nil, "gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
			"--quick-gen-key", "Release Bot <bot@example.com>", "ed25519", "sign", "never")
		secret := f.must(t, nil, "gpg", "--batch", "--armor", "--pinentry-mode", "loopback", "--passphrase", "", "--export-secret-keys")
		s, err := signature.NewOpenPGPSigner(strings.NewReader(secret), nil)
		require.NoError(t, err)
		req := f.req("v1.0.0")
		req.Message = msg
		_, err = tagging.Create(t.Context(), f.repo, req, s)
		require.NoError(t, err)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "-c", "user.signingKey=bot@example.com", "tag", "-s", "-m", msg, "v2.0.0", f.commit.String())
		require.NoError(t, err, out)
		ours, err := tagging.Parse(f.catTag(t, "v1.0.0"))
		require.NoError(t, err)
		theirs, err := tagging.Parse(f.catTag(t, "v2.0.0"))
		require.NoError(t, err)
		assert.Equal(t, string(bytes.Replace(theirs.Payload, []byte("tag v2.0.0"), []byte("tag v1.0.0"), 1)), string(ours.Payload))
		frame := func(sig []byte) []string {
			lines := strings.Split(string(sig), "\n")
			return []string{lines[0], lines[1], lines[len(lines)-3][:1], lines[len(lines)-2], lines[len(lines)-1]}
		}
		assert.Equal(t, frame(theirs.Signature), frame(ours.Signature))
		out, err = f.runIn(t, nil, nil, "git", "verify-tag", "v1.0.0")
		require.NoError(t, err, out)
	})
}

// A half-failed CI job can be re-run: the same request returns the tag.
func TestCreateIdempotentAndImmutable(t *testing.T) {
	f := newFixture(t)
	key := sshKey(t, "ed25519")
	s := sshSigner(t, key, tagging.GitNamespace)
	first, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
	require.NoError(t, err)
	again, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
	require.NoError(t, err)
	assert.False(t, again.Created)
	assert.Equal(t, first.Hash, again.Hash)

	req := f.req("v1.0.0")
	req.Target = f.other
	_, err = tagging.Create(t.Context(), f.repo, req, s)
	var ee *tagging.ExistsError
	require.ErrorAs(t, err, &ee)
	assert.ErrorIs(t, err, tagging.ErrTagExists)
	assert.Equal(t, f.commit, ee.Existing)
	assert.Equal(t, f.other, ee.Requested)
	assert.Equal(t, first.Hash.String(), strings.TrimSpace(f.must(t, nil, "git", "rev-parse", "refs/tags/v1.0.0")))

	// A name that exists only in packed-refs exists.
	f.must(t, nil, "git", "pack-refs", "--all")
	_, err = os.Stat(filepath.Join(f.g.Dir, ".git", "refs", "tags", "v1.0.0"))
	require.True(t, os.IsNotExist(err))
	_, err = tagging.Create(t.Context(), f.repo, req, s)
	require.ErrorIs(t, err, tagging.ErrTagExists)
	again, err = tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s)
	require.NoError(t, err)
	assert.Equal(t, first.Hash, again.Hash)

	// A lightweight tag at the requested commit is not a release tag.
	f.must(t, nil, "git", "tag", "light", f.other.String())
	req = f.req("light")
	req.Target = f.other
	_, err = tagging.Create(t.Context(), f.repo, req, s)
	require.ErrorIs(t, err, tagging.ErrTagExists)
}

func TestCreateBadInput(t *testing.T) {
	f := newFixture(t)
	s := sshSigner(t, sshKey(t, "ed25519"), tagging.GitNamespace)
	tree := plumbing.NewHash(strings.TrimSpace(f.must(t, nil, "git", "rev-parse", "HEAD^{tree}")))
	cases := []struct {
		name string
		mod  func(*tagging.Request)
		want error
	}{
		{"zero target", func(r *tagging.Request) { r.Target = plumbing.ZeroHash }, &tagging.Error{Reason: "object not found"}},
		{"missing target", func(r *tagging.Request) { r.Target = plumbing.NewHash(strings.Repeat("ab", 20)) }, &tagging.Error{Reason: "object not found"}},
		{"tree target", func(r *tagging.Request) { r.Target = tree }, &tagging.Error{Reason: "target is not a commit"}},
		{"empty message", func(r *tagging.Request) { r.Message = " \n\n" }, tagging.ErrEmptyMessage},
		{"signature in message", func(r *tagging.Request) { r.Message = "x\n-----BEGIN PGP SIGNATURE-----\n" }, tagging.ErrInvalidMessage},
		{"no tagger", func(r *tagging.Request) { r.Tagger = tagging.Identity{} }, tagging.ErrInvalidTagger},
		{"tagger with <", func(r *tagging.Request) { r.Tagger.Name = "a <b>" }, tagging.ErrInvalidTagger},
		{"bad name", func(r *tagging.Request) { r.Name = "v1..2" }, tagging.ErrInvalidRefName},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := f.req("v1.0.0")
			c.mod(&req)
			_, err := tagging.Create(t.Context(), f.repo, req, s)
			require.ErrorIs(t, err, c.want)
			assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
		})
	}
	_, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), nil)
	require.ErrorIs(t, err, &tagging.Error{Reason: "no signer"})
	_, err = tagging.Create(t.Context(), f.repo, f.req("release-1"), s, tagging.WithScheme(semverV))
	require.ErrorIs(t, err, tagging.ErrInvalidRefName)
	// Row 37: HEAD moved on since the release was planned at f.commit.
	_, err = tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s, tagging.WithRequiredRef(plumbing.HEAD))
	require.ErrorIs(t, err, &tagging.Error{Reason: "reference moved since the release was planned"})
	assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
	_, err = tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), s, tagging.WithScheme(semverV), tagging.WithRequiredRef("refs/heads/main~1"))
	require.ErrorIs(t, err, &tagging.Error{Reason: "reference moved since the release was planned"})
	req := f.req("v1.0.0")
	req.Target = f.other
	_, err = tagging.Create(t.Context(), f.repo, req, s, tagging.WithScheme(semverV), tagging.WithRequiredRef(plumbing.HEAD))
	require.NoError(t, err)
}
