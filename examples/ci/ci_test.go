// Package ci holds ready-to-copy pipeline definitions; this test keeps
// their supply-chain rules true.
package ci

import (
	"bytes"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/releasekit/releasekit/config"
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
		".releasekit.yaml", "relctl audit bundle", "relctl audit verify-bundle"} {
		if !strings.Contains(s, want) {
			t.Errorf("github-release.yml lacks %q", want)
		}
	}
	if strings.Contains(s, "pull_request_target") {
		t.Error("github-release.yml runs on pull_request_target")
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
	for _, env := range []string{"dev", "staging", "prod"} {
		for _, ci := range []string{"github-actions", "gitlab-ci"} {
			if err := cfg.Authorize(env, config.ActionDeploy, ci+"@"+env); err != nil {
				t.Errorf("the pipelines' releaser in %s: %v", env, err)
			}
		}
	}
	if err := cfg.Authorize("prod", config.ActionDeploy, "github-actions@staging"); err == nil {
		t.Error("the staging job's identity may deploy to production")
	}
	// dev and staging take the actor who triggered the run as approver.
	for _, env := range []string{"dev", "staging"} {
		if err := cfg.Authorize(env, config.ActionApprove, "some-developer"); err != nil {
			t.Errorf("the pipelines' %s approver: %v", env, err)
		}
	}
	if err := cfg.Authorize("prod", config.ActionApprove, "github-actions@prod"); err == nil {
		t.Error("the pipeline's own identity may approve production")
	}
}
