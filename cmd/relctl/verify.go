package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/releasekit/releasekit/config"
	"github.com/releasekit/releasekit/tagging"
)

// verifyResult is the JSON contract of `relctl verify --json`.
type verifyResult struct {
	Tag         string `json:"tag"`
	Valid       bool   `json:"valid"`
	Commit      string `json:"commit"`
	Object      string `json:"object"`
	Signer      string `json:"signer"`
	Fingerprint string `json:"fingerprint"`
	Format      string `json:"format"`
	Error       string `json:"error,omitempty"`
}

// cmdVerify implements `relctl verify`.
func cmdVerify(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("verify", stderr)
	name := fs.String("tag", "", "the tag `NAME` to verify (required)")
	keyring := fs.String("keyring", "", "trust the armored OpenPGP keys in `FILE`")
	allowed := fs.String("allowed-signers", "", "trust the SSH allowed_signers `FILE` (as gpg.ssh.allowedSignersFile)")
	principal := fs.String("principal", "", "with --allowed-signers, require this signer `PRINCIPAL`")
	atFlag := fs.String("at", "", "verification `TIME` (RFC 3339; default now); never the tagger date")
	repoDir := fs.String("repo", "", "repository `DIR` (default: the repository here)")
	asJSON := fs.Bool("json", false, "print a JSON object")
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl verify --tag TAG [--keyring FILE | --allowed-signers FILE] [flags]\n\nVerifies a signed release tag against trusted keys: the flags', else the\nrelease configuration's trust.tags. Exit 0 only when the tag is valid.\n\nFlags:")
		fs.PrintDefaults()
		fmt.Fprintln(stderr, "\nExample:\n  relctl verify --tag v1.2.3 --allowed-signers .github/allowed_signers --json")
		fmt.Fprintln(stderr, ciHelp+"tag, commit, signer, fingerprint, format, valid (RELCTL_VALID=true ...).")
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	if *name == "" {
		return usagef("--tag is required")
	}
	if *keyring == "" && *allowed == "" {
		dir := *repoDir
		if dir == "" {
			dir = "."
		}
		cfg, err := loadConfig(*cfgFlag, dir)
		if err != nil {
			return err
		}
		if cfg == nil || cfg.Trust.Tags.Empty() {
			return usagef("give exactly one of --keyring and --allowed-signers (or configure trust.tags in %s)", config.FileName)
		}
		*keyring, *allowed = cfg.Trust.Tags.Keyring, cfg.Trust.Tags.AllowedSigners
	}
	if (*keyring == "") == (*allowed == "") {
		return usagef("give exactly one of --keyring and --allowed-signers")
	}
	if *principal != "" && *allowed == "" {
		return usagef("--principal needs --allowed-signers")
	}
	at := time.Now()
	if *atFlag != "" {
		t, err := time.Parse(time.RFC3339, *atFlag)
		if err != nil {
			return usagef("--at %q: %v", *atFlag, err)
		}
		at = t
	}
	v, err := trustedKeys(*keyring, *allowed, *principal, tagging.GitNamespace)
	if err != nil {
		return err
	}
	repo, demo, err := openRepo(*repoDir, stderr)
	if err != nil {
		return err
	}
	defer demo.remove()
	res, verr := tagging.Verify(ctx, repo, *name, v, at)
	out := verifyResult{Tag: *name}
	if verr == nil {
		out = verifyResult{Tag: res.Tag, Valid: true, Commit: res.Commit.String(), Object: res.Object.String(),
			Signer: res.Signer.Identity, Fingerprint: res.Signer.Fingerprint, Format: string(res.Signer.Format)}
	} else {
		out.Error = verr.Error()
	}
	rep := ciFrom(ctx)
	rep.set("tag", out.Tag)
	rep.set("commit", out.Commit)
	rep.set("signer", out.Signer)
	rep.set("fingerprint", out.Fingerprint)
	rep.set("format", out.Format)
	rep.set("valid", strconv.FormatBool(out.Valid))
	rep.fail(out.Error)
	if *asJSON {
		return writeVerdict(stdout, out, verr)
	}
	if verr != nil {
		if errors.Is(verr, tagging.ErrInvalidRefName) {
			return usageError{verr}
		}
		return verr
	}
	fmt.Fprintf(stdout, "%s: good %s signature by %s (%s) on %s\n", out.Tag, out.Format, out.Signer, out.Fingerprint, out.Commit)
	return nil
}
