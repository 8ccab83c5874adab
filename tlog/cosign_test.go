package tlog_test

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/mod/sumdb/note"

	"github.com/releasekit/releasekit/tlog"
)

// testLog is a log of entries "entry 0", "entry 1", …, with entry
// rewritten[i] in place of entry i, its nodes, and the checkpoints it
// signs.
type testLog struct {
	t      *testing.T
	origin string
	tree   tlog.Tree
	nodes  *tlog.MemNodes
	signer note.Signer
}

func newTestLog(t *testing.T, n int, rewritten map[int]string) *testLog {
	t.Helper()
	l := &testLog{t: t, origin: "example.com/log", nodes: new(tlog.MemNodes), signer: testSigner(t, "example.com/log")}
	l.grow(n, rewritten)
	return l
}

func (l *testLog) grow(n int, rewritten map[int]string) {
	l.t.Helper()
	for i := int(l.tree.Size); i < n; i++ {
		data := fmt.Sprintf("entry %d", i)
		if r, ok := rewritten[i]; ok {
			data = r
		}
		require.NoError(l.t, l.tree.Append(tlog.LeafHash([]byte(data)), l.nodes.Put))
	}
}

// checkpoint returns the checkpoint of the log's first size leaves and its
// signed note.
func (l *testLog) checkpoint(size uint64) (tlog.Checkpoint, []byte) {
	l.t.Helper()
	tr, err := tlog.TreeAt(context.Background(), l.nodes, size)
	require.NoError(l.t, err)
	root, err := tr.Root()
	require.NoError(l.t, err)
	c := tlog.Checkpoint{Origin: l.origin, Size: size, Root: root}
	msg, err := tlog.SignCheckpoint(c, l.signer)
	require.NoError(l.t, err)
	return c, msg
}

func (l *testLog) proof(size1, size2 uint64) []tlog.Hash {
	l.t.Helper()
	p, err := tlog.ConsistencyProof(context.Background(), l.nodes, size1, size2)
	require.NoError(l.t, err)
	return p
}

var logKeys = tlog.Ed25519Keys{testKey(1).Public().(ed25519.PublicKey)}

func testWitness(t *testing.T) *tlog.Witness {
	t.Helper()
	w, err := tlog.NewWitness("witness.example.com/w1", testKey(9))
	require.NoError(t, err)
	return w
}

func TestCosign(t *testing.T) {
	l := newTestLog(t, 20, nil)
	w := testWitness(t)
	at := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

	cp10, msg10 := l.checkpoint(10)
	cosigned, seen, err := tlog.Cosign(msg10, w, tlog.CosignRequest{Log: logKeys, Time: at})
	require.NoError(t, err)
	assert.Equal(t, cp10, seen)
	assert.True(t, strings.HasPrefix(string(cosigned), string(msg10)), "the log's signature line stays first")

	c, when, err := tlog.VerifyCosignature(cosigned, w.Verifier())
	require.NoError(t, err)
	assert.Equal(t, cp10, c)
	assert.Equal(t, at, when)
	v, err := tlog.ParseVerifierKey(w.VerifierKey())
	require.NoError(t, err)
	_, _, err = tlog.VerifyCosignature(cosigned, v)
	require.NoError(t, err)
	// The log's key still opens it; the cosignature is an unknown key to it.
	_, n, err := tlog.OpenCheckpoint(cosigned, logKeys)
	require.NoError(t, err)
	assert.Len(t, n.UnverifiedSigs, 1)
	// note.Open with the witness's verifier alone accepts it too.
	_, err = note.Open(cosigned, note.VerifierList(w.Verifier()))
	require.NoError(t, err)

	// The next checkpoint, with the consistency proof from the last one.
	cp20, msg20 := l.checkpoint(20)
	cosigned20, seen, err := tlog.Cosign(msg20, w, tlog.CosignRequest{Log: logKeys, Previous: cp10, Proof: l.proof(10, 20), Time: at.Add(time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, cp20, seen)
	// Cosigning again replaces the witness's line, keeps the others.
	again, _, err := tlog.Cosign(cosigned20, w, tlog.CosignRequest{Log: logKeys, Previous: cp20, Time: at.Add(2 * time.Hour)})
	require.NoError(t, err)
	assert.Equal(t, 1, strings.Count(string(again), "— witness.example.com/w1 "))
	assert.True(t, strings.HasPrefix(string(again), string(msg20)))
	_, when, err = tlog.VerifyCosignature(again, w.Verifier())
	require.NoError(t, err)
	assert.Equal(t, at.Add(2*time.Hour), when)
	// A second witness adds its own line after the first's.
	w2, err := tlog.NewWitness("witness.example.org", testKey(8))
	require.NoError(t, err)
	both, _, err := tlog.Cosign(again, w2, tlog.CosignRequest{Log: logKeys, Time: at})
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(both), string(again)))
	for _, wit := range []*tlog.Witness{w, w2} {
		_, _, err = tlog.VerifyCosignature(both, wit.Verifier())
		require.NoError(t, err)
	}
}

// TestCosignatureFormat checks a cosignature line against
// c2sp.org/tlog-cosignature by hand: the key ID is SHA-256(name || "\n" ||
// 0x04 || public key)[:4]; the signature is an 8-byte big-endian timestamp
// and the Ed25519 signature of "cosignature/v1\ntime T\n" and the
// checkpoint's note text.
func TestCosignatureFormat(t *testing.T) {
	l := newTestLog(t, 3, nil)
	_, msg := l.checkpoint(3)
	w := testWitness(t)
	cosigned, _, err := tlog.Cosign(msg, w, tlog.CosignRequest{Log: logKeys, Time: time.Unix(1679315147, 0)})
	require.NoError(t, err)

	text, sigs, ok := strings.Cut(string(cosigned), "\n\n")
	require.True(t, ok)
	text += "\n"
	lines := strings.Split(strings.TrimSuffix(sigs, "\n"), "\n")
	require.Len(t, lines, 2)
	fields := strings.Fields(strings.TrimPrefix(lines[1], "— "))
	require.Len(t, fields, 2)
	assert.Equal(t, "witness.example.com/w1", fields[0])
	raw, err := base64.StdEncoding.DecodeString(fields[1])
	require.NoError(t, err)
	require.Len(t, raw, 4+8+64)

	pub := testKey(9).Public().(ed25519.PublicKey)
	id := sha256.Sum256(append([]byte("witness.example.com/w1\n\x04"), pub...))
	assert.Equal(t, id[:4], raw[:4], "key ID")
	assert.Equal(t, binary.BigEndian.Uint32(id[:4]), w.KeyHash())
	assert.Equal(t, uint64(1679315147), binary.BigEndian.Uint64(raw[4:12]))
	signed := "cosignature/v1\ntime 1679315147\n" + text
	assert.True(t, ed25519.Verify(pub, []byte(signed), raw[12:]), "signature over %q", signed)
	assert.Equal(t, fmt.Sprintf("witness.example.com/w1+%08x+%s", w.KeyHash(), base64.StdEncoding.EncodeToString(append([]byte{4}, pub...))), w.VerifierKey())
}

// TestCosignRefuses: a witness cosigns only a checkpoint the log signed
// whose tree extends the last one it cosigned.
func TestCosignRefuses(t *testing.T) {
	l := newTestLog(t, 20, nil)
	w := testWitness(t)
	at := time.Unix(1700000000, 0)
	cp20, _ := l.checkpoint(20)

	// Truncated: the log cut back to 12 entries.
	_, msg12 := l.checkpoint(12)
	_, _, err := tlog.Cosign(msg12, w, tlog.CosignRequest{Log: logKeys, Previous: cp20, Time: at})
	require.ErrorIs(t, err, tlog.ErrProof)
	assert.ErrorContains(t, err, "truncated")

	// Cut back to 12 and grown again to 25 with other entries: the
	// rewritten log's own proof does not verify.
	forked := newTestLog(t, 12, nil)
	forked.grow(25, map[int]string{12: "other 12", 13: "other 13"})
	_, msg25 := forked.checkpoint(25)
	_, _, err = tlog.Cosign(msg25, w, tlog.CosignRequest{Log: logKeys, Previous: cp20, Proof: forked.proof(20, 25), Time: at})
	require.ErrorIs(t, err, tlog.ErrProof)

	// An entry rewritten, the same size: two roots for one tree.
	rewritten := newTestLog(t, 20, map[int]string{4: "rewritten"})
	_, msgR := rewritten.checkpoint(20)
	_, _, err = tlog.Cosign(msgR, w, tlog.CosignRequest{Log: logKeys, Previous: cp20, Time: at})
	require.ErrorIs(t, err, tlog.ErrProof)
	assert.ErrorContains(t, err, "two roots")

	// Another log's checkpoint.
	other := newTestLog(t, 25, nil)
	other.origin = "example.com/other"
	_, msgO := other.checkpoint(25)
	_, _, err = tlog.Cosign(msgO, w, tlog.CosignRequest{Log: logKeys, Previous: cp20, Proof: other.proof(20, 25), Time: at})
	require.ErrorIs(t, err, tlog.ErrProof)
	assert.ErrorContains(t, err, "origins differ")

	// Not signed by the log's key.
	_, msg := l.checkpoint(20)
	_, _, err = tlog.Cosign(msg, w, tlog.CosignRequest{Log: tlog.Ed25519Keys{testKey(3).Public().(ed25519.PublicKey)}, Time: at})
	require.ErrorIs(t, err, tlog.ErrUnknownKey)
	_, _, err = tlog.Cosign(msg, w, tlog.CosignRequest{Time: at})
	require.ErrorIs(t, err, tlog.ErrUnknownKey)

	// A time before the epoch, no witness.
	_, _, err = tlog.Cosign(msg, w, tlog.CosignRequest{Log: logKeys, Time: time.Unix(-1, 0)})
	assert.Error(t, err)
	_, _, err = tlog.Cosign(msg, nil, tlog.CosignRequest{Log: logKeys, Time: at})
	assert.Error(t, err)

	// VerifyCosignature: not cosigned by this witness; a cosignature altered.
	_, _, err = tlog.VerifyCosignature(msg, w.Verifier())
	require.ErrorIs(t, err, tlog.ErrUnknownKey)
	cosigned, _, err := tlog.Cosign(msg, w, tlog.CosignRequest{Log: logKeys, Time: at})
	require.NoError(t, err)
	altered := strings.Replace(string(cosigned), "\n20\n", "\n21\n", 1)
	_, _, err = tlog.VerifyCosignature([]byte(altered), w.Verifier())
	require.ErrorIs(t, err, tlog.ErrBadSignature)
	var invalid *note.InvalidSignatureError
	assert.ErrorAs(t, err, &invalid)
	// A log's plain signature is no cosignature, even by the witness's key.
	plain, err := tlog.NewSigner("witness.example.com/w1", testKey(9))
	require.NoError(t, err)
	_, msgP := l.checkpoint(20)
	text := string(msgP)[:strings.Index(string(msgP), "\n\n")+1]
	withPlain, err := note.Sign(&note.Note{Text: text}, plain)
	require.NoError(t, err)
	_, _, err = tlog.VerifyCosignature(withPlain, w.Verifier())
	require.ErrorIs(t, err, tlog.ErrUnknownKey, "a type 0x01 key ID is not the 0x04 one")

	_, err = tlog.NewWitness("a b", testKey(9))
	assert.ErrorIs(t, err, tlog.ErrKey)
	_, err = tlog.NewWitness("w", testKey(9)[:10])
	assert.ErrorIs(t, err, tlog.ErrKey)
	_, err = tlog.NewCosignatureVerifier("w", testKey(9).Public().(ed25519.PublicKey)[:10])
	assert.ErrorIs(t, err, tlog.ErrKey)
}

// TestVerifyCheckpoints: truncation to an older checkpoint and a rewritten
// entry are both caught by the consistency check between two checkpoints,
// and an honest log passes it.
func TestVerifyCheckpoints(t *testing.T) {
	l := newTestLog(t, 30, nil)
	cp10, _ := l.checkpoint(10)
	cp20, _ := l.checkpoint(20)
	cp30, _ := l.checkpoint(30)
	require.NoError(t, tlog.VerifyCheckpoints(cp10, cp20, l.proof(10, 20)))
	require.NoError(t, tlog.VerifyCheckpoints(cp10, cp30, l.proof(10, 30)))
	require.NoError(t, tlog.VerifyCheckpoints(cp30, cp30, nil))
	empty := tlog.Checkpoint{Origin: l.origin, Root: tlog.EmptyRoot}
	require.NoError(t, tlog.VerifyCheckpoints(empty, cp30, nil))

	// Truncation: the newer checkpoint is the older state of the log.
	err := tlog.VerifyCheckpoints(cp30, cp20, nil)
	require.ErrorIs(t, err, tlog.ErrProof)
	assert.ErrorContains(t, err, "truncated")

	// Truncated to 15 and regrown to 30: same size, another history.
	regrown := newTestLog(t, 15, nil)
	regrown.grow(30, map[int]string{15: "x", 16: "y"})
	cpG, _ := regrown.checkpoint(30)
	assert.ErrorIs(t, tlog.VerifyCheckpoints(cp30, cpG, nil), tlog.ErrProof)
	assert.ErrorIs(t, tlog.VerifyCheckpoints(cp20, cpG, regrown.proof(20, 30)), tlog.ErrProof)
	require.NoError(t, tlog.VerifyCheckpoints(cp10, cpG, regrown.proof(10, 30)), "its first 15 entries are the log's")

	// An entry rewritten: neither the rewritten log's proof nor the
	// honest one verifies.
	rw := newTestLog(t, 30, map[int]string{7: "rewritten 7"})
	cpR, _ := rw.checkpoint(30)
	for name, p := range map[string][]tlog.Hash{"rewritten log's": rw.proof(10, 30), "honest log's": l.proof(10, 30)} {
		err := tlog.VerifyCheckpoints(cp10, cpR, p)
		require.ErrorIs(t, err, tlog.ErrProof, name)
		var ce *tlog.ConsistencyError
		assert.ErrorAs(t, err, &ce)
	}
	// Entries after the older checkpoint are new, not rewritten.
	late := newTestLog(t, 30, map[int]string{25: "late"})
	cpL, _ := late.checkpoint(30)
	require.NoError(t, tlog.VerifyCheckpoints(cp20, cpL, late.proof(20, 30)))

	bad := cp30
	bad.Origin = "example.com/other"
	assert.ErrorIs(t, tlog.VerifyCheckpoints(cp20, bad, l.proof(20, 30)), tlog.ErrProof)
	badEmpty := tlog.Checkpoint{Origin: l.origin, Root: cp10.Root}
	assert.ErrorIs(t, tlog.VerifyCheckpoints(badEmpty, cp30, nil), tlog.ErrProof)
	assert.ErrorIs(t, tlog.VerifyCheckpoints(cp20, cp30, l.proof(10, 30)), tlog.ErrProof, "a proof for other sizes")
}
