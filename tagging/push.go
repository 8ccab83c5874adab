package tagging

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/transport"
)

// A PushOption configures Push.
type PushOption func(*pushConfig)

type pushConfig struct{ auth transport.AuthMethod }

// WithAuth authenticates the push.
func WithAuth(auth transport.AuthMethod) PushOption {
	return func(c *pushConfig) { c.auth = auth }
}

// Push sends the tag name to remote (a configured remote name or a URL:
// file://, git://, ssh://, https://) without force. When the remote already
// has the name at the same object it is a no-op; at another object it is a
// *RemoteExistsError, and nothing is sent. When
// the name appears on the remote between the check and the push, the push
// is refused as not a fast-forward (it never forces) and the remote is
// listed again, so that case is a *RemoteExistsError too (or a no-op when
// the remote got the same object).
// Errors also include ErrInvalidRefName and ErrNotFound.
func Push(ctx context.Context, repo *git.Repository, remote, name string, opts ...PushOption) error {
	var c pushConfig
	for _, o := range opts {
		o(&c)
	}
	wrap := func(err error) error { return fmt.Errorf("push tag %s to %s: %w", name, remote, err) }
	if err := ValidateName(name); err != nil {
		return err
	}
	refName := plumbing.NewTagReferenceName(name)
	if repo == nil {
		return wrap(&Error{Reason: "repository storage is not a git directory"})
	}
	local, err := repo.Reference(refName, false)
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return wrap(ErrNotFound)
	}
	if err != nil {
		return wrap(err)
	}
	rem, err := repo.Remote(remote)
	if errors.Is(err, git.ErrRemoteNotFound) {
		rem = git.NewRemote(repo.Storer, &config.RemoteConfig{Name: "anonymous", URLs: []string{remote}})
	} else if err != nil {
		return wrap(err)
	}
	// remoteHas reports what the remote holds at the name: nil when it has
	// nothing there or the same object, the typed error otherwise.
	remoteHas := func() (bool, error) {
		refs, err := rem.ListContext(ctx, &git.ListOptions{Auth: c.auth})
		if err != nil && !errors.Is(err, transport.ErrEmptyRemoteRepository) {
			return false, wrap(err)
		}
		for _, r := range refs {
			if r.Name() == refName {
				if r.Hash() == local.Hash() {
					return true, nil
				}
				return true, &RemoteExistsError{Remote: remote, Name: name, Existing: r.Hash(), Requested: local.Hash()}
			}
		}
		return false, nil
	}
	if found, err := remoteHas(); found || err != nil {
		return err
	}
	spec := config.RefSpec(refName.String() + ":" + refName.String())
	err = rem.PushContext(ctx, &git.PushOptions{
		RemoteName: rem.Config().Name,
		RefSpecs:   []config.RefSpec{spec},
		Auth:       c.auth,
		Force:      false,
	})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		// The name may have appeared on the remote since the check (the
		// push is then refused as not a fast-forward): report it typed.
		if found, lerr := remoteHas(); found {
			return lerr
		}
		return wrap(err)
	}
	return nil
}
