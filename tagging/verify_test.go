package tagging_test

import (
	"bytes"
	"crypto"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

// A text-mode OpenPGP signature hashes the message with canonical line
// endings, so adding a CR before a LF of a signed tag would still verify
// unless the verifier refuses it.
func TestVerifyOpenPGPTextModeNotMalleable(t *testing.T) {
	f := newFixture(t)
	e := pgpKey(t, "ed25519", nil)
	req := f.req("v1.0.0")
	req.Message = "Release v1.0.0\n\nline two\n"
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
	require.NoError(t, err)
	payload := f.catTag(t, "v1.0.0")
	var sig bytes.Buffer
	cfg := &packet.Config{Time: func() time.Time { return time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC) }}
	require.NoError(t, openpgp.ArmoredDetachSignText(&sig, e, bytes.NewReader(payload), cfg))
	if !bytes.HasSuffix(sig.Bytes(), []byte("\n")) {
		sig.WriteByte('\n')
	}
	v := pgpVerifier(t, e)
	f.writeRaw(t, "v1.0.0", append(bytes.Clone(payload), sig.Bytes()...))
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, verifyAt)
	require.NoError(t, err, "an untouched text-mode signature verifies")

	tampered := bytes.Replace(payload, []byte("line two\n"), []byte("line two\r\n"), 1)
	f.writeRaw(t, "v1.0.0", append(tampered, sig.Bytes()...))
	_, err = tagging.Verify(t.Context(), f.repo, "v1.0.0", v, verifyAt)
	require.ErrorIs(t, err, signature.ErrBadSignature, "a CR added to the message must not verify")
}

// A signed tag object pointing at a tree or a blob, or claiming "commit"
// for a tree, never verifies.
func TestVerifyNonCommitTarget(t *testing.T) {
	f := newFixture(t)
	key := sshKey(t, "ed25519")
	_, v := allowedSigners(t, key, "bot@example.com", "")
	s := sshSigner(t, key, tagging.GitNamespace)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	blob := strings.TrimSpace(f.must(t, []byte("x\n"), "git", "hash-object", "-w", "--stdin"))
	for i, c := range []struct{ obj, typ string }{{tree, "tree"}, {blob, "blob"}, {tree, "commit"}} {
		name := fmt.Sprintf("v%d.0.0", i+1)
		payload := fmt.Sprintf("object %s\ntype %s\ntag %s\ntagger %s\n\nRelease\n", c.obj, c.typ, name, tagger)
		sig, err := s.Sign(t.Context(), strings.NewReader(payload))
		require.NoError(t, err)
		f.writeRaw(t, name, append([]byte(payload), sig...))
		_, err = tagging.Verify(t.Context(), f.repo, name, v, verifyAt)
		require.ErrorIs(t, err, &tagging.Error{Reason: "target is not a commit"}, "%s %s", c.typ, c.obj)
	}
}

// Duplicate type and tagger headers are ambiguous too, and the SSH block
// smuggled before an OpenPGP signature.
func TestVerifyMoreSmuggling(t *testing.T) {
	sf := newSigned(t)
	o1, err := tagging.Parse(sf.sshRaw)
	require.NoError(t, err)
	o2, err := tagging.Parse(sf.pgpRaw)
	require.NoError(t, err)
	cases := map[string]struct {
		raw  []byte
		v    signature.Verifier
		want error
	}{
		"dup type":                 {bytes.Replace(sf.pgpRaw, []byte("type commit\n"), []byte("type commit\ntype commit\n"), 1), sf.pgp, &tagging.Error{Reason: "ambiguous tag object"}},
		"dup tagger":               {bytes.Replace(sf.pgpRaw, []byte("\n\n"), []byte("\ntagger "+tagger.String()+"\n\n"), 1), sf.pgp, &tagging.Error{Reason: "ambiguous tag object"}},
		"ssh then pgp":             {append(append(bytes.Clone(o2.Payload), o1.Signature...), o2.Signature...), sf.pgp, &tagging.Error{Reason: "ambiguous tag object"}},
		"pgp twice":                {append(append(bytes.Clone(o2.Payload), o2.Signature...), o2.Signature...), sf.pgp, &tagging.Error{Reason: "ambiguous tag object"}},
		"pgp message block":        {append(bytes.Replace(bytes.Clone(o2.Payload), []byte("Release v2.0.0\n"), []byte("Release v2.0.0\n-----BEGIN PGP MESSAGE-----\n"), 1), o2.Signature...), sf.pgp, &tagging.Error{Reason: "ambiguous tag object"}},
		"NUL before the signature": {append(append(bytes.Clone(o2.Payload), 0), o2.Signature...), sf.pgp, &tagging.Error{Reason: "malformed tag object"}},
		"NUL in the ssh armor":     {bytes.Replace(sf.sshRaw, []byte("-----END SSH"), []byte("\x00\n-----END SSH"), 1), sf.ssh, &tagging.Error{Reason: "malformed tag object"}},
		"blank line after pgp":     {append(bytes.Clone(sf.pgpRaw), '\n'), sf.pgp, &signature.Error{Reason: "malformed signature"}},
		"CRLF armor":               {bytes.ReplaceAll(sf.sshRaw[len(o1.Payload):], []byte("\n"), []byte("\r\n")), sf.ssh, &tagging.Error{Reason: "malformed tag object"}},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			raw := c.raw
			if name == "CRLF armor" {
				raw = append(bytes.Clone(o1.Payload), raw...)
				c.want = &signature.Error{Reason: "malformed signature"}
			}
			_, err := tagging.VerifyObject(t.Context(), raw, c.v, verifyAt)
			require.ErrorIs(t, err, c.want)
		})
	}
}

// Row 36: an unknown critical notation or an unknown critical subpacket is
// an unsupported signature, not a silently skipped packet.
func TestVerifyOpenPGPUnknownCritical(t *testing.T) {
	f := newFixture(t)
	e := pgpKey(t, "ed25519", nil)
	v := pgpVerifier(t, e)
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
	require.NoError(t, err)
	payload := f.catTag(t, "v1.0.0")
	sign := func(notations []*packet.Notation) []byte {
		var bin bytes.Buffer
		cfg := &packet.Config{Time: func() time.Time { return time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC) }, SignatureNotations: notations}
		require.NoError(t, openpgp.DetachSign(&bin, e, bytes.NewReader(payload), cfg))
		return bin.Bytes()
	}
	armored := func(bin []byte) []byte {
		var b bytes.Buffer
		w, err := armorEncode(&b, openpgp.SignatureType)
		require.NoError(t, err)
		_, err = w.Write(bin)
		require.NoError(t, err)
		require.NoError(t, w.Close())
		b.WriteByte('\n')
		return b.Bytes()
	}
	_, err = tagging.VerifyObject(t.Context(), append(bytes.Clone(payload), armored(sign(nil))...), v, verifyAt)
	require.NoError(t, err, "the plain signature verifies")

	crit := sign([]*packet.Notation{{Name: "policy@example.com", Value: []byte("x"), IsCritical: true, IsHumanReadable: true}})
	_, err = tagging.VerifyObject(t.Context(), append(bytes.Clone(payload), armored(crit)...), v, verifyAt)
	require.ErrorIs(t, err, &signature.Error{Reason: "unsupported signature"}, "unknown critical notation")

	// Add an unknown critical subpacket (type 111) to the hashed area (in
	// the unhashed area, which nobody signs, go-crypto rightly ignores it).
	bin := sign(nil)
	require.Equal(t, byte(0xc2), bin[0], "new-format signature packet")
	require.Less(t, int(bin[1]), 189, "one-octet length")
	body := bin[2:]
	sub := []byte{2, 0x80 | 111, 0}
	hashed := int(body[4])<<8 | int(body[5]) + len(sub)
	patched := append(append([]byte{}, body[:4]...), byte(hashed>>8), byte(hashed))
	patched = append(append(patched, sub...), body[6:]...)
	pkt := append([]byte{0xc2, byte(len(patched))}, patched...)
	_, err = tagging.VerifyObject(t.Context(), append(bytes.Clone(payload), armored(pkt)...), v, verifyAt)
	require.ErrorIs(t, err, &signature.Error{Reason: "unsupported signature"}, "unknown critical subpacket")
}

// Row 32, both time policies: a signature dated after the key expired, and
// one dated before the key existed (valid at the verification time, not at
// the signing time), are ErrKeyExpired; a signature dated after the
// verification time is refused ("signature made after the verification time"). The tagger date plays no part.
func TestVerifyOpenPGPSigningTimePolicy(t *testing.T) {
	f := newFixture(t)
	// Created 2026-01-01, expires 2026-01-31.
	e := pgpKey(t, "ed25519", func(c *packet.Config) { c.KeyLifetimeSecs = 30 * 24 * 3600 })
	v := pgpVerifier(t, e)
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
	require.NoError(t, err)
	payload := f.catTag(t, "v1.0.0")
	signAt := func(when time.Time) []byte {
		id := e.PrivateKey.KeyId
		sig := &packet.Signature{Version: 4, SigType: packet.SigTypeBinary, PubKeyAlgo: e.PrivateKey.PubKeyAlgo,
			Hash: crypto.SHA256, CreationTime: when, IssuerKeyId: &id, IssuerFingerprint: e.PrivateKey.Fingerprint}
		cfg := &packet.Config{Time: func() time.Time { return when }}
		h, err := sig.PrepareSign(cfg)
		require.NoError(t, err)
		_, err = h.Write(payload)
		require.NoError(t, err)
		require.NoError(t, sig.Sign(h, e.PrivateKey, cfg))
		var b bytes.Buffer
		w, err := armorEncode(&b, openpgp.SignatureType)
		require.NoError(t, err)
		require.NoError(t, sig.Serialize(w))
		require.NoError(t, w.Close())
		b.WriteByte('\n')
		return append(bytes.Clone(payload), b.Bytes()...)
	}
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }

	_, err = tagging.VerifyObject(t.Context(), signAt(day(1, 10)), v, day(1, 20))
	require.NoError(t, err, "signed and verified while the key is valid")
	_, err = tagging.VerifyObject(t.Context(), signAt(day(2, 15)), v, day(2, 20))
	require.ErrorIs(t, err, signature.ErrKeyExpired, "signed after the key expired")
	_, err = tagging.VerifyObject(t.Context(), signAt(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)), v, day(1, 20))
	require.ErrorIs(t, err, signature.ErrKeyExpired, "signed before the key existed")
	_, err = tagging.VerifyObject(t.Context(), signAt(day(1, 25)), v, day(1, 20))
	require.ErrorIs(t, err, &signature.Error{Reason: "signature made after the verification time"})
}
