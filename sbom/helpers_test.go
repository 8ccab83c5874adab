package sbom_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/sbom"
	"github.com/releasekit/releasekit/signature"
)

// edSigner and edVerifier are the tests' own Ed25519 implementation of the
// signature.Signer and signature.Verifier interfaces. The verifier counts
// its calls.
type edSigner struct {
	key ed25519.PrivateKey
	// SignFunc, when set, replaces signing (to inject failures).
	SignFunc func(msg []byte) ([]byte, error)
}

func newEdSigner(seed byte) *edSigner {
	return &edSigner{key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))}
}

func (s *edSigner) Sign(ctx context.Context, message io.Reader) ([]byte, error) {
	msg, err := io.ReadAll(message)
	if err != nil {
		return nil, err
	}
	if s.SignFunc != nil {
		return s.SignFunc(msg)
	}
	return ed25519.Sign(s.key, msg), nil
}

func (s *edSigner) verifier() *edVerifier {
	return &edVerifier{pub: s.key.Public().(ed25519.PublicKey)}
}

type edVerifier struct {
	pub   ed25519.PublicKey
	calls int
}

var errEdBad = errors.New("ed25519: bad signature")

func (v *edVerifier) Verify(ctx context.Context, msg, sig []byte, at time.Time) (signature.Identity, error) {
	v.calls++
	if !ed25519.Verify(v.pub, msg, sig) {
		return signature.Identity{}, errEdBad
	}
	return signature.Identity{Format: signature.Key, Identity: "ed25519"}, nil
}

// verifyAt is the fixed verification time of the tests.
var verifyAt = time.Date(2026, time.January, 10, 12, 0, 0, 0, time.UTC)

// goTool returns the path of the go command or skips the test.
func goTool(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go command not found in PATH: cannot build a Go binary for this test")
	}
	return p
}

// offlineEnv is the environment for go commands in tests: no network.
func offlineEnv() []string {
	return append(os.Environ(), "GOFLAGS=-mod=readonly", "GOPROXY=off", "GOWORK=off", "GOTOOLCHAIN=local")
}

// buildGo runs `go build -o out pkg` in dir, offline.
func buildGo(t testing.TB, dir, out, pkg string) {
	t.Helper()
	cmd := exec.Command(goTool(t), "build", "-o", out, pkg)
	cmd.Dir = dir
	cmd.Env = offlineEnv()
	b, err := cmd.CombinedOutput()
	require.NoError(t, err, "go build: %s", b)
}

// buildHello builds a main package that uses only the standard library in
// a fresh module and returns the binary's path.
func buildHello(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example.com/hello\n\ngo 1.22\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello\") }\n"), 0o644))
	out := filepath.Join(dir, "hello")
	buildGo(t, dir, out, ".")
	return out
}

// versionM runs `go version -m` and returns the "path version" of each
// linked module, replacements resolved as sbom lists them.
func versionM(t *testing.T, bin string) (goVersion string, mods []string) {
	t.Helper()
	cmd := exec.Command(goTool(t), "version", "-m", bin)
	cmd.Env = offlineEnv()
	out, err := cmd.Output()
	require.NoError(t, err)
	lines := strings.Split(string(out), "\n")
	_, goVersion, _ = strings.Cut(lines[0], ": ")
	for _, l := range lines[1:] {
		f := strings.Split(strings.TrimSpace(l), "\t")
		switch {
		case len(f) >= 3 && f[0] == "dep":
			mods = append(mods, f[1]+" "+f[2])
		case len(f) >= 2 && f[0] == "=>":
			last := len(mods) - 1
			if len(f) >= 3 && f[2] != "" && f[2] != "(devel)" {
				mods[last] = f[1] + " " + f[2]
			} else {
				mods[last] = strings.SplitN(mods[last], " ", 2)[0] + " "
			}
		}
	}
	return goVersion, mods
}

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

func subjectOf(t testing.TB, name string, b []byte) sbom.Subject {
	t.Helper()
	s, err := sbom.SubjectOf(name, bytes.NewReader(b))
	require.NoError(t, err)
	return s
}
