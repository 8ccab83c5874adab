package policy_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

func TestReleaseCutoff(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: base ABC-1")
	g.Branch("release/1.4", "")
	g.Checkout("release/1.4")
	early := g.Commit("feat: last feature ABC-2")
	cutoff := g.Clock()
	g.Tick()
	g.Commit("fix: stabilise ABC-3")
	rb := &policy.ReleaseBranch{Name: "release/1.4", Cutoff: cutoff, Commits: logRange(t, g, "main..release/1.4")}
	res := eval(t, policy.ReleaseCutoff{}, policy.Facts{ReleaseBranch: rb})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	late := g.Commit("feat: sneaked in ABC-4")
	brk := g.Commit("fix!: change API ABC-5")
	rb.Commits = logRange(t, g, "main..release/1.4")
	res = eval(t, policy.ReleaseCutoff{}, policy.Facts{ReleaseBranch: rb})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Len(t, res.Evidence, 2)
	assert.Contains(t, res.Reason, late[:12])
	assert.Contains(t, res.Reason, brk[:12])
	assert.NotContains(t, res.Reason, early[:12])

	assert.Equal(t, policy.NotApplicable, eval(t, policy.ReleaseCutoff{}, policy.Facts{}).Status)
	rb.Cutoff = time.Time{}
	assert.ErrorIs(t, eval(t, policy.ReleaseCutoff{}, policy.Facts{ReleaseBranch: rb}).Err, policy.ErrMissingEvidence)
}

const template = `## Summary
## Ticket / Change record
## Risk assessment
## Rollout plan
## Rollback plan
## Testing evidence
## Security and compliance
## Review requirements
## Release notes
`

func TestRequiredFiles(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("chore: repo files ABC-1", map[string]string{
		".github/CODEOWNERS":               "* @org/devs\n/deploy/ @org/sre\n",
		"SECURITY.md":                      "report to security@example.com\n",
		"RELEASE.md":                       "how we release\n",
		".github/pull_request_template.md": template,
		"deploy/prod.yaml":                 "kind: x\n",
	})
	ctl := policy.RequiredFiles{ProductionPaths: []string{"deploy/", "deploy/prod.yaml"}}
	res := eval(t, ctl, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	g.CommitFiles("chore: drop files ABC-2", map[string]string{
		"RELEASE.md":                       "",
		".github/CODEOWNERS":               "* @org/devs\n/deploy/\n",
		".github/pull_request_template.md": strings.Replace(template, "## Rollback plan\n", "", 1),
	})
	res = eval(t, ctl, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	for _, want := range []string{"RELEASE.md (missing)", "lacks section Rollback plan", "no owner for deploy/"} {
		assert.Contains(t, res.Reason, want)
	}
	assert.ErrorIs(t, eval(t, ctl, policy.Facts{}).Err, policy.ErrMissingEvidence)
}

func TestPinnedPipelines(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("ci: pinned ABC-1", map[string]string{".github/workflows/ci.yml": `on: push
jobs:
  build:
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11 # v4.1.1
      - uses: ./.github/actions/local
      - name: x
        uses: "docker://alpine@sha256:` + strings.Repeat("a", 64) + `"
`})
	res := eval(t, policy.PinnedPipelines{}, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)
	assert.Len(t, res.Evidence, 3)

	g.CommitFiles("ci: floating ABC-2", map[string]string{".github/workflows/release.yaml": `jobs:
  release:
    uses: org/workflows/.github/workflows/release.yml@main
    steps:
      - uses: actions/setup-go@v5
      - uses: actions/cache@B4FFDE65F46336AB88EB53BE808477A3936BAE11
`})
	res = eval(t, policy.PinnedPipelines{}, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "3 workflow reference(s)")
	assert.Contains(t, res.Reason, ".github/workflows/release.yaml:3")
	assert.Equal(t, policy.NotApplicable, eval(t, policy.PinnedPipelines{}, policy.Facts{Files: map[string][]byte{}}).Status)
}

func TestPinnedInputs(t *testing.T) {
	digest := "@sha256:" + strings.Repeat("0", 64)
	g := gittest.New(t)
	g.CommitFiles("build: pinned ABC-1", map[string]string{
		"Dockerfile":            "FROM golang:1.26" + digest + " AS build\nRUN go build\nFROM build AS test\nFROM gcr.io/distroless/static" + digest + "\n",
		"deploy/k8s.yaml":       "spec:\n  containers:\n    - image: registry.example.com/api" + digest + "\n",
		"go.mod":                "module x\n\nrequire example.com/y v1.0.0\n",
		"go.sum":                "example.com/y v1.0.0 h1:x\n",
		"web/package.json":      "{}\n",
		"web/package-lock.json": "{}\n",
		"tools/go.mod":          "module tools\n",
	})
	res := eval(t, policy.PinnedInputs{}, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	g.CommitFiles("build: floating ABC-2", map[string]string{
		"web/package-lock.json": "",
		"compose.yml":           "services:\n  db:\n    image: postgres:16\n",
		"Dockerfile.dev":        "FROM node:latest\n",
	})
	res = eval(t, policy.PinnedInputs{}, policy.Facts{Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	for _, want := range []string{"web/package.json (no lockfile", "compose.yml:3 (postgres:16)", "Dockerfile.dev:1 (node:latest)"} {
		assert.Contains(t, res.Reason, want)
	}
	assert.Contains(t, res.Reason, "3 floating")
}

func TestFeatureFlags(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	g := gittest.New(t)
	g.CommitFiles("chore: flags ABC-1", map[string]string{"flags/registry.yaml": `flags:
  - name: new-checkout
    owner: team-payments
    ticket: PAY-12
    removal: 2026-03-01
`})
	res := eval(t, policy.FeatureFlags{}, policy.Facts{Now: now, Files: files(t, g)})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	g.CommitFiles("chore: stale flags ABC-2", map[string]string{"flags/registry.yaml": `flags:
  - name: new-checkout
    owner: team-payments
    ticket: PAY-12
    removal: 2026-02-28
  - name: no-owner
    ticket: PAY-13
    removal: 2027-01-01
  - name: bad-date
    owner: x
    ticket: PAY-14
    removal: soon
`})
	res = eval(t, policy.FeatureFlags{}, policy.Facts{Now: now, Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	for _, want := range []string{"new-checkout (removal date 2026-02-28 has passed)", "no-owner (missing owner)", `bad-date (removal "soon"`} {
		assert.Contains(t, res.Reason, want)
	}

	g.CommitFiles("chore: typo ABC-3", map[string]string{"flags/registry.yaml": "flags:\n  - name: x\n    ownr: y\n"})
	res = eval(t, policy.FeatureFlags{}, policy.Facts{Now: now, Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "does not parse")

	res = eval(t, policy.FeatureFlags{Registry: "docs/flags.yaml"}, policy.Facts{Now: now, Files: files(t, g)})
	assert.Equal(t, policy.Fail, res.Status)
	assert.Contains(t, res.Reason, "docs/flags.yaml is missing")
	res = eval(t, policy.FeatureFlags{}, policy.Facts{Files: files(t, g)})
	assert.ErrorIs(t, res.Err, policy.ErrMissingEvidence)
}

// TestReadFilesLarge: a lockfile over the size limit is still found (the
// dependency control only needs it to exist), any other large file is an
// error rather than silently missing evidence.
func TestReadFilesLarge(t *testing.T) {
	dir := t.TempDir()
	big := bytes.Repeat([]byte("x"), 1<<20+1)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"dependencies": {}}`), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "package-lock.json"), big, 0o644))
	m, err := policy.ReadFiles(os.DirFS(dir))
	require.NoError(t, err)
	lock, ok := m["package-lock.json"]
	assert.True(t, ok, "the large lockfile is recorded as present")
	assert.Empty(t, lock)
	res := policy.PinnedInputs{}.Evaluate(t.Context(), policy.Facts{Files: m})
	assert.Equal(t, policy.Pass, res.Status, res.Reason)

	require.NoError(t, os.WriteFile(filepath.Join(dir, "CODEOWNERS"), big, 0o644))
	_, err = policy.ReadFiles(os.DirFS(dir))
	assert.ErrorContains(t, err, "CODEOWNERS: larger than 1 MiB")
}
