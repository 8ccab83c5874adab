package main

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/config"
)

// runConfig runs `relctl config ...` and returns stdout, stderr and main's
// exit code.
func runConfig(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(t.Context(), append([]string{"config"}, args...), strings.NewReader(""), &out, &errOut)
	code := exitCode(err, &errOut)
	return out.String(), errOut.String(), code
}

// exampleConfigs returns every example configuration of the repository:
// .releasekit.yaml files and examples/**/releasekit*.yaml.
func exampleConfigs(t *testing.T) []string {
	t.Helper()
	root := moduleRoot
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if path != root && (name == ".git" || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if name == config.FileName || (strings.HasPrefix(rel, "examples/") && strings.HasPrefix(name, "releasekit") && (strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml"))) {
			files = append(files, path)
		}
		return nil
	})
	require.NoError(t, err)
	return files
}

// TestConfigExamplesValidate: every example configuration in the
// repository validates.
func TestConfigExamplesValidate(t *testing.T) {
	files := exampleConfigs(t)
	require.GreaterOrEqual(t, len(files), 2, "the repository's own and the CI example's configuration")
	for _, f := range files {
		t.Run(filepath.ToSlash(f), func(t *testing.T) {
			out, errOut, code := runConfig(t, "validate", "--config", f)
			assert.Equal(t, 0, code, errOut)
			assert.Equal(t, "valid: "+f+"\n", out)
		})
	}
}

// TestConfigValidateRefuses: a typo'd key, a wrong type and a duplicate
// key each exit 2 with the line (and column) of the problem.
func TestConfigValidateRefuses(t *testing.T) {
	base := "version: 1\nenvironments:\n  - name: dev\n  - name: prod\n    production: true\n    approvers: [cleo@example.com]\n"
	for _, tc := range []struct {
		name, content, want string
	}{
		{"typo", base + "enviroments: []\n", `:7:1: unknown key "enviroments"`},
		{"nested typo", base + "    aprovers: [dan]\n", `:7:5: environments[1]: unknown key "aprovers"`},
		{"wrong type", strings.Replace(base, "production: true", "production: 1", 1), ":5:17: environments[1].production: want boolean, got number"},
		{"duplicate key", base + "version: 1\n", `:7:1: key "version" already defined`},
		{"no approvers", "version: 1\nenvironments:\n  - name: prod\n    production: true\n", `:3:11: environment "prod" is production and names no approvers`},
		{"version", "version: 3\n", ":1:10: version 3 is not supported"},
		{"syntax", "version: 1\nenvironments: [\n", ":2:1: YAML syntax:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), config.FileName)
			require.NoError(t, os.WriteFile(f, []byte(tc.content), 0o644))
			out, errOut, code := runConfig(t, "validate", "--config", f)
			assert.Equal(t, 2, code)
			assert.Empty(t, out)
			assert.Contains(t, errOut, f+tc.want)
			assert.Regexp(t, regexp.MustCompile(`(?m)^`+regexp.QuoteMeta(f)+`:\d+:\d+: `), errOut)
		})
	}
}

// TestConfigValidateEveryProblem: all problems are listed, one per line.
func TestConfigValidateEveryProblem(t *testing.T) {
	f := filepath.Join(t.TempDir(), config.FileName)
	require.NoError(t, os.WriteFile(f, []byte("version: 1\nenviroments: []\nstores: {store: 1}\nversion: 1\n"), 0o644))
	_, errOut, code := runConfig(t, "validate", "--config", f)
	assert.Equal(t, 2, code)
	lines := strings.Split(strings.TrimSpace(errOut), "\n")
	require.Len(t, lines, 3, errOut)
	assert.Contains(t, lines[0], ":2:1: ")
	assert.Contains(t, lines[1], ":3:17: stores.store: want string, got number")
	assert.Contains(t, lines[2], `:4:1: key "version" already defined`)
}

func TestConfigValidateNotRegular(t *testing.T) {
	_, errOut, code := runConfig(t, "validate", "--config", t.TempDir())
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "is a directory")
	_, errOut, code = runConfig(t, "validate", "--config", filepath.Join(t.TempDir(), "none.yaml"))
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no such file")
}

func TestConfigExplain(t *testing.T) {
	f := filepath.Join(moduleRoot, "examples", "ci", "releasekit.yaml")
	out, errOut, code := runConfig(t, "explain", "--config", f, "--env", "prod", "--format", "markdown")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "## Environment prod")
	assert.Contains(t, out, "| approve | cleo, dan |")
	assert.NotContains(t, out, "## Environment dev")

	out, _, code = runConfig(t, "explain", "--config", f)
	require.Equal(t, 0, code)
	assert.Contains(t, out, "configure: not restricted by identity")

	out, _, code = runConfig(t, "explain", "--config", f, "--format", "json")
	require.Equal(t, 0, code)
	assert.Contains(t, out, `"order": [`)

	_, errOut, code = runConfig(t, "explain", "--config", f, "--env", "qa")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unknown environment "qa"`)

	_, errOut, code = runConfig(t, "explain", "--config", f, "--format", "html")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `--format "html"`)
}

func TestConfigUsage(t *testing.T) {
	_, _, code := runConfig(t)
	assert.Equal(t, 2, code)
	_, _, code = runConfig(t, "lint")
	assert.Equal(t, 2, code)
	out, _, code := runConfig(t, "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, out, "relctl config validate")
	_, errOut, code := runConfig(t, "validate", "--help")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "-config FILE")
	_, _, code = runConfig(t, "validate", "extra")
	assert.Equal(t, 2, code)
}

func TestLoadConfig(t *testing.T) {
	repo := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(repo, ".git"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(repo, "sub"), 0o755))

	// No configuration: nil, and no error.
	cfg, err := loadConfig("", filepath.Join(repo, "sub"))
	require.NoError(t, err)
	assert.Nil(t, cfg)

	good := "version: 1\nenvironments: [{name: dev}, {name: prod, production: true, approvers: [cleo]}]\n"
	require.NoError(t, os.WriteFile(filepath.Join(repo, config.FileName), []byte(good), 0o644))
	cfg, err = loadConfig("", filepath.Join(repo, "sub"))
	require.NoError(t, err)
	require.NotNil(t, cfg)
	assert.Equal(t, []string{"dev", "prod"}, cfg.Order())

	// --config wins over the file found.
	other := filepath.Join(t.TempDir(), "other.yaml")
	require.NoError(t, os.WriteFile(other, []byte("version: 1\nenvironments: [{name: qa}]\n"), 0o644))
	cfg, err = loadConfig(other, repo)
	require.NoError(t, err)
	assert.Equal(t, []string{"qa"}, cfg.Order())

	// A bad file is a usage error (exit 2) listing its problems.
	require.NoError(t, os.WriteFile(filepath.Join(repo, config.FileName), []byte("version: 1\nfoo: 1\nbar: 2\n"), 0o644))
	_, err = loadConfig("", repo)
	require.ErrorIs(t, err, config.ErrInvalid)
	var errOut bytes.Buffer
	assert.Equal(t, 2, exitCode(err, &errOut))
	assert.Contains(t, errOut.String(), `:2:1: unknown key "foo"`)
	assert.Contains(t, errOut.String(), `:3:1: unknown key "bar"`)

	// The flag set gets --config.
	fs := newFlags("x", &errOut)
	p := addConfigFlag(fs)
	require.NoError(t, fs.Parse([]string{"--config", "f.yaml"}))
	assert.Equal(t, "f.yaml", *p)
}
