package manifest_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
)

// requireDenied checks that the refusal err appended exactly one entry to
// the log before it: a KindDenied entry, also returned as e, that logs err
// (its text) of action with controls, in a log that verifies. It returns
// the denial.
func requireDenied(t *testing.T, st manifest.Log, before []manifest.Entry, e manifest.Entry, err error, action string, controls []string) *manifest.Denial {
	t.Helper()
	require.Error(t, err)
	after, verr := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, verr, "the denial is in the chain")
	require.Len(t, after, len(before)+1, "a refusal logs one denial: %v", err)
	if len(before) > 0 {
		assert.Equal(t, before, after[:len(before)], "and changes nothing before it")
	}
	last := after[len(after)-1]
	assert.Equal(t, last, e, "the denial is returned with the refusal")
	require.Equal(t, manifest.KindDenied, last.Kind)
	require.NotNil(t, last.Denial)
	d := last.Denial
	assert.Equal(t, action, d.Action)
	assert.Equal(t, err.Error(), d.Refusal)
	assert.Equal(t, controls, d.Controls)
	assert.Equal(t, controls, manifest.Controls(err))
	assert.False(t, d.At.IsZero())
	return d
}

// verifiedActor is an identity as config.VerifyToken returns it.
func verifiedActor(name string) *manifest.Actor {
	return &manifest.Actor{
		Name: name, Verified: true,
		Issuer:  "https://token.actions.githubusercontent.com",
		Subject: "repo:acme/shop:environment:prod",
		Claims:  &manifest.ActorClaims{Actor: "octocat", Repository: "acme/shop", Ref: "refs/heads/main", Commit: strings.Repeat("a", 40), Workflow: "release", Run: "42", Environment: "prod"},
		Token: &manifest.TokenSummary{ID: "jti-1", Audience: []string{"releasekit"},
			IssuedAt: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC), Expires: time.Date(2026, 1, 5, 9, 5, 0, 0, time.UTC), Digest: digestOf("token")},
	}
}

func TestDeny(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		ctx := t.Context()
		st, err := open(dir)
		require.NoError(t, err)
		require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
		at := time.Date(2026, 1, 5, 9, 30, 0, 0, time.UTC)
		d := manifest.Denial{
			Action: manifest.AttemptPromote, Release: "v1.0.0", Env: "prod", Digest: digestOf("app"),
			Actor: verifiedActor("ci-bot"), Approver: "alice", Reason: "CHG-1",
			Refusal: "manifest: release tag not verified", Controls: []string{"REL-TAG-001"}, Gate: digestOf("report"), At: at,
		}
		e, err := manifest.Deny(ctx, st, d)
		require.NoError(t, err)
		assert.Equal(t, uint64(1), e.Seq)
		assert.Equal(t, manifest.KindDenied, e.Kind)
		require.NotNil(t, e.Denial)
		assert.Equal(t, d, *e.Denial)

		// The caller's slices and actor are not the entry's.
		d.Controls[0] = "REL-X"
		d.Actor.Token.Audience[0] = "other"
		d.Actor.Claims.Ref = "refs/heads/evil"
		assert.Equal(t, []string{"REL-TAG-001"}, e.Denial.Controls)
		assert.Equal(t, []string{"releasekit"}, e.Denial.Actor.Token.Audience)
		assert.Equal(t, "refs/heads/main", e.Denial.Actor.Claims.Ref)

		// Without a time, the denial is stamped now.
		e2, err := manifest.Deny(ctx, st, manifest.Denial{Action: manifest.AttemptRollback, Env: "dev", Refusal: "refused"})
		require.NoError(t, err)
		assert.False(t, e2.Denial.At.IsZero())
		assert.Equal(t, time.UTC, e2.Denial.At.Location())

		// Denials and promotions share one chain, which reads back and
		// verifies after reopening, each entry strictly parsed.
		_, err = promote(ctx, st, req("v1.0.0", "dev", "app"))
		require.NoError(t, err)
		st, err = open(dir)
		require.NoError(t, err)
		entries, err := manifest.VerifyStore(ctx, st, nil)
		require.NoError(t, err)
		require.Len(t, entries, 3)
		assert.Equal(t, e, entries[0])
		assert.Equal(t, e2, entries[1])
		assert.Equal(t, manifest.KindPromotion, entries[2].Kind)
		for _, e := range entries {
			b, err := manifest.MarshalEntry(e)
			require.NoError(t, err)
			got, err := manifest.ParseEntry(b)
			require.NoError(t, err)
			assert.Equal(t, e, got)
		}
	})
}

func TestDenyRefusesBadInput(t *testing.T) {
	st := newStore(t)
	ok := manifest.Denial{Action: manifest.AttemptPromote, Env: "prod", Refusal: "refused"}
	for _, tt := range []struct {
		name   string
		mutate func(*manifest.Denial)
		want   *manifest.FieldError
	}{
		{"no action", func(d *manifest.Denial) { d.Action = "" }, &manifest.FieldError{Field: "action", Reason: "required"}},
		{"no refusal", func(d *manifest.Denial) { d.Refusal = "" }, &manifest.FieldError{Field: "refusal", Reason: "required"}},
		{"invisible refusal", func(d *manifest.Denial) { d.Refusal = "\u200b\t" }, &manifest.FieldError{Field: "refusal", Reason: "required"}},
		{"gate not a digest", func(d *manifest.Denial) { d.Gate = "sha256:nope" }, &manifest.FieldError{Field: "gate", Reason: "invalid digest"}},
		{"config not a digest", func(d *manifest.Denial) { d.Config = "releasekit.yaml" }, &manifest.FieldError{Field: "config", Reason: "invalid digest"}},
		{"unknown action", func(d *manifest.Denial) { d.Action = "deploy" }, &manifest.FieldError{Field: "action", Reason: "unknown action"}},
		{"an action in another case", func(d *manifest.Denial) { d.Action = "Promote" }, &manifest.FieldError{Field: "action", Reason: "unknown action"}},
		{"an action of free text", func(d *manifest.Denial) { d.Action = strings.Repeat("x", 10*manifest.MaxRefusal) }, &manifest.FieldError{Field: "action", Reason: "unknown action"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := ok
			tt.mutate(&d)
			_, err := manifest.Deny(t.Context(), st, d)
			assert.ErrorIs(t, err, tt.want)
			var fe *manifest.FieldError
			require.ErrorAs(t, err, &fe)
			assert.Equal(t, tt.want.Field, fe.Field)
			entries, err := st.Entries(t.Context())
			require.NoError(t, err)
			assert.Empty(t, entries, "nothing is logged")
		})
	}
	_, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Refusal: "r", Gate: "md5:x"})
	assert.ErrorIs(t, err, manifest.ErrInvalidDigest)
}

// A refusal of any length is logged, cut to MaxRefusal bytes of valid
// UTF-8; the error returned is the whole refusal.
func TestDenyBoundsText(t *testing.T) {
	st := newStore(t)
	long := strings.Repeat("é", manifest.MaxRefusal) + "\xff"
	e, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "prod", Reason: long, Refusal: long})
	require.NoError(t, err)
	for _, s := range []string{e.Denial.Refusal, e.Denial.Reason} {
		assert.LessOrEqual(t, len(s), manifest.MaxRefusal)
		assert.Greater(t, len(s), manifest.MaxRefusal-8)
		assert.True(t, utf8.ValidString(s))
		assert.True(t, strings.HasSuffix(s, "…"))
	}
	e, err = manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "prod", Refusal: "bad \xff byte"})
	require.NoError(t, err)
	assert.Equal(t, "bad \uFFFD byte", e.Denial.Refusal)
	_, err = manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)

	// A gate's refusal longer than the bound.
	st = newStore(t, completeRecord("v1.0.0", "app"))
	huge := errors.New(strings.Repeat("x", 10*manifest.MaxRefusal))
	e, err = promote(t.Context(), st, req("v1.0.0", "dev", "app"), manifest.WithGate(manifest.GateFunc(
		func(context.Context, manifest.GateInput) (string, error) { return "", huge })))
	assert.ErrorIs(t, err, huge)
	assert.Greater(t, len(err.Error()), 10*manifest.MaxRefusal, "the error is the refusal, whole")
	require.NotNil(t, e.Denial)
	assert.LessOrEqual(t, len(e.Denial.Refusal), manifest.MaxRefusal)
	assert.True(t, strings.HasPrefix(err.Error(), strings.TrimSuffix(e.Denial.Refusal, "…")))
}

// Nothing is appended to a log that does not verify, or once the context
// is done; a refusal then says that its denial was not logged.
func TestDenialNotLogged(t *testing.T) {
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
	count := func() int {
		files, err := filepath.Glob(filepath.Join(dir, "log", "*.json"))
		require.NoError(t, err)
		return len(files)
	}

	_, err = manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "dev", Refusal: "r"})
	assert.ErrorIs(t, err, manifest.ErrTampered)
	e, err := promote(t.Context(), st, req("v1.0.0", "qa", "app"))
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv, "the refusal")
	assert.ErrorIs(t, err, manifest.ErrTampered, "and why it was not logged")
	var de *manifest.DenialError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, de.Err, manifest.ErrTampered)
	assert.Contains(t, err.Error(), "denial not logged")
	assert.Nil(t, e.Denial)
	_, err = rollback(t.Context(), st, manifest.RollbackRequest{Env: "dev", Approver: "", Reason: "r"})
	assert.ErrorIs(t, err, manifest.ErrApprovalRequired)
	assert.ErrorIs(t, err, manifest.ErrTampered)
	_, err = promote(t.Context(), st, req("v1.0.0", "staging", "app"))
	assert.ErrorIs(t, err, manifest.ErrTampered, "a decision on the log is not even made")
	assert.Equal(t, 2, count(), "nothing appended")

	fresh := newStore(t, completeRecord("v1.0.0", "app"))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err = manifest.Deny(ctx, fresh, manifest.Denial{Action: "promote", Env: "dev", Refusal: "r"})
	assert.ErrorIs(t, err, context.Canceled)
	_, err = promote(ctx, fresh, req("v1.0.0", "qa", "app"))
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, de.Err, context.Canceled)
	entries, err := fresh.Entries(t.Context())
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// failingLog is a store whose appends fail.
type failingLog struct {
	manifest.Store
	err error
}

func (f failingLog) Append(context.Context, manifest.Entry) (manifest.Entry, error) {
	return manifest.Entry{}, f.err
}

// failingEvidence is a DirStore that cannot keep evidence.
type failingEvidence struct{ *manifest.DirStore }

func (failingEvidence) PutEvidence(context.Context, []byte) (string, error) {
	return "", errors.New("bucket read-only")
}

func TestDenialStoreFails(t *testing.T) {
	disk := errors.New("disk full")
	st := failingLog{newStore(t, completeRecord("v1.0.0", "app")), disk}
	_, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "dev", Refusal: "r"})
	assert.ErrorIs(t, err, disk)
	_, err = promote(t.Context(), st, req("v1.0.0", "qa", "app"))
	assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
	var de *manifest.DenialError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, de.Err, disk)
	_, err = promote(t.Context(), st, req("v1.0.0", "staging", "app"))
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "previous environment skipped"})
	require.ErrorAs(t, err, &de)

	// The gate refused, and its evidence could not be kept: the refusal is
	// not logged without it.
	ds, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, ds.PutRecord(t.Context(), completeRecord("v1.0.0", "app")))
	refuse := evidenceGate{func(context.Context, manifest.GateInput) (string, []byte, error) {
		return "", []byte("report"), errors.New("outside the window")
	}}
	_, err = promote(t.Context(), failingEvidence{ds}, req("v1.0.0", "dev", "app"), manifest.WithGate(refuse))
	assert.ErrorIs(t, err, manifest.ErrGateRefused)
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Error(), "bucket read-only")
	entries, err := ds.Entries(t.Context())
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// racyStore runs race once, just before the first compare-and-swap append
// reaches the store: another writer appending in between.
type racyStore struct {
	manifest.Store
	race func()
	once sync.Once
}

func (r *racyStore) Append(ctx context.Context, e manifest.Entry) (manifest.Entry, error) {
	if e.Seq != 0 {
		r.once.Do(r.race)
	}
	return r.Store.Append(ctx, e)
}

func (r *racyStore) PutEvidence(ctx context.Context, data []byte) (string, error) {
	return r.Store.(manifest.EvidenceStore).PutEvidence(ctx, data)
}

// A denial that loses the compare-and-swap race is neither lost nor logged
// twice; one decided on the log is decided again on the new log.
func TestDenialRace(t *testing.T) {
	note := func(t *testing.T, st manifest.Store) func() {
		return func() {
			_, err := st.Append(t.Context(), manifest.Entry{Kind: manifest.KindNote, Note: "another writer"})
			require.NoError(t, err)
		}
	}
	kinds := func(t *testing.T, st manifest.Store) []string {
		entries, err := manifest.VerifyStore(t.Context(), st, nil)
		require.NoError(t, err)
		var out []string
		for _, e := range entries {
			out = append(out, e.Kind)
		}
		return out
	}
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		base, err := open(dir)
		require.NoError(t, err)
		require.NoError(t, base.PutRecord(t.Context(), completeRecord("v1.0.0", "app")))

		t.Run("refused before reading the log", func(t *testing.T) {
			st := &racyStore{Store: base, race: note(t, base)}
			e, err := promote(t.Context(), st, req("v1.0.0", "qa", "app"))
			assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
			assert.Equal(t, uint64(2), e.Seq)
			assert.Equal(t, []string{"note", "denied"}, kinds(t, base))
		})
		t.Run("refused by the gate", func(t *testing.T) {
			st := &racyStore{Store: base, race: note(t, base)}
			calls := 0
			gate := manifest.GateFunc(func(context.Context, manifest.GateInput) (string, error) {
				calls++
				return "", errors.New("outside the window")
			})
			e, err := promote(t.Context(), st, req("v1.0.0", "dev", "app"), manifest.WithGate(gate))
			assert.ErrorIs(t, err, manifest.ErrGateRefused)
			assert.Equal(t, 2, calls, "decided again on the new log")
			assert.Equal(t, uint64(4), e.Seq)
			assert.Equal(t, []string{"note", "denied", "note", "denied"}, kinds(t, base))
		})
		t.Run("Deny", func(t *testing.T) {
			st := &racyStore{Store: base, race: note(t, base)}
			e, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "dev", Refusal: "r"})
			require.NoError(t, err)
			assert.Equal(t, uint64(6), e.Seq)
			assert.Equal(t, []string{"note", "denied", "note", "denied", "note", "denied"}, kinds(t, base))
		})
		t.Run("the refusal no longer holds", func(t *testing.T) {
			// staging is refused (dev skipped) on the log read, but dev is
			// promoted before the denial lands: decided again, staging is
			// promoted and nothing is denied.
			st := &racyStore{Store: base, race: func() {
				_, err := promote(t.Context(), base, req("v1.0.0", "dev", "app"))
				require.NoError(t, err)
			}}
			e, err := promote(t.Context(), st, req("v1.0.0", "staging", "app"))
			require.NoError(t, err)
			assert.Equal(t, "staging", e.Promotion.Env)
			assert.Equal(t, []string{"note", "denied", "note", "denied", "note", "denied", "promotion", "promotion"}, kinds(t, base))
		})
	})
}

// Concurrent refusals and promotions: every denial and every promotion is
// logged once, in one chain.
func TestDenialConcurrent(t *testing.T) {
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		st, err := open(dir)
		require.NoError(t, err)
		require.NoError(t, st.PutRecord(t.Context(), completeRecord("v1.0.0", "app")))
		const n = 6
		errs := make(chan error, 3*n)
		for i := range n {
			go func() {
				// Each writer its own handle, as another process would.
				own, err := open(dir)
				if err != nil {
					errs <- err
					return
				}
				_, err = promote(t.Context(), own, req("v1.0.0", "dev", "app"))
				errs <- err
			}()
			go func() {
				_, err := promote(t.Context(), st, req("v1.0.0", "qa", "app"))
				if !errors.Is(err, manifest.ErrUnknownEnv) {
					err = fmt.Errorf("want the refusal alone, got %w", err)
				} else {
					err = nil
				}
				errs <- err
			}()
			go func() {
				_, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: "promote", Env: "dev", Refusal: fmt.Sprint("refusal ", i)})
				errs <- err
			}()
		}
		for range 3 * n {
			require.NoError(t, <-errs)
		}
		entries, err := manifest.VerifyStore(t.Context(), st, nil)
		require.NoError(t, err)
		count := map[string]int{}
		refusals := map[string]int{}
		for _, e := range entries {
			count[e.Kind]++
			if e.Denial != nil {
				refusals[e.Denial.Refusal]++
			}
		}
		assert.Equal(t, map[string]int{manifest.KindPromotion: n, manifest.KindDenied: 2 * n}, count)
		for r, c := range refusals {
			if strings.HasPrefix(r, "refusal ") {
				assert.Equal(t, 1, c, r)
			}
		}
	})
}

// controlsErr is an error that names the controls that refused it, as
// policy.DeniedError does.
type controlsErr []string

func (c controlsErr) Error() string      { return "denied by " + strings.Join(c, ", ") }
func (c controlsErr) Controls() []string { return c }

func TestControls(t *testing.T) {
	refusal := func(reason string) error { return fmt.Errorf("promote v1: %w", &manifest.RefusalError{Reason: reason}) }
	for _, tt := range []struct {
		name string
		err  error
		want []string
	}{
		{"nil", nil, nil},
		{"no control", errors.New("boom"), nil},
		{"unknown environment", manifest.ErrUnknownEnv, nil},
		{"record missing", fmt.Errorf("promote v9: %w", manifest.ErrNotFound), nil},
		{"approval without the approver's control", fmt.Errorf("%w: prod needs an approver and a reason", manifest.ErrApprovalRequired), nil},
		{"skipped environment", refusal("previous environment skipped"), nil},
		{"manifest signature", refusal("manifest signature not verified"), nil},
		{"drift", fmt.Errorf("x: %w", &manifest.DriftError{}), []string{"REL-DIGEST-001"}},
		{"digest not recorded", refusal("digest not in the release record"), []string{"REL-DIGEST-001"}},
		{"incomplete record", &manifest.FormatError{Reason: "release record incomplete"}, []string{"REL-RECORD-001"}},
		{"other format error", &manifest.FormatError{Reason: "invalid log entry"}, nil},
		{"tag not verified", refusal("release tag not verified"), []string{"REL-TAG-001"}},
		{"tag does not verify", refusal("release tag signature does not verify"), []string{"REL-TAG-001"}},
		{"tag commit unknown", refusal("record commit not checked"), []string{"REL-TAG-001"}},
		{"tag moved", refusal("record commit is not the tag's commit"), []string{"REL-TAG-001"}},
		{"no authorizer", refusal("no authorization for production"), []string{"REL-ENV-001"}},
		{"releaser", refusal("releaser not authorized"), []string{"REL-ENV-001"}},
		{"approver", refusal("approver not authorized"), []string{"REL-ENV-001"}},
		{"emergency approver", refusal("emergency approver not authorized"), []string{"REL-ENV-001"}},
		{"approver is releaser", refusal("approver is the releaser"), []string{"REL-SOD-001"}},
		{"emergency approver is releaser", refusal("emergency approver is the releaser"), []string{"REL-SOD-001"}},
		{"verified identity", refusal("verified identity required"), []string{"REL-ENV-001"}},
		{"actor is not the releaser", refusal("actor is not the releaser"), []string{"REL-ENV-001"}},
		{"reporter", refusal("reporter not authorized"), []string{"REL-ENV-001"}},
		{"a gate's controls", &manifest.GateError{Env: "prod", Err: controlsErr{"REL-WINDOW-001", "REL-SOD-001"}}, []string{"REL-WINDOW-001", "REL-SOD-001"}},
		{"a gate without", &manifest.GateError{Env: "prod", Err: errors.New("no")}, nil},
		{"each once, in order", errors.Join(controlsErr{"REL-B", "REL-A"}, refusal("approver is the releaser"), controlsErr{"REL-A", "REL-SOD-001"}),
			[]string{"REL-B", "REL-A", "REL-SOD-001"}},
		{"empty IDs dropped", controlsErr{"", "REL-A"}, []string{"REL-A"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, manifest.Controls(tt.err))
		})
	}
}

// The actor of a request: its name is the releaser; a verified actor is
// logged as it is, and a typed releaser as an unverified actor.
func TestRequestActor(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"))
	actor := verifiedActor("ci-bot")

	r := req("v1.0.0", "dev", "app")
	r.Actor = actor
	e, err := manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.Equal(t, "ci-bot", e.Promotion.Releaser, "the actor names the releaser")
	assert.Equal(t, actor, e.Promotion.Actor)
	actor.Claims.Ref = "refs/heads/other"
	assert.Equal(t, "refs/heads/main", e.Promotion.Actor.Claims.Ref, "the entry holds its own copy")

	r = req("v1.0.0", "dev", "app")
	r.Releaser = "ci-bot"
	e, err = manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.Equal(t, &manifest.Actor{Name: "ci-bot"}, e.Promotion.Actor, "typed: unverified")

	r.Actor = verifiedActor("ci-bot")
	e, err = manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.True(t, e.Promotion.Actor.Verified, "both given, the same")

	e, err = manifest.Promote(ctx, st, req("v1.0.0", "dev", "app"), manifest.WithClock(clock()))
	require.NoError(t, err)
	assert.Nil(t, e.Promotion.Actor, "nobody named")

	for _, tt := range []struct {
		name     string
		releaser string
		actor    *manifest.Actor
		reason   string
		controls []string
	}{
		{"another releaser", "mallory", verifiedActor("ci-bot"), "actor is not the releaser", []string{"REL-ENV-001"}},
		{"an actor without a name", "", &manifest.Actor{Verified: true, Issuer: "i", Subject: "s"}, "actor has no name", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := st.Entries(ctx)
			require.NoError(t, err)
			r := req("v1.0.0", "dev", "app")
			r.Releaser, r.Actor = tt.releaser, tt.actor
			e, err := manifest.Promote(ctx, st, r, manifest.WithClock(clock()))
			assert.ErrorIs(t, err, &manifest.RefusalError{Reason: tt.reason})
			d := requireDenied(t, st, before, e, err, manifest.AttemptPromote, tt.controls)
			assert.Equal(t, tt.actor, d.Actor, "the actor that asked is logged")

			before = append(before, e)
			e, err = manifest.Rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r", Releaser: tt.releaser, Actor: tt.actor})
			assert.ErrorIs(t, err, &manifest.RefusalError{Reason: tt.reason})
			requireDenied(t, st, before, e, err, manifest.AttemptRollback, tt.controls)
		})
	}
}

// WithVerifiedIdentity: where it applies, every attempt needs a verified
// actor, and is refused and logged without one.
func TestVerifiedIdentity(t *testing.T) {
	ctx := t.Context()
	sm := signedManifest{m: sampleManifest()}
	var err error
	sm.digest, err = sm.m.Digest()
	require.NoError(t, err)
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	verified := manifest.WithVerifiedIdentity("staging", "prod")
	for _, rel := range []struct{ tag, art string }{{"v1.0.0", "app"}, {"v1.1.0", "app11"}} {
		for _, env := range []string{"dev", "staging", "prod"} {
			r := req(rel.tag, env, rel.art)
			r.Actor = verifiedActor("ci-bot")
			_, err := promote(ctx, st, r, verified)
			require.NoError(t, err, env)
		}
	}
	promoteManifestAll(t, st, sm)
	cm := signedManifest{m: changedManifest()}
	cm.digest, err = cm.m.Digest()
	require.NoError(t, err)
	promoteManifestAll(t, st, cm)
	_, err = promote(ctx, st, req("v1.1.0", "dev", "app11"), verified)
	require.NoError(t, err, "dev needs no verified identity")

	unverified := []*manifest.Actor{
		nil,
		{Name: "ci-bot"},
		{Name: "ci-bot", Verified: true}, // says verified, but by no issuer
		{Name: "ci-bot", Issuer: "https://token.actions.githubusercontent.com", Subject: "repo:acme/shop"},
	}
	rb := manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "error rate"}
	attempts := []struct {
		action string
		try    func(a *manifest.Actor) (manifest.Entry, error)
	}{
		{manifest.AttemptPromote, func(a *manifest.Actor) (manifest.Entry, error) {
			r := req("v1.1.0", "staging", "app11")
			r.Actor = a
			return manifest.Promote(ctx, st, r, append(trusted(), verified)...)
		}},
		{manifest.AttemptRollback, func(a *manifest.Actor) (manifest.Entry, error) {
			r := rb
			r.Actor = a
			return manifest.Rollback(ctx, st, r, append(trusted(), verified)...)
		}},
		{manifest.AttemptPromoteManifest, func(a *manifest.Actor) (manifest.Entry, error) {
			r := sm.req("prod")
			r.Actor = a
			return manifest.PromoteManifest(ctx, st, r, manifest.WithAuthorizer(allowAll{}), manifest.WithSkipSignatureUnsafe(), verified)
		}},
		{manifest.AttemptRollbackManifest, func(a *manifest.Actor) (manifest.Entry, error) {
			r := rb
			r.Actor = a
			return manifest.RollbackManifest(ctx, st, r, manifest.WithAuthorizer(allowAll{}), manifest.WithSkipSignatureUnsafe(), verified)
		}},
		{manifest.AttemptDeployReport, func(a *manifest.Actor) (manifest.Entry, error) {
			// dev last ran v1.1.0 (prod a manifest).
			return manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.1.0", Env: "dev", Result: manifest.ResultSucceeded, Actor: a}, manifest.WithVerifiedIdentity("dev"))
		}},
	}
	for _, at := range attempts {
		t.Run(at.action, func(t *testing.T) {
			for _, a := range unverified {
				before, err := st.Entries(ctx)
				require.NoError(t, err)
				e, err := at.try(a)
				if a == nil && at.action == manifest.AttemptDeployReport {
					// A report names who made it: without an actor it is
					// bad input, refused before any check and not logged.
					assert.ErrorIs(t, err, &manifest.FieldError{Field: "actor", Reason: "required"})
					after, err := st.Entries(ctx)
					require.NoError(t, err)
					assert.Equal(t, before, after, "bad input is not logged")
					continue
				}
				assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "verified identity required"})
				d := requireDenied(t, st, before, e, err, at.action, []string{"REL-ENV-001"})
				assert.Equal(t, a, d.Actor)
			}
			e, err := at.try(verifiedActor("ci-bot"))
			require.NoError(t, err)
			if e.Promotion != nil {
				assert.Equal(t, verifiedActor("ci-bot"), e.Promotion.Actor)
			} else {
				assert.Equal(t, verifiedActor("ci-bot"), e.Deploy.Actor)
			}
		})
	}
}

// Refusals decided on the log of a rollback are logged too, with what the
// rollback would have redeployed.
func TestRollbackRefusalsLogged(t *testing.T) {
	ctx := t.Context()
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	rb := manifest.RollbackRequest{Env: "prod", Approver: "alice", Reason: "error rate"}
	e, err := rollback(ctx, st, rb)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"})
	d := requireDenied(t, st, nil, e, err, manifest.AttemptRollback, nil)
	assert.Equal(t, "prod", d.Env)
	assert.Empty(t, d.Release, "nothing to roll back to")

	before, err := st.Entries(ctx)
	require.NoError(t, err)
	e, err = rollbackManifest(ctx, st, rb)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no known-good release to roll back to"})
	requireDenied(t, st, before, e, err, manifest.AttemptRollbackManifest, nil)

	promoteAll(t, st, "v1.0.0", "app")
	promoteAll(t, st, "v1.1.0", "app11")
	before, err = st.Entries(ctx)
	require.NoError(t, err)
	e, err = rollback(ctx, st, rb, manifest.WithGate(reportDenies))
	assert.ErrorIs(t, err, manifest.ErrGateRefused)
	assert.Equal(t, []string{"REL-WINDOW-001"}, manifest.Controls(err))
	d = requireDenied(t, st, before, e, err, manifest.AttemptRollback, []string{"REL-WINDOW-001"})
	assert.Equal(t, "v1.0.0", d.Release, "the release it would have redeployed")
	assert.Equal(t, digestOf("app"), d.Digest)
	assert.Equal(t, digestOf("denied v1.0.0 in prod"), d.Gate)
	ev, err := st.(manifest.EvidenceStore).Evidence(ctx, d.Gate)
	require.NoError(t, err)
	assert.Equal(t, "denied v1.0.0 in prod", string(ev))
}

// reportDenies is an EvidenceGate that refuses every promotion with a
// report of its own, naming REL-WINDOW-001.
var reportDenies = evidenceGate{func(ctx context.Context, in manifest.GateInput) (string, []byte, error) {
	return "", []byte("denied " + in.Promotion.Release + " in " + in.Promotion.Env), controlsErr{"REL-WINDOW-001"}
}}

// Deny logs every Attempt action.
func TestDenyActions(t *testing.T) {
	st := newStore(t)
	for _, a := range []string{manifest.AttemptPromote, manifest.AttemptRollback, manifest.AttemptPromoteManifest, manifest.AttemptRollbackManifest, manifest.AttemptDeployReport} {
		e, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: a, Env: "prod", Refusal: "refused"})
		require.NoError(t, err, a)
		assert.Equal(t, a, e.Denial.Action)
	}
}

// hugeActor is an actor whose every text field is n bytes, with n
// audiences.
func hugeActor(n int) *manifest.Actor {
	big := strings.Repeat("é", n/2)
	aud := make([]string, n)
	for i := range aud {
		aud[i] = "aud"
	}
	aud[0] = big
	return &manifest.Actor{
		Name: big, Verified: true, Issuer: big, Subject: big,
		Claims: &manifest.ActorClaims{Actor: big, Repository: big, Ref: big, Commit: big, Workflow: big, Run: big, Environment: big},
		Token:  &manifest.TokenSummary{ID: big, Audience: aud, Digest: big, Key: big},
	}
}

// Deny bounds the actor it logs, whatever the caller passes: each field
// to 1 KiB, marked where cut, and the token's audiences to 16.
func TestDenyBoundsActor(t *testing.T) {
	st := newStore(t)
	huge := hugeActor(4096)
	e, err := manifest.Deny(t.Context(), st, manifest.Denial{Action: manifest.AttemptPromote, Env: "prod", Refusal: "refused", Actor: huge})
	require.NoError(t, err)
	a := e.Denial.Actor
	require.NotNil(t, a)
	fields := []string{a.Name, a.Issuer, a.Subject, a.Claims.Actor, a.Claims.Repository, a.Claims.Ref, a.Claims.Commit,
		a.Claims.Workflow, a.Claims.Run, a.Claims.Environment, a.Token.ID, a.Token.Digest, a.Token.Key, a.Token.Audience[0]}
	for i, f := range fields {
		assert.LessOrEqual(t, len(f), 1024, "field %d", i)
		assert.Greater(t, len(f), 1000, "field %d", i)
		assert.True(t, utf8.ValidString(f), "field %d", i)
		assert.True(t, strings.HasSuffix(f, "…"), "field %d: cut, and marked", i)
	}
	assert.Len(t, a.Token.Audience, 16)
	assert.Equal(t, "…", a.Token.Audience[15], "audiences cut, and marked")
	assert.Equal(t, 4096, len(huge.Name), "the caller's actor is not changed")
	assert.Len(t, huge.Token.Audience, 4096)

	// What fits is logged as it is.
	e, err = manifest.Deny(t.Context(), st, manifest.Denial{Action: manifest.AttemptPromote, Env: "prod", Refusal: "refused", Actor: verifiedActor("ci-bot")})
	require.NoError(t, err)
	assert.Equal(t, verifiedActor("ci-bot"), e.Denial.Actor)
	_, err = manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
}

// A 64 MiB actor name: refused by every request that logs its actor as
// it is, bounded by Deny, and refused by the store itself when appended
// as it is. The log stays readable.
func TestOversizedActor(t *testing.T) {
	ctx := t.Context()
	name := strings.Repeat("n", 64<<20)
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		st, err := open(dir)
		require.NoError(t, err)
		require.NoError(t, st.PutRecord(ctx, completeRecord("v1.0.0", "app")))
		promoteAll(t, st, "v1.0.0", "app")
		before, err := st.Entries(ctx)
		require.NoError(t, err)
		actor := &manifest.Actor{Name: name}
		unchanged := func(t *testing.T) {
			t.Helper()
			after, err := manifest.VerifyStore(ctx, st, nil)
			require.NoError(t, err, "the log is readable")
			assert.Equal(t, before, after, "nothing logged")
		}
		tooLong := &manifest.FieldError{Field: "actor.name", Reason: "too long"}

		_, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Actor: actor}, manifest.WithAuthorizer(allowAll{}))
		assert.ErrorIs(t, err, tooLong)
		unchanged(t)
		r := req("v1.0.0", "dev", "app")
		r.Actor = actor
		_, err = promote(ctx, st, r)
		assert.ErrorIs(t, err, tooLong)
		r = req("v1.0.0", "dev", "app")
		r.Releaser = name
		_, err = promote(ctx, st, r)
		assert.ErrorIs(t, err, &manifest.FieldError{Field: "releaser", Reason: "too long"})
		_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r", Actor: actor, Releaser: name})
		assert.ErrorIs(t, err, &manifest.FieldError{Field: "releaser", Reason: "too long"})
		_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r", Actor: actor})
		assert.ErrorIs(t, err, tooLong)
		sm := signedManifest{m: sampleManifest()}
		sm.digest, err = sm.m.Digest()
		require.NoError(t, err)
		mr := sm.req("dev")
		mr.Actor = actor
		_, err = promoteManifest(ctx, st, mr)
		assert.ErrorIs(t, err, tooLong)
		_, err = rollbackManifest(ctx, st, manifest.RollbackRequest{Env: "dev", Approver: "alice", Reason: "r", Actor: actor})
		assert.ErrorIs(t, err, tooLong)
		var fe *manifest.FieldError
		require.ErrorAs(t, err, &fe)
		assert.Equal(t, "manifest: actor.name: too long: 67108864 bytes, at most 1024", fe.Error(), "the name itself is not repeated")
		unchanged(t)

		// Appended as it is, the entry would be larger than a store reads
		// back: the store refuses it, and writes nothing.
		d := manifest.Deployment{Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Actor: actor, At: time.Date(2026, 1, 5, 9, 0, 0, 0, time.UTC)}
		_, err = st.Append(ctx, manifest.Entry{Kind: manifest.KindDeployment, Deploy: &d})
		assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "log entry too large"})
		assert.Less(t, len(err.Error()), 200, "the entry is not repeated")
		unchanged(t)
		if _, ok := st.(*manifest.DirStore); ok {
			left, err := filepath.Glob(filepath.Join(dir, "log", ".tmp-*"))
			require.NoError(t, err)
			assert.Empty(t, left, "no temporary file left")
		}
		reopened, err := open(dir)
		require.NoError(t, err)
		after, err := manifest.VerifyStore(ctx, reopened, nil)
		require.NoError(t, err)
		assert.Equal(t, before, after)

		// Deny bounds it: the denial is logged, and the log still reads.
		e, err := manifest.Deny(ctx, st, manifest.Denial{Action: manifest.AttemptDeployReport, Release: "v1.0.0", Env: "prod", Refusal: "idtoken: token expired", Actor: actor})
		require.NoError(t, err)
		assert.LessOrEqual(t, len(e.Denial.Actor.Name), 1024)
		reopened, err = open(dir)
		require.NoError(t, err)
		after, err = manifest.VerifyStore(ctx, reopened, nil)
		require.NoError(t, err)
		assert.Equal(t, append(before, e), after)
	})
}

// A store takes an entry up to MaxStoredFile bytes, which it reads back,
// and refuses one byte more.
func TestStoreEntryBound(t *testing.T) {
	ctx := t.Context()
	e := manifest.Entry{Seq: 1, Kind: manifest.KindNote, Note: "n"}
	small, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	e.Note = strings.Repeat("n", manifest.MaxStoredFile-len(small)+2)
	eachStore(t, func(t *testing.T, dir string, open func(string) (manifest.Store, error)) {
		st, err := open(dir)
		require.NoError(t, err)
		_, err = st.Append(ctx, e)
		assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "log entry too large"})
		assert.Contains(t, err.Error(), fmt.Sprintf("%d bytes, at most %d", manifest.MaxStoredFile+1, manifest.MaxStoredFile))
		entries, err := st.Entries(ctx)
		require.NoError(t, err)
		assert.Empty(t, entries, "nothing written")
	})

	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	e.Note = e.Note[1:]
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	require.Equal(t, manifest.MaxStoredFile, len(b))
	_, err = st.Append(ctx, e)
	require.NoError(t, err)
	entries, err := manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err, "the largest entry reads back")
	require.Len(t, entries, 1)
	assert.Equal(t, len(e.Note), len(entries[0].Note))
}

// Every refusal, and every deployment, names the configuration it was
// decided under; without one, the entries are as they were.
func TestConfigDigestLogged(t *testing.T) {
	ctx := t.Context()
	cfg := digestOf("releasekit.yaml")
	withCfg := manifest.WithConfigDigest(cfg)
	st := newStore(t, completeRecord("v1.0.0", "app"))
	promoteAll(t, st, "v1.0.0", "app")
	sm := signedManifest{m: sampleManifest()}
	var err error
	sm.digest, err = sm.m.Digest()
	require.NoError(t, err)
	rb := manifest.RollbackRequest{Env: "qa", Approver: "alice", Reason: "r"}
	for _, tt := range []struct {
		action string
		try    func(opts ...manifest.Option) (manifest.Entry, error)
	}{
		{manifest.AttemptPromote, func(opts ...manifest.Option) (manifest.Entry, error) {
			return promote(ctx, st, req("v1.0.0", "qa", "app"), opts...)
		}},
		{manifest.AttemptRollback, func(opts ...manifest.Option) (manifest.Entry, error) { return rollback(ctx, st, rb, opts...) }},
		{manifest.AttemptPromoteManifest, func(opts ...manifest.Option) (manifest.Entry, error) {
			return promoteManifest(ctx, st, sm.req("qa"), opts...)
		}},
		{manifest.AttemptRollbackManifest, func(opts ...manifest.Option) (manifest.Entry, error) {
			return rollbackManifest(ctx, st, rb, opts...)
		}},
		{manifest.AttemptDeployReport, func(opts ...manifest.Option) (manifest.Entry, error) {
			return manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "qa", Result: manifest.ResultStarted, Actor: typed}, opts...)
		}},
	} {
		t.Run(tt.action, func(t *testing.T) {
			e, err := tt.try(withCfg)
			assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
			require.NotNil(t, e.Denial)
			assert.Equal(t, tt.action, e.Denial.Action)
			assert.Equal(t, cfg, e.Denial.Config)
			e, err = tt.try()
			assert.ErrorIs(t, err, manifest.ErrUnknownEnv)
			require.NotNil(t, e.Denial)
			assert.Empty(t, e.Denial.Config)
			b, err := manifest.MarshalEntry(e)
			require.NoError(t, err)
			assert.NotContains(t, string(b), `"config"`, "no configuration, no field: entries as before")
		})
	}
	e, err := manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "prod", Result: manifest.ResultStarted, Actor: typed},
		withCfg, manifest.WithAuthorizer(allowAll{}))
	require.NoError(t, err)
	assert.Equal(t, cfg, e.Deploy.Config)
	e, err = manifest.ReportDeployment(ctx, st, manifest.DeploymentReport{Release: "v1.0.0", Env: "prod", Result: manifest.ResultSucceeded, Actor: typed},
		manifest.WithAuthorizer(allowAll{}))
	require.NoError(t, err)
	assert.Empty(t, e.Deploy.Config)
	b, err := manifest.MarshalEntry(e)
	require.NoError(t, err)
	assert.NotContains(t, string(b), `"config"`)
	assert.NotContains(t, string(b), `"unsafe"`)

	e, err = manifest.Deny(ctx, st, manifest.Denial{Action: manifest.AttemptPromote, Env: "prod", Refusal: "r", Config: cfg})
	require.NoError(t, err)
	assert.Equal(t, cfg, e.Denial.Config)
	_, err = manifest.VerifyStore(ctx, st, nil)
	require.NoError(t, err)
}
