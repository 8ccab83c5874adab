package policy_test

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

var berlin = func() *time.Location {
	l, err := time.LoadLocation("Europe/Berlin")
	if err != nil {
		panic(err)
	}
	return l
}()

// gatePolicy decides promotions: Mon-Thu 09:00-16:00 Berlin, a year-end
// freeze, separation of duties, a complete record, the same digest.
func gatePolicy() policy.Policy {
	return policy.Policy{Controls: []policy.Control{
		policy.ChangeWindow{
			Windows: []policy.Window{{Days: []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday}, Start: "09:00", End: "16:00", Zone: "Europe/Berlin"}},
			Freezes: []policy.Freeze{{From: time.Date(2026, 12, 18, 0, 0, 0, 0, berlin), To: time.Date(2027, 1, 4, 0, 0, 0, 0, berlin), Reason: "year end"}},
		},
		policy.SeparationOfDuties{}, policy.RecordComplete{}, policy.SameDigest{},
	}}
}

func gateFacts() policy.Facts {
	return policy.Facts{
		PullRequest: &policy.PullRequest{Number: 42, Author: "alice", Approvers: []string{"bob"}, MergeMethod: "squash"},
		Deployment:  &policy.Deployment{Releaser: "release-bot"},
	}
}

// stagedStore returns a store, on disk or in a real git repository, where
// v1.4.2's app reached staging through the gate.
func stagedStore(t *testing.T, git bool, g policy.Gate) manifest.Store {
	t.Helper()
	ctx := context.Background()
	var st manifest.Store
	if git {
		r := gittest.New(t)
		r.Commit("feat: first ABC-1")
		gs, err := manifest.NewGitStore(r.GoGit(t))
		require.NoError(t, err)
		st = gs
	} else {
		ds, err := manifest.NewDirStore(t.TempDir())
		require.NoError(t, err)
		st = ds
	}
	require.NoError(t, st.PutRecord(ctx, completeRecord(t, "v1.4.2")))
	// Friday night is fine for lower environments: they have no window.
	clock := manifest.WithClock(fixedClock(time.Date(2026, 3, 6, 22, 0, 0, 0, berlin)))
	for _, env := range []string{"dev", "staging"} {
		e, err := promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: build1}, manifest.WithGate(g), clock)
		require.NoError(t, err, env)
		assert.Empty(t, e.Promotion.Window)
	}
	return st
}

func prodRequest() manifest.PromoteRequest {
	return manifest.PromoteRequest{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", Reason: "CHG-1234 approved"}
}

func TestGatePromote(t *testing.T) {
	ctx := context.Background()
	for _, git := range []bool{false, true} {
		name := "DirStore"
		if git {
			name = "GitStore"
		}
		t.Run(name, func(t *testing.T) {
			g := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}
			var _ manifest.Gate = g

			t.Run("outside the window", func(t *testing.T) {
				st := stagedStore(t, git, g)
				at := time.Date(2026, 3, 6, 22, 0, 0, 0, berlin) // Friday
				e, err := promote(ctx, st, prodRequest(), manifest.WithGate(g), manifest.WithClock(fixedClock(at)))
				var ge *manifest.GateError
				require.ErrorAs(t, err, &ge)
				assert.ErrorIs(t, err, manifest.ErrGateRefused)
				assert.ErrorIs(t, err, &policy.ReportError{Reason: "controls failed"})
				var de *policy.DeniedError
				require.ErrorAs(t, err, &de)
				assert.Equal(t, "prod", de.Env)
				assert.Contains(t, err.Error(), "REL-WINDOW-001")
				assert.Contains(t, err.Error(), "outside every change window")
				assert.Len(t, promotions(t, st), 2, "no promotion logged")

				// The refusal is logged: a denial naming the failed control
				// and the report the gate decided on, kept as evidence.
				assert.Equal(t, []string{"REL-WINDOW-001"}, de.Controls())
				assert.Equal(t, []string{"REL-WINDOW-001"}, manifest.Controls(err))
				entries, err := manifest.VerifyStore(ctx, st, nil)
				require.NoError(t, err)
				require.Len(t, entries, 3)
				assert.Equal(t, entries[2], e)
				require.Equal(t, manifest.KindDenied, e.Kind)
				d := e.Denial
				assert.Equal(t, []string{"REL-WINDOW-001"}, d.Controls)
				assert.Equal(t, manifest.AttemptPromote, d.Action)
				assert.Equal(t, "v1.4.2", d.Release)
				assert.Equal(t, build1, d.Digest)
				assert.Equal(t, "carol", d.Approver)
				ev, err := st.(manifest.EvidenceStore).Evidence(ctx, d.Gate)
				require.NoError(t, err)
				rep, err := policy.ReadReport(bytes.NewReader(ev))
				require.NoError(t, err)
				assert.Equal(t, de.Report.Err().Error(), rep.Err().Error(), "the report that refused")
			})
			t.Run("in a freeze", func(t *testing.T) {
				st := stagedStore(t, git, g)
				at := time.Date(2026, 12, 21, 10, 0, 0, 0, berlin) // a Monday in the freeze
				_, err := promote(ctx, st, prodRequest(), manifest.WithGate(g), manifest.WithClock(fixedClock(at)))
				var ge *manifest.GateError
				require.ErrorAs(t, err, &ge)
				assert.Contains(t, err.Error(), "year end")
			})
			t.Run("inside the window", func(t *testing.T) {
				st := stagedStore(t, git, g)
				// 08:30 UTC is 09:30 in Berlin (CET) on Monday.
				e, err := promote(ctx, st, prodRequest(), manifest.WithGate(g), manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 8, 30, 0, 0, time.UTC))))
				require.NoError(t, err)
				assert.Equal(t, "Mon,Tue,Wed,Thu 09:00-16:00 Europe/Berlin", e.Promotion.Window)
				assert.Len(t, promotions(t, st), 3)
			})
			t.Run("emergency record", func(t *testing.T) {
				st := stagedStore(t, git, g)
				req := prodRequest()
				req.Emergency = &manifest.EmergencyChange{ID: "EMG-1", Reason: "INC-7 outage", Scope: "app", Approver: "dave",
					RollbackPlan: "redeploy v1.4.1", FollowUp: "PIR-7"}
				at := time.Date(2026, 12, 24, 3, 0, 0, 0, berlin) // in the freeze, at night
				e, err := promote(ctx, st, req, manifest.WithGate(g), manifest.WithClock(fixedClock(at)))
				require.NoError(t, err)
				assert.Empty(t, e.Promotion.Window)
				assert.Equal(t, "EMG-1", e.Promotion.Emergency.ID)
			})
			t.Run("approver is a code reviewer", func(t *testing.T) {
				st := stagedStore(t, git, g)
				req := prodRequest()
				req.Approver = "bob"
				_, err := promote(ctx, st, req, manifest.WithGate(g), manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, berlin))))
				require.ErrorIs(t, err, manifest.ErrGateRefused)
				assert.Contains(t, err.Error(), "REL-SOD-001")
				assert.NotContains(t, err.Error(), "REL-WINDOW-001")
			})
		})
	}
}

func TestGateBindsToEvaluatedRecord(t *testing.T) {
	ctx := context.Background()
	approved := completeRecord(t, "v1.4.2")
	approved.KnownIssues = []string{"approved with no known issue"}
	f := gateFacts()
	f.Record = &approved
	g := policy.Gate{Policy: gatePolicy(), Facts: f}
	inWindow := manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)))

	// The store holds another record than the one approved.
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, st.PutRecord(ctx, completeRecord(t, "v1.4.2")))
	_, err = promote(ctx, st, manifest.PromoteRequest{Release: "v1.4.2", Env: "dev", Digest: build1}, manifest.WithGate(g), inWindow)
	require.ErrorIs(t, err, manifest.ErrGateRefused)
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"})
	assert.Contains(t, err.Error(), "REL-GATE-001")
	assert.Contains(t, manifest.Controls(err), "REL-GATE-001", "the denial names the binding")

	// The approved record itself passes.
	st2, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	require.NoError(t, st2.PutRecord(ctx, approved))
	_, err = promote(ctx, st2, manifest.PromoteRequest{Release: "v1.4.2", Env: "dev", Digest: build1}, manifest.WithGate(g), inWindow)
	require.NoError(t, err)

	// A digest that is not the record's, or another release, is refused
	// even when every control passes: no exception waives the binding.
	g.Policy.Exceptions = nil
	for name, p := range map[string]manifest.Promotion{
		"digest not in record": {Release: "v1.4.2", Env: "dev", Digest: build2},
		"other release":        {Release: "v9.9.9", Env: "dev", Digest: build1},
	} {
		t.Run(name, func(t *testing.T) {
			p.RequestedAt = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
			_, err := g.Allow(ctx, manifest.GateInput{Record: approved, Promotion: p})
			assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"})
			rep := g.Evaluate(ctx, manifest.GateInput{Record: approved, Promotion: p})
			assert.Equal(t, "REL-GATE-001", rep.Results[0].Control.ID)
			assert.Equal(t, policy.Fail, rep.Results[0].Status)
		})
	}
}

func TestGateManifest(t *testing.T) {
	ctx := context.Background()
	repo := func(d string) manifest.Manifest {
		return manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.03", Repos: []manifest.Repo{{
			Name: "app", Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
			Artifacts: []manifest.Artifact{{Name: "app", Digest: d}},
		}}}
	}
	approved := repo(build1)
	digest, err := approved.Digest()
	require.NoError(t, err)
	f := gateFacts()
	f.Manifest = &approved
	g := policy.Gate{Policy: gatePolicy(), Facts: f}
	clock := manifest.WithClock(fixedClock(time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)))

	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	for _, env := range []string{"dev", "staging", "prod"} {
		e, err := promoteManifest(ctx, st, manifest.ManifestRequest{Manifest: approved, Digest: digest, Env: env, Approver: "carol", Reason: "CHG-1300"}, manifest.WithGate(g), clock)
		require.NoError(t, err, env)
		if env == "prod" {
			assert.Equal(t, "Mon,Tue,Wed,Thu 09:00-16:00 Europe/Berlin", e.Promotion.Window)
		}
	}

	// Another manifest, signed and consistent in itself, is not the one approved.
	other := repo(build2)
	od, err := other.Digest()
	require.NoError(t, err)
	_, err = promoteManifest(ctx, st, manifest.ManifestRequest{Manifest: other, Digest: od, Env: "dev"}, manifest.WithGate(g), clock)
	require.ErrorIs(t, err, manifest.ErrGateRefused)
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"})

	// Evaluated bytes that do not hash to the digest promoted.
	_, err = g.Allow(ctx, manifest.GateInput{Manifest: &approved, Promotion: manifest.Promotion{Release: "2026.03", Env: "dev", Digest: od}})
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"})
}

func TestGateFailsClosed(t *testing.T) {
	ctx := context.Background()
	rec := completeRecord(t, "v1.4.2")
	in := manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol",
		RequestedAt: time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)}}

	_, err := policy.Gate{}.Allow(ctx, in)
	assert.ErrorIs(t, err, policy.ErrEmptyPolicy, "an empty gate allows nothing")

	// Without pull-request data separation of duties cannot be shown.
	_, err = policy.Gate{Policy: gatePolicy()}.Allow(ctx, in)
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "controls failed"})
	assert.Contains(t, err.Error(), "REL-SOD-001")

	// An incomplete record (one that manifest would not even reach the gate with).
	inc := in
	inc.Record.Checks = nil
	rep := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}.Evaluate(ctx, inc)
	var ids []string
	for _, r := range rep.Results {
		if r.Status == policy.Fail {
			ids = append(ids, r.Control.ID)
		}
	}
	assert.Equal(t, []string{"REL-RECORD-001"}, ids)

	// An emergency record with a field missing does not open the window.
	em := in
	em.Promotion.RequestedAt = time.Date(2026, 3, 6, 22, 0, 0, 0, berlin)
	em.Promotion.Emergency = &manifest.EmergencyChange{Reason: "INC-7", Scope: "app", Approver: "dave", RollbackPlan: "redeploy v1.4.1"}
	_, err = policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}.Allow(ctx, em)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "follow_ups")

	// Digest drift in the history the gate is given.
	drift := in
	drift.History = []manifest.Promotion{{Release: "v1.4.2", Env: "dev", Digest: build1}, {Release: "v1.4.2", Env: "staging", Digest: build1}}
	drift.Record.Artifacts = append(drift.Record.Artifacts, manifest.Artifact{Name: "app-rebuilt", Digest: build2})
	drift.Promotion.Digest = build2
	_, err = policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}.Allow(ctx, drift)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "REL-DIGEST-001")
	assert.Contains(t, err.Error(), build2)

	// A valid exception waives the window; it is judged at the request's
	// time, and an expired one does not.
	out := in
	out.Promotion.RequestedAt = time.Date(2026, 3, 6, 22, 0, 0, 0, berlin)
	exc := validException()
	exc.Controls = []string{"REL-WINDOW-001"}
	exc.Expires = time.Date(2026, 3, 7, 0, 0, 0, 0, berlin)
	p := gatePolicy()
	p.Exceptions = []policy.Exception{exc}
	f := gateFacts()
	f.Now = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // ignored: the request's time rules
	w, err := policy.Gate{Policy: p, Facts: f}.Allow(ctx, out)
	require.NoError(t, err)
	assert.Empty(t, w)
	out.Promotion.RequestedAt = time.Date(2026, 3, 13, 22, 0, 0, 0, berlin)
	_, err = policy.Gate{Policy: p, Facts: f}.Allow(ctx, out)
	var de *policy.DeniedError
	require.True(t, errors.As(err, &de))
	assert.Equal(t, policy.Fail, de.Report.Results[1].Status)
	assert.Contains(t, de.Report.Results[1].Reason, "expired")
}

func TestGateRollback(t *testing.T) {
	ctx := context.Background()
	g := policy.Gate{Policy: gatePolicy(), Facts: gateFacts()}
	st, err := manifest.NewDirStore(t.TempDir())
	require.NoError(t, err)
	monday := time.Date(2026, 3, 2, 10, 0, 0, 0, berlin)
	for _, tag := range []string{"v1.4.1", "v1.4.2"} {
		require.NoError(t, st.PutRecord(ctx, completeRecord(t, tag)))
		for _, env := range []string{"dev", "staging", "prod"} {
			req := prodRequest()
			req.Release, req.Env = tag, env
			_, err := promote(ctx, st, req, manifest.WithGate(g), manifest.WithClock(fixedClock(monday)))
			require.NoError(t, err, tag+" "+env)
		}
	}
	friday := time.Date(2026, 3, 6, 22, 0, 0, 0, berlin)
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "carol", Reason: "error rate"}, manifest.WithGate(g), manifest.WithClock(fixedClock(friday)))
	require.ErrorIs(t, err, manifest.ErrGateRefused)
	assert.Contains(t, err.Error(), "REL-WINDOW-001")

	e, err := rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "carol", Reason: "error rate"}, manifest.WithGate(g), manifest.WithClock(fixedClock(monday.Add(time.Hour))))
	require.NoError(t, err)
	assert.Equal(t, "v1.4.1", e.Promotion.Release)
	assert.Equal(t, "v1.4.2", e.Promotion.RollbackFrom)
	assert.NotEmpty(t, e.Promotion.Window)

	// A gate bound to the v1.4.2 record serves only v1.4.2: production runs
	// v1.4.2 again (a rollback does not return to the release it runs),
	// and the rollback to v1.4.1 is refused.
	req := prodRequest()
	req.Release, req.Env = "v1.4.2", "prod"
	_, err = promote(ctx, st, req, manifest.WithGate(g), manifest.WithClock(fixedClock(monday.Add(2*time.Hour))))
	require.NoError(t, err)
	approved := completeRecord(t, "v1.4.2")
	bound := g
	bound.Facts.Record = &approved
	_, err = rollback(ctx, st, manifest.RollbackRequest{Env: "prod", Approver: "carol", Reason: "error rate"}, manifest.WithGate(bound), manifest.WithClock(fixedClock(monday.Add(3*time.Hour))))
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"})
}

// A gate bound to an approved record refuses a manifest promotion and vice
// versa: the decision holds only for what was approved.
func TestGateBindingKindMismatch(t *testing.T) {
	ctx := context.Background()
	approved := completeRecord(t, "v1.4.2")
	f := gateFacts()
	f.Record = &approved
	g := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.SameDigest{}}}, Facts: f}
	m := manifest.Manifest{Version: manifest.ManifestVersion, Name: "2026.03", Repos: []manifest.Repo{{
		Name: "app", Tag: "v1.4.2", Commit: strings.Repeat("1", 40),
		Artifacts: []manifest.Artifact{{Name: "app", Digest: build2}},
	}}}
	md, err := m.Digest()
	require.NoError(t, err)
	_, err = g.Allow(ctx, manifest.GateInput{Manifest: &m, Promotion: manifest.Promotion{Release: "2026.03", Env: "dev", Digest: md}})
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"}, "record-bound gate allowed a manifest")

	f2 := gateFacts()
	f2.Manifest = &m
	g2 := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{policy.SameDigest{}}}, Facts: f2}
	_, err = g2.Allow(ctx, manifest.GateInput{Record: approved, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "dev", Digest: build1}})
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "evaluated content differs from the promoted content"}, "manifest-bound gate allowed a record")
}

// A promotion request without a time is not evaluated at a time the gate
// was configured with long before: the deployment time is missing.
func TestGateRequestWithoutTime(t *testing.T) {
	ctx := context.Background()
	rec := completeRecord(t, "v1.4.2")
	f := gateFacts()
	f.Now = time.Date(2026, 3, 2, 10, 0, 0, 0, berlin) // inside the window
	g := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{gatePolicy().Controls[0]}}, Facts: f}
	_, err := g.Allow(ctx, manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol"}})
	assert.ErrorIs(t, err, &policy.ReportError{Reason: "controls failed"})
	_, err = g.Allow(ctx, manifest.GateInput{Record: rec, Promotion: manifest.Promotion{Release: "v1.4.2", Env: "prod", Digest: build1, Approver: "carol", RequestedAt: f.Now}})
	assert.NoError(t, err)
}

// A DeniedError names the controls that refused: failed results only,
// each once, in the report's order.
func TestDeniedErrorControls(t *testing.T) {
	meta := func(id string) policy.Meta { return policy.Meta{ID: id} }
	de := &policy.DeniedError{Release: "v1", Env: "prod", Report: policy.Report{Results: []policy.Result{
		{Control: meta("REL-GATE-001"), Status: policy.Pass},
		{Control: meta("REL-WINDOW-001"), Status: policy.Fail},
		{Control: meta("REL-SOD-001"), Status: policy.Waived, Waiver: &policy.Exception{}},
		{Control: meta("REL-RECORD-001"), Status: policy.NotApplicable},
		{Control: meta("REL-DIGEST-001"), Status: policy.Fail},
		{Control: meta("REL-WINDOW-001"), Status: policy.Fail},
	}}}
	assert.Equal(t, []string{"REL-WINDOW-001", "REL-DIGEST-001"}, de.Controls())
	assert.Equal(t, de.Controls(), manifest.Controls(&manifest.GateError{Env: "prod", Err: de}))
	assert.Empty(t, (&policy.DeniedError{}).Controls(), "an empty policy: no control refused")
}

// TestGateRollbackTarget: manifest.Promote hands the gate the record of the
// rollback target the store holds (GateInput.RollbackTarget), so
// REL-ROLLBACK-001 in a gate passes for a released target that ran in
// production and fails for one never released — in production and in
// the environments before it, where Promote itself does not check it.
func TestGateRollbackTarget(t *testing.T) {
	ctx := t.Context()
	build143 := manifest.Digest([]byte("app binary, build run-3\n"))
	l := newLifecycle(t) // v1.4.1 ran in prod; v1.4.2 rolls back to it
	g := policy.Gate{Policy: policy.Policy{Controls: []policy.Control{
		policy.RecordComplete{}, policy.SameDigest{}, policy.RollbackTarget{}, policy.VerifyProduction{},
	}}}
	opts := append(slices.Clone(l.opts), manifest.WithGate(g))
	for _, env := range []string{"dev", "staging", "prod"} {
		_, err := manifest.Promote(ctx, l.st, manifest.PromoteRequest{Release: "v1.4.2", Env: env, Digest: build2, Releaser: "ci-bot", Approver: "carol", Reason: "CHG-1"}, opts...)
		require.NoError(t, err, env)
	}
	unreleased := completeRecord(t, "v1.4.3")
	unreleased.Artifacts = []manifest.Artifact{{Name: "app", Digest: build143}}
	unreleased.Rollback = manifest.RollbackPlan{Method: "redeploy", Version: "v9.9.9"}
	require.NoError(t, l.st.PutRecord(ctx, unreleased))
	_, err := manifest.Promote(ctx, l.st, manifest.PromoteRequest{Release: "v1.4.3", Env: "dev", Digest: build143, Releaser: "ci-bot", Approver: "carol", Reason: "CHG-1"}, opts...)
	var de *policy.DeniedError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, []string{"REL-ROLLBACK-001"}, de.Controls())
	assert.Contains(t, err.Error(), "v9.9.9")
}
