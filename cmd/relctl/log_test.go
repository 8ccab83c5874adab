package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLogJSONLines(t *testing.T) {
	g := history(t)
	g.Branch("side", "HEAD~1")
	g.Checkout("side")
	g.Commit("fix: on a side branch")
	g.Checkout("main")
	g.Merge("side", "Merge branch 'side'")
	out, errOut, code := relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0")
	require.Equal(t, 0, code, errOut)
	var hashes []string
	sc := bufio.NewScanner(strings.NewReader(out))
	for sc.Scan() {
		var line map[string]any
		require.NoError(t, json.Unmarshal(sc.Bytes(), &line))
		hashes = append(hashes, line["hash"].(string))
		assert.Contains(t, line, "conventional")
		assert.Contains(t, line, "author")
	}
	assert.Equal(t, g.RevList("v1.0.0..HEAD"), hashes)

	out, _, code = relctl(t, "", "log", "--repo", g.Dir, "--since", "v1.0.0", "--first-parent")
	require.Equal(t, 0, code)
	assert.Equal(t, len(g.RevList("--first-parent", "v1.0.0..HEAD")), strings.Count(out, "\n"))
}

// TestLogVerifyRouting: `relctl log verify` reaches the audit-log verifier,
// while `relctl log` stays the commit log.
func TestLogVerifyRouting(t *testing.T) {
	out, errOut, code := relctl(t, "", "log", "verify", "--store", t.TempDir(), "--json")
	require.Equal(t, 0, code, errOut)
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(out), &res))
	assert.Equal(t, true, res["valid"])
	assert.Equal(t, float64(0), res["entries"])
}

// TestLogVerifyCheckpointSignature: without a key the checkpoint's
// signature is reported as not checked, never as valid, even when it is
// garbage; with a key a good one is valid and a garbage one fails.
func TestLogVerifyCheckpointSignature(t *testing.T) {
	key, allowed := tagSSHKey(t)
	store := t.TempDir()
	cp := filepath.Join(t.TempDir(), "checkpoint.json")
	_, errOut, code := relctl(t, "", "log", "verify", "--store", store, "--write-checkpoint", cp, "--sign-key", key)
	require.Equal(t, 0, code, errOut)
	require.FileExists(t, cp+".sig")

	status := func(args ...string) (string, int) {
		t.Helper()
		out, errOut, code := relctl(t, "", append([]string{"log", "verify", "--store", store, "--checkpoint", cp, "--json"}, args...)...)
		if code != 0 {
			return errOut, code
		}
		var res map[string]any
		require.NoError(t, json.Unmarshal([]byte(out), &res), out)
		require.Contains(t, res, "checkpoint_signature")
		return res["checkpoint_signature"].(string), code
	}
	got, code := status()
	assert.Equal(t, 0, code)
	assert.Equal(t, "not checked (no key given)", got)
	got, code = status("--allowed-signers", allowed)
	assert.Equal(t, 0, code)
	assert.Equal(t, "valid", got)

	out, errOut, code := relctl(t, "", "log", "verify", "--store", store, "--checkpoint", cp)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "\ncheckpoint signature: not checked (no key given)\n")

	require.NoError(t, os.WriteFile(cp+".sig", []byte("garbage"), 0o644))
	got, code = status()
	assert.Equal(t, 0, code)
	assert.Equal(t, "not checked (no key given)", got, "a garbage signature without a key is still not checked")
	_, code = status("--allowed-signers", allowed)
	assert.Equal(t, 1, code, "with a key a garbage signature fails")

	require.NoError(t, os.Remove(cp+".sig"))
	got, code = status()
	assert.Equal(t, 0, code)
	assert.Equal(t, "none (unsigned checkpoint)", got)

	out, errOut, code = relctl(t, "", "log", "verify", "--store", store, "--json")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, `"checkpoint_signature": "no checkpoint"`)
}

// TestReadingAMissingStore: a command that reads the evidence store refuses
// a directory that is not there (exit 2) and does not create it; only
// record init makes a store.
func TestReadingAMissingStore(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "no-store")
	for _, args := range [][]string{
		{"log", "verify", "--store", missing},
		{"record", "show", "--store", missing, "--release", "v1.0.0"},
	} {
		_, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.Contains(t, errOut, "no evidence store there")
		_, err := os.Stat(missing)
		assert.True(t, os.IsNotExist(err), "%v created the store", args)
	}
}
