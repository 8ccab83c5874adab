package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/tlog"
)

// noteLog appends note entries to the directory store dir (made if need
// be) until it holds n, entry i noting text(i).
func noteLog(t *testing.T, dir string, n int, text func(i int) string) {
	t.Helper()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	tl, ok := manifest.Store(st).(manifest.TreeLog)
	require.True(t, ok, "a DirStore keeps the log's tree")
	tr, err := tl.Tree(t.Context())
	require.NoError(t, err)
	for i := int(tr.Size); i < n; i++ {
		_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: text(i)})
		require.NoError(t, err)
	}
}

func plainNote(i int) string { return fmt.Sprintf("note %d", i) }

// checkpointFile runs relctl log checkpoint on store and writes the note
// to a file it returns.
func checkpointFile(t *testing.T, store, key string, args ...string) string {
	t.Helper()
	out, errOut, code := relctl(t, "", append([]string{"log", "checkpoint", "--store", store, "--sign-key", key}, args...)...)
	require.Equal(t, 0, code, errOut)
	f := filepath.Join(t.TempDir(), "checkpoint.note")
	require.NoError(t, os.WriteFile(f, []byte(out), 0o644))
	return f
}

func TestLogCheckpoint(t *testing.T) {
	key, allowed := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 5, plainNote)
	vkeyFile := filepath.Join(t.TempDir(), "log.vkey")
	out, errOut, code := relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", key, "--write-vkey", vkeyFile)
	require.Equal(t, 0, code, errOut)

	// The note verifies with the verifier key written beside it.
	vkey, err := os.ReadFile(vkeyFile)
	require.NoError(t, err)
	known, err := tlog.ParseVerifierKeys(vkey)
	require.NoError(t, err)
	cp, n, err := tlog.OpenCheckpoint([]byte(out), known)
	require.NoError(t, err)
	assert.Equal(t, uint64(5), cp.Size)
	assert.Regexp(t, `^releasekit/log/[0-9a-f]{16}$`, cp.Origin)
	assert.Equal(t, cp.Origin, n.Sigs[0].Name, "the key is named after the origin")
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	tr, err := st.Tree(t.Context())
	require.NoError(t, err)
	root, err := tr.Root()
	require.NoError(t, err)
	assert.Equal(t, root, cp.Root)
	first, err := st.Entry(t.Context(), 1)
	require.NoError(t, err)
	leaf, err := manifest.EntryLeafHash(first)
	require.NoError(t, err)
	assert.Equal(t, "releasekit/log/"+leaf.String()[:16], cp.Origin)

	// The origin stays as the log grows; --json; --origin and --key-name.
	noteLog(t, store, 8, plainNote)
	out, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", key, "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, cp.Origin, res["origin"])
	assert.Equal(t, float64(8), res["tree_size"])
	assert.Len(t, res["root_hash"], 64)
	c8, _, err := tlog.OpenCheckpoint([]byte(res["checkpoint"].(string)), known)
	require.NoError(t, err)
	assert.Equal(t, uint64(8), c8.Size)
	out, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", key, "--origin", "example.com/evidence", "--key-name", "ci.example.com")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "example.com/evidence\n8\n"), out)
	assert.Contains(t, out, "\n— ci.example.com ")
	// The allowed_signers key verifies it too, whatever the key's name.
	_, errOut, code = relctl(t, "", "log", "prove", "--store", store, "--entry", "1", "--checkpoint", writeTemp(t, out), "--allowed-signers", allowed)
	assert.Equal(t, 0, code, errOut)

	// An empty log has no default origin.
	empty := t.TempDir()
	noteLog(t, empty, 0, plainNote)
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", empty, "--sign-key", key)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "--origin")
	out, errOut, code = relctl(t, "", "log", "checkpoint", "--store", empty, "--sign-key", key, "--origin", "example.com/new")
	require.Equal(t, 0, code, errOut)
	assert.True(t, strings.HasPrefix(out, "example.com/new\n0\n"+base64.StdEncoding.EncodeToString(tlog.EmptyRoot[:])+"\n\n— example.com/new "), out)

	// Bad keys and flags are usage errors.
	for name, args := range map[string][]string{
		"no key":           {},
		"missing key":      {"--sign-key", filepath.Join(t.TempDir(), "nope")},
		"public key":       {"--sign-key", key + ".pub"},
		"bad origin":       {"--sign-key", key, "--origin", "a\tb"},
		"bad key name":     {"--sign-key", key, "--key-name", "a b"},
		"passphrase unset": {"--sign-key", key, "--passphrase-env", "RELCTL_TEST_UNSET_VARIABLE"},
	} {
		_, errOut, code := relctl(t, "", append([]string{"log", "checkpoint", "--store", store}, args...)...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
	}
}

func writeTemp(t *testing.T, content string) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "file")
	require.NoError(t, os.WriteFile(f, []byte(content), 0o644))
	return f
}

// TestLogCheckpointKeys: a passphrase-protected OpenSSH key signs with
// --passphrase-env; an RSA key cannot sign a note.
func TestLogCheckpointKeys(t *testing.T) {
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed (.ci/run installs it)")
	}
	store := t.TempDir()
	noteLog(t, store, 2, plainNote)
	dir := t.TempDir()
	locked := filepath.Join(dir, "locked")
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "sesame", "-f", locked).CombinedOutput()
	require.NoError(t, err, string(out))
	rsa := filepath.Join(dir, "rsa")
	out, err = exec.Command("ssh-keygen", "-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", rsa).CombinedOutput()
	require.NoError(t, err, string(out))

	_, errOut, code := relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", locked)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "passphrase needed")
	t.Setenv("RELCTL_TEST_PASSPHRASE", "sesame")
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", locked, "--passphrase-env", "RELCTL_TEST_PASSPHRASE")
	assert.Equal(t, 0, code, errOut)
	t.Setenv("RELCTL_TEST_PASSPHRASE", "wrong")
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", locked, "--passphrase-env", "RELCTL_TEST_PASSPHRASE")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "wrong passphrase")
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", rsa)
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "Ed25519")
}

// TestLogCheckpointPrevious: with --previous, relctl signs only a tree
// that extends the checkpoint it signed before.
func TestLogCheckpointPrevious(t *testing.T) {
	key, _ := tagSSHKey(t)
	otherKey, _ := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 6, plainNote)
	prev := checkpointFile(t, store, key)
	noteLog(t, store, 9, plainNote)
	out, errOut, code := relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", key, "--previous", prev)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\n9\n")

	// A log with the same first entries and another sixth: the previous
	// checkpoint was of another history.
	forked := t.TempDir()
	noteLog(t, forked, 9, func(i int) string {
		if i == 5 {
			return "rewritten"
		}
		return plainNote(i)
	})
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", forked, "--sign-key", key, "--previous", prev)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "refusing to sign")
	// A previous checkpoint this key did not sign is refused.
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", otherKey, "--previous", prev)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no signature by a trusted key")
}

// proveOutput is the JSON of relctl log prove, as a script reads it.
type proveOutput struct {
	Entry               uint64   `json:"entry"`
	LeafIndex           uint64   `json:"leaf_index"`
	TreeSize            uint64   `json:"tree_size"`
	LeafHash            string   `json:"leaf_hash"`
	RootHash            string   `json:"root_hash"`
	Hashes              []string `json:"hashes"`
	Origin              string   `json:"origin"`
	Verified            bool     `json:"verified"`
	CheckpointSignature string   `json:"checkpoint_signature"`
	Error               string   `json:"error"`
}

func TestLogProve(t *testing.T) {
	key, allowed := tagSSHKey(t)
	_, otherAllowed := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 13, plainNote)
	cpFile := checkpointFile(t, store, key)
	cpData, err := os.ReadFile(cpFile)
	require.NoError(t, err)
	noteLog(t, store, 15, plainNote)

	prove := func(args ...string) (proveOutput, string, int) {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"log", "prove", "--store", store}, args...)...)
		var p proveOutput
		if out != "" {
			require.NoError(t, json.Unmarshal([]byte(out), &p), out)
		}
		return p, errOut, code
	}
	p, errOut, code := prove("--entry", "7", "--checkpoint", cpFile)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, uint64(7), p.Entry)
	assert.Equal(t, uint64(6), p.LeafIndex)
	assert.Equal(t, uint64(13), p.TreeSize)
	assert.True(t, p.Verified)
	assert.Equal(t, "not checked (no key given)", p.CheckpointSignature)
	assert.Regexp(t, `^releasekit/log/`, p.Origin)

	// transparency-dev/merkle's verifier alone checks it: the leaf is the
	// entry file's bytes, the root the checkpoint's third line.
	entryFile, err := os.ReadFile(filepath.Join(store, "log", fmt.Sprintf("%020d.json", 7)))
	require.NoError(t, err)
	leaf := rfc6962.DefaultHasher.HashLeaf(entryFile)
	assert.Equal(t, hex.EncodeToString(leaf), p.LeafHash)
	root, err := base64.StdEncoding.DecodeString(strings.Split(string(cpData), "\n")[2])
	require.NoError(t, err)
	var hashes [][]byte
	for _, h := range p.Hashes {
		b, err := hex.DecodeString(h)
		require.NoError(t, err)
		hashes = append(hashes, b)
	}
	require.NoError(t, proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, p.TreeSize, leaf, hashes, root))

	// Keys: the allowed_signers key, the verifier key; another key fails.
	p, errOut, code = prove("--entry", "7", "--checkpoint", cpFile, "--allowed-signers", allowed)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "valid", p.CheckpointSignature)
	vkeyFile := filepath.Join(t.TempDir(), "vkey")
	_, errOut, code = relctl(t, "", "log", "checkpoint", "--store", store, "--sign-key", key, "--write-vkey", vkeyFile)
	require.Equal(t, 0, code, errOut)
	p, errOut, code = prove("--entry", "13", "--checkpoint", cpFile, "--note-key", vkeyFile, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "valid", p.CheckpointSignature)
	_, errOut, code = prove("--entry", "7", "--checkpoint", cpFile, "--allowed-signers", otherAllowed)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "no signature by a trusted key")

	// Without a checkpoint: the store's current tree.
	p, errOut, code = prove("--entry", "15")
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, uint64(15), p.TreeSize)
	assert.Equal(t, "no checkpoint", p.CheckpointSignature)
	assert.True(t, p.Verified)

	// A checkpoint of another history: the proof does not verify.
	forked := t.TempDir()
	noteLog(t, forked, 13, func(i int) string {
		if i == 9 {
			return "rewritten"
		}
		return plainNote(i)
	})
	p, _, code = prove("--entry", "3", "--checkpoint", checkpointFile(t, forked, key))
	assert.Equal(t, 1, code)
	assert.False(t, p.Verified)
	assert.NotEmpty(t, p.Error)
	// A checkpoint of a longer log than the store holds (a store cut back).
	longer := t.TempDir()
	noteLog(t, longer, 20, plainNote)
	p, _, code = prove("--entry", "3", "--checkpoint", checkpointFile(t, longer, key))
	assert.Equal(t, 1, code)
	assert.Contains(t, p.Error, "does not hold the checkpoint's tree")

	for name, args := range map[string][]string{
		"no entry":               {},
		"entry 0":                {"--entry", "0"},
		"beyond the checkpoint":  {"--entry", "14", "--checkpoint", cpFile},
		"beyond the log":         {"--entry", "16"},
		"key without checkpoint": {"--entry", "1", "--allowed-signers", allowed},
		"not a checkpoint":       {"--entry", "1", "--checkpoint", writeTemp(t, "hello\n")},
		"both keys":              {"--entry", "1", "--checkpoint", cpFile, "--allowed-signers", allowed, "--note-key", vkeyFile},
	} {
		_, errOut, code := prove(args...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
	}
}

// consistencyOutput is the JSON of relctl log verify --from --to.
type consistencyOutput struct {
	Consistent bool `json:"consistent"`
	From, To   struct {
		File      string `json:"file"`
		Origin    string `json:"origin"`
		TreeSize  uint64 `json:"tree_size"`
		RootHash  string `json:"root_hash"`
		Signature string `json:"signature"`
	}
	Hashes []string `json:"hashes"`
	Error  string   `json:"error"`
}

// TestLogVerifyFromTo: relctl log verify --from OLD --to NEW exits 0 only
// when NEW's tree extends OLD's; truncation to an older checkpoint and a
// rewritten entry both fail.
func TestLogVerifyFromTo(t *testing.T) {
	key, allowed := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 10, plainNote)
	cp10 := checkpointFile(t, store, key)
	noteLog(t, store, 13, plainNote)
	cp13 := checkpointFile(t, store, key)
	noteLog(t, store, 15, plainNote)
	cp15 := checkpointFile(t, store, key)

	verify := func(st, from, to string, args ...string) (consistencyOutput, string, int) {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"log", "verify", "--store", st, "--from", from, "--to", to, "--json"}, args...)...)
		var res consistencyOutput
		if out != "" {
			require.NoError(t, json.Unmarshal([]byte(out), &res), out)
		}
		return res, errOut, code
	}
	res, errOut, code := verify(store, cp10, cp15)
	require.Equal(t, 0, code, errOut)
	assert.True(t, res.Consistent)
	assert.Equal(t, uint64(10), res.From.TreeSize)
	assert.Equal(t, uint64(15), res.To.TreeSize)
	assert.Equal(t, cp10, res.From.File)
	assert.Equal(t, res.From.Origin, res.To.Origin)
	assert.NotEmpty(t, res.Hashes)
	assert.Equal(t, "not checked (no key given)", res.From.Signature)
	res, errOut, code = verify(store, cp10, cp15, "--allowed-signers", allowed)
	require.Equal(t, 0, code, errOut)
	assert.Equal(t, "valid", res.From.Signature)
	assert.Equal(t, "valid", res.To.Signature)
	res, errOut, code = verify(store, cp15, cp15)
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, res.Hashes)

	// Truncation to an older checkpoint.
	res, _, code = verify(store, cp15, cp10)
	assert.Equal(t, 1, code)
	assert.False(t, res.Consistent)
	assert.Contains(t, res.Error, "truncated")

	// Cut back to 12 entries and grown again to 15: the same first entry,
	// so the same origin, and another history after entry 12.
	regrown := t.TempDir()
	noteLog(t, regrown, 15, func(i int) string {
		if i >= 12 {
			return fmt.Sprintf("other %d", i)
		}
		return plainNote(i)
	})
	cpG := checkpointFile(t, regrown, key)
	res, _, code = verify(regrown, cp13, cpG)
	assert.Equal(t, 1, code, "the regrown log does not extend the checkpoint of 13")
	assert.False(t, res.Consistent)
	res, _, code = verify(store, cp15, cpG)
	assert.Equal(t, 1, code, "two roots for 15 entries")
	assert.Contains(t, res.Error, "rewritten")
	_, errOut, code = verify(regrown, cp10, cpG)
	assert.Equal(t, 0, code, "its first 12 entries are the log's: %s", errOut)

	// An entry rewritten.
	rewritten := t.TempDir()
	noteLog(t, rewritten, 15, func(i int) string {
		if i == 4 {
			return "mallory was here"
		}
		return plainNote(i)
	})
	cpR := checkpointFile(t, rewritten, key)
	for _, st := range []string{rewritten, store} {
		res, _, code = verify(st, cp10, cpR)
		assert.Equal(t, 1, code)
		assert.False(t, res.Consistent)
	}

	// The store does not hold NEW's tree.
	short := t.TempDir()
	noteLog(t, short, 12, plainNote)
	res, _, code = verify(short, cp10, cp15)
	assert.Equal(t, 1, code)
	assert.Contains(t, res.Error, "does not hold")

	// Text output.
	out, errOut, code := relctl(t, "", "log", "verify", "--store", store, "--from", cp10, "--to", cp15)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "consistent: the tree of 15 entries")
	_, errOut, code = relctl(t, "", "log", "verify", "--store", store, "--from", cp15, "--to", cp10)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "truncated")

	// Usage.
	keyring := writeTemp(t, "not read")
	for name, args := range map[string][]string{
		"from alone":      {"--from", cp10},
		"to alone":        {"--to", cp10},
		"with checkpoint": {"--from", cp10, "--to", cp15, "--checkpoint", cp10},
		"with write":      {"--from", cp10, "--to", cp15, "--write-checkpoint", filepath.Join(t.TempDir(), "x")},
		"keyring":         {"--from", cp10, "--to", cp15, "--keyring", keyring},
		"not a note":      {"--from", writeTemp(t, `{"count":1}`), "--to", cp15},
		"missing file":    {"--from", filepath.Join(t.TempDir(), "nope"), "--to", cp15},
	} {
		_, errOut, code := relctl(t, "", append([]string{"log", "verify", "--store", store}, args...)...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
	}
}

// TestLogVerifyTree: the whole-log verification of a store that keeps the
// tree still reports entries and head as before, takes a signed-note
// checkpoint, and catches an edited entry.
func TestLogVerifyTree(t *testing.T) {
	key, allowed := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 9, plainNote)
	cp := checkpointFile(t, store, key)
	noteLog(t, store, 11, plainNote)

	out, errOut, code := relctl(t, "", "log", "verify", "--store", store, "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["valid"])
	assert.Equal(t, float64(11), res["entries"])
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	head, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	assert.Equal(t, head.Head, res["head"])

	out, errOut, code = relctl(t, "", "log", "verify", "--store", store, "--checkpoint", cp, "--allowed-signers", allowed, "--json")
	require.Equal(t, 0, code, errOut)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["valid"])
	assert.Equal(t, "valid", res["checkpoint_signature"])

	// A checkpoint of another history of the log.
	forked := t.TempDir()
	noteLog(t, forked, 9, func(i int) string {
		if i == 2 {
			return "rewritten"
		}
		return plainNote(i)
	})
	out, _, code = relctl(t, "", "log", "verify", "--store", store, "--checkpoint", checkpointFile(t, forked, key), "--json")
	assert.Equal(t, 1, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, false, res["valid"])

	// An entry edited in place.
	f := filepath.Join(store, "log", fmt.Sprintf("%020d.json", 4))
	b, err := os.ReadFile(f)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(f, []byte(strings.Replace(string(b), "note 3", "note X", 1)), 0o644))
	out, _, code = relctl(t, "", "log", "verify", "--store", store, "--json")
	assert.Equal(t, 1, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, false, res["valid"])
	assert.Contains(t, res["error"], "tampered")
}

// TestLogTreeEntryLeaf pins what the proofs are of: an entry's leaf is the
// bytes of its file in the store, SHA-256(0x00 || bytes).
func TestLogTreeEntryLeaf(t *testing.T) {
	store := t.TempDir()
	noteLog(t, store, 1, plainNote)
	b, err := os.ReadFile(filepath.Join(store, "log", fmt.Sprintf("%020d.json", 1)))
	require.NoError(t, err)
	sum := sha256.Sum256(append([]byte{0}, b...))
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	e, err := st.Entry(t.Context(), 1)
	require.NoError(t, err)
	leaf, err := manifest.EntryLeafHash(e)
	require.NoError(t, err)
	assert.Equal(t, hex.EncodeToString(sum[:]), leaf.String())
}

// TestLogNoteCheckpointConfiguredTrustFailsClosed: the release
// configuration trusts keys for checkpoints, but none can verify a signed
// note (an OpenPGP keyring, an ECDSA PEM key): a signed-note checkpoint
// is then refused, never used with its signature unchecked.
func TestLogNoteCheckpointConfiguredTrustFailsClosed(t *testing.T) {
	key, _ := tagSSHKey(t)
	store := t.TempDir()
	noteLog(t, store, 5, plainNote)
	cp5 := checkpointFile(t, store, key)
	noteLog(t, store, 7, plainNote)
	cp7 := checkpointFile(t, store, key)

	dir := t.TempDir()
	e, err := openpgp.NewEntity("Release Bot", "", "bot@example.com", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
	require.NoError(t, err)
	tagWriteArmored(t, filepath.Join(dir, "pub.asc"), openpgp.PublicKeyType, func(w io.Writer) error { return e.Serialize(w) })
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKIXPublicKey(&ec.PublicKey)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "ec.pem"), pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644))

	for name, trust := range map[string]string{
		"keyring":   "    keyring: pub.asc\n",
		"ecdsa key": "    keys: [ec.pem]\n",
	} {
		t.Run(name, func(t *testing.T) {
			cfg := filepath.Join(dir, name+".yaml")
			require.NoError(t, os.WriteFile(cfg, []byte("version: 1\ntrust:\n  checkpoints:\n"+trust+"environments:\n  - name: prod\n"), 0o644))
			for what, args := range map[string][]string{
				"prove":       {"log", "prove", "--store", store, "--entry", "1", "--checkpoint", cp5, "--config", cfg},
				"verify":      {"log", "verify", "--store", store, "--checkpoint", cp5, "--config", cfg},
				"verify from": {"log", "verify", "--store", store, "--from", cp5, "--to", cp7, "--config", cfg},
			} {
				out, errOut, code := relctl(t, "", args...)
				assert.NotEqual(t, 0, code, "%s: %s", what, out)
				assert.Contains(t, errOut, "trust.checkpoints", what)
				assert.NotContains(t, out, "not checked", what)
			}
		})
	}
}
