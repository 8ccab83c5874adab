package manifest_test

import (
	"context"
	"strings"

	"github.com/releasekit/releasekit/manifest"
)

// This file holds what a test promotion into production needs since
// production fails closed: a verified tag and an authorizer.

// allowAll is a manifest.Authorizer that allows every identity except the
// empty one.
type allowAll struct{}

func (allowAll) Authorize(env string, action manifest.Action, who string) error {
	if strings.TrimSpace(who) == "" {
		return &manifest.RefusalError{Reason: "no identity", Detail: string(action) + " in " + env}
	}
	return nil
}

// trusted returns the options that let a test promote into production:
// a tag verifier trusting every tag (pointing at completeRecord's commit)
// and allowAll. Options given after them override them.
func trusted() []manifest.Option {
	return []manifest.Option{manifest.WithTagVerifier(&listTags{all: true}), manifest.WithAuthorizer(allowAll{})}
}

// promote is manifest.Promote with trusted() first.
func promote(ctx context.Context, st manifest.Store, req manifest.PromoteRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.Promote(ctx, st, req, append(trusted(), opts...)...)
}

// rollback is manifest.Rollback with trusted() first.
func rollback(ctx context.Context, st manifest.Store, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.Rollback(ctx, st, req, append(trusted(), opts...)...)
}

// promoteManifest is manifest.PromoteManifest with allowAll first and the
// signature check skipped unless the test gives WithManifestVerifier
// (the skip is then recorded in the entry).
func promoteManifest(ctx context.Context, st manifest.Log, req manifest.ManifestRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.PromoteManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(allowAll{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}

// rollbackManifest is manifest.RollbackManifest with allowAll first.
func rollbackManifest(ctx context.Context, st manifest.Log, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.RollbackManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(allowAll{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}
