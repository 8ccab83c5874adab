// Package ci holds ready-to-copy pipeline definitions; this test keeps
// their supply-chain rules true.
package ci

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/internal/testkit/tokentest"
	"github.com/releasekit/releasekit/policy"
)

// TestGitHubActionsPinned checks that every action is pinned by a full
// 40-hex commit SHA and that production is a protected environment that
// runs only after staging.
func TestGitHubActionsPinned(t *testing.T) {
	data, err := os.ReadFile("github-release.yml")
	if err != nil {
		t.Fatal(err)
	}
	uses := regexp.MustCompile(`(?m)^\s*-?\s*uses:\s*(\S+)`).FindAllStringSubmatch(string(data), -1)
	if len(uses) == 0 {
		t.Fatal("no actions")
	}
	pinned := regexp.MustCompile(`^[\w.-]+/[\w./-]+@[0-9a-f]{40}$`)
	for _, u := range uses {
		if !pinned.MatchString(u[1]) {
			t.Errorf("%s is not pinned by a 40-hex commit SHA", u[1])
		}
	}
	s := string(data)
	for _, want := range []string{"environment: production", "needs: [release, promote-staging]", "relctl tag --name", "relctl record check", "relctl promote",
		".releasekit.yaml", "relctl audit bundle", "relctl audit verify-bundle", "relctl pr facts --commit"} {
		if !strings.Contains(s, want) {
			t.Errorf("github-release.yml lacks %q", want)
		}
	}
	if strings.Contains(s, "pull_request_target") {
		t.Error("github-release.yml runs on pull_request_target")
	}
	// The facts that gate production come from the forge through relctl,
	// not from a script's reading of the API (issue: "relctl pr facts
	// replaces the shell in the pipelines").
	if strings.Contains(s, "gh api \"repos/$GITHUB_REPOSITORY/pulls") || strings.Contains(s, "commits/$GITHUB_SHA/pulls") {
		t.Error("github-release.yml builds the pull request's facts with gh api: use relctl pr facts")
	}
}

// TestGitLabProductionProtected checks that the GitLab pipeline promotes to
// a production environment only by a manual, blocking job after staging.
func TestGitLabProductionProtected(t *testing.T) {
	data, err := os.ReadFile("gitlab-release.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	if !strings.Contains(s, "relctl pr facts --commit") || !strings.Contains(s, "--pr dist/pr.json") {
		t.Error("gitlab-release.yml does not gate promotions on the merge request's facts from relctl pr facts")
	}
	i := strings.Index(s, "\npromote-prod:")
	if i < 0 {
		t.Fatal("no promote-prod job")
	}
	prod := s[i:]
	for _, want := range []string{"name: production", "when: manual", "allow_failure: false", "needs: [release, promote-staging]"} {
		if !strings.Contains(prod, want) {
			t.Errorf("promote-prod lacks %q", want)
		}
	}
	if !regexp.MustCompile(`relctl/?[\w/]*@[0-9a-f]{40}`).MatchString(s) {
		t.Error("relctl is not pinned by commit")
	}
}

// TestReleasePolicy checks that the policy the pipeline promotes through
// loads and holds the controls that decide a promotion.
func TestReleasePolicy(t *testing.T) {
	data, err := os.ReadFile("release-policy.yml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := policy.ReadConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, c := range p.Controls {
		ids = append(ids, c.Meta().ID)
	}
	for _, want := range []string{"REL-WINDOW-001", "REL-SOD-001", "REL-RECORD-001", "REL-DIGEST-001"} {
		if !slices.Contains(ids, want) {
			t.Errorf("release-policy.yml lacks %s (has %v)", want, ids)
		}
	}
}

// TestPipelinesRelyOnTheConfiguration checks that the pipelines take keys,
// policy and order from .releasekit.yaml (releasekit.yaml here) instead of
// repeating them as flags, and that the configuration they rely on loads
// and makes production fail closed.
func TestPipelinesRelyOnTheConfiguration(t *testing.T) {
	for _, file := range []string{"github-release.yml", "gitlab-release.yml"} {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		joined := strings.ReplaceAll(string(data), "\\\n", " ")
		for _, line := range strings.Split(joined, "\n") {
			if !regexp.MustCompile(`relctl (promote|rollback|verify|log verify|audit)`).MatchString(line) {
				continue
			}
			for _, flag := range []string{"--allowed-signers", "--keyring", "--policy", "--order", "--provenance-key", "--skip-signature-unsafe"} {
				if strings.Contains(line, flag) {
					t.Errorf("%s repeats %s, which the configuration holds: %s", file, flag, strings.TrimSpace(line))
				}
			}
		}
	}
	cfg, err := config.ReadFile("releasekit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	prod, ok := cfg.Env("prod")
	if !ok || !prod.Production || len(prod.Approvers) == 0 {
		t.Fatalf("prod is not a production environment with approvers: %+v", prod)
	}
	if cfg.Trust.Tags.Empty() || cfg.Policy.Policy == nil {
		t.Fatal("the configuration names no tag keys or no policy")
	}
	// Each environment's job deploys as its own identity, the environment
	// its CI token names, and none deploys elsewhere.
	jobs := map[string]string{"dev": "dev", "staging": "staging", "prod": "production"}
	for env := range jobs {
		for other, otherJob := range jobs {
			err := cfg.Authorize(env, config.ActionDeploy, otherJob)
			if (other == env) != (err == nil) {
				t.Errorf("%s's job deploying to %s: %v", other, env, err)
			}
		}
	}
	// dev and staging take the actor who triggered the run as approver.
	for _, env := range []string{"dev", "staging"} {
		if err := cfg.Authorize(env, config.ActionApprove, "some-developer"); err != nil {
			t.Errorf("the pipelines' %s approver: %v", env, err)
		}
	}
	if err := cfg.Authorize("prod", config.ActionApprove, "production"); err == nil {
		t.Error("the pipeline's own identity may approve production")
	}
}

// TestPipelinesProveWhoActs checks that the pipelines hand relctl the job's
// OIDC ID token on every promotion and deployment report, report each
// deployment's outcome (a failure too) and show the log.
func TestPipelinesProveWhoActs(t *testing.T) {
	data, err := os.ReadFile("github-release.yml")
	if err != nil {
		t.Fatal(err)
	}
	gh := strings.ReplaceAll(string(data), "\\\n", " ")
	for _, job := range []string{"promote-dev", "promote-staging", "promote-prod"} {
		i := strings.Index(gh, "\n  "+job+":\n")
		if i < 0 {
			t.Fatalf("github-release.yml has no job %s", job)
		}
		body := gh[i+1:]
		if j := regexp.MustCompile(`\n  [\w-]+:\n`).FindStringIndex(body[1:]); j != nil {
			body = body[:j[0]+1]
		}
		for _, want := range []string{
			"id-token: write",
			`curl -sSf -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN"`,
			`"$ACTIONS_ID_TOKEN_REQUEST_URL&audience=releasekit" | jq -r .value > "$RUNNER_TEMP/id-token"`,
			"--result started", "--result succeeded", "--result failed --error",
			"if: failure() && steps.deploy.outcome == 'failure'",
			"relctl log show",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("github-release.yml %s lacks %q", job, want)
			}
		}
		checkIdentityFlags(t, "github-release.yml "+job, body, true)
	}

	data, err = os.ReadFile("gitlab-release.yml")
	if err != nil {
		t.Fatal(err)
	}
	gl := strings.ReplaceAll(string(data), "\\\n", " ")
	i := strings.Index(gl, "\n.promote:\n")
	if i < 0 {
		t.Fatal("gitlab-release.yml has no .promote job")
	}
	promote := gl[i:]
	for _, want := range []string{
		"id_tokens:\n    RELCTL_ID_TOKEN:\n      aud: releasekit",
		"--result started", "--result succeeded", "--result failed --error",
		"after_script:", `[ "$CI_JOB_STATUS" = failed ]`,
		"relctl log show",
	} {
		if !strings.Contains(promote, want) {
			t.Errorf("gitlab-release.yml .promote lacks %q", want)
		}
	}
	checkIdentityFlags(t, "gitlab-release.yml .promote", promote, false)
	for _, job := range []string{"promote-dev", "promote-staging", "promote-prod"} {
		if !regexp.MustCompile(`\n` + job + `:\n  extends: \.promote\n`).MatchString(gl) {
			t.Errorf("gitlab-release.yml %s does not extend .promote", job)
		}
	}
}

// checkIdentityFlags checks that in text every relctl promote and deploy
// report names who acts by the job's token (--id-token FILE when file, else
// $RELCTL_ID_TOKEN, which needs no flag), never by a typed --releaser, and
// that every deploy report names its target.
func checkIdentityFlags(t *testing.T, where, text string, file bool) {
	t.Helper()
	n := 0
	for _, line := range strings.Split(text, "\n") {
		if !regexp.MustCompile(`^\s*(- )?relctl (promote|deploy report) `).MatchString(line) {
			continue
		}
		n++
		if strings.Contains(line, "--releaser") {
			t.Errorf("%s types who acts: %s", where, strings.TrimSpace(line))
		}
		if file != strings.Contains(line, `--id-token "$RUNNER_TEMP/id-token"`) {
			t.Errorf("%s: --id-token: %s", where, strings.TrimSpace(line))
		}
		if strings.Contains(line, "deploy report") && !strings.Contains(line, `--target "$DEPLOY_TARGET"`) {
			t.Errorf("%s reports no target: %s", where, strings.TrimSpace(line))
		}
	}
	if n < 4 {
		t.Errorf("%s: %d relctl promote and deploy report lines, want 4", where, n)
	}
}

// TestConfigurationTrustsTheCIs checks that the configuration trusts GitHub
// Actions' and GitLab's ID tokens for this repository's main branch only,
// names the job by its environment, and requires a verified identity in
// production: a token of each CI's production job is the identity that
// deploys to prod; one of another repository or branch is refused.
func TestConfigurationTrustsTheCIs(t *testing.T) {
	cfg, err := config.ReadFile("releasekit.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := cfg.VerifiedIdentityEnvs(); !slices.Equal(got, []string{"prod"}) {
		t.Errorf("verified identity required in %v, want [prod]", got)
	}
	issuers := map[string]config.Issuer{}
	for _, is := range cfg.Identity.Issuers {
		issuers[is.Issuer] = is
		if is.Audience != "releasekit" || is.JWKS != "" || is.NameClaim != "environment" || len(is.Claims) == 0 {
			t.Errorf("issuer %+v", is)
		}
	}
	const github, gitlab = "https://token.actions.githubusercontent.com", "https://gitlab.com"
	if len(issuers) != 2 || !slices.Equal(issuers[github].Claims["repository"], []string{"example/app"}) ||
		!slices.Equal(issuers[gitlab].Claims["project_path"], []string{"example/app"}) {
		t.Fatalf("issuers %+v", cfg.Identity.Issuers)
	}

	// The issuers' keys are fetched over HTTPS; here they are pinned, in a
	// copy of the configuration, to a key the test signs with.
	key := tokentest.ECKey(t, "ci-1")
	jwks := filepath.Join(t.TempDir(), "jwks.json")
	if err := os.WriteFile(jwks, tokentest.JWKS(t, key), 0o644); err != nil {
		t.Fatal(err)
	}
	for i := range cfg.Identity.Issuers {
		cfg.Identity.Issuers[i].JWKS = jwks
	}
	at := time.Now()
	for _, c := range []struct {
		name   string
		claims map[string]any
		want   string // the identity, "" for a refusal
	}{
		{"GitHub production job", tokentest.GitHub(github, "releasekit", at, map[string]any{"repository": "example/app", "environment": "production"}), "production"},
		{"GitLab production job", tokentest.GitLab(gitlab, "releasekit", at, map[string]any{"project_path": "example/app"}), "production"},
		{"GitHub staging job", tokentest.GitHub(github, "releasekit", at, map[string]any{"repository": "example/app", "environment": "staging"}), "staging"},
		{"GitHub, other repository", tokentest.GitHub(github, "releasekit", at, map[string]any{"repository": "mallory/app", "environment": "production"}), ""},
		{"GitHub, feature branch", tokentest.GitHub(github, "releasekit", at, map[string]any{"repository": "example/app", "environment": "production", "ref": "refs/heads/feature/x"}), ""},
		{"GitLab, unprotected ref", tokentest.GitLab(gitlab, "releasekit", at, map[string]any{"project_path": "example/app", "ref_protected": "false"}), ""},
		{"GitHub, other audience", tokentest.GitHub(github, "sts.amazonaws.com", at, map[string]any{"repository": "example/app", "environment": "production"}), ""},
	} {
		a, err := cfg.VerifyToken(t.Context(), []byte(key.Sign(t, c.claims)))
		switch {
		case c.want == "" && err == nil:
			t.Errorf("%s: accepted as %q", c.name, a.Name)
		case c.want != "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.want != "" && (a.Name != c.want || !a.Verified):
			t.Errorf("%s: actor %+v, want %q", c.name, a, c.want)
		}
	}
	if err := cfg.Authorize("prod", config.ActionDeploy, "production"); err != nil {
		t.Errorf("the production job may not deploy to prod: %v", err)
	}
}
