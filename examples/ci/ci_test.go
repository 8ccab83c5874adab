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
		"--policy .github/release-policy.yml", "relctl audit bundle", "relctl audit verify-bundle"} {
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
