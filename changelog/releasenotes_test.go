package changelog_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
)

// headings returns the "## " headings of md, in order.
func headings(md string) []string {
	var hs []string
	for _, line := range strings.Split(md, "\n") {
		if h, ok := strings.CutPrefix(line, "## "); ok {
			hs = append(hs, h)
		}
	}
	return hs
}

// Every section of ReleaseNotesSections is written, in order, whatever
// data is missing.
func TestReleaseNotesEverySection(t *testing.T) {
	n := changelog.Build(changelog.Release{Version: "v1.0.0", Commits: []commits.Commit{parse("ab12ab12ab12", "fix: x\n")}})
	for name, m := range map[string]changelog.Metadata{
		"empty": {},
		"full": {Summary: "s", Highlights: []string{"h"}, Deprecations: []string{"d"}, OperationalNotes: []string{"o"},
			FeatureFlags: []string{"f"}, Mitigations: []string{"m"}, KnownIssues: []string{"k"},
			Promotions: []changelog.Promotion{{Environment: "prod"}}, Deployments: []changelog.Deployment{{Environment: "prod", Result: "succeeded"}}},
	} {
		t.Run(name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, changelog.WriteReleaseNotes(&b, n, m))
			assert.Equal(t, changelog.ReleaseNotesSections(), headings(b.String()))
		})
	}
}

// A nil list is "not recorded", an empty one "none": the notes never turn
// missing data into a claim.
func TestReleaseNotesNotRecordedVersusNone(t *testing.T) {
	n := changelog.Build(changelog.Release{Version: "v1.0.0"})
	write := func(m changelog.Metadata) string {
		var b bytes.Buffer
		require.NoError(t, changelog.WriteReleaseNotes(&b, n, m))
		return b.String()
	}
	unknown := write(changelog.Metadata{})
	none := write(changelog.Metadata{KnownIssues: []string{}, FeatureFlags: []string{}, OperationalNotes: []string{},
		Mitigations: []string{}, Highlights: []string{}, Promotions: []changelog.Promotion{}, Deployments: []changelog.Deployment{}})
	for _, want := range []string{"## Known issues\n\nNot recorded.\n", "- Feature flags/config gates: not recorded\n",
		"- Runbook and configuration changes: not recorded\n", "- Promotions: not recorded\n", "- Artifacts", "Not recorded.\n\n## SBOM"} {
		if want == "- Artifacts" {
			continue
		}
		assert.Contains(t, unknown, want)
	}
	for _, want := range []string{"## Known issues\n\nNone.\n", "- Feature flags/config gates: none: no change is behind a feature flag\n",
		"- Runbook and configuration changes: none\n", "- Promotions: none: not promoted yet\n", "- Deployments: none reported\n",
		"## Highlights\n\nNone.\n"} {
		assert.Contains(t, none, want)
	}
	assert.Contains(t, unknown, "## Highlights\n\nNone: no breaking change and no feature.\n", "highlights come from the changelog")
	assert.Contains(t, unknown, "v1.0.0 (no previous release: every commit of the history): 0 features, 0 bug fixes, 0 security fixes, 0 breaking changes.")
}

func TestReleaseNotesJSON(t *testing.T) {
	n := changelog.Build(changelog.Release{Version: "v1.0.0", Previous: "v0.9.0", Commits: []commits.Commit{parse("ab12ab12ab12", "fix: x\n")}})
	m := changelog.Metadata{KnownIssues: []string{"slow start"}}
	var md, js bytes.Buffer
	require.NoError(t, changelog.WriteReleaseNotes(&md, n, m))
	require.NoError(t, changelog.WriteReleaseNotesJSON(&js, n, m))
	var doc struct {
		Release, Previous, Markdown string
		Sections                    []changelog.ReleaseNotesSection
		Metadata                    changelog.Metadata
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &doc))
	assert.Equal(t, "v1.0.0", doc.Release)
	assert.Equal(t, "v0.9.0", doc.Previous)
	assert.Equal(t, md.String(), doc.Markdown)
	var titles []string
	for _, s := range doc.Sections {
		titles = append(titles, s.Title)
	}
	assert.Equal(t, changelog.ReleaseNotesSections(), titles)
	assert.Equal(t, "- slow start\n", doc.Sections[6].Markdown)
	assert.Equal(t, []string{"slow start"}, doc.Metadata.KnownIssues)
}

// TestIsPlaceholder: the lines the release notes print for absent data
// are placeholders; "None.", "none" and any value are not.
func TestIsPlaceholder(t *testing.T) {
	var b bytes.Buffer
	require.NoError(t, changelog.WriteReleaseNotes(&b, changelog.Notes{}, changelog.Metadata{Tag: "v1.0.0"}))
	var got []string
	for _, line := range strings.Split(b.String(), "\n") {
		if changelog.IsPlaceholder(line) {
			got = append(got, line)
		}
	}
	assert.Equal(t, []string{
		"- Source branch: not provided", "- Commit SHA: not provided",
		"- Runbook and configuration changes: not recorded", "- Feature flags/config gates: not recorded",
		"Not recorded.", // known issues
		"- Risk level: not provided", "- Mitigations and monitoring: not recorded",
		"Not recorded.", // artifacts
		"- Build provenance (SLSA attestation): not provided", "- SBOM: not provided",
		"- CI pipeline run: not provided", "- Required checks summary: not recorded",
		"- Production window: not provided", "- Promotions: not recorded", "- Deployments: not recorded",
		"- Rollback method: not provided", "- Rollback artifact version/digest: not provided / not provided", "- Rollback steps: not provided",
	}, got)
	for _, line := range []string{"", "None.", "- Features: none", "- Deprecations: none in the changelog, others not recorded",
		"- Runbook and configuration changes:", "- Rollback artifact version/digest: v1.0.0 / not provided", "- Rollback method: redeploy"} {
		assert.False(t, changelog.IsPlaceholder(line), line)
	}
}
