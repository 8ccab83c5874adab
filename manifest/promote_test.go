package manifest_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// clock returns a fake clock that advances one minute per call.
func clock() func() time.Time {
	t := time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(time.Minute)
		return t
	}
}

// storeFactory makes an empty store holding recs.
type storeFactory func(t *testing.T, recs ...manifest.Record) manifest.Store

func newStore(t *testing.T, recs ...manifest.Record) manifest.Store {
	t.Helper()
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	for _, r := range recs {
		require.NoError(t, st.PutRecord(t.Context(), r))
	}
	return st
}

// TestPromotion runs the promotion tests against every store.
func TestPromotion(t *testing.T) {
	for _, s := range stores {
		newStore := func(t *testing.T, recs ...manifest.Record) manifest.Store {
			t.Helper()
			st, err := s.open(newDir(t, s.init))
			require.NoError(t, err)
			for _, r := range recs {
				require.NoError(t, st.PutRecord(t.Context(), r))
			}
			return st
		}
		t.Run(s.name, func(t *testing.T) {
			t.Run("RecordsEverything", func(t *testing.T) { testPromoteRecordsEverything(t, newStore) })
			t.Run("Refusals", func(t *testing.T) { testPromoteRefusals(t, newStore) })
			t.Run("ErrorDetails", func(t *testing.T) { testPromoteErrorDetails(t, newStore) })
			t.Run("CustomOrder", func(t *testing.T) { testPromoteCustomOrder(t, newStore) })
			t.Run("Rollback", func(t *testing.T) { testRollback(t, newStore) })
			t.Run("ConcurrentCAS", func(t *testing.T) { testPromoteConcurrentCAS(t, newStore) })
		})
	}
}

func req(release, env, artifact string) manifest.PromoteRequest {
	return manifest.PromoteRequest{Release: release, Env: env, Digest: digestOf(artifact), Approver: "alice", Reason: "tested in " + env}
}

func promoteAll(t *testing.T, st manifest.Store, release, artifact string, opts ...manifest.Option) {
	t.Helper()
	for _, env := range []string{"dev", "staging", "prod"} {
		_, err := promote(t.Context(), st, req(release, env, artifact), opts...)
		require.NoError(t, err, env)
	}
}

func testPromoteRecordsEverything(t *testing.T, newStore storeFactory) {
	st := newStore(t, completeRecord("v1.0.0", "app"))
	gate := manifest.GateFunc(func(ctx context.Context, in manifest.GateInput) (string, error) {
		return "weekday-09-11", nil
	})
	promoteAll(t, st, "v1.0.0", "app", manifest.WithClock(clock()), manifest.WithGate(gate))
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	require.Len(t, entries, 3)
	p := entries[2].Promotion
	require.NotNil(t, p)
	assert.Equal(t, manifest.Promotion{
		Release: "v1.0.0", Env: "prod", Digest: digestOf("app"), Approver: "alice", Reason: "tested in prod",
		RequestedAt: time.Date(2026, 1, 5, 9, 5, 0, 0, time.UTC),
		PromotedAt:  time.Date(2026, 1, 5, 9, 6, 0, 0, time.UTC),
		Window:      "weekday-09-11",
		Releaser:    "ci-bot", Actor: &manifest.Actor{Name: "ci-bot"}, Order: []string{"dev", "staging", "prod"}, Production: true,
		TagSigner: &signature.Identity{Format: signature.SSH, Identity: "release@example.com"},
	}, *p)
	cur, ok := manifest.Current(entries, "prod")
	assert.True(t, ok)
	assert.Equal(t, "v1.0.0", cur.Release)
}

func testPromoteRefusals(t *testing.T, newStore storeFactory) {
	incomplete := completeRecord("v2.0.0", "app2")
	incomplete.Tickets = nil
	twoArtifacts := completeRecord("v3.0.0", "app3")
	twoArtifacts.Artifacts = append(twoArtifacts.Artifacts, manifest.Artifact{Name: "rebuilt", Digest: digestOf("rebuilt")})

	tests := []struct {
		name     string
		setup    func(t *testing.T, st manifest.Store)
		req      manifest.PromoteRequest
		opts     []manifest.Option
		want     error
		controls []string // the controls the denial names
	}{
		{name: "unknown env", req: req("v1.0.0", "qa", "app"), want: manifest.ErrUnknownEnv},
		{name: "no record", req: req("v9.0.0", "dev", "app"), want: manifest.ErrNotFound},
		{name: "incomplete record", req: req("v2.0.0", "dev", "app2"), want: &manifest.FormatError{Reason: "release record incomplete"}, controls: []string{"REL-RECORD-001"}},
		{name: "malformed digest", req: manifest.PromoteRequest{Release: "v1.0.0", Env: "dev", Digest: "sha256:nope"}, want: manifest.ErrInvalidDigest},
		{name: "digest not in record", req: req("v1.0.0", "dev", "other"), want: &manifest.RefusalError{Reason: "digest not in the release record"}, controls: []string{"REL-DIGEST-001"}},
		{name: "skipped dev", req: req("v1.0.0", "staging", "app"), want: &manifest.RefusalError{Reason: "previous environment skipped"}},
		{name: "skipped staging", setup: func(t *testing.T, st manifest.Store) {
			_, err := promote(t.Context(), st, req("v1.0.0", "dev", "app"))
			require.NoError(t, err)
		}, req: req("v1.0.0", "prod", "app"), want: &manifest.RefusalError{Reason: "previous environment skipped"}},
		{name: "rebuild drift", setup: func(t *testing.T, st manifest.Store) {
			_, err := promote(t.Context(), st, req("v3.0.0", "dev", "app3"))
			require.NoError(t, err)
		}, req: req("v3.0.0", "staging", "rebuilt"), want: &manifest.DriftError{}, controls: []string{"REL-DIGEST-001"}},
		{name: "no approver for prod", setup: func(t *testing.T, st manifest.Store) {
			for _, env := range []string{"dev", "staging"} {
				_, err := promote(t.Context(), st, req("v1.0.0", env, "app"))
				require.NoError(t, err)
			}
		}, req: manifest.PromoteRequest{Release: "v1.0.0", Env: "prod", Digest: digestOf("app"), Reason: "why"}, want: manifest.ErrApprovalRequired, controls: []string{"REL-SOD-001"}},
		{name: "no reason where required", req: manifest.PromoteRequest{Release: "v1.0.0", Env: "dev", Digest: digestOf("app"), Approver: "bob"},
			opts: []manifest.Option{manifest.WithApprovalRequired("dev")}, want: manifest.ErrApprovalRequired},
		{name: "incomplete emergency record", req: manifest.PromoteRequest{Release: "v1.0.0", Env: "dev", Digest: digestOf("app"), Emergency: &manifest.EmergencyChange{Reason: "outage"}},
			want: manifest.ErrApprovalRequired, controls: []string{"REL-WINDOW-001"}},
		{name: "tag signature", req: req("v1.0.0", "dev", "app"),
			opts: []manifest.Option{manifest.WithTagVerifier(&listTags{})}, want: &manifest.RefusalError{Reason: "release tag signature does not verify"}, controls: []string{"REL-TAG-001"}},
		{name: "gate", req: req("v1.0.0", "dev", "app"),
			opts: []manifest.Option{manifest.WithGate(manifest.GateFunc(func(ctx context.Context, in manifest.GateInput) (string, error) {
				return "", errors.New("outside change window")
			}))}, want: manifest.ErrGateRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newStore(t, completeRecord("v1.0.0", "app"), incomplete, twoArtifacts)
			if tt.setup != nil {
				tt.setup(t, st)
			}
			before, err := st.Entries(t.Context())
			require.NoError(t, err)
			e, err := promote(t.Context(), st, tt.req, append(tt.opts, manifest.WithClock(clock()))...)
			require.Error(t, err)
			assert.ErrorIs(t, err, tt.want)
			// The refusal is logged, and nothing else: one denial with the
			// request's facts, who asked and the controls that refused.
			d := requireDenied(t, st, before, e, err, manifest.AttemptPromote, tt.controls)
			assert.Equal(t, tt.req.Release, d.Release)
			assert.Equal(t, tt.req.Env, d.Env)
			assert.Equal(t, tt.req.Digest, d.Digest)
			assert.Equal(t, tt.req.Approver, d.Approver)
			assert.Equal(t, tt.req.Reason, d.Reason)
			assert.Equal(t, &manifest.Actor{Name: "ci-bot"}, d.Actor, "a typed releaser is an unverified actor")
			assert.Equal(t, time.Date(2026, 1, 5, 9, 1, 0, 0, time.UTC), d.At, "the time of the request")
		})
	}
}

func testPromoteErrorDetails(t *testing.T, newStore storeFactory) {
	r := completeRecord("v3.0.0", "app3")
	r.Artifacts = append(r.Artifacts, manifest.Artifact{Name: "rebuilt", Digest: digestOf("rebuilt")})
	st := newStore(t, r)
	_, err := promote(t.Context(), st, req("v3.0.0", "dev", "app3"))
	require.NoError(t, err)
	_, err = promote(t.Context(), st, req("v3.0.0", "staging", "rebuilt"))
	var de *manifest.DriftError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, manifest.DriftError{Release: "v3.0.0", Env: "staging", Previous: "dev", Ran: digestOf("app3"), Got: digestOf("rebuilt")}, *de)

	gateErr := errors.New("author is the sole approver")
	_, err = promote(t.Context(), st, req("v3.0.0", "staging", "app3"), manifest.WithGate(manifest.GateFunc(
		func(ctx context.Context, in manifest.GateInput) (string, error) {
			assert.Equal(t, "v3.0.0", in.Record.Tag)
			assert.Len(t, in.History, 1)
			return "", gateErr
		})))
	var ge *manifest.GateError
	require.ErrorAs(t, err, &ge)
	assert.ErrorIs(t, err, gateErr)
	assert.Equal(t, "staging", ge.Env)
}

func testPromoteCustomOrder(t *testing.T, newStore storeFactory) {
	st := newStore(t, completeRecord("v1.0.0", "app"))
	opts := []manifest.Option{manifest.WithOrder("test", "live"), manifest.WithClock(clock())}
	_, err := promote(t.Context(), st, req("v1.0.0", "dev", "app"), opts...)
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
	_, err = promote(t.Context(), st, req("v1.0.0", "test", "app"), opts...)
	require.NoError(t, err)
	_, err = promote(t.Context(), st, manifest.PromoteRequest{Release: "v1.0.0", Env: "live", Digest: digestOf("app")}, opts...)
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired, "the last environment needs approval by default")
	_, err = promote(t.Context(), st, req("v1.0.0", "live", "app"), opts...)
	require.NoError(t, err)
}

func testRollback(t *testing.T, newStore storeFactory) {
	v2 := completeRecord("v1.1.0", "app-1.1")
	v2.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.0.0", Digest: digestOf("app")}
	v3 := completeRecord("v1.2.0", "app-1.2")
	v3.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v1.1.0", Digest: digestOf("app-1.1")}
	st := newStore(t, completeRecord("v1.0.0", "app"), v2, v3)
	opts := []manifest.Option{manifest.WithClock(clock())}

	_, err := rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"})
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "mars", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)

	promoteAll(t, st, "v1.0.0", "app", opts...)
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "incident"}, opts...)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"}, "nothing before the first release")

	promoteAll(t, st, "v1.1.0", "app-1.1", opts...)
	promoteAll(t, st, "v1.2.0", "app-1.2", opts...)

	// A gate that, like a change window at night, allows only an
	// emergency change; the rollback carries its record (RollbackRequest.Emergency),
	// which must be complete.
	nightGate := manifest.WithGate(manifest.GateFunc(func(ctx context.Context, in manifest.GateInput) (string, error) {
		if in.Promotion.Emergency == nil {
			return "", errors.New("outside every change window")
		}
		return "", nil
	}))
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "error rate"}, append(opts, nightGate)...)
	assert.ErrorIs(t, err, manifest.ErrGateRefused)
	em := manifest.EmergencyChange{ID: "CHG-E-1", Reason: "error rate", Scope: "prod", Approver: "carol", RollbackPlan: "roll forward v1.2.0", FollowUp: "post-incident review"}
	incomplete := em
	incomplete.FollowUp = ""
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "error rate", Emergency: &incomplete}, append(opts, nightGate)...)
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)

	// v1.2.0 is bad: back to v1.1.0, the previous release prod ran.
	e, err := rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "error rate", Emergency: &em}, append(opts, nightGate)...)
	require.NoError(t, err)
	require.NotNil(t, e.Promotion.Emergency)
	assert.Equal(t, em, *e.Promotion.Emergency, "the emergency record is logged with the rollback")
	assert.Equal(t, "v1.1.0", e.Promotion.Release)
	assert.Equal(t, digestOf("app-1.1"), e.Promotion.Digest, "the published digest, never a rebuild")
	assert.Equal(t, "v1.2.0", e.Promotion.RollbackFrom)

	// v1.1.0 is bad too: its record names v1.0.0 as known-good.
	e, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "still failing"}, opts...)
	require.NoError(t, err)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)
	assert.Equal(t, digestOf("app"), e.Promotion.Digest)

	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	cur, _ := manifest.Current(entries, "prod")
	assert.Equal(t, "v1.0.0", cur.Release)
	cur, _ = manifest.Current(entries, "staging")
	assert.Equal(t, "v1.2.0", cur.Release)
}

func testPromoteConcurrentCAS(t *testing.T, newStore storeFactory) {
	// Concurrent promotions never lose an entry: each retries on conflict.
	st := newStore(t, completeRecord("v1.0.0", "app"))
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := promote(t.Context(), st, req("v1.0.0", "dev", "app"))
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

func TestPromoteRefusesTamperedLog(t *testing.T) {
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(t.Context(), completeRecord("v1.0.0", "app")))
	for range 2 {
		_, err := promote(t.Context(), st, req("v1.0.0", "dev", "app"))
		require.NoError(t, err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "log", "*.json"))
	require.NoError(t, err)
	b, err := os.ReadFile(files[0])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(files[0], []byte(strings.Replace(string(b), "alice", "mallory", 1)), 0o644))
	_, err = promote(t.Context(), st, req("v1.0.0", "staging", "app"))
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r"})
	assert.ErrorIs(t, err, manifest.ErrTampered)
}

func TestPromoteSeveralArtifacts(t *testing.T) {
	r := completeRecord("v1.0.0", "app")
	r.Artifacts = append(r.Artifacts, manifest.Artifact{Name: "cli", Digest: digestOf("cli")})
	st := newStore(t, r)
	for _, env := range []string{"dev", "staging"} {
		for _, a := range []string{"app", "cli"} {
			_, err := promote(t.Context(), st, req("v1.0.0", env, a))
			require.NoError(t, err, env+" "+a)
		}
	}
}

// A record file copied under another release's name (records/v2.json holding
// the record of v1) must not stand in for v2: Promote would verify v1's tag
// signature while logging a promotion of "v2".
func TestPromoteRecordUnderWrongName(t *testing.T) {
	dir := t.TempDir()
	st, err := manifest.NewDirStore(dir)
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	rec := exampleRecord("v1.0.0", "app-1")
	if err := st.PutRecord(ctx, rec); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "records", "v1.0.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "records", "v2.0.0.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Record(ctx, "v2.0.0"); err == nil {
		t.Error("DirStore.Record returned the record of v1.0.0 for v2.0.0")
	}
	tags := &listTags{signed: []string{"v1.0.0"}}
	// A store that returns whatever it holds, as another Store might.
	loose := looseStore{st, rec}
	if _, err := promote(ctx, loose, manifest.PromoteRequest{
		Release: "v2.0.0", Env: "dev", Digest: rec.Artifacts[0].Digest,
	}, manifest.WithTagVerifier(tags), manifest.WithClock(clock())); err == nil {
		t.Errorf("promoted v2.0.0 on the record of v1.0.0 (tag verified: %v)", tags.verified)
	}
}

type looseStore struct {
	*manifest.DirStore
	rec manifest.Record
}

func (l looseStore) Record(context.Context, string) (manifest.Record, error) { return l.rec, nil }

// listTags is a manifest.TagVerifier that accepts the tags in signed and
// records every tag it is asked about.
type listTags struct {
	signed   []string
	all      bool // every tag is signed
	verified []string
}

func (l *listTags) VerifyTag(_ context.Context, tag string, _ time.Time) (signature.Identity, error) {
	l.verified = append(l.verified, tag)
	if !l.all && !slices.Contains(l.signed, tag) {
		return signature.Identity{}, errors.New("unsigned tag")
	}
	return signature.Identity{Format: signature.SSH, Identity: "release@example.com"}, nil
}

// TagCommit says every tag points to completeRecord's commit.
func (l *listTags) TagCommit(context.Context, string) (string, error) {
	return strings.Repeat("a", 40), nil
}
