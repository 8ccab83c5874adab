package signature_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
)

const edKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEp1S0Jhw7mT5u2pI7LUgBq5wQO2D1u1Hql6fJ9W2Llb"

func TestParseAllowedSigners(t *testing.T) {
	file := strings.Join([]string{
		"# release signers",
		"",
		"bot@example.com " + edKey + " a comment",
		`"ci@example.com,*@release.example.com" namespaces="git,file",valid-after="20260101",valid-before="20270101120000Z" ` + edKey,
		"ca@example.com cert-authority " + edKey,
	}, "\n")
	got, err := signature.ParseAllowedSigners([]byte(file))
	require.NoError(t, err)
	require.Len(t, got, 3)
	assert.Equal(t, []string{"bot@example.com"}, got[0].Principals)
	assert.Nil(t, got[0].Namespaces)
	assert.Equal(t, 3, got[0].Line)
	assert.Equal(t, []string{"ci@example.com", "*@release.example.com"}, got[1].Principals)
	assert.Equal(t, []string{"git", "file"}, got[1].Namespaces)
	assert.Equal(t, time.Date(2027, 1, 1, 12, 0, 0, 0, time.UTC), got[1].ValidBefore)
	assert.Equal(t, time.Date(2026, 1, 1, 0, 0, 0, 0, time.Local), got[1].ValidAfter)
	assert.True(t, got[2].CertAuthority)

	bad := []string{
		"bot@example.com",
		"bot@example.com ssh-ed25519 !!!",
		"bot@example.com ssh-rsa " + strings.Fields(edKey)[1],
		`bot@example.com namespaces="git ` + edKey,
		`bot@example.com namespaces=git ` + edKey,
		`bot@example.com no-touch-required ` + edKey,
		`bot@example.com valid-before="2026" ` + edKey,
	}
	for _, line := range bad {
		_, err := signature.ParseAllowedSigners([]byte("# x\n" + line + "\n"))
		var ae *signature.AllowedSignersError
		require.ErrorAs(t, err, &ae, line)
		assert.Equal(t, 2, ae.Line)
	}
}

// Principal patterns and the namespaces= list follow OpenSSH's pattern
// lists, checked against ssh-keygen -Y verify.
func TestAllowedSignersPatterns(t *testing.T) {
	key := sshKey(t, "ed25519")
	pub, err := os.ReadFile(key + ".pub")
	require.NoError(t, err)
	f := strings.Fields(string(pub))
	s := sshSigner(t, key, gitNamespace)
	msg := []byte("hello\n")
	sig, err := s.Sign(t.Context(), bytes.NewReader(msg))
	require.NoError(t, err)
	cases := []struct {
		principals, options, principal string
		ok                             bool
	}{
		{"*@example.com", "", "bot@example.com", true},
		{"b?t@example.com", "", "bot@example.com", true},
		{"*@example.com,!bot@example.com", "", "bot@example.com", false},
		{"other@example.com", "", "bot@example.com", false},
		{"bot@example.com", `namespaces="g*"`, "bot@example.com", true},
		{"bot@example.com", `namespaces="file"`, "bot@example.com", false},
	}
	dir := t.TempDir()
	for _, c := range cases {
		line := c.principals + " " + c.options + " " + f[0] + " " + f[1] + "\n"
		signers, err := signature.ParseAllowedSigners([]byte(line))
		require.NoError(t, err)
		_, err = signature.NewSSHVerifier(signers, gitNamespace).WithPrincipal(c.principal).Verify(t.Context(), msg, sig, verifyAt)
		assert.Equal(t, c.ok, err == nil, "%s: %v", line, err)

		file := filepath.Join(dir, "allowed")
		require.NoError(t, os.WriteFile(file, []byte(line), 0o644))
		sigFile := filepath.Join(dir, "sig")
		require.NoError(t, os.WriteFile(sigFile, sig, 0o644))
		cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", file, "-I", c.principal, "-n", "git", "-s", sigFile)
		cmd.Stdin = bytes.NewReader(msg)
		out, err := cmd.CombinedOutput()
		assert.Equal(t, c.ok, err == nil, "ssh-keygen on %s: %s", line, out)
	}
}

func FuzzParseAllowedSigners(f *testing.F) {
	f.Add([]byte("bot@example.com " + edKey + "\n"))
	f.Add([]byte(`a,b namespaces="git",valid-after="20260101Z" ` + edKey + " c\n# x\n"))
	f.Add([]byte(`"a b" cert-authority ` + edKey))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := signature.ParseAllowedSigners(data)
		if err != nil {
			return
		}
		for _, a := range got {
			if a.Key == nil || len(a.Principals) == 0 || a.Line < 1 {
				t.Fatalf("incomplete entry %+v", a)
			}
		}
	})
}
