package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
)

// sbomFixture writes an artifact, a module and an Ed25519 key pair in a
// temporary directory.
func sbomFixture(t *testing.T) (dir, artifact, module, priv, pub string) {
	t.Helper()
	dir = t.TempDir()
	artifact = filepath.Join(dir, "app.tar.gz")
	require.NoError(t, os.WriteFile(artifact, []byte("the app"), 0o644))
	module = filepath.Join(dir, "mod")
	require.NoError(t, os.MkdirAll(module, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(module, "go.mod"), []byte("module example.com/app\n\ngo 1.22\n\nrequire golang.org/x/text v0.14.0\n"), 0o644))
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, ed25519.SeedSize))
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	priv = filepath.Join(dir, "key.pem")
	require.NoError(t, os.WriteFile(priv, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600))
	pder, err := x509.MarshalPKIXPublicKey(key.Public())
	require.NoError(t, err)
	pub = filepath.Join(dir, "key.pub.pem")
	require.NoError(t, os.WriteFile(pub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pder}), 0o644))
	return dir, artifact, module, priv, pub
}

func runSBOM(t *testing.T, f func(context.Context, []string, *strings.Reader, *bytes.Buffer, *bytes.Buffer) error, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := f(context.Background(), args, strings.NewReader(""), &out, &errb)
	return out.String(), errb.String(), err
}

func sbomCmd(ctx context.Context, args []string, in *strings.Reader, out, errb *bytes.Buffer) error {
	return cmdSBOM(ctx, args, in, out, errb)
}

func provCmd(ctx context.Context, args []string, in *strings.Reader, out, errb *bytes.Buffer) error {
	return cmdProvenance(ctx, args, in, out, errb)
}

func isUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

func TestSBOMGenerateAndCheck(t *testing.T) {
	dir, artifact, module, _, _ := sbomFixture(t)
	out := filepath.Join(dir, "app.cdx.json")
	stdout, _, err := runSBOM(t, sbomCmd, "--module", module, "--artifact", artifact, "--no-go", "--out", out, "--json")
	require.NoError(t, err)
	var res sbomResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.True(t, res.OK)
	assert.Equal(t, 1, res.Components)
	assert.Equal(t, "1.6", res.Spec)
	require.NotNil(t, res.Reference)
	assert.Equal(t, "application/vnd.cyclonedx+json; version=1.6", res.Reference.MediaType)

	stdout, _, err = runSBOM(t, sbomCmd, "check", "--sbom", out, "--artifact", artifact, "--sha256", res.Reference.SHA256)
	require.NoError(t, err)
	assert.Contains(t, stdout, "ok ")

	// Another artifact: exit 1, with a JSON result when asked.
	other := filepath.Join(dir, "other")
	require.NoError(t, os.WriteFile(other, []byte("other"), 0o644))
	stdout, _, err = runSBOM(t, sbomCmd, "check", "--sbom", out, "--artifact", other, "--json")
	require.ErrorIs(t, err, errSilent)
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.False(t, res.OK)
	assert.Contains(t, res.Error, "subject digest does not match")

	// An edited SBOM against the recorded SHA-256.
	data, err := os.ReadFile(out)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(out, append(data, ' '), 0o644))
	_, _, err = runSBOM(t, sbomCmd, "check", "--sbom", out, "--artifact", artifact, "--sha256", res.Reference.SHA256)
	require.ErrorIs(t, err, sbom.ErrReferenceMismatch)
	assert.False(t, isUsage(err))
}

func TestSBOMFormatsAndStdout(t *testing.T) {
	dir, artifact, _, _, _ := sbomFixture(t)
	for _, tc := range []struct{ format, spec, file string }{{"xml", "1.6", "a.cdx.xml"}, {"json", "1.5", "a.json"}, {"json", "1.7", "b.json"}} {
		stdout, _, err := runSBOM(t, sbomCmd, "generate", "--artifact", artifact, "--format", tc.format, "--spec", tc.spec)
		require.NoError(t, err)
		path := filepath.Join(dir, tc.file)
		require.NoError(t, os.WriteFile(path, []byte(stdout), 0o644))
		_, _, err = runSBOM(t, sbomCmd, "check", "--sbom", path, "--artifact", artifact)
		require.NoError(t, err, tc)
	}
	// Same input, same bytes.
	a, _, err := runSBOM(t, sbomCmd, "--artifact", artifact)
	require.NoError(t, err)
	b, _, err := runSBOM(t, sbomCmd, "--artifact", artifact)
	require.NoError(t, err)
	assert.Equal(t, a, b)
}

func TestSBOMBinary(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found: cannot build a binary")
	}
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hi\n\ngo 1.22\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nfunc main() {}\n"), 0o644))
	cmd := exec.Command(goCmd, "build", "-o", "hi", ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOPROXY=off", "GOFLAGS=-mod=readonly", "GOTOOLCHAIN=local", "GOWORK=off")
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", b)
	bin := filepath.Join(dir, "hi")
	out := filepath.Join(dir, "hi.cdx.json")
	_, _, err = runSBOM(t, sbomCmd, "--binary", bin, "--out", out)
	require.NoError(t, err)
	_, _, err = runSBOM(t, sbomCmd, "check", "--sbom", out, "--artifact", bin)
	require.NoError(t, err)
	_, _, err = runSBOM(t, sbomCmd, "--binary", out)
	require.ErrorIs(t, err, sbom.ErrNotGoBinary)
	assert.True(t, isUsage(err))
}

func TestSBOMMergeAndAttest(t *testing.T) {
	dir, artifact, module, priv, _ := sbomFixture(t)
	modSBOM := filepath.Join(dir, "mod.json")
	_, _, err := runSBOM(t, sbomCmd, "--module", module, "--artifact", artifact, "--no-go", "--out", modSBOM)
	require.NoError(t, err)
	merged := filepath.Join(dir, "merged.json")
	stdout, _, err := runSBOM(t, sbomCmd, "--artifact", artifact, "--merge", modSBOM, "--out", merged, "--json")
	require.NoError(t, err)
	var res sbomResult
	require.NoError(t, json.Unmarshal([]byte(stdout), &res))
	assert.Equal(t, 1, res.Components)

	stdout, _, err = runSBOM(t, sbomCmd, "attest", "--sbom", merged, "--artifact", artifact)
	require.NoError(t, err)
	assert.Contains(t, stdout, `"predicateType":"https://cyclonedx.org/bom"`)
	envFile := filepath.Join(dir, "sbom.dsse.json")
	_, _, err = runSBOM(t, sbomCmd, "attest", "--sbom", merged, "--artifact", artifact, "--key", priv, "--out", envFile)
	require.NoError(t, err)
	env, err := os.ReadFile(envFile)
	require.NoError(t, err)
	assert.Contains(t, string(env), `"payloadType": "application/vnd.in-toto+json"`)
}

func TestSBOMUsage(t *testing.T) {
	_, artifact, module, _, _ := sbomFixture(t)
	for name, tc := range map[string]struct {
		f    func(context.Context, []string, *strings.Reader, *bytes.Buffer, *bytes.Buffer) error
		args []string
	}{
		"nothing":           {sbomCmd, nil},
		"binary and module": {sbomCmd, []string{"--binary", artifact, "--module", module}},
		"bad format":        {sbomCmd, []string{"--artifact", artifact, "--format", "spdx"}},
		"bad spec":          {sbomCmd, []string{"--artifact", artifact, "--spec", "1.4"}},
		"json without out":  {sbomCmd, []string{"--artifact", artifact, "--json"}},
		"bad timestamp":     {sbomCmd, []string{"--artifact", artifact, "--timestamp", "yesterday"}},
		"missing file":      {sbomCmd, []string{"--artifact", artifact + ".missing"}},
		"check no args":     {sbomCmd, []string{"check"}},
		"check not sbom":    {sbomCmd, []string{"check", "--sbom", artifact, "--artifact", artifact}},
		"attest no args":    {sbomCmd, []string{"attest"}},
		"provenance none":   {provCmd, nil},
		"verify no key":     {provCmd, []string{"verify", "--envelope", artifact, "--artifact", artifact}},
		"verify bad key":    {provCmd, []string{"verify", "--envelope", artifact, "--artifact", artifact, "--key", artifact}},
		"extra argument":    {sbomCmd, []string{"--artifact", artifact, "extra"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := runSBOM(t, tc.f, tc.args...)
			require.Error(t, err)
			assert.True(t, isUsage(err), "want a usage error (exit 2), got %v", err)
		})
	}
	_, _, err := runSBOM(t, sbomCmd, "--help")
	require.NoError(t, err)
}
