package main

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/forge"
	"github.com/releasekit/releasekit/forge/gitea"
	"github.com/releasekit/releasekit/forge/github"
	"github.com/releasekit/releasekit/forge/gitlab"
)

// forgeHTTP is the HTTP client of every forge call: a whole-call timeout
// backs up the contexts, and a redirect is followed only to the same
// scheme, host and port (forge.SameHostRedirects), so the token never
// goes to another host a forge, or whoever answers in its name, names.
var forgeHTTP = forge.SameHostRedirects(&http.Client{Timeout: 2 * time.Minute})

func init() {
	forgeOpeners["github"] = func(_ context.Context, f config.Forge, token string) (forge.Forge, error) {
		owner, repo, _ := strings.Cut(f.Repository, "/")
		base := f.URL
		if base == "https://api.github.com" {
			base = ""
		}
		return github.New(forgeHTTP, base, owner, repo, token)
	}
	forgeOpeners["gitea"] = func(_ context.Context, f config.Forge, token string) (forge.Forge, error) {
		owner, repo, _ := strings.Cut(f.Repository, "/")
		return gitea.New(f.URL, owner, repo, token, gitea.WithHTTPClient(forgeHTTP))
	}
	forgeOpeners["gitlab"] = func(_ context.Context, f config.Forge, token string) (forge.Forge, error) {
		var opts []gitlab.Option
		if token == strings.TrimSpace(os.Getenv("CI_JOB_TOKEN")) {
			opts = append(opts, gitlab.WithJobToken()) // sent as JOB-TOKEN, as GitLab wants it
		}
		return gitlab.New(forgeHTTP, f.URL, f.Repository, token, opts...)
	}
}
