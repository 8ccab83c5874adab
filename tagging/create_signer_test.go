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

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Row 27: a tag signed with a decrypted OpenPGP key verifies (the key
// errors are signature's, tested there).
func TestCreateWithEncryptedOpenPGPKey(t *testing.T) {
	e := pgpKey(t, "ed25519", nil)
	armored := armoredPrivate(t, e, "s3cret")

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
