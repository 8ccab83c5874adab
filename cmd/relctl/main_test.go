package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/sbom"
)

// relctl runs the command in-process and returns stdout, stderr and the
// exit code main would use.
func relctl(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), args, strings.NewReader(stdin), &out, &errOut)
	code := exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func history(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.Commit("feat: first\n\nRefs: PROJ-1")
	g.AnnotatedTag("v1.0.0", "HEAD", "Release v1.0.0")
	g.Commit("fix(api): second (#12)")
	g.Commit("docs: words")
	g.Commit("feat(cli): third\n\nRefs: PROJ-3")
	return g
}

// runTagCmd runs a subcommand function and returns stdout, stderr and the exit
// code main would use.
func runTagCmd(t *testing.T, cmd func(context.Context, []string, io.Reader, io.Writer, io.Writer) error, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := cmd(t.Context(), args, strings.NewReader(""), &out, &errOut)
	code := exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

func tagSSHKey(t *testing.T) (key, allowed string) {
	t.Helper()
	if _, err := exec.LookPath("ssh-keygen"); err != nil {
		t.Skip("ssh-keygen is not installed (.ci/run installs it)")
	}
	dir := t.TempDir()
	key = filepath.Join(dir, "id_ed25519")
	out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bot", "-f", key).CombinedOutput()
	require.NoError(t, err, string(out))
	pub, err := os.ReadFile(key + ".pub")
	require.NoError(t, err)
	f := strings.Fields(string(pub))
	allowed = filepath.Join(dir, "allowed_signers")
	require.NoError(t, os.WriteFile(allowed, []byte("bot@example.com "+f[0]+" "+f[1]+"\n"), 0o644))
	return key, allowed
}

// completeRecordArgs fills the fields record init cannot know.
var completeRecordArgs = []string{
	"provenance.build_id=run-1", "provenance.ref=att://run-1",
	"check.unit=pass", "rollback.method=redeploy", "rollback.version=none",
	"known_issue=none", "window.start=2026-01-05T09:00:00Z", "window.end=2026-01-05T11:00:00Z",
}

// releaseRecord creates a complete record for tag with one artifact file
// and returns its digest.
func releaseRecord(t *testing.T, g *gittest.Repo, store, tag, content string) string {
	t.Helper()
	return releaseRecordIn(t, g, []string{"--store", store}, tag, content)
}

// releaseRecordIn is releaseRecord for any store flags.
func releaseRecordIn(t *testing.T, g *gittest.Repo, store []string, tag, content string) string {
	t.Helper()
	dir := t.TempDir()
	art := filepath.Join(dir, "app.bin")
	require.NoError(t, os.WriteFile(art, []byte(content), 0o644))
	sbomFile := filepath.Join(dir, "sbom.json")
	subject, err := sbom.SubjectOf("app.bin", strings.NewReader(content))
	require.NoError(t, err)
	doc, err := sbom.ForArtifact(subject, sbom.WithTimestamp(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)))
	require.NoError(t, err)
	bom, err := doc.Bytes(sbom.JSON)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(sbomFile, bom, 0o644))

	run := func(sub string, args ...string) (string, string, int) {
		return runTagCmd(t, cmdRecord, append(append([]string{sub, "--release", tag}, store...), args...)...)
	}
	_, errOut, code := run("init", "--repo", g.Dir)
	require.Equal(t, 0, code, errOut)
	_, errOut, code = run("add-artifact", "--name", "app", "--file", art, "--uri", "registry.example.com/app")
	require.Equal(t, 0, code, errOut)
	_, errOut, code = run("attach-sbom", "--artifact", "app", "--sbom", sbomFile)
	require.Equal(t, 0, code, errOut)
	set := completeRecordArgs
	if tag != "v1.0.0" {
		// A later release names v1.0.0, when the store has it, as its
		// rollback target (Promote checks it once production ran a release).
		prev, _, code := runTagCmd(t, cmdRecord, append([]string{"show", "--release", "v1.0.0", "--json"}, store...)...)
		if code == 0 {
			r, err := manifest.ParseRecord([]byte(prev))
			require.NoError(t, err)
			set = append(slices.Clone(set), "rollback.version=v1.0.0", "rollback.digest="+r.Artifacts[0].Digest)
		}
	}
	_, errOut, code = run("set", set...)
	require.Equal(t, 0, code, errOut)
	out, errOut, code := run("check")
	require.Equal(t, 0, code, out+errOut)
	return manifest.Digest([]byte(content))
}

// evidenceRepo returns a repository with two releases, v1.0.0 and v1.1.0,
// whose tags are signed by the key its release configuration
// (.releasekit.yaml, testConfig) trusts: promotions into prod pass with
// --repo g.Dir --releaser release-bot and an approver among alice, bob
// and carol.
func evidenceRepo(t *testing.T) *gittest.Repo {
	t.Helper()
	g := gittest.New(t)
	key, allowed := tagSSHKey(t)
	b, err := os.ReadFile(allowed)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, "allowed_signers"), b, 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(g.Dir, ".releasekit.yaml"), []byte(testConfig), 0o644))
	c1 := g.Commit("feat: first (#1)\n\nRefs: PROJ-1\n")
	signTag(t, g, key, "v1.0.0", c1)
	c2 := g.Commit("fix: second (#2)\n\nRefs: PROJ-2\n")
	signTag(t, g, key, "v1.1.0", c2)
	return g
}

// testConfig is evidenceRepo's release configuration.
const testConfig = `version: 1
trust:
  tags:
    allowed_signers: allowed_signers
environments:
  - name: dev
  - name: staging
  - name: prod
    production: true
    approvers: [alice, bob, carol, dana]
    permissions:
      deploy: [release-bot]
      rollback: [release-bot]
`

// signTag makes the SSH-signed release tag name at rev with relctl tag.
func signTag(t *testing.T, g *gittest.Repo, key, name, rev string) {
	t.Helper()
	_, errOut, code := runTagCmd(t, cmdTag, "--repo", g.Dir, "--name", name, "--rev", rev, "--sign", "ssh", "--key", key, "--tagger", "Release Bot <bot@example.com>")
	require.Equal(t, 0, code, errOut)
}

func TestUsageErrors(t *testing.T) {
	g := history(t)
	for _, args := range [][]string{
		{},
		{"nope"},
		{"next", "--repo", g.Dir, "--channel", "gamma"},
		{"next", "--repo", g.Dir, "--rev", "no-such-rev"},
		{"next", "--repo", g.Dir, "--bogus"},
		{"next", "--repo", g.Dir, "--initial", "1.0"},
		{"next", "--repo", g.Dir, "--branch", "main"},
		{"next", "--repo", filepath.Join(g.Dir, "missing")},
		{"log", "--repo", g.Dir, "--since", "v9"},
		{"parse", "extra"},
	} {
		_, errOut, code := relctl(t, "", args...)
		assert.Equal(t, 2, code, "%v: %s", args, errOut)
		assert.NotEmpty(t, errOut, "%v", args)
	}
	_, _, code := relctl(t, "", "next", "--help")
	assert.Equal(t, 0, code)
	out, _, code := relctl(t, "", "--version")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "relctl")
}

// TestBinaryDemo builds relctl and runs it where there is no repository:
// next exits 2 naming the directory (no made-up answer), and with --demo
// works on the demo repository, as the README shows.
func TestBinaryDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "relctl")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = filepath.Join(moduleRoot, "cmd", "relctl")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())
	dir := t.TempDir()
	env := append(withoutCI(os.Environ()), "GIT_CEILING_DIRECTORIES="+filepath.Dir(dir))

	cmd := exec.Command(bin, "next", "--json")
	cmd.Dir = dir
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var ee *exec.ExitError
	require.True(t, errors.As(err, &ee), "next outside a repository: %v", err)
	assert.Equal(t, 2, ee.ExitCode())
	assert.Empty(t, out)
	assert.Contains(t, stderr.String(), "no git repository in "+dir)

	cmd = exec.Command(bin, "next", "--demo", "--json")
	cmd.Dir = dir
	cmd.Env = env
	stderr.Reset()
	cmd.Stderr = &stderr
	out, err = cmd.Output()
	require.NoError(t, err, stderr.String())
	var res nextResult
	require.NoError(t, json.Unmarshal(out, &res))
	assert.Equal(t, "v1.2.0", res.Previous)
	assert.Equal(t, "v1.3.0", res.Next)
	assert.Equal(t, "minor", res.Bump)
	assert.Equal(t, "minor", res.Level)
	assert.True(t, res.Demo)
	assert.Contains(t, stderr.String(), "demo repository")
	assert.Contains(t, stderr.String(), " update readme\n", "the demo's non-conventional commit is listed")

	cmd = exec.Command(bin, "next", "--demo", "--channel", "delta")
	cmd.Dir = dir
	cmd.Env = withoutCI(os.Environ())
	err = cmd.Run()
	require.True(t, errors.As(err, &ee))
	assert.Equal(t, 2, ee.ExitCode())
}

// TestAdvertisedJSON checks that every command line the usage texts show
// with --json accepts it: --json --help parses and prints help.
func TestAdvertisedJSON(t *testing.T) {
	var entries []string
	for _, text := range []string{usage, sbomUsage} {
		for _, line := range strings.Split(text, "\n") {
			trimmed := strings.TrimSpace(line)
			switch {
			case strings.HasPrefix(trimmed, "relctl "):
				entries = append(entries, trimmed)
			case len(entries) > 0 && strings.HasPrefix(line, "   ") && trimmed != "":
				entries[len(entries)-1] += " " + trimmed
			}
		}
	}
	tested := map[string]bool{}
	for _, e := range entries {
		if !strings.Contains(e, "--json") {
			continue
		}
		// The words before the first flag or group are the command;
		// "a|b" are alternatives and "[a]" an optional word.
		cmds := [][]string{nil}
		for _, w := range strings.Fields(e)[1:] {
			if strings.HasPrefix(w, "-") || strings.HasPrefix(w, "(") || (strings.HasPrefix(w, "[") && strings.HasPrefix(strings.Trim(w, "[]"), "-")) {
				break
			}
			var next [][]string
			alts := strings.Split(strings.Trim(w, "[]"), "|")
			for _, c := range cmds {
				if strings.HasPrefix(w, "[") {
					next = append(next, c)
				}
				for _, a := range alts {
					next = append(next, append(slices.Clone(c), a))
				}
			}
			cmds = next
		}
		for _, c := range cmds {
			if tested[strings.Join(c, " ")] {
				continue
			}
			tested[strings.Join(c, " ")] = true
			args := append(c, "--json", "--help")
			t.Run(strings.Join(c, " "), func(t *testing.T) {
				_, errOut, code := relctl(t, "", args...)
				assert.Equal(t, 0, code, "relctl %s advertises --json: %s", strings.Join(args, " "), errOut)
			})
		}
	}
	assert.GreaterOrEqual(t, len(tested), 15, "the usage texts were read")
}
