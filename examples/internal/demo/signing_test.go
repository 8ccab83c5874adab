package demo_test

import (
	"crypto/ed25519"
	"encoding/pem"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tagging"
)

func TestSetupSigning(t *testing.T) {
	var clk demo.Clock
	repo, h := newRepo(t, &clk)
	work := t.TempDir()
	keys, err := demo.SetupSigning(work, "")
	require.NoError(t, err)

	assert.Equal(t, filepath.Join(work, "allowed_signers"), keys.File)
	data, err := os.ReadFile(keys.File)
	require.NoError(t, err)
	assert.Equal(t, string(demo.AllowedSigners("release-bot@example.com", tagging.GitNamespace, keys.Key.PublicKey())), string(data))
	require.Len(t, keys.Allowed, 1)
	assert.Equal(t, []string{demo.Email("Release Bot")}, keys.Allowed[0].Principals)
	assert.Equal(t, []string{tagging.GitNamespace}, keys.Allowed[0].Namespaces)

	// A tag signed with keys.Tag verifies with keys.Verifier, in the git
	// namespace only.
	_, err = tagging.Create(t.Context(), repo, tagging.Request{
		Name: "v1.0.0", Target: h, Message: "Release v1.0.0",
		Tagger: tagging.Identity{Name: "Release Bot", Email: demo.Email("Release Bot"), When: clk.Next()},
	}, keys.Tag)
	require.NoError(t, err)
	ver, err := tagging.Verify(t.Context(), repo, "v1.0.0", keys.Verifier(tagging.GitNamespace), clk.Next())
	require.NoError(t, err)
	assert.Equal(t, h, ver.Commit)
	_, err = tagging.Verify(t.Context(), repo, "v1.0.0", keys.Verifier(manifest.Namespace), clk.Next())
	assert.Error(t, err, "verified in a namespace the file does not allow")
}

func TestSetupSigningNamespacesAndKeyFile(t *testing.T) {
	_, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	block, err := ssh.MarshalPrivateKey(priv, "test")
	require.NoError(t, err)
	dir := t.TempDir()
	keyPath := filepath.Join(dir, "id_ed25519")
	require.NoError(t, os.WriteFile(keyPath, pem.EncodeToMemory(block), 0o600))

	keys, err := demo.SetupSigning(dir, keyPath, tagging.GitNamespace, manifest.Namespace)
	require.NoError(t, err)
	want, err := ssh.NewPublicKey(priv.Public())
	require.NoError(t, err)
	assert.Equal(t, want.Marshal(), keys.Key.PublicKey().Marshal())
	require.Len(t, keys.Allowed, 1)
	assert.Equal(t, []string{tagging.GitNamespace, manifest.Namespace}, keys.Allowed[0].Namespaces)
}

func TestSetupSigningErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := demo.SetupSigning(dir, filepath.Join(dir, "missing"))
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, "signing key: ")

	_, err = demo.SetupSigning(filepath.Join(dir, "no", "such", "dir"), "")
	assert.ErrorIs(t, err, os.ErrNotExist)
	assert.ErrorContains(t, err, "allowed_signers: ")
}

// An example's workspace trusts a new key for Release Bot, for tags and
// signed manifests.
func ExampleSetupSigning() {
	work, err := os.MkdirTemp("", "demo-signing-")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(work)

	keys, err := demo.SetupSigning(work, "", tagging.GitNamespace, manifest.Namespace)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(filepath.Base(keys.File), keys.Allowed[0].Principals, keys.Allowed[0].Namespaces)
	// Output:
	// allowed_signers [release-bot@example.com] [git releasekit-manifest]
}
