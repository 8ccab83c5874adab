package tagging_test

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/releasekit/releasekit/tagging"
)

// CleanMessage must produce what `git tag -a -m` stores, byte for byte:
// comment lines ('#') are removed, only " \t\r\n" count as trailing white
// space (git keeps \v and \f), CRLF becomes LF, and a final newline is
// added.
func TestCleanMessageMatchesGit(t *testing.T) {
	f := newFixture(t)
	msgs := []string{
		"no trailing newline",
		"multi\nline\nmessage\n",
		"crlf\r\nlines\r\n\r\n\r\nend\r\n",
		"lone\rcarriage return\n",
		"# a comment\nkept\n",
		"## Features\n\n- one\n# two\n",
		"  # indented is kept\n",
		"tab\t\nvt\v\nff\f\n",
		"\n\n  leading blank lines\n\n\n",
		"a\n\n# c\n\nb\n",
		"#\n#x\nbody",
		"trailing   \t \r",
		"\xff\xfe latin\n",
	}
	for i, msg := range msgs {
		name := fmt.Sprintf("m%d", i)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "tag", "-a", "-m", msg, name, f.commit.String())
		require.NoError(t, err, out)
		o, err := tagging.Parse(f.catTag(t, name))
		require.NoError(t, err)
		assert.Equal(t, o.Message, tagging.CleanMessage(msg), "%q", msg)

		// And Create stores exactly git's object for it.
		req := f.req("r" + name)
		req.Message = msg
		tag, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.NoError(t, err, "%q", msg)
		want := bytes.Replace(f.catTag(t, name), []byte("\ntag "+name+"\n"), []byte("\ntag r"+name+"\n"), 1)
		assert.Equal(t, string(want), string(f.catTag(t, "r"+name)), "%q", msg)
		assert.Equal(t, o.Message, tag.Message)
	}
}

// The same messages, signed with an SSH Ed25519 key (deterministic): the
// object is byte for byte the one `git tag -s` writes, same hash.
func TestSSHSignedLayoutMatchesGitForMessages(t *testing.T) {
	f := newFixture(t)
	key := sshKey(t, "ed25519")
	s := sshSigner(t, key, tagging.GitNamespace)
	for i, msg := range []string{"no trailing newline", "multi\nline\n\n\nmessage  \n", "crlf\r\nlines\r\n", "# dropped\nkept\n", "vt\v\n"} {
		req := f.req(fmt.Sprintf("v%d.0.0", i))
		req.Message = msg
		ours, err := tagging.Create(t.Context(), f.repo, req, s)
		require.NoError(t, err)
		mine := f.catTag(t, req.Name)
		f.must(t, nil, "git", "tag", "-d", req.Name)
		out, err := f.runIn(t, nil, gitTagEnv(), "git", "-c", "gpg.format=ssh", "-c", "user.signingKey="+key, "tag", "-s", "-m", msg, req.Name, f.commit.String())
		require.NoError(t, err, out)
		assert.Equal(t, string(f.catTag(t, req.Name)), string(mine), "%q", msg)
		assert.Equal(t, strings.TrimSpace(f.must(t, nil, "git", "rev-parse", req.Name)), ours.Hash.String(), "%q", msg)
	}
}

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
	require.ErrorIs(t, err, tagging.ErrBadSignature, "a CR added to the message must not verify")
}

// A name taken by anything (a tag to a tree, a malformed tag object, a
// symbolic ref) is ErrTagExists, never a stray error and never a new tag.
func TestCreateNameTakenByOddObjects(t *testing.T) {
	f := newFixture(t)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	f.must(t, nil, "git", "tag", "v1.0.0", tree)                      // lightweight tag of a tree
	f.must(t, nil, "git", "tag", "-a", "-m", "x", "v2.0.0", tree)     // annotated tag of a tree
	f.writeRaw(t, "v3.0.0", []byte("object "+f.commit.String()+"\n")) // malformed tag object
	f.must(t, nil, "git", "symbolic-ref", "refs/tags/v4.0.0", "refs/heads/main")
	for _, name := range []string{"v1.0.0", "v2.0.0", "v3.0.0", "v4.0.0"} {
		t.Run(name, func(t *testing.T) {
			before := f.must(t, nil, "git", "for-each-ref")
			_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req(name))
			require.ErrorIs(t, err, tagging.ErrTagExists)
			var ee *tagging.ExistsError
			require.ErrorAs(t, err, &ee)
			assert.Equal(t, f.commit, ee.Requested)
			assert.Equal(t, before, f.must(t, nil, "git", "for-each-ref"))
		})
	}
}

// A stale lock is ErrLocked (not a hang), the lock is left to its owner and
// nothing is created.
func TestCreateStaleLock(t *testing.T) {
	f := newFixture(t)
	lock := filepath.Join(f.g.Dir, ".git", "refs", "tags", "v1.0.0.lock")
	require.NoError(t, os.MkdirAll(filepath.Dir(lock), 0o755))
	require.NoError(t, os.WriteFile(lock, nil, 0o644))
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"), tagging.WithLockTimeout(0))
	require.ErrorIs(t, err, tagging.ErrLocked)
	_, err = os.Stat(lock)
	require.NoError(t, err, "someone else's lock is not removed")
	assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
}

// A reference in the way (refs/tags/a/b loose or packed when creating a, or
// refs/tags/a packed when creating a/b) is refused with a typed error, as
// git refuses it, and nothing is created.
func TestCreateRefInTheWay(t *testing.T) {
	for _, c := range []struct{ existing, name string }{
		{"a/b", "a"},
		{"a", "a/b"},
	} {
		for _, packed := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s-%s-packed=%v", c.existing, c.name, packed), func(t *testing.T) {
				f := newFixture(t)
				f.must(t, nil, "git", "tag", c.existing, f.commit.String())
				if packed {
					f.must(t, nil, "git", "pack-refs", "--all")
				}
				_, gitErr := f.runIn(t, nil, nil, "git", "tag", c.name, f.commit.String())
				require.Error(t, gitErr, "git refuses too")
				_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req(c.name))
				require.ErrorIs(t, err, tagging.ErrInvalidRefName)
				assert.Equal(t, c.existing, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
				assert.NoFileExists(t, filepath.Join(f.g.Dir, ".git", "refs", "tags", c.name+".lock"))
			})
		}
	}
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
		require.ErrorIs(t, err, tagging.ErrNotCommit, "%s %s", c.typ, c.obj)
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
		v    tagging.Verifier
		want error
	}{
		"dup type":                 {bytes.Replace(sf.pgpRaw, []byte("type commit\n"), []byte("type commit\ntype commit\n"), 1), sf.pgp, tagging.ErrAmbiguous},
		"dup tagger":               {bytes.Replace(sf.pgpRaw, []byte("\n\n"), []byte("\ntagger "+tagger.String()+"\n\n"), 1), sf.pgp, tagging.ErrAmbiguous},
		"ssh then pgp":             {append(append(bytes.Clone(o2.Payload), o1.Signature...), o2.Signature...), sf.pgp, tagging.ErrAmbiguous},
		"pgp twice":                {append(append(bytes.Clone(o2.Payload), o2.Signature...), o2.Signature...), sf.pgp, tagging.ErrAmbiguous},
		"pgp message block":        {append(bytes.Replace(bytes.Clone(o2.Payload), []byte("Release v2.0.0\n"), []byte("Release v2.0.0\n-----BEGIN PGP MESSAGE-----\n"), 1), o2.Signature...), sf.pgp, tagging.ErrAmbiguous},
		"NUL before the signature": {append(append(bytes.Clone(o2.Payload), 0), o2.Signature...), sf.pgp, tagging.ErrMalformedTag},
		"NUL in the ssh armor":     {bytes.Replace(sf.sshRaw, []byte("-----END SSH"), []byte("\x00\n-----END SSH"), 1), sf.ssh, tagging.ErrMalformedTag},
		"blank line after pgp":     {append(bytes.Clone(sf.pgpRaw), '\n'), sf.pgp, tagging.ErrMalformedSignature},
		"CRLF armor":               {bytes.ReplaceAll(sf.sshRaw[len(o1.Payload):], []byte("\n"), []byte("\r\n")), sf.ssh, tagging.ErrMalformedTag},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			raw := c.raw
			if name == "CRLF armor" {
				raw = append(bytes.Clone(o1.Payload), raw...)
				c.want = tagging.ErrMalformedSignature
			}
			_, err := tagging.VerifyObject(t.Context(), raw, c.v, verifyAt)
			require.ErrorIs(t, err, c.want)
		})
	}
}

// Differential test of ValidateName against git check-ref-format on
// generated names. Known, deliberate differences: a leading '-', HEAD, "@"
// and invalid UTF-8 are refused here although check-ref-format allows them.
func TestValidateNameDifferential(t *testing.T) {
	need(t, "git")
	pieces := []string{"v", "1", ".", "..", "/", "//", "-", "@", "@{", "{", "}", "lock", ".lock", "a", "é", " ", "~", "^", ":", "?", "*", "[", "\\", "\t", "\x7f", "\x01", "+", "_", ",", "!", "#", "\"", "'", "%", "=", "]", "HEAD"}
	rng := rand.New(rand.NewPCG(1, 2))
	names := make([]string, 0, 1500)
	for range cap(names) {
		var b strings.Builder
		for range 1 + rng.IntN(5) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		names = append(names, b.String())
	}
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	var mu sync.Mutex
	var diffs []string
	for _, name := range names {
		if strings.HasPrefix(name, "-") || name == "HEAD" || name == "@" {
			continue
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			gitOK := exec.Command("git", "check-ref-format", "refs/tags/"+name).Run() == nil
			if ours := tagging.ValidateName(name) == nil; ours != gitOK {
				mu.Lock()
				diffs = append(diffs, fmt.Sprintf("%q: git %v, ours %v", name, gitOK, ours))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	assert.Empty(t, diffs)
}

// A tagger with a control character (CR, TAB, DEL) would be written into
// the header line verbatim: it is refused.
func TestCreateTaggerControlCharacters(t *testing.T) {
	f := newFixture(t)
	for _, bad := range []string{"Release\rBot", "Release\tBot", "Release\x7fBot", "Release\x1bBot"} {
		req := f.req("v1.0.0")
		req.Tagger.Name = bad
		_, err := tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.ErrorIs(t, err, tagging.ErrInvalidTagger, "%q", bad)
		req = f.req("v1.0.0")
		req.Tagger.Email = bad
		_, err = tagging.CreateUnsigned(t.Context(), f.repo, req)
		require.ErrorIs(t, err, tagging.ErrInvalidTagger, "%q", bad)
	}
	assert.Empty(t, strings.TrimSpace(f.must(t, nil, "git", "tag", "-l")))
}

// Row 36: an unknown critical notation or an unknown critical subpacket is
// ErrUnsupported, not a silently skipped packet.
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
	require.ErrorIs(t, err, tagging.ErrUnsupported, "unknown critical notation")

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
	require.ErrorIs(t, err, tagging.ErrUnsupported, "unknown critical subpacket")
}

// Row 32, both time policies: a signature dated after the key expired, and
// one dated before the key existed (valid at the verification time, not at
// the signing time), are ErrKeyExpired; a signature dated after the
// verification time is ErrFutureSignature. The tagger date plays no part.
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
	require.ErrorIs(t, err, tagging.ErrKeyExpired, "signed after the key expired")
	_, err = tagging.VerifyObject(t.Context(), signAt(time.Date(2025, 12, 1, 0, 0, 0, 0, time.UTC)), v, day(1, 20))
	require.ErrorIs(t, err, tagging.ErrKeyExpired, "signed before the key existed")
	_, err = tagging.VerifyObject(t.Context(), signAt(day(1, 25)), v, day(1, 20))
	require.ErrorIs(t, err, tagging.ErrFutureSignature)
}

// Nil and zero-value signers and verifiers fail with typed errors instead
// of panicking, and nothing is written.
func TestNilSignersAndVerifiers(t *testing.T) {
	sf := newSigned(t)
	for name, v := range map[string]tagging.Verifier{
		"nil ssh":    (*tagging.SSHVerifier)(nil),
		"nil pgp":    (*tagging.OpenPGPVerifier)(nil),
		"zero ssh":   &tagging.SSHVerifier{},
		"zero pgp":   &tagging.OpenPGPVerifier{},
		"nil ssh -I": (*tagging.SSHVerifier)(nil).WithPrincipal("bot@example.com"),
	} {
		for _, tag := range []string{"v1.0.0", "v2.0.0"} {
			_, err := tagging.Verify(t.Context(), sf.repo, tag, v, verifyAt)
			require.Error(t, err, "%s %s", name, tag)
			assert.True(t, errorsIsAny(err, tagging.ErrUntrustedKey, tagging.ErrNamespace), "%s %s: %v", name, tag, err)
		}
	}
	before := sf.must(t, nil, "git", "count-objects", "-v")
	for name, s := range map[string]tagging.Signer{
		"nil ssh":  (*tagging.SSHSigner)(nil),
		"nil pgp":  (*tagging.OpenPGPSigner)(nil),
		"zero ssh": &tagging.SSHSigner{},
		"zero pgp": &tagging.OpenPGPSigner{},
	} {
		_, err := tagging.Create(t.Context(), sf.repo, sf.req("v3.0.0"), s)
		require.ErrorIs(t, err, tagging.ErrSign, name)
	}
	assert.Empty(t, (*tagging.SSHSigner)(nil).Fingerprint())
	assert.Empty(t, (&tagging.OpenPGPSigner{}).Fingerprint())
	assert.Equal(t, before, sf.must(t, nil, "git", "count-objects", "-v"))
}

func errorsIsAny(err error, targets ...error) bool {
	for _, t := range targets {
		if errors.Is(err, t) {
			return true
		}
	}
	return false
}

// Immutability by construction: the package exports nothing that deletes,
// moves, forces or overwrites a reference.
func TestNoExportedWayToMoveATag(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi os.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, d := range file.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || !fn.Name.IsExported() {
					continue
				}
				lower := strings.ToLower(fn.Name.Name)
				for _, bad := range []string{"delete", "remove", "move", "force", "overwrite", "update", "replace", "retag", "set"} {
					assert.NotContains(t, lower, bad, "exported %s", fn.Name.Name)
				}
			}
		}
	}
}

// CleanMessage is idempotent and leaves no comment line, no trailing white
// space and no blank line at either end.
func FuzzCleanMessage(f *testing.F) {
	for _, s := range []string{"x", "# c\nx", "a\r\n\r\nb\v\f \t\r", "\n\n  x  \n\n\n\ny\t\n\n", "#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, msg string) {
		c := tagging.CleanMessage(msg)
		if tagging.CleanMessage(c) != c {
			t.Fatalf("not idempotent: %q -> %q -> %q", msg, c, tagging.CleanMessage(c))
		}
		if c == "" {
			return
		}
		if !strings.HasSuffix(c, "\n") || strings.HasPrefix(c, "\n") || strings.HasSuffix(c, "\n\n") || strings.Contains(c, "\n\n\n") {
			t.Fatalf("bad blank lines: %q", c)
		}
		for _, line := range strings.Split(strings.TrimSuffix(c, "\n"), "\n") {
			if strings.HasPrefix(line, "#") || strings.TrimRight(line, " \t\r") != line {
				t.Fatalf("line %q left in %q", line, c)
			}
		}
	})
}

// A release tag of a tree has no commit: List says why, and SemverTags
// leaves it out of the previous-release lookup.
func TestListTagOfTree(t *testing.T) {
	f := newFixture(t)
	tree := strings.TrimSpace(f.must(t, nil, "git", "rev-parse", f.commit.String()+"^{tree}"))
	f.must(t, nil, "git", "tag", "-a", "-m", "x", "v9.0.0", tree)
	_, err := tagging.CreateUnsigned(t.Context(), f.repo, f.req("v1.0.0"))
	require.NoError(t, err)
	rels, err := tagging.List(t.Context(), f.repo, semverV, nil, verifyAt)
	require.NoError(t, err)
	require.Len(t, rels, 2)
	assert.ErrorIs(t, rels[1].Err, tagging.ErrNotCommit)
	assert.True(t, rels[1].Commit.IsZero())
	tags := tagging.SemverTags(rels)
	require.Len(t, tags, 1)
	assert.Equal(t, "v1.0.0", tags[0].Name)
}

// A nil repository is a typed error, not a panic.
func TestNilRepository(t *testing.T) {
	req := tagging.Request{Name: "v1.0.0", Target: plumbing.NewHash(hashA), Tagger: tagger, Message: "x"}
	_, err := tagging.CreateUnsigned(t.Context(), nil, req)
	require.ErrorIs(t, err, tagging.ErrUnsupportedStorage)
	_, err = tagging.Verify(t.Context(), nil, "v1.0.0", &tagging.SSHVerifier{}, verifyAt)
	require.ErrorIs(t, err, tagging.ErrUnsupportedStorage)
	_, err = tagging.List(t.Context(), nil, semverV, nil, verifyAt)
	require.ErrorIs(t, err, tagging.ErrUnsupportedStorage)
	require.ErrorIs(t, tagging.Push(t.Context(), nil, "origin", "v1.0.0"), tagging.ErrUnsupportedStorage)
}

// Signers and verifiers are documented safe for concurrent use (run with
// -race).
func TestSignersAndVerifiersConcurrent(t *testing.T) {
	sf := newSigned(t)
	pgpS := pgpSigner(t, sf.entity)
	sshS := sshSigner(t, sf.sshKey, tagging.GitNamespace)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for _, c := range []struct {
				raw []byte
				v   tagging.Verifier
			}{{sf.sshRaw, sf.ssh}, {sf.pgpRaw, sf.pgp}} {
				_, err := tagging.VerifyObject(t.Context(), c.raw, c.v, verifyAt)
				assert.NoError(t, err)
			}
			for _, s := range []tagging.Signer{pgpS, sshS} {
				_, err := s.Sign(t.Context(), strings.NewReader("x\n"))
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
}
