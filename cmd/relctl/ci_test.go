package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
)

// ciRun runs the relctl binary bin in dir with the CI variables of env
// only (those of the machine running the test are removed), and returns
// stdout, stderr and the exit code.
func ciRun(t *testing.T, bin, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(withoutCI(os.Environ()), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return out.String(), errOut.String(), ee.ExitCode()
	}
	require.NoError(t, err)
	return out.String(), errOut.String(), 0
}

// withoutCI returns env without the variables relctl reports under, so that
// a test run on a CI runner does not write to the runner's files.
func withoutCI(env []string) []string {
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if k == "CI" || k == "GITLAB_CI" || k == "RELCTL_DOTENV" || strings.HasPrefix(k, "GITHUB_") {
			continue
		}
		out = append(out, kv)
	}
	return out
}

// buildRelctl builds the relctl binary into a temporary directory.
func buildRelctl(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "relctl")
	cmd := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	cmd.Dir = filepath.Join(moduleRoot, "cmd", "relctl")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", out)
	return bin
}

func ciRepo(t *testing.T) *gittest.Repo {
	g := gittest.New(t)
	g.Commit("feat: x")
	g.Tag("v1.0.0", "HEAD")
	g.Commit("fix: y")
	return g
}

func readFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(name)
	require.NoError(t, err)
	return string(b)
}

// TestCISubprocess runs the built relctl under simulated GitHub Actions and
// GitLab CI environments and checks the files they read.
func TestCISubprocess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds relctl")
	}
	bin := buildRelctl(t)
	g := ciRepo(t)

	github := func(t *testing.T) (env []string, output, summary string) {
		dir := t.TempDir()
		output, summary = filepath.Join(dir, "output"), filepath.Join(dir, "summary")
		return []string{"GITHUB_ACTIONS=true", "GITHUB_OUTPUT=" + output, "GITHUB_STEP_SUMMARY=" + summary}, output, summary
	}

	t.Run("github next", func(t *testing.T) {
		env, output, summary := github(t)
		stdout, stderr, code := ciRun(t, bin, t.TempDir(), env, "next", "--repo", g.Dir)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "v1.0.1\n", stdout)
		assert.NotContains(t, stderr, "::error")
		assert.Equal(t, "previous=v1.0.0\nnext=v1.0.1\nversion=1.0.1\nbump=patch\nlevel=patch\ncommits=1\nreleasable=true\n", readFile(t, output))
		sum := readFile(t, summary)
		assert.Contains(t, sum, "### relctl next\n")
		assert.Contains(t, sum, "| Output | Value |\n|---|---|\n")
		assert.Contains(t, sum, "| next | v1.0.1 |\n")
		assert.Contains(t, sum, "| bump | patch |\n")
	})

	t.Run("github appends", func(t *testing.T) {
		env, output, _ := github(t)
		require.NoError(t, os.WriteFile(output, []byte("earlier=1\n"), 0o644))
		_, stderr, code := ciRun(t, bin, t.TempDir(), env, "next", "--repo", g.Dir, "--json")
		require.Equal(t, 0, code, stderr)
		assert.True(t, strings.HasPrefix(readFile(t, output), "earlier=1\nprevious=v1.0.0\n"))
	})

	t.Run("github changelog notes", func(t *testing.T) {
		env, output, summary := github(t)
		_, stderr, code := ciRun(t, bin, t.TempDir(), env, "changelog", "--repo", g.Dir, "--version", "v1.0.1", "--date", "2026-01-02")
		require.Equal(t, 0, code, stderr)
		out := readFile(t, output)
		assert.True(t, strings.HasPrefix(out, "version=v1.0.1\nnotes<<RELCTL_EOF_"), out)
		first, rest, _ := strings.Cut(out, "\n")
		require.Equal(t, "version=v1.0.1", first)
		head, body, _ := strings.Cut(rest, "\n")
		delim := strings.TrimPrefix(head, "notes<<")
		assert.Contains(t, body, "y")
		assert.True(t, strings.HasSuffix(body, "\n"+delim+"\n"), body)
		assert.Contains(t, readFile(t, summary), "| version | v1.0.1 |")
	})

	t.Run("github failure annotates", func(t *testing.T) {
		env, output, summary := github(t)
		missing := filepath.Join(t.TempDir(), "missing")
		_, stderr, code := ciRun(t, bin, t.TempDir(), env, "next", "--repo", missing)
		assert.Equal(t, 2, code)
		assert.Contains(t, stderr, "::error title=relctl next::--repo "+missing+": not a directory\n")
		assert.NoFileExists(t, output)
		assert.Contains(t, readFile(t, summary), "**Failed:** --repo "+missing+": not a directory")
	})

	t.Run("github verify failure", func(t *testing.T) {
		env, output, _ := github(t)
		signers := filepath.Join(t.TempDir(), "allowed_signers")
		require.NoError(t, os.WriteFile(signers, []byte("# none\n"), 0o644))
		_, stderr, code := ciRun(t, bin, t.TempDir(), env, "verify", "--tag", "v1.0.0", "--allowed-signers", signers, "--repo", g.Dir, "--json")
		assert.Equal(t, 1, code, stderr)
		assert.Contains(t, stderr, "::error title=relctl verify::relctl verify failed: verify tag v1.0.0: tagging: tag is not signed")
		out := readFile(t, output)
		assert.Contains(t, out, "tag=v1.0.0\n")
		assert.Contains(t, out, "valid=false\n")
	})

	t.Run("gitlab dotenv default", func(t *testing.T) {
		dir := t.TempDir()
		_, stderr, code := ciRun(t, bin, dir, []string{"GITLAB_CI=true"}, "next", "--repo", g.Dir)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "RELCTL_PREVIOUS=v1.0.0\nRELCTL_NEXT=v1.0.1\nRELCTL_VERSION=1.0.1\nRELCTL_BUMP=patch\nRELCTL_LEVEL=patch\nRELCTL_COMMITS=1\nRELCTL_RELEASABLE=true\n",
			readFile(t, filepath.Join(dir, "relctl.env")))
		assert.NotContains(t, stderr, "::error")
	})

	t.Run("gitlab dotenv file", func(t *testing.T) {
		dir := t.TempDir()
		name := filepath.Join(t.TempDir(), "build.env")
		_, stderr, code := ciRun(t, bin, dir, []string{"GITLAB_CI=true", "RELCTL_DOTENV=" + name},
			"changelog", "--repo", g.Dir, "--version", "v1.0.1", "--date", "2026-01-02")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "RELCTL_VERSION=v1.0.1\n", readFile(t, name)) // notes are multi-line: left out
		assert.NoFileExists(t, filepath.Join(dir, "relctl.env"))
	})

	t.Run("not in CI", func(t *testing.T) {
		dir := t.TempDir()
		_, stderr, code := ciRun(t, bin, dir, nil, "next", "--repo", g.Dir)
		require.Equal(t, 0, code, stderr)
		assert.NoFileExists(t, filepath.Join(dir, "relctl.env"))
	})
}

func TestRunWritesNoCIReport(t *testing.T) {
	// run, as tests call it, reads no environment: even on a CI runner it
	// writes no outputs and no progress to the buffers it is given.
	g := ciRepo(t)
	out, errOut, code := relctl(t, "", "log", "--repo", g.Dir)
	require.Equal(t, 0, code)
	assert.Equal(t, 2, strings.Count(out, "\n"))
	assert.Empty(t, errOut)
	assert.Nil(t, newProgress(&bytes.Buffer{}, "x"))
}

func TestCIFormats(t *testing.T) {
	fields := []ciField{{"next", "v1.0.1"}, {"notes", "## v1\n\n- y\n"}, {"title", "a|b"}}
	t.Run("outputs", func(t *testing.T) {
		out := string(ghOutputs(fields))
		lines := strings.Split(out, "\n")
		require.Len(t, lines, 8)
		assert.Equal(t, "next=v1.0.1", lines[0])
		delim, ok := strings.CutPrefix(lines[1], "notes<<")
		require.True(t, ok)
		assert.Equal(t, []string{"## v1", "", "- y", delim, "title=a|b", ""}, lines[2:])
	})
	t.Run("dotenv", func(t *testing.T) {
		assert.Equal(t, "RELCTL_NEXT=v1.0.1\nRELCTL_TITLE=a|b\n", string(dotenv(fields)))
	})
	t.Run("summary", func(t *testing.T) {
		rep := &ciReport{command: "changelog", fields: fields}
		sum := string(ghSummary(rep, nil))
		assert.Contains(t, sum, "| next | v1.0.1 |\n| title | a\\|b |\n")
		assert.Contains(t, sum, "<summary>notes</summary>\n\n## v1\n\n- y\n\n</details>")
	})
	t.Run("no command", func(t *testing.T) {
		assert.Equal(t, "::error title=relctl::missing command", ghAnnotation(&ciReport{}, errors.New("missing command")))
	})
	t.Run("policy rows", func(t *testing.T) {
		rep := &ciReport{command: "policy"}
		rep.set("result", "deny")
		rep.row([2]string{"Failed control", "Reason"}, "SIG-1", "tag\nunsigned")
		sum := string(ghSummary(rep, errSilent))
		assert.Contains(t, sum, "| result | deny |\n\n| Failed control | Reason |\n|---|---|\n| SIG-1 | tag unsigned |\n")
		assert.Contains(t, sum, "**Failed:** relctl policy failed: SIG-1")
	})

	tests := []struct {
		name, title, msg, want string
	}{
		{"plain", "relctl next", "bad", "::error title=relctl next::bad"},
		{"escaped", "relctl a:b,c", "100% done\r\nnext", "::error title=relctl a%3Ab%2Cc::100%25 done%0D%0Anext"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := &ciReport{command: strings.TrimPrefix(tt.title, "relctl ")}
			assert.Equal(t, tt.want, ghAnnotation(rep, errors.New(tt.msg)))
		})
	}
	for args, want := range map[string]string{"next --json": "next", "log verify --store d": "log verify", "log --since v1": "log", "": ""} {
		assert.Equal(t, want, ciCommand(strings.Fields(args)), "ciCommand(%q)", args)
	}
	var nilRep *ciReport
	nilRep.set("a", "b") // not in CI: ignored
	nilRep.row([2]string{}, "a", "b")
}

// ciRelctl runs relctl in-process under a GitHub Actions environment and
// returns the exit code, the outputs and the step summary written.
func ciRelctl(t *testing.T, args ...string) (code int, output, summary, stderr string) {
	t.Helper()
	dir := t.TempDir()
	env := ciEnv{github: true, output: filepath.Join(dir, "output"), summary: filepath.Join(dir, "summary")}
	var out, errOut bytes.Buffer
	err := runCI(t.Context(), env, args, strings.NewReader(""), &out, &errOut)
	code = exitCode(err, &errOut)
	read := func(name string) string {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) {
			return ""
		}
		require.NoError(t, err)
		return string(b)
	}
	return code, read(env.output), read(env.summary), errOut.String()
}

func TestCIOutputsOfCommands(t *testing.T) {
	t.Run("tag", func(t *testing.T) {
		g := ciRepo(t)
		code, output, summary, stderr := ciRelctl(t, "tag", "--name", "v1.0.1", "--rev", "HEAD", "--unsigned", "--repo", g.Dir)
		require.Equal(t, 0, code, stderr)
		head := g.Head()
		assert.Contains(t, output, "tag=v1.0.1\ncommit="+head+"\nobject=")
		assert.Contains(t, summary, "| commit | "+head+" |")
	})
	t.Run("policy", func(t *testing.T) {
		g, config, pr := policyRepo(t)
		code, output, summary, stderr := ciRelctl(t, "policy", "--config", config, "--repo", g.Dir, "--pr", pr)
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "result=allow\nfailed=0\n", output)
		assert.Contains(t, summary, "| result | allow |")

		g.Commit("fix: no ticket")
		code, output, summary, stderr = ciRelctl(t, "policy", "--config", config, "--repo", g.Dir, "--pr", pr, "--format", "json")
		assert.Equal(t, 1, code)
		assert.Equal(t, "result=deny\nfailed=1\n", output)
		assert.Contains(t, summary, "| Failed control | Reason |\n|---|---|\n| REL-COMMIT-001 | ")
		assert.Contains(t, stderr, "::error title=relctl policy::relctl policy failed: REL-COMMIT-001\n")
	})
	t.Run("promote and rollback", func(t *testing.T) {
		g := evidenceRepo(t)
		store := t.TempDir()
		d1 := releaseRecord(t, g, store, "v1.0.0", "build 1")
		d2 := releaseRecord(t, g, store, "v1.1.0", "build 2")
		for _, rel := range [][2]string{{"v1.0.0", d1}, {"v1.1.0", d2}} {
			for _, env := range []string{"dev", "staging", "prod"} {
				_, errOut, code := runTagCmd(t, cmdPromote, "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", rel[0], "--env", env, "--digest", rel[1], "--approver", "alice", "--reason", "ok")
				require.Equal(t, 0, code, errOut)
			}
		}
		code, output, _, stderr := ciRelctl(t, "rollback", "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--env", "prod", "--approver", "bob", "--reason", "errors")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "release=v1.0.0\nenv=prod\ndigest="+d1+"\n", output)
		code, output, _, stderr = ciRelctl(t, "promote", "--repo", g.Dir, "--releaser", "release-bot", "--store", store, "--release", "v1.1.0", "--env", "prod", "--digest", d2, "--approver", "carol", "--reason", "fixed")
		require.Equal(t, 0, code, stderr)
		assert.Equal(t, "release=v1.1.0\nenv=prod\ndigest="+d2+"\n", output)
	})
}

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, label: "relctl log"}
	for range progressEvery - 1 {
		p.add(1)
	}
	assert.Empty(t, buf.String())
	p.add(1)
	p.add(2 * progressEvery)
	assert.Equal(t, "\rrelctl log: 1000 commits\rrelctl log: 3000 commits", buf.String())
	p.done()
	assert.True(t, strings.HasSuffix(buf.String(), "\r\033[K"))

	var none *progress // stderr is not a terminal
	none.add(progressEvery)
	none.done()
}

func TestVersionAndUsageDocumentExitCodes(t *testing.T) {
	out, _, code := relctl(t, "", "--version")
	require.Equal(t, 0, code)
	assert.Contains(t, out, "Exit codes: 0 ok, 1 a control or verification failed, 2 bad usage or input.")
	out, _, _ = relctl(t, "", "--help")
	assert.Contains(t, out, "Exit codes: 0 ok, 1 a control or verification failed, 2 bad usage or input.")
	assert.Contains(t, out, "GITHUB_OUTPUT")
	for _, cmd := range []string{"next", "verify", "tag", "changelog", "policy", "promote", "rollback"} {
		_, errOut, code := relctl(t, "", cmd, "--help")
		require.Equal(t, 0, code, cmd)
		assert.Contains(t, errOut, "RELCTL_DOTENV", cmd)
		assert.Contains(t, errOut, "GITHUB_OUTPUT", cmd)
	}
}
