// Package demotest holds the test helpers that the tests of the release
// workflows under examples/ share: [Golden] compares a run's printed steps
// with testdata/want.txt, and [AllowedSigners] and [TagVerifier] read back
// the allowed_signers file a run left in its workspace, [Config] its
// release configuration; [SSHKeyFile] writes a key for -ssh-key. [ReleasedRepo]
// makes the repository with one release that the -repo tests start from.
// [Normalize] makes the output of a run against a server (commit SHAs the
// server or a new key made, its port) comparable with a golden file.
//
// Importing demotest registers the -update flag of
// internal/testkit/golden (go test -update rewrites testdata/want.txt
// instead of comparing), so every example test binary has it.
package demotest

import (
	"crypto/ed25519"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/examples/internal/demo"
	"github.com/releasekit/releasekit/internal/testkit/golden"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Golden compares got, the printed steps of a run, with testdata/want.txt
// in the current directory (the package of the test) and fails t when they
// differ; with -update it first writes got there. The examples' output is
// deterministic: fixed authors and times, and keys that are never printed
// or are derived from a fixed seed.
func Golden(t testing.TB, got []byte) {
	t.Helper()
	golden.Check(t, filepath.Join("testdata", "want.txt"), got)
}

// AllowedSigners reads and parses the allowed_signers file in dir, a
// workspace a run kept, failing t if it cannot.
func AllowedSigners(t testing.TB, dir string) []signature.AllowedSigner {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, "allowed_signers"))
	if err != nil {
		t.Fatal(err)
	}
	allowed, err := signature.ParseAllowedSigners(data)
	if err != nil {
		t.Fatal(err)
	}
	return allowed
}

// TagVerifier returns a verifier of tags (tagging.GitNamespace) that
// trusts the allowed_signers file in dir.
func TagVerifier(t testing.TB, dir string) *signature.SSHVerifier {
	t.Helper()
	return signature.NewSSHVerifier(AllowedSigners(t, dir), tagging.GitNamespace)
}

// Config reads the release configuration in dir (config.FileName), a
// workspace a run kept, failing t if it cannot.
func Config(t testing.TB, dir string) *config.Config {
	t.Helper()
	cfg, err := config.ReadFile(filepath.Join(dir, config.FileName))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// SSHKeyFile writes a new Ed25519 OpenSSH private key, unencrypted, to
// dir/name, as -ssh-key reads it, and returns its path and the key.
func SSHKeyFile(t testing.TB, dir, name string) (string, ssh.Signer) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	key, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return path, key
}

// ReleasedRepo creates a repository at path with one released commit, as
// the -repo tests of the examples start from: a.go committed as "feat: a
// (#1)" (Refs: OPS-1) by Ada Developer at demo.Epoch on main, and tag, an
// unsigned annotated tag ("Release " + tag) by Release Bot. It returns the
// repository and the commit.
func ReleasedRepo(t testing.TB, path, tag string) (*git.Repository, plumbing.Hash) {
	t.Helper()
	repo, err := demo.Init(path)
	if err != nil {
		t.Fatal(err)
	}
	h, err := demo.Commit(repo, map[string]string{"a.go": "package a\n"}, "feat: a (#1)\n\nRefs: OPS-1", "Ada Developer", demo.Epoch())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateTag(tag, h, &git.CreateTagOptions{Tagger: demo.Identity("Release Bot", demo.Epoch()), Message: "Release " + tag}); err != nil {
		t.Fatal(err)
	}
	return repo, h
}

// FileAt returns the content of the file name in commit c, failing t when
// the commit has no such file.
func FileAt(t testing.TB, c *object.Commit, name string) string {
	t.Helper()
	f, err := c.File(name)
	if err != nil {
		t.Fatalf("%s at %s: %v", name, c.Hash, err)
	}
	s, err := f.Contents()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var (
	localURL = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`)
	hexRun   = regexp.MustCompile(`\b[0-9a-f]{7,40}\b`)
)

// Normalize returns out with what differs from run to run against a
// server replaced by stable names, for [Golden]: "http://127.0.0.1:PORT"
// for the server's address, and "<commit-N>" for each full commit SHA (40
// hexadecimal digits), N counting the SHAs in order of first appearance. A
// shorter run of 7 to 39 hexadecimal digits that starts a SHA of out (an
// abbreviated SHA, as changelogs print them) gets that SHA's name; any
// other text, 64-digit digests included, is kept. Commits a server makes
// (squash merges, at its clock) and commits signed with a new key differ on
// every run; their order in the output does not.
func Normalize(out []byte) []byte {
	s := localURL.ReplaceAllString(string(out), "http://127.0.0.1:PORT")
	names := map[string]string{}
	var full []string
	for _, h := range hexRun.FindAllString(s, -1) {
		if len(h) == 40 && names[h] == "" {
			names[h] = fmt.Sprintf("<commit-%d>", len(names)+1)
			full = append(full, h)
		}
	}
	return []byte(hexRun.ReplaceAllStringFunc(s, func(h string) string {
		if n := names[h]; n != "" {
			return n
		}
		for _, f := range full {
			if strings.HasPrefix(f, h) {
				return names[f]
			}
		}
		return h
	}))
}
