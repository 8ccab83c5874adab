package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/forge"
)

// forgeOpeners make a forge.Forge of a kind from its configuration and a
// token; each implementation registers itself (forge_github.go, ...).
var forgeOpeners = map[string]func(ctx context.Context, f config.Forge, token string) (forge.Forge, error){}

// forgeFlags are the flags of the commands that talk to a forge.
type forgeFlags struct {
	kind, url, repository *string
}

func addForgeFlags(fs interface {
	String(name, value, usage string) *string
}) forgeFlags {
	return forgeFlags{
		kind:       fs.String("forge", "", "the forge `KIND`: github, gitlab or gitea (default: the configuration's forge.kind, else the CI environment's)"),
		url:        fs.String("forge-url", "", "the forge API's base `URL` (default: forge.url, else the CI environment's)"),
		repository: fs.String("forge-repo", "", "the forge repository `OWNER/NAME` (default: forge.repository, else the CI environment's)"),
	}
}

// resolve returns the forge to talk to: flags first, then the release
// configuration's forge section, then what the CI system says (GitHub
// Actions, GitLab CI, Gitea Actions). Anything still missing is a usage
// error: relctl never guesses a forge.
func (ff forgeFlags) resolve(cfg *config.Config) (config.Forge, error) {
	var f config.Forge
	if cfg != nil {
		f = cfg.Forge
	}
	if f.Kind == "" {
		f = forgeFromCI(os.Getenv)
	}
	if *ff.kind != "" {
		if *ff.kind != f.Kind {
			f = config.Forge{Base: f.Base}
		}
		f.Kind = *ff.kind
	}
	if *ff.url != "" {
		f.URL = *ff.url
	}
	if *ff.repository != "" {
		f.Repository = *ff.repository
	}
	switch {
	case f.Kind == "":
		return f, usagef("no forge: give --forge, or forge: {kind, url, repository} in %s", config.FileName)
	case !slices.Contains([]string{"github", "gitlab", "gitea"}, f.Kind):
		return f, usagef("--forge %q: want github, gitlab or gitea", f.Kind)
	case f.URL == "" && f.Kind == "github":
		f.URL = "https://api.github.com"
	case f.URL == "" && f.Kind == "gitlab":
		f.URL = "https://gitlab.com"
	case f.URL == "":
		return f, usagef("no URL for the %s forge: give --forge-url or forge.url", f.Kind)
	}
	if !strings.Contains(f.Repository, "/") {
		return f, usagef("no forge repository: give --forge-repo OWNER/NAME or forge.repository")
	}
	if f.Base == "" {
		f.Base = "main"
	}
	return f, nil
}

// forgeFromCI reads the forge from the CI system's environment.
func forgeFromCI(env func(string) string) config.Forge {
	switch {
	case env("GITEA_ACTIONS") == "true":
		// Gitea Actions sets GitHub's variables for compatibility.
		return config.Forge{Kind: "gitea", URL: env("GITHUB_SERVER_URL"), Repository: env("GITHUB_REPOSITORY")}
	case env("GITHUB_ACTIONS") == "true":
		return config.Forge{Kind: "github", URL: env("GITHUB_API_URL"), Repository: env("GITHUB_REPOSITORY")}
	case env("GITLAB_CI") == "true":
		return config.Forge{Kind: "gitlab", URL: strings.TrimSuffix(env("CI_API_V4_URL"), "/api/v4"), Repository: env("CI_PROJECT_PATH")}
	}
	return config.Forge{}
}

// open resolves the forge and opens a client with the token from the
// environment (package forge reads it; never a flag).
func (ff forgeFlags) open(ctx context.Context, cfg *config.Config) (forge.Forge, config.Forge, error) {
	f, err := ff.resolve(cfg)
	if err != nil {
		return nil, f, err
	}
	token, _, err := forge.Token(f.Kind)
	if err != nil {
		return nil, f, usageError{err}
	}
	open, ok := forgeOpeners[f.Kind]
	if !ok {
		return nil, f, fmt.Errorf("relctl: this build has no %s client", f.Kind)
	}
	fg, err := open(ctx, f, token)
	if err != nil {
		return nil, f, err
	}
	return fg, f, nil
}
