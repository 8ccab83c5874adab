package main

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/changelog"
	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/policy"
)

// notesRelease builds a real release: a repository with two tagged
// releases, a complete record of v1.1.0 in a DirStore, and a log with its
// promotions to dev and staging and a deployment to staging.
func notesRelease(t *testing.T) (g *gittest.Repo, store string) {
	t.Helper()
	g = gittest.New(t)
	c1 := g.Commit("feat: first (#1)\n\nRefs: PROJ-1\n")
	g.AnnotatedTag("v1.0.0", c1, "v1.0.0")
	g.Commit("fix(api): reject empty names (#2)\n\nRefs: PROJ-2\n")
	g.Commit("feat(cli)!: rename --out to --output (#3)\n\nBREAKING CHANGE: use --output in scripts.\nRefs: PROJ-3\n")
	g.Commit("deprecate(api): the v1 listing endpoint (#4)\n")
	c2 := g.Commit("security: escape names in logs (#5)\n")
	g.AnnotatedTag("v1.1.0", c2, "v1.1.0")

	store = t.TempDir()
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	at := time.Date(2026, 2, 2, 9, 0, 0, 0, time.UTC)
	d := manifest.Digest([]byte("app v1.1.0"))
	rec := manifest.Record{
		Version: manifest.RecordVersion, Tag: "v1.1.0", Commit: c2, Tickets: []string{"PROJ-2", "PROJ-3"},
		PRs:         []manifest.PR{{Ref: "#2"}, {Ref: "#3"}, {Ref: "#4"}, {Ref: "#5"}},
		Artifacts:   []manifest.Artifact{{Name: "app", URI: "registry.example.com/acme/app:v1.1.0", Digest: d}},
		Provenance:  manifest.Provenance{BuildID: "https://ci.example.com/runs/42", Ref: "https://ci.example.com/runs/42/provenance.intoto.jsonl"},
		SBOM:        manifest.SBOMRef{Ref: "https://ci.example.com/runs/42/sbom.cdx.json", Digest: manifest.Digest([]byte("sbom"))},
		Checks:      []manifest.CheckResult{{Name: "unit", Passed: true}, {Name: "sast", Passed: true, URL: "https://ci.example.com/runs/42/sast"}},
		Rollback:    manifest.RollbackPlan{Method: "redeploy", Version: "v1.0.0", Digest: manifest.Digest([]byte("app v1.0.0"))},
		KnownIssues: []string{"Cold start takes 2 s longer; watch the p99 latency."},
		Window:      manifest.Window{Start: at.Add(24 * time.Hour), End: at.Add(26 * time.Hour)},
		Extra: manifest.Extras{"summary": "Safer names and a clearer CLI.", "source_branch": "main",
			"feature_flags": "none", "operational_notes": "Runbook: rotate the log index after upgrading",
			"risk": "medium (breaking CLI flag)", "mitigations": "canary 10% for 1 h; alert on 5xx > 1%",
			"rollback_steps": "relctl rollback --env prod; verify the health checks"},
	}
	require.NoError(t, st.PutRecord(t.Context(), rec))
	clock := func() time.Time { at = at.Add(time.Hour); return at }
	opts := []manifest.Option{manifest.WithOrder("dev", "staging", "prod"), manifest.WithClock(clock)}
	for _, env := range []string{"dev", "staging"} {
		_, err := manifest.Promote(t.Context(), st, manifest.PromoteRequest{Release: "v1.1.0", Env: env, Digest: d, Approver: "bob", Reason: "CHG-7", Releaser: "release-bot"}, opts...)
		require.NoError(t, err)
	}
	_, err = manifest.ReportDeployment(t.Context(), st, manifest.DeploymentReport{Release: "v1.1.0", Env: "staging", Result: manifest.ResultSucceeded,
		Targets: []string{"eu-1"}, Actor: &manifest.Actor{Name: "deploy-bot"}}, opts...)
	require.NoError(t, err)
	return g, store
}

// notesCmd is cmdReleaseNotes in the shape runTagCmd runs.
func notesCmd(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	return cmdReleaseNotes(ctx, args, stdout, stderr)
}

func TestReleaseNotesCommand(t *testing.T) {
	g, store := notesRelease(t)
	out, errOut, code := runTagCmd(t, notesCmd, "--release", "v1.1.0", "--repo", g.Dir, "--store", store)
	require.Equal(t, 0, code, errOut)
	golden.Check(t, filepath.Join(moduleRoot, "cmd", "relctl", "testdata", "releasenotes.md"), []byte(out))

	// The notes pass REL-NOTES-001: the document relctl produces has every
	// section the control requires.
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	rec, err := st.Record(t.Context(), "v1.1.0")
	require.NoError(t, err)
	res := policy.ReleaseNotes{}.Evaluate(t.Context(), policy.Facts{Record: &rec, ReleaseNotes: []byte(out)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	// JSON: the same document, section by section, written atomically.
	file := filepath.Join(t.TempDir(), "notes.json")
	_, errOut, code = runTagCmd(t, notesCmd, "--release", "v1.1.0", "--repo", g.Dir, "--store", store, "--format", "json", "--out", file)
	require.Equal(t, 0, code, errOut)
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var doc struct {
		Release  string                          `json:"release"`
		Markdown string                          `json:"markdown"`
		Sections []changelog.ReleaseNotesSection `json:"sections"`
	}
	require.NoError(t, json.Unmarshal(b, &doc))
	assert.Equal(t, "v1.1.0", doc.Release)
	assert.Equal(t, out, doc.Markdown)
	assert.Len(t, doc.Sections, len(changelog.ReleaseNotesSections()))
}

func TestReleaseNotesCommandErrors(t *testing.T) {
	g, store := notesRelease(t)
	run := func(args ...string) (string, int) {
		_, errOut, code := runTagCmd(t, notesCmd, args...)
		return errOut, code
	}
	errOut, code := run("--release", "v9.9.9", "--repo", g.Dir, "--store", store)
	assert.Equal(t, 2, code, "a release without a record is bad input")
	assert.Contains(t, errOut, "no release record")
	_, code = run("--repo", g.Dir, "--store", store)
	assert.Equal(t, 2, code, "--release is required")
	_, code = run("--release", "v1.1.0", "--repo", g.Dir, "--store", store, "--format", "html")
	assert.Equal(t, 2, code)
	_, code = run("--release", "v1.1.0", "--repo", g.Dir, "--store", filepath.Join(t.TempDir(), "none"))
	assert.Equal(t, 2, code, "no store there")

	// A record whose commit is not the tag's is refused (exit 1).
	st, err := manifest.NewDirStore(store)
	require.NoError(t, err)
	rec, err := st.Record(t.Context(), "v1.1.0")
	require.NoError(t, err)
	rec.Tag, rec.Artifacts = "v1.0.0", nil
	require.NoError(t, st.PutRecord(t.Context(), rec))
	errOut, code = run("--release", "v1.0.0", "--repo", g.Dir, "--store", store)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "is not the tag's")

	// A release whose tag is not in the repository is bad input.
	rec.Tag = "v1.2.0"
	require.NoError(t, st.PutRecord(t.Context(), rec))
	_, code = run("--release", "v1.2.0", "--repo", g.Dir, "--store", store)
	assert.Equal(t, 2, code)

	// A tampered log fails closed (exit 1).
	entries, err := filepath.Glob(filepath.Join(store, "log", "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, entries)
	b, err := os.ReadFile(entries[0])
	require.NoError(t, err)
	require.NoError(t, os.Chmod(entries[0], 0o644))
	require.NoError(t, os.WriteFile(entries[0], []byte(strings.Replace(string(b), "CHG-7", "CHG-8", 1)), 0o644))
	_, code = run("--release", "v1.1.0", "--repo", g.Dir, "--store", store)
	assert.Equal(t, 1, code)
}
