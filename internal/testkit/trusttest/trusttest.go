// Package trusttest gives tests about something other than trust a way to
// promote into production, which fails closed (a verified tag at the
// record's commit, an authorised releaser and approver): a tag verifier
// that trusts every tag and an authorizer that allows every identity.
// manifest's own tests check those refusals; only tests import this.
package trusttest

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// StoreTags is a manifest.TagVerifier that trusts every tag and says it
// points to the commit the store's record of it names.
type StoreTags struct{ Store manifest.Store }

// VerifyTag accepts tag as signed by release@example.com.
func (StoreTags) VerifyTag(context.Context, string, time.Time) (signature.Identity, error) {
	return signature.Identity{Format: signature.SSH, Identity: "release@example.com"}, nil
}

// TagCommit returns the commit of the store's record of tag.
func (s StoreTags) TagCommit(ctx context.Context, tag string) (string, error) {
	rec, err := s.Store.Record(ctx, tag)
	return rec.Commit, err
}

// Anyone is a manifest.Authorizer allowing every non-empty identity.
type Anyone struct{}

// Authorize refuses only an empty identity.
func (Anyone) Authorize(_ string, _ manifest.Action, who string) error {
	if strings.TrimSpace(who) == "" {
		return errors.New("trusttest: no identity")
	}
	return nil
}

// Releaser is the releaser of requests that name none.
const Releaser = "ci-bot"

func trusted(st manifest.Store, opts []manifest.Option) []manifest.Option {
	return append([]manifest.Option{manifest.WithTagVerifier(StoreTags{st}), manifest.WithAuthorizer(Anyone{})}, opts...)
}

// Promote is manifest.Promote trusting every tag and identity; opts come
// after, so a test's own options win.
func Promote(ctx context.Context, st manifest.Store, req manifest.PromoteRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = Releaser
	}
	return manifest.Promote(ctx, st, req, trusted(st, opts)...)
}

// Rollback is manifest.Rollback trusting every tag and identity.
func Rollback(ctx context.Context, st manifest.Store, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = Releaser
	}
	return manifest.Rollback(ctx, st, req, trusted(st, opts)...)
}

// PromoteManifest is manifest.PromoteManifest allowing every identity and
// skipping the manifest signature in production (recorded in the entry)
// unless the test gives manifest.WithManifestVerifier.
func PromoteManifest(ctx context.Context, st manifest.Log, req manifest.ManifestRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = Releaser
	}
	return manifest.PromoteManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(Anyone{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}

// RollbackManifest is manifest.RollbackManifest as PromoteManifest.
func RollbackManifest(ctx context.Context, st manifest.Log, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = Releaser
	}
	return manifest.RollbackManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(Anyone{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}
