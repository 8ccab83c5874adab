package main

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/releasekit/releasekit/audit"
	"github.com/releasekit/releasekit/manifest"
)

func cmdLogShow(ctx context.Context, args []string, _ io.Reader, stdout, stderr io.Writer) error {
	fs := newFlags("log show", stderr)
	sf := addStoreFlags(fs)
	env := fs.String("env", "", "only entries about environment `ENV`")
	release := fs.String("release", "", "only entries about release `TAG`")
	cpFile := fs.String("checkpoint", "", "checkpoint `FILE` (relctl log verify --write-checkpoint) the log must extend: a truncated log is not shown")
	keyring := fs.String("keyring", "", "verify the checkpoint's signature with the OpenPGP keys in `FILE`")
	allowed := fs.String("allowed-signers", "", "verify the checkpoint's signature with the SSH allowed_signers `FILE`")
	cfgFlag := addConfigFlag(fs)
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: relctl log show [--json] [--env ENV] [--release TAG] [--checkpoint FILE] (--store DIR | --git-store REPO)\n\nVerifies the evidence log's hash chain (and, with --checkpoint, that it was\nnot cut) and prints every entry: who acted (verified from a CI token or\ntyped), what (release, digest, commit, branch, files changed), when, where\n(environment, targets), the result (allowed, denied, started, succeeded,\nfailed) and why. A log that does not verify is not shown (exit 1).\n\nFlags:")
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return helpOK(err)
	}
	cfg, err := loadConfig(*cfgFlag, ".")
	if err != nil {
		return err
	}
	st, err := configStore(sf, cfg)
	if err != nil {
		return err
	}
	if *keyring == "" && *allowed == "" && cfg != nil {
		*keyring, *allowed = cfg.Trust.Checkpoints.Keyring, cfg.Trust.Checkpoints.AllowedSigners
	}
	var cp *manifest.Checkpoint
	if *cpFile != "" {
		data, err := readInput("--checkpoint", *cpFile, maxInputFile)
		if err != nil {
			return err
		}
		c, _, err := readCheckpoint(ctx, data, *cpFile, "", *keyring, *allowed)
		if err != nil {
			return err
		}
		cp = &c
	}
	entries, err := manifest.VerifyStore(ctx, st, cp)
	if err != nil {
		return err
	}
	shown := make([]audit.LogEntry, 0, len(entries))
	for _, e := range entries {
		s, err := audit.ViewEntry(e)
		if err != nil {
			return err
		}
		if (*env == "" || s.Env == *env) && (*release == "" || s.Release == *release) {
			shown = append(shown, s)
		}
	}
	if *sf.json {
		return writeJSON(stdout, shown)
	}
	bw := bufio.NewWriter(stdout)
	for _, s := range shown {
		if err := s.WriteText(bw); err != nil {
			return err
		}
	}
	if len(shown) == 0 {
		fmt.Fprintln(bw, "no entries")
	}
	return bw.Flush()
}
