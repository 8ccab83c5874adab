package bundle_test

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
)

// These tests are about what this package decides, not about the release
// tag or who may deploy, which production promotions check (manifest's
// own tests cover those): their promotions trust every tag and identity.

// storeTags is a manifest.TagVerifier that trusts every tag and says it
// points to the commit the store's record of it names.
type storeTags struct{ st manifest.Store }

func (storeTags) VerifyTag(context.Context, string, time.Time) (signature.Identity, error) {
	return signature.Identity{Format: signature.SSH, Identity: "release@example.com"}, nil
}

func (s storeTags) TagCommit(ctx context.Context, tag string) (string, error) {
	rec, err := s.st.Record(ctx, tag)
	return rec.Commit, err
}

// anyone is a manifest.Authorizer allowing every non-empty identity.
type anyone struct{}

func (anyone) Authorize(_ string, _ manifest.Action, who string) error {
	if strings.TrimSpace(who) == "" {
		return errors.New("no identity")
	}
	return nil
}

func trusted(st manifest.Store, opts []manifest.Option) []manifest.Option {
	return append([]manifest.Option{manifest.WithTagVerifier(storeTags{st}), manifest.WithAuthorizer(anyone{})}, opts...)
}

func promote(ctx context.Context, st manifest.Store, req manifest.PromoteRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.Promote(ctx, st, req, trusted(st, opts)...)
}

func rollback(ctx context.Context, st manifest.Store, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.Rollback(ctx, st, req, trusted(st, opts)...)
}

// promoteManifest and rollbackManifest skip the manifest signature check
// in production (recorded in the entry) unless the test gives a verifier.
func promoteManifest(ctx context.Context, st manifest.Log, req manifest.ManifestRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.PromoteManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(anyone{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}

func rollbackManifest(ctx context.Context, st manifest.Log, req manifest.RollbackRequest, opts ...manifest.Option) (manifest.Entry, error) {
	if req.Releaser == "" {
		req.Releaser = "ci-bot"
	}
	return manifest.RollbackManifest(ctx, st, req, append([]manifest.Option{manifest.WithAuthorizer(anyone{}), manifest.WithSkipSignatureUnsafe()}, opts...)...)
}
