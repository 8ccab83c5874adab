package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/ProtonMail/go-crypto/openpgp/s2k"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestTagOpenPGPPassphrase(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	dir := t.TempDir()
	e, err := openpgp.NewEntity("Release Bot", "", "bot@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	require.NoError(t, err)
	pubFile := filepath.Join(dir, "pub.asc")
	tagWriteArmored(t, pubFile, openpgp.PublicKeyType, func(w io.Writer) error { return e.Serialize(w) })
	require.NoError(t, e.EncryptPrivateKeys([]byte("s3cret"), &packet.Config{S2KConfig: &s2k.Config{S2KMode: s2k.IteratedSaltedS2K, S2KCount: 65536}}))
	keyFile := filepath.Join(dir, "key.asc")
	tagWriteArmored(t, keyFile, openpgp.PrivateKeyType, func(w io.Writer) error { return e.SerializePrivateWithoutSigning(w, nil) })
	passFile := filepath.Join(dir, "pass")
	require.NoError(t, os.WriteFile(passFile, []byte("s3cret\n"), 0o600))

	args := []string{"--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "openpgp", "--key", keyFile, "--tagger", "Release Bot <bot@example.com>"}
	_, errOut, code := runTagCmd(t, cmdTag, args...)
	assert.Equal(t, 2, code, "an encrypted key without a passphrase is bad input")
	assert.Contains(t, errOut, "encrypted")
	t.Setenv("RELCTL_TEST_PASS", "wrong")
	_, _, code = runTagCmd(t, cmdTag, append(args, "--passphrase-env", "RELCTL_TEST_PASS")...)
	assert.Equal(t, 2, code)
	assert.Empty(t, strings.TrimSpace(g.Git("tag", "-l")), "no tag after a failed signer")

	_, errOut, code = runTagCmd(t, cmdTag, append(args, "--passphrase-file", passFile)...)
	require.Equal(t, 0, code, errOut)
	// A re-run with the same key is an idempotent success.
	out, errOut, code := runTagCmd(t, cmdTag, append(args, "--passphrase-file", passFile)...)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "exists (unchanged)")
	at := time.Now().Add(time.Hour).UTC().Format(time.RFC3339)
	out, errOut, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.0.0", "--keyring", pubFile, "--at", at, "--json")
	require.Equal(t, 0, code, errOut)
	var vr map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &vr))
	assert.Equal(t, "openpgp", vr["format"])
	assert.Equal(t, "Release Bot <bot@example.com>", vr["signer"])
	assert.Len(t, vr["fingerprint"], 40)
}

func tagWriteArmored(t *testing.T, path, typ string, write func(io.Writer) error) {
	t.Helper()
	var b bytes.Buffer
	w, err := armor.Encode(&b, typ, nil)
	require.NoError(t, err)
	require.NoError(t, write(w))
	require.NoError(t, w.Close())
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
}

func TestTagUsage(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	for _, args := range [][]string{
		{},
		{"--name", "v1..0"},
		{"--name", "v1.0.0", "--rev", c1}, // neither --sign nor --unsigned
		{"--name", "v1.0.0", "--rev", c1, "--unsigned", "--sign", "ssh"},          // both
		{"--name", "v1.0.0", "--rev", c1, "--sign", "x509", "--key", "k"},         // unknown format
		{"--name", "release-1", "--rev", c1, "--unsigned", "--tagger", "A <a@b>"}, // not a version
		{"--name", "v1.0.0", "--rev", c1, "--unsigned", "--tagger", "nobody"},
		{"--name", "v1.0.0", "--rev", "no-such-rev", "--unsigned", "--tagger", "A <a@b>"},
	} {
		_, _, code := runTagCmd(t, cmdTag, append([]string{"--repo", g.Dir}, args...)...)
		assert.Equal(t, 2, code, "%q", args)
	}
	for _, args := range [][]string{
		{"--tag", "v1.0.0"},
		{"--tag", "v1.0.0", "--keyring", "a", "--allowed-signers", "b"},
		{"--allowed-signers", "b"},
		{"--tag", "v1.0.0", "--allowed-signers", "/nonexistent"},
	} {
		_, _, code := runTagCmd(t, cmdVerify, append([]string{"--repo", g.Dir}, args...)...)
		assert.Equal(t, 2, code, "%q", args)
	}
	_, _, code := runTagCmd(t, cmdTag, "--help")
	assert.Equal(t, 0, code)
}

// With --key naming a public key, the private key comes from the ssh-agent
// at SSH_AUTH_SOCK, as with git's user.signingKey.
func TestTagSSHAgent(t *testing.T) {
	for _, bin := range []string{"ssh-agent", "ssh-add"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s is not installed (.ci/run installs openssh-client)", bin)
		}
	}
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	key, allowed := tagSSHKey(t)
	dir, err := os.MkdirTemp("", "agent") // short: socket paths are limited to about 100 bytes
	require.NoError(t, err)
	t.Cleanup(func() { os.RemoveAll(dir) })
	sock := filepath.Join(dir, "s")
	agent := exec.Command("ssh-agent", "-D", "-a", sock)
	stdout, err := agent.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, agent.Start())
	t.Cleanup(func() { _ = agent.Process.Kill(); _ = agent.Wait() })
	line, err := tagReadLine(stdout) // the agent prints its environment once it listens
	require.NoError(t, err)
	require.Contains(t, line, "SSH_AUTH_SOCK")
	add := exec.Command("ssh-add", "-q", key)
	add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
	out, err := add.CombinedOutput()
	require.NoError(t, err, string(out))
	t.Setenv("SSH_AUTH_SOCK", sock)

	_, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "ssh", "--key", key+".pub", "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.0.0", "--allowed-signers", allowed)
	require.Equal(t, 0, code, errOut)
}

func tagReadLine(r io.Reader) (string, error) {
	var b []byte
	one := make([]byte, 1)
	for {
		n, err := r.Read(one)
		if n == 1 {
			if one[0] == '\n' {
				return string(b), nil
			}
			b = append(b, one[0])
		}
		if err != nil {
			return string(b), err
		}
	}
}

// A re-run that finds the tag at the same commit succeeds only when that tag
// is signed with the given key: an unsigned tag or one signed with another
// key is not the signed release asked for, and is not reported as signed.
func TestTagExistingNotSignedByKey(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	key, _ := tagSSHKey(t)
	other, _ := tagSSHKey(t)
	_, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--unsigned", "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", "v1.1.0", "--rev", c1, "--sign", "ssh", "--key", other, "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
	before := g.Git("show-ref", "--tags")
	for _, name := range []string{"v1.0.0", "v1.1.0"} {
		out, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", name, "--rev", c1, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>", "--json")
		assert.Equal(t, 1, code, "%s: %s", name, out)
		assert.Contains(t, errOut, "not a valid tag signed with --key")
		assert.Empty(t, out)
	}
	assert.Equal(t, before, g.Git("show-ref", "--tags"))
}

// Row 27 for SSH keys: an encrypted key without its passphrase (or with a
// wrong one) is bad input, and no object and no reference are written; the
// passphrase comes only from --passphrase-env or --passphrase-file.
func TestTagEncryptedSSHKey(t *testing.T) {
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	key, allowed := tagSSHKey(t)
	out, err := exec.Command("ssh-keygen", "-q", "-p", "-a", "1", "-N", "s3cret", "-f", key).CombinedOutput()
	require.NoError(t, err, string(out))
	before := g.Git("count-objects", "-v")
	args := []string{"--repo", g.Dir, "--name", "v1.0.0", "--rev", c1, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>"}
	_, errOut, code := runTagCmd(t, cmdTag, args...)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "encrypted")
	t.Setenv("RELCTL_TEST_SSH_PASS", "wrong")
	_, _, code = runTagCmd(t, cmdTag, append(args, "--passphrase-env", "RELCTL_TEST_SSH_PASS")...)
	assert.Equal(t, 2, code)
	_, _, code = runTagCmd(t, cmdTag, append(args, "--passphrase", "s3cret")...)
	assert.Equal(t, 2, code, "no passphrase flag on the command line")
	assert.Equal(t, before, g.Git("count-objects", "-v"), "no object written")
	assert.Empty(t, strings.TrimSpace(g.Git("tag", "-l")))

	t.Setenv("RELCTL_TEST_SSH_PASS", "s3cret")
	_, errOut, code = runTagCmd(t, cmdTag, append(args, "--passphrase-env", "RELCTL_TEST_SSH_PASS")...)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = runTagCmd(t, cmdVerify, "--repo", g.Dir, "--tag", "v1.0.0", "--allowed-signers", allowed)
	require.Equal(t, 0, code, errOut)
}
