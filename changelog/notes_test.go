package changelog_test

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/testkit/golden"
)

func links(t *testing.T) changelog.Links {
	l, err := changelog.RemoteLinks("git@github.com:acme/app.git", "")
	require.NoError(t, err)
	l.Ticket = changelog.JiraTicket("https://acme.atlassian.net")
	return l
}

// release20 reads v1.0.0..v2.0.0 of the fixture.
func release20(t *testing.T, f fixture) changelog.Release {
	repo := f.GoGit(t)
	r, err := commits.ResolveRange(repo, "v1.0.0..v2.0.0")
	require.NoError(t, err)
	// The fixture's extra change is an additional header: read them.
	cs, err := changelog.Commits(t.Context(), repo, r, commits.WithParseOptions(commits.WithAdditionalHeaders()))
	require.NoError(t, err)
	return changelog.Release{Version: "v2.0.0", Previous: "v1.0.0", Date: cs[0].Committer.When, Commits: cs}
}

func TestGoldenRelease(t *testing.T) {
	f := newFixture(t)
	notes := changelog.Build(release20(t, f), changelog.WithLinks(links(t)))
	for _, tc := range []struct {
		name   string
		format changelog.Format
	}{
		{"release.md", changelog.Markdown},
		{"release.keepachangelog.md", changelog.KeepAChangelog},
		{"release.json", changelog.JSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b bytes.Buffer
			require.NoError(t, changelog.Write(&b, notes, tc.format))
			golden.Check(t, filepath.Join("testdata", tc.name), b.Bytes())
		})
	}
	t.Run("template", func(t *testing.T) {
		tmpl, err := changelog.ParseTemplate("t", "{{.Version}} ({{date .Date}}) after {{.Previous}}\n{{range .Sections}}{{.Title}}:\n{{range .Entries}}- {{short .Hash}} {{md .Description}}{{if .BackportOf}} backport of {{short .BackportOf}}{{end}}\n{{end}}{{end}}")
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, changelog.WriteTemplate(&b, notes, tmpl))
		golden.Check(t, filepath.Join("testdata", "release.template.txt"), b.Bytes())
	})
	t.Run("releasenotes", func(t *testing.T) {
		var b bytes.Buffer
		meta := changelog.Metadata{
			Signed: true, SourceBranch: "main", Commit: f.RevParse("v2.0.0^{commit}"),
			Artifacts:   []changelog.Artifact{{Type: "container", Name: "app", Registry: "registry.example.com/acme/app:v2.0.0", Digest: "sha256:" + strings.Repeat("ab", 32)}},
			Provenance:  "https://ci.example.com/runs/42/provenance.intoto.jsonl",
			SBOM:        "https://ci.example.com/runs/42/sbom.cdx.json",
			PipelineRun: "https://ci.example.com/runs/42",
			Checks:      []changelog.Check{{Name: "Lint/unit", Result: "pass"}, {Name: "SAST", Result: "pass", Link: "https://ci.example.com/runs/42/sast"}},
			Promotions:  []changelog.Promotion{{Environment: "staging", Time: f.Clock(), Approver: "Release Manager", Decision: "go"}},
			RiskLevel:   "medium (breaking CLI flag)",
			Rollback:    changelog.Rollback{Version: "v1.0.1", Digest: "sha256:" + strings.Repeat("cd", 32), Steps: []string{"Promote v1.0.1 to prod.", "Verify the health checks."}},
		}
		require.NoError(t, changelog.WriteReleaseNotes(&b, notes, meta))
		golden.Check(t, filepath.Join("testdata", "release.notes.md"), b.Bytes())
	})
}

func TestBuildFixture(t *testing.T) {
	f := newFixture(t)
	notes := changelog.Build(release20(t, f))
	var titles []string
	descs := map[string][]string{}
	for _, s := range notes.Sections {
		titles = append(titles, s.Title)
		for _, e := range s.Entries {
			descs[s.Title] = append(descs[s.Title], e.Description)
		}
	}
	assert.Equal(t, []string{"Features", "Bug Fixes", "Performance Improvements", "Code Refactoring"}, titles)
	assert.Equal(t, []string{"support the new config format", "pagination", "rename --out to --output"}, descs["Features"], "revert cancelled the dark mode; extra change listed")
	assert.NotContains(t, strings.Join(descs["Features"], " "), "dark mode")
	assert.Empty(t, descs["Reverts"])
	require.Len(t, notes.Breaking, 2)
	assert.Equal(t, "Older toolchains are no longer tested.", notes.Breaking[0].Note, "migration from the body")
	assert.Equal(t, "the --out flag is now --output;\nupdate your scripts.", notes.Breaking[1].Note, "migration from the footer")
	assert.Len(t, notes.Skipped, 1, "update readme")
}

func TestBuild(t *testing.T) {
	const (
		a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		b = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
		c = "cccccccccccccccccccccccccccccccccccccccc"
		d = "dddddddddddddddddddddddddddddddddddddddd"
		o = "0000000000000000000000000000000000000001"
	)
	type entry struct{ section, hash, desc, backport string }
	tests := []struct {
		name    string
		commits []commits.Commit // newest first
		want    []entry
	}{
		{"revert cancels by abbreviated hash",
			[]commits.Commit{parse(b, "Revert \"feat: x\"\n\nThis reverts commit aaaaaaa.\n"), parse(a, "feat: x\n")}, nil},
		{"revert of a commit outside the release",
			[]commits.Commit{parse(b, "Revert \"feat: x\"\n\nThis reverts commit "+c+".\n")},
			[]entry{{"Reverts", b, "feat: x", ""}}},
		{"cherry-picked twice shown once",
			[]commits.Commit{
				parse(b, "fix: y\n\n(cherry picked from commit "+o+")\n"),
				parse(a, "fix: y\n\n(cherry picked from commit "+o+")\n"),
			},
			[]entry{{"Bug Fixes", a, "y", o}}},
		{"cherry-pick with its original in the release",
			[]commits.Commit{parse(b, "fix: y\n\n(cherry picked from commit "+a+")\n"), parse(a, "fix: y\n")},
			[]entry{{"Bug Fixes", a, "y", ""}}},
		{"same subject and body shown once",
			[]commits.Commit{parse(b, "fix: z\n\nsame body\n"), parse(a, "fix: z\n\nsame body\n")},
			[]entry{{"Bug Fixes", a, "z", ""}}},
		{"hidden types unless breaking",
			[]commits.Commit{parse(a, "docs: words\n"), parse(b, "chore!: drop things\n"), parse(c, "ci: x\n")},
			[]entry{{"Miscellaneous Chores", b, "drop things", ""}}},
		{"unknown breaking type gets its own section",
			[]commits.Commit{parse(a, "wat!: odd\n"), parse(d, "wat: hidden\n")},
			[]entry{{"wat", a, "odd", ""}}},
		{"extra changes",
			[]commits.Commit{parse(a, "feat: one\n\nfix: two\n", commits.WithAdditionalHeaders())},
			[]entry{{"Features", a, "one", ""}, {"Bug Fixes", a, "two", ""}}},
		{"squash bullets are not changes",
			[]commits.Commit{parse(a, "feat: one (#5)\n\n* feat!: remove x\n\n* fix: lint\n")},
			[]entry{{"Features", a, "one", ""}}},
		{"merges and fixups left out",
			[]commits.Commit{parse(a, "Merge branch 'x'\n"), parse(b, "fixup! feat: one\n")}, nil},
		{"bitbucket squash listed by its title, its merge left out",
			[]commits.Commit{
				withParents(parse(a, "Merged in feature/login (pull request #42)\n\nfeat: add login\n\n* feat!: drop basic auth\n* fix: lint\n\nApproved-by: Jane Doe\n"), o),
				withParents(parse(b, "Merged in feature/x (pull request #12)\n\nfeat(api): add the endpoint\n"), o, c),
			},
			[]entry{{"Features", a, "add login", ""}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := changelog.Build(changelog.Release{Version: "v1.0.0", Commits: tc.commits})
			var got []entry
			for _, s := range n.Sections {
				for _, e := range s.Entries {
					got = append(got, entry{s.Title, e.Hash, e.Description, e.BackportOf})
				}
			}
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestCustomSections(t *testing.T) {
	n := changelog.Build(changelog.Release{Commits: []commits.Commit{parse("ab", "docs: shown\n"), parse("cd", "feat: hidden\n")}},
		changelog.WithSections([]changelog.SectionConfig{{Type: "docs", Title: "Docs"}, {Type: "feat", Title: "Features", Hidden: true}}))
	require.Len(t, n.Sections, 1)
	assert.Equal(t, "Docs", n.Sections[0].Title)
}

func TestParseFormat(t *testing.T) {
	for _, s := range []string{"markdown", "keepachangelog", "json"} {
		_, err := changelog.ParseFormat(s)
		assert.NoError(t, err)
	}
	_, err := changelog.ParseFormat("html")
	var fe *changelog.FormatError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown format", fe.Reason)
	assert.Equal(t, `changelog: unknown format: "html"`, err.Error())
	err = changelog.Write(&bytes.Buffer{}, changelog.Notes{}, changelog.Format(99))
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "unknown format", fe.Reason)
}

// TestBuildOverrideBreakingNote: the migration note of a breaking change
// inside an override block is that change's own text, never the raw block.
func TestBuildOverrideBreakingNote(t *testing.T) {
	const a = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	tests := []struct {
		name, msg string
		want      []string
	}{
		{"footer", "chore: squash (#9)\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api): new client\n\nBREAKING CHANGE: Client.Do takes a context.\n\n" +
			"fix: retry on 503\nEND_COMMIT_OVERRIDE\n", []string{"Client.Do takes a context."}},
		{"bang", "chore: squash (#9)\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api)!: drop v1\nfix: retry on 503\nEND_COMMIT_OVERRIDE\n", []string{"drop v1"}},
		{"nested footer", "chore: squash\n\nBEGIN_COMMIT_OVERRIDE\n- fix: a\n- feat(ui)!: b\n  BREAKING-CHANGE: the theme API moved.\nEND_COMMIT_OVERRIDE\n",
			[]string{"the theme API moved."}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n := changelog.Build(changelog.Release{Version: "v2.0.0", Commits: []commits.Commit{parse(a, tc.msg, commits.WithOverride())}})
			var notes []string
			for _, b := range n.Breaking {
				notes = append(notes, b.Note)
				assert.NotContains(t, b.Note, "COMMIT_OVERRIDE")
			}
			assert.Equal(t, tc.want, notes)
		})
	}
}

// withParents sets the parents of c.
func withParents(c commits.Commit, parents ...string) commits.Commit {
	c.Parents = parents
	return c
}
