package ocistore_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/tlog"
)

// tamper rewrites a file of the registry's storage, as someone with access
// to its disk could.
func tamper(t *testing.T, path string, data []byte) {
	t.Helper()
	require.NoError(t, os.WriteFile(path, data, 0o644))
}

// headBytes reads the log's head manifest as any client can.
func headBytes(t *testing.T, repo string) []byte {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodGet, "http://"+manifestURL(repo, ocistore.LogTag), nil)
	req.Header.Set("Accept", ocispec.MediaTypeImageManifest)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return b
}

// forceHead moves the head tag to data with an unconditional PUT, as a
// writer with push access that does not play by the rules could.
func forceHead(t *testing.T, repo string, data []byte) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), http.MethodPut, "http://"+manifestURL(repo, ocistore.LogTag), bytes.NewReader(data))
	req.Header.Set("Content-Type", ocispec.MediaTypeImageManifest)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}

func manifestURL(repo, ref string) string {
	host, name, _ := bytes.Cut([]byte(repo), []byte("/"))
	return fmt.Sprintf("%s/v2/%s/manifests/%s", host, name, ref)
}

func appendNotes(t *testing.T, st *ocistore.Store, prefix string, n int) {
	t.Helper()
	for i := range n {
		_, err := st.Append(t.Context(), note(fmt.Sprintf("%s-%d", prefix, i)))
		require.NoError(t, err)
	}
}

// TestTamperEntry: an entry rewritten in the registry's storage no longer
// hashes to the digest the index holds.
func TestTamperEntry(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/log")
	appendNotes(t, st, "a", 5)
	e, err := st.Entry(ctx, 3)
	require.NoError(t, err)
	h, err := e.Hash()
	require.NoError(t, err)
	forged := e
	forged.Note = "a-X"
	data, err := manifest.MarshalEntry(forged)
	require.NoError(t, err)
	tamper(t, reg.BlobPath(h), data)

	_, err = st.Entry(ctx, 3)
	var te *ocistore.TamperError
	require.ErrorAs(t, err, &te)
	require.ErrorIs(t, err, manifest.ErrTampered)
	_, err = st.Entries(ctx)
	require.ErrorIs(t, err, manifest.ErrTampered)
	_, err = manifest.VerifyTree(ctx, st)
	require.ErrorIs(t, err, manifest.ErrTampered)
	_, err = st.Append(ctx, note("more")) // the head and the last entry are intact
	require.NoError(t, err)
}

// TestTruncateAndRewrite: the head moved back to an older state is
// caught against a checkpoint (truncation), and so is a log cut back and
// grown again with other entries (a consistency proof between the two
// checkpoints fails).
func TestTruncateAndRewrite(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/log")
	repo := reg.Repo("releases/log")
	appendNotes(t, st, "a", 6)
	old := headBytes(t, repo)
	appendNotes(t, st, "b", 4)
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	tr10, err := st.Tree(ctx)
	require.NoError(t, err)
	root10, _ := tr10.Root()

	forceHead(t, repo, old) // cut back to 6 entries
	_, err = manifest.VerifyStore(ctx, st, &cp)
	require.ErrorIs(t, err, manifest.ErrTruncated)
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(6), tr.Size, "a tree smaller than the checkpoint's: truncated")
	_, err = manifest.VerifyExtends(ctx, st, 10, root10)
	require.ErrorIs(t, err, manifest.ErrTruncated)

	appendNotes(t, st, "c", 6) // and grown again to 12
	_, err = manifest.VerifyStore(ctx, st, &cp)
	require.ErrorIs(t, err, manifest.ErrTampered)
	tr12, err := st.Tree(ctx)
	require.NoError(t, err)
	root12, _ := tr12.Root()
	p, err := tlog.ConsistencyProof(ctx, st, 10, 12)
	require.NoError(t, err)
	require.ErrorIs(t, tlog.VerifyConsistency(10, 12, p, root10, root12), tlog.ErrProof)
	_, err = manifest.VerifyExtends(ctx, st, 10, root10)
	require.ErrorIs(t, err, tlog.ErrProof)
	_, err = manifest.VerifyTree(ctx, st) // the grown log is consistent in itself
	require.NoError(t, err)
}

// TestForgedHead: a head whose tree state does not match the stored
// nodes, or that is not a log head, is a *TamperError.
func TestForgedHead(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/log")
	repo := reg.Repo("releases/log")
	appendNotes(t, st, "a", 5)
	var m ocispec.Manifest
	require.NoError(t, json.Unmarshal(headBytes(t, repo), &m))
	tb, err := hex.DecodeString(m.Annotations["org.releasekit.log.tree"])
	require.NoError(t, err)
	tb[len(tb)-1] ^= 1 // flip a bit of the last range hash
	m.Annotations["org.releasekit.log.tree"] = hex.EncodeToString(tb)
	forged, err := json.Marshal(m)
	require.NoError(t, err)
	forceHead(t, repo, forged)
	_, err = st.Tree(ctx)
	require.ErrorIs(t, err, manifest.ErrTampered)

	m.ArtifactType = "application/vnd.example"
	forged, _ = json.Marshal(m)
	forceHead(t, repo, forged)
	_, err = st.Entries(ctx)
	require.ErrorIs(t, err, manifest.ErrTampered)
	_, err = st.Append(ctx, note("x"))
	require.ErrorIs(t, err, manifest.ErrTampered)
}

// TestAppendToForgedHead: an append reads the head's tree state to grow
// it; a head whose state does not match the stored nodes is refused, not
// grown: the nodes the append would store are computed from the forged
// state, and once a subtree closes over them the head agrees with its
// nodes again (Tree would no longer see the forgery).
func TestAppendToForgedHead(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/log")
	repo := reg.Repo("releases/log")
	appendNotes(t, st, "a", 5)
	var m ocispec.Manifest
	require.NoError(t, json.Unmarshal(headBytes(t, repo), &m))
	tb, err := hex.DecodeString(m.Annotations["org.releasekit.log.tree"])
	require.NoError(t, err)
	tb[len(tb)-1] ^= 1 // the last range hash: leaf 5
	m.Annotations["org.releasekit.log.tree"] = hex.EncodeToString(tb)
	forged, err := json.Marshal(m)
	require.NoError(t, err)
	forceHead(t, repo, forged)
	_, err = st.Tree(ctx)
	require.ErrorIs(t, err, manifest.ErrTampered)

	_, err = st.Append(ctx, note("a-5"))
	require.ErrorIs(t, err, manifest.ErrTampered)
	assert.Equal(t, forged, headBytes(t, repo), "the head did not move")
	_, err = st.Tree(ctx)
	require.ErrorIs(t, err, manifest.ErrTampered, "the forgery is still seen")
}
