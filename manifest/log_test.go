package manifest_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// chain builds a verified log of n notes in a fresh directory store.
func chain(t *testing.T, n int) (*manifest.DirStore, []manifest.Entry) {
	t.Helper()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	for i := range n {
		_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprintf("note %d", i)})
		require.NoError(t, err)
	}
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	require.Len(t, entries, n)
	return st, entries
}

func TestVerifyLogTamper(t *testing.T) {
	_, entries := chain(t, 5)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, &cp))

	clone := func() []manifest.Entry { return append([]manifest.Entry(nil), entries...) }
	tests := []struct {
		name   string
		edit   func() []manifest.Entry
		wantIs error
	}{
		{"edit middle", func() []manifest.Entry { e := clone(); e[2].Note = "forged"; return e }, manifest.ErrTampered},
		{"edit last (checkpoint)", func() []manifest.Entry { e := clone(); e[4].Note = "forged"; return e }, manifest.ErrTampered},
		{"remove", func() []manifest.Entry { e := clone(); return append(e[:1], e[2:]...) }, manifest.ErrTampered},
		{"remove and renumber", func() []manifest.Entry {
			e := clone()
			e = append(e[:1], e[2:]...)
			for i := range e {
				e[i].Seq = uint64(i) + 1
			}
			return e
		}, manifest.ErrTampered},
		{"reorder", func() []manifest.Entry { e := clone(); e[1], e[2] = e[2], e[1]; return e }, manifest.ErrTampered},
		{"insert", func() []manifest.Entry {
			e := clone()
			forged := manifest.Entry{Seq: 3, Prev: e[1].Prev, Kind: manifest.KindNote, Note: "forged"}
			return append(e[:2], append([]manifest.Entry{forged}, e[2:]...)...)
		}, manifest.ErrTampered},
		{"truncate", func() []manifest.Entry { return clone()[:3] }, manifest.ErrTruncated},
		{"truncate to empty", func() []manifest.Entry { return nil }, manifest.ErrTruncated},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := manifest.VerifyLog(tt.edit(), &cp)
			assert.ErrorIs(t, err, tt.wantIs)
		})
	}
	// A longer log still satisfies an older checkpoint.
	st, entries := chain(t, 3)
	cp3, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	_, err = st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: "later"})
	require.NoError(t, err)
	_, err = manifest.VerifyStore(t.Context(), st, &cp3)
	assert.NoError(t, err)
}

func TestDirStoreTamperOnDisk(t *testing.T) {
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	for i := range 3 {
		_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: fmt.Sprint(i)})
		require.NoError(t, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "log", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 3)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], []byte(strings.Replace(string(b), `"note":"0"`, `"note":"X"`, 1)), 0o644))
	_, err = manifest.VerifyStore(t.Context(), st, nil)
	var ce *manifest.ChainError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, uint64(2), ce.Seq)

	require.NoError(t, os.Remove(files[1]))
	_, err = manifest.VerifyStore(t.Context(), st, nil)
	assert.ErrorIs(t, err, manifest.ErrTampered)
}

func TestCheckpointSignature(t *testing.T) {
	ctx := context.Background()
	_, entries := chain(t, 2)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	data, sig, err := manifest.SignCheckpoint(ctx, cp, signer)
	require.NoError(t, err)
	got, err := manifest.OpenCheckpoint(ctx, data, sig, verifier, verifyAt)
	require.NoError(t, err)
	assert.Equal(t, cp, got)

	forged := strings.Replace(string(data), `"count":2`, `"count":1`, 1)
	_, err = manifest.OpenCheckpoint(ctx, []byte(forged), sig, verifier, verifyAt)
	assert.ErrorIs(t, err, signature.ErrBadSignature)
}

func TestAppendCompareAndSwap(t *testing.T) {
	st, _ := chain(t, 2)
	_, err := st.Append(t.Context(), manifest.Entry{Seq: 2, Kind: manifest.KindNote})
	assert.ErrorIs(t, err, manifest.ErrConflict)
	e, err := st.Append(t.Context(), manifest.Entry{Seq: 3, Kind: manifest.KindNote})
	require.NoError(t, err)
	assert.Equal(t, uint64(3), e.Seq)
}

func TestDirStoreIgnoresPartialWrites(t *testing.T) {
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	_, err = st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: "one"})
	require.NoError(t, err)
	// What a writer killed between create and link leaves behind.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "log", ".tmp-12345"), []byte(`{"seq":2,"prev":"sha`), 0o644))
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	assert.Len(t, entries, 1)
	e, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: "two"})
	require.NoError(t, err)
	assert.Equal(t, uint64(2), e.Seq)
	_, err = manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
}

func FuzzParseEntry(f *testing.F) {
	e := manifest.Entry{Seq: 2, Prev: digestOf("x"), Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{Release: "v1.0.0", Env: "dev", Digest: digestOf("a")}}
	b, _ := manifest.MarshalEntry(e)
	f.Add(b)
	f.Add([]byte(`{"seq":1,"prev":"","kind":"note","note":"x"}`))
	f.Add([]byte(`{"seq":0}`))
	m := sampleManifest()
	md, _ := m.Digest()
	me := manifest.Entry{Seq: 1, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{Release: m.Name, Env: "dev", Digest: md, Manifest: &m}}
	b, _ = manifest.MarshalEntry(me)
	f.Add(b)
	f.Fuzz(func(t *testing.T, data []byte) {
		e, err := manifest.ParseEntry(data)
		if err != nil {
			return
		}
		b, err := manifest.MarshalEntry(e)
		if err != nil {
			return // a time outside years 0-9999
		}
		e2, err := manifest.ParseEntry(b)
		if err != nil {
			t.Fatalf("reparse %q: %v", b, err)
		}
		h1, err1 := e.Hash()
		h2, err2 := e2.Hash()
		if err1 != nil || err2 != nil || h1 != h2 {
			t.Fatalf("hash not stable: %v %v %s %s", err1, err2, h1, h2)
		}
	})
}

// oldLogHead is the checkpoint of testdata/oldlog: a DirStore written by
// the code before denials and deployment outcomes existed (see its
// README).
var oldLogHead = manifest.Checkpoint{Count: 12, Head: "sha256:247ac60e68ef396ed7d902ff17a58304fe46847bad5f87b63338daaa305c466e"}

// Old logs still verify, entry for entry as written, and the new kinds of
// entries append to them in the same chain.
func TestOldLogStillVerifies(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	require.NoError(t, os.CopyFS(dir, os.DirFS(filepath.Join("testdata", "oldlog"))))
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	entries, err := manifest.VerifyStore(ctx, st, &oldLogHead)
	require.NoError(t, err)
	require.Len(t, entries, 12)
	kinds := map[string]int{}
	manifests := 0
	for _, e := range entries {
		kinds[e.Kind]++
		if e.Promotion != nil && e.Promotion.Manifest != nil {
			manifests++
		}
		assert.Nil(t, e.Denial)
		assert.Nil(t, e.Deploy)
		if e.Promotion != nil {
			assert.Nil(t, e.Promotion.Actor, "written before actors")
			_, err := st.Evidence(ctx, e.Promotion.Gate)
			require.NoError(t, err, "gate evidence of entry %d", e.Seq)
		}
		// Each file is the canonical form of what it parses to: the new
		// fields change neither the bytes nor the hashes of old entries.
		b, err := os.ReadFile(filepath.Join(dir, "log", fmt.Sprintf("%020d.json", e.Seq)))
		require.NoError(t, err)
		again, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		assert.Equal(t, string(b), string(again), "entry %d", e.Seq)
	}
	assert.Equal(t, map[string]int{manifest.KindPromotion: 10, manifest.KindNote: 1, manifest.KindDeployResult: 1}, kinds)
	assert.Equal(t, 3, manifests, "a manifest's promotions")
	assert.Empty(t, manifest.CheckOrder(entries, nil))

	// New entries after the old ones: a refused promotion, a promotion by
	// a verified actor, a deployment outcome and a denial of one's own.
	_, err = manifest.Promote(ctx, st, req("v1.1.0", "dev", "app-9"))
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "digest not in the release record"})
	r := req("v1.1.0", "dev", "app-1.1.0")
	r.Actor = verifiedActor("ci-bot")
	_, err = manifest.Promote(ctx, st, r)
	require.NoError(t, err)
	_, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.1.0", Env: "dev", Result: manifest.ResultFailed, Error: "crash loop", Targets: []string{"k8s/dev"}, Actor: verifiedActor("ci-bot")})
	require.NoError(t, err)
	_, err = manifest.Deny(ctx, st, manifest.Denial{Action: manifest.AttemptDeployReport, Release: "v1.1.0", Env: "prod", Refusal: "idtoken: token expired"})
	require.NoError(t, err)

	st, err = manifest.NewDirStore(dir)
	require.NoError(t, err)
	entries, err = manifest.VerifyStore(ctx, st, &oldLogHead)
	require.NoError(t, err, "the old checkpoint still holds")
	require.Len(t, entries, 16)
	var got []string
	for _, e := range entries[12:] {
		got = append(got, e.Kind)
	}
	assert.Equal(t, []string{manifest.KindDenied, manifest.KindPromotion, manifest.KindDeployment, manifest.KindDenied}, got)
	cp, err := manifest.NewCheckpoint(entries)
	require.NoError(t, err)
	require.NoError(t, manifest.VerifyLog(entries, &cp))
}
