package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
)

// A clone is a local repository whose remote "origin" is the forge's,
// reached over HTTP as one user: Gitea takes the user's API token as the
// password of git's basic authentication, so one token serves the API and
// git.
type clone struct {
	repo *git.Repository
	auth *githttp.BasicAuth
}

// newClone creates a repository in dir (bare for the bot, which never
// checks anything out) with main as its HEAD and url as origin.
func newClone(dir string, bare bool, url, login, token string) (*clone, error) {
	repo, err := git.PlainInit(dir, bare)
	if err != nil {
		return nil, fmt.Errorf("init %s: %w", dir, err)
	}
	if err := repo.Storer.SetReference(plumbing.NewSymbolicReference(plumbing.HEAD, plumbing.NewBranchReferenceName("main"))); err != nil {
		return nil, err
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{url}}); err != nil {
		return nil, err
	}
	return &clone{repo: repo, auth: &githttp.BasicAuth{Username: login, Password: token}}, nil
}

// fetch fetches specs from origin (no tags but those the specs name).
func (c *clone) fetch(ctx context.Context, specs ...string) error {
	err := c.repo.FetchContext(ctx, &git.FetchOptions{RemoteName: "origin", RefSpecs: refSpecs(specs), Auth: c.auth, Tags: git.NoTags})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("fetch %v: %w", specs, err)
	}
	return nil
}

// push pushes specs to origin ("+" forces, as for the bot's own branch).
func (c *clone) push(ctx context.Context, specs ...string) error {
	err := c.repo.PushContext(ctx, &git.PushOptions{RemoteName: "origin", RefSpecs: refSpecs(specs), Auth: c.auth})
	if err != nil && !errors.Is(err, git.NoErrAlreadyUpToDate) {
		return fmt.Errorf("push %v: %w", specs, err)
	}
	return nil
}

func refSpecs(specs []string) []config.RefSpec {
	out := make([]config.RefSpec, len(specs))
	for i, s := range specs {
		out[i] = config.RefSpec(s)
	}
	return out
}
