package manifest_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tagging"
)

var verifyAt = time.Date(2026, 1, 5, 12, 0, 0, 0, time.UTC)

// sshKeys returns a signer in namespace ns and a verifier trusting that key
// for the manifest namespace (twice, as callers take two results).
func sshKeys(t testing.TB, ns string) (*signature.SSHSigner, signature.Verifier, signature.Verifier) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	require.NoError(t, err)
	sk, err := ssh.NewSignerFromKey(priv)
	require.NoError(t, err)
	signer, err := signature.NewSSHSigner(sk, ns)
	require.NoError(t, err)
	line := "release@example.com " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sk.PublicKey())))
	allowed, err := signature.ParseAllowedSigners([]byte(line + "\n"))
	require.NoError(t, err)
	tv := signature.NewSSHVerifier(allowed, manifest.Namespace)
	return signer, tv, tv
}

func sampleManifest() manifest.Manifest {
	return manifest.Manifest{
		Name: "2026.01",
		Repos: []manifest.Repo{
			{Name: "web", Tag: "v2.0.0", Commit: strings.Repeat("c", 40), Artifacts: []manifest.Artifact{{Name: "web", Digest: digestOf("web")}}},
			{Name: "api", Tag: "v1.4.2", Commit: strings.Repeat("a", 40), SBOM: digestOf("sbom"), Provenance: "att://1",
				Artifacts: []manifest.Artifact{{Name: "z", Digest: digestOf("z")}, {Name: "api", Digest: digestOf("api"), URI: "r.example/api?a=<b>&c"}}},
		},
	}
}

func TestManifestCanonical(t *testing.T) {
	m := sampleManifest()
	b, err := manifest.Marshal(m)
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), `{"name":"2026.01","repos":[{"artifacts":[{"digest":"`), string(b))
	assert.NotContains(t, string(b), " ")
	assert.Contains(t, string(b), `a=<b>&c`, "no HTML escaping")
	got, err := manifest.ParseManifest(b)
	require.NoError(t, err)
	b2, err := manifest.Marshal(got)
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))

	// Order of repos and artifacts does not change the identity.
	m2 := sampleManifest()
	m2.Repos[0], m2.Repos[1] = m2.Repos[1], m2.Repos[0]
	d1, err := m.Digest()
	require.NoError(t, err)
	d2, err := m2.Digest()
	require.NoError(t, err)
	assert.Equal(t, d1, d2)
	require.NoError(t, manifest.ValidateDigest(d1))

	// Any change is a new candidate.
	m2.Repos[0].Artifacts[0].Digest = digestOf("other")
	d3, err := m2.Digest()
	require.NoError(t, err)
	assert.NotEqual(t, d1, d3)
}

func TestParseManifestStrict(t *testing.T) {
	good, err := manifest.Marshal(sampleManifest())
	require.NoError(t, err)
	for name, in := range map[string]string{
		"unknown":  strings.Replace(string(good), `{"name"`, `{"x":1,"name"`, 1),
		"version":  strings.Replace(string(good), `"version":1`, `"version":0`, 1),
		"digest":   strings.Replace(string(good), digestOf("web"), "sha256:WEB", 1),
		"commit":   strings.Replace(string(good), strings.Repeat("c", 40), "HEAD", 1),
		"duprepo":  strings.Replace(string(good), `"name":"web","tag"`, `"name":"api","tag"`, 1),
		"trailing": string(good) + " x",
		"empty":    "",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := manifest.ParseManifest([]byte(in))
			assert.ErrorIs(t, err, manifest.ErrInvalidManifest)
		})
	}
}

func TestManifestSignVerify(t *testing.T) {
	ctx := t.Context()
	signer, verifier, _ := sshKeys(t, manifest.Namespace)
	m := sampleManifest()
	data, err := manifest.Marshal(m)
	require.NoError(t, err)
	sig, err := manifest.Sign(ctx, m, signer)
	require.NoError(t, err)

	got, err := manifest.Open(ctx, data, sig, verifier, verifyAt)
	require.NoError(t, err)
	assert.Equal(t, "2026.01", got.Name)

	t.Run("tampered digest", func(t *testing.T) {
		bad := strings.Replace(string(data), digestOf("web"), digestOf("evil"), 1)
		_, err := manifest.Open(ctx, []byte(bad), sig, verifier, verifyAt)
		assert.ErrorIs(t, err, signature.ErrBadSignature)
	})
	t.Run("tampered signature", func(t *testing.T) {
		bad := []byte(strings.Replace(string(sig), "A", "B", 3))
		_, err := manifest.Open(ctx, data, bad, verifier, verifyAt)
		assert.ErrorIs(t, err, signature.ErrBadSignature)
	})
	t.Run("re-encoded", func(t *testing.T) {
		bad := strings.Replace(string(data), `,"repos"`, `, "repos"`, 1)
		_, err := manifest.Open(ctx, []byte(bad), sig, verifier, verifyAt)
		assert.ErrorIs(t, err, manifest.ErrInvalidManifest)
	})
	t.Run("git namespace signature is not a manifest signature", func(t *testing.T) {
		gitSigner, _, _ := sshKeys(t, tagging.GitNamespace)
		sig, err := manifest.Sign(ctx, m, gitSigner)
		require.NoError(t, err)
		_, err = manifest.Open(ctx, data, sig, verifier, verifyAt)
		assert.ErrorIs(t, err, signature.ErrBadSignature)
	})
	t.Run("other key", func(t *testing.T) {
		other, _, _ := sshKeys(t, manifest.Namespace)
		sig, err := manifest.Sign(ctx, m, other)
		require.NoError(t, err)
		_, err = manifest.Open(ctx, data, sig, verifier, verifyAt)
		assert.ErrorIs(t, err, signature.ErrBadSignature)
		assert.ErrorIs(t, err, signature.ErrUntrustedKey)
	})
}

func TestDiff(t *testing.T) {
	old := sampleManifest()
	nw := sampleManifest()
	assert.True(t, manifest.Diff(old, nw).Empty())
	nw.Repos = nw.Repos[:1] // drop api
	nw.Repos[0].Tag = "v2.0.1"
	nw.Repos[0].Artifacts = []manifest.Artifact{{Name: "web", Digest: digestOf("web2")}, {Name: "cdn", Digest: digestOf("cdn")}}
	nw.Repos = append(nw.Repos, manifest.Repo{Name: "db", Tag: "v1.0.0"})
	d := manifest.Diff(old, nw)
	assert.Equal(t, []string{"db"}, d.Added)
	assert.Equal(t, []string{"api"}, d.Removed)
	require.Len(t, d.Changed, 1)
	assert.Equal(t, "web", d.Changed[0].Name)
	assert.Equal(t, []string{"tag", "artifacts"}, d.Changed[0].Fields)
	assert.Equal(t, []manifest.DigestDiff{
		{Name: "cdn", New: digestOf("cdn")},
		{Name: "web", Old: digestOf("web"), New: digestOf("web2")},
	}, d.Changed[0].Digests)
}

func FuzzParseManifest(f *testing.F) {
	good, _ := manifest.Marshal(sampleManifest())
	f.Add(good)
	f.Add([]byte(`{"version":1,"name":"x","repos":[]}`))
	f.Add([]byte(`{"version":1,"name":"\u0001\u2028<>","repos":[{"name":"a","tag":"","commit":"","artifacts":null}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := manifest.ParseManifest(data)
		if err != nil {
			return
		}
		b, err := manifest.Marshal(m)
		if err != nil {
			t.Fatalf("marshal parsed manifest: %v", err)
		}
		m2, err := manifest.ParseManifest(b)
		if err != nil {
			t.Fatalf("reparse %q: %v", b, err)
		}
		b2, err := manifest.Marshal(m2)
		if err != nil || string(b) != string(b2) {
			t.Fatalf("not byte-identical:\n%q\n%q", b, b2)
		}
		if !manifest.Diff(m, m2).Empty() {
			t.Fatal("round trip changed content")
		}
	})
}

// json.Marshal replaces invalid UTF-8 with U+FFFD, so two different
// manifests would share one canonical form, digest and signature.
func TestManifestInvalidUTF8(t *testing.T) {
	a := manifest.Manifest{Version: manifest.ManifestVersion, Name: "rel\xff", Repos: []manifest.Repo{}}
	b := manifest.Manifest{Version: manifest.ManifestVersion, Name: "rel\ufffd", Repos: []manifest.Repo{}}
	da, errA := a.Digest()
	db, _ := b.Digest()
	if errA == nil && da == db {
		t.Fatalf("manifests %q and %q share digest %s", a.Name, b.Name, da)
	}
	if errA != nil && !errors.Is(errA, manifest.ErrInvalidManifest) {
		t.Fatalf("err = %v, want ErrInvalidManifest", errA)
	}
	tagged := manifest.Manifest{Version: manifest.ManifestVersion, Name: "n", Repos: []manifest.Repo{{Name: "r", Tag: "v1\xc0", Artifacts: []manifest.Artifact{}}}}
	if _, err := manifest.Marshal(tagged); err == nil {
		t.Error("Marshal accepted a tag that is not UTF-8")
	}
}
