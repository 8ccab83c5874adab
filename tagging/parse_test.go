package tagging_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

const (
	hashA   = "0123456789abcdef0123456789abcdef01234567"
	header  = "object " + hashA + "\ntype commit\ntag v1.0.0\ntagger Release Bot <bot@example.com> 1767610800 +0100\n\n"
	sshSig  = "-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----\n"
	pgpSig  = "-----BEGIN PGP SIGNATURE-----\n\niQ==\n=abcd\n-----END PGP SIGNATURE-----\n"
	message = "Release v1.0.0\n"
)

func TestParse(t *testing.T) {
	o, err := tagging.Parse([]byte(header + message + sshSig))
	require.NoError(t, err)
	assert.Equal(t, "v1.0.0", o.Name)
	assert.Equal(t, hashA, o.Target.String())
	assert.Equal(t, "commit", o.TargetType)
	assert.Equal(t, message, o.Message)
	assert.Equal(t, header+message, string(o.Payload))
	assert.Equal(t, sshSig, string(o.Signature))
	assert.Equal(t, signature.SSH, o.Format)
	assert.Equal(t, "Release Bot <bot@example.com> 1767610800 +0100", o.Tagger.String())

	bad := map[string]error{
		"no blank line":        &tagging.Error{Reason: "malformed tag object"},
		"missing tagger":       &tagging.Error{Reason: "malformed tag object"},
		"two signatures":       &tagging.Error{Reason: "ambiguous tag object"},
		"trailing data":        &signature.Error{Reason: "malformed signature"},
		"bad tagger":           &tagging.Error{Reason: "malformed tag object"},
		"uppercase hash":       &tagging.Error{Reason: "malformed tag object"},
		"unknown type":         &tagging.Error{Reason: "malformed tag object"},
		"headers out of order": &tagging.Error{Reason: "malformed tag object"},
	}
	inputs := map[string]string{
		"no blank line":        strings.TrimSuffix(header, "\n"),
		"missing tagger":       "object " + hashA + "\ntype commit\ntag v1.0.0\n\n" + message,
		"two signatures":       header + message + pgpSig + sshSig,
		"trailing data":        header + message + sshSig + "x",
		"bad tagger":           strings.Replace(header, "+0100", "0100", 1) + message,
		"uppercase hash":       strings.Replace(header, "abcdef", "ABCDEF", 1) + message,
		"unknown type":         strings.Replace(header, "type commit", "type bogus", 1) + message,
		"headers out of order": "type commit\nobject " + hashA + "\ntag v1.0.0\ntagger a <b> 1 +0000\n\n" + message,
	}
	for name, want := range bad {
		_, err := tagging.Parse([]byte(inputs[name]))
		assert.ErrorIs(t, err, want, name)
	}
}

func TestCleanMessage(t *testing.T) {
	cases := map[string]string{
		"x":                        "x\n",
		"\n\n  x  \n\n\n\ny\t\n\n": "  x\n\ny\n",
		" \n\t\n":                  "",
		"a\r\nb\r\n":               "a\nb\n",
	}
	for in, want := range cases {
		assert.Equal(t, want, tagging.CleanMessage(in), "%q", in)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{header + message, header + message + sshSig, header + message + pgpSig, header + message + pgpSig + sshSig, header} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		o, err := tagging.Parse(raw)
		if err != nil {
			return
		}
		// The object is exactly its signed part followed by its signature.
		if !bytes.Equal(append(bytes.Clone(o.Payload), o.Signature...), raw) {
			t.Fatalf("payload + signature != raw for %q", raw)
		}
		if (o.Signature == nil) != (o.Format == "") {
			t.Fatalf("format %q with signature %q", o.Format, o.Signature)
		}
		if !bytes.HasSuffix(o.Payload, []byte(o.Message)) {
			t.Fatalf("message %q is not the end of the payload", o.Message)
		}
		if tagging.ValidateName(o.Name) != nil {
			t.Fatalf("accepted the tag name %q", o.Name)
		}
	})
}

// FuzzVerifyObject feeds arbitrary objects to both verifiers: never a panic,
// and never a success unless the signed bytes are exactly the seed's.
func FuzzVerifyObject(f *testing.F) {
	key := exampleKey()
	signer, err := signature.NewSSHSigner(key, tagging.GitNamespace)
	if err != nil {
		f.Fatal(err)
	}
	payload := []byte(header + message)
	sig, err := signer.Sign(context.Background(), bytes.NewReader(payload))
	if err != nil {
		f.Fatal(err)
	}
	signed := append(bytes.Clone(payload), sig...)
	allowed, err := signature.ParseAllowedSigners([]byte("bot@example.com " + string(ssh.MarshalAuthorizedKey(key.PublicKey()))))
	if err != nil {
		f.Fatal(err)
	}
	sshV := signature.NewSSHVerifier(allowed, tagging.GitNamespace)
	pgpV := pgpVerifier(f, pgpKey(f, "ed25519", nil))
	for _, s := range []string{string(signed), header + message + pgpSig, header + message + sshSig} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		_, errSSH := tagging.VerifyObject(context.Background(), raw, sshV, verifyAt)
		_, errPGP := tagging.VerifyObject(context.Background(), raw, pgpV, verifyAt)
		if errPGP == nil {
			t.Fatalf("OpenPGP verified %q", raw)
		}
		if errSSH == nil {
			o, err := tagging.Parse(raw)
			if err != nil || !bytes.Equal(o.Payload, payload) {
				t.Fatalf("SSH verified %q", raw)
			}
		}
	})
}
