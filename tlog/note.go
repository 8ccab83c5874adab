package tlog

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/ssh"
	"golang.org/x/mod/sumdb/note"
)

// Signature types of the signed-note format (https://c2sp.org/signed-note):
// the byte that starts a verifier key's key material and enters its key
// ID.
const (
	algEd25519     = 0x01 // Ed25519 signatures over the note text
	algCosignature = 0x04 // timestamped Ed25519 cosignatures (tlog-cosignature)
)

// ErrUnknownKey is returned (wrapped in a [*SignatureError]) when no
// signature of a note is by a key the caller trusts: the note is
// unverified, and its text must not be used.
var ErrUnknownKey = errors.New("tlog: no signature by a trusted key")

// ErrBadSignature is returned (wrapped in a [*SignatureError]) when a
// signature by a trusted key does not verify: the note was altered, or
// signed by another key that claims the trusted one's name and key ID.
var ErrBadSignature = errors.New("tlog: bad signature")

// ErrKey is returned (wrapped in a [*KeyError]) for a key or key name that
// cannot sign or verify notes.
var ErrKey = errors.New("tlog: unusable key")

// A SignatureError says why a signed note was refused. Its Unwrap returns
// Err ([ErrUnknownKey] or [ErrBadSignature]) and the error of
// golang.org/x/mod/sumdb/note it stands for (a
// [*note.UnverifiedNoteError] or a [*note.InvalidSignatureError]), so both
// errors.Is(err, tlog.ErrBadSignature) and errors.As(err,
// new(*note.InvalidSignatureError)) hold.
type SignatureError struct {
	// Name and KeyHash are the key of the bad signature; for ErrUnknownKey,
	// Name lists the keys that did sign ("name+hash", comma-separated).
	Name    string
	KeyHash uint32
	Err     error
	note    error
}

func (e *SignatureError) Error() string {
	if errors.Is(e.Err, ErrBadSignature) {
		return fmt.Sprintf("%v: key %s+%08x", e.Err, e.Name, e.KeyHash)
	}
	if e.Name == "" {
		return e.Err.Error()
	}
	return fmt.Sprintf("%v (signed by %s)", e.Err, e.Name)
}

// Unwrap returns the sentinel and the note package's error.
func (e *SignatureError) Unwrap() []error {
	if e.note == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.note}
}

// A KeyError says why a key or a key name was refused. It wraps [ErrKey].
type KeyError struct {
	Reason string // a short lower-case phrase
	Err    error  // the underlying error, if any
}

func (e *KeyError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%v: %s: %v", ErrKey, e.Reason, e.Err)
	}
	return fmt.Sprintf("%v: %s", ErrKey, e.Reason)
}

// Unwrap returns [ErrKey] and the underlying error.
func (e *KeyError) Unwrap() []error {
	if e.Err == nil {
		return []error{ErrKey}
	}
	return []error{ErrKey, e.Err}
}

// checkName refuses what the note format does not allow as a key name:
// empty, not UTF-8, holding a Unicode space or a '+'.
func checkName(name string) error {
	if name == "" || !utf8.ValidString(name) || strings.IndexFunc(name, unicode.IsSpace) >= 0 || strings.Contains(name, "+") {
		return &KeyError{Reason: fmt.Sprintf("key name %q: want non-empty UTF-8 without spaces or '+'", bound(name))}
	}
	return nil
}

// keyID is the signed-note key ID: the first four bytes of SHA-256(name ||
// "\n" || alg || public key).
func keyID(name string, alg byte, pub ed25519.PublicKey) uint32 {
	h := sha256.New()
	h.Write([]byte(name))
	h.Write([]byte{'\n', alg})
	h.Write(pub)
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func vkey(name string, alg byte, pub ed25519.PublicKey) string {
	return fmt.Sprintf("%s+%08x+%s", name, keyID(name, alg, pub), base64.StdEncoding.EncodeToString(append([]byte{alg}, pub...)))
}

// NewSigner returns the note signer of the Ed25519 private key key, named
// name: signed-note signature type 0x01, the signer
// golang.org/x/mod/sumdb/note.NewSigner makes of the key's
// "PRIVATE+KEY+name+hash+key" encoding. A log names its key after its
// checkpoints' origin. It returns a [*KeyError] for a key that is not 64
// bytes or a name the note format refuses.
func NewSigner(name string, key ed25519.PrivateKey) (note.Signer, error) {
	if err := checkName(name); err != nil {
		return nil, err
	}
	if len(key) != ed25519.PrivateKeySize {
		return nil, &KeyError{Reason: fmt.Sprintf("Ed25519 private key of %d bytes", len(key))}
	}
	pub := key.Public().(ed25519.PublicKey)
	skey := fmt.Sprintf("PRIVATE+KEY+%s+%08x+%s", name, keyID(name, algEd25519, pub),
		base64.StdEncoding.EncodeToString(append([]byte{algEd25519}, key.Seed()...)))
	s, err := note.NewSigner(skey)
	if err != nil {
		return nil, &KeyError{Reason: "note signer key", Err: err}
	}
	return s, nil
}

// NewVerifier returns the note verifier of the Ed25519 public key key,
// named name (signature type 0x01): it verifies what [NewSigner] of the
// private key and the same name signs.
func NewVerifier(name string, key ed25519.PublicKey) (note.Verifier, error) {
	k, err := VerifierKey(name, key)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(k)
	if err != nil {
		return nil, &KeyError{Reason: "note verifier key", Err: err}
	}
	return v, nil
}

// VerifierKey returns the verifier key ("vkey") of the Ed25519 public key
// key named name, "name+hash+base64(0x01||key)": the text a verifier is
// configured with, which golang.org/x/mod/sumdb/note.NewVerifier and
// [ParseVerifierKey] read.
func VerifierKey(name string, key ed25519.PublicKey) (string, error) {
	if err := checkName(name); err != nil {
		return "", err
	}
	if len(key) != ed25519.PublicKeySize {
		return "", &KeyError{Reason: fmt.Sprintf("Ed25519 public key of %d bytes", len(key))}
	}
	return vkey(name, algEd25519, key), nil
}

// ParseVerifierKey reads a verifier key "name+hash+base64(type||key)" of
// signature type 0x01 (an Ed25519 note signer's, as [VerifierKey] writes
// and note.GenerateKey makes) or 0x04 (a witness's cosignature key, as
// [Witness.VerifierKey] writes). It returns a [*KeyError] for any other
// text, type, key size, or a hash that is not the key's.
func ParseVerifierKey(vkey string) (note.Verifier, error) {
	name, rest, _ := strings.Cut(strings.TrimSpace(vkey), "+")
	hash16, key64, _ := strings.Cut(rest, "+")
	if err := checkName(name); err != nil {
		return nil, err
	}
	raw, err := base64.StdEncoding.Strict().DecodeString(key64)
	if len(hash16) != 8 || err != nil || len(raw) != 1+ed25519.PublicKeySize {
		return nil, &KeyError{Reason: fmt.Sprintf("verifier key %q: want name+hash+base64(type||Ed25519 key)", bound(vkey))}
	}
	pub := ed25519.PublicKey(raw[1:])
	switch raw[0] {
	case algEd25519:
		v, err := note.NewVerifier(strings.TrimSpace(vkey))
		if err != nil {
			return nil, &KeyError{Reason: fmt.Sprintf("verifier key %q", bound(vkey)), Err: err}
		}
		return v, nil
	case algCosignature:
		v := &cosignatureVerifier{name: name, hash: keyID(name, algCosignature, pub), key: pub}
		if fmt.Sprintf("%08x", v.hash) != hash16 {
			return nil, &KeyError{Reason: fmt.Sprintf("verifier key %q: hash is not the key's", bound(vkey))}
		}
		return v, nil
	}
	return nil, &KeyError{Reason: fmt.Sprintf("verifier key %q: signature type 0x%02x, want 0x01 or 0x04", bound(vkey), raw[0])}
}

// ParseVerifierKeys reads a file of verifier keys, one per line
// ([ParseVerifierKey]; blank lines and lines starting with '#' are
// skipped), and returns them as the note.Verifiers [OpenCheckpoint] and
// note.Open take. It returns a [*KeyError] naming the first bad line, or
// when there is no key.
func ParseVerifierKeys(data []byte) (note.Verifiers, error) {
	var vs []note.Verifier
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		v, err := ParseVerifierKey(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		vs = append(vs, v)
	}
	if len(vs) == 0 {
		return nil, &KeyError{Reason: "no verifier key"}
	}
	return note.VerifierList(vs...), nil
}

// Ed25519Keys is a note.Verifiers that trusts its Ed25519 public keys
// under any key name: the key ID a signature line gives is matched against
// each key's ID for that line's name (signature type 0x01). It is how a
// log's checkpoints are verified with the keys of an SSH allowed_signers
// file, which name no note key: a key signs for the origin the checkpoint
// names, and the caller checks that origin.
type Ed25519Keys []ed25519.PublicKey

// Verifier returns the verifier of the key whose ID for name is hash, or a
// [*note.UnknownVerifierError].
func (ks Ed25519Keys) Verifier(name string, hash uint32) (note.Verifier, error) {
	if checkName(name) == nil {
		for _, k := range ks {
			if len(k) == ed25519.PublicKeySize && keyID(name, algEd25519, k) == hash {
				return NewVerifier(name, k)
			}
		}
	}
	return nil, &note.UnknownVerifierError{Name: name, KeyHash: hash}
}

// ParseSSHKey reads an unencrypted or passphrase-protected Ed25519 private
// key: an OpenSSH private key file (ssh-keygen -t ed25519) or a PKCS #8 PEM
// file (openssl genpkey -algorithm ed25519). It returns a [*KeyError]
// wrapping [ErrKey] when the key is encrypted and no passphrase is given
// (Reason "passphrase needed"), the passphrase is wrong ("wrong
// passphrase"), the key is of another type, or the file is not a key.
func ParseSSHKey(data, passphrase []byte) (ed25519.PrivateKey, error) {
	k, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		if len(passphrase) == 0 {
			return nil, &KeyError{Reason: "passphrase needed"}
		}
		k, err = ssh.ParseRawPrivateKeyWithPassphrase(data, passphrase)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, &KeyError{Reason: "wrong passphrase"}
		}
	}
	if err != nil {
		return nil, &KeyError{Reason: "not a private key", Err: err}
	}
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return k, nil
	case *ed25519.PrivateKey:
		return *k, nil
	}
	return nil, &KeyError{Reason: fmt.Sprintf("a %T, want an Ed25519 key", k)}
}

// SignCheckpoint returns the signed note of c: its text ([Checkpoint.Marshal])
// followed by a signature line of each signer, in order. A log signs with
// one [NewSigner] key named after c.Origin. It returns an error wrapping
// [ErrFormat] when c does not marshal, and an error when there is no
// signer or a signer fails.
func SignCheckpoint(c Checkpoint, signers ...note.Signer) ([]byte, error) {
	text, err := c.Marshal()
	if err != nil {
		return nil, err
	}
	if len(signers) == 0 {
		return nil, errors.New("tlog: sign checkpoint: no signer")
	}
	for _, s := range signers {
		if err := checkName(s.Name()); err != nil {
			return nil, fmt.Errorf("tlog: sign checkpoint: %w", err)
		}
	}
	msg, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		return nil, fmt.Errorf("tlog: sign checkpoint: %w", err)
	}
	return msg, nil
}

// OpenCheckpoint verifies the signed note msg with the trusted keys known
// and parses its text as a checkpoint ([ParseCheckpoint]). Like note.Open,
// signatures by keys known does not hold are ignored, and the note must
// carry at least one good signature by a key it holds and no bad one;
// unlike note.Open, it refuses a note with two signature lines by one key
// (note.Open would verify the first and drop the other unread) or a
// signature in a non-canonical base64 spelling, as malformed. It also
// returns the note, whose Sigs are the verified signatures.
//
// It returns a [*SignatureError] wrapping [ErrUnknownKey] when no
// signature is by a key of known, or [ErrBadSignature] when one of them
// does not verify, each also wrapping the note package's error; a
// [*CheckpointError] wrapping [ErrFormat] when msg is not a signed note
// (or larger than [MaxNoteSize]) or its text not a checkpoint.
//
// Check the returned checkpoint's Origin: a key may sign for several logs.
func OpenCheckpoint(msg []byte, known note.Verifiers) (Checkpoint, *note.Note, error) {
	n, err := openNote(msg, known)
	if err != nil {
		return Checkpoint{}, nil, err
	}
	c, err := ParseCheckpoint([]byte(n.Text))
	if err != nil {
		return Checkpoint{}, nil, err
	}
	return c, n, nil
}

// ParseSignedCheckpoint returns the checkpoint a signed note msg claims,
// verifying no signature: what [OpenCheckpoint] returns once a trusted key
// verified it, for choosing that key (by the checkpoint's origin) or for
// showing what an unverified checkpoint says. It checks the note's shape
// as note.Open does and returns a [*CheckpointError] wrapping [ErrFormat]
// for a malformed note or checkpoint text.
func ParseSignedCheckpoint(msg []byte) (Checkpoint, error) {
	text, _, err := splitNote(msg)
	if err != nil {
		return Checkpoint{}, err
	}
	return ParseCheckpoint([]byte(text))
}

// openNote is note.Open with its errors made ours.
func openNote(msg []byte, known note.Verifiers) (*note.Note, error) {
	if _, _, err := splitNote(msg); err != nil {
		return nil, err
	}
	if known == nil {
		known = note.VerifierList()
	}
	n, err := note.Open(msg, known)
	var (
		unverified *note.UnverifiedNoteError
		invalid    *note.InvalidSignatureError
	)
	switch {
	case err == nil:
		return n, nil
	case errors.As(err, &unverified):
		var names []string
		for _, s := range unverified.Note.UnverifiedSigs {
			names = append(names, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
		}
		return nil, &SignatureError{Name: strings.Join(names, ", "), Err: ErrUnknownKey, note: err}
	case errors.As(err, &invalid):
		return nil, &SignatureError{Name: invalid.Name, KeyHash: invalid.Hash, Err: ErrBadSignature, note: err}
	}
	// splitNote checked the shape: this is the Verifiers' own error (an
	// ambiguous key, a verifier of another name or hash).
	return nil, fmt.Errorf("tlog: open note: %w", err)
}

// maxSignatures is the number of signature lines a note may carry, as
// note.Open allows.
const maxSignatures = 100

// A sigLine is one signature line of a signed note.
type sigLine struct {
	name string
	hash uint32
	sig  []byte // after the key ID
	line string // the whole line, without its newline
}

// splitNote checks the shape note.Open requires of a signed note (UTF-8
// without control characters but newline; text, a blank line, then
// signature lines "— name base64(keyID||sig)"; at most maxSignatures
// lines) and returns its text and its signature lines. It is stricter than
// note.Open, so that a signed note has one encoding and no unverified
// signature line: the base64 must be canonical (padded, zero padding
// bits), and no two lines may be by one key (name and key ID). Any other
// shape is a [*CheckpointError].
func splitNote(msg []byte) (string, []sigLine, error) {
	if len(msg) > MaxNoteSize {
		return "", nil, &CheckpointError{Reason: fmt.Sprintf("signed note of %d bytes exceeds %d", len(msg), MaxNoteSize)}
	}
	if !utf8.Valid(msg) {
		return "", nil, &CheckpointError{Reason: "signed note is not UTF-8"}
	}
	if bytes.ContainsFunc(msg, func(r rune) bool { return r < 0x20 && r != '\n' }) {
		return "", nil, &CheckpointError{Reason: "signed note holds a control character"}
	}
	split := bytes.LastIndex(msg, []byte("\n\n"))
	if split < 0 {
		return "", nil, &CheckpointError{Reason: "signed note has no blank line before its signatures"}
	}
	text, block := string(msg[:split+1]), string(msg[split+2:])
	if block == "" || !strings.HasSuffix(block, "\n") {
		return "", nil, &CheckpointError{Reason: "signed note has no signature line"}
	}
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	if len(lines) > maxSignatures {
		return "", nil, &CheckpointError{Reason: fmt.Sprintf("%d signature lines, at most %d", len(lines), maxSignatures)}
	}
	sigs := make([]sigLine, 0, len(lines))
	type key struct {
		name string
		hash uint32
	}
	seen := make(map[key]bool, len(lines))
	for i, line := range lines {
		rest, ok := strings.CutPrefix(line, "— ")
		name, b64, _ := strings.Cut(rest, " ")
		raw, err := base64.StdEncoding.Strict().DecodeString(b64)
		// Strict decoding still accepts a line break inside the base64 (none
		// is left here) but not non-zero padding bits; the re-encoding
		// check makes the spelling unique.
		if !ok || checkName(name) != nil || b64 == "" || err != nil || len(raw) < 5 || base64.StdEncoding.EncodeToString(raw) != b64 {
			return "", nil, &CheckpointError{Reason: fmt.Sprintf("signature line %d is not \"— name base64(keyID||signature)\"", i+1)}
		}
		k := key{name, binary.BigEndian.Uint32(raw)}
		if seen[k] {
			// note.Open verifies the first signature of a key and drops the
			// others unread: a second line is unverified text.
			return "", nil, &CheckpointError{Reason: fmt.Sprintf("signature line %d: a second signature by key %s+%08x", i+1, bound(name), k.hash)}
		}
		seen[k] = true
		sigs = append(sigs, sigLine{name: name, hash: k.hash, sig: raw[4:], line: line})
	}
	return text, sigs, nil
}
