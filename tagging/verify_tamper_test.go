package tagging_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// signedFixture holds a repository with a valid SSH-signed and a valid
// OpenPGP-signed tag, and verifiers for both.
type signedFixture struct {
	*fixture
	sshKey  string
	ssh     *signature.SSHVerifier
	pgp     *signature.OpenPGPVerifier
	entity  *openpgp.Entity
	sshRaw  []byte
	pgpRaw  []byte
	sshName string
}

func newSigned(t *testing.T) *signedFixture {
	t.Helper()
	f := newFixture(t)
	sf := &signedFixture{fixture: f, sshKey: sshKey(t, "ed25519"), entity: pgpKey(t, "ed25519", nil)}
	_, sf.ssh = allowedSigners(t, sf.sshKey, "bot@example.com", "")
	sf.pgp = pgpVerifier(t, sf.entity)
	_, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), sshSigner(t, sf.sshKey, tagging.GitNamespace))
	require.NoError(t, err)
	_, err = tagging.Create(t.Context(), f.repo, f.req("v2.0.0"), pgpSigner(t, sf.entity))
	require.NoError(t, err)
	sf.sshRaw, sf.pgpRaw = f.catTag(t, "v1.0.0"), f.catTag(t, "v2.0.0")
	for name, v := range map[string]signature.Verifier{"v1.0.0": sf.ssh, "v2.0.0": sf.pgp} {
		_, err := tagging.Verify(t.Context(), f.repo, name, v, verifyAt)
		require.NoError(t, err, "the untampered tag %s verifies", name)
	}
	return sf
}

func replaceOnce(t *testing.T, raw []byte, old, new string) []byte {
	t.Helper()
	require.Contains(t, string(raw), old)
	return bytes.Replace(raw, []byte(old), []byte(new), 1)
}

// Each case writes its own tampered object under its own name and expects
// Verify to fail with a typed error.
func TestVerifyFailsClosed(t *testing.T) {
	sf := newSigned(t)
	other := sf.other.String()
	type tc struct {
		name string
		raw  func(t *testing.T) []byte
		ref  string // the name to store under; "" = tampered
		v    func() signature.Verifier
		want error
	}
	sshV := func() signature.Verifier { return sf.ssh }
	pgpV := func() signature.Verifier { return sf.pgp }
	cases := []tc{
		{"ssh message modified", func(t *testing.T) []byte { return replaceOnce(t, sf.sshRaw, "Release v1.0.0", "Release v1.0.1") }, "", sshV, signature.ErrBadSignature},
		{"pgp message modified", func(t *testing.T) []byte { return replaceOnce(t, sf.pgpRaw, "Release v2.0.0", "Release v2.0.1") }, "", pgpV, signature.ErrBadSignature},
		{"ssh tagger modified", func(t *testing.T) []byte { return replaceOnce(t, sf.sshRaw, "Release Bot", "Release Bob") }, "", sshV, signature.ErrBadSignature},
		{"pgp tagger date modified", func(t *testing.T) []byte { return replaceOnce(t, sf.pgpRaw, "1767610800", "1767610801") }, "", pgpV, signature.ErrBadSignature},
		{"ssh target modified", func(t *testing.T) []byte { return replaceOnce(t, sf.sshRaw, sf.commit.String(), other) }, "", sshV, signature.ErrBadSignature},
		{"pgp target modified", func(t *testing.T) []byte { return replaceOnce(t, sf.pgpRaw, sf.commit.String(), other) }, "", pgpV, signature.ErrBadSignature},
		{"tag header renamed", func(t *testing.T) []byte { return replaceOnce(t, sf.sshRaw, "tag v1.0.0", "tag v9.0.0") }, "v9.0.0", sshV, signature.ErrBadSignature},
		{"valid tag under another name", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.1", sshV, &tagging.Error{Reason: "tag header does not match the reference name"}},
		{"signature transplanted from another tag object", func(t *testing.T) []byte {
			o1, err := tagging.Parse(sf.sshRaw)
			require.NoError(t, err)
			o2, err := tagging.Parse(replaceOnce(t, sf.sshRaw, "tag v1.0.0", "tag v3.0.0"))
			require.NoError(t, err)
			return append(o2.Payload, o1.Signature...)
		}, "v3.0.0", sshV, signature.ErrBadSignature},
		{"pgp key not trusted", func(t *testing.T) []byte { return sf.pgpRaw }, "v2.0.0", func() signature.Verifier { return pgpVerifier(t, pgpKey(t, "ed25519", nil)) }, signature.ErrUntrustedKey},
		{"ssh key not trusted", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier {
			_, v := allowedSigners(t, sshKey(t, "ed25519"), "bot@example.com", "")
			return v
		}, signature.ErrUntrustedKey},
		{"ssh signature checked against an OpenPGP keyring", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", pgpV, signature.ErrUntrustedKey},
		{"ssh principal not allowed", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier { return sf.ssh.WithPrincipal("mallory@example.com") }, &signature.Error{Reason: "principal not allowed"}},
		{"ssh namespaces= excludes git", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier {
			_, v := allowedSigners(t, sf.sshKey, "bot@example.com", `namespaces="file"`)
			return v
		}, &signature.Error{Reason: "wrong signature namespace"}},
		{"ssh entry expired (valid-before)", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier {
			_, v := allowedSigners(t, sf.sshKey, "bot@example.com", `valid-before="20260115Z"`)
			return v
		}, signature.ErrKeyExpired},
		{"ssh entry not yet valid (valid-after)", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier {
			_, v := allowedSigners(t, sf.sshKey, "bot@example.com", `valid-after="20270101Z"`)
			return v
		}, &signature.Error{Reason: "signing key not yet valid"}},
		{"ssh cert-authority entry only", func(t *testing.T) []byte { return sf.sshRaw }, "v1.0.0", func() signature.Verifier {
			_, v := allowedSigners(t, sf.sshKey, "bot@example.com", "cert-authority")
			return v
		}, signature.ErrUntrustedKey},
		{"second signature block smuggled into the message", func(t *testing.T) []byte {
			o, err := tagging.Parse(sf.sshRaw)
			require.NoError(t, err)
			return append(append(bytes.Clone(o.Payload), o.Signature...), o.Signature...)
		}, "", sshV, &tagging.Error{Reason: "ambiguous tag object"}},
		{"pgp block smuggled before an ssh signature", func(t *testing.T) []byte {
			o1, _ := tagging.Parse(sf.sshRaw)
			o2, _ := tagging.Parse(sf.pgpRaw)
			return append(append(bytes.Clone(o1.Payload), o2.Signature...), o1.Signature...)
		}, "", sshV, &tagging.Error{Reason: "ambiguous tag object"}},
		{"unsigned annotated tag", func(t *testing.T) []byte {
			o, _ := tagging.Parse(sf.sshRaw)
			return o.Payload
		}, "", sshV, tagging.ErrUnsigned},
		{"data after the signature", func(t *testing.T) []byte { return append(bytes.Clone(sf.sshRaw), "extra\n"...) }, "", sshV, &signature.Error{Reason: "malformed signature"}},
		{"NUL after the signature", func(t *testing.T) []byte { return append(bytes.Clone(sf.pgpRaw), 0) }, "", pgpV, &tagging.Error{Reason: "malformed tag object"}},
		{"duplicate object header", func(t *testing.T) []byte {
			return replaceOnce(t, sf.sshRaw, "type commit\n", "object "+other+"\ntype commit\n")
		}, "", sshV, &tagging.Error{Reason: "ambiguous tag object"}},
		{"duplicate tag header", func(t *testing.T) []byte {
			return replaceOnce(t, sf.sshRaw, "tag v1.0.0\n", "tag v1.0.0\ntag v1.0.0\n")
		}, "", sshV, &tagging.Error{Reason: "ambiguous tag object"}},
		{"extra header", func(t *testing.T) []byte {
			return replaceOnce(t, sf.sshRaw, "\n\n", "\nencoding latin1\n\n")
		}, "", sshV, &tagging.Error{Reason: "malformed tag object"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			raw := c.raw(t)
			name := c.ref
			if name == "" {
				name = "tampered-" + string(rune('a'+i))
				raw = bytes.Replace(raw, []byte("\ntag v1.0.0\n"), []byte("\ntag "+name+"\n"), 1)
				raw = bytes.Replace(raw, []byte("\ntag v2.0.0\n"), []byte("\ntag "+name+"\n"), 1)
			}
			sf.writeRaw(t, name, raw)
			before := sf.must(t, nil, "git", "show-ref")
			_, err := tagging.Verify(t.Context(), sf.repo, name, c.v(), verifyAt)
			require.ErrorIs(t, err, c.want)
			assert.Equal(t, before, sf.must(t, nil, "git", "show-ref"), "verification changes no reference")
		})
	}
	t.Run("lightweight tag", func(t *testing.T) {
		sf.must(t, nil, "git", "tag", "v5.0.0", sf.commit.String())
		_, err := tagging.Verify(t.Context(), sf.repo, "v5.0.0", sf.ssh, verifyAt)
		require.ErrorIs(t, err, tagging.ErrUnsigned)
	})
	t.Run("missing tag", func(t *testing.T) {
		_, err := tagging.Verify(t.Context(), sf.repo, "v6.0.0", sf.ssh, verifyAt)
		require.ErrorIs(t, err, tagging.ErrNotFound)
	})
	t.Run("zero verification time", func(t *testing.T) {
		_, err := tagging.Verify(t.Context(), sf.repo, "v1.0.0", sf.ssh, time.Time{})
		require.ErrorIs(t, err, &signature.Error{Reason: "verification time not given"})
	})
}

// The tampered message goes through `git mktag`, which checks the layout
// but not the signature: git accepts it, we do not.
func TestVerifyMktagTampered(t *testing.T) {
	sf := newSigned(t)
	raw := replaceOnce(t, sf.sshRaw, "Release v1.0.0", "Release v1.0.1")
	h := strings.TrimSpace(sf.must(t, raw, "git", "mktag"))
	sf.must(t, nil, "git", "update-ref", "refs/tags/v1.0.0", h)
	_, err := tagging.Verify(t.Context(), sf.repo, "v1.0.0", sf.ssh, verifyAt)
	require.ErrorIs(t, err, signature.ErrBadSignature)
}

func TestVerifySSHWrongNamespace(t *testing.T) {
	sf := newSigned(t)
	req := sf.req("v3.0.0")
	_, err := tagging.Create(t.Context(), sf.repo, req, sshSigner(t, sf.sshKey, "file"))
	require.NoError(t, err)
	_, err = tagging.Verify(t.Context(), sf.repo, "v3.0.0", sf.ssh, verifyAt)
	require.ErrorIs(t, err, &signature.Error{Reason: "wrong signature namespace"})
}

// Expiry and revocation are judged at the explicit verification time, and
// the key must also have been valid when it signed.
func TestVerifyOpenPGPKeyLifetime(t *testing.T) {
	f := newFixture(t)
	// Created 2026-01-01, valid for 30 days; signs on 2026-01-10.
	e := pgpKey(t, "ed25519", func(c *packet.Config) { c.KeyLifetimeSecs = 30 * 24 * 3600 })
	_, err := tagging.Create(t.Context(), f.repo, f.req("v1.0.0"), pgpSigner(t, e))
	require.NoError(t, err)
	v := pgpVerifier(t, e)

	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC))
	require.NoError(t, err, "valid before expiry")
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, signature.ErrKeyExpired, "expired at the verification time")
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, &signature.Error{Reason: "signature made after the verification time"}, "signed after the verification time")

	// Revoked on 2026-01-15.
	require.NoError(t, e.RevokeKey(packet.KeyCompromised, "lost", &packet.Config{Time: func() time.Time { return time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC) }}))
	rv := pgpVerifier(t, e)
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", rv, time.Date(2026, 1, 20, 0, 0, 0, 0, time.UTC))
	require.ErrorIs(t, err, &signature.Error{Reason: "signing key revoked"})
}

// A SHA-1 signature or an RSA key under 2048 bits, both made by gpg, are
// refused as weak.
func TestVerifyOpenPGPWeak(t *testing.T) {
	need(t, "gpg")
	cases := []struct{ name, algo, digest string }{
		{"sha1", "ed25519", "SHA1"},
		{"rsa1024", "rsa1024", "SHA256"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.must(t, nil, "gpg", "--batch", "--quiet", "--pinentry-mode", "loopback", "--passphrase", "",
				"--quick-gen-key", "Weak <weak@example.com>", c.algo, "sign", "never")
			pub := f.must(t, nil, "gpg", "--batch", "--armor", "--export")
			_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
			require.NoError(t, err)
			payload := f.catTag(t, "v1.0.0")
			sig := f.must(t, payload, "gpg", "--batch", "--allow-weak-digest-algos", "--digest-algo", c.digest, "--armor", "--detach-sign")
			f.writeRaw(t, "v1.0.0", append(payload, sig...))
			v, err := signature.NewOpenPGPVerifier(strings.NewReader(pub))
			require.NoError(t, err)
			_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, verifyAt.AddDate(5, 0, 0))
			require.ErrorIs(t, err, &signature.Error{Reason: "weak algorithm"})
		})
	}
}
