package tagging_test

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/releasekit/releasekit/internal/testkit/keytest"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/semver"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// Key helpers shared with the other packages' tests (internal/testkit/keytest).
var (
	need           = keytest.Need
	pgpKey         = keytest.PGPKey
	armoredPublic  = keytest.ArmoredPublic
	armoredPrivate = keytest.ArmoredPrivate
	sshKey         = keytest.SSHKey
	sshSigner      = keytest.SSHSigner
)

// tagger is the fixed tagger of the tests.
var tagger = tagging.Identity{Name: "Release Bot", Email: "bot@example.com", When: time.Unix(1767610800, 0).In(time.FixedZone("", 3600))}

// verifyAt is the verification time of the tests.
var verifyAt = time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)

type fixture struct {
	g      *gittest.Repo
	repo   *git.Repository
	commit plumbing.Hash
	other  plumbing.Hash
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	need(t, "git")
	g := gittest.New(t)
	c1 := g.Commit("feat: first\n")
	c2 := g.Commit("fix: second\n")
	return &fixture{g: g, repo: g.GoGit(t), commit: plumbing.NewHash(c1), other: plumbing.NewHash(c2)}
}

func (f *fixture) req(name string) tagging.Request {
	return tagging.Request{Name: name, Target: f.commit, Tagger: tagger, Message: "Release " + name + "\n"}
}

// runIn runs a binary with the repository's isolated environment plus extra.
func (f *fixture) runIn(t testing.TB, stdin []byte, extra []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = f.g.Dir
	cmd.Env = append(f.g.Env(), extra...)
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	if err != nil {
		return out.String() + errb.String(), err
	}
	return out.String(), nil
}

// runAll is runIn with standard error included on success too.
func (f *fixture) runAll(t testing.TB, extra []string, name string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = f.g.Dir
	cmd.Env = append(f.g.Env(), extra...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (f *fixture) must(t testing.TB, stdin []byte, name string, args ...string) string {
	t.Helper()
	out, err := f.runIn(t, stdin, nil, name, args...)
	require.NoError(t, err, "%s %s: %s", name, strings.Join(args, " "), out)
	return out
}

// gnupgHome returns the private GNUPGHOME of the fixture.
func (f *fixture) gnupgHome() string {
	for _, kv := range f.g.Env() {
		if v, ok := strings.CutPrefix(kv, "GNUPGHOME="); ok {
			return v
		}
	}
	return ""
}

// writeRaw stores raw as a tag object (without git's checks) and points
// refs/tags/name at it.
func (f *fixture) writeRaw(t testing.TB, name string, raw []byte) plumbing.Hash {
	t.Helper()
	h := strings.TrimSpace(f.must(t, raw, "git", "hash-object", "-t", "tag", "-w", "--literally", "--stdin"))
	// git update-ref refuses objects it cannot parse: write the loose ref.
	path := filepath.Join(f.g.Dir, ".git", "refs", "tags", filepath.FromSlash(name))
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(h+"\n"), 0o644))
	return plumbing.NewHash(h)
}

func (f *fixture) catTag(t testing.TB, name string) []byte {
	t.Helper()
	return []byte(f.must(t, nil, "git", "cat-file", "tag", name))
}

func pgpSigner(t testing.TB, e *openpgp.Entity) *signature.OpenPGPSigner {
	t.Helper()
	s, err := signature.NewOpenPGPSignerFromEntity(e, signature.WithClock(func() time.Time { return time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC) }))
	require.NoError(t, err)
	return s
}

func pgpVerifier(t testing.TB, e *openpgp.Entity) *signature.OpenPGPVerifier {
	t.Helper()
	v, err := signature.NewOpenPGPVerifier(bytes.NewReader(armoredPublic(t, e)))
	require.NoError(t, err)
	return v
}

// allowedSigners writes an allowed_signers file trusting the key at keyPath
// for principal with options, and returns its path and the verifier.
func allowedSigners(t testing.TB, keyPath, principal, options string) (string, *signature.SSHVerifier) {
	t.Helper()
	pub, err := os.ReadFile(keyPath + ".pub")
	require.NoError(t, err)
	fields := strings.Fields(string(pub))
	line := principal + " "
	if options != "" {
		line += options + " "
	}
	line += fields[0] + " " + fields[1] + "\n"
	path := filepath.Join(t.TempDir(), "allowed_signers")
	require.NoError(t, os.WriteFile(path, []byte(line), 0o644))
	signers, err := signature.ParseAllowedSigners([]byte(line))
	require.NoError(t, err)
	return path, signature.NewSSHVerifier(signers, tagging.GitNamespace)
}

var semverV = semver.Scheme{Prefix: "v"}

func armorEncode(w io.Writer, typ string) (io.WriteCloser, error) { return armor.Encode(w, typ, nil) }
