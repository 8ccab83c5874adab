package manifest

import (
	"context"
	"fmt"
	"slices"

	"github.com/releasekit/releasekit/signature"
)

// A ManifestRequest asks [PromoteManifest] to promote the signed multi-repo
// Manifest, identified by its content digest, to Env.
type ManifestRequest struct {
	Manifest  Manifest
	Digest    string // Manifest's content digest ([Manifest.Digest]): the candidate identity
	Signature []byte // detached signature over Manifest's canonical JSON, checked with WithManifestVerifier
	Env       string
	Approver  string
	Reason    string
	Releaser  string           // who triggers the promotion; an Authorizer checks it
	Actor     *Actor           // Releaser with how it was established; its Name must be Releaser
	Emergency *EmergencyChange // for a change outside the window
}

// WithManifestVerifier makes [PromoteManifest] verify the manifest's
// detached signature with v, at the time of the request.
func WithManifestVerifier(v signature.Verifier) Option {
	return func(c *config) { c.sigs = v }
}

// checkPinned refuses a manifest that pins nothing to deploy.
func checkPinned(m Manifest) error {
	if len(m.Repos) == 0 {
		return fmt.Errorf("%w: %s pins no repository", ErrInvalidManifest, m.Name)
	}
	for _, r := range m.Repos {
		if r.Tag == "" || r.Commit == "" || len(r.Artifacts) == 0 {
			return fmt.Errorf("%w: %s: repo %q needs a tag, a commit and at least one artifact", ErrInvalidManifest, m.Name, r.Name)
		}
	}
	return nil
}

// PromoteManifest promotes the coordinated release req.Manifest, identified
// by its content digest req.Digest, to req.Env and appends the promotion to
// the log, with the same rules as [Promote], req.Actor and the logging of
// every refusal (Action "promote-manifest", Release the manifest's name)
// included. The logged [Promotion] has
// Release set to the manifest's name, Digest to its content digest and
// Manifest to the manifest itself, so the log holds every repository's
// artifact digests. In order, it refuses with:
//   - a *FieldError if req.Actor or req.Releaser is oversized, as Promote
//     refuses it (not logged);
//   - ErrUnknownEnv if Env is not in the order;
//   - ErrInvalidDigest if Digest is malformed;
//   - ErrInvalidManifest if the manifest is malformed or pins a repository
//     without a tag, a commit or an artifact, or no repository at all;
//   - a *RefusalError "manifest content does not match its digest" if the
//     manifest does not hash to Digest (it changed, so it is another
//     candidate);
//   - ErrApprovalRequired if Env needs an approval and Approver or Reason
//     is empty, or an emergency record lacks a field;
//   - signature.ErrBadSignature if a verifier is set ([WithManifestVerifier]) and
//     Signature is missing or does not verify;
//   - a *RefusalError "previous environment skipped" if no manifest of this
//     name reached the environment before Env;
//   - a *DriftError if that environment ran a manifest of
//     this name but never this digest: any change to a manifest makes a new
//     candidate, which must start again at the first environment;
//   - a *GateError (ErrGateRefused) if the Gate refuses (its input has
//     Manifest set and a zero Record);
//   - a *ChainError (ErrTampered) if the log does not verify.
//
// [WithTagVerifier] does not apply: the manifest's signature covers its
// repositories' tags and commits. Like Promote, the append is a
// compare-and-swap on the log's length.
func PromoteManifest(ctx context.Context, st Log, req ManifestRequest, opts ...Option) (Entry, error) {
	c := newConfig(opts)
	requested := c.now().UTC()
	if err := checkRequester(req.Releaser, req.Actor); err != nil {
		return Entry{}, err
	}
	m := req.Manifest
	a := c.newAttempt(st, Denial{Action: AttemptPromoteManifest, Release: m.Name, Env: req.Env, Digest: req.Digest,
		Approver: req.Approver, Reason: req.Reason, At: requested}, req.Releaser, req.Actor)
	idx := slices.Index(c.order, req.Env)
	if idx < 0 {
		return a.refuse(ctx, fmt.Errorf("%w: %q (order %v)", ErrUnknownEnv, req.Env, c.order))
	}
	releaser, actor, err := c.identify(req.Env, req.Releaser, req.Actor)
	if err != nil {
		return a.refuse(ctx, err)
	}
	if err := ValidateDigest(req.Digest); err != nil {
		return a.refuse(ctx, fmt.Errorf("promote manifest %s: %w", m.Name, err))
	}
	data, err := Marshal(m)
	if err != nil {
		return a.refuse(ctx, fmt.Errorf("promote manifest %s: %w", m.Name, err))
	}
	m = m.normalize()
	if err := checkPinned(m); err != nil {
		return a.refuse(ctx, err)
	}
	if got := Digest(data); got != req.Digest {
		return a.refuse(ctx, refused("manifest content does not match its digest", nil, "%s hashes to %s, not %s", m.Name, got, req.Digest))
	}
	if err := c.checkApproval(req.Env, req.Approver, req.Reason, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	if err := c.authorize(req.Env, ActionDeploy, releaser, req.Approver, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	if err := c.requireManifestVerifier(req.Env, m.Name); err != nil {
		return a.refuse(ctx, err)
	}
	var signer *signature.Identity
	if c.sigs != nil {
		if len(req.Signature) == 0 {
			return a.refuse(ctx, badSignature(fmt.Errorf("manifest %s %s is not signed", m.Name, req.Digest)))
		}
		id, err := c.sigs.Verify(ctx, data, req.Signature, requested)
		if err != nil {
			return a.refuse(ctx, badSignature(fmt.Errorf("manifest %s %s: %w", m.Name, req.Digest, err)))
		}
		signer = &id
	}
	p := Promotion{
		Release: m.Name, Env: req.Env, Digest: req.Digest,
		Approver: req.Approver, Reason: req.Reason,
		RequestedAt: requested, Emergency: req.Emergency, Manifest: &m, TagSigner: signer,
	}
	c.stamp(&p, releaser, actor)
	return c.appendPromotion(ctx, st, a, func(hist []Promotion) (Promotion, GateInput, error) {
		if idx > 0 {
			prevEnv := c.order[idx-1]
			if !ranManifest(hist, prevEnv, req.Digest) {
				ran, ok := lastManifest(hist, m.Name, prevEnv)
				if !ok {
					return p, GateInput{}, refusal{refused("previous environment skipped", nil, "manifest %s %s never reached %s before %s", m.Name, req.Digest, prevEnv, req.Env)}
				}
				return p, GateInput{}, refusal{&DriftError{Release: m.Name, Env: req.Env, Previous: prevEnv, Ran: ran, Got: req.Digest}}
			}
		}
		gm := m.normalize()
		return p, GateInput{Manifest: &gm}, nil
	})
}

// ranManifest reports whether the manifest with digest was promoted to env.
func ranManifest(hist []Promotion, env, digest string) bool {
	return slices.ContainsFunc(hist, func(p Promotion) bool {
		return p.Manifest != nil && p.Env == env && p.Digest == digest
	})
}

// lastManifest returns the digest of the latest manifest named name
// promoted to env.
func lastManifest(hist []Promotion, name, env string) (string, bool) {
	for i := len(hist) - 1; i >= 0; i-- {
		if p := hist[i]; p.Manifest != nil && p.Release == name && p.Env == env {
			return p.Digest, true
		}
	}
	return "", false
}

// RollbackManifest redeploys the last known-good manifest to req.Env by
// promoting its already-published digest again, with the manifest as the
// log recorded it (§1.22.3.3: never a rebuild). The known-good manifest is
// the latest one promoted to env before the current one whose digest is
// neither the current one's nor one that a rollback replaced. Like
// [Rollback] it needs an approver and a reason (ErrApprovalRequired),
// consults the Gate (*GateError), and returns a *RefusalError "no known-good
// release to roll back to" when env never ran a manifest or ran only one. The logged
// [Promotion] has Manifest set and RollbackFrom set to the digest of the
// manifest replaced. RollbackManifest considers manifest promotions only.
// Like Rollback, it checks req.Actor and logs every refusal but an
// oversized actor's (Action "rollback-manifest").
func RollbackManifest(ctx context.Context, st Log, req RollbackRequest, opts ...Option) (Entry, error) {
	c := newConfig(opts)
	requested := c.now().UTC()
	if err := checkRequester(req.Releaser, req.Actor); err != nil {
		return Entry{}, err
	}
	a := c.newAttempt(st, Denial{Action: AttemptRollbackManifest, Env: req.Env, Approver: req.Approver, Reason: req.Reason, At: requested}, req.Releaser, req.Actor)
	releaser, actor, err := c.checkRollback(req)
	if err != nil {
		return a.refuse(ctx, err)
	}
	if err := c.authorize(req.Env, ActionRollback, releaser, req.Approver, req.Emergency); err != nil {
		return a.refuse(ctx, err)
	}
	env := req.Env
	return c.appendPromotion(ctx, st, a, func(hist []Promotion) (Promotion, GateInput, error) {
		cur, ok := latest(hist, env, true)
		if !ok {
			return Promotion{}, GateInput{}, refusal{refused("no known-good release to roll back to", nil, "no manifest was promoted to %s", env)}
		}
		target, err := knownGoodManifest(hist, env, cur)
		if err != nil {
			return Promotion{}, GateInput{}, refusal{err}
		}
		if c.isProduction(env) && target.TagSigner == nil && !c.skipSignature {
			return target, GateInput{}, refusal{refused("manifest signature not verified", nil,
				"%s is a production environment: the known-good manifest %s %s was promoted without a verified signature, so rolling back to it needs WithSkipSignatureUnsafe", env, target.Release, target.Digest)}
		}
		m := target.Manifest.normalize()
		if d, err := m.Digest(); err != nil || d != target.Digest {
			return target, GateInput{}, refusal{fmt.Errorf("rollback %s: logged manifest %s: %w", env, target.Digest, &RefusalError{Reason: "manifest content does not match its digest"})}
		}
		gm := m.normalize()
		p := Promotion{
			Release: target.Release, Env: env, Digest: target.Digest,
			Approver: req.Approver, Reason: req.Reason, RequestedAt: requested,
			RollbackFrom: cur.Digest, Manifest: &m, Emergency: req.Emergency, TagSigner: target.TagSigner,
		}
		c.stamp(&p, releaser, actor)
		if p.Production && target.TagSigner == nil {
			p.Unsafe = append(p.Unsafe, UnsafeSkipSignature)
		}
		return p, GateInput{Manifest: &gm}, nil
	})
}

func knownGoodManifest(hist []Promotion, env string, cur Promotion) (Promotion, error) {
	bad := map[string]bool{cur.Digest: true}
	for _, p := range hist {
		if p.Manifest != nil && p.RollbackFrom != "" {
			bad[p.RollbackFrom] = true
		}
	}
	for i := len(hist) - 1; i >= 0; i-- {
		if p := hist[i]; p.Manifest != nil && p.Env == env && !bad[p.Digest] {
			return p, nil
		}
	}
	return Promotion{}, refused("no known-good release to roll back to", nil, "%s has run only manifest %s %s", env, cur.Release, cur.Digest)
}
