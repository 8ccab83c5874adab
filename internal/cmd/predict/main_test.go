package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
)

// history is a repository whose releases cover each kind of result: the
// first release, a graduated pre-release, a fix release, a patch with only
// chores (the maintainers' choice), a breaking change at 0.x, a feat shipped
// as a patch, and a major by decision at 0.x.
type history struct {
	repo *gittest.Repo
	h    map[string]string // commit hashes by name
}

func newHistory(t *testing.T) history {
	r := gittest.New(t)
	h := map[string]string{}
	h["init"] = r.Commit("feat: initial\n")
	r.Tag("v0.1.0", h["init"])

	h["list"] = r.Commit("feat(api): add list\n")
	r.Tag("v0.2.0-rc.1", h["list"])
	h["notes"] = r.Commit("docs: release notes\n")
	r.AnnotatedTag("v0.2.0", h["notes"], "Release v0.2.0\n")

	h["readme"] = r.Commit("docs: readme\n")
	h["empty"] = r.Commit("fix: handle empty lists\n\nRefs: #12\n")
	r.Tag("v0.2.1", h["empty"])

	h["deps"] = r.Commit("chore(deps): bump the linter\n")
	h["update"] = r.Commit("Update README.md\n")
	r.Tag("v0.2.2", h["update"])

	h["drop"] = r.Commit("feat!: drop the v1 endpoints\n")
	r.Tag("v0.3.0", h["drop"])

	h["search"] = r.Commit("feat: add search\n")
	r.Tag("v0.3.1", h["search"])

	h["flag"] = r.Commit("fix: reject an empty flag\n")
	h["rename"] = r.Commit("refactor: rename the client\n\nBREAKING CHANGE: Client is now API.\n")
	r.Tag("v1.0.0", h["rename"])
	return history{repo: r, h: h}
}

func driver(hash, level, subject string) Driver {
	return Driver{Hash: hash, Level: level, Subject: subject}
}

func TestPredict(t *testing.T) {
	hs := newHistory(t)
	h := hs.h
	rep, err := Predict(t.Context(), hs.repo.Dir, Options{Scheme: semver.Scheme{Prefix: "v"}, Last: 60})
	require.NoError(t, err)

	want := []Release{{
		Tag: "v0.1.0", Commit: h["init"], Predicted: "v0.1.0", Match: true, Kind: KindMatch,
		Level: "minor", Commits: 1,
		Drivers: []Driver{driver(h["init"], "minor", "feat: initial")},
	}, {
		// The pre-release is there before v0.2.0: its graduation.
		Tag: "v0.2.0", Commit: h["notes"], Previous: "v0.1.0", Predicted: "v0.2.0", Match: true, Kind: KindMatch,
		Level: "minor", Commits: 2,
		Drivers: []Driver{driver(h["list"], "minor", "feat(api): add list")},
	}, {
		Tag: "v0.2.1", Commit: h["empty"], Previous: "v0.2.0", Predicted: "v0.2.1", Match: true, Kind: KindMatch,
		Level: "patch", Commits: 2,
		Drivers: []Driver{driver(h["empty"], "patch", "fix: handle empty lists")},
	}, {
		// Only a chore and a non-conventional commit: the maintainers'
		// choice to release, nothing under the rules.
		Tag: "v0.2.2", Commit: h["update"], Previous: "v0.2.1", Kind: KindNothing,
		Level: "none", Commits: 2, NonConventional: 1,
		Drivers: []Driver{},
		Others: []Driver{
			driver(h["update"], "none", "Update README.md"),
			driver(h["deps"], "none", "chore(deps): bump the linter"),
		},
	}, {
		// A breaking change at 0.x bumps the minor.
		Tag: "v0.3.0", Commit: h["drop"], Previous: "v0.2.2", Predicted: "v0.3.0", Match: true, Kind: KindMatch,
		Level: "major", Commits: 1,
		Drivers: []Driver{driver(h["drop"], "major", "feat!: drop the v1 endpoints")},
	}, {
		// A feat shipped as a patch.
		Tag: "v0.3.1", Commit: h["search"], Previous: "v0.3.0", Predicted: "v0.4.0", Kind: KindHigher,
		Level: "minor", Commits: 1,
		Drivers: []Driver{driver(h["search"], "minor", "feat: add search")},
	}, {
		// Leaving 0.x is a decision: releasekit stays at 0.x.
		Tag: "v1.0.0", Commit: h["rename"], Previous: "v0.3.1", Predicted: "v0.4.0", Kind: KindLower,
		Level: "major", Commits: 2,
		Drivers: []Driver{
			driver(h["rename"], "major", "refactor: rename the client"),
			driver(h["flag"], "patch", "fix: reject an empty flag"),
		},
	}}
	assert.Equal(t, want, rep.Releases)
	assert.Equal(t, Summary{Compared: 7, Matches: 4, Higher: 1, Lower: 1, Nothing: 1}, rep.Summary)

	// -last takes the latest releases, in version order.
	rep, err = Predict(t.Context(), hs.repo.Dir, Options{Scheme: semver.Scheme{Prefix: "v"}, Last: 2})
	require.NoError(t, err)
	assert.Equal(t, want[5:], rep.Releases)
	assert.Equal(t, Summary{Compared: 2, Higher: 1, Lower: 1}, rep.Summary)
}

// TestPredictLeavesRepository checks that the prediction reads the
// repository without changing its refs.
func TestPredictLeavesRepository(t *testing.T) {
	hs := newHistory(t)
	before := hs.repo.Git("show-ref")
	_, err := Predict(t.Context(), hs.repo.Dir, Options{Scheme: semver.Scheme{Prefix: "v"}})
	require.NoError(t, err)
	assert.Equal(t, before, hs.repo.Git("show-ref"))
}

// TestPredictBare runs on a bare mirror, as the tool is used on fetched
// public repositories.
func TestPredictBare(t *testing.T) {
	hs := newHistory(t)
	bare := t.TempDir() + "/mirror.git"
	hs.repo.Git("clone", "--mirror", "--no-local", "--quiet", hs.repo.Dir, bare)
	rep, err := Predict(t.Context(), bare, Options{Scheme: semver.Scheme{Prefix: "v"}})
	require.NoError(t, err)
	assert.Equal(t, Summary{Compared: 7, Matches: 4, Higher: 1, Lower: 1, Nothing: 1}, rep.Summary)
}

func TestRun(t *testing.T) {
	hs := newHistory(t)
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run(t.Context(), []string{"-repo", hs.repo.Dir, "-json"}, &out, &errOut), errOut.String())
	var rep Report
	require.NoError(t, json.Unmarshal(out.Bytes(), &rep))
	assert.Equal(t, Summary{Compared: 7, Matches: 4, Higher: 1, Lower: 1, Nothing: 1}, rep.Summary)
	assert.Equal(t, "v", rep.Prefix)

	out.Reset()
	require.Equal(t, 0, run(t.Context(), []string{"-repo", hs.repo.Dir, "-last", "3"}, &out, &errOut), errOut.String())
	text := out.String()
	lines := strings.Split(text, "\n")
	assert.Regexp(t, `^TAG\s+PREVIOUS\s+PREDICTED\s+RESULT\s+LEVEL\s+COMMITS\s+NON-CC\s+DRIVEN BY$`, lines[0])
	assert.Regexp(t, `^v0\.3\.0\s+v0\.2\.2\s+v0\.3\.0\s+match\s+major\s+1\s+0\s+feat!: drop the v1 endpoints$`, lines[1])
	assert.Regexp(t, `^v0\.3\.1\s+v0\.3\.0\s+v0\.4\.0\s+higher\s+minor\s+1\s+0\s*$`, lines[2])
	assert.Contains(t, text, "\nv1.0.0: lower (predicted v0.4.0, 2 commits, 0 not conventional)\n  "+hs.h["rename"][:10]+" major refactor: rename the client\n  "+hs.h["flag"][:10]+" patch fix: reject an empty flag\n")
	assert.True(t, strings.HasSuffix(text, "\n3 compared: 1 match, 2 mismatch (predicted higher 1, lower 1, nothing releasable 0, error 0)\n"), text)

	assert.Equal(t, 2, run(t.Context(), []string{"-nosuch"}, &out, &errOut))
	assert.Equal(t, 2, run(t.Context(), []string{"extra"}, &out, &errOut))
	assert.Equal(t, 1, run(t.Context(), []string{"-repo", t.TempDir()}, &out, &errOut))
}
