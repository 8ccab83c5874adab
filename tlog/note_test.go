package tlog_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"

	"github.com/releasekit/releasekit/tlog"
)

// testKey is a fixed Ed25519 key: seed bytes all b.
func testKey(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

func testSigner(t *testing.T, name string) note.Signer {
	t.Helper()
	s, err := tlog.NewSigner(name, testKey(1))
	require.NoError(t, err)
	return s
}

func testCheckpoint(size uint64) tlog.Checkpoint {
	return tlog.Checkpoint{Origin: "example.com/log", Size: size, Root: tlog.LeafHash([]byte{byte(size)})}
}

func TestSignOpenCheckpoint(t *testing.T) {
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	c := testCheckpoint(5)
	c.Extensions = []string{"ext"}
	msg, err := tlog.SignCheckpoint(c, testSigner(t, c.Origin))
	require.NoError(t, err)
	text, err := c.Marshal()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(msg), string(text)+"\n— example.com/log "), "%s", msg)

	v, err := tlog.NewVerifier(c.Origin, pub)
	require.NoError(t, err)
	vkey, err := tlog.VerifierKey(c.Origin, pub)
	require.NoError(t, err)
	fromFile, err := tlog.ParseVerifierKeys([]byte("# the log\n\n" + vkey + "\n"))
	require.NoError(t, err)
	for name, known := range map[string]note.Verifiers{
		"NewVerifier":       note.VerifierList(v),
		"ParseVerifierKeys": fromFile,
		"Ed25519Keys":       tlog.Ed25519Keys{testKey(2).Public().(ed25519.PublicKey), pub},
	} {
		got, n, err := tlog.OpenCheckpoint(msg, known)
		require.NoError(t, err, name)
		assert.Equal(t, c, got, name)
		require.Len(t, n.Sigs, 1, name)
		assert.Equal(t, c.Origin, n.Sigs[0].Name, name)
		assert.Equal(t, v.KeyHash(), n.Sigs[0].Hash, name)
	}

	// Two signers: either key opens it; the signature lines are in order.
	other, err := tlog.NewSigner("example.com/other", testKey(2))
	require.NoError(t, err)
	msg2, err := tlog.SignCheckpoint(c, testSigner(t, c.Origin), other)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(msg2), string(msg)), "the first signature line is the same")
	_, _, err = tlog.OpenCheckpoint(msg2, note.VerifierList(v))
	require.NoError(t, err)
	_, _, err = tlog.OpenCheckpoint(msg2, tlog.Ed25519Keys{testKey(2).Public().(ed25519.PublicKey)})
	require.NoError(t, err)

	_, err = tlog.SignCheckpoint(c)
	assert.Error(t, err, "no signer")
}

func TestOpenCheckpointRefuses(t *testing.T) {
	c := testCheckpoint(5)
	msg, err := tlog.SignCheckpoint(c, testSigner(t, c.Origin))
	require.NoError(t, err)
	known := tlog.Ed25519Keys{testKey(1).Public().(ed25519.PublicKey)}

	// Signed by a key the caller does not trust.
	_, _, err = tlog.OpenCheckpoint(msg, tlog.Ed25519Keys{testKey(2).Public().(ed25519.PublicKey)})
	require.ErrorIs(t, err, tlog.ErrUnknownKey)
	var unverified *note.UnverifiedNoteError
	assert.True(t, errors.As(err, &unverified), "the note package's error is kept")
	var se *tlog.SignatureError
	require.True(t, errors.As(err, &se))
	assert.Contains(t, se.Name, "example.com/log+")
	_, _, err = tlog.OpenCheckpoint(msg, nil)
	assert.ErrorIs(t, err, tlog.ErrUnknownKey)

	// The text altered after signing: the trusted key's signature fails.
	bigger := strings.Replace(string(msg), "\n5\n", "\n6\n", 1)
	_, _, err = tlog.OpenCheckpoint([]byte(bigger), known)
	require.ErrorIs(t, err, tlog.ErrBadSignature)
	var invalid *note.InvalidSignatureError
	assert.True(t, errors.As(err, &invalid))
	require.True(t, errors.As(err, &se))
	assert.Equal(t, c.Origin, se.Name)

	// A good note whose text is not a checkpoint.
	hello, err := note.Sign(&note.Note{Text: "hello\n"}, testSigner(t, c.Origin))
	require.NoError(t, err)
	_, _, err = tlog.OpenCheckpoint(hello, known)
	assert.ErrorIs(t, err, tlog.ErrFormat)

	text, sigs, _ := strings.Cut(string(msg), "\n\n")
	sigLine := strings.TrimSuffix(sigs, "\n")
	for name, bad := range map[string]string{
		"no blank line":        text + "\n" + sigs,
		"no signature":         text + "\n\n",
		"no final newline":     text + "\n\n" + sigLine,
		"hyphen for em dash":   text + "\n\n- " + strings.TrimPrefix(sigLine, "— ") + "\n",
		"not base64":           text + "\n\n— example.com/log !!!!\n",
		"short signature":      text + "\n\n— example.com/log " + base64.StdEncoding.EncodeToString([]byte{1, 2, 3, 4}) + "\n",
		"space in name":        text + "\n\n— example com/log " + strings.Fields(sigLine)[2] + "\n",
		"control character":    strings.Replace(string(msg), "example.com/log\n", "example.com/log\x01\n", 1),
		"invalid UTF-8":        text + "\xff\n\n" + sigs,
		"CRLF":                 strings.ReplaceAll(string(msg), "\n", "\r\n"),
		"101 signature lines":  text + "\n\n" + strings.Repeat(sigs, 101),
		"larger than the max":  text + "\n\n" + strings.Repeat(sigs, tlog.MaxNoteSize/len(sigs)+1),
		"empty":                "",
		"signature line alone": sigs,
	} {
		_, _, err := tlog.OpenCheckpoint([]byte(bad), known)
		assert.ErrorIs(t, err, tlog.ErrFormat, name)
	}
}

func TestVerifierKeys(t *testing.T) {
	// A key note.GenerateKey made reads, and verifies what note signs.
	skey, vkey, err := note.GenerateKey(rand.Reader, "example.com/log")
	require.NoError(t, err)
	s, err := note.NewSigner(skey)
	require.NoError(t, err)
	msg, err := tlog.SignCheckpoint(testCheckpoint(3), s)
	require.NoError(t, err)
	v, err := tlog.ParseVerifierKey(vkey)
	require.NoError(t, err)
	_, _, err = tlog.OpenCheckpoint(msg, note.VerifierList(v))
	require.NoError(t, err)

	// Ours is note's.
	pub := testKey(1).Public().(ed25519.PublicKey)
	ours, err := tlog.VerifierKey("example.com/log", pub)
	require.NoError(t, err)
	want, err := note.NewEd25519VerifierKey("example.com/log", pub)
	require.NoError(t, err)
	assert.Equal(t, want, ours)

	name, rest, _ := strings.Cut(ours, "+")
	hash, key, _ := strings.Cut(rest, "+")
	raw, _ := base64.StdEncoding.DecodeString(key)
	for label, bad := range map[string]string{
		"wrong hash":       name + "+00000000+" + key,
		"short hash":       name + "+0000000+" + key,
		"type 0x02":        name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{2}, raw[1:]...)),
		"short key":        name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(raw[:20]),
		"no key":           name + "+" + hash,
		"plus in name":     "a+b+" + hash + "+" + key,
		"empty":            "",
		"a private key":    skey,
		"type 0x04 forged": name + "+" + hash + "+" + base64.StdEncoding.EncodeToString(append([]byte{4}, raw[1:]...)),
	} {
		_, err := tlog.ParseVerifierKey(bad)
		assert.ErrorIs(t, err, tlog.ErrKey, label)
	}
	_, err = tlog.ParseVerifierKeys([]byte("# nothing\n\n"))
	assert.ErrorIs(t, err, tlog.ErrKey)
	_, err = tlog.ParseVerifierKeys([]byte(ours + "\nnot a key\n"))
	assert.ErrorIs(t, err, tlog.ErrKey)
	assert.ErrorContains(t, err, "line 2")

	for _, name := range []string{"", "a b", "a+b", "a\nb", "\xff"} {
		_, err := tlog.NewSigner(name, testKey(1))
		assert.ErrorIs(t, err, tlog.ErrKey, "%q", name)
		_, err = tlog.NewVerifier(name, pub)
		assert.ErrorIs(t, err, tlog.ErrKey, "%q", name)
	}
	_, err = tlog.NewSigner("o", testKey(1)[:32])
	assert.ErrorIs(t, err, tlog.ErrKey)
	_, err = tlog.NewVerifier("o", pub[:31])
	assert.ErrorIs(t, err, tlog.ErrKey)
}

// sshKeygen makes a key with the real ssh-keygen.
func sshKeygen(t *testing.T, typ, passphrase string) string {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed (.ci/run installs it)")
	}
	file := filepath.Join(t.TempDir(), "id_"+typ)
	out, err := exec.Command("ssh-keygen", "-q", "-t", typ, "-N", passphrase, "-C", "log", "-f", file).CombinedOutput()
	require.NoError(t, err, string(out))
	return file
}

func TestParseSSHKey(t *testing.T) {
	file := sshKeygen(t, "ed25519", "")
	data, err := os.ReadFile(file)
	require.NoError(t, err)
	key, err := tlog.ParseSSHKey(data, nil)
	require.NoError(t, err)
	key2, err := tlog.ParseSSHKey(data, []byte("ignored for a clear key"))
	require.NoError(t, err)
	assert.Equal(t, key, key2)

	// The checkpoint it signs verifies with the public key ssh-keygen wrote.
	pubData, err := os.ReadFile(file + ".pub")
	require.NoError(t, err)
	sshPub, _, _, _, err := ssh.ParseAuthorizedKey(pubData)
	require.NoError(t, err)
	pub := sshPub.(ssh.CryptoPublicKey).CryptoPublicKey().(ed25519.PublicKey)
	s, err := tlog.NewSigner("example.com/log", key)
	require.NoError(t, err)
	msg, err := tlog.SignCheckpoint(testCheckpoint(2), s)
	require.NoError(t, err)
	_, _, err = tlog.OpenCheckpoint(msg, tlog.Ed25519Keys{pub})
	require.NoError(t, err)

	locked := sshKeygen(t, "ed25519", "correct horse")
	data, err = os.ReadFile(locked)
	require.NoError(t, err)
	_, err = tlog.ParseSSHKey(data, []byte("correct horse"))
	require.NoError(t, err)
	reason := func(data, pass []byte) string {
		_, err := tlog.ParseSSHKey(data, pass)
		require.ErrorIs(t, err, tlog.ErrKey)
		var ke *tlog.KeyError
		require.True(t, errors.As(err, &ke))
		return ke.Reason
	}
	assert.Equal(t, "passphrase needed", reason(data, nil))
	assert.Equal(t, "wrong passphrase", reason(data, []byte("battery staple")))
	rsa, err := os.ReadFile(sshKeygen(t, "rsa", ""))
	require.NoError(t, err)
	assert.Contains(t, reason(rsa, nil), "want an Ed25519 key")
	assert.Equal(t, "not a private key", reason(pubData, nil))
	assert.Equal(t, "not a private key", reason([]byte("garbage"), nil))
	assert.Equal(t, "not a private key", reason(nil, nil))
}

func TestParseSignedCheckpoint(t *testing.T) {
	c := testCheckpoint(9)
	msg, err := tlog.SignCheckpoint(c, testSigner(t, c.Origin))
	require.NoError(t, err)
	got, err := tlog.ParseSignedCheckpoint(msg)
	require.NoError(t, err)
	assert.Equal(t, c, got)
	// Not verified: a changed size parses.
	got, err = tlog.ParseSignedCheckpoint([]byte(strings.Replace(string(msg), "\n9\n", "\n10\n", 1)))
	require.NoError(t, err)
	assert.Equal(t, uint64(10), got.Size)
	for _, bad := range []string{"", string(msg[:len(msg)-1]), "example.com/log\n9\n\n— example.com/log AAAAAAA=\n"} {
		_, err := tlog.ParseSignedCheckpoint([]byte(bad))
		assert.ErrorIs(t, err, tlog.ErrFormat, "%q", bad)
	}
}

// TestOpenCheckpointRefusesAmbiguousSignatures: note.Open verifies only the
// first signature line of a key and drops the others unread, and decodes
// base64 leniently; a checkpoint with a second, forged line by the trusted
// key, or a signature written in another base64 spelling, is one signed
// note with two encodings. Both are refused as malformed.
func TestOpenCheckpointRefusesAmbiguousSignatures(t *testing.T) {
	c := testCheckpoint(5)
	msg, err := tlog.SignCheckpoint(c, testSigner(t, c.Origin))
	require.NoError(t, err)
	known := tlog.Ed25519Keys{testKey(1).Public().(ed25519.PublicKey)}
	_, _, err = tlog.OpenCheckpoint(msg, known)
	require.NoError(t, err)

	text, sigs, _ := strings.Cut(string(msg), "\n\n")
	line := strings.TrimSuffix(sigs, "\n")
	b64 := strings.Fields(line)[2]
	raw, err := base64.StdEncoding.DecodeString(b64)
	require.NoError(t, err)
	forged := append([]byte(nil), raw...)
	forged[len(forged)-1] ^= 0xff
	// 68 bytes of key ID and signature: the last base64 digit carries two
	// bits that canonical encoding leaves zero.
	require.Equal(t, 2, len(raw)%3)
	last := strings.IndexByte("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", b64[len(b64)-2])
	lenient := b64[:len(b64)-2] + string("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[last|1]) + "="
	lr, err := base64.StdEncoding.DecodeString(lenient)
	require.NoError(t, err)
	require.Equal(t, raw, lr, "the same bytes in another spelling")

	for name, bad := range map[string]string{
		"same line twice":            text + "\n\n" + sigs + sigs,
		"forged second line":         text + "\n\n" + sigs + "— example.com/log " + base64.StdEncoding.EncodeToString(forged) + "\n",
		"non-canonical base64":       text + "\n\n— example.com/log " + lenient + "\n",
		"base64 without its padding": text + "\n\n— example.com/log " + strings.TrimRight(b64, "=") + "\n",
	} {
		_, _, err := tlog.OpenCheckpoint([]byte(bad), known)
		assert.ErrorIs(t, err, tlog.ErrFormat, name)
		_, err = tlog.ParseSignedCheckpoint([]byte(bad))
		assert.ErrorIs(t, err, tlog.ErrFormat, name)
	}
}
