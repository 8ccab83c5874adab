package main

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"net/url"
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
//
// In a CI job the CI system's own forge, URL and repository are
// authoritative over the configuration: the configuration is a file any
// pull request edits, and must not send the job's token to another host
// or read another repository's pull requests as this one's. A
// configuration that names another kind, URL or repository than the CI
// environment is a usage error naming both; flags, which the job itself
// gives, still choose. The URL, wherever it comes from, must be https
// (plain http only to a loopback host) without credentials, query or
// fragment, and the repository OWNER/NAME (GROUP/.../NAME on GitLab): the
// token is never sent in clear text over the network.
func (ff forgeFlags) resolve(cfg *config.Config) (config.Forge, error) {
	return ff.resolveEnv(cfg, os.Getenv)
}

func (ff forgeFlags) resolveEnv(cfg *config.Config, env func(string) string) (config.Forge, error) {
	var f config.Forge
	if cfg != nil {
		f = cfg.Forge
	}
	if ci := forgeFromCI(env); ci.Kind != "" {
		merged, err := overCI(ci, f)
		if err != nil {
			return f, err
		}
		f = merged
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
	if err := checkForgeURL(f.URL); err != nil {
		return f, err
	}
	if f.Repository == "" {
		return f, usagef("no forge repository: give --forge-repo OWNER/NAME or forge.repository")
	}
	if err := checkForgeRepository(f.Kind, f.Repository); err != nil {
		return f, err
	}
	if f.Base == "" {
		f.Base = "main"
	}
	return f, nil
}

// overCI returns the CI environment's forge ci completed by the
// configuration's cfg (its base branch, what ci does not say), and a
// usage error when cfg names another kind, URL or repository than ci.
func overCI(ci, cfg config.Forge) (config.Forge, error) {
	if cfg.Kind != "" && cfg.Kind != ci.Kind {
		return cfg, usagef("forge.kind %q in %s disagrees with the CI environment's forge %q: the CI job's own forge is used, or give --forge", cfg.Kind, config.FileName, ci.Kind)
	}
	if cfg.URL != "" && ci.URL != "" && !sameURL(cfg.URL, ci.URL) {
		return cfg, usagef("forge.url %q in %s disagrees with the CI environment's %q: the CI job's token goes only to its own forge, or give --forge-url", redactURL(cfg.URL), config.FileName, redactURL(ci.URL))
	}
	if cfg.Repository != "" && ci.Repository != "" && !strings.EqualFold(cfg.Repository, ci.Repository) {
		return cfg, usagef("forge.repository %q in %s disagrees with the CI environment's %q: the CI job reads only its own repository, or give --forge-repo", cfg.Repository, config.FileName, ci.Repository)
	}
	f := ci
	f.Base = cfg.Base
	if f.URL == "" {
		f.URL = cfg.URL
	}
	if f.Repository == "" {
		f.Repository = cfg.Repository
	}
	return f, nil
}

// sameURL compares two forge URLs as the same endpoint: scheme and host
// case-insensitively, the path without a final slash.
func sameURL(a, b string) bool {
	ua, errA := url.Parse(a)
	ub, errB := url.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return strings.EqualFold(ua.Scheme, ub.Scheme) && strings.EqualFold(ua.Host, ub.Host) &&
		strings.TrimSuffix(ua.Path, "/") == strings.TrimSuffix(ub.Path, "/") && ua.User == nil && ub.User == nil
}

// redactURL is raw without the password of its credentials, for messages.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable)"
	}
	return u.Redacted()
}

// checkForgeURL applies the rule of the configuration's forge.url to a
// URL from any source: https://host[/path], plain http only to a
// loopback host, no credentials, query or fragment.
func checkForgeURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return usagef("forge URL: not a URL: want https://host[/path]")
	case u.User != nil:
		// Never echo a credential back.
		return usagef("forge URL %q: credentials do not belong in the URL: the token comes from the environment", u.Redacted())
	case u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || u.Opaque != "":
		return usagef("forge URL %q: want https://host[/path], without credentials, query or fragment", raw)
	case u.Scheme == "http" && !loopback(u.Hostname()):
		return usagef("forge URL %q: plain http only to 127.0.0.1, ::1 or localhost; use https (the token would cross the network in clear text)", raw)
	}
	return nil
}

func loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// checkForgeRepository checks the repository's shape: OWNER/NAME on
// GitHub and Gitea, GROUP[/SUBGROUP...]/NAME on GitLab; no empty, "." or
// ".." segment.
func checkForgeRepository(kind, repo string) error {
	segs := strings.Split(repo, "/")
	bad := len(segs) < 2 || (kind != "gitlab" && len(segs) != 2)
	for _, s := range segs {
		if s == "" || s == "." || s == ".." || strings.ContainsAny(s, "?#%\\ \t\r\n") {
			bad = true
		}
	}
	if bad {
		want := "OWNER/NAME"
		if kind == "gitlab" {
			want = "GROUP/NAME (or GROUP/SUBGROUP/NAME)"
		}
		return usagef("forge repository %q: want %s", repo, want)
	}
	return nil
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
	if errors.Is(err, forge.ErrInvalid) {
		return nil, f, usageError{err}
	}
	if err != nil {
		return nil, f, err
	}
	return fg, f, nil
}
