package manifest_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

func TestDeploymentEvent(t *testing.T) {
	ctx := t.Context()
	rec := completeRecord("v1.0.0", "app")
	st := newStore(t, rec)
	e, err := promote(ctx, st, req("v1.0.0", "dev", "app"), manifest.WithClock(clock()))
	require.NoError(t, err)

	expires := verifyAt.Add(time.Hour)
	ev, err := manifest.NewEvent(e, rec, expires)
	require.NoError(t, err)
	assert.Equal(t, "dev", ev.Env)
	assert.Equal(t, digestOf("app"), ev.Digest)
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	se, err := manifest.SignEvent(ctx, ev, signer)
	require.NoError(t, err)

	tr, err := manifest.NewDirTransport(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, tr.Publish(ctx, se))
	pending, err := tr.Pending(ctx)
	require.NoError(t, err)
	require.Len(t, pending, 1)

	// The agent verifies offline before acting.
	got, err := manifest.OpenEvent(ctx, pending[0], verifier, verifyAt)
	require.NoError(t, err)
	assert.Equal(t, ev, got)

	_, err = manifest.OpenEvent(ctx, pending[0], verifier, expires)
	assert.ErrorIs(t, err, manifest.ErrEventExpired)

	forged := pending[0]
	forged.Payload = []byte(strings.Replace(string(forged.Payload), `"env":"dev"`, `"env":"prod"`, 1))
	_, err = manifest.OpenEvent(ctx, forged, verifier, verifyAt)
	assert.ErrorIs(t, err, signature.ErrBadSignature)

	gitSigner, _, _ := sshKeys(t, tagging.GitNamespace)
	gitSigned, err := manifest.SignEvent(ctx, ev, gitSigner)
	require.NoError(t, err)
	_, err = manifest.OpenEvent(ctx, gitSigned, verifier, verifyAt)
	assert.ErrorIs(t, err, signature.ErrBadSignature)

	// The agent's outcome is its own log entry.
	res, err := manifest.RecordResult(ctx, st, manifest.DeployResult{
		Event: manifest.Digest(se.Payload), Release: got.Release, Env: got.Env, Digest: got.Digest,
		Agent: "agent-1", Succeeded: true, Changed: "app: 3 pods replaced", At: verifyAt,
	})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), res.Seq)
	require.NoError(t, tr.Ack(ctx, pending[0]))
	pending, err = tr.Pending(ctx)
	require.NoError(t, err)
	assert.Empty(t, pending)
	entries, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	assert.Equal(t, manifest.KindDeployResult, entries[1].Kind)

	_, err = manifest.NewEvent(entries[1], rec, expires)
	assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid deployment event"})
}
