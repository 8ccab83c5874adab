package main

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseJSON(t *testing.T) {
	msg := "feat(api)!: drop v1 (#42)\r\n\r\nBody.\r\n\r\nBREAKING CHANGE: v1 is gone\r\nRefs: PROJ-12\r\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\r\n"
	out, errOut, code := relctl(t, msg, "parse", "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	for _, k := range []string{"conventional", "type", "scope", "breaking", "description", "body", "footers", "tickets", "pr", "cherry_picked_from", "reverts", "merge"} {
		assert.Contains(t, res, k)
	}
	assert.Equal(t, true, res["conventional"])
	assert.Equal(t, "feat", res["type"])
	assert.Equal(t, "api", res["scope"])
	assert.Equal(t, true, res["breaking"])
	assert.Equal(t, float64(42), res["pr"])
	assert.Equal(t, false, res["merge"])
	assert.Nil(t, res["reverts"])
	assert.Equal(t, []any{map[string]any{"key": "BREAKING CHANGE", "value": "v1 is gone"}, map[string]any{"key": "Refs", "value": "PROJ-12"}}, res["footers"])
	assert.Equal(t, []any{"PROJ-12"}, res["tickets"])
	assert.Equal(t, []any{"0123456789abcdef0123456789abcdef01234567"}, res["cherry_picked_from"])
	assert.NotContains(t, out, `\r`)

	out, _, code = relctl(t, "Merge pull request #7 from user/branch\n\nfeat: x", "parse", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["merge"])
	assert.Equal(t, float64(7), res["pr"])

	out, _, code = relctl(t, "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n", "parse", "--json")
	require.Equal(t, 0, code)
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, map[string]any{"header": "feat: x", "hash": "0123456789abcdef0123456789abcdef01234567"}, res["reverts"])
	assert.Nil(t, res["pr"])

	out, _, code = relctl(t, "just words", "parse", "--json")
	require.Equal(t, 0, code, "a non-conventional message is reported, not refused")
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, false, res["conventional"])
	assert.NotEmpty(t, res["error"])
	_, _, code = relctl(t, "just words", "parse", "--strict")
	assert.Equal(t, 1, code)

	_, _, code = relctl(t, "feat: \xff\xfe", "parse", "--json")
	assert.Equal(t, 2, code, "invalid UTF-8 is bad input")
}
