package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// evidenceGate is a hand-written manifest.EvidenceGate.
type evidenceGate struct {
	AllowEvidenceFunc func(ctx context.Context, in manifest.GateInput) (string, []byte, error)
}

func (g evidenceGate) Allow(ctx context.Context, in manifest.GateInput) (string, error) {
	w, _, err := g.AllowEvidenceFunc(ctx, in)
	return w, err
}

func (g evidenceGate) AllowEvidence(ctx context.Context, in manifest.GateInput) (string, []byte, error) {
	return g.AllowEvidenceFunc(ctx, in)
}

var _ manifest.EvidenceGate = evidenceGate{}

// reportGate allows everything and returns a report naming the promotion.
var reportGate = evidenceGate{func(ctx context.Context, in manifest.GateInput) (string, []byte, error) {
	return "weekday-09-11", reportOf(in.Promotion.Release, in.Promotion.Env, in.Promotion.RollbackFrom), nil
}}

func reportOf(release, env, rollbackFrom string) []byte {
	return []byte(fmt.Sprintf(`{"allowed":true,"release":%q,"env":%q,"rollback_from":%q}`, release, env, rollbackFrom))
}

// evidenceStoreOf returns st as an EvidenceStore.
func evidenceStoreOf(t *testing.T, st any) manifest.EvidenceStore {
	t.Helper()
	es, ok := st.(manifest.EvidenceStore)
	require.True(t, ok, "%T is not an EvidenceStore", st)
	return es
}

func TestEvidenceStore(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		ctx := t.Context()
		st, err := open(dir)
		require.NoError(t, err)
		es := evidenceStoreOf(t, st)

		data := []byte(`{"allowed": true}` + "\n")
		d, err := es.PutEvidence(ctx, data)
		require.NoError(t, err)
		assert.Equal(t, manifest.Digest(data), d)
		again, err := es.PutEvidence(ctx, data)
		require.NoError(t, err, "storing the same bytes again is fine")
		assert.Equal(t, d, again)
		got, err := es.Evidence(ctx, d)
		require.NoError(t, err)
		assert.Equal(t, data, got)

		// Another handle (another process) reads it too.
		st2, err := open(dir)
		require.NoError(t, err)
		got, err = evidenceStoreOf(t, st2).Evidence(ctx, d)
		require.NoError(t, err)
		assert.Equal(t, data, got)

		_, err = es.Evidence(ctx, digestOf("never stored"))
		assert.ErrorIs(t, err, manifest.ErrNotFound)
		for _, bad := range []string{"", "sha256:nope", strings.ToUpper(d), "sha512:" + strings.Repeat("a", 128), "sha256:../../records/v1"} {
			_, err := es.Evidence(ctx, bad)
			assert.ErrorIs(t, err, manifest.ErrInvalidDigest, bad)
		}

		// Evidence does not disturb the log or the records.
		entries, err := manifest.VerifyStore(ctx, st, nil)
		require.NoError(t, err)
		assert.Empty(t, entries)
	})
}

func TestEvidenceStoreEmptyStore(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		st, err := open(dir)
		require.NoError(t, err)
		_, err = evidenceStoreOf(t, st).Evidence(t.Context(), digestOf("x"))
		assert.ErrorIs(t, err, manifest.ErrNotFound)
	})
}

func TestEvidenceStoreConcurrentPut(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		data := []byte("the same report")
		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for range 8 {
			wg.Go(func() {
				st, err := open(dir) // a handle each, as separate processes have
				if err != nil {
					errs <- err
					return
				}
				es := st.(manifest.EvidenceStore)
				for range 5 {
					d, err := es.PutEvidence(t.Context(), data)
					if err != nil {
						errs <- err
						return
					}
					if d != manifest.Digest(data) {
						errs <- fmt.Errorf("digest %s", d)
						return
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		st, err := open(dir)
		require.NoError(t, err)
		got, err := evidenceStoreOf(t, st).Evidence(t.Context(), manifest.Digest(data))
		require.NoError(t, err)
		assert.Equal(t, data, got)
	})
}

func TestDirStoreEvidenceEdited(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	data := []byte(`{"allowed": false}`)
	d, err := st.PutEvidence(ctx, data)
	require.NoError(t, err)
	path := filepath.Join(dir, "evidence", strings.TrimPrefix(d, "sha256:"))
	require.FileExists(t, path)
	require.NoError(t, os.WriteFile(path, []byte(`{"allowed": true}`), 0o644))

	_, err = st.Evidence(ctx, d)
	assert.ErrorIs(t, err, manifest.ErrEvidenceDigest)

	// Storing the original bytes again repairs the blob.
	_, err = st.PutEvidence(ctx, data)
	require.NoError(t, err)
	got, err := st.Evidence(ctx, d)
	require.NoError(t, err)
	assert.Equal(t, data, got)
}

// gitCmd runs git in dir with an isolated configuration.
func gitCmd(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	home := t.TempDir()
	cmd.Env = append(append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+home, "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=mallory", "GIT_AUTHOR_EMAIL=m@example.com", "GIT_AUTHOR_DATE=2026-01-05T09:00:00Z",
		"GIT_COMMITTER_NAME=mallory", "GIT_COMMITTER_EMAIL=m@example.com", "GIT_COMMITTER_DATE=2026-01-05T09:00:00Z"), env...)
	out, err := cmd.Output()
	require.NoError(t, err, "git %v", args)
	return strings.TrimSpace(string(out))
}

func TestGitStoreEvidenceEdited(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	ctx := t.Context()
	var dir string
	var st manifest.Store
	for _, s := range stores {
		if s.name == "git" {
			dir = newDir(t, s.init)
			var err error
			st, err = s.open(dir)
			require.NoError(t, err)
		}
	}
	data := []byte(`{"allowed": false}`)
	d, err := evidenceStoreOf(t, st).PutEvidence(ctx, data)
	require.NoError(t, err)

	// Commit an edited blob under LogRef with the real git, as someone
	// with write access to the repository could.
	env := []string{"GIT_INDEX_FILE=" + filepath.Join(t.TempDir(), "index")}
	gitCmd(t, dir, env, "read-tree", manifest.LogRef)
	edited := filepath.Join(t.TempDir(), "edited")
	require.NoError(t, os.WriteFile(edited, []byte(`{"allowed": true}`), 0o644))
	blob := gitCmd(t, dir, env, "hash-object", "-w", edited)
	gitCmd(t, dir, env, "update-index", "--cacheinfo", "100644,"+blob+",evidence/"+strings.TrimPrefix(d, "sha256:"))
	tree := gitCmd(t, dir, env, "write-tree")
	commit := gitCmd(t, dir, env, "commit-tree", tree, "-p", manifest.LogRef, "-m", "edit evidence")
	gitCmd(t, dir, env, "update-ref", manifest.LogRef, commit)

	for _, s := range stores {
		if s.name == "git" {
			st, err = s.open(dir)
			require.NoError(t, err)
		}
	}
	_, err = evidenceStoreOf(t, st).Evidence(ctx, d)
	assert.ErrorIs(t, err, manifest.ErrEvidenceDigest)
}

// TestPromotionGateEvidence promotes, rolls back, and does the same for a
// manifest, through an EvidenceGate on every store: each logged promotion
// names the digest of the evidence, which the store holds.
func TestPromotionGateEvidence(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		ctx := t.Context()
		st, err := open(dir)
		require.NoError(t, err)
		for _, r := range []manifest.Record{completeRecord("v1.0.0", "app1"), withTarget("v2.0.0", "app2", "v1.0.0", digestOf("app1"))} {
			require.NoError(t, st.PutRecord(ctx, r))
		}
		opts := []manifest.Option{manifest.WithClock(clock()), manifest.WithGate(reportGate)}
		promoteAll(t, st, "v1.0.0", "app1", opts...)
		promoteAll(t, st, "v2.0.0", "app2", opts...)
		_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "bob", Reason: "error rate"}, opts...)
		require.NoError(t, err)
		sm := signedManifest{m: sampleManifest()}
		sm.digest, err = sm.m.Digest()
		require.NoError(t, err)
		promoteManifestAll(t, st, sm, opts...)
		cm := signedManifest{m: changedManifest()}
		cm.digest, err = cm.m.Digest()
		require.NoError(t, err)
		promoteManifestAll(t, st, cm, opts...)
		_, err = rollbackManifest(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "bob", Reason: "error rate"}, opts...)
		require.NoError(t, err)

		st, err = open(dir)
		require.NoError(t, err)
		entries, err := manifest.VerifyStore(ctx, st, nil)
		require.NoError(t, err)
		require.Len(t, entries, 14)
		es := evidenceStoreOf(t, st)
		for _, e := range entries {
			p := e.Promotion
			want := reportOf(p.Release, p.Env, p.RollbackFrom)
			assert.Equal(t, manifest.Digest(want), p.Gate, "entry %d", e.Seq)
			assert.Equal(t, "weekday-09-11", p.Window)
			got, err := es.Evidence(ctx, p.Gate)
			require.NoError(t, err, "entry %d", e.Seq)
			assert.Equal(t, string(want), string(got), "entry %d", e.Seq)
		}
		assert.Equal(t, "v2.0.0", entries[6].Promotion.RollbackFrom)
		assert.Equal(t, cm.digest, entries[13].Promotion.RollbackFrom)
	})
}

func TestPromotionGateEvidenceRefusedOrEmpty(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))

	// A refusal is a GateError as with any gate; its evidence is kept and
	// named by the denial logged.
	denied := errors.New("outside the change window")
	refuse := evidenceGate{func(ctx context.Context, in manifest.GateInput) (string, []byte, error) {
		return "w", []byte("the report that denied"), denied
	}}
	e, err := promote(ctx, st, req("v1.0.0", "dev", "app"), manifest.WithGate(refuse))
	var ge *manifest.GateError
	require.ErrorAs(t, err, &ge)
	assert.ErrorIs(t, err, manifest.ErrGateRefused)
	assert.ErrorIs(t, err, denied)
	assert.Equal(t, "dev", ge.Env)
	d := requireDenied(t, st, nil, e, err, manifest.AttemptPromote, nil)
	assert.Equal(t, digestOf("the report that denied"), d.Gate)
	ev, err := st.Evidence(ctx, d.Gate)
	require.NoError(t, err)
	assert.Equal(t, "the report that denied", string(ev))

	// No evidence: no digest.
	none := evidenceGate{func(ctx context.Context, in manifest.GateInput) (string, []byte, error) { return "w", nil, nil }}
	e, err = promote(ctx, st, req("v1.0.0", "dev", "app"), manifest.WithGate(none))
	require.NoError(t, err)
	assert.Empty(t, e.Promotion.Gate)
	assert.Equal(t, "w", e.Promotion.Window)
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"gate"`)

	// A store that keeps no evidence still logs its digest.
	var logOnly struct{ manifest.Store }
	logOnly.Store = st
	_, ok := any(logOnly).(manifest.EvidenceStore)
	require.False(t, ok)
	e, err = promote(ctx, logOnly, req("v1.0.0", "staging", "app"), manifest.WithGate(reportGate))
	require.NoError(t, err)
	assert.Equal(t, manifest.Digest(reportOf("v1.0.0", "staging", "")), e.Promotion.Gate)
	_, err = st.Evidence(ctx, e.Promotion.Gate)
	assert.ErrorIs(t, err, manifest.ErrNotFound, "kept by the caller, not the store")
	_, err = manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
}

// TestEntryGateFormat pins the log format: an entry without gate evidence
// encodes and hashes exactly as before the Gate field existed.
func TestEntryGateFormat(t *testing.T) {
	e := manifest.Entry{Seq: 2, Prev: digestOf("entry 1"), Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{
		Release: "v1.0.0", Env: "prod", Digest: digestOf("app"), Approver: "alice", Reason: "CHG-1",
		RequestedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), PromotedAt: time.Date(2026, 1, 5, 9, 1, 0, 0, time.UTC), Window: "weekday-09-11"}}
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	assert.Equal(t, `{"kind":"promotion","prev":"sha256:a8e1776584a85cc42b07c3852ba3991dcc68651c69ee859907e12ffe5bf0467a","promotion":{"approver":"alice","digest":"sha256:a172cedcae47474b615c54d510a5d84a8dea3032e958587430b413538be3f333","env":"prod","promoted_at":"2026-01-05T09:01:00Z","reason":"CHG-1","release":"v1.0.0","requested_at":"2026-01-05T09:00:00Z","window":"weekday-09-11"},"seq":2}`, string(b))
	h, err := e.Hash()
	require.NoError(t, err)
	assert.Equal(t, "sha256:6f2affd48be80bdb1c7239b9e7a5e965794377fe5e214ef261318117669ccbb6", h)

	// With evidence, "gate" is one more key, and it parses back.
	e.Promotion.Gate = digestOf("report")
	b, err = manifest.MarshalEntry(e)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"gate":"`+digestOf("report")+`"`)
	got, err := manifest.ParseEntry(b)
	require.NoError(t, err)
	assert.Equal(t, e, got)

	for _, bad := range []string{"sha256:nope", strings.ToUpper(digestOf("report")), "md5:abc", " " + digestOf("report")} {
		e.Promotion.Gate = bad
		b, err := manifest.MarshalEntry(e)
		require.NoError(t, err)
		_, err = manifest.ParseEntry(b)
		assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid log entry"}, bad)
		assert.ErrorIs(t, err, manifest.ErrInvalidDigest, bad)
	}
}

// Evidence a store could not read back is refused before anything is
// written, by both stores.
func TestEvidenceTooLarge(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		st, err := open(dir)
		require.NoError(t, err)
		es := evidenceStoreOf(t, st)
		big := make([]byte, manifest.MaxStoredFile+1)
		_, err = es.PutEvidence(t.Context(), big)
		assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "evidence too large"})
		_, err = es.Evidence(t.Context(), manifest.Digest(big))
		assert.ErrorIs(t, err, manifest.ErrNotFound, "nothing was written")
	})
}
