package manifest_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// onlyVerify is a TagVerifier that cannot say which commit a tag names.
type onlyVerify struct{}

func (onlyVerify) VerifyTag(context.Context, string, time.Time) (signature.Identity, error) {
	return signature.Identity{Format: signature.SSH, Identity: "release@example.com"}, nil
}

// movedTag is a TagVerifier whose tag points to another commit than the
// record's.
type movedTag struct{ onlyVerify }

func (movedTag) TagCommit(context.Context, string) (string, error) {
	return strings.Repeat("b", 40), nil
}

// listed is an Authorizer allowing the identities per action.
type listed map[manifest.Action][]string

func (l listed) Authorize(env string, a manifest.Action, who string) error {
	for _, id := range l[a] {
		if id == who {
			return nil
		}
	}
	return errors.New(who + " may not " + string(a) + " in " + env)
}

var prodTeam = listed{
	manifest.ActionDeploy:   {"ci-bot"},
	manifest.ActionRollback: {"ci-bot"},
	manifest.ActionApprove:  {"alice"},
}

// toStaging promotes v1.0.0 to dev and staging (not production).
func toStaging(t *testing.T) manifest.Store {
	t.Helper()
	st := newStore(t, completeRecord("v1.0.0", "app"))
	for _, env := range []string{"dev", "staging"} {
		_, err := manifest.Promote(t.Context(), st, req("v1.0.0", env, "app"))
		require.NoError(t, err, env)
	}
	return st
}

func TestProductionFailsClosed(t *testing.T) {
	signed := manifest.WithTagVerifier(&listTags{all: true})
	auth := manifest.WithAuthorizer(prodTeam)
	prodReq := req("v1.0.0", "prod", "app")
	prodReq.Releaser = "ci-bot"
	const (
		tag = "REL-TAG-001"
		env = "REL-ENV-001"
		sod = "REL-SOD-001"
	)
	tests := []struct {
		name    string
		mutate  func(*manifest.PromoteRequest)
		opts    []manifest.Option
		reason  string
		control string // the control the denial names
	}{
		{"no tag verifier", nil, []manifest.Option{auth}, "release tag not verified", tag},
		{"tag does not verify", nil, []manifest.Option{manifest.WithTagVerifier(&listTags{}), auth}, "release tag signature does not verify", tag},
		{"verifier cannot name the commit", nil, []manifest.Option{manifest.WithTagVerifier(onlyVerify{}), auth}, "record commit not checked", tag},
		{"tag names another commit", nil, []manifest.Option{manifest.WithTagVerifier(movedTag{}), auth}, "record commit is not the tag's commit", tag},
		{"no authorizer", nil, []manifest.Option{signed}, "no authorization for production", env},
		{"releaser not authorized", func(r *manifest.PromoteRequest) { r.Releaser = "mallory" }, []manifest.Option{signed, auth}, "releaser not authorized", env},
		{"no releaser", func(r *manifest.PromoteRequest) { r.Releaser = "" }, []manifest.Option{signed, auth}, "releaser not authorized", env},
		{"approver not authorized", func(r *manifest.PromoteRequest) { r.Approver = "mallory" }, []manifest.Option{signed, auth}, "approver not authorized", env},
		{"production named elsewhere", nil, []manifest.Option{manifest.WithProduction("staging", "prod"), signed}, "no authorization for production", env},
		{"the approver is the releaser", func(r *manifest.PromoteRequest) { r.Releaser, r.Approver = "alice", "alice" },
			[]manifest.Option{signed, manifest.WithAuthorizer(listed{manifest.ActionDeploy: {"alice"}, manifest.ActionApprove: {"alice"}})}, "approver is the releaser", sod},
		{"the approver is the releaser, in other letters", func(r *manifest.PromoteRequest) { r.Releaser, r.Approver = "ALICE", "alice" },
			[]manifest.Option{signed, manifest.WithAuthorizer(listed{manifest.ActionDeploy: {"ALICE"}, manifest.ActionApprove: {"alice"}})}, "approver is the releaser", sod},
		{"emergency approver not authorized", func(r *manifest.PromoteRequest) {
			r.Emergency = &manifest.EmergencyChange{Reason: "outage", Scope: "api", Approver: "dan", RollbackPlan: "redeploy", FollowUp: "PIR-1"}
		}, []manifest.Option{signed, auth}, "emergency approver not authorized", env},
		{"emergency approver is the releaser", func(r *manifest.PromoteRequest) {
			r.Emergency = &manifest.EmergencyChange{Reason: "outage", Scope: "api", Approver: "ci-bot", RollbackPlan: "redeploy", FollowUp: "PIR-1"}
		}, []manifest.Option{signed, manifest.WithAuthorizer(listed{manifest.ActionDeploy: {"ci-bot"}, manifest.ActionApprove: {"alice", "ci-bot"}})}, "emergency approver is the releaser", sod},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := toStaging(t)
			r := prodReq
			if tt.mutate != nil {
				tt.mutate(&r)
			}
			before, err := st.Entries(t.Context())
			require.NoError(t, err)
			require.Len(t, before, 2)
			e, err := manifest.Promote(t.Context(), st, r, tt.opts...)
			require.Error(t, err)
			assert.ErrorIs(t, err, &manifest.RefusalError{Reason: tt.reason})
			// A refused promotion appends its denial and nothing else.
			d := requireDenied(t, st, before, e, err, manifest.AttemptPromote, []string{tt.control})
			if r.Releaser == "" {
				assert.Nil(t, d.Actor, "nobody said who asked")
			} else {
				assert.Equal(t, &manifest.Actor{Name: r.Releaser}, d.Actor)
			}
		})
	}

	t.Run("passes with every check", func(t *testing.T) {
		st := toStaging(t)
		e, err := manifest.Promote(t.Context(), st, prodReq, signed, auth)
		require.NoError(t, err)
		p := e.Promotion
		assert.True(t, p.Production)
		assert.Equal(t, "ci-bot", p.Releaser)
		assert.Equal(t, []string{"dev", "staging", "prod"}, p.Order)
		require.NotNil(t, p.TagSigner)
		assert.Equal(t, "release@example.com", p.TagSigner.Identity)
		assert.Empty(t, p.Unsafe)
	})

	t.Run("unsafe options are recorded", func(t *testing.T) {
		st := toStaging(t)
		e, err := manifest.Promote(t.Context(), st, prodReq, manifest.WithSkipSignatureUnsafe(), manifest.WithSkipAuthorizationUnsafe(),
			manifest.WithUnsafe("order-unsafe"), manifest.WithConfigDigest(digestOf("config")))
		require.NoError(t, err)
		assert.Equal(t, []string{"order-unsafe", manifest.UnsafeSkipAuthorization, manifest.UnsafeSkipSignature}, e.Promotion.Unsafe)
		assert.Equal(t, digestOf("config"), e.Promotion.Config)
		assert.Nil(t, e.Promotion.TagSigner)
		// The entry verifies and reads back with what let it through.
		entries, err := manifest.VerifyStore(t.Context(), st, nil)
		require.NoError(t, err)
		assert.Equal(t, e.Promotion.Unsafe, entries[len(entries)-1].Promotion.Unsafe)
	})

	t.Run("an unsafe option that skipped nothing is not recorded", func(t *testing.T) {
		st := toStaging(t)
		e, err := manifest.Promote(t.Context(), st, prodReq, signed, auth, manifest.WithSkipSignatureUnsafe())
		require.NoError(t, err)
		assert.Empty(t, e.Promotion.Unsafe)
	})
}

func TestRollbackIntoProductionFailsClosed(t *testing.T) {
	st := newStore(t, completeRecord("v1.0.0", "app"), withTarget("v1.1.0", "app11", "v1.0.0", digestOf("app")))
	for _, rel := range []struct{ tag, art string }{{"v1.0.0", "app"}, {"v1.1.0", "app11"}} {
		for _, env := range []string{"dev", "staging", "prod"} {
			_, err := promote(t.Context(), st, req(rel.tag, env, rel.art))
			require.NoError(t, err)
		}
	}
	rb := manifest.RollbackRequest{Env: "prod", Releaser: "ci-bot", Approver: "alice", Reason: "errors"}
	_, err := manifest.Rollback(t.Context(), st, rb, manifest.WithAuthorizer(prodTeam))
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "release tag not verified"})
	_, err = manifest.Rollback(t.Context(), st, rb, manifest.WithTagVerifier(&listTags{all: true}))
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "no authorization for production"})
	bad := rb
	bad.Releaser = "alice"
	_, err = manifest.Rollback(t.Context(), st, bad, manifest.WithTagVerifier(&listTags{all: true}), manifest.WithAuthorizer(prodTeam))
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "releaser not authorized"})

	e, err := manifest.Rollback(t.Context(), st, rb, manifest.WithTagVerifier(&listTags{all: true}), manifest.WithAuthorizer(prodTeam))
	require.NoError(t, err)
	assert.Equal(t, "v1.0.0", e.Promotion.Release)
	assert.True(t, e.Promotion.Production)
	assert.Equal(t, "ci-bot", e.Promotion.Releaser)
	assert.NotNil(t, e.Promotion.TagSigner)
}

func TestManifestIntoProductionFailsClosed(t *testing.T) {
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	sm := signManifest(t, signer, sampleManifest())
	st := newStore(t)
	auth := manifest.WithAuthorizer(prodTeam)
	for _, env := range []string{"dev", "staging"} {
		r := sm.req(env)
		r.Releaser = "ci-bot"
		_, err := manifest.PromoteManifest(t.Context(), st, r, auth)
		require.NoError(t, err, env)
	}
	r := sm.req("prod")
	r.Releaser = "ci-bot"
	_, err := manifest.PromoteManifest(t.Context(), st, r, auth)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "manifest signature not verified"})
	e, err := manifest.PromoteManifest(t.Context(), st, r, auth, manifest.WithManifestVerifier(verifier))
	require.NoError(t, err)
	assert.True(t, e.Promotion.Production)
	assert.Empty(t, e.Promotion.Unsafe)
}

func TestCheckOrder(t *testing.T) {
	st := newStore(t, completeRecord("v1.0.0", "app"))
	// --order-unsafe dev,prod: staging skipped, and recorded as such.
	for _, env := range []string{"dev", "prod"} {
		_, err := promote(t.Context(), st, req("v1.0.0", env, "app"), manifest.WithOrder("dev", "prod"), manifest.WithUnsafe("order-unsafe"))
		require.NoError(t, err, env)
	}
	entries, err := manifest.VerifyStore(t.Context(), st, nil)
	require.NoError(t, err)
	assert.Equal(t, []string{"order-unsafe"}, entries[1].Promotion.Unsafe)

	// Against its own recorded order, the log is consistent ...
	assert.Empty(t, manifest.CheckOrder(entries, nil))
	// ... against the configured order, prod skipped staging, and both
	// entries were decided under another order.
	errs := manifest.CheckOrder(entries, []string{"dev", "staging", "prod"})
	require.Len(t, errs, 2)
	assert.Equal(t, []string{"dev", "prod"}, errs[0].Recorded)
	assert.Contains(t, errs[1].Error(), "not the configured one")

	// A log whose entry says it followed dev,staging,prod but skipped
	// staging (a forged or hand-made order) is caught without a
	// configured order.
	forged := []manifest.Entry{
		{Seq: 1, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{Release: "v1.0.0", Env: "dev", Digest: digestOf("app"), Order: []string{"dev", "staging", "prod"}}},
		{Seq: 2, Kind: manifest.KindPromotion, Promotion: &manifest.Promotion{Release: "v1.0.0", Env: "prod", Digest: digestOf("app"), Order: []string{"dev", "staging", "prod"}}},
	}
	errs = manifest.CheckOrder(forged, nil)
	require.Len(t, errs, 1)
	assert.Equal(t, "staging", errs[0].Skipped)
	assert.Equal(t, uint64(2), errs[0].Seq)
}

// TestManifestRollbackToUnverifiedFailsClosed: a manifest that reached
// production without a verified signature is no known-good target for a
// production rollback unless the rollback skips the check too (recorded).
func TestManifestRollbackToUnverifiedFailsClosed(t *testing.T) {
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	first := signManifest(t, signer, sampleManifest())
	second := signManifest(t, signer, changedManifest())
	st := newStore(t)
	auth := manifest.WithAuthorizer(prodTeam)
	promoteAll := func(sm signedManifest, opts ...manifest.Option) {
		for _, env := range []string{"dev", "staging", "prod"} {
			r := sm.req(env)
			r.Releaser = "ci-bot"
			_, err := manifest.PromoteManifest(t.Context(), st, r, append([]manifest.Option{auth}, opts...)...)
			require.NoError(t, err, env)
		}
	}
	promoteAll(first, manifest.WithSkipSignatureUnsafe()) // never verified
	promoteAll(second, manifest.WithManifestVerifier(verifier))
	rb := manifest.RollbackRequest{Env: "prod", Releaser: "ci-bot", Approver: "alice", Reason: "errors"}
	_, err := manifest.RollbackManifest(t.Context(), st, rb, auth)
	assert.ErrorIs(t, err, &manifest.RefusalError{Reason: "manifest signature not verified"})
	e, err := manifest.RollbackManifest(t.Context(), st, rb, auth, manifest.WithSkipSignatureUnsafe())
	require.NoError(t, err)
	assert.Equal(t, []string{manifest.UnsafeSkipSignature}, e.Promotion.Unsafe)
}
