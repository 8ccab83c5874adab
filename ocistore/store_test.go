package ocistore_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/registrytest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/ocistore"
	"github.com/releasekit/releasekit/tlog"
)

// open starts a registry (with preconditions enforced unless opts say
// otherwise) and opens a store in repository name.
func open(t *testing.T, name string, ropts ...registrytest.Option) (*ocistore.Store, *registrytest.Registry) {
	t.Helper()
	reg := registrytest.Start(t, ropts...)
	st, err := ocistore.Open(t.Context(), reg.Repo(name))
	require.NoError(t, err)
	return st, reg
}

func note(s string) manifest.Entry { return manifest.Entry{Kind: manifest.KindNote, Note: s} }

func TestRecords(t *testing.T) {
	ctx := t.Context()
	st, _ := open(t, "releases/app")
	_, err := st.Record(ctx, "v1.0.0")
	require.ErrorIs(t, err, manifest.ErrNotFound)

	r := manifest.Record{Version: manifest.RecordVersion, Tag: "v1.0.0", Commit: strings.Repeat("a", 40),
		Artifacts: []manifest.Artifact{{Name: "app.tar", Digest: manifest.Digest([]byte("app"))}}, KnownIssues: []string{}}
	require.NoError(t, st.PutRecord(ctx, r))
	got, err := st.Record(ctx, "v1.0.0")
	require.NoError(t, err)
	assert.Equal(t, r.Artifacts, got.Artifacts)

	// Adding an artifact is allowed, changing a published digest is not.
	r.Artifacts = append(r.Artifacts, manifest.Artifact{Name: "app.sig", Digest: manifest.Digest([]byte("sig"))})
	require.NoError(t, st.PutRecord(ctx, r))
	r2 := r
	r2.Artifacts = []manifest.Artifact{{Name: "app.tar", Digest: manifest.Digest([]byte("other"))}, r.Artifacts[1]}
	err = st.PutRecord(ctx, r2)
	require.ErrorIs(t, err, &manifest.RefusalError{Reason: "artifact digest changed for a published version"})
	got, err = st.Record(ctx, "v1.0.0")
	require.NoError(t, err)
	assert.Equal(t, r.Artifacts, got.Artifacts)

	for _, bad := range []string{"", ".x", "a/b", "a\x00b"} {
		_, err := st.Record(ctx, bad)
		require.ErrorIs(t, err, manifest.ErrInvalidName, "%q", bad)
		require.ErrorIs(t, st.PutRecord(ctx, manifest.Record{Version: 1, Tag: bad}), manifest.ErrInvalidName)
	}
}

func TestEvidence(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/app")
	data := []byte(`{"gate":"prod","allowed":true}`)
	d, err := st.PutEvidence(ctx, data)
	require.NoError(t, err)
	assert.Equal(t, manifest.Digest(data), d)
	d2, err := st.PutEvidence(ctx, data)
	require.NoError(t, err)
	assert.Equal(t, d, d2)
	got, err := st.Evidence(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, data, got)

	_, err = st.Evidence(ctx, manifest.Digest([]byte("never stored")))
	require.ErrorIs(t, err, manifest.ErrNotFound)
	_, err = st.Evidence(ctx, "sha256:ABC")
	require.ErrorIs(t, err, manifest.ErrInvalidDigest)

	// Evidence edited in the registry's storage is caught.
	tamper(t, reg.BlobPath(d), []byte(`{"gate":"prod","allowed":fals}`))
	_, err = st.Evidence(ctx, d)
	require.ErrorIs(t, err, manifest.ErrEvidenceDigest)
}

func TestAppendAndProve(t *testing.T) {
	ctx := t.Context()
	st, _ := open(t, "releases/log")
	tr, err := st.Tree(ctx)
	require.NoError(t, err)
	assert.Zero(t, tr.Size)
	entries, err := st.Entries(ctx)
	require.NoError(t, err)
	assert.Empty(t, entries)

	const n = 100 // three full pages of 32 and a partial one, two levels
	var mem tlog.Tree
	for i := range n {
		e, err := st.Append(ctx, note(fmt.Sprint("entry ", i)))
		require.NoError(t, err)
		require.Equal(t, uint64(i+1), e.Seq)
		leaf, err := manifest.LeafData(e)
		require.NoError(t, err)
		require.NoError(t, mem.Append(tlog.LeafHash(leaf), nil))
	}
	entries, err = manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
	require.Len(t, entries, n)

	tr, err = st.Tree(ctx)
	require.NoError(t, err)
	assert.Equal(t, mem, tr)
	root, err := tr.Root()
	require.NoError(t, err)

	for _, seq := range []uint64{1, 32, 33, 65, n} {
		e, err := st.Entry(ctx, seq)
		require.NoError(t, err)
		assert.Equal(t, entries[seq-1], e)
		leaf, _ := manifest.LeafData(e)
		p, err := tlog.InclusionProof(ctx, st, seq-1, n)
		require.NoError(t, err)
		require.NoError(t, tlog.VerifyInclusion(seq-1, n, tlog.LeafHash(leaf), p, root))
	}
	_, err = st.Entry(ctx, n+1)
	require.ErrorIs(t, err, manifest.ErrNotFound)

	// A newer tree extends an older one.
	old, err := tlog.TreeAt(ctx, st, 70)
	require.NoError(t, err)
	oldRoot, _ := old.Root()
	p, err := tlog.ConsistencyProof(ctx, st, 70, n)
	require.NoError(t, err)
	require.NoError(t, tlog.VerifyConsistency(70, n, p, oldRoot, root))

	// Compare-and-swap by Seq.
	_, err = st.Append(ctx, manifest.Entry{Seq: 3, Kind: manifest.KindNote, Note: "late"})
	require.ErrorIs(t, err, manifest.ErrConflict)
	e, err := st.Append(ctx, manifest.Entry{Seq: n + 1, Kind: manifest.KindNote, Note: "next"})
	require.NoError(t, err)
	assert.Equal(t, uint64(n+1), e.Seq)
}

func TestCheckpoints(t *testing.T) {
	ctx := t.Context()
	st, _ := open(t, "releases/log")
	_, err := st.Checkpoint(ctx, 3)
	require.ErrorIs(t, err, manifest.ErrNotFound)
	n := []byte("example.com/log\n3\nabc=\n\n— key sig\n")
	_, err = st.PutCheckpoint(ctx, 3, n)
	require.NoError(t, err)
	_, err = st.PutCheckpoint(ctx, 3, n) // the same again: nothing new
	require.NoError(t, err)
	_, err = st.PutCheckpoint(ctx, 3, []byte("another"))
	require.ErrorIs(t, err, manifest.ErrConflict)
	got, err := st.Checkpoint(ctx, 3)
	require.NoError(t, err)
	assert.Equal(t, n, got)
}

// TestWithoutPreconditions: on a registry that ignores the preconditions
// of tag updates (distribution as shipped), writes that need a
// compare-and-swap fail closed, unless the caller says it is the only
// writer; evidence, which needs none, is stored.
func TestWithoutPreconditions(t *testing.T) {
	ctx := t.Context()
	st, reg := open(t, "releases/log", registrytest.WithoutPreconditions())
	ok, err := st.Enforced(ctx)
	require.NoError(t, err)
	assert.False(t, ok)
	_, err = st.Append(ctx, note("x"))
	var ue *ocistore.UnsupportedError
	require.ErrorAs(t, err, &ue)
	require.ErrorIs(t, err, ocistore.ErrUnsupported)
	require.ErrorIs(t, st.PutRecord(ctx, manifest.Record{Version: 1, Tag: "v1.0.0"}), ocistore.ErrUnsupported)
	_, err = st.PutEvidence(ctx, []byte("report"))
	require.NoError(t, err)

	single, err := ocistore.Open(ctx, reg.Repo("releases/log"), ocistore.WithSingleWriterUnsafe())
	require.NoError(t, err)
	e, err := single.Append(ctx, note("x"))
	require.NoError(t, err)
	assert.Equal(t, uint64(1), e.Seq)

	st2, _ := open(t, "releases/log")
	ok, err = st2.Enforced(ctx)
	require.NoError(t, err)
	assert.True(t, ok)
}

// TestBoundedResponses: a registry that answers with more than the store
// reads is refused with ErrTooLarge, not read into memory.
func TestBoundedResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2/" {
			return
		}
		w.Header().Set("Content-Type", "application/vnd.oci.image.manifest.v1+json")
		w.Header().Set("Content-Length", fmt.Sprint(ocistore.MaxBlob+1<<20))
		w.WriteHeader(http.StatusOK)
		chunk := make([]byte, 1<<20)
		for range 66 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	}))
	defer srv.Close()
	st, err := ocistore.Open(t.Context(), strings.TrimPrefix(srv.URL, "http://")+"/releases/log")
	require.NoError(t, err)
	_, err = st.Tree(t.Context())
	require.ErrorIs(t, err, ocistore.ErrTooLarge)
	_, err = st.Record(t.Context(), "v1.0.0")
	require.ErrorIs(t, err, ocistore.ErrTooLarge)
}

func TestOpenRefusesReferences(t *testing.T) {
	for _, ref := range []string{"127.0.0.1:5000/app:v1", "127.0.0.1:5000/app@sha256:" + strings.Repeat("0", 64), "not a reference", ""} {
		_, err := ocistore.Open(context.Background(), ref)
		require.Error(t, err, ref)
	}
	// Nothing listens: a *RegistryError.
	_, err := ocistore.Open(context.Background(), "127.0.0.1:1/app")
	var re *ocistore.RegistryError
	require.True(t, errors.As(err, &re), "%v", err)
}
