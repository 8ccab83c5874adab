package changelog_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
)

// commit parses msg into a commit with a fixed hash, as commits.Log yields
// them.
func commit(hash, msg string) commits.Commit {
	m, _ := commits.Parse(msg)
	return commits.Commit{Hash: hash, Message: m}
}

// Build a release's notes from its commits (newest first) and render them
// with links to GitHub and Jira.
func ExampleBuild() {
	rel := changelog.Release{
		Version:  "v1.3.0",
		Previous: "v1.2.0",
		Date:     time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Commits: []commits.Commit{
			commit("cccccccccccccccccccccccccccccccccccccccc", "Revert \"feat: beta UI\"\n\nThis reverts commit bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb.\n"),
			commit("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "feat: beta UI\n"),
			commit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "feat(api)!: paginate listings (#42)\n\nBREAKING CHANGE: list calls return a cursor.\nRefs: PROJ-7\n"),
			commit("9999999999999999999999999999999999999999", "fix(cli): keep <tabs> in output\n\n(cherry picked from commit 1234567890123456789012345678901234567890)\n"),
			commit("8888888888888888888888888888888888888888", "docs: typo\n"),
		},
	}
	links, err := changelog.RemoteLinks("git@github.com:acme/app.git", "")
	if err != nil {
		fmt.Println(err)
		return
	}
	links.Ticket = changelog.JiraTicket("https://acme.atlassian.net")
	notes := changelog.Build(rel, changelog.WithLinks(links))
	if err := changelog.Write(os.Stdout, notes, changelog.Markdown); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ## [v1.3.0](https://github.com/acme/app/compare/v1.2.0...v1.3.0) (2026-01-05)
	//
	// ### ⚠ BREAKING CHANGES
	//
	// * **api:** list calls return a cursor. ([aaaaaaa](https://github.com/acme/app/commit/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa))
	//
	// ### Features
	//
	// * **⚠** **api:** paginate listings ([#42](https://github.com/acme/app/pull/42)) ([aaaaaaa](https://github.com/acme/app/commit/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa)), refs [PROJ-7](https://acme.atlassian.net/browse/PROJ-7)
	//
	// ### Bug Fixes
	//
	// * **cli:** keep &lt;tabs&gt; in output ([9999999](https://github.com/acme/app/commit/9999999999999999999999999999999999999999)), backport of [1234567](https://github.com/acme/app/commit/1234567890123456789012345678901234567890)
}

// Update a CHANGELOG.md held in memory: the new version replaces the
// Unreleased section and everything else is kept byte for byte. Running
// again for the same version is an error, never a second copy.
func ExampleUpdate() {
	old := "# Changelog\n\nWritten by hand.\n\n## [Unreleased]\n\n- pending\n\n## [1.0.0] - 2025-12-01\n\n- First release.\n"
	notes := changelog.Build(changelog.Release{
		Version: "1.1.0",
		Date:    time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC),
		Commits: []commits.Commit{commit("abcdef0123456789abcdef0123456789abcdef01", "feat: export to CSV\n")},
	})
	var out bytes.Buffer
	if err := changelog.Update(strings.NewReader(old), &out, notes, changelog.WithFormat(changelog.KeepAChangelog)); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Print(out.String())
	err := changelog.Update(bytes.NewReader(out.Bytes()), &bytes.Buffer{}, notes)
	fmt.Println("again:", err)
	// Output:
	// # Changelog
	//
	// Written by hand.
	//
	// ## [1.1.0] - 2026-01-05
	//
	// ### Added
	//
	// - export to CSV (abcdef0)
	//
	// ## [1.0.0] - 2025-12-01
	//
	// - First release.
	// again: changelog: version already documented: 1.1.0
}

// Escape makes commit text inert in Markdown and HTML.
func ExampleEscape() {
	fmt.Println(changelog.Escape("<script>x</script> [a](javascript:y)\n## [9.9.9]"))
	// Output:
	// &lt;script&gt;x&lt;/script&gt; \[a\](javascript:y) \#\# \[9.9.9\]
}

// Write the §2.6 release notes of a release: every section is there, and
// one whose data nobody recorded says so instead of guessing.
func ExampleWriteReleaseNotes() {
	notes := changelog.Build(changelog.Release{
		Version:  "v1.3.0",
		Previous: "v1.2.0",
		Commits: []commits.Commit{
			commit("bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "fix(api): reject empty names\n"),
			commit("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "feat(api): paginate listings (#42)\n"),
		},
	})
	meta := changelog.Metadata{
		Commit:      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		Artifacts:   []changelog.Artifact{{Name: "app", Digest: "sha256:" + strings.Repeat("ab", 32)}},
		KnownIssues: []string{}, // recorded: there are none
		Rollback:    changelog.Rollback{Method: "redeploy", Version: "v1.2.0", Digest: "sha256:" + strings.Repeat("cd", 32)},
	}
	var b bytes.Buffer
	if err := changelog.WriteReleaseNotes(&b, notes, meta); err != nil {
		fmt.Println(err)
		return
	}
	for _, line := range strings.Split(b.String(), "\n") {
		if strings.HasPrefix(line, "#") || strings.Contains(line, "not recorded") || line == "None." || strings.HasPrefix(line, "v1.3.0") {
			fmt.Println(line)
		}
	}
	// Output:
	// # Release v1.3.0
	// ## Summary
	// v1.3.0 (changes since v1.2.0): 1 feature, 1 bug fix, 0 security fixes, 0 breaking changes.
	// ## Highlights
	// ## Release metadata
	// ## Customer-impacting changes
	// - Deprecations: none in the changelog, others not recorded
	// ## Fixes
	// ## Operational notes
	// - Runbook and configuration changes: not recorded
	// - Feature flags/config gates: not recorded
	// ## Known issues
	// None.
	// ## Risks and mitigations
	// - Mitigations and monitoring: not recorded
	// ## Artifacts
	// ## SBOM and provenance
	// ## Validation evidence
	// - Required checks summary: not recorded
	// ## Approvals and promotion status
	// - Promotions: not recorded
	// - Deployments: not recorded
	// ## Rollback plan
}
