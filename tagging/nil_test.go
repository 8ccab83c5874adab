package tagging_test

import (
	"errors"
	"testing"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Nil and zero-value signers and verifiers fail with typed errors instead
// of panicking, and nothing is written.
func TestNilSignersAndVerifiers(t *testing.T) {
	sf := newSigned(t)
	for name, v := range map[string]signature.Verifier{
		"nil ssh":    (*signature.SSHVerifier)(nil),
		"nil pgp":    (*signature.OpenPGPVerifier)(nil),
		"zero ssh":   &signature.SSHVerifier{},
		"zero pgp":   &signature.OpenPGPVerifier{},
		"nil ssh -I": (*signature.SSHVerifier)(nil).WithPrincipal("bot@example.com"),
	} {
		for _, tag := range []string{"v1.0.0", "v2.0.0"} {
			_, err := tagging.Verify(t.Context(), sf.repo, tag, v, verifyAt)
			require.Error(t, err, "%s %s", name, tag)
			assert.True(t, errorsIsAny(err, signature.ErrUntrustedKey, &signature.Error{Reason: "wrong signature namespace"}), "%s %s: %v", name, tag, err)
		}
	}
	before := sf.must(t, nil, "git", "count-objects", "-v")
	for name, s := range map[string]signature.Signer{
		"nil ssh":  (*signature.SSHSigner)(nil),
		"nil pgp":  (*signature.OpenPGPSigner)(nil),
		"zero ssh": &signature.SSHSigner{},
		"zero pgp": &signature.OpenPGPSigner{},
	} {
		_, err := tagging.Create(t.Context(), sf.repo, sf.req("v3.0.0"), s)
		require.ErrorIs(t, err, signature.ErrSign, name)
	}
	assert.Empty(t, (*signature.SSHSigner)(nil).Fingerprint())
	assert.Empty(t, (&signature.OpenPGPSigner{}).Fingerprint())
	assert.Equal(t, before, sf.must(t, nil, "git", "count-objects", "-v"))
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// A nil repository is a typed error, not a panic.
func TestNilRepository(t *testing.T) {
	req := tagging.Request{Name: "v1.0.0", Target: plumbing.NewHash(hashA), Tagger: tagger, Message: "x"}
	_, err := tagging.CreateUnsigned(t.Context(), nil, req)
	require.ErrorIs(t, err, &tagging.Error{Reason: "repository storage is not a git directory"})
	_, err = tagging.Verify(t.Context(), nil, "v1.0.0", &signature.SSHVerifier{}, verifyAt)
	require.ErrorIs(t, err, &tagging.Error{Reason: "repository storage is not a git directory"})
	_, err = tagging.List(t.Context(), nil, semverV, nil, verifyAt)
	require.ErrorIs(t, err, &tagging.Error{Reason: "repository storage is not a git directory"})
	require.ErrorIs(t, tagging.Push(t.Context(), nil, "origin", "v1.0.0"), &tagging.Error{Reason: "repository storage is not a git directory"})
}
