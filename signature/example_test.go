package signature_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/signature"
)

// Signing in an SSH namespace and verifying against an allowed_signers
// file, at an explicit time. The key is fixed for the example; in CI it
// comes from a key file (ParseSSHPrivateKey) or an ssh-agent.
func ExampleSSHVerifier() {
	ctx := context.Background()
	sk, _ := ssh.NewSignerFromKey(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)))
	signer, _ := signature.NewSSHSigner(sk, "releasekit-manifest")

	msg := []byte("manifest 2026.02\n")
	sig, _ := signer.Sign(ctx, bytes.NewReader(msg))

	allowed, _ := signature.ParseAllowedSigners([]byte(`deploy@example.com namespaces="releasekit-manifest" ` + string(ssh.MarshalAuthorizedKey(sk.PublicKey()))))
	at := time.Date(2026, 2, 1, 12, 0, 0, 0, time.UTC)

	id, err := signature.NewSSHVerifier(allowed, "releasekit-manifest").Verify(ctx, msg, sig, at)
	fmt.Println(id.Format, id.Identity, strings.HasPrefix(id.Fingerprint, "SHA256:"), err)

	// The same signature is never valid in another namespace.
	_, err = signature.NewSSHVerifier(allowed, "git").Verify(ctx, msg, sig, at)
	fmt.Println(err != nil)

	// A changed message does not verify.
	_, err = signature.NewSSHVerifier(allowed, "releasekit-manifest").Verify(ctx, []byte("manifest 2026.03\n"), sig, at)
	fmt.Println(errors.Is(err, signature.ErrBadSignature))
	// Output:
	// ssh deploy@example.com true <nil>
	// true
	// true
}

// A bare key signs DSSE envelopes; its verifier names the key by its key id.
func ExampleKeyVerifier() {
	ctx := context.Background()
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, ed25519.SeedSize))
	signer, _ := signature.NewKeySigner(key)
	verifier, _ := signature.NewKeyVerifier(key.Public())

	sig, _ := signer.Sign(ctx, strings.NewReader("payload"))
	id, err := verifier.Verify(ctx, []byte("payload"), sig, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(id.Format, id.Identity == signer.KeyID(), err)

	_, err = verifier.Verify(ctx, []byte("other"), sig, time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC))
	fmt.Println(errors.Is(err, signature.ErrBadSignature))
	// Output:
	// key true <nil>
	// true
}
