package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing"

	"github.com/releasekit/releasekit/commits"
	"github.com/releasekit/releasekit/internal/strictjson"
	"github.com/releasekit/releasekit/manifest"
	"github.com/releasekit/releasekit/signature"
	"github.com/releasekit/releasekit/tlog"
)

// logLine is one line of `relctl log`: the commit and its parse. It
// documents the JSON contract; appendLogLine writes it.
type logLine struct {
	Hash      string            `json:"hash"`
	Parents   []string          `json:"parents"`
	Author    commits.Signature `json:"author"`
	Committer commits.Signature `json:"committer"`
	parseResult
}

func cmdLog(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("log", stderr)
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository around the working directory; none is an error, exit 2)")
	since := fs.String("since", "", "exclude commits reachable from `REV` (e.g. the previous release tag)")
	rev := fs.String("rev", "HEAD", "last `REV`ision of the range")
	path := fs.String("path", "", "only commits touching `DIR`")
	firstParent := fs.Bool("first-parent", false, "follow only the first parent of merges")
	useDemo := fs.Bool("demo", false, "run on a demo repository created for the occasion")
	cf := addChangeFlags(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log [flags]\n\nPrints the commits of since..rev (git rev-list semantics), newest first, one\nJSON object per line with the parsed Conventional Commit.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	repo, to, demo, err := openRepoAt(*repoDir, *rev, *useDemo, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	r := commits.Range{To: to}
	if *since != "" {
		from, err := commits.Resolve(repo, *since)
		if err != nil {
			return usageError{err}
		}
		r.From = []plumbing.Hash{from}
	}
	opts := []commits.LogOption{commits.WithParseOptions(cf.parseOptions()...)}
	if *path != "" {
		opts = append(opts, commits.WithPaths(*path))
	}
	if *firstParent {
		opts = append(opts, commits.WithFirstParent())
	}
	bw := bufio.NewWriterSize(stdout, 64<<10)
	var buf []byte
	prog := newProgress(stderr, "relctl log")
	defer prog.done()
	for c, err := range commits.Log(ctx, repo, r, opts...) {
		if err != nil {
			_ = bw.Flush()
			return err
		}
		prog.add(1)
		buf = appendLogLine(buf[:0], c)
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// cmdAuditLog implements `relctl log verify` (the evidence log; `relctl
// log` without "verify" is the commit log).
func cmdAuditLog(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	_, args, err := subcommand(args, "verify")
	if err != nil {
		return err
	}
	fs := newFlags("log verify", stderr)
	sf := addStoreFlags(fs)
	cpFile := fs.String("checkpoint", "", "checkpoint `FILE` ({\"count\":N,\"head\":\"sha256:…\"}) to detect truncation")
	cpSig := fs.String("checkpoint-sig", "", "signature `FILE` of the checkpoint (default: checkpoint FILE + .sig if it exists)")
	keyring := fs.String("keyring", "", "verify the checkpoint signature with the OpenPGP keys in `FILE`")
	allowed := fs.String("allowed-signers", "", "verify the checkpoint signature with the SSH allowed_signers `FILE`")
	writeCP := fs.String("write-checkpoint", "", "after verifying, write the current checkpoint to `FILE`")
	signKey := fs.String("sign-key", "", "with --write-checkpoint, sign the checkpoint with the private key in `FILE` (namespace "+manifest.Namespace+" for SSH) and write the signature to FILE.sig")
	signFormat := fs.String("sign-format", "ssh", "with --sign-key, the key format: `ssh` or openpgp")
	signPassEnv := fs.String("passphrase-env", "", "with --sign-key, read the key passphrase from the environment variable `VAR`")
	from := fs.String("from", "", "with --to: the older signed checkpoint `FILE` (relctl log checkpoint); exit 0 only when --to's tree extends it")
	to := fs.String("to", "", "with --from: the newer signed checkpoint `FILE`")
	noteKey := fs.String("note-key", "", "verify signed-note checkpoints with the note verifier keys in `FILE` (relctl log checkpoint --write-vkey)")
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log verify --store DIR [--checkpoint FILE [--keyring FILE | --allowed-signers FILE]] [--write-checkpoint FILE [--sign-key KEY]]\n       relctl log verify --from OLD --to NEW [--allowed-signers FILE | --note-key FILE] --store DIR [--json]\n\nChecks the promotion log's hash chain (and, for a store that keeps the log's\nMerkle tree, that the entries rebuild it, reading each entry once), and against\na checkpoint, truncation; with --write-checkpoint, writes the verified head\n(signed with --sign-key, to FILE.sig) for the next verification and for relctl\naudit. --checkpoint also takes a signed-note checkpoint (relctl log\ncheckpoint): the log's tree must extend it.\n\nThe checkpoint's signature (--checkpoint-sig, default FILE.sig) is verified only\nwith --keyring or --allowed-signers, else the release configuration's\ntrust.checkpoints; without a key it is reported as \"not checked (no key\ngiven)\" (checkpoint_signature in the JSON), never as valid. Signed-note\ncheckpoints are verified with --note-key, or the Ed25519 keys of\n--allowed-signers or trust.checkpoints.\n\nWith --from and --to, checks two signed-note checkpoints: exit 0 only when\nNEW's tree extends OLD's by a consistency proof read from the store (a log cut\nback to an older state, or with an entry rewritten, between the two fails:\nexit 1). The JSON has consistent, from and to (file, origin, tree_size,\nroot_hash, signature), hashes (the proof) and error.\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if (*from == "") != (*to == "") {
		return usagef("give both --from and --to")
	}
	if *from != "" && (*cpFile != "" || *writeCP != "" || *signKey != "") {
		return usagef("--from and --to check two checkpoints: not with --checkpoint, --write-checkpoint or --sign-key")
	}
	if *noteKey != "" && *allowed != "" {
		return usagef("give only one of --note-key and --allowed-signers")
	}
	flagKeyring, flagAllowed := *keyring, *allowed
	if *signKey != "" && *writeCP == "" {
		return usagef("--sign-key needs --write-checkpoint")
	}
	var signer signature.Signer
	if *signKey != "" {
		var err error
		if signer, err = evidenceSigner("--sign-key", *signKey, *signFormat, *signPassEnv); err != nil {
			return err
		}
	}
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	if *from != "" {
		return verifyConsistency(ctx, sf, cfg, *from, *to, *noteKey, flagAllowed, flagKeyring, stdout)
	}
	if *keyring == "" && *allowed == "" && cfg != nil {
		*keyring, *allowed = cfg.Trust.Checkpoints.Keyring, cfg.Trust.Checkpoints.AllowedSigners
	}
	st, err := configStore(sf, cfg)
	if err != nil {
		return err
	}
	var cp *manifest.Checkpoint
	var noteCP *tlog.Checkpoint
	cpStatus := cpSigNoCheckpoint
	if *cpFile != "" {
		data, err := readInput("--checkpoint", *cpFile, maxInputFile)
		if err != nil {
			return err
		}
		if isNoteCheckpoint(data) {
			trust, err := noteKeys(*noteKey, flagAllowed, flagKeyring, cfg)
			if err != nil {
				return err
			}
			c, status, err := trust.read("--checkpoint", *cpFile)
			if err != nil {
				return err
			}
			noteCP, cpStatus = &c, status
		} else {
			c, status, err := readCheckpoint(ctx, data, *cpFile, *cpSig, *keyring, *allowed)
			if err != nil {
				return err
			}
			cp, cpStatus = &c, status
		}
	}
	var (
		count      uint64
		head       manifest.Checkpoint
		verr, herr error
	)
	if tl, ok := st.(manifest.TreeLog); ok {
		count, head, verr, err = verifyTreeLog(ctx, tl, cp, noteCP)
		if err != nil {
			return err
		}
	} else {
		if noteCP != nil {
			return usagef("--checkpoint %s: a signed-note checkpoint needs a store that keeps the log's Merkle tree", *cpFile)
		}
		entries, err := manifest.VerifyStore(ctx, st, cp)
		if err != nil && entries == nil {
			return err
		}
		verr = err
		count = uint64(len(entries))
		head, herr = manifest.NewCheckpoint(entries)
	}
	res := struct {
		Valid   bool   `json:"valid"` // the hash chain (and, with --checkpoint, no truncation)
		Entries uint64 `json:"entries"`
		Head    string `json:"head"`
		// CheckpointSignature says what became of the checkpoint's
		// signature: one of the cpSig constants, never "valid" unless a
		// key verified it.
		CheckpointSignature string `json:"checkpoint_signature"`
		Error               string `json:"error,omitempty"`
	}{Valid: verr == nil, Entries: count, Head: head.Head, CheckpointSignature: cpStatus}
	if verr != nil {
		res.Error = verr.Error()
	} else if herr != nil {
		return herr
	}
	if verr == nil && *writeCP != "" {
		data, err := manifest.MarshalCheckpoint(head)
		if err != nil {
			return err
		}
		var sig []byte
		if signer != nil {
			if data, sig, err = manifest.SignCheckpoint(ctx, head, signer); err != nil {
				return err
			}
		}
		if err := writeFileAtomic(*writeCP, data); err != nil {
			return err
		}
		if sig != nil {
			if err := writeFileAtomic(*writeCP+".sig", sig); err != nil {
				return err
			}
		}
	}
	if *sf.json {
		return writeVerdict(stdout, res, verr)
	}
	if verr != nil {
		return verr
	}
	fmt.Fprintf(stdout, "log verifies: %d entries, head %s\n", res.Entries, orNone(res.Head))
	if *cpFile != "" {
		fmt.Fprintf(stdout, "checkpoint signature: %s\n", cpStatus)
	}
	return nil
}

// What `relctl log verify` says of the checkpoint's signature
// (checkpoint_signature in the JSON).
const (
	cpSigNoCheckpoint = "no checkpoint"
	cpSigValid        = "valid"
	cpSigNotChecked   = "not checked (no key given)"
	cpSigUnsigned     = "none (unsigned checkpoint)"
)

// readCheckpoint reads the checkpoint data of file and says what became of
// its signature (sigFile, else file + ".sig"). With a key (keyring or
// allowed) the signature must verify: cpSigValid, or an error. Without a
// key it is never read and never called valid: cpSigNotChecked when there
// is one (--checkpoint-sig given, or file.sig exists, even garbage),
// cpSigUnsigned when there is none.
func readCheckpoint(ctx context.Context, data []byte, file, sigFile, keyring, allowed string) (manifest.Checkpoint, string, error) {
	if keyring == "" && allowed == "" {
		var w struct {
			Type  string `json:"type"`
			Count uint64 `json:"count"`
			Head  string `json:"head"`
		}
		if err := strictjson.Unmarshal(data, &w, strictjson.Options{}); err != nil {
			return manifest.Checkpoint{}, "", usagef("--checkpoint %s: %v", file, err)
		}
		status := cpSigUnsigned
		if sigFile != "" {
			status = cpSigNotChecked
		} else if _, err := os.Lstat(file + ".sig"); err == nil {
			status = cpSigNotChecked
		}
		return manifest.Checkpoint{Count: w.Count, Head: w.Head}, status, nil
	}
	v, err := trustedKeys(keyring, allowed, "", manifest.Namespace)
	if err != nil {
		return manifest.Checkpoint{}, "", err
	}
	if sigFile == "" {
		sigFile = file + ".sig"
	}
	sig, err := readInput("--checkpoint-sig", sigFile, maxInputFile)
	if err != nil {
		return manifest.Checkpoint{}, "", err
	}
	cp, err := manifest.OpenCheckpoint(ctx, data, sig, v, time.Now())
	if err != nil {
		return manifest.Checkpoint{}, "", err
	}
	return cp, cpSigValid, nil
}

// isNoteCheckpoint tells a signed-note checkpoint (relctl log checkpoint)
// from the JSON checkpoint of --write-checkpoint.
func isNoteCheckpoint(data []byte) bool {
	t := bytes.TrimLeft(data, " \t\r\n")
	return len(t) > 0 && t[0] != '{'
}

// verifyTreeLog is `relctl log verify` of a store that keeps the log's
// Merkle tree: manifest.VerifyTree reads every entry once, streaming (a
// 1,000,000-entry log in minutes, in constant memory), then the
// checkpoints are checked with O(log N) reads: the JSON checkpoint's head
// entry (as manifest.VerifyLog checks it), a signed-note checkpoint's tree
// by a consistency proof. verr is the verification's failure; err an
// error that stops the command.
func verifyTreeLog(ctx context.Context, tl manifest.TreeLog, cp *manifest.Checkpoint, noteCP *tlog.Checkpoint) (count uint64, head manifest.Checkpoint, verr, err error) {
	tr, verr := manifest.VerifyTree(ctx, tl)
	if verr != nil {
		if ctx.Err() != nil {
			return 0, head, nil, ctx.Err()
		}
		stored, err := tl.Tree(ctx)
		if err != nil {
			return 0, head, nil, err
		}
		return stored.Size, head, verr, nil
	}
	if tr.Size > 0 {
		last, err := tl.Entry(ctx, tr.Size)
		if err != nil {
			return 0, head, nil, err
		}
		if head.Head, err = last.Hash(); err != nil {
			return 0, head, nil, err
		}
		head.Count = tr.Size
	}
	switch {
	case cp != nil && tr.Size < cp.Count:
		verr = fmt.Errorf("%w: %d entries, checkpoint has %d", manifest.ErrTruncated, tr.Size, cp.Count)
	case cp != nil && cp.Count > 0:
		e, err := tl.Entry(ctx, cp.Count)
		if err != nil {
			return 0, head, nil, err
		}
		if got, err := e.Hash(); err != nil || got != cp.Head {
			verr = &manifest.ChainError{Index: int(cp.Count - 1), Seq: cp.Count, Reason: "does not match the checkpoint head"}
		}
	case noteCP != nil:
		_, verr = manifest.VerifyExtends(ctx, tl, noteCP.Size, noteCP.Root)
	}
	return tr.Size, head, verr, nil
}
