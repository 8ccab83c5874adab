package main

import (
	"encoding/json"
	"strings"
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

// TestParseChanges: parse shows each change a message yields and where it
// was read; a squash body's bullets yield none.
func TestParseChanges(t *testing.T) {
	type change = map[string]any
	tests := []struct {
		name string
		msg  string
		args []string
		want []any
		text string
	}{
		{"squash", "feat: create Scm abstraction (#2729)\n\n* feat!: remove unused createReleaasePullRequest method\n\n* chore: fix lint\n", nil,
			[]any{change{"type": "feat", "scope": "", "breaking": false, "origin": "header"}},
			"changes: 1\n  feat (from the header)\n"},
		{"breaking footer after a list", "refactor(core): x\n\nBREAKING CHANGE: renamed:\n\n- a\n- b\n", nil,
			[]any{change{"type": "refactor", "scope": "core", "breaking": true, "origin": "header", "breaking_from": "footer"}},
			"changes: 1\n  refactor(core) BREAKING (from the header, breaking by a BREAKING CHANGE footer)\n"},
		{"override", "chore: squash\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api)!: x\nfix: y\nEND_COMMIT_OVERRIDE\n", []string{"--override"},
			[]any{change{"type": "feat", "scope": "api", "breaking": true, "origin": "override", "breaking_from": "header"},
				change{"type": "fix", "scope": "", "breaking": false, "origin": "override"}},
			"changes: 2\n  feat(api) BREAKING (from the override block, breaking by a \"!\" in its header)\n  fix (from the override block)\n"},
		{"override off", "chore: squash\n\nBEGIN_COMMIT_OVERRIDE\nfeat(api)!: x\nEND_COMMIT_OVERRIDE\n", nil,
			[]any{change{"type": "chore", "scope": "", "breaking": false, "origin": "header"}}, "changes: 1\n  chore (from the header)\n"},
		{"additional", "feat: a\n\nfix(u): b\n", []string{"--additional"},
			[]any{change{"type": "feat", "scope": "", "breaking": false, "origin": "header"},
				change{"type": "fix", "scope": "u", "breaking": false, "origin": "additional"}},
			"changes: 2\n  feat (from the header)\n  fix(u) (from an additional header)\n"},
		{"revert", "Revert \"fix(x): a (#1…\" (#13406)\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n", nil,
			[]any{}, "  reverts: 0123456789abcdef0123456789abcdef01234567\nchanges: 0\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := relctl(t, tc.msg, append([]string{"parse", "--json"}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			var res map[string]any
			require.NoError(t, json.Unmarshal([]byte(out), &res))
			assert.Equal(t, tc.want, res["changes"])
			assert.Contains(t, res, "conventional", "the existing fields stay")
			out, errOut, code = relctl(t, tc.msg, append([]string{"parse"}, tc.args...)...)
			require.Equal(t, 0, code, errOut)
			assert.True(t, strings.HasSuffix(out, tc.text), "text output:\n%s", out)
		})
	}
}
