package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

func TestNextJSON(t *testing.T) {
	g := history(t)
	out, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res["previous"])
	assert.Equal(t, "v1.1.0", res["next"])
	assert.Equal(t, "minor", res["bump"])
	assert.Equal(t, float64(3), res["commits"])
	assert.Equal(t, true, res["releasable"])
	assert.Equal(t, g.Head(), res["commit"])

	out, _, code = relctl(t, "", "next", "--repo", g.Dir)
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.1.0\n", out)

	out, _, code = relctl(t, "", "next", "--repo", g.Dir, "--channel", "rc")
	require.Equal(t, 0, code)
	assert.Equal(t, "v1.1.0-rc.1\n", out)

	out, _, code = relctl(t, "", "next", "--repo", g.Dir, "--rev", "HEAD~3", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.0.0", res["previous"])
	assert.Equal(t, "v1.0.0", res["next"], "nothing releasable: next equals previous")
	assert.Equal(t, "none", res["bump"])
	assert.Equal(t, float64(0), res["commits"])
}

func TestNextDemoFlag(t *testing.T) {
	out, errOut, code := relctl(t, "", "next", "--demo", "--json")
	require.Equal(t, 0, code, errOut)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "v1.2.0", res.Previous)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.True(t, res.Demo)
	assert.Contains(t, errOut, "demo repository")

	out, _, code = relctl(t, "", "log", "--demo", "--since", "v1.2.0")
	require.Equal(t, 0, code)
	assert.Equal(t, 4, strings.Count(out, "\n"))
}

func TestNextNoTags(t *testing.T) {
	g := gittest.New(t)
	g.Commit("chore: start")
	out, _, code := relctl(t, "", "next", "--repo", g.Dir, "--json")
	require.Equal(t, 0, code)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "", res.Previous)
	assert.Equal(t, "v0.1.0", res.Next)
}

func TestNextComponent(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("feat(api): a", map[string]string{"api/a.go": "a"})
	g.Tag("api/v1.0.0", "HEAD")
	g.CommitFiles("fix(web): b", map[string]string{"web/b.js": "b"})
	g.CommitFiles("fix(api): c", map[string]string{"api/a.go": "c"})
	out, _, code := relctl(t, "", "next", "--repo", g.Dir, "--component", "api", "--json")
	require.Equal(t, 0, code)
	var res nextResult
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, "api/v1.0.0", res.Previous)
	assert.Equal(t, "api/v1.0.1", res.Next)
	assert.Equal(t, 1, res.Commits)
}

func TestNextReleaseBranch(t *testing.T) {
	g := gittest.New(t)
	g.Commit("feat: a")
	g.Tag("v1.4.0", "HEAD")
	g.Commit("feat: on the release branch")
	_, errOut, code := relctl(t, "", "next", "--repo", g.Dir, "--branch", "release/1.4")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, g.Head())
}
