package manifest_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// TestManifestPromotion runs the manifest promotion tests against every
// store, reopening the store between steps as another process would.
func TestManifestPromotion(t *testing.T) {
	for _, s := range stores {
		open := func(t *testing.T) (manifest.Store, func() manifest.Store) {
			t.Helper()
			dir := newDir(t, s.init)
			reopen := func() manifest.Store {
				st, err := s.open(dir)
				require.NoError(t, err)
				return st
			}
			return reopen(), reopen
		}
		t.Run(s.name, func(t *testing.T) {
			t.Run("RecordsEverything", func(t *testing.T) { testManifestRecordsEverything(t, open) })
			t.Run("Refusals", func(t *testing.T) { testManifestRefusals(t, open) })
			t.Run("NewCandidate", func(t *testing.T) { testManifestNewCandidate(t, open) })
			t.Run("ErrorDetails", func(t *testing.T) { testManifestErrorDetails(t, open) })
			t.Run("Rollback", func(t *testing.T) { testManifestRollback(t, open) })
			t.Run("MixedWithRecords", func(t *testing.T) { testManifestMixedWithRecords(t, open) })
			t.Run("ConcurrentCAS", func(t *testing.T) { testManifestConcurrentCAS(t, open) })
		})
	}
}

type openStore func(t *testing.T) (manifest.Store, func() manifest.Store)

// signedManifest is a manifest with its digest and a signature.
type signedManifest struct {
	m      manifest.Manifest
	digest string
	sig    []byte
}

func signManifest(t *testing.T, s signature.Signer, m manifest.Manifest) signedManifest {
	t.Helper()
	d, err := m.Digest()
	require.NoError(t, err)
	sig, err := manifest.Sign(t.Context(), m, s)
	require.NoError(t, err)
	return signedManifest{m: m, digest: d, sig: sig}
}

func (sm signedManifest) req(env string) manifest.ManifestRequest {
	return manifest.ManifestRequest{Manifest: sm.m, Digest: sm.digest, Signature: sm.sig, Env: env, Approver: "alice", Reason: "tested in " + env}
}

// changedManifest is sampleManifest with api rebuilt: a new candidate
// under the same name.
func changedManifest() manifest.Manifest {
	m := sampleManifest()
	m.Repos[1].Artifacts = []manifest.Artifact{{Name: "api", Digest: digestOf("api rebuilt")}, {Name: "z", Digest: digestOf("z")}}
	return m
}

func promoteManifestAll(t *testing.T, st manifest.Log, sm signedManifest, opts ...manifest.Option) {
	t.Helper()
	for _, env := range []string{"dev", "staging", "prod"} {
		_, err := promoteManifest(t.Context(), st, sm.req(env), opts...)
		require.NoError(t, err, env)
	}
}

func testManifestRecordsEverything(t *testing.T, open openStore) {
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	st, reopen := open(t)
	gate := manifest.GateFunc(func(ctx context.Context, in manifest.GateInput) (string, error) {
		require.NotNil(t, in.Manifest)
		assert.Equal(t, "2026.01", in.Manifest.Name)
		assert.Equal(t, sm.digest, in.Promotion.Digest)
		assert.Empty(t, in.Record.Tag)
		return "weekday-09-11", nil
	})
	promoteManifestAll(t, st, sm, manifest.WithClock(clock()), manifest.WithGate(gate), manifest.WithManifestVerifier(verifier))

	entries, err := manifest.VerifyStore(t.Context(), reopen(), nil)
	require.NoError(t, err)
	require.Len(t, entries, 3)
	p := entries[2].Promotion
	require.NotNil(t, p)
	require.NotNil(t, p.Manifest)
	assert.Equal(t, "2026.01", p.Release)
	assert.Equal(t, "prod", p.Env)
	assert.Equal(t, sm.digest, p.Digest)
	assert.Equal(t, "alice", p.Approver)
	assert.Equal(t, "tested in prod", p.Reason)
	assert.Equal(t, "weekday-09-11", p.Window)
	assert.Equal(t, time.Date(2026, 1, 5, 9, 5, 0, 0, time.UTC), p.RequestedAt)
	assert.Equal(t, time.Date(2026, 1, 5, 9, 6, 0, 0, time.UTC), p.PromotedAt)
	assert.Empty(t, manifest.Diff(sm.m, *p.Manifest).Changed, "every repo's artifact digests are logged")
	d, err := p.Manifest.Digest()
	require.NoError(t, err)
	assert.Equal(t, sm.digest, d)
	var digests []string
	for _, r := range p.Manifest.Repos {
		for _, a := range r.Artifacts {
			digests = append(digests, r.Name+"/"+a.Name+"="+a.Digest)
		}
	}
	assert.Equal(t, []string{"api/api=" + digestOf("api"), "api/z=" + digestOf("z"), "web/web=" + digestOf("web")}, digests)

	cur, ok := manifest.Current(entries, "prod")
	assert.True(t, ok)
	assert.Equal(t, sm.digest, cur.Digest)

	// An emergency record is logged with the promotion.
	em := &manifest.EmergencyChange{Reason: "outage", Scope: "api", Approver: "carol", RollbackPlan: "redeploy", FollowUp: "PIR-1"}
	r := sm.req("prod")
	r.Emergency = em
	e, err := promoteManifest(t.Context(), st, r, manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.Equal(t, em, e.Promotion.Emergency)
}

func testManifestRefusals(t *testing.T, open openStore) {
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	otherSigner, _, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	changed := signManifest(t, signer, changedManifest())
	empty := manifest.Manifest{Name: "empty"}
	emptyDigest, err := empty.Digest()
	require.NoError(t, err)
	noArtifacts := sampleManifest()
	noArtifacts.Repos[0].Artifacts = nil
	noArtifactsDigest, err := noArtifacts.Digest()
	require.NoError(t, err)
	invalid := sampleManifest()
	invalid.Repos[0].Commit = "HEAD"

	with := func(env string, f func(r *manifest.ManifestRequest)) manifest.ManifestRequest {
		r := sm.req(env)
		f(&r)
		return r
	}
	promote := func(env string, m signedManifest) func(t *testing.T, st manifest.Store) {
		return func(t *testing.T, st manifest.Store) {
			_, err := promoteManifest(t.Context(), st, m.req(env))
			require.NoError(t, err)
		}
	}
	signed := []manifest.Option{manifest.WithManifestVerifier(verifier)}

	tests := []struct {
		name     string
		setup    []func(t *testing.T, st manifest.Store)
		req      manifest.ManifestRequest
		opts     []manifest.Option
		want     error
		controls []string // the controls the denial names
	}{
		{name: "unknown env", req: sm.req("qa"), want: manifest.ErrUnknownEnv},
		{name: "malformed digest", req: with("dev", func(r *manifest.ManifestRequest) { r.Digest = "sha256:nope" }), want: manifest.ErrInvalidDigest},
		{name: "invalid manifest", req: with("dev", func(r *manifest.ManifestRequest) { r.Manifest = invalid }), want: manifest.ErrInvalidManifest},
		{name: "no repos", req: manifest.ManifestRequest{Manifest: empty, Digest: emptyDigest, Env: "dev"}, want: manifest.ErrInvalidManifest},
		{name: "repo without artifacts", req: manifest.ManifestRequest{Manifest: noArtifacts, Digest: noArtifactsDigest, Env: "dev"}, want: manifest.ErrInvalidManifest},
		{name: "content differs from digest", req: with("dev", func(r *manifest.ManifestRequest) { r.Manifest = changed.m }), want: &manifest.RefusalError{Reason: "manifest content does not match its digest"}},
		{name: "unsigned", req: with("dev", func(r *manifest.ManifestRequest) { r.Signature = nil }), opts: signed, want: signature.ErrBadSignature},
		{name: "signed by another key", req: with("dev", func(r *manifest.ManifestRequest) {
			r.Signature = signManifest(t, otherSigner, sm.m).sig
		}), opts: signed, want: signature.ErrBadSignature},
		{name: "signature of another manifest", req: with("dev", func(r *manifest.ManifestRequest) { r.Signature = changed.sig }), opts: signed, want: signature.ErrBadSignature},
		{name: "skipped dev", req: sm.req("staging"), want: &manifest.RefusalError{Reason: "previous environment skipped"}},
		{name: "skipped staging", setup: []func(*testing.T, manifest.Store){promote("dev", sm)}, req: sm.req("prod"), want: &manifest.RefusalError{Reason: "previous environment skipped"}},
		{name: "dev ran another build", setup: []func(*testing.T, manifest.Store){promote("dev", changed)}, req: sm.req("staging"), want: &manifest.DriftError{}, controls: []string{"REL-DIGEST-001"}},
		{name: "changed after staging", setup: []func(*testing.T, manifest.Store){promote("dev", sm), promote("staging", sm)}, req: changed.req("prod"), want: &manifest.DriftError{}, controls: []string{"REL-DIGEST-001"}},
		{name: "prod needs approver", setup: []func(*testing.T, manifest.Store){promote("dev", sm), promote("staging", sm)},
			req: with("prod", func(r *manifest.ManifestRequest) { r.Approver = "" }), want: manifest.ErrApprovalRequired, controls: []string{"REL-SOD-001"}},
		{name: "prod needs reason", setup: []func(*testing.T, manifest.Store){promote("dev", sm), promote("staging", sm)},
			req: with("prod", func(r *manifest.ManifestRequest) { r.Reason = "" }), want: manifest.ErrApprovalRequired},
		{name: "staging approval configured", setup: []func(*testing.T, manifest.Store){promote("dev", sm)},
			req: with("staging", func(r *manifest.ManifestRequest) { r.Approver = "" }), opts: []manifest.Option{manifest.WithApprovalRequired("staging")}, want: manifest.ErrApprovalRequired, controls: []string{"REL-SOD-001"}},
		{name: "incomplete emergency record", req: with("dev", func(r *manifest.ManifestRequest) {
			r.Emergency = &manifest.EmergencyChange{Reason: "outage"}
		}), want: manifest.ErrApprovalRequired, controls: []string{"REL-WINDOW-001"}},
		{name: "gate refuses", req: sm.req("dev"), opts: []manifest.Option{manifest.WithGate(manifest.GateFunc(
			func(context.Context, manifest.GateInput) (string, error) {
				return "", errors.New("outside the change window")
			}))},
			want: manifest.ErrGateRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, reopen := open(t)
			for _, f := range tt.setup {
				f(t, st)
			}
			before, err := st.Entries(t.Context())
			require.NoError(t, err)
			e, err := promoteManifest(t.Context(), reopen(), tt.req, append(tt.opts, manifest.WithClock(clock()))...)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			d := requireDenied(t, reopen(), before, e, err, manifest.AttemptPromoteManifest, tt.controls)
			assert.Equal(t, tt.req.Manifest.Name, d.Release)
			assert.Equal(t, tt.req.Env, d.Env)
			assert.Equal(t, tt.req.Digest, d.Digest)
			assert.Equal(t, &manifest.Actor{Name: "ci-bot"}, d.Actor)
		})
	}
}

func testManifestNewCandidate(t *testing.T, open openStore) {
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	opts := []manifest.Option{manifest.WithClock(clock()), manifest.WithManifestVerifier(verifier)}
	old := signManifest(t, signer, sampleManifest())
	changed := signManifest(t, signer, changedManifest())
	require.NotEqual(t, old.digest, changed.digest, "any change yields a new digest")
	st, reopen := open(t)
	for _, env := range []string{"dev", "staging"} {
		_, err := promoteManifest(t.Context(), st, old.req(env), opts...)
		require.NoError(t, err)
	}
	// The changed manifest is a new candidate: it starts again at dev.
	for _, env := range []string{"staging", "prod"} {
		_, err := promoteManifest(t.Context(), reopen(), changed.req(env), opts...)
		assert.ErrorIs(t, err, &manifest.DriftError{}, env)
	}
	promoteManifestAll(t, reopen(), changed, opts...)
	entries, err := manifest.VerifyStore(t.Context(), reopen(), nil)
	require.NoError(t, err)
	cur, _ := manifest.Current(entries, "prod")
	assert.Equal(t, changed.digest, cur.Digest)
	cur, _ = manifest.Current(entries, "staging")
	assert.Equal(t, changed.digest, cur.Digest)
}

func testManifestErrorDetails(t *testing.T, open openStore) {
	signer, _, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	changed := signManifest(t, signer, changedManifest())
	st, _ := open(t)
	_, err := promoteManifest(t.Context(), st, sm.req("dev"))
	require.NoError(t, err)
	_, err = promoteManifest(t.Context(), st, changed.req("staging"))
	var de *manifest.DriftError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, manifest.DriftError{Release: "2026.01", Env: "staging", Previous: "dev", Ran: sm.digest, Got: changed.digest}, *de)

	gateErr := errors.New("author is the sole approver")
	_, err = promoteManifest(t.Context(), st, sm.req("staging"), manifest.WithGate(manifest.GateFunc(
		func(ctx context.Context, in manifest.GateInput) (string, error) {
			assert.Len(t, in.History, 1)
			return "", gateErr
		})))
	var ge *manifest.GateError
	require.ErrorAs(t, err, &ge)
	assert.ErrorIs(t, err, gateErr)
	assert.Equal(t, "staging", ge.Env)
}

func testManifestRollback(t *testing.T, open openStore) {
	signer, _, _ := sshKeys(t, manifest.Namespace)
	opts := []manifest.Option{manifest.WithClock(clock())}
	m1 := signManifest(t, signer, sampleManifest())
	second := changedManifest()
	second.Name = "2026.02"
	m2 := signManifest(t, signer, second)
	st, reopen := open(t)

	_, err := rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"}, "nothing promoted")
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: ""}, opts...)
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "mars", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)

	promoteManifestAll(t, st, m1, opts...)
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"}, "nothing before the first manifest")
	promoteManifestAll(t, st, m2, opts...)

	_, err = rollbackManifest(t.Context(), reopen(), manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, append(opts, manifest.WithGate(manifest.GateFunc(
		func(ctx context.Context, in manifest.GateInput) (string, error) {
			require.NotNil(t, in.Manifest)
			assert.Equal(t, m1.digest, in.Promotion.Digest)
			return "", errors.New("freeze")
		})))...)
	assert.ErrorIs(t, err, manifest.ErrGateRefused)

	e, err := rollbackManifest(t.Context(), reopen(), manifest.RollbackRequest{Env: "prod", Approver: "bob", Reason: "error rate"}, opts...)
	require.NoError(t, err)
	p := e.Promotion
	assert.Equal(t, "2026.01", p.Release)
	assert.Equal(t, m1.digest, p.Digest, "the published digest, never a rebuild")
	assert.Equal(t, m2.digest, p.RollbackFrom)
	assert.Equal(t, "bob", p.Approver)
	require.NotNil(t, p.Manifest)
	assert.True(t, manifest.Diff(m1.m, *p.Manifest).Empty())

	// m1 (rolled back to) is now current and m2 was rolled back from:
	// there is nothing left to return to.
	_, err = rollbackManifest(t.Context(), reopen(), manifest.RollbackRequest{Env: "prod", Approver: "bob", Reason: "still failing"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"})

	entries, err := manifest.VerifyStore(t.Context(), reopen(), nil)
	require.NoError(t, err)
	cur, _ := manifest.Current(entries, "prod")
	assert.Equal(t, m1.digest, cur.Digest)
	cur, _ = manifest.Current(entries, "staging")
	assert.Equal(t, m2.digest, cur.Digest)

	// A third manifest, then a rollback skips m2 (rolled back from before).
	third := sampleManifest()
	third.Name = "2026.03"
	m3 := signManifest(t, signer, third)
	promoteManifestAll(t, st, m3, opts...)
	em := manifest.EmergencyChange{Reason: "checkout down", Scope: "prod", Approver: "carol", RollbackPlan: "promote 2026.03 again", FollowUp: "review"}
	e, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "bob", Reason: "again", Emergency: &em}, opts...)
	require.NoError(t, err)
	assert.Equal(t, m1.digest, e.Promotion.Digest)
	assert.Equal(t, m3.digest, e.Promotion.RollbackFrom)
	require.NotNil(t, e.Promotion.Emergency, "the emergency record is logged with the rollback")
	assert.Equal(t, "carol", e.Promotion.Emergency.Approver)
}

func testManifestMixedWithRecords(t *testing.T, open openStore) {
	signer, _, _ := sshKeys(t, manifest.Namespace)
	opts := []manifest.Option{manifest.WithClock(clock())}
	st, _ := open(t)
	v11 := completeRecord("v1.1.0", "app-1.1")
	v11.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.0.0", Digest: digestOf("app")}
	for _, r := range []manifest.Record{completeRecord("v1.0.0", "app"), v11} {
		require.NoError(t, st.PutRecord(t.Context(), r))
	}
	// A manifest named like a release does not count as that release.
	m := sampleManifest()
	m.Name = "v1.0.0"
	sm := signManifest(t, signer, m)
	_, err := promoteManifest(t.Context(), st, sm.req("dev"), opts...)
	require.NoError(t, err)
	_, err = promote(t.Context(), st, req("v1.0.0", "staging", "app"), opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "previous environment skipped"})
	_, err = promoteManifest(t.Context(), st, sm.req("staging"), opts...)
	require.NoError(t, err)

	promoteAll(t, st, "v1.0.0", "app", opts...)
	promoteAll(t, st, "v1.1.0", "app-1.1", opts...)
	_, err = promoteManifest(t.Context(), st, sm.req("prod"), opts...)
	require.NoError(t, err)

	// Record rollback ignores the manifest prod now runs, and the reverse.
	e, err := rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	require.NoError(t, err)
	assert.Nil(t, e.Promotion.Manifest)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)
	assert.Equal(t, "v1.1.0", e.Promotion.RollbackFrom)
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"})
}

func testManifestConcurrentCAS(t *testing.T, open openStore) {
	signer, _, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	st, reopen := open(t)
	errs := make(chan error, 8)
	for i := range 8 {
		s := st
		if i%2 == 1 {
			s = reopen()
		}
		go func() {
			_, err := promoteManifest(t.Context(), s, sm.req("dev"))
			errs <- err
		}()
	}
	for range 8 {
		require.NoError(t, <-errs)
	}
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	assert.Len(t, entries, 8)
}

func TestPromoteManifestRefusesTamperedLog(t *testing.T) {
	signer, _, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	for _, env := range []string{"dev", "staging"} {
		_, err := promoteManifest(t.Context(), st, sm.req(env))
		require.NoError(t, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "log", "*.json"))
	require.NoError(t, err)
	require.Len(t, files, 2)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], []byte(strings.Replace(string(b), "alice", "mallory", 1)), 0o644))
	_, err = promoteManifest(t.Context(), st, sm.req("prod"))
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = rollbackManifest(t.Context(), st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r"})
	assert.ErrorIs(t, err, manifest.ErrTampered)

	// Rewriting a logged repo's artifact digest no longer matches the
	// promoted manifest digest: the entry does not even parse.
	b, err = os.ReadFile(files[1])
	require.NoError(t, err)
	forged := bytes.Replace(b, []byte(digestOf("web")), []byte(digestOf("evil")), 1)
	require.NotEqual(t, b, forged)
	_, err = manifest.ParseEntry(forged)
	assert.ErrorIs(t, err, &manifest.FormatError{Reason: "invalid log entry"})
}
