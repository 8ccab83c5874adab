package policy_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/internal/testkit/gittest"
	"github.com/releasekit/releasekit/policy"
)

// The vectors are assembled at run time, so that this file holds no
// string a secret scanner (this one included) would report.
func tok(prefix string, n int) string {
	const alnum = "aB3dE5fG7hJ9kLmN2pQr4StUv6WxYz8C"
	var b strings.Builder
	b.WriteString(prefix)
	for i := range n {
		b.WriteByte(alnum[(i*7+3)%len(alnum)])
	}
	return b.String()
}

func privateKeyPEM(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE" + " KEY", Bytes: der}))
}

func TestScanSecrets(t *testing.T) {
	key := privateKeyPEM(t)
	must := []struct{ name, path, text, rule string }{
		{"PEM private key", "deploy/key.pem", key, "private-key"},
		{"PEM key in a Go string", "internal/k.go", "const k = `" + key + "`\n", "private-key"},
		// An Ed25519 PKCS#8 body is one line of 64 characters; one in
		// 64 ends in "n", which must not be taken for quoting.
		{"PEM body line ending in n", "deploy/ed.pem", "-----BEGIN " + "PRIVATE KEY-----\n" + strings.Repeat("MC4CAQAw", 7) + "Ilunnn/n\n-----END " + "PRIVATE KEY-----\n", "private-key"},
		{"PEM body line ending in +", "deploy/ed2.pem", "-----BEGIN " + "PRIVATE KEY-----\n" + strings.Repeat("MC4CAQAw", 7) + "Ilu+nn/+\n-----END " + "PRIVATE KEY-----\n", "private-key"},
		{"PEM body in quoted lines", "internal/k.js", "const k = \"-----BEGIN " + "PRIVATE KEY-----\\n\" +\n  \"" + strings.Repeat("MC4CAQAw", 8) + "\\n\" +\n  \"-----END " + "PRIVATE KEY-----\\n\";\n", "private-key"},
		{"AWS access key", "scripts/upload.sh", "export AWS_ACCESS_KEY_ID=AKIA" + "Q3LMZ7RTW2PX5YBN\n", "aws-access-key-id"},
		{"GitHub PAT", "ci.yml", "token: " + tok("gh"+"p_", 36) + "\n", "github-pat"},
		{"GitHub fine-grained PAT", "x.txt", tok("github"+"_pat_", 82), "github-fine-grained-pat"},
		{"GitHub app token", "x.txt", "Authorization: token " + tok("gh"+"s_", 36), "github-app-token"},
		{"GitLab PAT", "x.txt", "GITLAB=" + tok("gl"+"pat-", 20), "gitlab-pat"},
		{"Slack bot token", "notify.py", `SLACK = "xox` + `b-1234567890123-1234567890123-` + tok("", 24) + `"`, "slack-bot-token"},
		{"Slack webhook", "notify.py", "url = 'https://hooks.slack" + ".com/services/" + tok("T0/B0/", 40) + "'", "slack-webhook-url"},
		{"quoted password", "db.go", `password := "` + tok("Zq9!", 16) + `"`, "generic-password"},
		{"unquoted secret in .env", ".env", "DB_PASSWORD=" + tok("", 20), "generic-password"},
		{"unquoted secret in YAML", "config/app.yaml", "  api_key: " + tok("", 24), "generic-password"},
	}
	for _, tc := range must {
		t.Run("finds "+tc.name, func(t *testing.T) {
			fs := policy.ScanSecrets(tc.path, []byte("line one\n"+tc.text))
			require.Len(t, fs, 1, tc.text)
			assert.Equal(t, policy.SecretFinding{Path: tc.path, Line: 2, Rule: tc.rule}, fs[0])
		})
	}
	mustNot := []struct{ name, path, text string }{
		{"PEM header named in code", "sig/parse.go", `if strings.HasPrefix(s, "-----BEGIN OPENSSH ` + `PRIVATE KEY-----") {`},
		{"public key", "keys/release.pub", strings.ReplaceAll(key, "PRIVATE", "PUBLIC")},
		{"AWS documentation key", "README.md", "AKIA" + "IOSFODNN7EXAMPLE"},
		{"short ghp prefix", "x.go", "const prefix = \"gh" + "p_\""},
		{"secret from the CI's store", ".github/workflows/ci.yml", "      password: ${{ secrets.DB_PASSWORD }}"},
		{"environment lookup", "main.go", `password := os.Getenv("DB_PASSWORD")`},
		{"low-entropy value", "db.go", `password = "aaaaaaaaaaaa"`},
		{"placeholder", "config.yaml", `password: "<your-password-here>"`},
		{"changeme", ".env", "ADMIN_PASSWORD=changemechangeme"},
		{"password file path", "config.yaml", "password_file: /run/secrets/db"},
		{"unquoted in Go code", "x.go", "secret: " + tok("", 24) + ","},
		{"prose", "docs/ops.md", "The password must be rotated every 90 days by the on-call engineer."},
		{"git commit hash", "CHANGELOG.md", "- fix: retry (4f2a9c1e0b7d3a6f8e2c5b9d1a4f7e0c3b6d9a2f)"},
	}
	for _, tc := range mustNot {
		t.Run("ignores "+tc.name, func(t *testing.T) {
			assert.Empty(t, policy.ScanSecrets(tc.path, []byte(tc.text)), tc.text)
		})
	}
}

func TestNoSecrets(t *testing.T) {
	g := gittest.New(t)
	g.CommitFiles("chore: service ABC-1", map[string]string{
		"CODEOWNERS":               ".github/CODEOWNERS\n* @alice\n",
		"cmd/server/main.go":       "package main\n\nfunc main() { _ = os.Getenv(\"DB_PASSWORD\") }\n",
		".github/workflows/ci.yml": "jobs:\n  test:\n    env:\n      TOKEN: ${{ secrets.TOKEN }}\n",
		"testdata/fixture-key.pem": privateKeyPEM(t),
		"docs/runbook.md":          "Rotate the password every 90 days.\n",
		"assets/logo.bin":          "\x00\x01binary",
	})
	clean := files(t, g)
	assert.NotContains(t, clean, "assets/logo.bin", "binary files are not read")
	assert.Contains(t, clean, "cmd/server/main.go", "every text file is read for the scan")
	leaked := "AKIA" + "Q3LMZ7RTW2PX5YBN"
	g.CommitFiles("chore: upload script ABC-2", map[string]string{"scripts/upload.sh": "#!/bin/sh\nexport AWS_ACCESS_KEY_ID=" + leaked + "\n"})
	dirty := files(t, g)

	tests := []struct {
		name     string
		c        policy.NoSecrets
		files    map[string][]byte
		want     policy.Status
		missing  bool
		contains string
	}{
		{"fixture allowed", policy.NoSecrets{AllowPaths: []string{"testdata/*"}}, clean, policy.Pass, false, "no secret in the"},
		{"fixture key found", policy.NoSecrets{}, clean, policy.Fail, false, "testdata/fixture-key.pem:1 (private-key (redacted))"},
		{"access key committed", policy.NoSecrets{AllowPaths: []string{"testdata/*"}}, dirty, policy.Fail, false, "scripts/upload.sh:2 (aws-access-key-id (redacted))"},
		{"no files gathered", policy.NoSecrets{}, nil, policy.Fail, true, "repository's files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.c.Evaluate(t.Context(), policy.Facts{Files: tt.files})
			assert.Equal(t, tt.want, r.Status, r.Reason)
			assert.Equal(t, tt.missing, errors.Is(r.Err, policy.ErrMissingEvidence))
			assert.Contains(t, r.Reason, tt.contains)
			assert.NotContains(t, r.Reason, leaked[4:], "the secret is redacted")
			for _, e := range r.Evidence {
				assert.NotContains(t, e.Value+e.Note, leaked[4:])
			}
		})
	}
	// Not applicable never: a repository always has files to scan.
	r := policy.NoSecrets{}.Evaluate(t.Context(), policy.Facts{Files: map[string][]byte{}})
	assert.Equal(t, policy.Pass, r.Status)
}

func FuzzScanSecrets(f *testing.F) {
	f.Add("a.env", "PASSWORD="+tok("", 20))
	f.Add("k.pem", "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END")
	f.Add("x", "xoxb-1234567890-")
	f.Fuzz(func(t *testing.T, p, s string) {
		for _, fnd := range policy.ScanSecrets(p, []byte(s)) {
			if fnd.Line < 1 || fnd.Path != p || fnd.Rule == "" {
				t.Fatalf("bad finding %+v", fnd)
			}
		}
	})
}

func TestReadConfigNoSecrets(t *testing.T) {
	p, err := policy.ReadConfig(strings.NewReader("controls:\n  REL-SECRETS-001: {allow_paths: [testdata/*]}\n"))
	require.NoError(t, err)
	assert.Equal(t, []policy.Control{policy.NoSecrets{AllowPaths: []string{"testdata/*"}}}, p.Controls)
	for _, tc := range []struct {
		in   string
		line int
		msg  string
	}{
		{"controls:\n  REL-SECRETS-001:\n    allow_paths:\n      - testdata/*\n      - '['\n", 5, `allow_paths: pattern "["`},
		{"controls:\n  REL-SECRETS-001:\n    allow: [x]\n", 3, `unknown key "allow" (want allow_paths)`},
	} {
		_, err := policy.ReadConfig(strings.NewReader(tc.in))
		var ce *policy.ConfigError
		require.ErrorAs(t, err, &ce)
		assert.Equal(t, tc.line, ce.Line, err.Error())
		assert.Contains(t, err.Error(), tc.msg)
	}
}
