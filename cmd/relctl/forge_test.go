package main

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
)

// noCI clears the CI variables the forge is read from, for a test that
// runs relctl as outside CI.
func noCI(t *testing.T) {
	for _, k := range []string{"GITHUB_ACTIONS", "GITLAB_CI", "GITEA_ACTIONS"} {
		t.Setenv(k, "")
	}
}

func flagsOf(kind, url, repo string) forgeFlags {
	return forgeFlags{kind: &kind, url: &url, repository: &repo}
}

func envOf(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// The token is never sent in clear text: a plain http:// URL from
// --forge-url is refused (exit 2) before any request, as forge.url is.
func TestForgeTokenOverPlainHTTPFromFlag(t *testing.T) {
	noCI(t)
	g := shopRepo(t)
	t.Setenv("RELEASEKIT_GITHUB_TOKEN", "ghp_SECRET_forge")
	var got atomic.Value
	got.Store("")
	// An HTTP proxy stands for the network path to forge.example.com.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Host + " " + r.Header.Get("Authorization"))
		w.WriteHeader(404)
	}))
	defer srv.Close()
	t.Setenv("HTTP_PROXY", srv.URL)
	out, errOut, code := relctl(t, "", "pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "github", "--forge-url", "http://forge.example.com", "--forge-repo", "o/r")
	assert.NotContains(t, got.Load().(string), "SECRET", "the token crossed the network in clear text")
	assert.Equal(t, 2, code, errOut)
	assert.Contains(t, errOut, "plain http only to 127.0.0.1")
	assert.NotContains(t, out+errOut, "SECRET")
}

// The URL rule holds for every source: flags, the configuration and the
// CI environment.
func TestForgeURLChecked(t *testing.T) {
	for name, c := range map[string]struct {
		url  string
		env  map[string]string
		want string // "" accepted
	}{
		"https flag":               {url: "https://forge.example.com/api", want: ""},
		"http loopback flag":       {url: "http://127.0.0.1:3000", want: ""},
		"http localhost flag":      {url: "http://localhost:3000", want: ""},
		"http ::1 flag":            {url: "http://[::1]:3000", want: ""},
		"http flag":                {url: "http://forge.example.com", want: "plain http only"},
		"credentials in flag":      {url: "https://user:pw@forge.example.com", want: "credentials do not belong"},
		"query in flag":            {url: "https://forge.example.com/?x=1", want: "want https://host"},
		"no host":                  {url: "https:///path", want: "want https://host"},
		"other scheme":             {url: "ftp://forge.example.com", want: "want https://host"},
		"unparsable":               {url: "%zz", want: "not a URL"},
		"http from GITHUB_API_URL": {env: map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_API_URL": "http://api.example.com", "GITHUB_REPOSITORY": "o/r"}, want: "plain http only"},
		"http from CI_API_V4_URL":  {env: map[string]string{"GITLAB_CI": "true", "CI_API_V4_URL": "http://gitlab.example.com/api/v4", "CI_PROJECT_PATH": "g/p"}, want: "plain http only"},
	} {
		ff := flagsOf("github", c.url, "o/r")
		if c.env != nil {
			ff = flagsOf("", "", "") // the CI environment's forge
		}
		_, err := ff.resolveEnv(nil, envOf(c.env))
		if c.want == "" {
			assert.NoError(t, err, name)
			continue
		}
		var ue usageError
		if assert.ErrorAs(t, err, &ue, name) {
			assert.Contains(t, err.Error(), c.want, name)
			assert.NotContains(t, err.Error(), "pw", name)
		}
	}
}

// In a CI job the CI system's own forge wins: a configuration (a file any
// pull request edits) naming another host or repository is refused,
// naming both, so it can neither send the job's token elsewhere nor read
// another repository's pull request as this one's.
func TestForgeConfigCannotOverrideCI(t *testing.T) {
	ci := map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_REPOSITORY": "shop/app", "GITHUB_API_URL": "https://api.github.com"}
	none := flagsOf("", "", "")
	for name, c := range map[string]struct {
		cfg  config.Forge
		want []string
	}{
		"other host":       {config.Forge{Kind: "github", URL: "https://forge.attacker.example", Repository: "shop/app"}, []string{"https://forge.attacker.example", "https://api.github.com"}},
		"other repository": {config.Forge{Kind: "github", URL: "https://api.github.com", Repository: "mallory/app"}, []string{"mallory/app", "shop/app"}},
		"both":             {config.Forge{Kind: "github", URL: "https://forge.attacker.example", Repository: "mallory/app"}, []string{"forge.attacker.example"}},
		"other kind":       {config.Forge{Kind: "gitea", URL: "https://gitea.example.com", Repository: "shop/app"}, []string{"gitea", "github"}},
	} {
		_, err := none.resolveEnv(&config.Config{Forge: c.cfg}, envOf(ci))
		var ue usageError
		if assert.ErrorAs(t, err, &ue, name) {
			for _, w := range c.want {
				assert.Contains(t, err.Error(), w, name)
			}
		}
	}

	// A configuration that agrees (or says less) completes the CI's forge.
	f, err := none.resolveEnv(&config.Config{Forge: config.Forge{Kind: "github", URL: "https://API.github.com/", Repository: "Shop/App", Base: "develop"}}, envOf(ci))
	require.NoError(t, err)
	assert.Equal(t, config.Forge{Kind: "github", URL: "https://api.github.com", Repository: "shop/app", Base: "develop"}, f)
	f, err = none.resolveEnv(&config.Config{Forge: config.Forge{Base: "develop"}}, envOf(ci))
	require.NoError(t, err)
	assert.Equal(t, config.Forge{Kind: "github", URL: "https://api.github.com", Repository: "shop/app", Base: "develop"}, f)

	// Flags are the job's own choice.
	f, err = flagsOf("", "", "shop/other").resolveEnv(nil, envOf(ci))
	require.NoError(t, err)
	assert.Equal(t, "shop/other", f.Repository)

	// Outside CI the configuration is used as before.
	f, err = none.resolveEnv(&config.Config{Forge: config.Forge{Kind: "gitea", URL: "https://gitea.example.com", Repository: "shop/app"}}, envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, "https://gitea.example.com", f.URL)
}

// Bad forge flags are bad input: exit 2, never the token.
func TestForgeFlagsExit2(t *testing.T) {
	noCI(t)
	g := shopRepo(t)
	t.Setenv("RELEASEKIT_GITHUB_TOKEN", "ghp_SECRET_forge")
	t.Setenv("RELEASEKIT_GITEA_TOKEN", "gitea_SECRET_forge")
	for name, args := range map[string][]string{
		"unparsable url":     {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "github", "--forge-url", "%zz", "--forge-repo", "o/r"},
		"repo with 3 parts":  {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "github", "--forge-repo", "o/r/x"},
		"repo with no name":  {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "github", "--forge-repo", "o/"},
		"gitea dotdot":       {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "gitea", "--forge-url", "https://gitea.example.com", "--forge-repo", "../x"},
		"plain http to host": {"pr", "facts", "--repo", g.Dir, "--pr", "3", "--forge", "gitea", "--forge-url", "http://gitea.example.com", "--forge-repo", "o/r"},
	} {
		out, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%s: %s", name, errOut)
		assert.NotContains(t, out+errOut, "SECRET", name)
	}
	// GitLab names nested groups.
	f, err := flagsOf("gitlab", "", "group/sub/project").resolveEnv(nil, envOf(nil))
	require.NoError(t, err)
	assert.Equal(t, "group/sub/project", f.Repository)
	assert.True(t, errors.As(checkForgeRepository("gitlab", "group//p"), new(usageError)))
}
