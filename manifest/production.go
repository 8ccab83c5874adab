package manifest

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/releasekit/releasekit/identity"

	"github.com/releasekit/releasekit/signature"
)

// This file holds what makes a promotion into production fail closed
// (§1.12.3.4, §1.21.3.1–§1.21.3.2): the production environments, the
// authorisation of the releaser and the approver, the release tag check
// and its commit, and the record of every option that weakened a check.

// An Action is what an identity does in an environment: the permissions
// of the release configuration (package config) are per environment and
// per action.
type Action string

// The actions an [Authorizer] decides on.
const (
	ActionDeploy    Action = "deploy"    // trigger a promotion (the releaser)
	ActionApprove   Action = "approve"   // approve a promotion or rollback (the approver)
	ActionRollback  Action = "rollback"  // trigger a rollback (the releaser of a rollback)
	ActionConfigure Action = "configure" // change the environment's configuration
)

// An Authorizer says whether who may do action in env: nil, or an error
// saying why not. config.Config implements it from the release
// configuration's environments and people.
type Authorizer interface {
	Authorize(env string, action Action, who string) error
}

// A Separator says whether two identities may be the same person (the
// conservative comparison separation of duties needs: an e-mail address
// and a login of one person conflict). config.Config implements it with
// its people directory; without one, identities conflict when they are
// equal after identity.Normalize.
type Separator interface {
	Conflict(a, b string) (bool, error)
}

// A TagTarget says which commit a release tag points to.
// tagging.RepoVerifier implements it beside VerifyTag; a production
// promotion needs it to check that the record's commit is the tag's.
type TagTarget interface {
	TagCommit(ctx context.Context, tag string) (string, error)
}

// Names of the unsafe options manifest records in [Promotion.Unsafe].
const (
	UnsafeSkipSignature     = "skip-signature-unsafe"
	UnsafeSkipAuthorization = "skip-authorization-unsafe"
)

// WithProduction names the production environments: a promotion or
// rollback into one is refused unless its release tag (or manifest
// signature) verifies, the record's commit is the tag's commit, and an
// [Authorizer] allows the releaser and the approver; a deployment report
// there is refused unless an Authorizer allows the reporter. The default
// is the last environment of the order.
func WithProduction(envs ...string) Option {
	return func(c *config) { c.production = slices.Clone(envs); c.productionSet = true }
}

// WithAuthorizer sets who may do what in which environment: the releaser
// and approver of a promotion or rollback, and the reporter of a
// deployment ([ReportDeployment] asks it for [ActionDeploy]). Without one,
// production promotions, rollbacks and deployment reports are refused.
func WithAuthorizer(a Authorizer) Option {
	return func(c *config) { c.auth = a }
}

// WithConfigDigest records the digest of the release configuration the
// promotion, the refusal or the deployment report was decided under in
// [Promotion.Config], [Denial.Config] and [Deployment.Config].
func WithConfigDigest(d string) Option {
	return func(c *config) { c.configDigest = d }
}

// WithSkipSignatureUnsafe lets a production promotion through without a
// verified release tag or manifest signature. It is never a default; a
// promotion it lets through names it in Unsafe, where the audit trail
// flags it. With a verifier set it changes nothing.
func WithSkipSignatureUnsafe() Option {
	return func(c *config) { c.skipSignature = true }
}

// WithSkipAuthorizationUnsafe lets a production promotion, rollback or
// deployment report through without an [Authorizer]. A promotion or
// deployment it lets through names it in Unsafe ([Promotion.Unsafe],
// [Deployment.Unsafe]), like [WithSkipSignatureUnsafe].
func WithSkipAuthorizationUnsafe() Option {
	return func(c *config) { c.skipAuthorization = true }
}

// WithUnsafe records, in the log entry, the names of options the caller
// used to weaken a check manifest does not own (relctl's --order-unsafe,
// say). It weakens nothing itself.
func WithUnsafe(names ...string) Option {
	return func(c *config) { c.recordUnsafe(names...) }
}

func (c *config) recordUnsafe(names ...string) {
	for _, n := range names {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(c.unsafe, n) {
			c.unsafe = append(c.unsafe, n)
		}
	}
}

// isProduction reports whether env is a production environment.
func (c config) isProduction(env string) bool {
	if !c.productionSet {
		return len(c.order) > 0 && c.order[len(c.order)-1] == env
	}
	return slices.Contains(c.production, env)
}

// stamp records who promoted (the releaser and the actor, verified or
// typed) and what the promotion was decided under, with the unsafe
// options that let it through: those named with WithUnsafe, and
// skip-signature-unsafe or skip-authorization-unsafe when the check they
// skip would have refused.
func (c config) stamp(p *Promotion, releaser string, actor *Actor) {
	p.Releaser = releaser
	p.Actor = actor.clone()
	p.Order = slices.Clone(c.order)
	p.Production = c.isProduction(p.Env)
	p.Unsafe = slices.Clone(c.unsafe)
	if p.Production {
		if c.auth == nil {
			p.Unsafe = append(p.Unsafe, UnsafeSkipAuthorization)
		}
		if (p.Manifest == nil && c.tags == nil) || (p.Manifest != nil && p.RollbackFrom == "" && c.sigs == nil) {
			p.Unsafe = append(p.Unsafe, UnsafeSkipSignature)
		}
	}
	p.Config = c.configDigest
}

// authorize checks the releaser (for action) and the approver of a
// production promotion or rollback, and the approver of its emergency
// record. Outside production it checks nothing unless an Authorizer is
// set, which is then consulted for every environment. In production the
// approver, and an emergency record's approver, may not be the releaser
// (§1.21.3.2), whatever the policy says.
func (c config) authorize(env string, action Action, releaser, approver string, em *EmergencyChange) error {
	if c.auth == nil {
		if c.isProduction(env) && !c.skipAuthorization {
			return refused("no authorization for production", nil,
				"%s is a production environment: configure who may deploy and approve there (an Authorizer, such as the release configuration)", env)
		}
		return nil
	}
	if err := c.auth.Authorize(env, action, releaser); err != nil {
		return refused("releaser not authorized", err, "%s in %s", action, env)
	}
	if approver != "" || c.isProduction(env) {
		if err := c.auth.Authorize(env, ActionApprove, approver); err != nil {
			return refused("approver not authorized", err, "approve in %s", env)
		}
	}
	if !c.isProduction(env) {
		return nil
	}
	if err := c.separate(releaser, approver, "approver"); err != nil {
		return err
	}
	if em != nil {
		if err := c.auth.Authorize(env, ActionApprove, em.Approver); err != nil {
			return refused("emergency approver not authorized", err, "approve in %s", env)
		}
		if err := c.separate(releaser, em.Approver, "emergency approver"); err != nil {
			return err
		}
	}
	return nil
}

// authorizeReporter checks who reports a deployment to env: an Authorizer,
// when set, must allow reporter to deploy there ("reporter not
// authorized"); without one, a production environment is refused ("no
// authorization for production") unless WithSkipAuthorizationUnsafe was
// given. It returns the unsafe option that let the report through, or "".
func (c config) authorizeReporter(env, reporter string) (string, error) {
	if c.auth == nil {
		if !c.isProduction(env) {
			return "", nil
		}
		if !c.skipAuthorization {
			return "", refused("no authorization for production", nil,
				"%s is a production environment: configure who may report deployments there (an Authorizer, such as the release configuration)", env)
		}
		return UnsafeSkipAuthorization, nil
	}
	if err := c.auth.Authorize(env, ActionDeploy, reporter); err != nil {
		return "", refused("reporter not authorized", err, "%s in %s", ActionDeploy, env)
	}
	return "", nil
}

// separate refuses when who (the approver) may be the releaser.
func (c config) separate(releaser, who, role string) error {
	var same bool
	var err error
	if sep, ok := c.auth.(Separator); ok {
		same, err = sep.Conflict(releaser, who)
	} else {
		same, err = (*identity.Directory)(nil).Conflict(releaser, who)
	}
	if err != nil {
		return refused(role+" is the releaser", err, "%q and %q cannot be compared", releaser, who)
	}
	if same {
		return refused(role+" is the releaser", nil, "%q started the promotion and cannot approve it", releaser)
	}
	return nil
}

// verifyTag verifies rec's tag and that it points to rec's commit, and
// returns who signed it. In production a missing verifier is a refusal
// unless WithSkipSignatureUnsafe was given; elsewhere it is no check.
func (c config) verifyTag(ctx context.Context, env string, rec Record, at time.Time) (*signature.Identity, error) {
	if c.tags == nil {
		if c.isProduction(env) && !c.skipSignature {
			return nil, refused("release tag not verified", nil,
				"%s is a production environment: promoting %s needs its tag signature verified against the trusted keys (§1.12.3.4)", env, rec.Tag)
		}
		return nil, nil
	}
	id, err := c.tags.VerifyTag(ctx, rec.Tag, at)
	if err != nil {
		return nil, refused("release tag signature does not verify", err, "%s", rec.Tag)
	}
	tt, ok := c.tags.(TagTarget)
	if !ok {
		if c.isProduction(env) {
			return nil, refused("record commit not checked", nil, "the tag verifier cannot say which commit %s points to", rec.Tag)
		}
		return &id, nil
	}
	commit, err := tt.TagCommit(ctx, rec.Tag)
	if err != nil {
		return nil, refused("release tag signature does not verify", err, "%s", rec.Tag)
	}
	if !strings.EqualFold(commit, rec.Commit) {
		return nil, refused("record commit is not the tag's commit", nil, "%s points to %s, the record says %s", rec.Tag, commit, rec.Commit)
	}
	return &id, nil
}

// requireManifestVerifier applies the production rule to a manifest
// promotion: without a manifest verifier it is refused unless
// WithSkipSignatureUnsafe was given.
func (c config) requireManifestVerifier(env, name string) error {
	if c.sigs == nil && c.isProduction(env) && !c.skipSignature {
		return refused("manifest signature not verified", nil,
			"%s is a production environment: promoting manifest %s needs its signature verified against the trusted keys (§1.12.3.4)", env, name)
	}
	return nil
}
