package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"slices"
	"time"

	"golang.org/x/crypto/ssh"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tlog"
)

// This file holds the commands of the promotion log's Merkle tree:
// `relctl log checkpoint` (a signed C2SP tlog-checkpoint of the store's
// tree), `relctl log prove` (an entry's inclusion proof) and the
// consistency check of `relctl log verify --from OLD --to NEW`.

// defaultOriginPrefix starts the origin of a log's checkpoints when
// --origin is not given: the origin is this prefix and the first 16
// hexadecimal digits of the leaf hash of the log's first entry, which
// never changes in an append-only log and differs from log to log.
const defaultOriginPrefix = "releasekit/log/"

// treeLog returns st's Merkle tree view, or a usage error for a store
// that keeps none.
// configTreeLog opens the store the flags or cfg name (configStore) and
// returns it as the TreeLog the log's tree commands need.
func configTreeLog(sf storeFlags, cfg *config.Config) (manifest.TreeLog, error) {
	st, err := configStore(sf, cfg)
	if err != nil {
		return nil, err
	}
	return treeLog(st)
}

func treeLog(st manifest.Store) (manifest.TreeLog, error) {
	tl, ok := st.(manifest.TreeLog)
	if !ok {
		return nil, usagef("this evidence store keeps no Merkle tree of its log (%T)", st)
	}
	return tl, nil
}

// logOrigin returns the origin of tl's checkpoints: origin when given,
// else defaultOriginPrefix and the leaf hash of the first entry. An empty
// log has no default origin.
func logOrigin(ctx context.Context, tl manifest.TreeLog, origin string) (string, error) {
	if origin != "" {
		if _, err := (tlog.Checkpoint{Origin: origin, Root: tlog.EmptyRoot}).Marshal(); err != nil {
			return "", usagef("--origin %q: %v", origin, err)
		}
		return origin, nil
	}
	e, err := tl.Entry(ctx, 1)
	if errors.Is(err, manifest.ErrNotFound) {
		return "", usagef("the log is empty: its checkpoints' origin is named after its first entry; give --origin")
	}
	if err != nil {
		return "", err
	}
	leaf, err := manifest.EntryLeafHash(e)
	if err != nil {
		return "", err
	}
	return defaultOriginPrefix + leaf.String()[:16], nil
}

// treeCheckpoint returns the checkpoint of tl's first size entries.
func treeCheckpoint(ctx context.Context, tl manifest.TreeLog, origin string, size uint64) (tlog.Checkpoint, error) {
	tr, err := tlog.TreeAt(ctx, tl, size)
	if err != nil {
		return tlog.Checkpoint{}, err
	}
	root, err := tr.Root()
	if err != nil {
		return tlog.Checkpoint{}, err
	}
	return tlog.Checkpoint{Origin: origin, Size: size, Root: root}, nil
}

// cmdLogCheckpoint implements `relctl log checkpoint`.
func cmdLogCheckpoint(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log checkpoint", stderr)
	sf := addStoreFlags(fs)
	signKey := fs.String("sign-key", "", "sign with the Ed25519 private key in `FILE` (OpenSSH, as ssh-keygen -t ed25519 writes it, or PKCS #8 PEM)")
	passEnv := fs.String("passphrase-env", "", "read the key passphrase from the environment variable `VAR`")
	origin := fs.String("origin", "", "the log's `ORIGIN` line (default: "+defaultOriginPrefix+" and the first 16 hex digits of the first entry's leaf hash)")
	keyName := fs.String("key-name", "", "the note key `NAME` of the signature (default: the origin)")
	previous := fs.String("previous", "", "refuse to sign unless the tree extends the checkpoint in `FILE` (one this key signed before)")
	writeVKey := fs.String("write-vkey", "", "also write the verifier key (name+hash+key, for relctl log verify --note-key and golang.org/x/mod/sumdb/note) to `FILE`")
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log checkpoint --sign-key KEY [--origin ORIGIN] [--previous FILE] (--store DIR | --git-store REPO) [--json]\n\nWrites on standard output a checkpoint of the promotion log's Merkle tree in the\nC2SP tlog-checkpoint format (origin, tree size, base64 root hash), signed as a\nnote (golang.org/x/mod/sumdb/note) with the Ed25519 key: what relctl log prove\n--checkpoint and relctl log verify --from/--to check, and what a witness\ncosigns. The origin defaults to "+defaultOriginPrefix+"<first 16 hex digits of the\nleaf hash of entry 1>: stable for the life of the log, different for another\nlog. With --json, prints origin, tree_size, root_hash and the note as\ncheckpoint.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *signKey == "" {
		return usagef("--sign-key is required")
	}
	keyData, err := readInput("--sign-key", *signKey, maxInputFile)
	if err != nil {
		return err
	}
	pass, err := readPassphrase(*passEnv, "")
	if err != nil {
		return err
	}
	key, err := tlog.ParseSSHKey(keyData, pass)
	if err != nil {
		return usageError{fmt.Errorf("--sign-key %s: %w", *signKey, err)}
	}
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	tl, err := configTreeLog(sf, cfg)
	if err != nil {
		return err
	}
	tr, err := tl.Tree(ctx)
	if err != nil {
		return err
	}
	o, err := logOrigin(ctx, tl, *origin)
	if err != nil {
		return err
	}
	name := *keyName
	if name == "" {
		name = o
	}
	signer, err := tlog.NewSigner(name, key)
	if err != nil {
		return usageError{fmt.Errorf("--key-name %q: %w", name, err)}
	}
	cp, err := treeCheckpoint(ctx, tl, o, tr.Size)
	if err != nil {
		return err
	}
	if tr.Size > 0 {
		// The last entry is the tree's last leaf: a store whose entries and
		// tree disagree is not signed for (O(log N) hashes read).
		if _, err := manifest.ProveEntry(ctx, tl, tr.Size, tr.Size); err != nil {
			return fmt.Errorf("refusing to sign: %w", err)
		}
	}
	pub := key.Public().(ed25519.PublicKey)
	if *previous != "" {
		data, err := readInput("--previous", *previous, maxInputFile)
		if err != nil {
			return err
		}
		prev, _, err := tlog.OpenCheckpoint(data, tlog.Ed25519Keys{pub})
		if err != nil {
			return fmt.Errorf("--previous %s: %w", *previous, err)
		}
		if err := extends(ctx, tl, prev, cp); err != nil {
			return fmt.Errorf("refusing to sign: %w", err)
		}
	}
	msg, err := tlog.SignCheckpoint(cp, signer)
	if err != nil {
		return err
	}
	if *writeVKey != "" {
		vkey, err := tlog.VerifierKey(name, pub)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(*writeVKey, []byte(vkey+"\n")); err != nil {
			return err
		}
	}
	if *sf.json {
		return writeJSON(stdout, struct {
			Origin     string `json:"origin"`
			TreeSize   uint64 `json:"tree_size"`
			RootHash   string `json:"root_hash"`
			Checkpoint string `json:"checkpoint"`
		}{cp.Origin, cp.Size, cp.Root.String(), string(msg)})
	}
	_, err = stdout.Write(msg)
	return err
}

// extends checks that newer's tree extends older's with a consistency
// proof read from tl (tlog.VerifyCheckpoints: an error wrapping
// tlog.ErrProof when it does not, manifest.ErrNotFound when tl does not
// hold newer's tree).
func extends(ctx context.Context, tl manifest.TreeLog, older, newer tlog.Checkpoint) error {
	var proof []tlog.Hash
	if older.Size > 0 && older.Size < newer.Size {
		var err error
		if proof, err = manifest.ProveConsistency(ctx, tl, older.Size, newer.Size); err != nil {
			return err
		}
	}
	return tlog.VerifyCheckpoints(older, newer, proof)
}

// noteTrust verifies signed-note checkpoints with the keys relctl was
// given; open is nil when it was given none.
type noteTrust struct {
	open func(msg []byte) (tlog.Checkpoint, error)
}

// read reads the signed checkpoint in file and says what became of its
// signature: cpSigValid when a trusted key verified it (a bad or unknown
// signature is an error, exit 1), cpSigNotChecked without a key.
func (t noteTrust) read(flag, file string) (tlog.Checkpoint, string, error) {
	data, err := readInput(flag, file, maxInputFile)
	if err != nil {
		return tlog.Checkpoint{}, "", err
	}
	if t.open == nil {
		c, err := tlog.ParseSignedCheckpoint(data)
		if err != nil {
			return tlog.Checkpoint{}, "", usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
		}
		return c, cpSigNotChecked, nil
	}
	c, err := t.open(data)
	if errors.Is(err, tlog.ErrFormat) {
		return tlog.Checkpoint{}, "", usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
	}
	if err != nil {
		return tlog.Checkpoint{}, "", fmt.Errorf("%s %s: %w", flag, file, err)
	}
	return c, cpSigValid, nil
}

// noteKeys returns the trust of signed-note checkpoints: the verifier keys
// in noteKeyFile, else the Ed25519 keys of the allowed_signers file, else
// the configuration's trust.checkpoints (its allowed_signers and PEM
// keys). An OpenPGP keyring cannot verify a note: given as keyring, or
// configured with no Ed25519 key beside it, it is a usage error (a
// configured trust is never skipped). Only when no key is given or
// configured is the checkpoint not checked.
func noteKeys(noteKeyFile, allowed, keyring string, cfg *config.Config) (noteTrust, error) {
	switch {
	case noteKeyFile != "" && allowed != "":
		return noteTrust{}, usagef("give only one of --note-key and --allowed-signers")
	case noteKeyFile != "":
		data, err := readInput("--note-key", noteKeyFile, maxInputFile)
		if err != nil {
			return noteTrust{}, err
		}
		known, err := tlog.ParseVerifierKeys(data)
		if err != nil {
			return noteTrust{}, usageError{fmt.Errorf("--note-key %s: %w", noteKeyFile, err)}
		}
		return noteTrust{open: func(msg []byte) (tlog.Checkpoint, error) {
			c, _, err := tlog.OpenCheckpoint(msg, known)
			return c, err
		}}, nil
	case allowed != "":
		keys, err := allowedEd25519("--allowed-signers", allowed)
		if err != nil {
			return noteTrust{}, err
		}
		return ed25519Trust(keys), nil
	case keyring != "":
		return noteTrust{}, usagef("--keyring: an OpenPGP key cannot verify a signed-note checkpoint; give --note-key or --allowed-signers (Ed25519 keys)")
	}
	if cfg == nil {
		return noteTrust{}, nil
	}
	var keys tlog.Ed25519Keys
	if f := cfg.Trust.Checkpoints.AllowedSigners; f != "" {
		ks, err := allowedEd25519("trust.checkpoints.allowed_signers", f)
		if err != nil {
			return noteTrust{}, err
		}
		keys = append(keys, ks...)
	}
	for _, f := range cfg.Trust.Checkpoints.Keys {
		data, err := readInput("trust.checkpoints.keys", f, maxInputFile)
		if err != nil {
			return noteTrust{}, err
		}
		if k := pemEd25519(data); k != nil {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		if !cfg.Trust.Checkpoints.Empty() {
			// Keys are configured for checkpoints: a checkpoint they cannot
			// verify is not used unchecked.
			return noteTrust{}, usagef("trust.checkpoints names no Ed25519 key (an allowed_signers entry or a PEM public key): a signed-note checkpoint cannot be verified with an OpenPGP or other key; give --note-key or --allowed-signers")
		}
		return noteTrust{}, nil
	}
	return ed25519Trust(keys), nil
}

func ed25519Trust(keys tlog.Ed25519Keys) noteTrust {
	return noteTrust{open: func(msg []byte) (tlog.Checkpoint, error) {
		c, _, err := tlog.OpenCheckpoint(msg, keys)
		return c, err
	}}
}

// allowedEd25519 returns the Ed25519 keys of an allowed_signers file that
// may sign evidence (no namespaces= restriction, or one naming
// manifest.Namespace) and are valid now; certificate authorities and other
// key types cannot sign notes and are skipped. A file without such a key
// is a usage error.
func allowedEd25519(flag, file string) (tlog.Ed25519Keys, error) {
	data, err := readInput(flag, file, maxInputFile)
	if err != nil {
		return nil, err
	}
	signers, err := signature.ParseAllowedSigners(data)
	if err != nil {
		return nil, usageError{fmt.Errorf("%s %s: %w", flag, file, err)}
	}
	now := time.Now()
	var keys tlog.Ed25519Keys
	for _, s := range signers {
		if s.CertAuthority || (len(s.Namespaces) > 0 && !slices.Contains(s.Namespaces, manifest.Namespace)) ||
			(!s.ValidAfter.IsZero() && now.Before(s.ValidAfter)) || (!s.ValidBefore.IsZero() && !now.Before(s.ValidBefore)) {
			continue
		}
		ck, ok := s.Key.(ssh.CryptoPublicKey)
		if !ok {
			continue
		}
		if k, ok := ck.CryptoPublicKey().(ed25519.PublicKey); ok {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, usagef("%s %s: no Ed25519 key that may sign evidence (signed-note checkpoints are Ed25519)", flag, file)
	}
	return keys, nil
}

// pemEd25519 returns the Ed25519 public key of a PEM PUBLIC KEY block, or
// nil for any other key.
func pemEd25519(data []byte) ed25519.PublicKey {
	block, _ := pem.Decode(bytes.TrimSpace(data))
	if block == nil || block.Type != "PUBLIC KEY" {
		return nil
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil
	}
	pub, _ := k.(ed25519.PublicKey)
	return pub
}

// cmdLogProve implements `relctl log prove`.
func cmdLogProve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log prove", stderr)
	sf := addStoreFlags(fs)
	entry := fs.Uint64("entry", 0, "prove the log entry whose seq is `N` (1 is the first)")
	cpFile := fs.String("checkpoint", "", "prove the entry in the tree of the signed checkpoint in `FILE` (relctl log checkpoint), not the store's current tree")
	allowed := fs.String("allowed-signers", "", "verify the checkpoint's signature with the Ed25519 keys of the SSH allowed_signers `FILE`")
	noteKey := fs.String("note-key", "", "verify the checkpoint's signature with the note verifier keys in `FILE` (relctl log checkpoint --write-vkey)")
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log prove --entry N [--checkpoint FILE [--allowed-signers FILE | --note-key FILE]] (--store DIR | --git-store REPO) [--json]\n\nPrints as JSON the proof that log entry N is in the promotion log's Merkle\ntree (RFC 9162 inclusion proof: leaf_index, tree_size, leaf_hash, hashes, all\nhashes hexadecimal): of the checkpoint's tree with --checkpoint, else of the\nstore's current tree. relctl verifies the proof against that root (verified)\nand says what became of the checkpoint's signature (checkpoint_signature):\nvalid only when --allowed-signers, --note-key or the configuration's\ntrust.checkpoints verified it. Exit 1 when the proof or the signature does not\nverify.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *entry == 0 {
		return usagef("--entry N is required (N ≥ 1)")
	}
	if *cpFile == "" && (*allowed != "" || *noteKey != "") {
		return usagef("--allowed-signers and --note-key verify a --checkpoint")
	}
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	tl, err := configTreeLog(sf, cfg)
	if err != nil {
		return err
	}
	res := proveResult{Entry: *entry, CheckpointSignature: cpSigNoCheckpoint}
	var root tlog.Hash
	var size uint64
	if *cpFile != "" {
		trust, err := noteKeys(*noteKey, *allowed, "", cfg)
		if err != nil {
			return err
		}
		cp, status, err := trust.read("--checkpoint", *cpFile)
		if err != nil {
			return err
		}
		res.Origin, res.CheckpointSignature = cp.Origin, status
		root, size = cp.Root, cp.Size
	} else {
		tr, err := tl.Tree(ctx)
		if err != nil {
			return err
		}
		if root, err = tr.Root(); err != nil {
			return err
		}
		size = tr.Size
	}
	if *entry > size {
		return usagef("--entry %d: the tree has %d entries", *entry, size)
	}
	p, err := manifest.ProveEntry(ctx, tl, *entry, size)
	if errors.Is(err, manifest.ErrNotFound) {
		// The checkpoint's tree is larger than the store's: cut back.
		err = fmt.Errorf("the store does not hold the checkpoint's tree: %w", err)
		res.Error = err.Error()
		return writeVerdict(stdout, res, err)
	}
	if err != nil {
		return err
	}
	res.InclusionProof = p
	res.RootHash = root.String()
	verr := p.Verify(root)
	res.Verified = verr == nil
	if verr != nil {
		res.Error = verr.Error()
	}
	return writeVerdict(stdout, res, verr)
}

// proveResult is the JSON of `relctl log prove`.
type proveResult struct {
	Entry uint64 `json:"entry"` // the entry's seq: leaf_index + 1
	manifest.InclusionProof
	Origin string `json:"origin,omitempty"` // the checkpoint's
	// Verified says that relctl verified the proof against root_hash: the
	// checkpoint's root, or the store's current root.
	Verified            bool   `json:"verified"`
	CheckpointSignature string `json:"checkpoint_signature"`
	Error               string `json:"error,omitempty"`
}

// consistencyResult is the JSON of `relctl log verify --from OLD --to NEW`.
type consistencyResult struct {
	// Consistent says that NEW's tree extends OLD's: exit 0 only then.
	Consistent bool           `json:"consistent"`
	From       checkpointJSON `json:"from"`
	To         checkpointJSON `json:"to"`
	// Hashes is the consistency proof read from the store (hexadecimal).
	Hashes []string `json:"hashes"`
	Error  string   `json:"error,omitempty"`
}

type checkpointJSON struct {
	File      string `json:"file"`
	Origin    string `json:"origin"`
	TreeSize  uint64 `json:"tree_size"`
	RootHash  string `json:"root_hash"`
	Signature string `json:"signature"` // cpSigValid or cpSigNotChecked
}

// verifyConsistency implements `relctl log verify --from OLD --to NEW`.
func verifyConsistency(ctx context.Context, sf storeFlags, cfg *config.Config, from, to, noteKey, allowed, keyring string, stdout io.Writer) error {
	trust, err := noteKeys(noteKey, allowed, keyring, cfg)
	if err != nil {
		return err
	}
	older, oldSig, err := trust.read("--from", from)
	if err != nil {
		return err
	}
	newer, newSig, err := trust.read("--to", to)
	if err != nil {
		return err
	}
	res := consistencyResult{
		From:   checkpointJSON{File: from, Origin: older.Origin, TreeSize: older.Size, RootHash: older.Root.String(), Signature: oldSig},
		To:     checkpointJSON{File: to, Origin: newer.Origin, TreeSize: newer.Size, RootHash: newer.Root.String(), Signature: newSig},
		Hashes: []string{},
	}
	var proof []tlog.Hash
	if older.Origin == newer.Origin && older.Size > 0 && older.Size < newer.Size {
		// Only then is there a proof to read, from the store.
		tl, err := configTreeLog(sf, cfg)
		if err != nil {
			return err
		}
		proof, err = manifest.ProveConsistency(ctx, tl, older.Size, newer.Size)
		if errors.Is(err, manifest.ErrNotFound) {
			err = fmt.Errorf("the store does not hold the tree of --to: %w", err)
			res.Error = err.Error()
			return consistencyVerdict(stdout, *sf.json, res, err)
		}
		if err != nil {
			return err
		}
		for _, h := range proof {
			res.Hashes = append(res.Hashes, h.String())
		}
	}
	verr := tlog.VerifyCheckpoints(older, newer, proof)
	res.Consistent = verr == nil
	if verr != nil {
		res.Error = verr.Error()
	}
	return consistencyVerdict(stdout, *sf.json, res, verr)
}

func consistencyVerdict(stdout io.Writer, asJSON bool, res consistencyResult, verr error) error {
	if asJSON {
		return writeVerdict(stdout, res, verr)
	}
	if verr != nil {
		return verr
	}
	fmt.Fprintf(stdout, "consistent: the tree of %d entries (%s) extends the tree of %d (%s)\n", res.To.TreeSize, res.To.File, res.From.TreeSize, res.From.File)
	fmt.Fprintf(stdout, "signatures: --from %s, --to %s\n", res.From.Signature, res.To.Signature)
	return nil
}
